// The fence draw tool (绘制围栏, a dock tool for admin and manager): click
// vertices on the map, double-click to finish, fill in the form, and the
// fence goes to POST /api/v1/fences; a fence's info card offers edit
// (PUT /api/v1/fences/{id}, optionally with a new outline) and delete.
// The saved fence comes back in the live fences layer over /ws. The
// drawing itself is draw.js's.
import { state, on } from "./state.js";
import { t } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { isAdmin, endSession } from "./auth.js";
import { addTool, toggle } from "./dock.js";
import { buildForm, renderForm, readForm, fillForm, fenceBody, FORM_KEYS } from "./fence-form.js";
import { Drawing, ringOf } from "./draw.js";

const SERVER_KEYS = new Set(["id", "kind", "updated"]);

let ui = null;
let drawing = null; // the outline drawn (draw.js)
let editing = null; // id of the fence being edited, null for a new one
let kept = {}; // the edited fence's properties the form does not show (name_en, …): sent back unchanged
let message = { text: "", tone: "" };

export function initFenceDraw(ctx) {
  const panel = addTool("fence", { labelKey: "fence.title", visible: isAdmin, onOpen: render, onClose: reset });
  ui = {
    title: h("h2"), hint: h("p", { class: "dock-note", id: "fence-hint" }),
    start: h("button", { type: "button", class: "primary", id: "fence-start", onclick: startDrawing }),
    undo: h("button", { type: "button", id: "fence-undo", onclick: () => drawing.undo() }),
    status: h("p", { class: "dock-note", id: "fence-status", role: "status" }),
  };
  ui.form = buildForm(submit, reset);
  fill(panel, ui.title, ui.hint, h("div", { class: "pb-row" }, ui.start, ui.undo), ui.status, ui.form);
  drawing = new Drawing(ctx.viewer, { height: 0.5, onChange: render, onFinish: finish });
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
  drawing.set(f.geometry && f.geometry.type === "Polygon" ? ringOf(f.geometry) : []);
  fillForm(ui.form, f.properties || {});
  ui.form.hidden = false;
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
  ui.undo.disabled = !drawing.active || drawing.ring.length === 0;
  ui.status.textContent = message.text || (drawing.active ? t("fence.vertices", { n: drawing.ring.length }) : "");
  ui.status.className = `dock-note ${message.tone ? "tone-" + message.tone : ""}`;
}

function startDrawing() {
  message = { text: "", tone: "" };
  ui.form.hidden = true;
  drawing.start();
}

// finish ends drawing on a double-click: three vertices make a fence.
function finish() {
  if (drawing.ring.length < 3) {
    message = { text: t("fence.too_few"), tone: "bad" };
    render();
    return;
  }
  drawing.stop();
  ui.form.hidden = false;
  ui.form.elements.name.focus();
  render();
}

async function submit(form) {
  const props = { ...kept, ...readForm(form) };
  const body = fenceBody(drawing.ring, props);
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

// reset abandons drawing or editing.
function reset() {
  drawing.clear();
  editing = null;
  kept = {};
  message = { text: "", tone: "" };
  ui.form.reset();
  renderForm(ui.form);
  ui.form.hidden = true;
  render();
}

// keptProps are a fence's properties that the form does not edit, minus
// those the server owns (id, kind, updated).
function keptProps(p) {
  const out = {};
  for (const [k, v] of Object.entries(p)) if (!FORM_KEYS.has(k) && !SERVER_KEYS.has(k)) out[k] = v;
  return out;
}
