// The info panel (#info-panel): on "select" it shows the entity or alarm
// chosen, kept live from upsert and positions events; gas detectors get a
// sparkline of their readings since page load, people a follow button,
// alarms an acknowledge button. Closing emits select {id: null}.
import { state, on, emit } from "./state.js";
import { t } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { canAck, isAdmin } from "./auth.js";
import { requestClose, closeable } from "./close.js";
import { editFence, deleteFence } from "./fencedraw.js";
import { editPoint, movePoint, deletePoint, canEdit as canEditInspections } from "./inspection-edit.js";
import { requestAck } from "./ack.js";
import { alarmById, describeAlarm, needsAck } from "./alarms.js";
import { describeFeature, describeAlarmView } from "./info-kinds.js";
import { recordReading, trendOf, drawSparkline, trendSpan } from "./sparkline.js";

const REFRESH_MS = 250; // live values redraw at most 4 times a second

let panel = null;
let ui = null;
let selected = null; // id shown
let fetched = null; // {feature} | {alarm} | {error}: fetched over REST for an id the client does not hold
let live = null; // latest position fix of the selected mover {floor, tsMs}
let following = null;
let refreshTimer = 0;

export function initInfo() {
  panel = document.getElementById("info-panel");
  ui = buildPanel();
  on("snapshot", onSnapshot);
  on("upsert", (f) => {
    recordReading(f);
    if (f && ((f.properties && f.properties.id) || f.id) === selected) queueRefresh();
  });
  on("positions", onPositions);
  on("alarm", (ev) => {
    if (ev && ev.alarm && ev.alarm.id === selected) queueRefresh();
  });
  on("select", (sel) => show(sel ? sel.id : null));
  on("follow", (f) => {
    following = f ? f.id : null;
    refresh();
  });
  on("lang", refresh);
  on("user", refresh);
  setInterval(tick, 1000);
}

function onSnapshot(snap) {
  for (const fc of Object.values((snap && snap.layers) || {})) {
    for (const f of (fc && fc.features) || []) recordReading(f);
  }
  if (selected) queueRefresh();
}

function onPositions(batch) {
  if (!selected || !batch) return;
  for (const item of batch.items || []) {
    if (item[0] !== selected) continue;
    live = { floor: item[4], tsMs: item[5] };
    queueRefresh();
  }
}

function buildPanel() {
  const title = h("h2", { id: "info-title" });
  const subtitle = h("p", { class: "info-subtitle" });
  const close = h("button", { type: "button", class: "info-close", onclick: () => emit("select", { id: null }) }, "×");
  const fields = h("dl", { class: "info-fields" });
  const chartCaption = h("p", { class: "info-chart-caption" });
  const canvas = h("canvas", { class: "sparkline", role: "img" });
  const chart = h("figure", { class: "info-chart", hidden: true }, canvas, chartCaption);
  const actions = h("div", { class: "info-actions" });
  panel.setAttribute("aria-labelledby", "info-title");
  fill(panel, h("header", { class: "info-head" }, h("div", null, title, subtitle), close), fields, chart, actions);
  return { title, subtitle, close, fields, chart, canvas, chartCaption, actions };
}

// show selects id (null hides the panel).
async function show(id) {
  selected = id || null;
  fetched = null;
  live = null;
  panel.hidden = !selected;
  if (!selected) return;
  refresh();
  if (alarmById(selected) || state.features.has(selected)) return;
  const result = await fetchOne(id);
  if (selected !== id) return;
  fetched = result;
  refresh();
}

// fetchOne gets an id the client does not hold: alarm ids have the
// alarm engine's "AL-" prefix, anything else is an entity.
async function fetchOne(id) {
  try {
    return id.startsWith("AL-") ? { alarm: await api.alarm(id) } : { feature: await api.entity(id) };
  } catch (err) {
    return { error: err };
  }
}

function queueRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = 0;
    refresh();
  }, REFRESH_MS);
}

