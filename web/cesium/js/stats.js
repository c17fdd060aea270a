// The statistics panel (统计, a dock tool): while open it polls
// GET /api/v1/headcount every 5 s and shows the tags online / offline /
// not on site / low on battery, people by identity type, the zones with
// people in them, the headcount fences against their limits and the
// unhandled alarms by type and place, their durations ticking each second.
// A click on a zone flies the camera to it.
import { state, on, emit } from "./state.js";
import { t, name, fmtDuration, fmtTime } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { addTool, isOpen } from "./dock.js";
import { typeLabel } from "./alarms.js";

const POLL_MS = 5000;
const IDENTITIES = ["internal", "contractor", "visitor"];
const TAG_FIGURES = ["online", "offline", "not_on_site", "low_battery"];

let panel = null;
let last = null; // the last headcount answer
let fetchedAt = 0; // when it arrived (epoch ms)
let error = null;
let timer = 0;
let ui = null; // the panel's parts, built for ui.lang

export function initStats() {
  panel = addTool("stats", { labelKey: "stats.title", onOpen: start, onClose: stop });
  panel.addEventListener("click", onClick);
  on("lang", render);
  setInterval(tick, 1000);
}

function start() {
  render();
  poll();
}

function stop() {
  clearTimeout(timer);
  timer = 0;
}

async function poll() {
  clearTimeout(timer);
  try {
    last = await api.get("/api/v1/headcount");
    fetchedAt = Date.now();
    error = null;
  } catch (err) {
    error = err;
  }
  if (!isOpen("stats")) return;
  render();
  timer = setTimeout(poll, POLL_MS);
}

function onClick(ev) {
  const row = ev.target.closest("[data-zone]");
  if (!row) return;
  emit("flyto", { id: row.dataset.zone });
  emit("select", { id: row.dataset.zone });
}

// render brings the panel up to date with the last answer. The layout is
// built once per language; rows whose content did not change are kept, so
// that scrolling, focus and a click in progress survive the 5 s updates.
function render() {
  if (!panel || panel.hidden) return;
  if (!ui || ui.lang !== state.lang) ui = build();
  ui.note.textContent = !last ? (error ? t("stats.failed", { msg: error.message }) : t("info.loading")) :
    t("stats.updated", { time: fmtTime(last.at) }) + (error ? " " + t("stats.failed", { msg: error.message }) : "");
  ui.note.classList.toggle("tone-bad", !!error);
  ui.body.hidden = !last;
  if (!last) return;
  panel.dataset.at = last.at;
  const tags = last.tags || {};
  const zones = last.zones || [];
  for (const k of TAG_FIGURES) ui.tiles[k].textContent = String(tags[k] ?? 0);
  for (const k of IDENTITIES) ui.identity[k].textContent = String((tags.by_identity || {})[k] || 0);
  ui.line.textContent = t("stats.people_vehicles", { p: tags.people_online ?? 0, v: tags.vehicles_online ?? 0 });
  syncRows(ui.zones, zones.filter((z) => z.people > 0).sort((a, b) => b.people - a.people).map(zoneRow));
  syncRows(ui.limits, zones.filter((z) => z.kind === "fence" && (z.max_persons > 0 || z.min_persons > 0)).map(limitRow));
  const groups = [...(last.unhandled_alarms || [])].sort((a, b) => b.longest_s - a.longest_s);
  syncRows(ui.alarms, groups.map(alarmRow));
  groups.forEach((g, i) => { ui.alarms.children[i].querySelector(".stat-dur").dataset.longest = g.longest_s; });
  tick();
}

