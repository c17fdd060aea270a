// The permit form of the permits tool (新建作业票, AQ 3064.2—2025 booking):
// draw the work area on the map (draw.js) — click its corners and
// double-click to finish a polygon, or click once and double-click there
// for a work point — then choose the type and its level, describe the
// work (作业内容), set the window, the workers and the guardian (监护人;
// person ids, found by name among the scene's people), the approvers in
// signing order (user names) and optionally the substance the gas
// analyses look for, and book it with POST /api/v1/permits. Opened on a
// permit (openForm(permit)), the form is that permit's re-issue (重新办理,
// GB 30871-2022: a new permit when the work's content, scope or place
// changes, or it expired): prefilled from it, it posts to
// POST /api/v1/permits/{id}/reissue and the old permit becomes void. The
// server's refusals show in the form, by code where the viewer knows it;
// on success onSaved(permit, from) opens its card.
//
// Times are entered as wall-clock time in the site's time zone
// (site.json timezone), whatever the browser's zone; the helpers below
// (siteDay, toLocalInput, fromLocalInput, fmtClock, fmtWindow) convert.
import { state } from "./state.js";
import { t, tOr, name, siteZone } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { endSession } from "./auth.js";
import { serverNow } from "./stream.js";
import { loadSubstances, substanceName, substanceIds } from "./substances.js";
import { Drawing, geometryOf, ringOf } from "./draw.js";

const DEFAULT_HOURS = 8; // default window: the shortest validity of any level (hot work 特级/一级, GB 30871-2022 §5.4)
const CONTENT_MAX = 2000; // bytes of the work's description the server takes (twin/permit)

let rules = () => null; // the rule tables (permits.js permitRules), null until loaded
let hooks = null; // {onSaved(permit, from), onCancel()}
let ui = null;
let drawing = null; // the work area drawn (draw.js)
let workers = []; // person ids
let endTouched = false; // the end was edited: a type change keeps it
let reissuing = null; // the permit being re-issued, null for a new booking

// --- site time -----------------------------------------------------------

