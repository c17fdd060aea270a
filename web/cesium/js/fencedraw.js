// The fence draw tool (绘制围栏, a dock tool for admin and manager): click
// vertices on the map, double-click to finish, fill in the form, and the
// fence goes to POST /api/v1/fences; a fence's info card offers edit
// (PUT /api/v1/fences/{id}, optionally with a new outline) and delete.
// The saved fence comes back in the live fences layer over /ws. While
// drawing, map clicks do not select (state.drawing).
import { state, on } from "./state.js";
import { t } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { isAdmin, endSession } from "./auth.js";
import { addTool, toggle } from "./dock.js";
import { buildForm, renderForm, readForm, fillForm, fenceBody, FORM_KEYS } from "./fence-form.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const SERVER_KEYS = new Set(["id", "kind", "updated"]);
const SAME_DEG = 1e-7; // vertices closer than ~1 cm are one (a double-click's clicks)

let viewer = null;
let ui = null;
let ring = []; // [[lon, lat], …] drawn so far
let cursor = null; // [lon, lat] under the mouse while drawing
let editing = null; // id of the fence being edited, null for a new one
let kept = {}; // the edited fence's properties the form does not show (name_en, …): sent back unchanged
let handler = null;
let preview = null; // {lines, points}
let message = { text: "", tone: "" };

export function initFenceDraw(ctx) {
  viewer = ctx.viewer;
  const panel = addTool("fence", { labelKey: "fence.title", visible: isAdmin, onOpen: render, onClose: reset });
  ui = {
    title: h("h2"), hint: h("p", { class: "dock-note", id: "fence-hint" }),
    start: h("button", { type: "button", class: "primary", id: "fence-start", onclick: startDrawing }),
    undo: h("button", { type: "button", id: "fence-undo", onclick: undo }),
    status: h("p", { class: "dock-note", id: "fence-status", role: "status" }),
  };
  ui.form = buildForm(submit, reset);
  fill(panel, ui.title, ui.hint, h("div", { class: "pb-row" }, ui.start, ui.undo), ui.status, ui.form);
  preview = { lines: viewer.scene.primitives.add(new C.PolylineCollection()), points: viewer.scene.primitives.add(new C.PointPrimitiveCollection()) };
  on("lang", () => { renderForm(ui.form); render(); });
}

// editFence opens the tool on fence id with its values; its outline stays
// unless redrawn.
export function editFence(id) {
  const f = state.features.get(id);
  if (!f || !isAdmin()) return;
  toggle("fence", true);
  reset();
  editing = id;
  kept = keptProps(f.properties || {});
  ring = (f.geometry && f.geometry.type === "Polygon" ? f.geometry.coordinates[0] : []).slice(0, -1);
  fillForm(ui.form, f.properties || {});
  ui.form.hidden = false;
  drawPreview();
  render();
}

// deleteFence asks, then deletes fence id.
export async function deleteFence(id) {
  if (!isAdmin() || !window.confirm(t("fence.delete.confirm", { id }))) return;
  try {
    await api.request("DELETE", `/api/v1/fences/${encodeURIComponent(id)}`);
  } catch (err) {
    window.alert(failure(err));
  }
}

function render() {
  ui.title.textContent = t(editing ? "fence.edit.title" : "fence.title");
  ui.hint.textContent = t(state.drawing ? "fence.hint.drawing" : "fence.hint");
  ui.start.textContent = t(editing ? "fence.redraw" : "fence.start");
  ui.start.disabled = state.drawing;
  ui.undo.textContent = t("fence.undo");
  ui.undo.disabled = !state.drawing || ring.length === 0;
  ui.status.textContent = message.text || (state.drawing ? t("fence.vertices", { n: ring.length }) : "");
  ui.status.className = `dock-note ${message.tone ? "tone-" + message.tone : ""}`;
}

