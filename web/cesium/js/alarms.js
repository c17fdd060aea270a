// The alarm panel (#alarm-panel), the unacknowledged counts in the header
// (#alarm-summary), the alarm tone toggle (#sound-toggle) and the pulsing
// alarm markers. The open alarms come from the snapshot, then from "alarm"
// events (raised | updated | acknowledged | cleared); cleared ones leave
// the open list for a short "recently cleared" list. A silenced alarm
// (details.silenced_by, 报警静默) makes no sound and shows 静默; one not
// cleared within 30 s (details.event_recorded_at) shows 事件. "closed"
// (confirmed and closed by a named person) moves it to the cleared list.
import { state, on, emit } from "./state.js";
import { t, name, fmtDuration, fmtTime } from "./i18n.js";
import { h, fill } from "./dom.js";
import { canAck } from "./auth.js";
import { quickAck } from "./ack.js";
import { initSound, renderSound, alarmTone } from "./alarm-sound.js";
import { AlarmMarkers } from "./alarm-markers.js";

const RECENT_CLEARED = 10;
const RENDER_DELAY_MS = 50;

const open = new Map(); // alarm id → alarm (active or acknowledged)
let cleared = []; // the most recently cleared alarms, newest first
let filterType = null; // show only this alarm type
let selectedId = null; // the alarm (or entity) last selected
let markers = null;
let ui = null; // panel elements
let renderQueued = false;

// alarmById returns an open or recently cleared alarm.
export function alarmById(id) {
  return open.get(id) || cleared.find((a) => a.id === id) || state.alarms.get(id) || null;
}

// typeLabel is the translated name of an alarm type.
export function typeLabel(type) {
  return t("alarm.type." + type);
}

// alarmMessage is the alarm's message in the current language.
export function alarmMessage(a) {
  return (state.lang === "en" && a.message_en) || a.message || "";
}

// alarmPlace names where the alarm is: its area, else its entity.
export function alarmPlace(a) {
  const area = a.area_id && state.features.get(a.area_id);
  if (area) return name(area.properties);
  const entity = a.entity_id && state.features.get(a.entity_id);
  if (entity) return name(entity.properties);
  return a.entity_id || a.area_id || "";
}

// describeAlarm is a one-line summary: level, type, place.
export function describeAlarm(a) {
  return `[${t("alarm.level." + a.level)}] ${typeLabel(a.type)} · ${alarmPlace(a)}`;
}

// needsAck reports whether an alarm still wants a named acknowledgement:
// active ones, and cleared ones that nobody acknowledged.
export function needsAck(a) {
  return a.state === "active" || (a.state === "cleared" && !a.acked_at);
}

// isSilenced reports whether a silence covered the alarm's last raise or
// update (the server sets details.silenced_by).
export function isSilenced(a) {
  return !!(a.details && a.details.silenced_by);
}

// isEvent reports whether the alarm became an alarm event record (not
// cleared within 30 s, AQ 3064.3—2025).
export function isEvent(a) {
  return !!(a.details && a.details.event_recorded_at);
}

// alarmSince is when the alarm's duration starts (epoch ms).
export function alarmSince(a) {
  return Date.parse(a.raised_at) || Date.now();
}

export function initAlarms(ctx) {
  ui = buildPanel(document.getElementById("alarm-panel"));
  ui.summary = document.getElementById("alarm-summary");
  markers = new AlarmMarkers(ctx && ctx.viewer);
  initSound(document.getElementById("sound-toggle"));
  on("snapshot", (snap) => onSnapshot(snap));
  on("alarm", (ev) => onAlarm(ev));
  on("select", (sel) => {
    selectedId = (sel && sel.id) || null;
    markSelected();
  });
  on("user", () => render(true));
  // the layer panel's Alarms toggle shows and hides the map markers (the
  // list stays: an operator must never lose sight of an open alarm)
  on("layer", ({ layer, visible }) => { if (layer === "alarms") markers.show(visible); });
  on("lang", () => {
    renderSound();
    render(true);
  });
  setInterval(tick, 1000);
  render(true);
}

function onSnapshot(snap) {
  if (!snap || !Array.isArray(snap.alarms)) return;
  open.clear();
  for (const a of snap.alarms) if (a.state !== "cleared") open.set(a.id, a);
  queueRender();
}

