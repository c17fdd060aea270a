// Special-work permits (特殊作业票, GB 30871-2022, AQ 3064.2—2025) in the
// viewer: the permits layer's styling, the today's-work tool and the
// permit card.
//
// Map: the /ws layer permits (drawn by live.js with permitPrimitives) —
// each work area a translucent fill with an outline, each work point a
// dot, coloured by state from the Okabe–Ito colour-blind-safe palette
// (GROUPS) and told apart without colour too: planned work has a dashed
// outline, suspended work a wide dashed one, running work a wide solid
// one, ended work a fine dotted one.
//
// Panel (the dock tool 今日作业, for everyone): GET /api/v1/permits?date=
// (today in the site's zone; another day can be chosen), polled every 5 s
// while shown and again when the permits layer changes, grouped by state
// in the legend's order, filterable by state (the legend's chips) and
// type; a row shows the type and level, the window and the state, and a
// click flies there and opens the permit's card (as does a click on the
// permit on the map). Users of the signing roles book new permits with
// the form (permit-form.js); the exporting roles download the day's
// permits and their alarms as the AQ 3064.2 Annex A exchange CSV
// (GET /api/v1/permits/export, fetched with the bearer token and saved
// from a Blob: the route takes no cookie).
//
// Card: GET /api/v1/permits/{id}, polled every 2 s while it shows and on
// the entity's /ws update, stopped when it closes — the state (word and
// AQ 3064.2 Annex A code), type and level (type code), window, workers
// and guardian, approvers and who signed, the risk analysis and briefing,
// the measures one by one (who confirmed them, when), the gas analyses
// (value, verdict, age), simultaneous-operation warnings, and the live
// checks of the server's `live` object: the guardian's distance (red off
// post), the headcount inside the fence (red with strangers), the gas
// detectors within the sampling radius (red when not passing) and the last
// analysis' age. Signing roles drive the workflow from it (apply, risk
// analysis, briefing, confirm a measure, record a gas analysis, approve,
// start, suspend, resume, close, cancel), keep a confined space's entry
// register (a worker or a tool in or out; who and what is inside) and
// re-issue a permit (the form prefilled, the old one void; the two link
// each other); a refusal shows its code in words, with its PTW alarm
// code. Anyone prints the permit: GB 30871 form layout, in a new tab.
//
// drawnPermits() tells a browser test what the map shows (import it from
// /js/permits.js).
import { state, on, emit, layerOf } from "./state.js";
import { t, tOr, fmtTime, fmtDuration } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { addTool, isOpen, toggle } from "./dock.js";
import * as S from "./shapes.js";
import { pointOf, polygonsOf } from "./frame.js";
import { serverNow } from "./stream.js";
import { loadSubstances, substanceName, substanceIds } from "./substances.js";
import { initPermitForm, openForm, closeForm, formTitle, relabel, permitFailure, entityLabel, siteDay, fmtClock, fmtWindow, toLocalInput, fromLocalInput } from "./permit-form.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

// The rule tables come from the server (GET /api/v1/permits/rules:
// twin/permit/rules.json — GB 30871-2022 types, levels, validity and
// approvers; AQ 3064.2-2025 Annex A type, status and PTW codes), fetched
// once when the tool first opens and normalised here; until they are
// known the viewer shows the server's keys.
let rules = null;
let rulesAsked = null;
let rulesError = "";

// loadRules fetches the rule tables once (again after a failure) and
// resolves when they are known; it never rejects.
export function loadRules() {
  if (!rulesAsked) {
    rulesAsked = api.get("/api/v1/permits/rules").then((r) => {
      rules = normalise(r);
      rulesError = "";
    }).catch((err) => {
      rulesAsked = null;
      rulesError = err.message;
    });
  }
  return rulesAsked;
}

// permitRules returns the normalised tables (null until loaded).
export const permitRules = () => rules;

function normalise(r) {
  const two = (x) => ({ zh: x.name_zh || x.zh || "", en: x.name_en || x.en || "" });
  return {
    version: r.version,
    types: (r.types || []).map((x) => ({
      key: x.key, ...two(x), gas: (x.gas && x.gas.required) || "never", maxAgeMin: x.gas && x.gas.max_age_min,
      upgrade: Boolean(x.upgrade), fenceM: x.fence_radius_m, certificate: x.certificate ? two(x.certificate) : null,
      levels: (x.levels || []).map((l) => ({ key: l.key, code: l.code, ...two(l), validity_h: l.validity_h, approver: l.approver,
        scope: { zh: l.scope_zh || bounds(l), en: bounds(l) } })),
    })),
    statuses: (r.statuses || []).map((x) => ({ key: x.key, code: x.code, ...two(x) })),
    approvers: Object.fromEntries((r.approvers || []).map((a) => [a.key, two(a)])),
    alarms: Object.fromEntries((r.alarms || []).map((a) => [a.code, { key: a.key, ...two(a) }])),
  };
}

// bounds is a level's height or mass band in figures ("5–15 m", "> 100 t").
function bounds(l) {
  for (const [lo, hi, unit] of [[l.min_height_m, l.max_height_m, "m"], [l.min_mass_t, l.max_mass_t, "t"]]) {
    if (lo !== undefined && hi !== undefined) return `${lo}–${hi} ${unit}`;
    if (lo !== undefined) return `> ${lo} ${unit}`;
    if (hi !== undefined) return `< ${hi} ${unit}`;
  }
  return "";
}

// GROUPS are the map's and the panel's states: colours from the
// Okabe–Ito palette (distinct under the common colour-vision
// deficiencies), with an outline style that tells them apart without
// colour. dash: the dash length in pixels (0 solid).
export const GROUPS = [
  { key: "planned", statuses: ["booked", "applied"], colour: "#56b4e9", fill: 0.25, width: 2.5, dash: 14 },
  { key: "approved", statuses: ["approved"], colour: "#009e73", fill: 0.3, width: 2.5, dash: 0 },
  { key: "in_progress", statuses: ["in_progress"], colour: "#e69f00", fill: 0.4, width: 4, dash: 0 },
  { key: "suspended", statuses: ["suspended"], colour: "#d55e00", fill: 0.3, width: 4, dash: 10 },
  { key: "done", statuses: ["accepted"], colour: "#cc79a7", fill: 0.2, width: 2, dash: 0 },
  { key: "ended", statuses: ["cancelled", "void", "expired"], colour: "#999999", fill: 0.12, width: 1.5, dash: 4 },
];
const UNKNOWN = { key: "unknown", statuses: [], colour: "#ffffff", fill: 0.2, width: 2, dash: 0 };

