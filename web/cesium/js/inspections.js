// Inspections (智能巡检, W7) and hidden dangers (隐患) in the viewer: the
// map's inspection points by status, the routes, the manager's view of
// today's rounds, and the hidden dangers from finding to acceptance
// (docs/inspections.md; REST in api/inspections.go).
//
// Map: the /ws layer inspection_points (live.js draws it with
// pointPrimitives) — each point a glyph whose colour (Okabe–Ito, distinct
// under the common colour-vision deficiencies) and shape both say the
// status of its current task: due a hollow ring, done a disc with a tick,
// late a diamond with "!", missed a square with a cross, no task a small
// grey dot. A selected point shows its check-in radius as a disc in its
// status colour. The /ws layer hidden_dangers (live.js, dangerPrimitives):
// a warning triangle, its colour the state (rectifying, awaiting
// acceptance, accepted), a major danger larger with a double border and
// "!!", an overdue one ringed and labelled. The routes
// (GET /api/v1/inspections/routes) are lines through their points in
// order, one colour each, drawn while the points layer shows; a sequence
// route's legs are arrows and its points numbered; each can be toggled,
// and one highlighted.
//
// Panel (the dock tool 巡检, for everyone): the legend with counts; the
// running tasks (GET /api/v1/inspections/progress every 5 s) — the
// inspector (named from the scene's person), the route, a progress bar,
// the next point and the last check-in; a click flies to the inspector
// and highlights the route; today's tasks (GET …/tasks?date=) with done
// of total, late and missed; the routes with their toggles; today's
// completion and timeliness by person and by route (GET …/stats); the
// open hidden dangers (GET /api/v1/hidden-dangers?status=…). A danger's
// card (GET /api/v1/hidden-dangers/{id}) shows its facts, photos and log;
// signed-in people rectify it (a note and an optional photo, uploaded
// first to POST /api/v1/inspections/photos), managers accept or reject
// it, and a refusal (same_person, note_required, invalid_state …) shows
// in words. Managers and admins edit the points, routes and plans in
// the panel and on the map (inspection-edit.js).
//
// drawnInspections() tells a browser test what the map shows (import it
// from /js/inspections.js).
import * as api from "./api.js";
import { state, on, emit, layerOf } from "./state.js";
import { h, fill } from "./dom.js";
import { t, tOr, name, fmtTime } from "./i18n.js";
import { addTool, isOpen, toggle } from "./dock.js";
import { endSession } from "./auth.js";
import * as S from "./shapes.js";
import { HIGHLIGHT } from "./palette.js";
import { pointOf } from "./frame.js";
import { serverNow } from "./stream.js";
import { siteDay, fmtClock, fmtWindow, entityLabel } from "./permit-form.js";
import { editSection, refreshEdit, stopEdit } from "./inspection-edit.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

// POINT_STYLES: an inspection point's status (its current task's, twin/inspect
// PointDue …; "none" without a task) → colour and shape.
export const POINT_STYLES = {
  due: { colour: "#56b4e9", shape: "ring" },
  done: { colour: "#009e73", shape: "tick" },
  late: { colour: "#e69f00", shape: "diamond" },
  missed: { colour: "#d55e00", shape: "cross" },
  none: { colour: "#999999", shape: "dot" },
};
// DANGER_STYLES: a hidden danger's state → colour and the mark inside its
// triangle.
export const DANGER_STYLES = {
  rectifying: { colour: "#d55e00", mark: "!" },
  awaiting_acceptance: { colour: "#cc79a7", mark: "…" },
  accepted: { colour: "#999999", mark: "✓" },
};
const ROUTE_COLOURS = ["#f0e442", "#cc79a7", "#8da0cb", "#a6d854", "#e5c494", "#66c2a5", "#fc8d62", "#e78ac3", "#b3de69", "#bebada"];
const ROUTE_HEIGHT = 0.9;
const OPEN_DANGERS = "rectifying,awaiting_acceptance";
// Roles that take the steps (api/inspections.go inspectRoles, planRoles).
const RECTIFIERS = ["admin", "manager", "emergency", "inspector", "operator"];
const ACCEPTORS = ["admin", "manager"];
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PHOTO_MAX = 8 << 20; // bytes (store.MaxBlobBytes)
const PROGRESS_MS = 5000;
const SLOW_MS = 30000; // tasks, stats, dangers and routes without a change
const CHANGE_MS = 400;

export const pointStatus = (p) => (POINT_STYLES[p && p.status] ? p.status : "none");
// overdue: still being rectified after its deadline (twin/inspect
// Danger.Overdue), by the server's flag or the clock.
export const overdue = (d) => d.status === "rectifying" && (d.overdue === true || (Boolean(d.deadline) && Date.parse(d.deadline) < serverNow()));
const canRectify = () => !!state.user && RECTIFIERS.includes(state.user.role);
const canAccept = () => !!state.user && ACCEPTORS.includes(state.user.role);
const describeDanger = (d) => (state.lang === "en" && d.description_en) || d.description || d.id;
const pct = (x) => (x === null || x === undefined || !Number.isFinite(Number(x)) ? "—" : `${Math.round(Number(x) * 100)}%`);
const personName = (id) => {
  const p = id && state.features.get(id)?.properties;
  return p ? name(p) : id || "";
};

// --- glyphs ------------------------------------------------------------

const glyphs = new Map(); // key → canvas

function glyph(key, size, draw) {
  let c = glyphs.get(key);
  if (!c) {
    c = document.createElement("canvas");
    c.width = c.height = size;
    draw(c.getContext("2d"), size / 2);
    glyphs.set(key, c);
  }
  return c;
}