function onAlarm(ev) {
  const a = ev && ev.alarm;
  if (!a || !a.id) return;
  const before = open.get(a.id);
  if (ev.action === "cleared" || a.state === "cleared") {
    open.delete(a.id);
    keepCleared(a);
  } else {
    open.set(a.id, a);
    const escalated = ev.action === "raised" || (before && a.level > before.level);
    if (escalated && a.level >= 2 && !isSilenced(a)) alarmTone(a.level);
  }
  queueRender();
}

// keepCleared puts a cleared alarm on the recent list: in place when it is
// there already (acknowledged after clearing), else on top.
function keepCleared(a) {
  const i = cleared.findIndex((c) => c.id === a.id);
  if (i >= 0) cleared[i] = a;
  else cleared = [a, ...cleared].slice(0, RECENT_CLEARED);
}

// queueRender coalesces a burst of events into one render (a timer, not
// an animation frame, so that a hidden tab stays current too).
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    render(false);
  }, RENDER_DELAY_MS);
}

function sortedOpen() {
  return [...open.values()].sort((a, b) =>
    (b.level - a.level) || (alarmSince(b) - alarmSince(a)) || (a.id < b.id ? -1 : 1));
}

// render brings the list, the summary and the markers up to date; force
// rebuilds every item (language or role changed).
function render(force) {
  const all = sortedOpen();
  const shown = filterType ? all.filter((a) => a.type === filterType) : all;
  ui.heading.textContent = t("alarm.open", { n: all.length });
  renderFilter();
  ui.empty.hidden = shown.length > 0;
  ui.empty.textContent = t("alarm.none");
  syncList(ui.list, shown, force);
  ui.clearedSummary.textContent = t("alarm.cleared.recent", { n: cleared.length });
  ui.cleared.hidden = cleared.length === 0;
  syncList(ui.clearedList, cleared, force);
  renderSummary(all);
  markSelected();
  markers.update(all);
}

function buildPanel(panel) {
  const heading = h("h2", { id: "alarm-heading" });
  const filter = h("div", { class: "alarm-filter", hidden: true });
  const empty = h("p", { class: "alarm-empty" });
  const list = h("ul", { id: "alarm-list", class: "alarm-list", "aria-labelledby": "alarm-heading" });
  const clearedSummary = h("summary");
  const clearedList = h("ul", { id: "alarm-cleared-list", class: "alarm-list" });
  const cleared = h("details", { class: "alarm-cleared", open: true, hidden: true }, clearedSummary, clearedList);
  panel.setAttribute("aria-labelledby", "alarm-heading");
  fill(panel, heading, filter, empty, list, cleared);
  list.addEventListener("click", onListClick);
  clearedList.addEventListener("click", onListClick);
  return { heading, filter, empty, list, clearedSummary, clearedList, cleared };
}

function onListClick(ev) {
  const li = ev.target.closest("li[data-alarm-id]");
  if (!li) return;
  const a = alarmById(li.dataset.alarmId);
  if (!a) return;
  const ack = ev.target.closest("[data-action=ack]");
  if (ack) {
    quickAck(a, describeAlarm, ack);
    return;
  }
  emit("flyto", { id: a.id });
  emit("select", { id: a.id });
}