// refresh redraws the panel for the selected id.
function refresh() {
  if (!selected) return;
  ui.close.title = t("info.close");
  ui.close.setAttribute("aria-label", t("info.close"));
  const alarm = alarmById(selected) || (fetched && fetched.alarm);
  const feature = state.features.get(selected) || (fetched && fetched.feature);
  if (alarm) render(describeAlarmView(alarm), alarmActions(alarm));
  else if (feature) render(describeFeature(feature, live), featureActions(feature));
  else render(placeholder(), []);
}

function placeholder() {
  const msg = fetched && fetched.error ? t("info.notfound", { id: selected }) : t("info.loading");
  return { title: msg, subtitle: "", fields: [], chart: null };
}

function render(model, actions) {
  ui.title.textContent = model.title;
  ui.subtitle.textContent = model.subtitle;
  fill(ui.fields, model.fields.filter(([, v]) => v !== "" && v !== undefined && v !== null)
    .map(([label, value]) => [h("dt", null, label), h("dd", null, value)]));
  renderChart(model.chart);
  // Rebuild the buttons only when they change, so that focus stays put.
  const key = actions.map((a) => a.key).join("|");
  if (ui.actions.dataset.key !== key) {
    ui.actions.dataset.key = key;
    fill(ui.actions, actions.map((a) => h("button", { type: "button", class: a.cls || "", onclick: a.run }, a.label)));
  }
}

function renderChart(chart) {
  ui.chart.hidden = !chart;
  ui.chart.dataset.id = chart ? chart.id : "";
  if (!chart) return;
  const ring = trendOf(chart.id);
  const minutes = Math.ceil(trendSpan(ring) / 60000);
  ui.chartCaption.textContent = ring ? t("info.trend", { m: minutes }) : t("info.trend.empty");
  ui.canvas.setAttribute("aria-label", ui.chartCaption.textContent);
  drawSparkline(ui.canvas, ring, chart);
}

function featureActions(feature) {
  const p = feature.properties || {};
  const id = feature.id || p.id;
  const out = [{ key: "locate:" + state.lang, label: t("alarm.locate"), run: () => emit("flyto", { id }) }];
  if (p.kind === "fence" && isAdmin()) {
    out.push({ key: "fence-edit:" + state.lang, label: t("fence.edit"), run: () => editFence(id) },
      { key: "fence-delete:" + state.lang, label: t("fence.delete"), cls: "danger", run: () => deleteFence(id) });
  }
  if (p.kind === "inspection_point" && canEditInspections()) {
    out.push({ key: "ip-edit:" + state.lang, label: t("insp.edit.edit"), run: () => editPoint(id) },
      { key: "ip-move:" + state.lang, label: t("insp.edit.move"), run: () => movePoint(id) },
      { key: "ip-delete:" + state.lang, label: t("insp.edit.delete"), cls: "danger", run: () => deletePoint(id) });
  }
  if (p.kind !== "person") return out;
  out.push({ key: "playback:" + state.lang, label: t("pb.add"), run: () => emit("playback", { id }) });
  if (following === id) {
    out.push({ key: "unfollow:" + state.lang, label: t("info.unfollow"), cls: "primary", run: () => emit("follow", { id: null }) });
  } else {
    out.push({ key: "follow:" + state.lang, label: t("info.follow"), run: () => emit("follow", { id }) });
  }
  return out;
}

function alarmActions(a) {
  const out = [{ key: "locate:" + state.lang, label: t("alarm.locate"), run: () => emit("flyto", { id: a.id }) }];
  if (needsAck(a) && canAck()) {
    out.push({ key: "ack:" + a.id + state.lang, label: t("alarm.ack.withnote"), cls: "primary", run: () => requestAck(a, describeAlarm) });
  }
  if (closeable(a)) {
    out.push({ key: "close:" + a.id + state.lang, label: t("alarm.close"), cls: "close-alarm", run: () => requestClose(a, describeAlarm) });
  }
  return out;
}

// tick keeps time-based parts moving: alarm durations, "last fix" ages and
// the sparkline's sliding window.
function tick() {
  if (!selected || panel.hidden) return;
  refresh();
}