// partsIn returns the wall-clock fields of epoch ms in the site's zone.
function partsIn(ms) {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: siteZone(), hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const o = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

// siteDay is the YYYY-MM-DD of epoch ms (default now) in the site's zone.
export function siteDay(ms = serverNow()) {
  const p = partsIn(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

// toLocalInput is epoch ms as a datetime-local value in the site's zone.
export function toLocalInput(ms) {
  const p = partsIn(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// fromLocalInput is a datetime-local value read in the site's zone, as
// epoch ms (NaN when malformed).
export function fromLocalInput(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(s || ""));
  if (!m) return NaN;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  const offset = (ms) => {
    const p = partsIn(ms);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
  };
  // twice: the offset at the guess, then at the corrected time (a zone change between them)
  const first = wall - offset(wall);
  return wall - offset(first);
}

// fmtClock is HH:MM of a time in the site's zone, with the date (MM-DD)
// when it is not on day (YYYY-MM-DD, default today).
export function fmtClock(when, day = siteDay()) {
  const ms = typeof when === "number" ? when : Date.parse(when);
  if (!Number.isFinite(ms)) return "—";
  const p = partsIn(ms);
  const clock = `${p.hour}:${p.minute}`;
  return `${p.year}-${p.month}-${p.day}` === day ? clock : `${p.month}-${p.day} ${clock}`;
}

// fmtWindow is a permit's window, "22:00–06:00" style.
export function fmtWindow(start, end, day = siteDay()) {
  return `${fmtClock(start, day)} – ${fmtClock(end, day)}`;
}

// --- errors --------------------------------------------------------------

// permitFailure explains a refused permit call: {text(), code, detail}:
// text() says it in the current language — the server's code translated
// where the viewer knows it (permit.err.*) with the PTW alarm code of a
// hard block, else the server's message — and detail is the server's
// message (which measures, which worker …).
export function permitFailure(err) {
  if (err.status === 401) {
    endSession();
    return { text: () => t("auth.expired"), code: "unauthorized", detail: "" };
  }
  if (err.status === 403) return { text: () => t("permit.err.denied"), code: err.code || "forbidden", detail: "" };
  const code = err.code || "";
  const ptw = /\(PTW (\d+)\)/.exec(err.message || "");
  const known = () => (code ? tOr("permit.err." + code, null) : null);
  if (known() === null) return { text: () => t("permit.err.failed", { status: err.status || "—", msg: err.message }), code, detail: "" };
  return { text: () => (ptw ? t("permit.err.ptw", { text: known(), ptw: ptw[1] }) : known()), code, detail: err.message || "" };
}

// --- the form ------------------------------------------------------------

// initPermitForm builds the form; opts: rules (a function returning the
// normalised rule tables, permits.js permitRules; null until loaded),
// onSaved(permit, from) (from: the id of the permit it re-issued, else
// null), onCancel(). It returns the element to place.
export function initPermitForm(ctx, opts) {
  rules = opts.rules;
  hooks = opts;
  drawing = new Drawing(ctx && ctx.viewer, { height: 0.6, onChange: renderArea, onFinish: finish });
  ui = {
    root: h("div", { id: "permit-form-view", class: "permit-form-view" }),
    form: h("form", { id: "permit-form", class: "fence-form permit-form", novalidate: true }),
    people: h("datalist", { id: "permit-people" }),
  };
  ui.form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  ui.form.addEventListener("change", onChange);
  ui.form.addEventListener("click", onClick);
  ui.form.addEventListener("keydown", onKey);
  ui.root.append(ui.form, ui.people);
  build();
  return ui.root;
}

// openForm shows a fresh form (the defaults: now for the next 8 h, the
// user as the approver), or, given a permit, the form of its re-issue
// prefilled from it.
export function openForm(from = null) {
  drawing.clear();
  drawing.set(from ? ringOf(from.geometry) : []);
  workers = from ? [...(from.workers || [])] : [];
  endTouched = Boolean(from);
  reissuing = from;
  build(true);
  fillPeople();
  loadSubstances().then(() => { if (ui.root.isConnected) build(); });
}

// closeForm stops any drawing and clears the outline from the map.
export function closeForm() {
  drawing.clear();
  reissuing = null;
}

// formTitle is the form's heading in the current language.
export function formTitle() {
  return reissuing ? t("permit.form.reissue_title", { id: reissuing.id }) : t("permit.form.title");
}

// prefill is what the form shows for permit p's re-issue: its type, the
// level asked (before any automatic upgrade: the server upgrades again),
// its work, people, approvers and substance, its related permits but the
// one it replaced (void: naming it is refused), and its window while that
// is still ahead — else the same length from now.
function prefill(p) {
  const now = Math.floor(serverNow() / 60000) * 60000;
  let start = Date.parse(p.start), end = Date.parse(p.end);
  if (!(end > now)) [start, end] = [now, now + (end - start > 0 ? end - start : DEFAULT_HOURS * 3600e3)];
  return {
    type: p.type, level: p.upgraded_from || p.level || "", content: p.content || "",
    start: toLocalInput(start), end: toLocalInput(end), guardian: p.guardian ? entityLabel(p.guardian) : "",
    approvers: (p.approvers || []).join(", "), substance: p.substance || "",
    related: (p.related || []).filter((id) => id !== p.reissued_from).join(", "), worker_pick: "",
    running: (p.level_basis || []).some((b) => String(b).startsWith("running_equipment")), emergency: Boolean(p.emergency),
  };
}

// relabel lays the form out again in the current language, keeping what
// was entered.
export function relabel() {
  if (ui) build();
}

function typeOf(key) {
  const R = rules();
  return R.types.find((x) => x.key === key) || R.types[0];
}

function label(o) {
  return (state.lang === "en" ? o.en : o.zh) || "";
}

// build lays the form out, keeping what was entered (reset: the defaults).
function build(reset = false) {
  const R = rules();
  if (!R || R.types.length === 0) {
    fill(ui.form, h("p", { class: "dock-note", id: "permit-form-wait" }, t("permit.form.rules")),
      h("div", { class: "form-buttons" }, h("button", { type: "button", dataset: { act: "cancel" } }, t("permit.form.cancel"))));
    return;
  }
  const keep = !reset && ui.form.elements.type ? read() : null;
  const field = (key, input, extra) => h("label", { class: "form-field", dataset: { field: key } }, h("span", null, t("permit.form." + key)), input, extra);
  const subs = substanceIds();
  fill(ui.form,
    reissuing && h("p", { class: "dock-note tone-warn", id: "permit-reissue-note" }, t("permit.form.reissue_note", { id: reissuing.id })),
    h("div", { class: "permit-area" },
      h("span", { class: "permit-area-label" }, t("permit.form.area")),
      h("span", { id: "permit-area-status", role: "status" }),
      h("div", { class: "pb-row" },
        h("button", { type: "button", class: "primary", id: "permit-draw", dataset: { act: "draw" } }, t(drawing.ring.length ? "permit.form.redraw" : "permit.form.draw")),
        h("button", { type: "button", id: "permit-undo", dataset: { act: "undo" } }, t("permit.form.undo")))),
    h("p", { class: "dock-note", id: "permit-draw-hint" }),
    h("div", { class: "fence-grid permit-grid2" },
      field("type", h("select", { name: "type" }, R.types.map((x) => h("option", { value: x.key }, label(x))))),
      field("level", h("select", { name: "level" }))),
    h("p", { class: "dock-note", id: "permit-level-hint" }),
    field("content", h("textarea", { name: "content", rows: 2, maxlength: CONTENT_MAX, placeholder: t("permit.form.content_hint") })),
    h("label", { class: "permit-check", dataset: { field: "on_running_equipment" } },
      h("input", { type: "checkbox", name: "on_running_equipment" }), t("permit.form.on_running_equipment")),
    h("label", { class: "permit-check" }, h("input", { type: "checkbox", name: "emergency" }), t("permit.form.emergency")),
    h("div", { class: "fence-grid permit-grid2" },
      field("start", h("input", { name: "start", type: "datetime-local", required: true })),
      field("end", h("input", { name: "end", type: "datetime-local", required: true }))),
    field("workers", h("div", { class: "permit-pick" },
      h("input", { name: "worker_pick", list: "permit-people", autocomplete: "off", placeholder: t("permit.form.person_hint") }),
      h("button", { type: "button", dataset: { act: "add-worker" } }, t("permit.form.add"))),
    h("ul", { class: "permit-chips", id: "permit-workers" })),
    field("guardian", h("input", { name: "guardian", list: "permit-people", autocomplete: "off", placeholder: t("permit.form.person_hint") })),
    field("approvers", h("input", { name: "approvers", autocomplete: "off", placeholder: t("permit.form.approvers_hint") })),
    h("div", { class: "fence-grid permit-grid2" },
      field("substance", h("select", { name: "substance" }, h("option", { value: "" }, t("permit.form.substance.none")),
        subs.map((id) => h("option", { value: id }, substanceName(id))))),
      field("related", h("input", { name: "related", autocomplete: "off", placeholder: t("permit.form.related_hint") }))),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "primary", id: "permit-submit" }, t(reissuing ? "permit.form.reissue_submit" : "permit.form.submit")),
      h("button", { type: "button", dataset: { act: "cancel" } }, t("permit.form.cancel"))));
  write(keep || (reissuing ? prefill(reissuing) : {
    type: R.types[0].key, level: "", content: "", start: toLocalInput(Math.floor(serverNow() / 60000) * 60000), end: "", guardian: "",
    running: false, emergency: false, approvers: state.user ? state.user.username : "", substance: "", related: "", worker_pick: "",
  }));
  renderArea();
}

function read() {
  const e = ui.form.elements;
  return {
    type: e.type.value, level: e.level.value, content: e.content.value, start: e.start.value, end: e.end.value, guardian: e.guardian.value,
    approvers: e.approvers.value, substance: e.substance.value, related: e.related.value, worker_pick: e.worker_pick.value,
    running: e.on_running_equipment.checked, emergency: e.emergency.checked,
  };
}

function write(v) {
  const e = ui.form.elements;
  e.type.value = v.type;
  levels(v.level);
  e.content.value = v.content;
  e.start.value = v.start;
  e.end.value = v.end;
  if (!v.end) defaultEnd();
  e.guardian.value = v.guardian;
  e.approvers.value = v.approvers;
  if ([...e.substance.options].some((o) => o.value === v.substance)) e.substance.value = v.substance;
  e.related.value = v.related;
  e.worker_pick.value = v.worker_pick;
  e.on_running_equipment.checked = v.running;
  e.emergency.checked = v.emergency;
  renderWorkers();
}

// levels offers the chosen type's levels (none for a type with one
// unnamed level) and says its validity and approver.
function levels(want) {
  const e = ui.form.elements;
  const tp = typeOf(e.type.value);
  const named = tp.levels.filter((l) => l.key !== "");
  fill(e.level, tp.levels.map((l) => h("option", { value: l.key }, label(l) || "—")));
  if (tp.levels.some((l) => l.key === want)) e.level.value = want;
  else e.level.value = tp.levels[tp.levels.length - 1].key; // the lowest level by default
  ui.form.querySelector('[data-field="level"]').hidden = named.length === 0;
  // GB 30871-2022 §5.1.2: hot work on running equipment in a fire and
  // explosion hazard area is 特级 (the server checks the place).
  ui.form.querySelector('[data-field="on_running_equipment"]').hidden = tp.key !== "hot_work";
  levelHint();
}

function levelHint() {
  const e = ui.form.elements;
  const tp = typeOf(e.type.value);
  const l = tp.levels.find((x) => x.key === e.level.value) || tp.levels[0];
  const parts = [];
  if (label(l.scope)) parts.push(label(l.scope));
  parts.push(l.validity_h ? t("permit.form.validity", { h: l.validity_h }) : t("permit.form.validity.none"));
  const who = rules().approvers[l.approver];
  if (who) parts.push(t("permit.form.approver_role", { who: label(who) }));
  if (tp.gas !== "never") parts.push(t(tp.gas === "always" ? "permit.form.gas.always" : "permit.form.gas.fire_area"));
  if (tp.certificate) parts.push(t("permit.form.certificate", { cert: label(tp.certificate) }));
  if (tp.upgrade) parts.push(t("permit.form.upgrade"));
  ui.form.querySelector("#permit-level-hint").textContent = parts.join(" · ");
}

// defaultEnd sets the end to the start plus the level's validity, at most
// DEFAULT_HOURS (an automatic hot-work upgrade then still fits).
function defaultEnd() {
  const e = ui.form.elements;
  const start = fromLocalInput(e.start.value);
  if (!Number.isFinite(start)) return;
  const tp = typeOf(e.type.value);
  const l = tp.levels.find((x) => x.key === e.level.value) || tp.levels[0];
  const hours = Math.min(l.validity_h || DEFAULT_HOURS, DEFAULT_HOURS);
  e.end.value = toLocalInput(start + hours * 3600e3);
}

function onChange(ev) {
  const n = ev.target.name;
  if (n === "type") levels("");
  if (n === "level") levelHint();
  if (n === "end") endTouched = true;
  if ((n === "type" || n === "level" || n === "start") && !endTouched) defaultEnd();
  if (n === "worker_pick") addWorker(false);
}

function onKey(ev) {
  if (ev.key !== "Enter" || ev.target.name !== "worker_pick") return;
  ev.preventDefault();
  addWorker(true);
}

function onClick(ev) {
  const b = ev.target.closest("[data-act]");
  if (!b) return;
  switch (b.dataset.act) {
    case "draw": startDrawing(); break;
    case "undo": drawing.undo(); break;
    case "add-worker": addWorker(true); break;
    case "drop-worker":
      workers = workers.filter((id) => id !== b.dataset.id);
      renderWorkers();
      break;
    case "cancel":
      closeForm();
      hooks.onCancel();
      break;
  }
}

// --- people --------------------------------------------------------------

function people() {
  const out = [];
  for (const id of state.layers.get("people") || []) {
    const p = state.features.get(id)?.properties;
    if (p && !p.unregistered) out.push(p);
  }
  return out;
}

// fillPeople offers the scene's registered people by id, labelled with
// name, department and post (the browser filters them as one types).
function fillPeople() {
  const list = people().sort((a, b) => String(a.id).localeCompare(String(b.id)));
  fill(ui.people, list.map((p) => h("option", { value: p.id, label: [name(p), p.department, p.post].filter(Boolean).join(" · ") })));
}

// resolvePerson turns what was typed into a person id: an id of the
// scene's people, "name (id)", or a name only one person has; null when
// none fits. Without the people layer (not loaded) an id-like text is
// taken as it is.
export function resolvePerson(text) {
  const s = String(text || "").trim();
  if (!s) return null;
  const m = /\(([^()]+)\)\s*$/.exec(s);
  const id = m ? m[1].trim() : s;
  const f = state.features.get(id);
  if (f && f.properties.kind === "person") return id;
  const all = people();
  const hits = all.filter((p) => p.name === s || p.name_en === s);
  if (hits.length === 1) return hits[0].id;
  if (all.length === 0 && /^[\w.:-]+$/.test(id)) return id;
  return null;
}

// entityLabel is the name and id of a person or place of the scene
// ("name (id)"), the id alone when the scene does not name it.
export function entityLabel(id) {
  const p = state.features.get(id)?.properties;
  const n = p ? name(p) : "";
  return n && n !== id ? `${n} (${id})` : id;
}

// addWorker adds the people typed in the picker (ids, names; several
// separated by commas or spaces); report: say what was not found.
function addWorker(report) {
  const input = ui.form.elements.worker_pick;
  const words = input.value.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
  const bad = [];
  for (const w of words) {
    const id = resolvePerson(w);
    if (id && !workers.includes(id)) workers.push(id);
    else if (!id) bad.push(w);
  }
  input.value = bad.join(", ");
  renderWorkers();
  if (report && bad.length > 0) showError(t("permit.form.err.person", { who: bad.join(", ") }));
  else if (words.length > 0) showError("");
}

function renderWorkers() {
  fill(ui.form.querySelector("#permit-workers"), workers.map((id) =>
    h("li", { class: "chip", dataset: { person: id } }, entityLabel(id),
      h("button", { type: "button", class: "link", dataset: { act: "drop-worker", id }, "aria-label": t("permit.form.remove") }, "×"))));
}

// --- drawing -------------------------------------------------------------

function renderArea() {
  const status = ui.form.querySelector("#permit-area-status");
  if (!status) return; // the rules not loaded: no form yet
  const n = drawing.ring.length;
  status.textContent = drawing.active ? t("permit.form.area.drawing", { n })
    : n === 1 ? t("permit.form.area.point")
      : n >= 3 ? t("permit.form.area.polygon", { n }) : t("permit.form.area.none");
  status.className = n === 0 && !drawing.active ? "tone-warn" : "";
  ui.form.querySelector("#permit-draw-hint").textContent = t(drawing.active ? "permit.form.hint.drawing" : "permit.form.hint");
  const draw = ui.form.querySelector("#permit-draw");
  draw.disabled = drawing.active || !drawing.viewer;
  draw.textContent = t(n ? "permit.form.redraw" : "permit.form.draw");
  ui.form.querySelector("#permit-undo").disabled = !drawing.active || n === 0;
}

function startDrawing() {
  showError("");
  drawing.start();
}

// finish ends drawing on a double-click: one vertex is a work point,
// three or more a polygon; two are neither.
function finish() {
  const n = drawing.ring.length;
  if (n === 2) {
    showError(t("permit.form.err.two"));
    return;
  }
  if (n === 0) return;
  drawing.stop();
  renderArea();
  showError("");
}

// --- submit --------------------------------------------------------------

const list = (s) => String(s || "").split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean);