// Roles that may book permits and drive their steps (api/permits.go
// permitRoles; approval also needs the user on the permit's approver
// list and on site).
const SIGNERS = ["admin", "manager", "emergency", "operator"];
// Roles that may export the permit records (api/routes.go permitExport).
const EXPORTERS = ["admin", "manager", "emergency", "inspector"];
const LIST_MS = 5000;
const CARD_MS = 2000;
const CHANGE_MS = 400;
const UNITS = ["%VOL", "%LEL", "ppm", "mg/m3"];
// The steps a state offers (twin/permit permit.go: the states each step
// starts from), in the order they come.
const STEPS = {
  booked: ["apply", "cancel"],
  applied: ["risk-analysis", "briefing", "approve", "cancel"],
  approved: ["start", "cancel"],
  in_progress: ["suspend", "close"],
  suspended: ["resume", "close", "cancel"],
};
const GAS_STATES = ["applied", "approved", "in_progress", "suspended"];
// The states a permit is re-issued from (twin/permit Rules.voidable):
// running work is suspended first.
const REISSUE_STATES = ["booked", "applied", "approved", "suspended", "expired"];
// The confined-space register: in while the work runs, out also while it
// is suspended (twin/permit Rules.Register, GB 30871-2022 §6).
const REGISTER = { in: ["in_progress"], out: ["in_progress", "suspended"] };

export const groupOf = (status) => GROUPS.find((g) => g.statuses.includes(status)) || UNKNOWN;
export const canSign = () => !!state.user && SIGNERS.includes(state.user.role);
const canExport = () => !!state.user && EXPORTERS.includes(state.user.role);
const label = (o) => (o ? (state.lang === "en" ? o.en : o.zh) || "" : "");
const typeOf = (key) => (rules ? rules.types.find((x) => x.key === key) : null) || null;
const levelOf = (type, key) => (typeOf(type)?.levels || []).find((l) => l.key === key) || null;
const statusOf = (key) => (rules ? rules.statuses.find((s) => s.key === key) : null) || null;

// permitName is a permit's type and level in words: 一级动火作业, "Hot
// work (Level 1)"; the server's words when the table lacks the type.
export function permitName(p) {
  const tp = typeOf(p.type);
  if (!tp) return p.name || p.type || p.id;
  const l = levelOf(p.type, p.level);
  if (!l || !label(l)) return label(tp);
  return state.lang === "en" ? `${tp.en} (${l.en})` : l.zh + tp.zh;
}

// statusName is a status in words, with its AQ 3064.2 code.
export function statusName(status) {
  const s = statusOf(status);
  return s ? label(s) : status || "—";
}

// --- map ---------------------------------------------------------------

let drawn = { permits: [], items: [] }; // what permitPrimitives drew last

// permitPrimitives draws the permits layer's features (live.js rebuilds
// the layer with it on every change): fills and solid outlines batched,
// dashed outlines one primitive per style, points in one collection.
export function permitPrimitives(features) {
  const fills = [], solid = [], dashed = new Map();
  const pc = new C.PointPrimitiveCollection();
  const out = [];
  for (const f of features) {
    const p = f.properties || {};
    const g = groupOf(p.status);
    const pt = pointOf(f);
    if (pt) {
      pc.add({ id: p.id, position: C.Cartesian3.fromDegrees(pt[0], pt[1], 1.5), pixelSize: g.key === "in_progress" ? 15 : 12,
        color: S.css(g.colour), outlineColor: g.dash ? C.Color.BLACK : C.Color.WHITE, outlineWidth: g.dash ? 3 : 2,
        disableDepthTestDistance: Number.POSITIVE_INFINITY });
    }
    const polys = polygonsOf(f);
    polys.forEach((rings, part) => {
      const id = { entity: p.id, part };
      fills.push(S.fill(id, rings, S.HEIGHT.permit, S.css(g.colour, g.fill)));
      if (!g.dash) solid.push(S.outline(id, rings[0], S.HEIGHT.permit + 0.02, S.css(g.colour), g.width));
      else {
        const k = g.key;
        if (!dashed.has(k)) dashed.set(k, []);
        dashed.get(k).push(new C.GeometryInstance({
          id, geometry: new C.PolylineGeometry({
            positions: rings[0].map(([lon, lat]) => C.Cartesian3.fromDegrees(lon, lat, S.HEIGHT.permit + 0.02)),
            width: g.width, arcType: C.ArcType.NONE, vertexFormat: C.PolylineMaterialAppearance.VERTEX_FORMAT,
          }),
        }));
      }
    });
    out.push({ id: p.id, status: p.status, group: g.key, colour: g.colour, fill: g.fill, outline: g.dash ? "dashed" : "solid",
      width: g.width, parts: polys.length, point: Boolean(pt) });
  }
  const items = [S.batch(fills, { translucent: true, flat: true }), S.lines(solid), pc];
  for (const [k, instances] of dashed) {
    const g = GROUPS.find((x) => x.key === k);
    items.push(new C.Primitive({
      geometryInstances: instances, asynchronous: false,
      appearance: new C.PolylineMaterialAppearance({ material: C.Material.fromType("PolylineDash", { color: S.css(g.colour), gapColor: C.Color.TRANSPARENT, dashLength: g.dash }) }),
    }));
  }
  drawn = { permits: out, items: items.filter(Boolean) };
  return drawn.items;
}

// drawnPermits describes what the map shows, for tests: per permit {id,
// status, group, colour, fill (alpha), outline "solid"|"dashed", width,
// parts (polygons), point}, and whether the layer shows.
export function drawnPermits() {
  return { permits: drawn.permits.map((p) => ({ ...p })), shown: drawn.items.length > 0 && drawn.items.every((i) => i.show !== false) };
}

// --- panel -------------------------------------------------------------

let ui = null;
let view = "list"; // list | card | form
let day = ""; // the date listed, YYYY-MM-DD (site zone); "" = today
let permits = []; // the last GET /api/v1/permits?date=
let listError = "";
let filter = { group: "", type: "" };
let listTimer = 0, listSeq = 0, listApplied = 0, changeTimer = 0;
let card = null; // {id, permit, error, message: {text, tone, code}, busy}
let cardTimer = 0, cardSeq = 0, cardApplied = 0;