// syncList makes ul hold one item per alarm in order, reusing items whose
// content did not change so that focus and hover survive updates.
function syncList(ul, alarms, force) {
  const old = new Map([...ul.children].map((li) => [li.dataset.alarmId, li]));
  let cursor = ul.firstElementChild;
  for (const a of alarms) {
    const view = itemView(a);
    let li = old.get(a.id);
    if (!li || force || li.dataset.key !== view.key) li = buildItem(a, view);
    if (li === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    if (cursor && old.get(a.id) === cursor) cursor = cursor.nextElementSibling;
    ul.insertBefore(li, cursor);
    const prev = old.get(a.id);
    if (prev && prev !== li) prev.remove();
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

// itemView is what an item shows, except the running duration; key
// changes whenever the item must be rebuilt.
function itemView(a) {
  const view = {
    type: typeLabel(a.type), level: t("alarm.level." + a.level), place: alarmPlace(a),
    stateText: stateText(a), message: alarmMessage(a),
    ack: needsAck(a) && canAck(), silenced: isSilenced(a), event: isEvent(a),
  };
  view.key = [a.state, a.level, a.updated_at, view.type, view.place, view.message, view.stateText, view.ack, view.silenced, view.event].join("|");
  return view;
}

// stateText is an item's state: cleared ones show when they cleared, or
// that they still want an acknowledgement.
function stateText(a) {
  if (a.state !== "cleared") return t("alarm.state." + a.state);
  return a.acked_at ? fmtTime(a.cleared_at) : t("alarm.state.cleared_unacked");
}

function buildItem(a, view) {
  const end = a.cleared_at ? Date.parse(a.cleared_at) : null;
  return h("li", { class: `alarm lvl-${a.level} st-${a.state}${needsAck(a) ? " unacked" : ""}`, title: view.message, dataset: { alarmId: a.id, key: view.key, since: alarmSince(a), end: end || "" } },
    h("button", { type: "button", class: "alarm-main", dataset: { action: "select" } },
      h("span", { class: "alarm-level" }, view.level),
      h("span", { class: "alarm-type" }, view.type,
        view.silenced && h("span", { class: "alarm-badge silenced", title: t("alarm.silenced.title") }, t("alarm.silenced")),
        view.event && h("span", { class: "alarm-badge event", title: t("alarm.event.title") }, t("alarm.event"))),
      h("span", { class: "alarm-place" }, view.place),
      h("span", { class: "alarm-dur" }, fmtDuration((end || Date.now()) - alarmSince(a))),
      h("span", { class: "alarm-state" }, view.stateText)),
    view.ack && h("button", { type: "button", class: "alarm-ack", dataset: { action: "ack" } }, t("alarm.ack")));
}

// tick advances the running durations once a second.
function tick() {
  const now = Date.now();
  for (const li of ui.list.children) {
    const dur = li.querySelector(".alarm-dur");
    if (dur) dur.textContent = fmtDuration(now - Number(li.dataset.since));
  }
}

function markSelected() {
  const id = selectedId;
  for (const ul of [ui.list, ui.clearedList]) {
    for (const li of ul.children) {
      if (li.dataset.alarmId === id) li.setAttribute("aria-current", "true");
      else li.removeAttribute("aria-current");
    }
  }
  markers.select(open.has(id) ? id : null);
}

function renderFilter() {
  ui.filter.hidden = !filterType;
  if (!filterType) return;
  fill(ui.filter,
    h("span", null, t("alarm.filter", { type: typeLabel(filterType) })),
    h("button", { type: "button", class: "link", onclick: () => setFilter(null) }, t("alarm.filter.clear")));
}

function setFilter(type) {
  filterType = type;
  render(false);
}

// renderSummary shows the unacknowledged alarms counted by type as chips
// that filter the list; it rebuilds only when a count changes, so that the
// live region speaks only then.
function renderSummary(all) {
  const counts = new Map();
  for (const a of all) {
    if (a.state !== "active") continue;
    const c = counts.get(a.type) || { type: a.type, n: 0, level: 0 };
    c.n += 1;
    c.level = Math.max(c.level, a.level);
    counts.set(a.type, c);
  }
  const chips = [...counts.values()].sort((a, b) => (b.level - a.level) || (b.n - a.n) || (a.type < b.type ? -1 : 1));
  const key = [state.lang, filterType, ...chips.map((c) => `${c.type}:${c.n}:${c.level}`)].join("|");
  if (ui.summary.dataset.key === key) return;
  ui.summary.dataset.key = key;
  if (chips.length === 0) {
    fill(ui.summary, h("span", { class: "summary-none" }, t("alarm.summary.none")));
    return;
  }
  fill(ui.summary, chips.map((c) => h("button", {
    type: "button", class: `chip lvl-${c.level}`, "aria-pressed": String(filterType === c.type),
    title: t("alarm.summary.chip", { type: typeLabel(c.type), n: c.n }),
    dataset: { type: c.type }, onclick: () => setFilter(filterType === c.type ? null : c.type),
  }, h("span", { class: "chip-label" }, typeLabel(c.type)), h("b", null, c.n))));
}