function build() {
  const tiles = {}, identity = {};
  const zones = h("tbody"), limits = h("tbody"), alarms = h("tbody");
  const note = h("p", { class: "dock-note" });
  const line = h("p", { class: "stat-line" });
  const body = h("div", null,
    h("div", { class: "stat-tiles" }, TAG_FIGURES.map((k) =>
      h("div", { class: `stat-tile st-${k}` }, tiles[k] = h("b", { dataset: { stat: k } }), h("span", null, t("stats.tag." + k))))),
    line,
    h("div", { class: "stat-identity" }, IDENTITIES.map((k) =>
      h("span", { class: `chip id-${k}` }, t("info.identity." + k), " ", identity[k] = h("b", { dataset: { identity: k } })))),
    h("h3", null, t("stats.zones")),
    h("div", { class: "stat-scroll" }, h("table", { class: "stat-table", id: "stats-zones" },
      h("thead", null, h("tr", null, h("th", null, t("stats.col.zone")), h("th", null, t("stats.col.people")),
        IDENTITIES.map((k) => h("th", { title: t("info.identity." + k) }, t("stats.col." + k))))), zones)),
    h("h3", null, t("stats.limits")),
    h("table", { class: "stat-table", id: "stats-limits" }, limits),
    h("h3", null, t("stats.unhandled")),
    h("table", { class: "stat-table", id: "stats-alarms" },
      h("thead", null, h("tr", null, ["type", "place", "count", "longest"].map((k) => h("th", null, t("stats.col." + k))))), alarms));
  fill(panel, h("h2", null, t("stats.title")), note, body);
  return { lang: state.lang, note, line, body, tiles, identity, zones, limits, alarms };
}

// syncRows makes tbody hold rows ([{key, build}]) in order, reusing the
// rows whose key it already has; no rows shows "none".
function syncRows(tbody, rows) {
  if (rows.length === 0) rows = [{ key: "none", build: () => h("tr", null, h("td", { class: "dock-note", colspan: "6" }, t("stats.none"))) }];
  const old = new Map([...tbody.children].map((tr) => [tr.dataset.key, tr]));
  let cursor = tbody.firstElementChild;
  for (const row of rows) {
    let tr = old.get(row.key);
    old.delete(row.key);
    if (!tr) {
      tr = row.build();
      tr.dataset.key = row.key;
    }
    if (tr === cursor) cursor = cursor.nextElementSibling;
    else tbody.insertBefore(tr, cursor);
  }
  for (const tr of old.values()) tr.remove();
}

// zoneName names a zone in the current language; the site's own id (an
// alarm placed nowhere more precise) names the site.
function zoneName(z) {
  const f = state.features.get(z.id);
  if (f) return name(f.properties);
  const site = state.site && state.site.properties;
  if (site && z.id === (site.id || state.site.id)) return name(site);
  return z.name || z.id;
}

function zoneRow(z) {
  const ids = IDENTITIES.map((k) => (z.by_identity || {})[k] || 0);
  return {
    key: [z.id, z.people, ...ids].join("|"),
    build: () => h("tr", { dataset: { zone: z.id }, tabindex: "0", title: t("stats.flyto") },
      h("td", null, h("small", { class: "stat-kind" }, t("kind." + z.kind)), " ", zoneName(z)),
      h("td", { class: "num", dataset: { people: z.people } }, String(z.people)),
      ids.map((n) => h("td", { class: "num" }, String(n)))),
  };
}

// limitRow shows a headcount fence against its limits: over the maximum
// is 超员, under the minimum 缺员.
function limitRow(z) {
  const over = z.max_persons > 0 && z.people > z.max_persons;
  const under = z.min_persons > 0 && z.people < z.min_persons;
  const limit = [z.min_persons > 0 && `≥${z.min_persons}`, z.max_persons > 0 && `≤${z.max_persons}`].filter(Boolean).join(" ");
  return {
    key: [z.id, z.people, limit].join("|"),
    build: () => h("tr", { dataset: { zone: z.id }, tabindex: "0", title: t("stats.flyto") },
      h("td", null, zoneName(z)),
      h("td", { class: "num" }, `${z.people} / ${limit}`),
      h("td", null, h("span", { class: `badge tone-${over || under ? "bad" : "ok"}` }, t(over ? "stats.over" : under ? "stats.under" : "stats.ok")))),
  };
}

// alarmRow is one group of unhandled alarms; its duration ticks (tick).
function alarmRow(g) {
  return {
    key: [g.type, g.area_id, g.count].join("|"),
    build: () => h("tr", g.area_id ? { dataset: { zone: g.area_id }, tabindex: "0" } : null,
      h("td", null, typeLabel(g.type)),
      h("td", null, g.area_id ? zoneName({ id: g.area_id }) : t("stats.noarea")),
      h("td", { class: "num" }, String(g.count)),
      h("td", { class: "num stat-dur" })),
  };
}

// tick advances the unhandled alarms' durations from the last answer.
function tick() {
  if (!panel || panel.hidden || !last || !ui) return;
  const since = Date.now() - fetchedAt;
  for (const td of ui.alarms.querySelectorAll(".stat-dur")) td.textContent = fmtDuration(Number(td.dataset.longest) * 1000 + since);
}
