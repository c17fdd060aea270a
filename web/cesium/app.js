// Live summary of the /ws stream until the 3D viewer lands (W2).
"use strict";
const I18N = {
  zh: { layers: "图层实时统计", rate: "位置更新", links: "数据接口", alarms: "实时报警", time: "时间", level: "级别",
        message: "内容", state: "状态", placeholder: "三维一张图（CesiumJS）正在建设中；此页面显示实时数据流。",
        connected: "已连接", connecting: "连接中…", lang: "English", active: "未确认", acknowledged: "已确认", cleared: "已消除" },
  en: { layers: "Live layer counts", rate: "Position updates", links: "Data interfaces", alarms: "Live alarms", time: "Time", level: "Level",
        message: "Message", state: "State", placeholder: "The 3D one-map (CesiumJS) is under construction; this page shows the live stream.",
        connected: "connected", connecting: "connecting…", lang: "中文", active: "active", acknowledged: "acknowledged", cleared: "cleared" },
};
let lang = localStorage.getItem("chemtwin.lang") || "zh";
const ids = new Map(), titles = new Map(), alarms = new Map(); // layer → Set of entity ids
const KIND_LAYER = { person: "people", vehicle: "vehicles", gas_detector: "gas_detectors", camera: "cameras",
  fence: "fences", permit: "permits", inspection_point: "inspection_points", threat_zone: "threat_zones" };
let moves = 0;

function t(key) { return I18N[lang][key] || key; }
function render() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach(el => { el.textContent = t(el.dataset.i18n); });
  document.getElementById("lang").textContent = t("lang");
  const lb = document.querySelector("#layers tbody");
  lb.replaceChildren(...[...ids].map(([id, set]) => row([(titles.get(id) || {})[lang] || id, set.size], [null, "n"])));
  const ab = document.querySelector("#alarms tbody");
  const list = [...alarms.values()].sort((a, b) => b.raised_at.localeCompare(a.raised_at)).slice(0, 50);
  ab.replaceChildren(...list.map(a => {
    const tr = row([new Date(a.raised_at).toLocaleTimeString(), a.level, lang === "zh" ? a.message : a.message_en, t(a.state)]);
    tr.className = "lvl" + a.level;
    return tr;
  }));
}
function row(cells, classes = []) {
  const tr = document.createElement("tr");
  cells.forEach((c, i) => { const td = document.createElement("td"); td.textContent = c; if (classes[i]) td.className = classes[i]; tr.append(td); });
  return tr;
}
async function loadTitles() {
  const r = await fetch("/ogc/collections?f=json");
  const body = await r.json();
  for (const c of body.collections || []) titles.set(c.id, { zh: c.title_zh || c.title, en: c.title });
}
function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  const status = document.getElementById("status");
  status.textContent = t("connecting");
  ws.onopen = () => {
    status.textContent = t("connected");
    ws.send(JSON.stringify({ type: "subscribe", layers: [...titles.keys()].filter(l => l !== "alarms").concat(["alarms"]) }));
  };
  ws.onmessage = ev => {
    const m = JSON.parse(ev.data);
    if (m.type === "snapshot") {
      ids.clear();
      for (const [id, fc] of Object.entries(m.layers || {})) ids.set(id, new Set((fc.features || []).map(f => f.id)));
      alarms.clear();
      for (const a of m.alarms || []) alarms.set(a.id, a);
    } else if (m.type === "positions") {
      moves += m.items.length;
    } else if (m.type === "alarm") {
      alarms.set(m.alarm.id, m.alarm);
    } else if (m.type === "delta") {
      for (const f of m.upserts || []) {
        const layer = KIND_LAYER[f.properties && f.properties.kind];
        if (layer && ids.has(layer)) ids.get(layer).add(f.id);
      }
      for (const r of m.removes || []) if (ids.has(r.layer)) ids.get(r.layer).delete(r.id);
    }
    render();
  };
  ws.onclose = () => { status.textContent = t("connecting"); setTimeout(connect, 2000); };
}
document.getElementById("lang").onclick = () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("chemtwin.lang", lang); render(); };
setInterval(() => { document.getElementById("rate").textContent = String(moves); moves = 0; }, 1000);
loadTitles().catch(() => {}).finally(() => { render(); connect(); });
