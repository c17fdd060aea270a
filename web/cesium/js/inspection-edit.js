// Editing inspection points, routes and plans on the map (W7 item 1: "all
// editable over REST and on the map"), a section of the 巡检 panel
// (inspections.js) shown to the roles that may edit them (admin, manager:
// api/inspections.go planRoles); everyone else sees nothing of it.
//
// A point: 新建巡检点, one click on the ground places it (draw.js's
// Drawing, so map clicks do not select meanwhile), then the form — name,
// code (unique: what its QR code or NFC tag carries), check-in radius,
// dwell, equipment, the checklist's items (bool, number with its range
// and unit, photo, text; required) or trajectory auto check-in — goes to
// POST /api/v1/inspections/points; a point selected on the map (pick.js's
// "select") is edited, moved (a new click on the ground) or deleted
// (PUT / DELETE …/points/{id}); the properties the form does not show
// (name_en of items, height, parent, floor …) are sent back unchanged.
// A route: its points picked on the map in order (each map click on a
// point adds it) or from a list, reordered, sequence on or off, and drawn
// as a numbered line while edited (POST / PUT …/routes[/{id}]). A plan:
// route, cycle (every N hours, days, weeks, months), shift windows, day
// type, a person or a team, grace, dates, enabled (…/plans). Deletes ask
// first; a refusal (the server's 400/404/409, e.g. in_use for a route a
// plan walks) shows in words with its code (data-code).
//
// inspections.js places editSection(…) in its panel, calls refreshEdit()
// when the panel opens and stopEdit() when it closes; info.js may offer
// editPoint / movePoint / deletePoint on a point's card.
import * as api from "./api.js";
import { state, on, emit } from "./state.js";
import { h, fill } from "./dom.js";
import { t, tOr, name } from "./i18n.js";
import { endSession } from "./auth.js";
import { isOpen, toggle } from "./dock.js";
import { Drawing, geometryOf } from "./draw.js";
import { HIGHLIGHT } from "./palette.js";
import { pointOf } from "./frame.js";
import { siteDay, resolvePerson, entityLabel } from "./permit-form.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

const EDITORS = ["admin", "manager"]; // api/inspections.go planRoles
const POINTS = "/api/v1/inspections/points", ROUTES = "/api/v1/inspections/routes", PLANS = "/api/v1/inspections/plans";
// twin/inspect model.go: defaults and limits of a point and a plan.
const RADIUS = { def: 15, min: 1, max: 200 }; // DefaultRadiusM
const DWELL = { def: 20, min: 0, max: 3600 }; // DefaultMinDwellS
const GRACE = { def: 30, min: 0, max: 1440 }; // DefaultGraceMin
const EVERY = { def: 1, min: 1, max: 366 };
const KINDS = ["bool", "number", "photo", "text"]; // Item kinds
const UNITS = ["hour", "day", "week", "month"];
const DAYS = ["all", "workdays", "rest_days"];
// Properties of a point the form edits, and those the server owns (the
// live status and task of inspections, the edit's time).
const POINT_KEYS = ["name", "name_en", "code", "radius_m", "min_dwell_s", "equipment", "checklist", "auto_checkin"];
const SERVER_KEYS = ["id", "kind", "updated", "status", "task"];
const PREVIEW_HEIGHT = 1.2; // m: the edited route's line

export const canEdit = () => !!state.user && EDITORS.includes(state.user.role);

let ui = null;
let viewer = null;
let hooks = {}; // reloadRoutes(): inspections.js redraws the routes
let drawing = null; // places a point (draw.js)
let preview = null; // the edited route: {lines, labels}
let routes = [], plans = [];
let selected = null; // the inspection point selected on the map
// mode is what is being edited: null, or {kind: "point", id (null: new),
// orig (its properties), loc: [lon, lat] | null}, {kind: "route", id,
// orig, points: [ids], picking}, {kind: "plan", id, orig}.
let mode = null;
let asked = null; // a delete waiting for its confirmation: {what, id, text}
let message = null; // {key, vars, tone, code}

// editSection builds the section; ctx.viewer is the map (none in a test
// without WebGL: no placing then), opts.reloadRoutes() redraws the routes.
export function editSection(ctx, opts = {}) {
  viewer = ctx && ctx.viewer && ctx.viewer.scene ? ctx.viewer : null;
  hooks = opts;
  ui = {
    root: h("section", { id: "insp-edit", class: "insp-edit", hidden: true }),
    people: h("datalist", { id: "insp-edit-people" }), teams: h("datalist", { id: "insp-edit-teams" }),
  };
  drawing = new Drawing(viewer, { height: PREVIEW_HEIGHT, onChange: placed });
  ui.root.addEventListener("click", onClick);
  ui.root.addEventListener("change", onChange);
  ui.root.addEventListener("submit", (ev) => {
    ev.preventDefault();
    save(ev.target);
  });
  on("select", (sel) => onSelect(sel && sel.id));
  on("upsert", (f) => { if (f.properties && (f.properties.id === selected || inRoute(f.properties.id))) render(); });
  on("remove", (r) => { if (r && (r.id === selected || inRoute(r.id))) render(); });
  on("user", () => {
    if (!canEdit()) close();
    render();
    refreshEdit();
  });
  on("lang", () => {
    relabel();
    render();
  });
  render();
  return ui.root;
}

