// The silences tool (报警静默, a dock tool): the silences in force and
// upcoming from GET /api/v1/silences — alarm types, areas by name, window,
// who set it and why — polled while the panel is open. Administrators and
// managers also end one (DELETE /api/v1/silences/{id}) and add one
// (POST /api/v1/silences): alarm types from those the viewer names (SOS
// and gas level 2 are never silenced, so not offered), areas of the scene
// (none = the whole site), a window in the site's time zone, as the list
// shows times (now → +2 h by default, at most the server's 31 days) and a
// required reason. The server keeps silences
// across restarts and audits who set and ended them; its refusals show
// in the panel.
import { state, on } from "./state.js";
import { t, name, keysOf, fmtTime, fmtDuration, siteZone } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { isAdmin, endSession } from "./auth.js";
import { addTool, isOpen } from "./dock.js";
import { typeLabel } from "./alarms.js";

const POLL_MS = 15000;
const DEFAULT_MS = 2 * 3600 * 1000; // the form's default window
const MAX_DAYS = 31; // api/alarm_ops.go maxSilence
const MAX_MS = MAX_DAYS * 24 * 3600 * 1000;
const REASON_MAX = 500; // characters (api maxNote)
// twin/alarm Unsilenceable: never silenced, so never offered.
const NEVER = ["sos", "gas_level2"];

let ui = null;
let silences = []; // the last list from the server
let timer = 0;
let message = { text: "", tone: "" }; // the last add / remove outcome, or a load error

export function initSilences() {
  const panel = addTool("silences", { labelKey: "silence.title", onOpen: open, onClose: stop });
  ui = {
    title: h("h2"), intro: h("p", { class: "dock-note" }),
    status: h("p", { class: "dock-note", id: "silence-status", role: "status" }),
    heading: h("h3"), empty: h("p", { class: "dock-note" }),
    list: h("ul", { id: "silence-list", class: "silence-list" }),
    readonly: h("p", { class: "dock-note", id: "silence-readonly" }),
    addHeading: h("h3"), form: h("form", { id: "silence-form", class: "fence-form silence-form", novalidate: true }),
  };
  ui.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit();
  });
  ui.form.addEventListener("change", (ev) => {
    if (ev.target.name === "all_types") selectAllTypes(ev.target.checked);
    if (ev.target.name === "from") syncLimits();
  });
  ui.list.addEventListener("click", onListClick);
  fill(panel, ui.title, ui.intro, ui.status, ui.heading, ui.empty, ui.list, ui.readonly, ui.addHeading, ui.form);
  on("lang", () => { buildForm(); render(); });
  on("user", () => { if (isOpen("silences")) render(); });
  setInterval(() => { if (isOpen("silences")) renderList(); }, 1000);
}

function open() {
  message = { text: "", tone: "" };
  buildForm(true);
  render();
  poll();
}

function stop() {
  clearTimeout(timer);
  timer = 0;
}

async function poll() {
  clearTimeout(timer);
  await load();
  if (isOpen("silences")) timer = setTimeout(poll, POLL_MS);
}

// load fetches the list and renders it.
async function load() {
  try {
    const body = await api.get("/api/v1/silences");
    silences = (body && body.silences) || [];
    if (message.tone === "load") message = { text: "", tone: "" };
  } catch (err) {
    message = { text: t("silence.err.load", { msg: err.message }), tone: "load" };
  }
  render();
}

function render() {
  ui.title.textContent = t("silence.title");
  ui.intro.textContent = t("silence.intro");
  ui.status.textContent = message.text;
  ui.status.className = `dock-note ${message.tone === "ok" ? "tone-ok" : message.tone ? "tone-bad" : ""}`;
  const admin = isAdmin();
  ui.readonly.hidden = admin;
  ui.readonly.textContent = t("silence.readonly");
  ui.addHeading.hidden = !admin;
  ui.addHeading.textContent = t("silence.add");
  ui.form.hidden = !admin;
  renderList(true);
}

// shown are the silences not ended, earliest start first (as listed).
function shown() {
  const now = Date.now();
  return silences.filter((s) => Date.parse(s.to) > now);
}