// pointGlyph is the canvas of a point status.
export function pointGlyph(status) {
  const st = POINT_STYLES[status] || POINT_STYLES.none;
  return glyph("ip:" + st.shape, 28, (g, m) => {
    g.lineJoin = "round";
    g.strokeStyle = "#ffffff";
    g.fillStyle = st.colour;
    g.lineWidth = 2;
    g.beginPath();
    if (st.shape === "ring") {
      g.arc(m, m, m - 4, 0, 2 * Math.PI);
      g.fillStyle = "rgba(13, 22, 32, 0.55)";
      g.fill();
      g.lineWidth = 6;
      g.strokeStyle = st.colour;
      g.stroke();
      g.lineWidth = 1;
      g.strokeStyle = "#ffffff";
      g.beginPath();
      g.arc(m, m, m - 1, 0, 2 * Math.PI);
      g.stroke();
      return;
    }
    if (st.shape === "dot") g.arc(m, m, 5.5, 0, 2 * Math.PI);
    else if (st.shape === "tick") g.arc(m, m, m - 2, 0, 2 * Math.PI);
    else if (st.shape === "diamond") g.moveTo(m, 1), g.lineTo(2 * m - 1, m), g.lineTo(m, 2 * m - 1), g.lineTo(1, m), g.closePath();
    else g.rect(3, 3, 2 * m - 6, 2 * m - 6);
    g.fill();
    g.stroke();
    g.lineWidth = 3;
    g.lineCap = "round";
    g.beginPath();
    if (st.shape === "tick") g.moveTo(m - 6, m), g.lineTo(m - 1.5, m + 5), g.lineTo(m + 6.5, m - 5);
    else if (st.shape === "diamond") g.moveTo(m, m - 7), g.lineTo(m, m + 2), g.moveTo(m, m + 6.5), g.lineTo(m, m + 7);
    else if (st.shape === "cross") g.moveTo(m - 5.5, m - 5.5), g.lineTo(m + 5.5, m + 5.5), g.moveTo(m + 5.5, m - 5.5), g.lineTo(m - 5.5, m + 5.5);
    g.stroke();
  });
}

// dangerGlyph is the canvas of a hidden danger: a triangle in its state's
// colour; major larger with a double border; overdue ringed.
export function dangerGlyph(status, level, late) {
  const st = DANGER_STYLES[status] || DANGER_STYLES.rectifying;
  const major = level === "major";
  return glyph(`hd:${status}:${major}:${late}`, 48, (g, m) => {
    const r = major ? 19 : 14;
    if (late) {
      g.setLineDash([5, 3]);
      g.lineWidth = 3;
      g.strokeStyle = "#ffffff";
      g.beginPath();
      g.arc(m, m, m - 2, 0, 2 * Math.PI);
      g.stroke();
      g.setLineDash([]);
    }
    const tri = (k) => {
      g.beginPath();
      g.moveTo(m, m - k);
      g.lineTo(m + k * 0.95, m + k * 0.7);
      g.lineTo(m - k * 0.95, m + k * 0.7);
      g.closePath();
    };
    g.lineJoin = "round";
    if (major) {
      tri(r + 3);
      g.fillStyle = "#1d1d1f";
      g.fill();
    }
    tri(r);
    g.fillStyle = st.colour;
    g.fill();
    g.strokeStyle = "#ffffff";
    g.lineWidth = 2;
    g.stroke();
    g.fillStyle = "#ffffff";
    g.font = `bold ${major ? 15 : 12}px sans-serif`;
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(status === "rectifying" && major ? "!!" : st.mark, m, m + r * 0.2);
  });
}

// --- map ---------------------------------------------------------------

let viewer = null;
let drawnPoints = [], pointItems = [];
let drawnDangers = [], dangerItems = [];
let selectedDisc = null, selectedInfo = null;
let routeItems = [], drawnRoutes = [];
let routes = []; // the last GET /api/v1/inspections/routes
let routesLoaded = false;
const routeHidden = new Set(); // route ids toggled off
let highlighted = null; // route id

function billboards() {
  return new C.BillboardCollection({ scene: viewer ? viewer.scene : undefined });
}

// placed is the features that are points, as [properties, [lon, lat]].
const placed = (features) => features.map((f) => [f.properties || {}, pointOf(f)]).filter(([, pt]) => pt);

// pointPrimitives draws the inspection_points layer (live.js rebuilds the
// layer with it on every change).
export function pointPrimitives(features) {
  const bc = billboards();
  drawnPoints = [];
  for (const [p, pt] of placed(features)) {
    const status = pointStatus(p);
    const b = bc.add({ id: p.id, position: C.Cartesian3.fromDegrees(pt[0], pt[1], Number(p.height) || 1.5), disableDepthTestDistance: Number.POSITIVE_INFINITY });
    b.setImage("ip:" + POINT_STYLES[status].shape, pointGlyph(status));
    drawnPoints.push({ id: p.id, status, task: p.task || null, colour: POINT_STYLES[status].colour, shape: POINT_STYLES[status].shape });
  }
  pointItems = [bc];
  if (selectedInfo) drawSelected(selectedInfo.id);
  renderLegends();
  return pointItems;
}