export function initPermits(ctx) {
  const panel = addTool("permits", { labelKey: "permit.title", onOpen: open, onClose: close });
  ui = {
    panel,
    list: h("div", { id: "permit-list-view" }),
    card: h("div", { id: "permit-card", class: "permit-card", hidden: true }),
    form: h("div", { id: "permit-form-host", hidden: true }),
    title: h("h2"), intro: h("p", { class: "dock-note" }),
    showLayer: h("button", { type: "button", id: "permit-show-layer", class: "primary permit-show-layer" }),
    create: h("button", { type: "button", id: "permit-new", class: "primary" }),
    exportCsv: h("button", { type: "button", id: "permit-export" }),
    exportStatus: h("p", { class: "dock-note tone-bad", id: "permit-export-status", role: "alert", hidden: true }),
    day: h("input", { type: "date", id: "permit-day", name: "day" }),
    type: h("select", { id: "permit-type-filter", name: "type" }),
    legend: h("div", { id: "permit-legend", class: "permit-legend" }),
    status: h("p", { class: "dock-note", id: "permit-list-status", role: "status" }),
    rows: h("div", { id: "permit-rows" }),
    formTitle: h("h2"),
  };
  ui.form.append(ui.formTitle, initPermitForm(ctx, {
    rules: permitRules,
    onSaved: (p, from) => {
      showCard(p.id, p);
      card.message = { text: () => (from ? t("permit.reissued", { id: p.id, from }) : t("permit.saved", { id: p.id })), tone: "ok", code: "" };
      renderCard(true);
      emit("select", { id: p.id });
      loadList();
    },
    onCancel: () => setView("list"),
  }));
  ui.showLayer.addEventListener("click", showLayer);
  ui.create.addEventListener("click", () => setView("form"));
  ui.exportCsv.addEventListener("click", exportDay);
  ui.day.addEventListener("change", () => { day = ui.day.value; loadList(); });
  ui.type.addEventListener("change", () => { filter.type = ui.type.value; renderList(); });
  fill(ui.list, ui.title, ui.intro,
    h("div", { class: "permit-toolbar" }, ui.create, ui.exportCsv, ui.showLayer), ui.exportStatus,
    h("div", { class: "permit-filters" },
      h("label", { class: "form-field" }, h("span", { dataset: { i18n: "permit.day" } }, t("permit.day")), ui.day),
      h("label", { class: "form-field" }, h("span", { dataset: { i18n: "permit.filter.type" } }, t("permit.filter.type")), ui.type)),
    ui.legend, ui.status, ui.rows);
  fill(panel, ui.list, ui.card, ui.form);
  panel.addEventListener("click", onClick);
  panel.addEventListener("submit", onSubmit);
  on("select", (sel) => { if (sel && sel.id && isPermit(sel.id)) openPermit(sel.id); });
  on("upsert", (f) => { if (layerOf(f) === "permits") changed(f.properties.id); });
  on("remove", (r) => { if (r && r.layer === "permits") changed(r.id); });
  on("snapshot", (snap) => { if (snap.layers && snap.layers.permits) changed(null); });
  on("layer", ({ layer }) => { if (layer === "permits" && ui) renderHead(); });
  on("lang", () => {
    relabel();
    if (!isOpen("permits")) return;
    ui.formTitle.textContent = formTitle();
    renderHead();
    renderList();
    renderCard(true);
  });
  on("user", () => {
    if (!isOpen("permits")) return;
    if (view === "form" && !canSign()) setView("list");
    renderHead();
    renderCard(true);
  });
}

function isPermit(id) {
  const f = state.features.get(id);
  return f ? f.properties.kind === "permit" : /^PTW-/.test(id);
}

// openPermit opens the tool on permit id's card.
export function openPermit(id) {
  if (!isOpen("permits")) toggle("permits", true);
  if (!isOpen("permits")) return;
  if (view === "card" && card && card.id === id) return;
  showCard(id, null);
}

function open() {
  view = "list";
  setView("list");
  // The rule tables and the substance library's names: what shows is laid
  // out again once they are known.
  Promise.all([loadRules(), loadSubstances()]).then(() => {
    if (!isOpen("permits")) return;
    relabel();
    if (view === "list") { renderHead(); renderList(); }
    renderCard(true);
  });
}

function close() {
  clearTimeout(listTimer);
  clearTimeout(cardTimer);
  listTimer = cardTimer = 0;
  listSeq++;
  cardSeq++;
  card = null;
  closeForm();
}

// setView shows the list, a card or the form (from: the permit the form
// re-issues); leaving a card stops its polling, leaving the form its
// drawing.
function setView(v, from = null) {
  view = v;
  ui.list.hidden = v !== "list";
  ui.card.hidden = v !== "card";
  ui.form.hidden = v !== "form";
  if (v !== "card") {
    clearTimeout(cardTimer);
    cardTimer = 0;
    cardSeq++;
    card = null;
  }
  if (v !== "form") closeForm();
  clearTimeout(listTimer);
  listTimer = 0;
  if (v === "list") {
    renderHead();
    renderList();
    loadList();
  }
  if (v === "form") {
    openForm(from);
    ui.formTitle.textContent = formTitle();
  }
}

// changed reloads what shows soon after the permits layer changed.
function changed(id) {
  if (!isOpen("permits") || changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = 0;
    if (!isOpen("permits")) return;
    if (view === "list") loadList();
    if (view === "card" && card && (id === null || id === card.id)) pollCard();
  }, CHANGE_MS);
}

function showLayer() {
  state.visible.set("permits", true);
  emit("layer", { layer: "permits", visible: true });
}

// --- today's work -------------------------------------------------------

async function loadList() {
  clearTimeout(listTimer);
  const mine = ++listSeq;
  const asked = day || siteDay();
  try {
    const body = await api.get("/api/v1/permits?date=" + encodeURIComponent(asked));
    if (mine > listApplied) {
      listApplied = mine;
      permits = (body && body.permits) || [];
      listError = "";
    }
  } catch (err) {
    if (mine > listApplied) listError = t("permit.err.load", { msg: err.message });
  }
  if (!isOpen("permits") || view !== "list" || mine !== listSeq) return;
  renderList();
  listTimer = setTimeout(loadList, LIST_MS);
}