function startDrawing() {
  message = { text: "", tone: "" };
  ring = [];
  state.drawing = true;
  ui.form.hidden = true;
  handler = new C.ScreenSpaceEventHandler(viewer.scene.canvas);
  handler.setInputAction((e) => addVertex(e.position), C.ScreenSpaceEventType.LEFT_CLICK);
  handler.setInputAction((e) => { cursor = lonLat(e.endPosition); drawPreview(); }, C.ScreenSpaceEventType.MOUSE_MOVE);
  handler.setInputAction(finish, C.ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
  render();
}

// lonLat is the [lon, lat] on the ground under a screen position, or null.
function lonLat(pos) {
  const cart = pos && viewer.camera.pickEllipsoid(pos, viewer.scene.globe.ellipsoid);
  if (!cart) return null;
  const c = C.Cartographic.fromCartesian(cart);
  return [C.Math.toDegrees(c.longitude), C.Math.toDegrees(c.latitude)];
}

function addVertex(pos) {
  const p = lonLat(pos);
  if (!p) return;
  const prev = ring[ring.length - 1];
  if (prev && Math.abs(prev[0] - p[0]) < SAME_DEG && Math.abs(prev[1] - p[1]) < SAME_DEG) return;
  ring.push(p);
  drawPreview();
  render();
}

function undo() {
  ring.pop();
  drawPreview();
  render();
}

// finish ends drawing on a double-click: three vertices make a fence.
function finish() {
  if (ring.length < 3) {
    message = { text: t("fence.too_few"), tone: "bad" };
    render();
    return;
  }
  stopHandler();
  cursor = null;
  drawPreview();
  ui.form.hidden = false;
  ui.form.elements.name.focus();
  render();
}

async function submit(form) {
  const props = { ...kept, ...readForm(form) };
  const body = fenceBody(ring, props);
  const err = form.querySelector(".form-error");
  err.hidden = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const saved = editing ? await api.request("PUT", `/api/v1/fences/${encodeURIComponent(editing)}`, body) : await api.post("/api/v1/fences", body);
    const id = (saved && (saved.id || (saved.properties && saved.properties.id))) || editing || "";
    reset();
    message = { text: t("fence.saved", { id }), tone: "ok" };
    render();
  } catch (e) {
    err.textContent = failure(e);
    err.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// failure explains a refused fence call; 404 / 405 mean the server has no
// fence editing yet.
function failure(err) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("fence.denied");
  if (err.status === 404 || err.status === 405) return t("fence.unavailable", { status: err.status });
  return t("fence.failed", { msg: err.message });
}

function stopHandler() {
  if (handler) handler.destroy();
  handler = null;
  state.drawing = false;
}

// reset abandons drawing or editing.
function reset() {
  stopHandler();
  ring = [];
  cursor = null;
  editing = null;
  kept = {};
  message = { text: "", tone: "" };
  ui.form.reset();
  renderForm(ui.form);
  ui.form.hidden = true;
  drawPreview();
  render();
}

// keptProps are a fence's properties that the form does not edit, minus
// those the server owns (id, kind, updated).
function keptProps(p) {
  const out = {};
  for (const [k, v] of Object.entries(p)) if (!FORM_KEYS.has(k) && !SERVER_KEYS.has(k)) out[k] = v;
  return out;
}

function drawPreview() {
  preview.lines.removeAll();
  preview.points.removeAll();
  const pts = cursor && state.drawing ? [...ring, cursor] : ring;
  const color = C.Color.fromCssColorString("#00e5ff");
  for (const [lon, lat] of ring) preview.points.add({ position: C.Cartesian3.fromDegrees(lon, lat, 0.5), pixelSize: 9, color, outlineColor: C.Color.BLACK, outlineWidth: 1.5, disableDepthTestDistance: Number.POSITIVE_INFINITY });
  if (pts.length >= 2) {
    const closed = [...pts, pts[0]].flatMap(([lon, lat]) => [lon, lat, 0.5]);
    preview.lines.add({ positions: C.Cartesian3.fromDegreesArrayHeights(closed), width: 2.5, material: C.Material.fromType("Color", { color }) });
  }
  viewer.scene.requestRender();
}