// dangerPrimitives draws the hidden_dangers layer: the triangles and the
// overdue labels.
export function dangerPrimitives(features) {
  const bc = billboards();
  const lc = new C.LabelCollection();
  drawnDangers = [];
  for (const [p, pt] of placed(features)) {
    const status = DANGER_STYLES[p.status] ? p.status : "rectifying";
    const late = overdue(p);
    const position = C.Cartesian3.fromDegrees(pt[0], pt[1], 2.5);
    const b = bc.add({ id: p.id, position, verticalOrigin: C.VerticalOrigin.BOTTOM, disableDepthTestDistance: Number.POSITIVE_INFINITY,
      scale: status === "accepted" ? 0.7 : 1 });
    b.setImage(`hd:${status}:${p.level === "major"}:${late}`, dangerGlyph(status, p.level, late));
    if (late) {
      lc.add({ id: p.id, position, text: t("insp.danger.overdue"), font: 'bold 12px "Noto Sans CJK SC", sans-serif', fillColor: C.Color.WHITE,
        showBackground: true, backgroundColor: S.css(DANGER_STYLES.rectifying.colour, 0.9), pixelOffset: new C.Cartesian2(0, -52),
        verticalOrigin: C.VerticalOrigin.BOTTOM, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    }
    drawnDangers.push({ id: p.id, status, level: p.level === "major" ? "major" : "general", overdue: late, colour: DANGER_STYLES[status].colour });
  }
  dangerItems = [bc, lc];
  return dangerItems;
}

// dangersStale reports whether a drawn danger's deadline has passed since
// it was drawn (live.js then draws the layer again).
export const dangersStale = () => drawnDangers.some((d) => !d.overdue && overdue(state.features.get(d.id)?.properties || {}));

// drawSelected shows the check-in radius of the selected point (id) as a
// disc in its status colour; another selection clears it.
function drawSelected(id) {
  if (!viewer) return;
  if (selectedDisc) viewer.scene.primitives.remove(selectedDisc);
  selectedDisc = null;
  selectedInfo = null;
  const f = id && state.features.get(id);
  if (!f || f.properties.kind !== "inspection_point") return;
  const pt = pointOf(f);
  const r = Number(f.properties.radius_m) > 0 ? Number(f.properties.radius_m) : 15; // twin/inspect DefaultRadiusM
  if (!pt) return;
  const status = pointStatus(f.properties);
  const colour = POINT_STYLES[status].colour;
  selectedDisc = S.batch([S.circle({ entity: id, part: "radius" }, pt[0], pt[1], r, S.HEIGHT.permit + 0.04, S.css(colour, 0.4))], { translucent: true, flat: true });
  selectedDisc.show = state.visible.get("inspection_points") !== false;
  viewer.scene.primitives.add(selectedDisc);
  selectedInfo = { id, radius_m: r, status, colour };
  viewer.scene.requestRender();
}

const locOf = (id) => pointOf(state.features.get(id));
const routeAt = new Map(); // point id of a route → where the routes drew it ("lon,lat", "null" when missing)
const routeColour = (i) => ROUTE_COLOURS[i % ROUTE_COLOURS.length];

// drawRoutes draws the routes toggled on, while the points layer shows.
function drawRoutes() {
  if (!viewer) return;
  for (const item of routeItems) viewer.scene.primitives.remove(item);
  routeItems = [];
  drawnRoutes = [];
  const shown = state.visible.get("inspection_points") !== false;
  const solid = [];
  const labels = new C.LabelCollection();
  routeAt.clear();
  routes.forEach((r, i) => {
    for (const id of r.points || []) routeAt.set(id, String(locOf(id)));
    const on = !routeHidden.has(r.id);
    const coords = (r.points || []).map(locOf).filter(Boolean);
    const lit = r.id === highlighted;
    const colour = lit ? HIGHLIGHT : routeColour(i);
    drawnRoutes.push({ id: r.id, shown: on && shown && coords.length > 1, highlighted: lit, sequence: Boolean(r.sequence), points: coords.length, colour });
    if (!on || coords.length < 2) return;
    if (!r.sequence) {
      solid.push(S.outline(undefined, coords, ROUTE_HEIGHT, S.css(colour, 0.9), lit ? 6 : 3));
      return;
    }
    // a sequence route: each leg an arrow towards the next point, the points numbered
    const legs = [];
    for (let k = 1; k < coords.length; k++) {
      legs.push(new C.GeometryInstance({ geometry: new C.PolylineGeometry({
        positions: C.Cartesian3.fromDegreesArrayHeights([...coords[k - 1], ROUTE_HEIGHT, ...coords[k], ROUTE_HEIGHT]),
        width: lit ? 16 : 11, arcType: C.ArcType.NONE, vertexFormat: C.PolylineMaterialAppearance.VERTEX_FORMAT }) }));
    }
    routeItems.push(new C.Primitive({ geometryInstances: legs, asynchronous: false,
      appearance: new C.PolylineMaterialAppearance({ material: C.Material.fromType("PolylineArrow", { color: S.css(colour, 0.95) }) }) }));
    coords.forEach((c, k) => labels.add({ position: C.Cartesian3.fromDegrees(c[0], c[1], 3), text: String(k + 1), font: 'bold 13px sans-serif',
      fillColor: C.Color.BLACK, showBackground: true, backgroundColor: S.css(colour, 0.95), pixelOffset: new C.Cartesian2(14, -14),
      disableDepthTestDistance: Number.POSITIVE_INFINITY }));
  });
  routeItems.push(S.lines(solid), labels);
  routeItems = routeItems.filter(Boolean);
  for (const item of routeItems) {
    item.show = shown;
    viewer.scene.primitives.add(item);
  }
  viewer.scene.requestRender();
}

// drawnInspections describes what the map shows, for tests: the points
// ({id, status, task, colour, shape}), the hidden dangers ({id, status,
// level, overdue, colour}), the routes ({id, shown, highlighted,
// sequence, points, colour}), the selected point's radius disc ({id,
// radius_m, status, colour, shown}) and whether each layer shows.
export function drawnInspections() {
  const shownAll = (items) => items.length > 0 && items.every((i) => i.show !== false);
  return {
    points: drawnPoints.map((p) => ({ ...p })), pointsShown: shownAll(pointItems),
    dangers: drawnDangers.map((d) => ({ ...d })), dangersShown: shownAll(dangerItems),
    routes: drawnRoutes.map((r) => ({ ...r })),
    selected: selectedInfo && { ...selectedInfo, shown: Boolean(selectedDisc && selectedDisc.show) },
  };
}

// --- legend ------------------------------------------------------------

const legendHosts = new Set(); // elements showing the points' legend

// pointLegend returns an element that shows the points' legend (a glyph,
// the status in words and the count per status), kept up to date.
export function pointLegend(id) {
  const el = h("div", { class: "insp-legend", id });
  legendHosts.add(el);
  renderLegend(el);
  return el;
}

function renderLegends() {
  for (const el of legendHosts) {
    if (!el.isConnected && el.dataset.built) legendHosts.delete(el);
    else renderLegend(el);
  }
}

function renderLegend(el) {
  el.dataset.built = "1";
  const counts = Object.fromEntries(Object.keys(POINT_STYLES).map((s) => [s, 0]));
  for (const p of drawnPoints) counts[p.status]++;
  fill(el, Object.keys(POINT_STYLES).map((s) => h("span", { class: "insp-chip", dataset: { status: s } },
    glyphImg(pointGlyph(s)), h("span", null, t("insp.status." + s)), h("b", null, String(counts[s])))));
}

function glyphImg(canvas) {
  return h("img", { class: "insp-glyph", src: canvas.toDataURL(), alt: "" });
}

// --- panel -------------------------------------------------------------

let ui = null;
let view = "main"; // main | card
const data = { progress: [], tasks: [], statsPerson: [], statsRoute: [], dangers: [] };
const errors = {};
const seqs = {};
let progressTimer = 0, slowTimer = 0, changeTimer = 0, routeTimer = 0;
let card = null; // {id, danger, error, message: {key, vars, tone, code}, busy}

export function initInspections(ctx) {
  viewer = ctx && ctx.viewer && ctx.viewer.scene ? ctx.viewer : null;
  const panel = addTool("inspections", { labelKey: "insp.title", onOpen: open, onClose: stop });
  ui = {
    main: h("div", { id: "insp-main" }),
    card: h("div", { id: "insp-danger-card", class: "insp-card", hidden: true }),
    title: h("h2"), intro: h("p", { class: "dock-note" }),
    showLayer: h("button", { type: "button", id: "insp-show-layer", class: "primary", dataset: { act: "show" } }),
    legend: pointLegend("insp-legend"),
    edit: editSection(ctx, { reloadRoutes: loadRoutes }), // points, routes and plans, for those who may edit them
    progressHead: h("h3"), progress: h("div", { id: "insp-progress", class: "insp-scroll" }),
    tasksHead: h("h3"), summary: h("p", { id: "insp-summary", class: "insp-summary" }), tasks: h("div", { id: "insp-tasks", class: "stat-scroll" }),
    dangersHead: h("h3"), dangers: h("div", { id: "insp-dangers" }),
    routesHead: h("h3"), routes: h("ul", { id: "insp-routes", class: "insp-routes" }),
    statsHead: h("h3"), stats: h("div", { id: "insp-stats" }),
    status: h("p", { class: "dock-note tone-bad", id: "insp-status", role: "status" }),
  };
  fill(ui.main, ui.title, ui.intro, ui.showLayer, ui.legend, ui.edit, ui.status, ui.progressHead, ui.progress, ui.tasksHead, ui.summary, ui.tasks,
    ui.dangersHead, ui.dangers, ui.routesHead, ui.routes, ui.statsHead, ui.stats);
  fill(panel, ui.main, ui.card);
  panel.addEventListener("click", onClick);
  panel.addEventListener("change", onChange);
  panel.addEventListener("submit", onSubmit);
  on("select", (sel) => {
    drawSelected(sel && sel.id);
    if (sel && sel.id && state.features.get(sel.id)?.properties.kind === "hidden_danger") openDanger(sel.id);
  });
  on("upsert", (f) => {
    const layer = layerOf(f);
    if (f.properties && f.properties.id === (selectedInfo && selectedInfo.id)) drawSelected(selectedInfo.id);
    if (layer === "inspection_points" || layer === "hidden_dangers") changed(layer, f.properties.id);
  });
  on("remove", (r) => { if (r && (r.layer === "inspection_points" || r.layer === "hidden_dangers")) changed(r.layer, r.id); });
  on("snapshot", (snap) => {
    if (snap.layers && snap.layers.inspection_points) drawRoutes();
  });
  on("layer", ({ layer, visible }) => {
    if (layer !== "inspection_points") return;
    if (visible && !routesLoaded) loadRoutes();
    if (selectedDisc) selectedDisc.show = visible;
    drawRoutes();
    if (ui && isOpen("inspections")) renderHead();
  });
  on("lang", () => {
    renderLegends();
    if (isOpen("inspections")) render(true);
  });
  on("user", () => { if (isOpen("inspections")) render(true); });
  if (state.visible.get("inspection_points") !== false) loadRoutes();
}

function open() {
  setView("main");
  refreshAll();
  pollProgress();
  refreshEdit();
}

function stop() {
  clearTimeout(progressTimer);
  clearTimeout(slowTimer);
  progressTimer = slowTimer = 0;
  card = null;
  stopEdit();
}

function setView(v) {
  view = v;
  ui.main.hidden = v !== "main";
  ui.card.hidden = v !== "card";
  if (v !== "card") card = null;
  render(true);
}

// changed reloads what a change of the points' status or of a danger
// touches, once per burst.
function changed(layer, id) {
  if (layer === "inspection_points" && !routeTimer && routeAt.has(id) && routeAt.get(id) !== String(locOf(id))) {
    routeTimer = setTimeout(() => { routeTimer = 0; drawRoutes(); }, CHANGE_MS); // a point of a route added, moved or removed
  }
  if (!isOpen("inspections")) return;
  if (layer === "hidden_dangers" && card && card.id === id) loadCard();
  if (changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = 0;
    if (!isOpen("inspections")) return;
    refreshAll();
    pollProgress();
  }, CHANGE_MS);
}

// load GETs path and hands the body to apply, unless a newer load of the
// same name answered first; a failure is kept under name to show.
async function load(name, path, apply) {
  const mine = (seqs[name] = (seqs[name] || 0) + 1);
  try {
    const body = await api.get(path);
    if (seqs[name] !== mine) return;
    apply(body || {});
    errors[name] = "";
  } catch (err) {
    if (seqs[name] !== mine) return;
    errors[name] = t("insp.err.load", { what: t("insp.load." + name), msg: err.message });
  }
  if (isOpen("inspections")) render();
}

function refreshAll() {
  clearTimeout(slowTimer);
  const day = siteDay();
  Promise.all([
    loadRoutes(),
    load("tasks", "/api/v1/inspections/tasks?date=" + day, (b) => { data.tasks = b.tasks || []; }),
    load("stats", "/api/v1/inspections/stats?by=person", (b) => { data.statsPerson = b.rows || []; }),
    load("statsRoute", "/api/v1/inspections/stats?by=route", (b) => { data.statsRoute = b.rows || []; }),
    load("dangers", "/api/v1/hidden-dangers?status=" + OPEN_DANGERS, (b) => { data.dangers = b.hidden_dangers || []; }),
  ]).finally(() => { if (isOpen("inspections")) slowTimer = setTimeout(refreshAll, SLOW_MS); });
}

function loadRoutes() {
  return load("routes", "/api/v1/inspections/routes", (b) => {
    routes = b.routes || [];
    routesLoaded = true;
    drawRoutes();
  });
}

async function pollProgress() {
  clearTimeout(progressTimer);
  await load("progress", "/api/v1/inspections/progress", (b) => { data.progress = b.progress || []; });
  if (isOpen("inspections")) progressTimer = setTimeout(pollProgress, PROGRESS_MS);
}

// keyed rebuilds el from build() only when key changed (or force), so
// that what is typed and clicked stays put between polls.
function keyed(el, key, force, build) {
  const k = state.lang + "|" + key;
  if (!force && el.dataset.key === k) return;
  el.dataset.key = k;
  fill(el, build());
}

function render(force = false) {
  if (!ui) return;
  if (view === "card") {
    renderCard(force);
    return;
  }
  renderHead();
  const problems = Object.values(errors).filter(Boolean);
  ui.status.textContent = problems.join(" ");
  ui.status.hidden = problems.length === 0;
  ui.progressHead.textContent = t("insp.progress", { n: data.progress.length });
  keyed(ui.progress, JSON.stringify([data.progress, highlighted, routes]), force, progressView);
  ui.tasksHead.textContent = t("insp.tasks", { day: siteDay() });
  keyed(ui.summary, JSON.stringify(data.tasks.map((x) => [x.status, x.points.map((p) => p.status)])), force, summaryView);
  keyed(ui.tasks, JSON.stringify(data.tasks.map((x) => [x.id, x.status, x.points.map((p) => p.status)])), force, tasksView);
  ui.dangersHead.textContent = t("insp.dangers", { n: data.dangers.length });
  keyed(ui.dangers, JSON.stringify([data.dangers, data.dangers.map(overdue)]), force, dangersView);
  ui.routesHead.textContent = t("insp.routes", { n: routes.length });
  keyed(ui.routes, JSON.stringify([routes, [...routeHidden], highlighted]), force, routesView);
  ui.statsHead.textContent = t("insp.stats");
  keyed(ui.stats, JSON.stringify([data.statsPerson, data.statsRoute]), force, statsView);
}

function renderHead() {
  ui.title.textContent = t("insp.title");
  ui.intro.textContent = t("insp.intro");
  ui.showLayer.textContent = t("insp.show_layer");
  ui.showLayer.hidden = ["inspection_points", "hidden_dangers"].every((l) => state.visible.get(l) !== false);
}

const routeOf = (id) => routes.find((r) => r.id === id) || null;
const routeName = (id, fallback) => {
  const r = routeOf(id);
  return r ? name(r) : fallback || id;
};
const pointName = (id) => {
  const p = state.features.get(id)?.properties;
  return p ? name(p) : id;
};

function progressView() {
  if (data.progress.length === 0) return h("p", { class: "dock-note", id: "insp-progress-none" }, t("insp.progress.none"));
  return h("ul", { class: "insp-progress" }, data.progress.map((pr) => {
    const checked = pr.done + pr.late;
    const who = pr.assignee || pr.last_by || "";
    return h("li", { class: `insp-run${pr.route === highlighted ? " lit" : ""}`, dataset: { task: pr.task, route: pr.route, person: who } },
      h("button", { type: "button", class: "insp-run-main", dataset: { run: pr.task } },
        h("span", { class: "insp-run-head" },
          h("b", { class: "insp-run-who" }, pr.assignee ? personName(pr.assignee) : t("insp.team", { team: pr.team || "—" })),
          h("span", { class: "insp-run-route" }, routeName(pr.route)),
          h("small", { class: "insp-run-window" }, fmtWindow(pr.start, pr.end))),
        h("span", { class: "insp-bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": pr.points, "aria-valuenow": checked },
          h("span", { class: "insp-bar-fill", style: `width:${pr.points ? (100 * checked) / pr.points : 0}%` })),
        h("span", { class: "insp-run-count" }, t("insp.progress.count", { done: checked, n: pr.points }), pr.late ? ` · ${t("insp.progress.late", { n: pr.late })}` : ""),
        h("small", { class: "insp-run-foot" },
          h("span", { class: "insp-run-next" }, pr.next ? t("insp.progress.next", { point: pointName(pr.next) }) : t("insp.progress.all")), " · ",
          h("span", { class: "insp-run-last" }, pr.last_at ? t("insp.progress.last", { time: fmtClock(pr.last_at), who: personName(pr.last_by) }) : t("insp.progress.nolast")))));
  }));
}

// tally counts a task's points by status.
function tally(task) {
  const n = { total: task.points.length, done: 0, late: 0, missed: 0, due: 0 };
  for (const p of task.points) if (p.status in n) n[p.status]++;
  return n;
}

function summaryView() {
  const sum = { tasks: data.tasks.length, total: 0, done: 0, late: 0, missed: 0 };
  for (const task of data.tasks) {
    const n = tally(task);
    sum.total += n.total;
    sum.done += n.done;
    sum.late += n.late;
    sum.missed += n.missed;
  }
  return [h("span", null, t("insp.summary.tasks", { n: sum.tasks })), " · ",
    h("span", { dataset: { k: "done" } }, t("insp.summary.done", { done: sum.done + sum.late, n: sum.total })), " · ",
    h("span", { class: sum.late ? "tone-warn" : "", dataset: { k: "late" } }, t("insp.summary.late", { n: sum.late })), " · ",
    h("span", { class: sum.missed ? "tone-bad" : "", dataset: { k: "missed" } }, t("insp.summary.missed", { n: sum.missed }))];
}

function tasksView() {
  if (data.tasks.length === 0) return h("p", { class: "dock-note" }, t("insp.tasks.none"));
  const sorted = [...data.tasks].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return h("table", { class: "stat-table insp-task-table" },
    h("thead", null, h("tr", null, ["window", "route", "who", "status", "done", "late", "missed"].map((k) => h("th", null, t("insp.col." + k))))),
    h("tbody", null, sorted.map((task) => {
      const n = tally(task);
      return h("tr", { dataset: { task: task.id, route: task.route, status: task.status } },
        h("td", { class: "num" }, fmtWindow(task.start, task.end)),
        h("td", null, routeName(task.route, name({ name: task.route_name, name_en: task.route_name_en }))),
        h("td", null, task.assignee ? personName(task.assignee) : task.team || "—"),
        h("td", null, tOr("insp.task." + task.status, task.status)),
        h("td", { class: "num" }, `${n.done + n.late}/${n.total}`),
        h("td", { class: `num${n.late ? " tone-warn" : ""}` }, String(n.late)),
        h("td", { class: `num${n.missed ? " tone-bad" : ""}` }, String(n.missed)));
    })));
}

function dangersView() {
  if (data.dangers.length === 0) return h("p", { class: "dock-note", id: "insp-dangers-none" }, t("insp.dangers.none"));
  return h("ul", { class: "insp-dangers" }, data.dangers.map((d) => h("li", { dataset: { danger: d.id, status: d.status } },
    h("button", { type: "button", class: "insp-danger-row", dataset: { open: d.id } },
      glyphImg(dangerGlyph(d.status, d.level, overdue(d))),
      h("span", { class: "insp-danger-text" },
        h("span", { class: "insp-danger-desc" }, describeDanger(d)),
        h("small", null, [t("insp.level." + d.level), t("insp.dstatus." + d.status),
          d.deadline && t("insp.danger.deadline", { time: fmtTime(d.deadline) })].filter(Boolean).join(" · "))),
      overdue(d) && h("b", { class: "insp-overdue" }, t("insp.danger.overdue"))))));
}

function routesView() {
  if (routes.length === 0) return h("li", { class: "dock-note" }, t("insp.routes.none"));
  return routes.map((r, i) => {
    const sw = h("span", { class: "insp-route-swatch" });
    sw.style.background = routeColour(i);
    return h("li", { class: r.id === highlighted ? "lit" : "", dataset: { route: r.id } },
      h("label", null, h("input", { type: "checkbox", dataset: { routeToggle: r.id }, checked: !routeHidden.has(r.id) }), sw,
        h("span", null, name(r))),
      r.sequence && h("span", { class: "badge tone-warn insp-seq", title: t("insp.route.sequence.title") }, t("insp.route.sequence")),
      h("small", null, t("insp.route.points", { n: (r.points || []).length })),
      h("button", { type: "button", class: "link", dataset: { highlight: r.id } }, t(r.id === highlighted ? "insp.route.unhighlight" : "insp.route.highlight")));
  });
}

function statsView() {
  const table = (id, rows, what) => h("table", { class: "stat-table insp-stats", id },
    h("thead", null, h("tr", null, [what, "tasks", "checked", "missed", "completion", "timeliness"].map((k) => h("th", null, t("insp.col." + k))))),
    h("tbody", null, rows.length === 0 ? h("tr", null, h("td", { colspan: 6, class: "dock-note" }, t("insp.stats.none")))
      : rows.map((r) => h("tr", { dataset: { key: r.key } },
        h("td", null, what === "route" ? routeName(r.key, r.name) : r.name || personName(r.key)),
        h("td", { class: "num" }, String(r.tasks)),
        h("td", { class: "num" }, `${r.done + r.late}/${r.points}`),
        h("td", { class: `num${r.missed ? " tone-bad" : ""}` }, String(r.missed)),
        h("td", { class: "num", dataset: { k: "completion" } }, pct(r.completion)),
        h("td", { class: "num", dataset: { k: "timeliness" } }, pct(r.timeliness))))));
  return [h("h4", null, t("insp.stats.person")), table("insp-stats-person", data.statsPerson, "person"),
    h("h4", null, t("insp.stats.route")), table("insp-stats-route", data.statsRoute, "route")];
}

// --- the hidden danger's card -------------------------------------------

// openDanger opens the tool on hidden danger id's card.
export function openDanger(id) {
  if (!isOpen("inspections")) toggle("inspections", true);
  if (!isOpen("inspections")) return;
  if (view === "card" && card && card.id === id) return;
  view = "card";
  card = { id, danger: data.dangers.find((d) => d.id === id) || null, error: "", message: null, busy: false };
  ui.main.hidden = true;
  ui.card.hidden = false;
  buildCard();
  render(true);
  loadCard();
}

async function loadCard() {
  if (!card) return;
  const id = card.id;
  const mine = (seqs.card = (seqs.card || 0) + 1);
  try {
    const d = await api.get("/api/v1/hidden-dangers/" + encodeURIComponent(id));
    if (card && card.id === id && seqs.card === mine) {
      card.danger = d;
      card.error = "";
    }
  } catch (err) {
    if (card && card.id === id && seqs.card === mine) card.error = t("insp.err.load", { what: t("insp.load.danger"), msg: err.message });
  }
  if (card && card.id === id && view === "card") renderCard();
}

function buildCard() {
  const c = {
    title: h("h2", { id: "insp-danger-title" }), sub: h("p", { class: "dock-note", id: "insp-danger-sub" }),
    badge: h("div", { id: "insp-danger-status", class: "insp-badge" }),
    message: h("p", { id: "insp-danger-message", class: "dock-note insp-message", role: "alert", hidden: true }),
    facts: h("dl", { id: "insp-danger-facts", class: "insp-facts" }),
    photos: h("div", { id: "insp-danger-photos", class: "insp-photos" }),
    rectify: h("form", { id: "insp-rectify-form", class: "fence-form insp-form", novalidate: true, hidden: true }),
    review: h("form", { id: "insp-review-form", class: "fence-form insp-form", novalidate: true, hidden: true }),
    readonly: h("p", { class: "dock-note", id: "insp-danger-readonly", hidden: true }),
    log: h("section", { id: "insp-danger-log" }),
    back: h("button", { type: "button", id: "insp-back", dataset: { act: "back" } }),
    locate: h("button", { type: "button", id: "insp-locate", dataset: { act: "locate" } }),
  };
  fill(c.rectify,
    h("h3", { dataset: { i18n: "insp.rectify.title" } }),
    h("label", { class: "form-field" }, h("span", { dataset: { i18n: "insp.note" } }), h("textarea", { name: "note", rows: 2, maxlength: 2000 })),
    h("label", { class: "form-field" }, h("span", { dataset: { i18n: "insp.rectify.photo" } }), h("input", { type: "file", name: "photo", accept: PHOTO_TYPES.join(",") })),
    h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary", id: "insp-rectify-submit", dataset: { i18n: "insp.rectify.submit" } })));
  fill(c.review,
    h("h3", { dataset: { i18n: "insp.review.title" } }),
    h("label", { class: "form-field" }, h("span", { dataset: { i18n: "insp.review.note" } }), h("input", { name: "note", maxlength: 2000, autocomplete: "off" })),
    h("div", { class: "form-buttons" },
      h("button", { type: "button", class: "primary", id: "insp-accept", dataset: { step: "accept", i18n: "insp.accept" } }),
      h("button", { type: "button", class: "danger", id: "insp-reject", dataset: { step: "reject", i18n: "insp.reject" } })));
  ui.cardParts = c;
  fill(ui.card, h("div", { class: "pb-row" }, c.back, c.locate), c.title, c.sub, c.badge, c.message, c.rectify, c.review, c.readonly,
    c.facts, c.photos, c.log);
}

function renderCard(force = false) {
  if (!card || !ui.cardParts) return;
  const c = ui.cardParts;
  for (const el of ui.card.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  c.back.textContent = t("insp.back");
  c.locate.textContent = t("insp.locate");
  showOutcome();
  const d = card.danger;
  if (!d) {
    c.title.textContent = card.id;
    c.sub.textContent = card.error || t("insp.loading");
    c.rectify.hidden = c.review.hidden = c.readonly.hidden = true;
    return;
  }
  c.title.textContent = describeDanger(d);
  c.sub.textContent = [d.id, card.error].filter(Boolean).join(" · ");
  const late = overdue(d);
  keyed(c.badge, JSON.stringify([d.status, d.level, late]), force, () => [glyphImg(dangerGlyph(d.status, d.level, late)),
    h("span", { class: "insp-badge-word" }, t("insp.dstatus." + d.status)), late && h("b", { class: "insp-overdue" }, t("insp.danger.overdue"))]);
  c.badge.dataset.status = d.status;
  keyed(c.facts, JSON.stringify([d.level, d.fix, d.deadline, d.point, d.found_by, d.found_at, late]), force, () => factsView(d, late));
  keyed(c.photos, JSON.stringify(d.photos || []), force, () => photosView(d.photos, "insp.photos"));
  keyed(c.log, JSON.stringify(d.log || []), force, () => logView(d));
  c.rectify.hidden = !(canRectify() && d.status === "rectifying");
  c.review.hidden = !(canAccept() && d.status === "awaiting_acceptance");
  for (const b of ui.card.querySelectorAll("form button")) b.disabled = card.busy;
  const ro = c.rectify.hidden && c.review.hidden && d.status !== "accepted";
  c.readonly.hidden = !ro;
  c.readonly.textContent = state.user ? t(d.status === "rectifying" ? "insp.readonly.rectify" : "insp.readonly.review") : t("insp.readonly.login");
}

// showOutcome says how the card's last step went (or nothing).
function showOutcome() {
  const box = ui.cardParts.message, said = card.message;
  fill(box, said ? h("span", { class: "insp-message-text" }, t(said.key, said.vars)) : []);
  Object.assign(box, { hidden: !said, className: `dock-note insp-message ${said ? "tone-" + said.tone : ""}` });
  box.dataset.code = (said && said.code) || "";
}

function factsView(d, late) {
  const rows = [
    [t("insp.field.level"), h("span", { class: `badge ${d.level === "major" ? "tone-bad" : "tone-warn"}` }, t("insp.level." + d.level))],
    [t("insp.field.fix"), tOr("insp.fix." + d.fix, d.fix || "—")],
    [t("insp.field.deadline"), d.deadline ? h("span", { class: late ? "tone-bad" : "" }, fmtTime(d.deadline), late ? ` · ${t("insp.danger.overdue")}` : "") : "—"],
    [t("insp.field.point"), d.point ? h("button", { type: "button", class: "link", dataset: { entity: d.point } }, entityLabel(d.point)) : "—"],
    [t("insp.field.found"), t("insp.found", { who: d.found_by || "—", time: fmtTime(d.found_at) })],
  ];
  return rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]);
}

function photosView(ids, key) {
  if (!ids || ids.length === 0) return [];
  return [h("h4", null, t(key, { n: ids.length })), ids.map((id) => h("a", { href: photoURL(id), target: "_blank", rel: "noopener", class: "insp-photo" },
    h("img", { src: photoURL(id), alt: t("insp.photo.alt", { id }), loading: "lazy", dataset: { photo: id } })))];
}

const photoURL = (id) => "/api/v1/inspections/photos/" + encodeURIComponent(id);

function logView(d) {
  const log = [...(d.log || [])].reverse();
  return [h("h3", null, t("insp.log", { n: log.length })),
    h("ol", { class: "insp-log" }, log.map((e) => h("li", { dataset: { action: e.action } },
      h("b", null, tOr("insp.action." + e.action, e.action)), " · ", e.by, " ", h("small", null, fmtTime(e.at)),
      e.note && h("p", { class: "insp-log-note" }, e.note),
      (e.photos || []).length > 0 && h("div", { class: "insp-photos" }, photosView(e.photos, "insp.photos").slice(1)))))];
}

// failure says why a step was refused: {key, vars, code} — a refusal the
// viewer knows in its own words, else the server's message.
function failure(err) {
  if (err.status === 401) {
    endSession();
    return { key: "auth.expired", code: "unauthorized" };
  }
  if (err.status === 403) return { key: "insp.err.denied", code: err.code || "forbidden" };
  const code = err.code || "";
  if (code && tOr("insp.err." + code, null) !== null) return { key: "insp.err." + code, code };
  return { key: "insp.err.failed", vars: { status: err.status || "—", msg: err.message }, code };
}

// uploadPhoto sends a chosen file to POST /api/v1/inspections/photos (the
// bytes as the body, their type as Content-Type) and returns its id.
async function uploadPhoto(file) {
  if (!PHOTO_TYPES.includes(file.type) || file.size > PHOTO_MAX) {
    throw Object.assign(new Error(file.type || file.name), { status: 415, code: "photo_type" });
  }
  const resp = await fetch("/api/v1/inspections/photos", { method: "POST", body: file,
    headers: { "Content-Type": file.type, Authorization: "Bearer " + state.token, Accept: "application/json" } });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) throw Object.assign(new Error((body && body.error && body.error.message) || resp.statusText), { status: resp.status, code: body && body.error && body.error.code });
  return body.id;
}