// refreshEdit loads the routes and plans the section lists.
export async function refreshEdit() {
  if (!ui || !canEdit()) return;
  const [r, p] = await Promise.allSettled([api.get(ROUTES), api.get(PLANS)]);
  if (r.status === "fulfilled") routes = (r.value && r.value.routes) || [];
  if (p.status === "fulfilled") plans = (p.value && p.value.plans) || [];
  const bad = [r, p].find((x) => x.status === "rejected");
  if (bad && !message) say(failure(bad.reason), "bad");
  render();
}

// stopEdit abandons what is being edited (the panel closed).
export function stopEdit() {
  close();
  asked = null;
  message = null;
  render();
}

// editPoint opens point id's form (and the panel).
export function editPoint(id) {
  if (!canEdit() || !pointProps(id)) return;
  showPanel();
  open({ kind: "point", id, orig: pointProps(id), loc: locOf(id) });
}

// movePoint opens point id's form and waits for its new place on the map.
export function movePoint(id) {
  editPoint(id);
  if (mode && mode.id === id) startPlacing();
}

// deletePoint asks whether to delete point id.
export function deletePoint(id) {
  if (!canEdit() || !pointProps(id)) return;
  showPanel();
  const uses = routes.filter((r) => (r.points || []).includes(id)).map((r) => name(r));
  ask("point", id, uses.length ? t("insp.edit.confirm.point_routes", { name: pointName(id), routes: uses.join("、") })
    : t("insp.edit.confirm.point", { name: pointName(id) }));
}

// --- what is shown ---------------------------------------------------------

const pointProps = (id) => {
  const f = id && state.features.get(id);
  return f && f.properties && f.properties.kind === "inspection_point" ? f.properties : null;
};
const locOf = (id) => pointOf(state.features.get(id));
const pointName = (id) => {
  const p = pointProps(id);
  return p ? name(p) : id;
};
const pointLabel = (id) => entityLabel(id);
const inRoute = (id) => mode && mode.kind === "route" && mode.points.includes(id);
const routeName = (id) => {
  const r = routes.find((x) => x.id === id);
  return r ? name(r) : id;
};
const fmtDeg = (v) => v.toFixed(6);

function render() {
  if (!ui) return;
  const may = canEdit();
  ui.root.hidden = !may;
  if (!may) {
    fill(ui.root);
    ui.form = ui.head = null; // built again for the next editor
    return;
  }
  if (!ui.head) build();
  ui.head.textContent = t("insp.edit.title");
  fill(ui.selected, selectedView());
  fill(ui.lists, listsView());
  fill(ui.confirm, asked ? confirmView() : []);
  ui.confirm.hidden = !asked;
  fill(ui.message, message ? h("span", { class: "insp-message-text" }, t(message.key, message.vars)) : []);
  Object.assign(ui.message, { hidden: !message, className: `dock-note insp-message ${message ? "tone-" + message.tone : ""}` });
  ui.message.dataset.code = (message && message.code) || "";
  for (const b of ui.bar.querySelectorAll("button")) b.textContent = t(b.dataset.i18n);
  if (mode) renderMode();
}

// build lays out the section's parts once (the forms come and go).
function build() {
  ui.head = h("h3");
  ui.bar = h("div", { class: "pb-row insp-edit-bar" }, ["point", "route", "plan"].map((k) =>
    h("button", { type: "button", id: `insp-new-${k}`, dataset: { edit: "new-" + k, i18n: "insp.edit.new_" + k } })));
  ui.selected = h("div", { id: "insp-edit-selected", class: "insp-edit-selected" });
  ui.confirm = h("div", { id: "insp-edit-confirm", class: "insp-message tone-warn", role: "alertdialog", hidden: true });
  ui.message = h("p", { id: "insp-edit-message", class: "dock-note insp-message", role: "alert", hidden: true });
  ui.host = h("div", { id: "insp-edit-form-host" });
  ui.lists = h("div", { id: "insp-edit-lists" });
  fill(ui.root, ui.head, ui.bar, ui.selected, ui.confirm, ui.message, ui.host, ui.lists, ui.people, ui.teams);
}

function selectedView() {
  const p = pointProps(selected);
  if (!p) return h("p", { class: "dock-note" }, t("insp.edit.select_hint"));
  return [h("span", { class: "insp-edit-what" }, t("insp.edit.selected", { point: pointLabel(selected) })),
    h("span", { class: "pb-row" }, ["edit", "move", "delete"].map((k) => h("button", { type: "button", class: k === "delete" ? "danger" : "",
      id: `insp-point-${k}`, dataset: { edit: k + "-point", id: selected } }, t("insp.edit." + k))))];
}