// request turns the form into a POST /api/v1/permits body, or {error}.
function request() {
  if (drawing.active) return { error: t("permit.form.err.drawing") };
  const g = geometryOf(drawing.ring);
  if (!g) return { error: t("permit.form.err.area") };
  const v = read();
  if (v.worker_pick.trim()) addWorker(false);
  if (ui.form.elements.worker_pick.value.trim()) return { error: t("permit.form.err.person", { who: ui.form.elements.worker_pick.value }) };
  if (workers.length === 0) return { error: t("permit.form.err.workers") };
  const guardian = resolvePerson(v.guardian);
  if (!v.guardian.trim()) return { error: t("permit.form.err.guardian") };
  if (!guardian) return { error: t("permit.form.err.person", { who: v.guardian.trim() }) };
  if (workers.includes(guardian)) return { error: t("permit.err.guardian_is_worker") };
  const approvers = list(v.approvers);
  if (approvers.length === 0) return { error: t("permit.form.err.approvers") };
  const start = fromLocalInput(v.start), end = fromLocalInput(v.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { error: t("permit.form.err.window") };
  if (end <= start) return { error: t("permit.err.invalid_window") };
  if (new TextEncoder().encode(v.content.trim()).length > CONTENT_MAX) return { error: t("permit.form.err.content", { n: CONTENT_MAX }) };
  const body = {
    type: v.type, level: v.level, geometry: g, start: new Date(start).toISOString(), end: new Date(end).toISOString(),
    workers: [...workers], guardian, approvers,
  };
  if (v.content.trim()) body.content = v.content.trim();
  if (v.substance) body.substance = v.substance;
  if (v.type === "hot_work" && v.running) body.on_running_equipment = true;
  // work is booked a day ahead; an emergency job may be booked the same day
  // (GB 30871-2022 via REFERENCE §3)
  if (v.emergency) body.emergency = true;
  const related = list(v.related);
  if (related.length) body.related = related;
  return { body };
}

async function submit() {
  const { body, error } = request();
  showError(error || "");
  if (error) return;
  const button = ui.form.querySelector("#permit-submit");
  button.disabled = true;
  const from = reissuing && reissuing.id;
  try {
    const permit = await api.post(from ? `/api/v1/permits/${encodeURIComponent(from)}/reissue` : "/api/v1/permits", body);
    closeForm();
    hooks.onSaved(permit, from);
  } catch (err) {
    const f = permitFailure(err);
    showError(f.text(), f.code);
  } finally {
    button.disabled = false;
  }
}

function showError(text, code = "") {
  const el = ui.form.querySelector(".form-error");
  el.textContent = text;
  el.hidden = !text;
  el.dataset.code = code;
}