// step takes a step of the card's danger; body is {note, photos}; done is
// the i18n key of what to say when it went through.
async function step(action, body, done) {
  const id = card.id;
  const mine = () => card && card.id === id;
  Object.assign(card, { busy: true, message: null });
  renderCard();
  const outcome = await api.post(`/api/v1/hidden-dangers/${encodeURIComponent(id)}/${action}`, body)
    .then((d) => ({ danger: d, message: { key: done, tone: "ok", code: "" } }), (err) => ({ message: { ...failure(err), tone: "bad" } }));
  if (!mine()) return Boolean(outcome.danger);
  Object.assign(card, outcome, { busy: false, danger: outcome.danger || card.danger });
  renderCard(true);
  return Boolean(outcome.danger);
}

async function rectify(form) {
  const file = form.elements.photo.files[0];
  const note = form.elements.note.value.trim();
  const photos = [];
  if (file) {
    card.busy = true;
    renderCard();
    try {
      photos.push(await uploadPhoto(file));
    } catch (err) {
      card.busy = false;
      card.message = { ...(err.code === "photo_type" ? { key: "insp.err.photo_type", code: "photo_type" } : failure(err)), tone: "bad" };
      renderCard();
      return;
    }
  }
  if (await step("rectify", { note, photos }, "insp.done.rectify")) form.reset();
}