// renderList rebuilds the list when what it shows changed (force: always).
function renderList(force = false) {
  const list = shown();
  const now = Date.now();
  const key = [state.lang, isAdmin(), ...list.map((s) => `${s.id}:${Date.parse(s.from) > now}`)].join("|");
  ui.heading.textContent = t("silence.list", { n: list.length });
  ui.empty.hidden = list.length > 0;
  ui.empty.textContent = t("silence.none");
  if (force || ui.list.dataset.key !== key) {
    ui.list.dataset.key = key;
    fill(ui.list, list.map(item));
  }
  for (const li of ui.list.children) {
    const s = list.find((x) => x.id === li.dataset.silenceId);
    if (s) li.querySelector(".silence-time").textContent = timeLeft(s, now);
  }
}

function item(s) {
  const upcoming = Date.parse(s.from) > Date.now();
  const types = (s.types || []).length ? s.types.map(typeLabel).join("、") : t("silence.types.all");
  const areas = (s.area_ids || []).length ? s.area_ids.map(areaName).join("、") : t("silence.areas.all");
  return h("li", { class: `silence ${upcoming ? "upcoming" : "active"}`, dataset: { silenceId: s.id } },
    h("div", { class: "silence-head" },
      h("span", { class: "silence-state" }, t(upcoming ? "silence.upcoming" : "silence.active")),
      h("span", { class: "silence-window" }, t("silence.window", { from: fmtTime(s.from), to: fmtTime(s.to) })),
      h("span", { class: "silence-time" }, timeLeft(s, Date.now()))),
    h("div", { class: "silence-types" }, types),
    h("div", { class: "silence-areas" }, areas),
    h("div", { class: "silence-meta" }, t("silence.by", { who: s.by }), s.reason && h("span", { class: "silence-reason" }, " · " + t("silence.reason", { reason: s.reason }))),
    isAdmin() && h("button", { type: "button", class: "danger silence-remove", dataset: { action: "remove" } }, t("silence.remove")));
}

function timeLeft(s, now) {
  const from = Date.parse(s.from);
  return from > now ? t("silence.starts", { d: fmtDuration(from - now) }) : t("silence.left", { d: fmtDuration(Date.parse(s.to) - now) });
}

// areaName names an area (or zone) id from the scene, else shows the id.
function areaName(id) {
  const f = state.features.get(id);
  return f ? name(f.properties) : id;
}

async function onListClick(ev) {
  const button = ev.target.closest("[data-action=remove]");
  const li = ev.target.closest("li[data-silence-id]");
  if (!button || !li) return;
  const id = li.dataset.silenceId;
  if (!window.confirm(t("silence.remove.confirm", { id }))) return;
  button.disabled = true;
  try {
    await api.request("DELETE", `/api/v1/silences/${encodeURIComponent(id)}`);
    message = { text: t("silence.removed", { id }), tone: "ok" };
  } catch (err) {
    message = { text: failure(err), tone: "error" };
  }
  await load();
}

// offeredTypes are the alarm types the viewer names, less those never
// silenced.
function offeredTypes() {
  return keysOf("alarm.type.").filter((type) => !NEVER.includes(type));
}

// areas are the scene's areas, by name.
function areas() {
  const out = [];
  for (const id of state.layers.get("areas") || []) {
    const f = state.features.get(id);
    if (f) out.push({ id, label: name(f.properties) });
  }
  return out.sort((a, b) => a.label.localeCompare(b.label, state.lang));
}