function listsView() {
  const row = (what, x, text) => h("li", { dataset: { [what]: x.id } }, h("span", { class: "insp-edit-what" }, h("b", null, name(x)), " ", h("small", null, text)),
    h("span", { class: "pb-row" }, h("button", { type: "button", class: "link", dataset: { edit: "edit-" + what, id: x.id } }, t("insp.edit.edit")),
      h("button", { type: "button", class: "link danger", dataset: { edit: "delete-" + what, id: x.id } }, t("insp.edit.delete"))));
  return [
    h("h4", null, t("insp.edit.routes", { n: routes.length })),
    h("ul", { class: "insp-edit-list", id: "insp-edit-routes" }, routes.length === 0 ? h("li", { class: "dock-note" }, t("insp.routes.none"))
      : routes.map((r) => row("route", r, [t("insp.route.points", { n: (r.points || []).length }), r.sequence && t("insp.route.sequence")].filter(Boolean).join(" · ")))),
    h("h4", null, t("insp.edit.plans", { n: plans.length })),
    h("ul", { class: "insp-edit-list", id: "insp-edit-plans" }, plans.length === 0 ? h("li", { class: "dock-note" }, t("insp.edit.plans.none"))
      : plans.map((p) => row("plan", p, [routeName(p.route), t("insp.edit.cycle." + p.unit, { n: p.every }),
        p.assignee ? entityLabel(p.assignee) : t("insp.team", { team: p.team }), t(p.enabled ? "insp.edit.enabled" : "insp.edit.disabled")].join(" · ")))),
  ];
}

function confirmView() {
  return [h("span", { class: "insp-message-text" }, asked.text),
    h("span", { class: "pb-row" }, h("button", { type: "button", class: "danger", id: "insp-edit-confirm-yes", dataset: { edit: "confirm" } }, t("insp.edit.confirm.yes")),
      h("button", { type: "button", id: "insp-edit-confirm-no", dataset: { edit: "unconfirm" } }, t("insp.edit.cancel")))];
}

// say keeps what to tell: a failure ({key, vars, code}) or an i18n key.
function say(what, tone, vars) {
  message = typeof what === "string" ? { key: what, vars, tone, code: "" } : { ...what, tone };
}

// --- editing ---------------------------------------------------------------

// open starts editing m (a point, route or plan) with its form.
function open(m) {
  close();
  asked = null;
  message = null;
  mode = m;
  showPoints();
  ui.form = { point: pointForm, route: routeForm, plan: planForm }[m.kind]();
  fill(ui.host, ui.form);
  relabel();
  if (m.kind === "point") drawing.set(m.loc ? [m.loc] : []);
  if (m.kind === "route") m.picking = true;
  render();
  const first = ui.form.querySelector("input[name=name]");
  if (first) first.focus();
}

// close ends editing: the form, the placing and the route's preview go.
function close() {
  if (drawing) drawing.clear();
  mode = null;
  if (ui && ui.host) fill(ui.host);
  if (ui) ui.form = null;
  drawPreview();
}

// showPanel opens the 巡检 panel this section is part of.
function showPanel() {
  if (!isOpen("inspections")) toggle("inspections", true);
}

// showPoints turns the points layer on: one edits what one sees.
function showPoints() {
  if (state.visible.get("inspection_points") !== false) return;
  state.visible.set("inspection_points", true);
  emit("layer", { layer: "inspection_points", visible: true });
}

function startPlacing() {
  if (!mode || mode.kind !== "point") return;
  message = null;
  drawing.start();
  render();
}

// placed takes the click on the ground (draw.js onChange) as the point's
// place and stops placing.
function placed() {
  if (!mode || mode.kind !== "point" || !drawing.active) return render();
  if (drawing.ring.length === 0) return render();
  mode.loc = drawing.ring[drawing.ring.length - 1];
  drawing.stop();
  drawing.set([mode.loc]);
  render();
}

function onSelect(id) {
  selected = pointProps(id) ? id : null;
  if (mode && mode.kind === "route" && mode.picking && selected) {
    if (mode.points.includes(id)) say("insp.edit.err.already", "warn", { name: pointName(id) });
    else {
      mode.points.push(id);
      message = null;
    }
  }
  render();
}

function ask(what, id, text) {
  asked = { what, id, text };
  message = null;
  render();
}

function onClick(ev) {
  const b = ev.target.closest("[data-edit]");
  if (!b || !canEdit()) return;
  const id = b.dataset.id;
  const act = {
    "new-point": () => { open({ kind: "point", id: null, orig: {}, loc: null }); startPlacing(); },
    "new-route": () => open({ kind: "route", id: null, orig: {}, points: [] }),
    "new-plan": () => open({ kind: "plan", id: null, orig: {} }),
    "edit-point": () => editPoint(id), "move-point": () => movePoint(id), "delete-point": () => deletePoint(id),
    "edit-route": () => { const r = routes.find((x) => x.id === id); if (r) open({ kind: "route", id, orig: r, points: [...(r.points || [])] }); },
    "edit-plan": () => { const p = plans.find((x) => x.id === id); if (p) open({ kind: "plan", id, orig: p }); },
    "delete-route": () => ask("route", id, t("insp.edit.confirm.route", { name: routeName(id) })),
    "delete-plan": () => ask("plan", id, t("insp.edit.confirm.plan", { name: name(plans.find((x) => x.id === id) || { id }) })),
    confirm: () => remove(asked),
    unconfirm: () => { asked = null; render(); },
    place: startPlacing,
    cancel: () => { close(); message = null; render(); },
    "item-add": () => ui.form.querySelector(".insp-items").append(itemRow({ kind: "bool", required: true })),
    "item-remove": () => b.closest(".insp-item").remove(),
    "window-add": () => ui.form.querySelector(".insp-windows").append(windowRow("")),
    "window-remove": () => b.closest(".insp-window").remove(),
    pick: () => { mode.picking = !mode.picking; render(); },
    "add-point": () => addFromList(),
    up: () => movePicked(b, -1), down: () => movePicked(b, 1),
    "remove-picked": () => { mode.points = mode.points.filter((x) => x !== b.closest("[data-point]").dataset.point); render(); },
  }[b.dataset.edit];
  if (act) {
    ev.preventDefault();
    act();
  }
}