function onSubmit(ev) {
  ev.preventDefault();
  if (ev.target.id === "insp-rectify-form" && card) rectify(ev.target);
}

function onChange(ev) {
  const toggleId = ev.target.dataset && ev.target.dataset.routeToggle;
  if (!toggleId) return;
  if (ev.target.checked) routeHidden.delete(toggleId);
  else routeHidden.add(toggleId);
  drawRoutes();
}

function showLayers() {
  for (const layer of ["inspection_points", "hidden_dangers"]) {
    if (state.visible.get(layer) === false) {
      state.visible.set(layer, true);
      emit("layer", { layer, visible: true });
    }
  }
  renderHead();
}

// highlight marks route id on the map (again: off).
function highlight(id, keep = false) {
  highlighted = highlighted === id && !keep ? null : id;
  if (highlighted) routeHidden.delete(highlighted);
  drawRoutes();
  render();
}

// go flies to an entity and selects it.
function go(id) {
  if (!id) return;
  emit("flyto", { id });
  emit("select", { id });
}

function onClick(ev) {
  const run = ev.target.closest("[data-run]");
  if (run) {
    const li = run.closest("[data-task]");
    const pr = data.progress.find((x) => x.task === li.dataset.task);
    if (!pr) return;
    highlight(pr.route, true);
    go(li.dataset.person || pr.next);
    return;
  }
  const hl = ev.target.closest("[data-highlight]");
  if (hl) {
    highlight(hl.dataset.highlight);
    return;
  }
  const row = ev.target.closest("[data-open]");
  if (row) openDanger(row.dataset.open);
  const target = row ? row.dataset.open : ev.target.closest("[data-entity]")?.dataset.entity;
  if (target) {
    go(target);
    return;
  }
  const st = ev.target.closest("[data-step]");
  if (st && card) {
    const note = ui.cardParts.review.elements.note;
    step(st.dataset.step, { note: note.value.trim() }, "insp.done." + st.dataset.step).then((ok) => { if (ok) note.value = ""; });
    return;
  }
  const act = ev.target.closest("[data-act]");
  if (!act) return;
  if (act.dataset.act === "show") showLayers();
  else if (act.dataset.act === "back") {
    setView("main");
    refreshAll();
  } else if (act.dataset.act === "locate" && card) emit("flyto", { id: card.id });
}