// exportDay downloads the listed day's permits and their alarms as the
// AQ 3064.2 Annex A exchange CSV. The export needs the bearer token, which
// a plain link cannot send: the file is fetched and saved from a Blob.
async function exportDay() {
  const d = day || siteDay();
  ui.exportCsv.disabled = true;
  try {
    const resp = await fetch(`/api/v1/permits/export?from=${d}&to=${d}&format=csv`, { headers: { Authorization: "Bearer " + state.token } });
    if (!resp.ok) {
      const body = await resp.json().catch(() => null);
      throw Object.assign(new Error((body && body.error && body.error.message) || resp.statusText), { status: resp.status, code: body && body.error && body.error.code });
    }
    const blob = await resp.blob();
    const file = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
    const a = h("a", { href: URL.createObjectURL(blob), download: file ? file[1] : `permits-${d}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    ui.exportStatus.hidden = true;
  } catch (err) {
    const f = permitFailure(err);
    ui.exportStatus.textContent = t("permit.export.failed", { msg: f.text() });
    ui.exportStatus.dataset.code = f.code;
    ui.exportStatus.hidden = false;
  } finally {
    ui.exportCsv.disabled = false;
  }
}

function renderHead() {
  ui.title.textContent = t("permit.title");
  ui.intro.textContent = t("permit.intro");
  ui.showLayer.textContent = t("permit.show_layer");
  ui.showLayer.hidden = state.visible.get("permits") !== false;
  ui.create.textContent = t("permit.new");
  ui.create.hidden = !canSign();
  ui.exportCsv.textContent = t("permit.export");
  ui.exportCsv.title = t("permit.export.title");
  ui.exportCsv.hidden = !canExport();
  ui.day.value = day || siteDay();
  for (const el of ui.list.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  fill(ui.type, h("option", { value: "" }, t("permit.filter.all")), ((rules && rules.types) || []).map((x) => h("option", { value: x.key }, label(x))));
  ui.type.value = filter.type;
}

function renderList() {
  const counts = new Map(GROUPS.map((g) => [g.key, 0]));
  for (const p of permits) counts.set(groupOf(p.status).key, (counts.get(groupOf(p.status).key) || 0) + 1);
  fill(ui.legend, GROUPS.map((g) => {
    const sw = swatch(g);
    return h("button", { type: "button", class: "permit-chip", dataset: { group: g.key }, "aria-pressed": String(filter.group === g.key) },
      sw, h("span", null, t("permit.group." + g.key)), h("b", null, String(counts.get(g.key))));
  }));
  const shown = permits.filter((p) => (!filter.group || groupOf(p.status).key === filter.group) && (!filter.type || p.type === filter.type));
  const listed = day || siteDay();
  ui.status.textContent = listError || (rulesError && !rules ? t("permit.err.rules", { msg: rulesError }) : "") || (permits.length === 0 ? t("permit.none", { day: listed }) : shown.length === 0 ? t("permit.none.filtered") : "");
  ui.status.className = `dock-note ${listError ? "tone-bad" : ""}`;
  fill(ui.rows, [...GROUPS, UNKNOWN].map((g) => {
    const mine = shown.filter((p) => groupOf(p.status) === g).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    if (mine.length === 0) return null;
    return h("section", { class: "permit-group", dataset: { group: g.key } },
      h("h3", null, t("permit.group." + g.key), ` (${mine.length})`),
      h("ul", { class: "permit-list" }, mine.map((p) => row(p, g, listed))));
  }));
}

function swatch(g) {
  const sw = h("span", { class: `permit-swatch${g.dash ? " dashed" : ""}` });
  sw.style.setProperty("--swatch", g.colour);
  return sw;
}

function row(p, g, listed) {
  return h("li", { class: "permit-row", dataset: { permitId: p.id, status: p.status } },
    h("button", { type: "button", class: "permit-row-main", dataset: { open: p.id } },
      swatch(g),
      h("span", { class: "permit-row-text" },
        h("span", { class: "permit-name" }, permitName(p)),
        h("small", { class: "permit-window" }, fmtWindow(p.start, p.end, listed)),
        h("small", { class: "permit-id" }, p.id)),
      h("span", { class: `permit-status st-${g.key}` }, statusName(p.status))));
}

// --- card ----------------------------------------------------------------

function showCard(id, permit) {
  if (view !== "card") setView("card");
  card = { id, permit: permit || null, error: "", message: null, busy: false };
  cardApplied = ++cardSeq;
  renderCard(true);
  pollCard();
}

async function pollCard() {
  clearTimeout(cardTimer);
  cardTimer = 0;
  if (!card) return;
  const id = card.id, mine = ++cardSeq;
  try {
    const p = await api.get("/api/v1/permits/" + encodeURIComponent(id));
    if (card && card.id === id && mine > cardApplied) {
      cardApplied = mine;
      card.permit = p;
      card.error = "";
    }
  } catch (err) {
    if (card && card.id === id && mine > cardApplied) card.error = err.status === 404 ? t("permit.err.no_permit", { id }) : t("permit.err.load", { msg: err.message });
  }
  if (!card || card.id !== id || view !== "card" || !isOpen("permits")) return;
  renderCard();
  if (mine === cardSeq) cardTimer = setTimeout(pollCard, CARD_MS);
}

// section rebuilds el only when what it shows (key) changed, so that
// buttons and inputs stay put between polls.
function section(el, key, force, build) {
  if (!force && el.dataset.key === key) return;
  el.dataset.key = key;
  fill(el, build());
}

function renderCard(force = false) {
  if (!ui || view !== "card" || !card) return;
  if (force || !ui.card.firstChild) buildCard();
  const c = ui.cardParts;
  const p = card.permit;
  const sign = canSign();
  c.back.textContent = t("permit.back");
  c.locate.textContent = t("permit.locate");
  c.print.textContent = t("permit.print");
  c.print.title = t("permit.print.title");
  renderMessage();
  if (!p) {
    c.title.textContent = card.id;
    c.sub.textContent = card.error || t("permit.loading");
    for (const el of [c.facts, c.live, c.register, c.measures, c.gas, c.actions, c.log]) fill(el);
    c.gasForm.hidden = c.registerForm.hidden = true;
    return;
  }
  const g = groupOf(p.status);
  c.title.textContent = permitName(p);
  c.sub.textContent = [p.id, p.type_code && t("permit.type_code", { code: p.type_code })].filter(Boolean).join(" · ");
  section(c.badge, JSON.stringify([state.lang, p.status, p.status_code]), force, () => [
    swatch(g), h("span", { class: "permit-status-word" }, statusName(p.status)),
    h("small", { class: "permit-aq" }, t("permit.aq_code", { code: p.status_code ?? statusOf(p.status)?.code ?? "—" }))]);
  c.badge.className = `permit-badge st-${g.key}`;
  c.badge.dataset.status = p.status;
  section(c.facts, JSON.stringify([state.lang, p.status, p.content, p.same_day, p.emergency, p.level_basis, p.reissued_from, p.reissued_as, p.start, p.end, p.workers, p.guardian, p.approvers, p.approvals, p.risk_analysis,
    p.briefing, p.substance, p.fire_area, p.reason, p.upgraded_from, p.warnings, p.related]), force, () => facts(p));
  section(c.live, JSON.stringify([state.lang, p.live ? { ...p.live, inside: null } : null]), force, () => liveView(p));
  section(c.register, JSON.stringify([state.lang, p.type, p.register, p.live && p.live.inside]), force, () => registerView(p));
  renderRegisterForm(p, sign);
  section(c.measures, JSON.stringify([state.lang, sign, p.status, p.measures, card.busy]), force, () => measuresView(p, sign));
  section(c.gas, JSON.stringify([state.lang, p.gas_analyses, Math.floor(serverNow() / 30000)]), force, () => gasView(p));
  c.gasForm.hidden = !(sign && GAS_STATES.includes(p.status));
  const sampled = c.gasForm.elements.sampled_at;
  if (!sampled.dataset.touched && document.activeElement !== sampled) sampled.value = toLocalInput(serverNow());
  if (!c.gasForm.dataset.permit) {
    // the gas the permit's analyses look for, once its permit is known
    c.gasForm.dataset.permit = p.id;
    const sel = c.gasForm.elements.gas;
    if (p.substance && [...sel.options].some((o) => o.value === p.substance)) sel.value = p.substance;
  }
  section(c.actions, JSON.stringify([state.lang, sign, p.status, Boolean(p.risk_analysis), Boolean(p.briefing), card.busy, (p.approvals || []).length, p.reissued_as]), force, () => actionsView(p, sign));
  section(c.log, JSON.stringify([state.lang, (p.log || []).length]), force, () => logView(p));
}

// buildCard lays out the card's parts; the gas-analysis form is built
// here only, so that what is typed survives the polls.
function buildCard() {
  const c = {
    back: h("button", { type: "button", id: "permit-back", dataset: { act: "back" } }),
    locate: h("button", { type: "button", id: "permit-locate", dataset: { act: "locate" } }),
    print: h("button", { type: "button", id: "permit-print", dataset: { act: "print" } }),
    title: h("h2", { id: "permit-card-title" }), sub: h("p", { class: "dock-note", id: "permit-card-sub" }),
    badge: h("div", { id: "permit-card-status", class: "permit-badge" }),
    message: h("p", { id: "permit-card-message", class: "dock-note", role: "alert", hidden: true }),
    facts: h("dl", { id: "permit-facts", class: "permit-facts" }),
    live: h("section", { id: "permit-live", class: "permit-live" }),
    register: h("section", { id: "permit-register" }),
    registerForm: registerForm(),
    measures: h("section", { id: "permit-measures" }),
    gas: h("section", { id: "permit-gas" }),
    gasForm: gasForm(),
    actions: h("section", { id: "permit-actions", class: "permit-actions" }),
    log: h("section", { id: "permit-log" }),
  };
  ui.cardParts = c;
  fill(ui.card, h("div", { class: "pb-row" }, c.back, c.locate, c.print), c.title, c.sub, c.badge, c.message, c.actions, c.facts, c.live,
    c.register, c.registerForm, c.measures, c.gas, c.gasForm, c.log);
}

function renderMessage() {
  const el = ui.cardParts.message;
  const m = card.message;
  el.hidden = !m;
  fill(el, m ? [h("span", { class: "permit-message-text" }, m.text()), m.detail && h("small", { class: "permit-message-detail" }, m.detail)] : []);
  el.className = `dock-note permit-message ${m ? "tone-" + (m.tone || "none") : ""}`;
  el.dataset.code = (m && m.code) || "";
}

function personButton(id) {
  return h("button", { type: "button", class: "link permit-person", dataset: { entity: id } }, entityLabel(id));
}

// placeName names an area or unit of the scene, else shows its id.
function placeName(id) {
  return id ? entityLabel(id) : "—";
}

// ptwName is a PTW alarm code in words (the rule tables'), "" unknown.
function ptwName(code) {
  return rules && rules.alarms[code] ? label(rules.alarms[code]) : "";
}

function signed(s) {
  return s ? t("permit.signed", { who: s.by, time: fmtTime(s.at) }) : null;
}

function facts(p) {
  const approvals = p.approvals || [];
  const rows = [
    p.content && [t("permit.field.content"), h("span", { class: "permit-content" }, p.content)],
    [t("permit.field.window"), fmtWindow(p.start, p.end)],
    (p.level_basis || []).length > 0 && [t("permit.field.level_basis"), h("ul", { class: "permit-basis" }, p.level_basis.map((b) => {
      const [kind, place] = String(b).split(":");
      return h("li", { dataset: { basis: kind } }, tOr("permit.basis." + kind, null) === null ? b : t("permit.basis." + kind, { place: placeName(place) }));
    }))],
    p.upgraded_from && [t("permit.field.upgraded"), t("permit.upgraded", {
      from: label(levelOf(p.type, p.upgraded_from)) || p.upgraded_from,
      why: (p.upgrade_reasons || []).map((r) => tOr("permit.upgrade." + r, r)).join(t("permit.sep")) })],
    (p.same_day || p.emergency) && [t("permit.field.booking"), p.emergency ? h("span", { class: "permit-emergency" }, t("permit.booking.emergency"))
      : h("span", { class: "tone-warn" }, t("permit.booking.same_day"))],
    [t("permit.field.fire_area"), t(p.fire_area ? "permit.fire_area.yes" : "permit.fire_area.no")],
    [t("permit.field.workers"), h("span", { class: "permit-people" }, (p.workers || []).map(personButton))],
    [t("permit.field.guardian"), p.guardian ? personButton(p.guardian) : "—"],
    [t("permit.field.approvers"), h("ol", { class: "permit-approvers" }, (p.approvers || []).map((u, i) => h("li", {
      class: approvals[i] ? "tone-ok" : i === approvals.length ? "next" : "", dataset: { approver: u },
    }, u, " ", h("small", null, approvals[i] ? `✓ ${fmtTime(approvals[i].at)}` : t(i === approvals.length ? "permit.approver.next" : "permit.approver.waiting")))))],
    [t("permit.field.risk"), signed(p.risk_analysis) || h("span", { class: "tone-warn" }, t("permit.missing"))],
    [t("permit.field.briefing"), signed(p.briefing) || h("span", { class: "tone-warn" }, t("permit.missing"))],
    p.substance && [t("permit.field.substance"), substanceName(p.substance)],
    (p.related || []).length > 0 && [t("permit.field.related"), p.related.join(", ")],
    p.reason && [t("permit.field.reason"), tOr("permit.reason." + p.reason, p.reason)],
    p.reissued_from && [t("permit.field.reissued_from"), h("button", { type: "button", class: "link", id: "permit-reissued-from", dataset: { open: p.reissued_from } }, p.reissued_from)],
    p.reissued_as && [t("permit.field.reissued_as"), h("button", { type: "button", class: "link", id: "permit-reissued-as", dataset: { open: p.reissued_as } }, p.reissued_as)],
  ].filter(Boolean);
  const warnings = (p.warnings || []).map((w) => {
    const [kind, what] = String(w).split(":");
    return h("li", { dataset: { warning: kind } }, tOr("permit.warn." + kind, null) === null ? w : t("permit.warn." + kind, { id: what || "" }));
  });
  return [rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
    warnings.length > 0 && [h("dt", null, t("permit.field.warnings")), h("dd", null, h("ul", { class: "permit-warnings" }, warnings))]];
}

// liveView shows the server's live checks (GET …/permits/{id} `live`):
// the guardian, the headcount, the gas near the work, the last analysis.
function liveView(p) {
  const lv = p.live;
  if (!lv) {
    const ended = ["done", "ended"].includes(groupOf(p.status).key);
    return [h("h3", null, t("permit.live")), h("p", { class: "dock-note", id: "permit-live-none" }, t(ended ? "permit.live.ended" : "permit.live.none"))];
  }
  const gd = lv.guardian || {};
  const dist = Number.isFinite(gd.distance_m) ? t("permit.m", { m: fix1(gd.distance_m) }) : t("permit.live.no_fix");
  const postTone = gd.on_post ? "ok" : "bad";
  const hc = lv.headcount || {};
  const strangers = hc.strangers || [];
  const crowd = strangers.length > 0 || (Number(hc.inside) > Number(hc.allowed));
  const gas = lv.gas || [];
  const la = lv.last_analysis;
  return [
    h("h3", null, t("permit.live"), " ", h("small", { class: "permit-live-at" }, t("permit.live.at", { time: fmtTime(lv.at) }))),
    h("dl", { class: "permit-facts" },
      h("dt", null, t("permit.live.guardian")),
      h("dd", { id: "permit-live-guardian", class: `tone-${postTone}`, dataset: { onPost: String(Boolean(gd.on_post)) } },
        h("b", { class: "permit-live-distance" }, dist), " ",
        t(gd.on_post ? "permit.live.on_post" : "permit.live.off_post", { r: lv.fence_radius_m ?? "—" }),
        gd.fresh === false && Number.isFinite(gd.distance_m) ? ` · ${t("permit.live.stale_fix")}` : "",
        gd.away_since ? ` · ${t("permit.live.away_since", { time: fmtTime(gd.away_since) })}` : "",
        gd.stop_flagged && h("div", { class: "tone-bad permit-stop" }, t("permit.live.stop_flagged"))),
      h("dt", null, t("permit.live.headcount")),
      h("dd", { id: "permit-live-headcount", class: crowd ? "tone-bad" : "tone-ok" },
        h("b", null, t("permit.live.count", { inside: hc.inside ?? "—", allowed: hc.allowed ?? "—" })),
        strangers.length > 0 && h("div", { class: "permit-strangers" }, t("permit.live.strangers"), " ", strangers.map(personButton))),
      h("dt", null, t("permit.live.analysis")),
      h("dd", { id: "permit-live-analysis", class: la ? (la.pass && la.age_s <= la.max_age_s ? "tone-ok" : "tone-bad") : "tone-warn" },
        la ? t("permit.live.analysis.value", { age: fmtDuration(la.age_s * 1000), max: Math.round(la.max_age_s / 60), verdict: t(la.pass ? "permit.pass" : "permit.fail") })
          : t("permit.live.analysis.none"),
        lv.next_analysis_due ? ` · ${t("permit.live.due", { time: fmtTime(lv.next_analysis_due) })}` : "",
        lv.next_analysis_due && lv.next_analysis_ptw ? ` ${t("permit.live.due_ptw", { ptw: lv.next_analysis_ptw, what: ptwName(lv.next_analysis_ptw) })}` : "")),
    h("h3", null, t("permit.live.gas", { r: lv.sampling_radius_m ?? "—" })),
    gas.length === 0 ? h("p", { class: "dock-note", id: "permit-live-gas-none" }, t("permit.live.gas.none"))
      : h("table", { class: "stat-table permit-gas-live", id: "permit-live-gas" },
        h("thead", null, h("tr", null, ["detector", "distance", "value", "state"].map((k) => h("th", null, t("permit.live.gas." + k))))),
        h("tbody", null, gas.map((d) => h("tr", { class: d.pass === false ? "tone-bad" : "", dataset: { detector: d.detector_id, pass: String(d.pass !== false) } },
          h("td", null, h("button", { type: "button", class: "link", dataset: { entity: d.detector_id } }, d.detector_id)),
          h("td", { class: "num" }, t("permit.m", { m: fix1(d.distance_m) })),
          h("td", { class: "num permit-gas-value" }, `${fmtValue(d.value)} ${d.unit || ""}`.trim()),
          h("td", null, tOr("info.gas." + d.state, d.state || "—"), d.pass === false ? ` · ${t("permit.fail")}` : ""))))),
  ];
}

function measuresView(p, sign) {
  const ms = p.measures || [];
  const open = ms.filter((m) => !m.confirmed).length;
  const can = sign && p.status === "applied" && !card.busy;
  return [
    h("h3", null, t("permit.measures", { done: ms.length - open, n: ms.length })),
    h("ol", { class: "permit-measures" }, ms.map((m) => h("li", { class: m.confirmed ? "done" : "", dataset: { measure: m.n } },
      h("span", { class: "permit-measure-n" }, String(m.n)),
      h("span", { class: "permit-measure-text" }, (state.lang === "en" ? m.en : m.zh) || m.zh || m.en),
      m.confirmed ? h("small", { class: "tone-ok" }, "✓ ", signed(m.confirmed))
        : can ? h("button", { type: "button", class: "permit-confirm", dataset: { act: "confirm", n: m.n } }, t("permit.confirm"))
          : h("small", { class: "tone-warn" }, t("permit.unconfirmed"))))),
  ];
}

function gasView(p) {
  const list = [...(p.gas_analyses || [])].sort((a, b) => Date.parse(b.sampled_at) - Date.parse(a.sampled_at));
  return [
    h("h3", null, t("permit.gas", { n: list.length })),
    list.length === 0 ? h("p", { class: "dock-note" }, t("permit.gas.none"))
      : h("table", { class: "stat-table", id: "permit-gas-list" },
        h("thead", null, h("tr", null, ["gas", "value", "verdict", "sampled"].map((k) => h("th", null, t("permit.gas." + k))))),
        h("tbody", null, list.map((a) => {
          const v = a.verdict || {};
          return h("tr", { class: v.pass ? "" : "tone-bad", dataset: { pass: String(Boolean(v.pass)) } },
            h("td", null, substanceName(a.gas)),
            h("td", { class: "num" }, `${fmtValue(a.value)} ${a.unit}`),
            h("td", null, t(v.pass ? "permit.pass" : "permit.fail"), " ",
              h("small", null, t(v.min ? "permit.gas.range" : "permit.gas.limit", { min: fmtValue(v.min), limit: fmtValue(v.limit), unit: v.unit || "" }))),
            h("td", null, fmtClock(a.sampled_at), " ", h("small", null, t("permit.ago", { d: fmtDuration(serverNow() - Date.parse(a.sampled_at)) }))));
        }))),
  ];
}

function gasForm() {
  const form = h("form", { id: "permit-gas-form", class: "fence-form permit-gas-form", novalidate: true, hidden: true });
  const subs = [...substanceIds(), "oxygen"];
  const p = card && card.permit;
  fill(form,
    h("h3", null, t("permit.gas.add")),
    h("div", { class: "fence-grid" },
      h("label", { class: "form-field" }, h("span", null, t("permit.gas.gas")),
        h("select", { name: "gas" }, subs.map((id) => h("option", { value: id }, substanceName(id))))),
      h("label", { class: "form-field" }, h("span", null, t("permit.gas.value")), h("input", { name: "value", type: "number", step: "any", min: 0, inputmode: "decimal" })),
      h("label", { class: "form-field" }, h("span", null, t("permit.gas.unit")), h("select", { name: "unit" }, UNITS.map((u) => h("option", { value: u }, u))))),
    h("div", { class: "fence-grid permit-grid2" },
      h("label", { class: "form-field" }, h("span", null, t("permit.gas.sampled")), h("input", { name: "sampled_at", type: "datetime-local" })),
      h("label", { class: "permit-check" }, h("input", { type: "checkbox", name: "enriched" }), t("permit.gas.enriched"))),
    h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary" }, t("permit.gas.submit"))));
  const e = form.elements;
  e.gas.value = p && p.substance && subs.includes(p.substance) ? p.substance : subs.includes("methane") ? "methane" : subs[0];
  // the sampling time follows the clock until someone sets it
  e.sampled_at.value = toLocalInput(serverNow());
  e.sampled_at.addEventListener("input", () => { e.sampled_at.dataset.touched = "1"; });
  return form;
}

function actionsView(p, sign) {
  if (!sign) return [h("p", { class: "dock-note", id: "permit-readonly" }, t(state.user ? "permit.readonly.role" : "permit.readonly"))];
  const steps = (STEPS[p.status] || []).filter((s) => !(s === "risk-analysis" && p.risk_analysis) && !(s === "briefing" && p.briefing));
  const reissue = REISSUE_STATES.includes(p.status) && !p.reissued_as;
  if (steps.length === 0 && !reissue) return [h("p", { class: "dock-note" }, t("permit.steps.none"))];
  const needsReason = steps.includes("suspend") || steps.includes("cancel");
  const next = (p.approvers || [])[(p.approvals || []).length];
  return [
    h("div", { class: "permit-steps" }, steps.map((s) => h("button", {
      type: "button", dataset: { step: s }, disabled: card.busy,
      class: s === "cancel" || s === "suspend" ? "danger" : s === "approve" && next !== state.user.username ? "" : "primary",
    }, t("permit.step." + s))),
    reissue && h("button", { type: "button", id: "permit-reissue", dataset: { act: "reissue" }, disabled: card.busy, title: t("permit.reissue.title") }, t("permit.reissue"))),
    steps.includes("approve") && next && h("p", { class: "dock-note" }, t("permit.approve.next", { who: next })),
    needsReason && h("label", { class: "form-field permit-reason" }, h("span", null, t("permit.reason")), h("input", { name: "reason", maxlength: 500, autocomplete: "off" })),
  ];
}

// registerView is a confined space's entry register: who and what is
// inside now (the server's live.inside) and every passage, latest first.
function registerView(p) {
  if (p.type !== "confined_space") return [];
  const list = [...(p.register || [])].reverse();
  const inside = p.live && p.live.inside;
  const who = (e) => (e.kind === "person" ? personButton(e.id) : h("span", { class: "permit-tool" }, e.id));
  return [
    h("h3", null, t("permit.register", { n: list.length })),
    inside && h("p", { id: "permit-register-inside", class: inside.people.length + inside.tools.length > 0 ? "tone-warn" : "tone-ok" },
      h("b", null, t("permit.register.inside", { people: inside.people.length, tools: inside.tools.length })), " ",
      inside.people.map(personButton), inside.tools.map((x) => h("span", { class: "permit-tool" }, x))),
    list.length === 0 ? h("p", { class: "dock-note" }, t("permit.register.none"))
      : h("table", { class: "stat-table", id: "permit-register-list" },
        h("thead", null, h("tr", null, ["time", "who", "direction", "by"].map((k) => h("th", null, t("permit.register.col." + k))))),
        h("tbody", null, list.map((e) => h("tr", { dataset: { kind: e.kind, id: e.id, direction: e.direction } },
          h("td", { class: "num" }, fmtClock(e.at)), h("td", null, who(e)),
          h("td", { class: `permit-dir-${e.direction}` }, t("permit.register." + e.direction)), h("td", null, e.by))))),
  ];
}

// registerForm is built with the card (what is typed survives the polls):
// a worker — or the guardian, whom the server keeps outside — or a tool by
// name and number, each with in and out.
function registerForm() {
  const dir = (kind) => h("div", { class: "permit-register-dir" }, ["in", "out"].map((d) =>
    h("button", { type: "button", class: d === "in" ? "primary" : "", dataset: { register: kind, direction: d } }, t("permit.register." + d))));
  return h("form", { id: "permit-register-form", class: "fence-form permit-register-form", novalidate: true, hidden: true },
    h("div", { class: "permit-register-row" },
      h("label", { class: "form-field" }, h("span", null, t("permit.register.person")), h("select", { name: "person" })), dir("person")),
    h("div", { class: "permit-register-row" },
      h("label", { class: "form-field" }, h("span", null, t("permit.register.tool")),
        h("input", { name: "tool", maxlength: 128, autocomplete: "off", placeholder: t("permit.register.tool_hint") })), dir("tool")));
}

// renderRegisterForm shows the register's form to signing roles on a
// confined space that runs or is suspended, its buttons open as the
// state allows; the people are the permit's, once it is known.
function renderRegisterForm(p, sign) {
  const form = ui.cardParts.registerForm;
  form.hidden = !(sign && p.type === "confined_space" && REGISTER.out.includes(p.status));
  for (const b of form.querySelectorAll("[data-register]")) b.disabled = card.busy || !REGISTER[b.dataset.direction].includes(p.status);
  if (form.hidden || form.dataset.permit === p.id) return;
  form.dataset.permit = p.id;
  fill(form.elements.person, (p.workers || []).map((id) => h("option", { value: id, class: "permit-person" }, entityLabel(id))),
    p.guardian && h("option", { value: p.guardian, class: "permit-person" }, t("permit.register.guardian", { who: entityLabel(p.guardian) })));
}

function registerClicked(kind, direction) {
  const e = ui.cardParts.registerForm.elements;
  const id = (kind === "person" ? e.person.value : e.tool.value).trim();
  if (!id) {
    card.message = { text: () => t(kind === "tool" ? "permit.register.err.tool" : "permit.register.err.person"), tone: "bad", code: "" };
    renderMessage();
    return;
  }
  const says = () => t("permit.done.register." + direction, { who: kind === "person" ? entityLabel(id) : id });
  doStep("register", { kind, id, direction }, "register", says).then((ok) => { if (ok && kind === "tool") e.tool.value = ""; });
}

function logView(p) {
  const log = p.log || [];
  return h("details", { class: "permit-log" }, h("summary", null, t("permit.log", { n: log.length })),
    h("ol", null, [...log].reverse().map((e) => h("li", null, h("small", null, fmtTime(e.at)), " ",
      tOr("permit.log." + e.action, e.action), " · ", e.by))));
}

// --- actions -------------------------------------------------------------

function onClick(ev) {
  const chip = ev.target.closest("[data-group]");
  if (chip && chip.classList.contains("permit-chip")) {
    filter.group = filter.group === chip.dataset.group ? "" : chip.dataset.group;
    renderList();
    return;
  }
  const row = ev.target.closest("[data-open]");
  if (row) {
    emit("flyto", { id: row.dataset.open });
    emit("select", { id: row.dataset.open });
    return;
  }
  const ent = ev.target.closest("[data-entity]");
  if (ent) {
    emit("flyto", { id: ent.dataset.entity });
    emit("select", { id: ent.dataset.entity });
    return;
  }
  const step = ev.target.closest("[data-step]");
  if (step && card) {
    stepClicked(step.dataset.step);
    return;
  }
  const reg = ev.target.closest("[data-register]");
  if (reg && card) {
    registerClicked(reg.dataset.register, reg.dataset.direction);
    return;
  }
  const act = ev.target.closest("[data-act]");
  if (!act || !card) return;
  const a = act.dataset.act;
  if (a === "back") setView("list");
  else if (a === "locate") emit("flyto", { id: card.id });
  else if (a === "print") printPermit(card.id);
  else if (a === "reissue" && card.permit) setView("form", card.permit);
  else if (a === "confirm") doStep(`measures/${act.dataset.n}/confirm`, undefined, "confirm");
}

// printPermit opens the permit's print view (GB 30871-2022 Annex A form
// layout, A4) in a new tab, in the viewer's language.
function printPermit(id) {
  const lang = state.lang === "en" ? "en" : "zh";
  window.open(`/api/v1/permits/${encodeURIComponent(id)}/print?lang=${lang}`, "_blank", "noopener");
}

function stepClicked(s) {
  let body;
  if (s === "suspend" || s === "cancel") {
    const input = ui.card.querySelector("input[name=reason]");
    const reason = input ? input.value.trim() : "";
    if (!reason) {
      card.message = { text: () => t("permit.err.reason_missing"), tone: "bad", code: "reason_missing" };
      renderMessage();
      if (input) input.focus();
      return;
    }
    if (s === "cancel" && !window.confirm(t("permit.cancel.confirm", { id: card.id }))) return;
    body = { reason };
  }
  doStep(s, body, s);
}

function onSubmit(ev) {
  ev.preventDefault(); // the register's form: Enter in the tool's name says neither in nor out
  if (ev.target.id !== "permit-gas-form") return;
  const e = ev.target.elements;
  const value = e.value.value.trim() === "" ? NaN : Number(e.value.value);
  const at = e.sampled_at.dataset.touched ? fromLocalInput(e.sampled_at.value) : serverNow();
  if (!Number.isFinite(value) || value < 0) {
    card.message = { text: () => t("permit.gas.err.value"), tone: "bad", code: "" };
    renderMessage();
    return;
  }
  if (!Number.isFinite(at)) {
    card.message = { text: () => t("permit.gas.err.time"), tone: "bad", code: "" };
    renderMessage();
    return;
  }
  const body = { gas: e.gas.value, value, unit: e.unit.value, sampled_at: new Date(at).toISOString() };
  if (e.enriched.checked) body.enriched = true;
  doStep("gas-analyses", body, "gas").then((ok) => {
    if (!ok) return;
    e.value.value = "";
    delete e.sampled_at.dataset.touched;
    e.sampled_at.value = toLocalInput(serverNow());
  });
}

// doStep posts one workflow step of the card's permit and shows the
// answer: the permit as it is now (says() in words, default the step's
// own), or the refusal in words.
async function doStep(path, body, what, says = null) {
  const id = card.id, mine = ++cardSeq;
  card.busy = true;
  card.message = null;
  renderCard();
  let ok = false;
  try {
    const p = await api.post(`/api/v1/permits/${encodeURIComponent(id)}/${path}`, body);
    if (card && card.id === id) {
      if (mine > cardApplied) {
        cardApplied = mine;
        card.permit = { ...p, live: p.live || (card.permit && card.permit.live) };
      }
      const last = what === "gas" ? (p.gas_analyses || [])[p.gas_analyses.length - 1] : null;
      const pass = Boolean(last && last.verdict && last.verdict.pass);
      card.message = {
        text: says || (() => (last ? t(pass ? "permit.done.gas.pass" : "permit.done.gas.fail") : t("permit.done." + what, { status: statusName(p.status) }))),
        tone: last && !pass ? "warn" : "ok", code: "",
      };
    }
    ok = true;
  } catch (err) {
    const f = permitFailure(err);
    if (card && card.id === id) card.message = { text: f.text, tone: "bad", code: f.code, detail: f.detail };
  }
  if (!card || card.id !== id) return ok;
  card.busy = false;
  renderCard();
  pollCard();
  return ok;
}

// --- numbers -------------------------------------------------------------

function fix1(v) {
  const n = Number(v);
  return v === null || v === undefined || !Number.isFinite(n) ? "—" : n.toFixed(1);
}

// fmtValue shows a reading with at most three significant digits.
function fmtValue(v) {
  const n = Number(v);
  if (v === null || v === undefined || !Number.isFinite(n)) return "—";
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}