function onChange(ev) {
  if (!mode || !ui.form || !ui.form.contains(ev.target)) return;
  if (mode.kind === "point" && ev.target.name === "kind") showLimits(ev.target.closest(".insp-item"));
  if (mode.kind === "plan" && (ev.target.name === "unit" || ev.target.name === "who")) showPlanParts();
}

function addFromList() {
  const id = ui.form.elements.add_point.value;
  if (!id) return;
  if (mode.points.includes(id)) say("insp.edit.err.already", "warn", { name: pointName(id) });
  else mode.points.push(id);
  render();
}

// movePicked moves a picked point of the route one place up (-1) or down.
function movePicked(button, by) {
  const id = button.closest("[data-point]").dataset.point;
  const i = mode.points.indexOf(id), j = i + by;
  if (i < 0 || j < 0 || j >= mode.points.length) return;
  [mode.points[i], mode.points[j]] = [mode.points[j], mode.points[i]];
  render();
}

// --- the forms ---------------------------------------------------------------

// Labels and option texts carry data-i18n and are set by relabel, so that
// a language switch keeps what was typed.
const field = (key, input, extra = {}) => h("label", { class: "form-field", ...extra }, h("span", { dataset: { i18n: key } }), input);
const num = (nameAttr, value, lim, step = "1") => h("input", { name: nameAttr, type: "number", min: lim.min, max: lim.max, step, value: value ?? "" });
const options = (values, prefix, current) => values.map((v) => h("option", { value: v, selected: v === current, dataset: { i18n: prefix + v } }));
const buttons = () => [h("p", { class: "form-error", role: "alert", hidden: true }),
  h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary", dataset: { i18n: "insp.edit.save" } }),
    h("button", { type: "button", dataset: { edit: "cancel", i18n: "insp.edit.cancel" } }))];