// buildForm lays the form out in the current language, keeping what was
// entered (reset: the defaults, now → +2 h).
function buildForm(reset = false) {
  const keep = !reset && ui.form.elements.length ? readForm() : null;
  const field = (key, input, extra) => h("label", { class: "form-field" }, h("span", null, t("silence.field." + key), extra), input);
  fill(ui.form,
    h("fieldset", null, h("legend", null, t("silence.field.types")),
      h("label", { class: "silence-all" }, h("input", { type: "checkbox", name: "all_types" }), t("silence.field.all_types")),
      h("div", { class: "silence-choices" }, offeredTypes().map((type) =>
        h("label", null, h("input", { type: "checkbox", name: "type", value: type }), typeLabel(type)))),
      h("p", { class: "dock-note silence-never" }, t("silence.never"))),
    h("fieldset", null, h("legend", null, t("silence.field.areas")),
      h("div", { class: "silence-choices" }, areas().map((a) =>
        h("label", null, h("input", { type: "checkbox", name: "area", value: a.id }), a.label))),
      h("p", { class: "dock-note" }, t("silence.areas.hint"))),
    h("div", { class: "silence-window-fields" },
      field("from", h("input", { name: "from", type: "datetime-local", required: true })),
      field("to", h("input", { name: "to", type: "datetime-local", required: true }), h("small", null, " " + t("silence.max", { days: MAX_DAYS })))),
    h("p", { class: "dock-note silence-zone" }, t("silence.zone", { zone: siteZone() || Intl.DateTimeFormat().resolvedOptions().timeZone })),
    field("reason", h("textarea", { name: "reason", rows: 2, maxlength: REASON_MAX, required: true })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary" }, t("silence.submit"))));
  const now = Date.now() - (Date.now() % 60000);
  fillForm(keep || { types: [], areas: [], from: now, to: now + DEFAULT_MS, reason: "" });
}

function readForm() {
  const e = ui.form.elements;
  const checked = (n) => [...ui.form.querySelectorAll(`[name=${n}]:checked`)].map((c) => c.value);
  return {
    types: checked("type"), areas: checked("area"),
    from: fromInput(e.from.value), to: fromInput(e.to.value), reason: e.reason.value.trim(),
  };
}

function fillForm(v) {
  const e = ui.form.elements;
  const boxes = [...ui.form.querySelectorAll("[name=type]")];
  for (const c of boxes) c.checked = v.types.includes(c.value);
  e.all_types.checked = boxes.every((c) => c.checked);
  for (const c of ui.form.querySelectorAll("[name=area]")) c.checked = v.areas.includes(c.value);
  e.from.value = toInput(v.from);
  e.to.value = toInput(v.to);
  e.reason.value = v.reason;
  syncLimits();
}

// syncLimits bounds the end picker by the start (the server's maximum).
function syncLimits() {
  const from = fromInput(ui.form.elements.from.value);
  ui.form.elements.to.min = Number.isFinite(from) ? toInput(from) : "";
  ui.form.elements.to.max = Number.isFinite(from) ? toInput(from + MAX_MS) : "";
}

function selectAllTypes(on) {
  for (const c of ui.form.querySelectorAll("[name=type]")) c.checked = on;
}

// check returns why the form cannot be sent, or "".
function check(v) {
  if (v.types.length === 0) return t("silence.err.types");
  if (!Number.isFinite(v.from) || !Number.isFinite(v.to) || v.to <= v.from || v.to <= Date.now()) return t("silence.err.window");
  if (v.to - v.from > MAX_MS) return t("silence.err.too_long", { days: MAX_DAYS });
  if (!v.reason) return t("silence.err.reason");
  return "";
}

async function submit() {
  const v = readForm();
  const why = check(v);
  showError(why);
  if (why) return;
  const button = ui.form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const body = { types: v.types, area_ids: v.areas, from: new Date(v.from).toISOString(), to: new Date(v.to).toISOString(), reason: v.reason };
    const s = await api.post("/api/v1/silences", body);
    message = { text: t("silence.added", { id: s.id }), tone: "ok" };
    buildForm(true);
    await load();
  } catch (err) {
    showError(failure(err));
  } finally {
    button.disabled = false;
  }
}

function failure(err) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("silence.err.denied");
  return t("silence.err.failed", { status: err.status || "—", msg: err.message });
}

function showError(text) {
  const el = ui.form.querySelector(".form-error");
  el.textContent = text;
  el.hidden = !text;
}

// toInput formats epoch ms for a datetime-local input, in the site's zone.
function toInput(ms) {
  if (!Number.isFinite(ms)) return "";
  const p = wallClock(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// fromInput reads a datetime-local value in the site's zone as epoch ms.
function fromInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!m) return NaN;
  const asUTC = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let ms = asUTC;
  for (let i = 0; i < 2; i++) ms = asUTC - zoneOffset(ms); // twice: the offset at the answer (DST)
  return ms;
}

// wallClock is the site's calendar date and time of day at ms (strings).
function wallClock(ms) {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: siteZone(), year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
}

// zoneOffset is the site's offset from UTC at ms, in ms.
function zoneOffset(ms) {
  const p = wallClock(ms);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - (ms - (ms % 60000));
}