function relabel() {
  if (!ui || !ui.form) return;
  for (const el of ui.form.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of ui.form.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

function pointForm() {
  const p = mode.orig;
  return h("form", { id: "insp-point-form", class: "fence-form insp-form insp-edit-form", novalidate: true },
    h("h3", { class: "insp-edit-title" }),
    h("div", { class: "insp-edit-loc" }, h("span", { id: "insp-point-loc" }),
      h("button", { type: "button", id: "insp-point-place", dataset: { edit: "place" } })),
    field("insp.edit.f.name", h("input", { name: "name", required: true, maxlength: 100, value: p.name || "", autocomplete: "off" })),
    field("insp.edit.f.name_en", h("input", { name: "name_en", maxlength: 100, value: p.name_en || "", autocomplete: "off" })),
    field("insp.edit.f.code", h("input", { name: "code", required: true, maxlength: 256, value: p.code || "", autocomplete: "off" })),
    h("div", { class: "fence-grid" },
      field("insp.edit.f.radius_m", num("radius_m", p.radius_m ?? RADIUS.def, RADIUS, "0.5")),
      field("insp.edit.f.min_dwell_s", num("min_dwell_s", p.min_dwell_s ?? DWELL.def, DWELL)),
      field("insp.edit.f.equipment", h("input", { name: "equipment", maxlength: 100, value: p.equipment || "", autocomplete: "off" }))),
    h("label", { class: "insp-edit-check" }, h("input", { type: "checkbox", name: "auto_checkin", checked: p.auto_checkin === true }),
      h("span", { dataset: { i18n: "insp.edit.f.auto_checkin" } })),
    h("fieldset", null, h("legend", { dataset: { i18n: "insp.edit.checklist" } }),
      h("div", { class: "insp-items" }, (p.checklist || []).map(itemRow)),
      h("button", { type: "button", id: "insp-item-add", dataset: { edit: "item-add", i18n: "insp.edit.item.add" } })),
    buttons());
}

// itemRow is one checklist item's inputs; the item's fields the form
// does not show (source) stay on the row.
function itemRow(it) {
  const row = h("div", { class: "insp-item" },
    h("div", { class: "insp-item-grid" },
      field("insp.edit.item.zh", h("input", { name: "zh", maxlength: 100, value: it.zh || "", autocomplete: "off" }), { class: "form-field insp-item-wide" }),
      field("insp.edit.item.kind", h("select", { name: "kind" }, options(KINDS, "insp.edit.kind.", it.kind || "bool"))),
      field("insp.edit.item.en", h("input", { name: "en", maxlength: 100, value: it.en || "", autocomplete: "off" }), { class: "form-field insp-item-wide" }),
      field("insp.edit.item.key", h("input", { name: "key", maxlength: 64, value: it.key || "", autocomplete: "off", dataset: { i18nPlaceholder: "insp.edit.item.key_hint" } })),
      field("insp.edit.item.min", h("input", { name: "min", type: "number", step: "any", value: it.min ?? "" }), { dataset: { limit: "1" } }),
      field("insp.edit.item.max", h("input", { name: "max", type: "number", step: "any", value: it.max ?? "" }), { dataset: { limit: "1" } }),
      field("insp.edit.item.unit", h("input", { name: "unit", maxlength: 20, value: it.unit || "", autocomplete: "off" }), { dataset: { limit: "1" } })),
    h("div", { class: "pb-row" },
      h("label", { class: "insp-edit-check" }, h("input", { type: "checkbox", name: "required", checked: it.required === true }),
        h("span", { dataset: { i18n: "insp.edit.item.required" } })),
      h("button", { type: "button", class: "link danger", dataset: { edit: "item-remove", i18n: "insp.edit.item.remove" } })));
  row.orig = it;
  showLimits(row);
  if (ui.form) queueMicrotask(relabel);
  return row;
}

// showLimits shows the range and unit of a reading only.
function showLimits(row) {
  const number = row.querySelector("[name=kind]").value === "number";
  for (const el of row.querySelectorAll("[data-limit]")) el.hidden = !number;
}

function routeForm() {
  const r = mode.orig;
  return h("form", { id: "insp-route-form", class: "fence-form insp-form insp-edit-form", novalidate: true },
    h("h3", { class: "insp-edit-title" }),
    field("insp.edit.f.name", h("input", { name: "name", required: true, maxlength: 100, value: r.name || "", autocomplete: "off" })),
    field("insp.edit.f.name_en", h("input", { name: "name_en", maxlength: 100, value: r.name_en || "", autocomplete: "off" })),
    h("label", { class: "insp-edit-check" }, h("input", { type: "checkbox", name: "sequence", checked: r.sequence === true }),
      h("span", { dataset: { i18n: "insp.edit.f.sequence" } })),
    h("h4", { dataset: { i18n: "insp.edit.route.points" } }),
    h("p", { class: "dock-note", id: "insp-route-hint" }),
    h("ol", { class: "insp-edit-picked", id: "insp-route-points" }),
    h("div", { class: "pb-row" }, h("button", { type: "button", id: "insp-route-pick", dataset: { edit: "pick" } })),
    h("div", { class: "insp-edit-add" },
      field("insp.edit.route.add_label", h("select", { name: "add_point", id: "insp-route-add" })),
      h("button", { type: "button", id: "insp-route-add-button", dataset: { edit: "add-point", i18n: "insp.edit.route.add" } })),
    buttons());
}

function planForm() {
  const p = mode.orig;
  const who = p.team && !p.assignee ? "team" : "person";
  return h("form", { id: "insp-plan-form", class: "fence-form insp-form insp-edit-form", novalidate: true },
    h("h3", { class: "insp-edit-title" }),
    field("insp.edit.f.name", h("input", { name: "name", required: true, maxlength: 100, value: p.name || "", autocomplete: "off" })),
    field("insp.edit.f.name_en", h("input", { name: "name_en", maxlength: 100, value: p.name_en || "", autocomplete: "off" })),
    field("insp.edit.f.route", h("select", { name: "route" }, h("option", { value: "", dataset: { i18n: "insp.edit.f.route_pick" } }),
      routes.map((r) => h("option", { value: r.id, selected: r.id === p.route }, `${name(r)} (${r.id})`)))),
    h("div", { class: "fence-grid" },
      field("insp.edit.f.every", num("every", p.every ?? EVERY.def, EVERY)),
      field("insp.edit.f.unit", h("select", { name: "unit" }, options(UNITS, "insp.edit.unit.", p.unit || "day"))),
      field("insp.edit.f.days", h("select", { name: "days" }, options(DAYS, "insp.edit.days.", p.days || "all")))),
    h("fieldset", { class: "insp-windows-set" }, h("legend", { dataset: { i18n: "insp.edit.f.windows" } }),
      h("div", { class: "insp-windows" }, (p.windows || []).map(windowRow)),
      h("button", { type: "button", id: "insp-window-add", dataset: { edit: "window-add", i18n: "insp.edit.window.add" } })),
    h("fieldset", null, h("legend", { dataset: { i18n: "insp.edit.f.who" } }),
      h("div", { class: "fence-days" }, ["person", "team"].map((k) => h("label", null,
        h("input", { type: "radio", name: "who", value: k, checked: k === who }), h("span", { dataset: { i18n: "insp.edit.who." + k } })))),
      field("insp.edit.f.assignee", h("input", { name: "assignee", list: "insp-edit-people", value: p.assignee || "", autocomplete: "off",
        dataset: { i18nPlaceholder: "insp.edit.person_hint" } }), { dataset: { who: "person" } }),
      field("insp.edit.f.team", h("input", { name: "team", list: "insp-edit-teams", value: p.team || "", autocomplete: "off" }), { dataset: { who: "team" } })),
    h("div", { class: "fence-grid" },
      field("insp.edit.f.grace_min", num("grace_min", p.grace_min ?? GRACE.def, GRACE)),
      field("insp.edit.f.from", h("input", { name: "from", type: "date", value: p.from || siteDay() })),
      field("insp.edit.f.until", h("input", { name: "until", type: "date", value: p.until || "" }))),
    h("label", { class: "insp-edit-check" }, h("input", { type: "checkbox", name: "enabled", checked: p.enabled !== false }),
      h("span", { dataset: { i18n: "insp.edit.f.enabled" } })),
    buttons());
}

// windowRow is one shift window "HH:MM-HH:MM" as two times.
function windowRow(w) {
  const [from, to] = String(w || "").split("-").map((s) => s.trim());
  return h("div", { class: "insp-window pb-row" },
    h("input", { type: "time", name: "w_from", value: from || "", "aria-label": t("insp.edit.window.from") }), "–",
    h("input", { type: "time", name: "w_to", value: to || "", "aria-label": t("insp.edit.window.to") }),
    h("button", { type: "button", class: "link danger", dataset: { edit: "window-remove", i18n: "insp.edit.remove" } }, t("insp.edit.remove")));
}

// showPlanParts shows the windows for hourly and daily plans only, and the
// person or the team.
function showPlanParts() {
  const f = ui.form;
  f.querySelector(".insp-windows-set").hidden = ["week", "month"].includes(f.elements.unit.value);
  const who = f.querySelector("[name=who]:checked").value;
  for (const el of f.querySelectorAll("[data-who]")) el.hidden = el.dataset.who !== who;
}

// renderMode updates the open form's parts that follow the edit's state.
function renderMode() {
  const f = ui.form;
  if (!f) return;
  const title = f.querySelector(".insp-edit-title");
  title.textContent = mode.id ? t(`insp.edit.${mode.kind}.edit_title`, { id: mode.id }) : t(`insp.edit.${mode.kind}.new_title`);
  if (mode.kind === "point") {
    f.querySelector("#insp-point-loc").textContent = drawing.active ? t("insp.edit.placing")
      : mode.loc ? t("insp.edit.location", { lon: fmtDeg(mode.loc[0]), lat: fmtDeg(mode.loc[1]) }) : t("insp.edit.no_location");
    const place = f.querySelector("#insp-point-place");
    place.textContent = t(mode.loc ? "insp.edit.replace" : "insp.edit.place");
    place.disabled = drawing.active;
  } else if (mode.kind === "route") {
    renderPicked(f);
  } else {
    fillPeople();
    showPlanParts();
  }
}

function renderPicked(f) {
  f.querySelector("#insp-route-hint").textContent = t(mode.picking ? "insp.edit.route.picking" : "insp.edit.route.hint");
  f.querySelector("#insp-route-pick").textContent = t(mode.picking ? "insp.edit.route.pick_stop" : "insp.edit.route.pick");
  const last = mode.points.length - 1;
  fill(f.querySelector("#insp-route-points"), mode.points.length === 0 ? h("li", { class: "dock-note" }, t("insp.edit.route.none"))
    : mode.points.map((id, k) => h("li", { dataset: { point: id }, class: pointProps(id) ? "" : "tone-bad" },
      h("span", { class: "insp-edit-what" }, `${k + 1}. ${pointLabel(id)}`),
      h("span", { class: "pb-row" },
        h("button", { type: "button", class: "link", disabled: k === 0, title: t("insp.edit.up"), "aria-label": t("insp.edit.up"), dataset: { edit: "up" } }, "↑"),
        h("button", { type: "button", class: "link", disabled: k === last, title: t("insp.edit.down"), "aria-label": t("insp.edit.down"), dataset: { edit: "down" } }, "↓"),
        h("button", { type: "button", class: "link danger", title: t("insp.edit.remove"), "aria-label": t("insp.edit.remove"), dataset: { edit: "remove-picked" } }, "✕")))));
  const select = f.elements.add_point;
  const keep = select.value;
  const ids = [...(state.layers.get("inspection_points") || [])].filter((id) => !mode.points.includes(id)).sort();
  fill(select, ids.map((id) => h("option", { value: id }, pointLabel(id))));
  if (ids.includes(keep)) select.value = keep;
  drawPreview();
}

// fillPeople offers the scene's people and their departments (teams).
function fillPeople() {
  if (ui.people.childElementCount > 0) return;
  const people = [...(state.layers.get("people") || [])].map((id) => state.features.get(id)?.properties).filter((p) => p && !p.unregistered);
  people.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  fill(ui.people, people.map((p) => h("option", { value: p.id, label: [name(p), p.department, p.post].filter(Boolean).join(" · ") })));
  fill(ui.teams, [...new Set(people.map((p) => p.department).filter(Boolean))].sort().map((d) => h("option", { value: d })));
}

// drawPreview draws the edited route: a line through its points in the
// highlight colour, each numbered.
function drawPreview() {
  if (!viewer) return;
  if (!preview) {
    const prims = viewer.scene.primitives;
    preview = { lines: prims.add(new C.PolylineCollection()), labels: prims.add(new C.LabelCollection()) };
  }
  preview.lines.removeAll();
  preview.labels.removeAll();
  const coords = mode && mode.kind === "route" ? mode.points.map(locOf) : [];
  const colour = C.Color.fromCssColorString(HIGHLIGHT);
  const placedCoords = coords.filter(Boolean);
  if (placedCoords.length >= 2) {
    preview.lines.add({ positions: C.Cartesian3.fromDegreesArrayHeights(placedCoords.flatMap(([lon, lat]) => [lon, lat, PREVIEW_HEIGHT])),
      width: 4, material: C.Material.fromType("Color", { color: colour }) });
  }
  coords.forEach((c, k) => c && preview.labels.add({ position: C.Cartesian3.fromDegrees(c[0], c[1], 3), text: String(k + 1),
    font: "bold 14px sans-serif", fillColor: C.Color.BLACK, showBackground: true, backgroundColor: colour, pixelOffset: new C.Cartesian2(-14, -14),
    disableDepthTestDistance: Number.POSITIVE_INFINITY }));
  viewer.scene.requestRender();
}

// --- reading and saving --------------------------------------------------------

// invalid is a form's problem in words.
class Invalid extends Error {
  constructor(key, vars) {
    super(key);
    this.key = key;
    this.vars = vars;
  }
}

const text = (f, key) => f.elements[key].value.trim();
const label = (key) => t(key).replace(/（.*）|\(.*\)/, "").trim();

// number reads a number input within lim; "" is def (undefined: required).
function number(f, key, lim, labelKey, def) {
  const v = f.elements[key].value.trim();
  if (v === "" && def !== undefined) return def;
  const n = Number(v);
  if (v === "" || !Number.isFinite(n) || n < lim.min || n > lim.max) throw new Invalid("insp.edit.err.range", { field: label(labelKey), min: lim.min, max: lim.max });
  return n;
}

function required(f, key, labelKey) {
  const v = text(f, key);
  if (!v) throw new Invalid("insp.edit.err.required", { field: label(labelKey) });
  return v;
}

// withOptional sets props[key] to v, or removes it when v is empty.
function withOptional(props, key, v) {
  if (v === "" || v === undefined || v === null || v === false) delete props[key];
  else props[key] = v;
  return props;
}

function readPoint(f) {
  if (!mode.loc) throw new Invalid("insp.edit.err.no_location");
  const props = Object.fromEntries(Object.entries(mode.orig).filter(([k]) => !POINT_KEYS.includes(k) && !SERVER_KEYS.includes(k)));
  props.name = required(f, "name", "insp.edit.f.name");
  withOptional(props, "name_en", text(f, "name_en"));
  props.code = required(f, "code", "insp.edit.f.code");
  const taken = [...(state.layers.get("inspection_points") || [])].find((id) => id !== mode.id && String(pointProps(id)?.code || "").trim() === props.code);
  if (taken) throw new Invalid("insp.edit.err.code_taken", { code: props.code, id: pointLabel(taken) });
  props.radius_m = number(f, "radius_m", RADIUS, "insp.edit.f.radius_m");
  props.min_dwell_s = number(f, "min_dwell_s", DWELL, "insp.edit.f.min_dwell_s");
  withOptional(props, "equipment", text(f, "equipment"));
  props.checklist = readItems(f);
  withOptional(props, "auto_checkin", f.elements.auto_checkin.checked);
  if (props.auto_checkin && props.checklist.length > 0) throw new Invalid("insp.edit.err.auto_checklist");
  return { type: "Feature", geometry: geometryOf([mode.loc]), properties: props };
}

// readItems reads the checklist; an item without a key gets one.
function readItems(f) {
  const rows = [...f.querySelectorAll(".insp-item")];
  const keys = new Set(rows.map((r) => r.querySelector("[name=key]").value.trim()).filter(Boolean));
  let auto = 0;
  const seen = new Set();
  return rows.map((row, i) => {
    const v = (k) => row.querySelector(`[name=${k}]`).value.trim();
    const n = i + 1;
    const { min: _min, max: _max, unit: _unit, en: _en, ...it } = row.orig || {};
    Object.assign(it, { key: v("key"), zh: v("zh"), kind: v("kind") });
    if (!it.key) {
      do it.key = `item${++auto}`; while (keys.has(it.key));
      keys.add(it.key);
    }
    if (seen.has(it.key)) throw new Invalid("insp.edit.err.item_key", { key: it.key });
    seen.add(it.key);
    if (!it.zh) throw new Invalid("insp.edit.err.item_label", { n });
    withOptional(it, "en", v("en"));
    withOptional(it, "required", row.querySelector("[name=required]").checked);
    if (it.kind === "number") {
      for (const k of ["min", "max"]) {
        const s = v(k);
        if (s !== "" && !Number.isFinite(Number(s))) throw new Invalid("insp.edit.err.item_limits", { n });
        if (s !== "") it[k] = Number(s);
      }
      if (it.min !== undefined && it.max !== undefined && it.min > it.max) throw new Invalid("insp.edit.err.item_limits", { n });
      withOptional(it, "unit", v("unit"));
    }
    return it;
  });
}

function readRoute(f) {
  const r = { ...mode.orig };
  r.name = required(f, "name", "insp.edit.f.name");
  withOptional(r, "name_en", text(f, "name_en"));
  if (mode.points.length === 0) throw new Invalid("insp.edit.err.no_points");
  r.points = [...mode.points];
  withOptional(r, "sequence", f.elements.sequence.checked);
  if (mode.id) r.id = mode.id;
  return r;
}

function readPlan(f) {
  const p = { ...mode.orig };
  p.name = required(f, "name", "insp.edit.f.name");
  withOptional(p, "name_en", text(f, "name_en"));
  p.route = text(f, "route");
  if (!p.route) throw new Invalid("insp.edit.err.required", { field: label("insp.edit.f.route") });
  p.every = number(f, "every", EVERY, "insp.edit.f.every");
  if (!Number.isInteger(p.every)) throw new Invalid("insp.edit.err.range", { field: label("insp.edit.f.every"), min: EVERY.min, max: EVERY.max });
  p.unit = f.elements.unit.value;
  p.days = f.elements.days.value;
  const windows = ["week", "month"].includes(p.unit) ? [] : [...f.querySelectorAll(".insp-window")].map((row, i) => {
    const [a, b] = ["w_from", "w_to"].map((k) => row.querySelector(`[name=${k}]`).value);
    if (!a || !b) throw new Invalid("insp.edit.err.window", { n: i + 1 });
    return `${a}-${b}`;
  });
  withOptional(p, "windows", windows.length ? windows : null);
  delete p.assignee;
  delete p.team;
  if (f.querySelector("[name=who]:checked").value === "team") p.team = required(f, "team", "insp.edit.f.team");
  else {
    const typed = required(f, "assignee", "insp.edit.f.assignee");
    p.assignee = resolvePerson(typed);
    if (!p.assignee) throw new Invalid("insp.edit.err.person", { text: typed });
  }
  p.grace_min = number(f, "grace_min", GRACE, "insp.edit.f.grace_min", GRACE.def);
  p.from = required(f, "from", "insp.edit.f.from");
  withOptional(p, "until", text(f, "until"));
  if (p.until && p.until < p.from) throw new Invalid("insp.edit.err.until");
  p.enabled = f.elements.enabled.checked;
  if (mode.id) p.id = mode.id;
  return p;
}

// save sends the open form: POST a new thing, PUT an edited one.
async function save(f) {
  if (!mode || f !== ui.form) return;
  const err = f.querySelector(".form-error");
  const m = mode;
  let body;
  try {
    body = { point: readPoint, route: readRoute, plan: readPlan }[m.kind](f);
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    Object.assign(err, { textContent: t(e.key, e.vars), hidden: false });
    err.dataset.code = "invalid_form";
    return;
  }
  err.hidden = true;
  const path = { point: POINTS, route: ROUTES, plan: PLANS }[m.kind];
  const button = f.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const saved = m.id ? await api.request("PUT", `${path}/${encodeURIComponent(m.id)}`, body) : await api.post(path, body);
    const id = (saved && (saved.id || (saved.properties && saved.properties.id))) || m.id;
    if (mode !== m) return;
    close();
    say(`insp.edit.saved.${m.kind}`, "ok", { name: m.kind === "point" ? body.properties.name : body.name, id });
    await afterChange(m.kind);
    if (m.kind === "point") {
      emit("select", { id });
      selected = id; // before the point is back over /ws
      render();
    }
  } catch (e) {
    const why = failure(e);
    Object.assign(err, { textContent: t(why.key, why.vars), hidden: false });
    err.dataset.code = why.code || "";
  } finally {
    button.disabled = false;
  }
}

// remove deletes what was asked about.
async function remove(q) {
  if (!q) return;
  asked = null;
  const path = { point: POINTS, route: ROUTES, plan: PLANS }[q.what];
  try {
    await api.request("DELETE", `${path}/${encodeURIComponent(q.id)}`);
    if (mode && mode.id === q.id) close();
    say(`insp.edit.deleted.${q.what}`, "ok", { id: q.id });
    if (q.what === "point" && state.selected === q.id) emit("select", { id: null }); // nothing left to show
    await afterChange(q.what);
  } catch (e) {
    say(failure(e, q), "bad");
    render();
  }
}

// afterChange reloads what an edit touched: the lists, and the map's
// routes.
async function afterChange(kind) {
  await refreshEdit();
  if (kind !== "plan" && hooks.reloadRoutes) hooks.reloadRoutes();
}

// failure says why the server refused: {key, vars, code}. q: the delete
// refused (in_use names the plans walking the route, or the routes
// holding the point).
function failure(err, q) {
  if (err.status === 401) {
    endSession();
    return { key: "auth.expired", code: "unauthorized" };
  }
  if (err.status === 403) return { key: "insp.err.denied", code: err.code || "forbidden" };
  const code = err.code || "";
  if (code === "in_use" && q && q.what === "point") {
    const on = routes.filter((r) => (r.points || []).includes(q.id)).map((r) => `${name(r)} (${r.id})`);
    return { key: "insp.edit.err.point_in_use", vars: { name: pointName(q.id), routes: on.join("、") || err.message }, code };
  }
  if (code === "in_use" && q) {
    const users = plans.filter((p) => p.route === q.id).map((p) => `${name(p)} (${p.id})`);
    return { key: "insp.edit.err.in_use", vars: { name: routeName(q.id), plans: users.join("、") || err.message }, code };
  }
  if (code && tOr("insp.edit.err." + code, null) !== null) return { key: "insp.edit.err." + code, vars: { msg: err.message }, code };
  return { key: "insp.err.failed", vars: { status: err.status || "—", msg: err.message }, code };
}
