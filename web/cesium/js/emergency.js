// The emergency mode (应急, 指挥决策一张图, W8): evacuation planning,
// the evacuation order and the roll call in one dock tool, for everyone
// to see; administrators, managers and emergency staff plan and order
// (docs/evacuation.md; REST in api/evacuation.go).
//
// Panel (the dock tool 应急): the emergency mode's switch (the map
// overlay of emergency-map.js: routes flowing to the muster points,
// hazards, closures, muster loads, people coloured by their evacuation
// status); the plan's editor — hazards (polygons) and closures (polygons
// or barrier lines) drawn on the map with draw.js and listed with delete,
// the live threat zones on or off, the wind live (the weather stations',
// with its source; live.js draws its arrow) or set by hand — with
// 生成撤离方案 (POST /api/v1/evacuation/plans) and 更新方案 (PUT …/{id});
// the plan: its figures, the muster points' load (assigned of capacity,
// arrived in the roll call, unsafe ones with the reason), the people
// without a route with the reason in words, the status legend; the order
// (撤离令): an editable message, 发布撤离令 (POST /api/v1/evacuation/
// orders), the acknowledgements counted live (acked/sent) with who is
// still pending, 解除 (POST …/{id}/end); the roll call (清点, GET
// /api/v1/muster every 5 s): totals, by area, department or identity, the
// unaccounted (a click flies to their last fix) and its CSV; and the
// situation report (一键生成态势报告): a printable page with the plan,
// the order, the roll call and a snapshot of the map.
//
// Live: the server re-plans the newest plan (and the ordered one) when the
// scene changes and says so in a /ws notify frame {kind:
// "evacuation_plan", plan: summary}: the plan shown is fetched again when
// its rev moved, at most every PLAN_MS; {kind: "evacuation_order", order:
// counts} updates the counter at once and the lists after ORDER_MS. A
// standing order turns the emergency mode on for every viewer.
import * as api from "./api.js";
import { state, on, emit } from "./state.js";
import { h, fill } from "./dom.js";
import { t, tOr, name, fmtTime, fmtDuration, setLang } from "./i18n.js";
import { addTool, isOpen } from "./dock.js";
import { endSession } from "./auth.js";
import { Drawing, geometryOf } from "./draw.js";
import { HIGHLIGHT } from "./palette.js";
import { initEmergencyMap, setMapMode, drawEmergency, musterColour, statusCounts, statusIcon, mapSnapshot, PERSON_STYLES } from "./emergency-map.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
// Roles that plan and order (api/evacuation.go emergencyRoles).
const COMMANDERS = ["admin", "manager", "emergency"];
const ROLL_MS = 5000; // the roll call's refresh (AQ 3064.3-2025: on-screen refresh ≤ 5 s)
const PLAN_MS = 2000; // at most one plan fetch per 2 s (the server re-plans at most every 5 s)
const ORDER_MS = 1000; // the order's lists at most every second while acknowledgements come
const PENDING_SHOWN = 40;
// Characters the inputs take: the server counts bytes (twin/evac
// MaxNameBytes 200, api evacOrder 500), a Chinese character is three.
const NAME_MAX = 60, MESSAGE_MAX = 160, MESSAGE_EN_MAX = 500;
// The order's default wording, both languages (twin/evac DefaultMessage).
const DEFAULT_MESSAGE = "紧急撤离：请立即按指示路线撤离至应急集合点";
const DEFAULT_MESSAGE_EN = "Evacuate now: follow the route to your muster point";
const SHOWN_LAYERS = ["people", "muster_points", "threat_zones", "weather_stations"];
const COMPASS = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];
const GROUPS = { area: "by_area", department: "by_department", identity: "by_identity" };

let viewer = null;
let ui = null;
let mode = false; // the emergency mode: the overlay and people's colours
const data = { plan: null, order: null, roll: null, error: "" };
let draft = { hazards: [], closures: [] }; // the shapes of the plan being edited
let dirty = false; // the draft differs from the plan shown
let pen = null; // {kind: hazard | closure_area | closure_line, d: Drawing}
const pens = {}; // the two Drawings: area, line
let said = null; // the last outcome: {key, vars, tone, code}
let busy = false;
const timers = { plan: 0, order: 0 };
let planAt = 0;

const canCommand = () => !!state.user && COMMANDERS.includes(state.user.role);
const personName = (id) => name(state.features.get(id)?.properties) || data.roll?.people.find((p) => p.person_id === id)?.name || id;

export function initEmergency(ctx) {
  viewer = ctx.viewer;
  initEmergencyMap(viewer);
  pens.area = new Drawing(viewer, { height: 0.7, onChange: renderDraw, onFinish: finishDraw });
  pens.line = new LineDrawing(viewer, { height: 0.7, onChange: renderDraw, onFinish: finishDraw });
  const panel = addTool("emergency", { labelKey: "emg.tool", onOpen: () => { refresh(); render(); }, onClose: () => stopDraw() });
  build(panel);
  on("notify", onNotify);
  on("user", () => {
    if (!canCommand()) stopDraw();
    said = null;
    render();
  });
  on("lang", () => { relabel(); render(); if (report) renderReport(); });
  on("upsert", (f) => { if (f.properties?.kind === "weather_station" && isOpen("emergency")) renderWind(); });
  setInterval(() => { if (mode || isOpen("emergency")) loadRoll(); }, ROLL_MS);
  loadOrder(null, true); // a standing order turns the mode on at start
}

// --- data ----------------------------------------------------------------

async function refresh() {
  await Promise.all([loadOrder(), loadRoll()]);
  if (data.plan) return schedulePlan(data.plan.id);
  try {
    const { plans } = await api.get("/api/v1/evacuation/plans");
    const id = (data.order?.active && data.order.plan_id) || plans[0]?.id;
    if (id && !data.plan) await loadPlan(id);
  } catch (err) {
    loadFailed(err);
  }
}

async function loadPlan(id) {
  planAt = Date.now();
  try {
    adopt(await api.get("/api/v1/evacuation/plans/" + encodeURIComponent(id)));
  } catch (err) {
    loadFailed(err);
  }
}

function schedulePlan(id) {
  if (timers.plan) return;
  timers.plan = setTimeout(() => { timers.plan = 0; loadPlan(id); }, Math.max(0, planAt + PLAN_MS - Date.now()));
}

// adopt shows plan v (a View); the editor follows it unless the user has
// edited it (another commander's plan does not wipe the shapes drawn), or
// when force (the user's own POST or PUT came back).
function adopt(v, force = false) {
  if (data.plan && data.plan.id === v.id && v.rev < data.plan.rev && !force) return;
  if (force || !dirty) {
    draft = draftOf(v);
    dirty = false;
    if (ui) setWindInputs(v);
  }
  data.plan = v;
  data.error = "";
  render();
}

function draftOf(v) {
  const shape = (f) => ({ id: f.properties.id, name: f.properties.name || "", geometry: f.geometry, sources: f.properties.sources });
  return { hazards: v.hazards.features.filter((f) => f.properties.source === "drawn").map(shape), closures: v.closures.features.map(shape) };
}

// loadOrder fetches order id (default: the standing or latest one) with its
// lists; at start, a standing order turns the mode on.
async function loadOrder(id = null, start = false) {
  try {
    let o = null;
    if (id) o = await api.get("/api/v1/evacuation/orders/" + encodeURIComponent(id));
    else {
      const { orders } = await api.get("/api/v1/evacuation/orders");
      o = orders.find((x) => x.active) || orders[0] || null;
    }
    data.order = o;
    if (start && o && o.active) {
      setMode(true);
      await loadPlan(o.plan_id);
    }
    render();
  } catch (err) {
    if (!start) loadFailed(err);
  }
}

async function loadRoll() {
  try {
    data.roll = await api.get("/api/v1/muster");
    data.error = "";
    render();
  } catch (err) {
    loadFailed(err);
  }
}

function loadFailed(err) {
  data.error = t("emg.err.load", { msg: err.message });
  render();
}

// onNotify takes the /ws notify frames of the emergency service.
function onNotify(n) {
  if (n.kind === "evacuation_plan" && n.plan) {
    // the plan shown moved on, or a newer one (not while another is ordered)
    const shown = data.plan, ordered = data.order?.active ? data.order.plan_id : null;
    if (!mode && !isOpen("emergency")) return;
    if (shown && n.plan.id === shown.id) {
      if (n.plan.rev > shown.rev) schedulePlan(shown.id);
    } else if (!ordered || ordered === n.plan.id) schedulePlan(n.plan.id);
  } else if (n.kind === "evacuation_order" && n.order) {
    const o = n.order;
    const same = data.order && data.order.id === o.id;
    data.order = { ...(same ? data.order : { acks: [], pending: [] }), ...o, acks: (same && data.order.acks) || [], pending: (same && data.order.pending) || [] };
    if (o.active && !mode) setMode(true);
    if (o.active && (!data.plan || data.plan.id !== o.plan_id)) schedulePlan(o.plan_id);
    if (!timers.order) timers.order = setTimeout(() => { timers.order = 0; loadOrder(o.id); }, ORDER_MS);
    render();
  }
}

// setMode turns the emergency mode on or off: the overlay, the people's
// colours, the layers it needs shown.
function setMode(v) {
  mode = v;
  setMapMode(v);
  if (v) {
    for (const layer of SHOWN_LAYERS) {
      if (state.visible.get(layer) === false) {
        state.visible.set(layer, true);
        emit("layer", { layer, visible: true });
      }
    }
    if (!data.roll) loadRoll();
  }
  render();
}

// --- drawing -------------------------------------------------------------

// LineDrawing is a Drawing whose preview is an open line (a barrier).
class LineDrawing extends Drawing {
  redraw() {
    if (!this.preview) return;
    const { lines, points } = this.preview;
    lines.removeAll();
    points.removeAll();
    const color = C.Color.fromCssColorString(HIGHLIGHT);
    const at = ([lon, lat]) => C.Cartesian3.fromDegrees(lon, lat, this.height);
    for (const p of this.ring) points.add({ position: at(p), pixelSize: 9, color, outlineColor: C.Color.BLACK, outlineWidth: 1.5, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    const pts = this.cursor && this.handler ? [...this.ring, this.cursor] : this.ring;
    if (pts.length >= 2) lines.add({ positions: pts.map(at), width: 3, material: C.Material.fromType("Color", { color }) });
    this.viewer.scene.requestRender();
  }
}

function startDraw(kind) {
  stopDraw();
  if (!mode) setMode(true);
  pen = { kind, d: kind === "closure_line" ? pens.line : pens.area };
  said = null;
  pen.d.start();
  render();
}

function stopDraw() {
  if (!pen) return;
  pen.d.clear();
  pen = null;
  render();
}

// finishDraw ends a shape on the double-click: three vertices make an
// area, two a line.
function finishDraw() {
  if (!pen) return;
  const ring = pen.d.ring;
  const line = pen.kind === "closure_line";
  if (ring.length < (line ? 2 : 3)) {
    said = { key: line ? "emg.draw.few_line" : "emg.draw.few_area", tone: "bad" };
    return render();
  }
  const r8 = (v) => Math.round(v * 1e8) / 1e8;
  const geometry = line ? { type: "LineString", coordinates: ring.map(([lon, lat]) => [r8(lon), r8(lat)]) } : geometryOf(ring);
  const list = pen.kind === "hazard" ? draft.hazards : draft.closures;
  const prefix = pen.kind === "hazard" ? "hazard" : "closure";
  let n = list.length + 1;
  const ids = new Set([...draft.hazards, ...draft.closures].map((s) => s.id));
  while (ids.has(`${prefix}-${n}`)) n++;
  list.push({ id: `${prefix}-${n}`, name: t(`emg.${prefix}.n`, { n }), geometry });
  dirty = true;
  stopDraw();
}

function renderDraw() {
  if (!ui || !pen) return;
  ui.drawStatus.textContent = t("emg.draw.status." + pen.kind, { n: pen.d.ring.length });
  ui.drawUndo.disabled = pen.d.ring.length === 0;
}

// --- plan and order requests -------------------------------------------

// failure says why a call was refused: {key, vars, code} in words, the
// server's code kept.
function failure(err) {
  if (err.status === 401) {
    endSession();
    return { key: "auth.expired", code: "unauthorized" };
  }
  if (err.status === 403) return { key: "emg.err.denied", code: err.code || "forbidden" };
  const code = err.code || "";
  const msg = String(err.message || "").replace(/^evac: (bad request|conflict|not found): /, "");
  return { key: code && tOr("emg.err." + code, null) !== null ? "emg.err." + code : "emg.err.failed", vars: { status: err.status || "—", msg }, code };
}

const feature = (s) => ({ type: "Feature", geometry: s.geometry || null,
  properties: { id: s.id, ...(s.name ? { name: s.name } : {}), ...(s.sources ? { sources: s.sources } : {}) } });

// planBody is the request of the editor; it throws an error with an i18n
// key when the hand-set wind is not numbers in range.
function planBody() {
  const body = { name: ui.name.value.trim(), hazards: draft.hazards.map(feature), closures: draft.closures.map(feature), use_threat_zones: ui.zones.checked };
  if (ui.windManual.checked) {
    const from = Number(ui.windFrom.value), speed = Number(ui.windSpeed.value);
    if (ui.windFrom.value === "" || ui.windSpeed.value === "" || !(from >= 0 && from <= 360) || !(speed >= 0 && speed <= 75)) throw Object.assign(new Error("wind out of range"), { key: "emg.wind.invalid" });
    body.wind = { from_deg: from, speed_ms: speed };
  }
  return body;
}

async function call(run, done) {
  if (busy) return;
  busy = true;
  said = null;
  render();
  try {
    const out = await run();
    said = { ...done(out), tone: "ok", code: "" };
  } catch (err) {
    said = { ...(err.key ? { key: err.key } : failure(err)), tone: "bad" };
  }
  busy = false;
  render();
}

function savePlan(update) {
  stopDraw();
  call(async () => {
    const body = planBody();
    const v = update ? await api.request("PUT", "/api/v1/evacuation/plans/" + encodeURIComponent(data.plan.id), body)
      : await api.post("/api/v1/evacuation/plans", body);
    planAt = Date.now();
    adopt(v, true);
    if (!mode) setMode(true);
    return v;
  }, (v) => ({ key: update ? "emg.plan.updated" : "emg.plan.created", vars: { routed: v.routed, unreachable: v.unreachable_count } }));
}

function issueOrder() {
  const plan = data.plan;
  if (!plan || !window.confirm(t("emg.order.confirm", { n: plan.people }))) return;
  call(async () => {
    const o = await api.post("/api/v1/evacuation/orders", { plan_id: plan.id, message: ui.msg.value.trim(), message_en: ui.msgEn.value.trim() });
    data.order = o;
    return o;
  }, (o) => ({ key: "emg.order.issued", vars: { sent: o.sent } }));
}

function endOrder() {
  const o = data.order;
  if (!o || !o.active || !window.confirm(t("emg.order.end_confirm"))) return;
  call(async () => {
    data.order = await api.post(`/api/v1/evacuation/orders/${encodeURIComponent(o.id)}/end`);
    return data.order;
  }, () => ({ key: "emg.order.ended" }));
}

// --- panel ---------------------------------------------------------------

const label = (key, ...children) => h("span", { dataset: { i18n: key } }, ...children);

function build(panel) {
  const btn = (id, key, act, cls) => h("button", { type: "button", id, class: cls || null, dataset: { act, i18n: key } });
  ui = {
    title: h("h2", { dataset: { i18n: "emg.title" } }),
    mode: h("button", { type: "button", id: "emg-mode", dataset: { act: "mode" } }),
    status: h("p", { class: "dock-note", id: "emg-status" }),
    said: h("p", { id: "emg-message", class: "dock-note emg-message", role: "alert", hidden: true }),
    readonly: h("p", { class: "dock-note", id: "emg-readonly" }),
    name: h("input", { id: "emg-name", maxlength: NAME_MAX, autocomplete: "off" }),
    hazards: h("ul", { id: "emg-hazards", class: "emg-shapes" }),
    closures: h("ul", { id: "emg-closures", class: "emg-shapes" }),
    drawBar: h("div", { id: "emg-drawbar", class: "emg-drawbar", hidden: true }),
    drawStatus: h("span", { id: "emg-draw-status" }),
    drawUndo: btn("emg-draw-undo", "emg.draw.undo", "undo"),
    zones: h("input", { type: "checkbox", id: "emg-use-zones", checked: true }),
    zonesNote: h("small", { id: "emg-zones-note" }),
    windLive: h("input", { type: "radio", name: "emg-wind", id: "emg-wind-live", value: "live", checked: true }),
    windManual: h("input", { type: "radio", name: "emg-wind", id: "emg-wind-manual", value: "manual" }),
    windText: h("span", { id: "emg-wind-text" }),
    windFrom: h("input", { type: "number", id: "emg-wind-from", min: 0, max: 360, step: 1 }),
    windSpeed: h("input", { type: "number", id: "emg-wind-speed", min: 0, max: 75, step: 0.1 }),
    create: btn("emg-create", "emg.create", "create", "primary"),
    update: btn("emg-update", "emg.update", "update"),
    plan: h("section", { id: "emg-plan" }),
    order: h("div", { id: "emg-order" }),
    msg: h("textarea", { id: "emg-order-msg", rows: 2, maxlength: MESSAGE_MAX }),
    msgEn: h("input", { id: "emg-order-msg-en", maxlength: MESSAGE_EN_MAX, autocomplete: "off" }),
    issue: btn("emg-order-issue", "emg.order.issue", "issue", "danger"),
    end: btn("emg-order-end", "emg.order.end", "end"),
    roll: h("div", { id: "emg-roll" }),
    rollBy: h("select", { id: "emg-roll-by" }, Object.keys(GROUPS).map((k) => h("option", { value: k, dataset: { i18n: "emg.roll.by." + k } }))),
  };
  ui.drawBar.append(ui.drawStatus, h("div", { class: "pb-row" }, ui.drawUndo, btn("emg-draw-done", "emg.draw.done", "done", "primary"), btn("emg-draw-cancel", "emg.draw.cancel", "cancel")));
  ui.editor = h("section", { id: "emg-editor", class: "emg-editor" },
    h("h3", { dataset: { i18n: "emg.editor" } }),
    h("label", { class: "form-field" }, label("emg.name"), ui.name),
    h("h4", null, label("emg.hazards")), ui.hazards,
    h("div", { class: "pb-row" }, btn("emg-draw-hazard", "emg.draw.hazard", "draw-hazard")),
    h("h4", null, label("emg.closures")), ui.closures,
    h("div", { class: "pb-row" }, btn("emg-draw-closure-area", "emg.draw.closure_area", "draw-closure_area"), btn("emg-draw-closure-line", "emg.draw.closure_line", "draw-closure_line")),
    ui.drawBar,
    h("label", { class: "emg-check" }, ui.zones, label("emg.zones"), ui.zonesNote),
    h("fieldset", { class: "emg-wind" }, h("legend", { dataset: { i18n: "emg.wind" } }),
      h("label", { class: "emg-check" }, ui.windLive, label("emg.wind.live"), ui.windText),
      h("label", { class: "emg-check" }, ui.windManual, label("emg.wind.manual")),
      h("div", { class: "emg-wind-fields" }, h("label", null, label("emg.wind.from"), ui.windFrom), h("label", null, label("emg.wind.speed"), ui.windSpeed))),
    h("div", { class: "pb-row" }, ui.create, ui.update));
  ui.orderForm = h("div", { id: "emg-order-form", class: "emg-order-form" },
    h("label", { class: "form-field" }, label("emg.order.message"), ui.msg),
    h("label", { class: "form-field" }, label("emg.order.message_en"), ui.msgEn), ui.issue);
  ui.msg.value = DEFAULT_MESSAGE;
  ui.msgEn.value = DEFAULT_MESSAGE_EN;
  const csv = h("a", { id: "emg-csv", href: "/api/v1/muster?format=csv", download: "", dataset: { i18n: "emg.roll.csv" } });
  fill(panel, ui.title, h("div", { class: "pb-row" }, ui.mode, btn("emg-report", "emg.report", "report")), ui.status, ui.said, ui.readonly, ui.editor, ui.plan,
    h("section", { id: "emg-order-sec" }, h("h3", { dataset: { i18n: "emg.order" } }), ui.order, ui.orderForm, ui.end),
    h("section", { id: "emg-roll-sec" }, h("div", { class: "emg-head" }, h("h3", { dataset: { i18n: "emg.roll" } }), csv),
      ui.roll, h("label", { class: "emg-by" }, label("emg.roll.by"), ui.rollBy), h("div", { id: "emg-roll-groups" })));
  panel.addEventListener("click", onClick);
  panel.addEventListener("change", (ev) => { if (ev.target === ui.rollBy) renderRoll(); if (ev.target.name === "emg-wind") renderWind(); });
  // an edit of the editor's fields keeps them through the re-plans
  ui.editor.addEventListener("input", () => { dirty = true; });
  ui.editor.addEventListener("change", () => { dirty = true; });
  relabel();
}

function relabel() {
  if (!ui) return;
  for (const el of document.querySelectorAll("#emergency-panel [data-i18n]")) el.textContent = t(el.dataset.i18n);
}

function setWindInputs(v) {
  const manual = v.wind && v.wind.source === "request";
  ui.windManual.checked = manual;
  ui.windLive.checked = !manual;
  if (manual) {
    ui.windFrom.value = String(v.wind.from_deg);
    ui.windSpeed.value = String(v.wind.speed_ms);
  }
  ui.zones.checked = v.use_threat_zones;
  ui.name.value = v.name || "";
}

function render() {
  drawEmergency({ plan: data.plan, shapes: draft, roll: data.roll });
  if (!ui) return;
  const cmd = canCommand();
  ui.mode.textContent = t(mode ? "emg.mode.off" : "emg.mode.on");
  ui.mode.setAttribute("aria-pressed", String(mode));
  const p = data.plan;
  ui.status.textContent = data.error || (p ? t("emg.plan.head", { name: p.name || p.id, rev: p.rev, time: fmtTime(p.updated_at) }) : t("emg.plan.none"));
  fill(ui.said, said ? t(said.key, said.vars) : "");
  Object.assign(ui.said, { hidden: !said, className: `dock-note emg-message ${said ? "tone-" + said.tone : ""}` });
  ui.said.dataset.code = (said && said.code) || "";
  ui.readonly.hidden = cmd;
  ui.readonly.textContent = t(state.user ? "emg.readonly.role" : "emg.readonly.login");
  ui.editor.hidden = !cmd;
  shapeList(ui.hazards, draft.hazards, "hazard");
  shapeList(ui.closures, draft.closures, "closure");
  ui.drawBar.hidden = !pen;
  renderDraw();
  for (const b of ui.editor.querySelectorAll("[data-act^=draw-]")) b.setAttribute("aria-pressed", String(!!pen && b.dataset.act === "draw-" + pen.kind));
  ui.create.disabled = busy;
  ui.update.disabled = busy || !p;
  ui.update.hidden = !p;
  renderWind();
  renderPlan();
  renderOrder();
  renderRoll();
}

function shapeList(el, list, kind) {
  fill(el, list.length === 0 ? h("li", { class: "dock-note" }, t("emg.none." + kind)) : list.map((s) => h("li", { dataset: { shape: s.id } },
    h("span", { class: "emg-shape-name" }, s.name || s.id), " ",
    h("small", null, s.geometry ? t("emg.geom." + s.geometry.type) : t("emg.geom.sources", { n: (s.sources || []).length })),
    h("button", { type: "button", class: "link danger", dataset: { act: "remove", kind, id: s.id }, title: t("emg.remove") }, "×"))));
}

// liveWind is the freshest weather station's wind, as the map labels it.
function liveWind() {
  let best = null;
  for (const id of state.layers.get("weather_stations") || []) {
    const p = state.features.get(id)?.properties;
    if (p && Number.isFinite(p.wind_from) && Number.isFinite(p.wind_speed) && (!best || String(p.updated) > String(best.updated))) best = p;
  }
  return best;
}

const windWords = (from, speed) => t("map.wind", { dir: t("map.compass." + COMPASS[Math.round((((from % 360) + 360) % 360) / 45) % 8]), speed: Number(speed).toFixed(1) });

// windOf says a plan's wind with its source.
function windOf(w) {
  if (!w) return t("emg.wind.none");
  const src = w.source === "request" ? t("emg.wind.by_hand") : w.source ? t("emg.wind.station", { id: w.source.replace(/^station:/, "") }) : "";
  return `${windWords(w.from_deg, w.speed_ms)}${src}`;
}

function renderWind() {
  if (!ui) return;
  const w = liveWind();
  ui.windText.textContent = w ? ` ${windWords(w.wind_from, w.wind_speed)}${t("emg.wind.station", { id: w.id })}` : ` ${t("emg.wind.none")}`;
  const manual = ui.windManual.checked;
  ui.windFrom.disabled = ui.windSpeed.disabled = !manual;
  ui.zonesNote.textContent = ` ${t("emg.zones.live", { n: (state.layers.get("threat_zones") || new Set()).size })}`;
}

function tile(k, value, text, tone) {
  return h("div", { class: `stat-tile ${tone ? "tone-" + tone : ""}`, dataset: { k } }, h("b", null, String(value)), h("span", null, text));
}

function renderPlan() {
  const p = data.plan;
  ui.plan.dataset.plan = p ? p.id : "";
  ui.plan.dataset.rev = p ? String(p.rev) : "";
  if (!p) return fill(ui.plan);
  const inside = p.routes.features.filter((f) => f.properties.starts_inside).length;
  const arrived = new Map((data.roll?.muster_points || []).map((m) => [m.id, m.arrived]));
  const counts = statusCounts();
  fill(ui.plan, h("h3", null, t("emg.plan")),
    h("div", { class: "stat-tiles", id: "emg-figures" }, tile("people", p.people, t("emg.fig.people")), tile("routed", p.routed, t("emg.fig.routed"), "ok"),
      tile("unreachable", p.unreachable_count, t("emg.fig.unreachable"), p.unreachable_count ? "bad" : ""), tile("inside", inside, t("emg.fig.inside"), inside ? "warn" : "")),
    h("p", { class: "dock-note", id: "emg-plan-wind" }, t("emg.plan.wind", { wind: windOf(p.wind) }), " · ",
      t("emg.plan.shapes", { hazards: draftOf(p).hazards.length, zones: p.threat_zones.length, closures: p.closures.features.length }), " · ", t("emg.plan.ms", { ms: p.plan_ms })),
    h("table", { class: "stat-table", id: "emg-musters" },
      h("thead", null, h("tr", null, ["muster", "load", "arrived", "status"].map((k) => h("th", null, t("emg.col." + k))))),
      h("tbody", null, p.muster_points.map((m) => {
        const sw = h("span", { class: "emg-swatch" });
        sw.style.background = musterColour(m.id);
        return h("tr", { dataset: { muster: m.id, status: m.status, assigned: m.assigned, capacity: m.capacity, arrived: arrived.get(m.id) ?? "" }, class: m.status === "safe" ? "" : "emg-unsafe" },
          h("td", null, h("button", { type: "button", class: "link", dataset: { act: "fly", lon: m.lon, lat: m.lat } }, sw, name(m))),
          h("td", { class: "num", dataset: { k: "load" } }, `${m.assigned}/${m.capacity || "∞"}`),
          h("td", { class: "num", dataset: { k: "arrived" } }, String(arrived.get(m.id) ?? "—")),
          h("td", { class: m.status === "safe" ? "tone-ok" : "tone-bad" }, t("emg.muster." + m.status)));
      }))),
    h("h4", null, t("emg.unreachable", { n: p.unreachable.length })),
    h("ul", { class: "emg-people", id: "emg-unreachable" }, p.unreachable.length === 0 ? h("li", { class: "dock-note" }, t("emg.unreachable.none"))
      : p.unreachable.map((u) => h("li", { dataset: { person: u.person_id, reason: u.reason } },
        h("button", { type: "button", class: "link", dataset: { act: "fly", lon: u.lon, lat: u.lat, person: u.person_id } }, u.name || u.person_id),
        " ", h("small", null, u.tag || ""), " ", h("span", { class: "tone-bad" }, t("emg.reason." + u.reason)),
        u.fallback && h("small", { class: "emg-fallback" }, t("emg.fallback", { muster: musterName(u.fallback.muster_id), m: Math.round(u.fallback.length_m) }))))),
    h("div", { class: "emg-legend", id: "emg-legend" }, Object.keys(PERSON_STYLES).map((k) => h("span", { class: "emg-chip", dataset: { status: k } },
      h("img", { src: statusIcon(k).image.toDataURL(), alt: "", width: 16, height: 16 }), t("emg.status." + k), " ", h("b", null, String(counts[k]))))));
}

const musterName = (id) => name(data.plan?.muster_points.find((m) => m.id === id)) || id;

function renderOrder() {
  const o = data.order, cmd = canCommand();
  const standing = Boolean(o && o.active);
  ui.orderForm.hidden = !cmd || standing || !data.plan;
  ui.issue.disabled = busy;
  ui.end.hidden = !cmd || !standing;
  ui.end.disabled = busy;
  if (!o) return fill(ui.order, h("p", { class: "dock-note" }, t(data.plan ? "emg.order.none" : "emg.order.no_plan")));
  const pending = o.pending || [];
  const bar = h("div", { class: "emg-bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": o.sent, "aria-valuenow": o.acked }, h("i"));
  bar.firstChild.style.width = `${o.sent ? (100 * o.acked) / o.sent : 0}%`;
  fill(ui.order, h("div", { class: `emg-order ${standing ? "standing" : "ended"}`, dataset: { order: o.id, active: String(standing) } },
    h("b", { id: "emg-order-state" }, t(standing ? "emg.order.standing" : "emg.order.ended_at", { time: fmtTime(o.ended_at) })),
    h("p", { id: "emg-order-text" }, (state.lang === "en" && o.message_en) || o.message),
    h("small", null, t("emg.order.by", { by: o.by, time: fmtTime(o.at), id: o.id })),
    h("div", { id: "emg-acks", class: "emg-acks", dataset: { acked: o.acked, sent: o.sent } }, t("emg.order.acks", { acked: o.acked, sent: o.sent })), bar,
    pending.length > 0 && h("details", { id: "emg-pending", open: standing },
      h("summary", null, t("emg.order.pending", { n: pending.length })),
      h("ul", { class: "emg-people" }, pending.slice(0, PENDING_SHOWN).map((a) => h("li", { dataset: { person: a.person_id, tag: a.tag } },
        personName(a.person_id), " ", h("small", null, `${a.tag}${a.muster_id ? " → " + musterName(a.muster_id) : ""}`)))),
      pending.length > PENDING_SHOWN && h("small", null, t("emg.more", { n: pending.length - PENDING_SHOWN })))));
}

function renderRoll() {
  const r = data.roll;
  ui.roll.dataset.at = r ? r.at : "";
  const groups = document.getElementById("emg-roll-groups");
  if (!r) {
    fill(groups);
    return fill(ui.roll, h("p", { class: "dock-note" }, t("emg.loading")));
  }
  const tt = r.totals;
  const lost = r.people.filter((p) => p.status === "unaccounted");
  fill(ui.roll, h("div", { class: "stat-tiles emg-roll-totals", id: "emg-roll-totals" },
    tile("total", tt.total, t("emg.roll.total")), tile("arrived", tt.arrived, t("emg.roll.arrived"), "ok"),
    tile("inside", tt.inside, t("emg.roll.inside"), tt.inside ? "warn" : ""), tile("unaccounted", tt.unaccounted, t("emg.roll.unaccounted"), tt.unaccounted ? "bad" : ""),
    tile("left", tt.left, t("emg.roll.left"))),
  h("small", { class: "dock-note" }, t("emg.roll.at", { at: fmtTime(r.at), since: fmtTime(r.since) })),
  h("h4", null, t("emg.roll.lost", { n: lost.length })),
  h("ul", { class: "emg-people", id: "emg-unaccounted" }, lost.length === 0 ? h("li", { class: "dock-note" }, t("emg.roll.lost.none"))
    : lost.map((p) => h("li", { dataset: { person: p.person_id } },
      h("button", { type: "button", class: "link", dataset: { act: "fly", lon: p.lon, lat: p.lat, person: p.person_id } }, p.name || p.person_id),
      " ", h("small", null, [p.tag, areaName(p.area), t("emg.roll.silent", { d: fmtDuration(p.age_s * 1000) })].filter(Boolean).join(" · "))))));
  const by = ui.rollBy.value;
  fill(groups, h("table", { class: "stat-table", id: "emg-roll-table", dataset: { by } },
    h("thead", null, h("tr", null, ["group", "total", "arrived", "inside", "unaccounted"].map((k) => h("th", null, t("emg.col." + k))))),
    h("tbody", null, (r[GROUPS[by]] || []).map((g) => h("tr", { dataset: { key: g.key } },
      h("td", null, groupName(by, g)), ...["total", "arrived", "inside", "unaccounted"].map((k) => h("td", { class: `num${k === "unaccounted" && g[k] ? " tone-bad" : ""}`, dataset: { k } }, String(g[k]))))))));
}

const areaName = (id) => (id ? name(state.features.get(id)?.properties) || id : "");

function groupName(by, g) {
  if (!g.key) return t("emg.roll.no_key");
  if (by === "identity") return tOr("emg.identity." + g.key, g.key);
  if (by === "area") return (state.lang === "en" && name(state.features.get(g.key)?.properties)) || g.name || g.key;
  return g.key;
}

// fly flies to [lon, lat] (a person's last fix, a muster point) and
// selects the person, if any.
function fly(lon, lat, person) {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
  const s = new C.BoundingSphere(C.Cartesian3.fromDegrees(lon, lat, 0), 30);
  viewer.camera.flyToBoundingSphere(s, { offset: new C.HeadingPitchRange(viewer.camera.heading, C.Math.toRadians(-45), 110), duration: 1.2 });
  if (person) emit("select", { id: person });
}

function onClick(ev) {
  const b = ev.target.closest("[data-act]");
  if (!b) return;
  const act = b.dataset.act;
  if (act.startsWith("draw-")) return startDraw(act.slice(5));
  const run = {
    mode: () => setMode(!mode),
    undo: () => pen && pen.d.undo(),
    done: finishDraw,
    cancel: stopDraw,
    remove: () => {
      const key = b.dataset.kind === "hazard" ? "hazards" : "closures";
      draft[key] = draft[key].filter((s) => s.id !== b.dataset.id);
      dirty = true;
      render();
    },
    create: () => savePlan(false),
    update: () => savePlan(true),
    issue: issueOrder,
    end: endOrder,
    fly: () => fly(Number(b.dataset.lon), Number(b.dataset.lat), b.dataset.person),
    report: openReport,
  }[act];
  if (run) run();
}

// --- the situation report ------------------------------------------------

let report = null; // {el, at, plan, order, roll, image}

// openReport makes the situation report (态势报告) of now: the plan, the
// order, the roll call and a snapshot of the map, on a printable page
// over the viewer.
async function openReport() {
  if (!mode) setMode(true);
  await Promise.all([loadRoll(), data.order ? loadOrder(data.order.id) : null]);
  let el = report?.el;
  if (!el) {
    el = h("div", { id: "emg-report-view", class: "emg-report", role: "dialog", "aria-modal": "true", onclick: onReportClick });
    document.body.append(el);
  }
  report = { el, at: Date.now(), plan: data.plan, order: data.order, roll: data.roll, counts: statusCounts(), image: mapSnapshot() };
  renderReport();
}

function onReportClick(ev) {
  const act = ev.target.closest("[data-report]")?.dataset.report;
  if (act === "print") window.print();
  else if (act === "lang") setLang(state.lang === "en" ? "zh-CN" : "en");
  else if (act === "close") {
    report.el.remove();
    report = null;
  }
}

function renderReport() {
  const { el, at, plan: p, order: o, roll: r, counts, image } = report;
  const site = state.site?.properties || {};
  const row = (cells, head) => h("tr", null, cells.map((c) => h(head ? "th" : "td", null, c)));
  const table = (id, head, rows) => h("table", { id, class: "emg-report-table" }, h("thead", null, row(head.map((k) => t(k)), true)), h("tbody", null, rows.map((c) => row(c))));
  const fig = (k, v) => h("div", { class: "emg-report-fig", dataset: { k } }, h("b", null, String(v)), h("span", null, t(k)));
  const shapes = p ? [...p.hazards.features.map((f) => [t(f.properties.source === "threat_zone" ? "emg.report.zone" : "emg.report.hazard"), f.properties.name || f.properties.id]),
    ...p.closures.features.map((f) => [t("emg.report.closure"), f.properties.name || f.properties.id])] : [];
  const lost = r ? r.people.filter((x) => x.status === "unaccounted") : [];
  fill(el, h("div", { class: "emg-report-bar" },
    h("button", { type: "button", id: "emg-report-print", class: "primary", dataset: { report: "print" } }, t("emg.report.print")),
    h("button", { type: "button", id: "emg-report-lang", dataset: { report: "lang" } }, t("lang.switch")),
    h("button", { type: "button", id: "emg-report-close", dataset: { report: "close" } }, t("emg.report.close"))),
  h("article", { id: "emg-report-doc" },
    h("h1", null, t("emg.report.title", { site: name(site) })),
    h("p", { id: "emg-report-time" }, t("emg.report.at", { time: fmtTime(at) })),
    h("h2", null, t("emg.report.plan")),
    !p ? h("p", null, t("emg.plan.none")) : [
      h("p", { id: "emg-report-plan", dataset: { plan: p.id, rev: p.rev } }, t("emg.plan.head", { name: p.name || p.id, rev: p.rev, time: fmtTime(p.updated_at) }), " · ", t("emg.plan.wind", { wind: windOf(p.wind) })),
      h("div", { class: "emg-report-figs", id: "emg-report-figs" }, fig("emg.fig.people", p.people), fig("emg.fig.routed", p.routed), fig("emg.fig.unreachable", p.unreachable_count)),
      h("h3", null, t("emg.report.status")),
      h("div", { class: "emg-report-figs", id: "emg-report-status" }, Object.keys(PERSON_STYLES).map((k) => fig("emg.status." + k, counts[k]))),
      table("emg-report-shapes", ["emg.col.kind", "emg.col.name"], shapes.length ? shapes : [[t("emg.report.none"), ""]]),
      table("emg-report-musters", ["emg.col.muster", "emg.col.load", "emg.col.arrived", "emg.col.status"],
        p.muster_points.map((m) => [name(m), `${m.assigned}/${m.capacity || "∞"}`, String(r?.muster_points.find((x) => x.id === m.id)?.arrived ?? "—"), t("emg.muster." + m.status)])),
      // without a route: those to rescue (cut off, …) before those sent past capacity
      p.unreachable.length > 0 && table("emg-report-unreachable", ["emg.col.person", "emg.col.reason"],
        [...p.unreachable].sort((a, b) => (a.reason === "no_capacity") - (b.reason === "no_capacity")).map((u) => [`${u.name} ${u.tag || ""}`,
          t("emg.reason." + u.reason) + (u.fallback ? ` · ${t("emg.fallback", { muster: musterName(u.fallback.muster_id), m: Math.round(u.fallback.length_m) })}` : "")]))],
    h("h2", null, t("emg.report.order")),
    !o ? h("p", null, t("emg.order.none")) : h("div", { id: "emg-report-order" },
      h("p", null, h("b", null, t(o.active ? "emg.order.standing" : "emg.order.ended_at", { time: fmtTime(o.ended_at) })), " ", (state.lang === "en" && o.message_en) || o.message),
      h("p", null, t("emg.order.by", { by: o.by, time: fmtTime(o.at), id: o.id })),
      h("p", { id: "emg-report-acks", dataset: { acked: o.acked, sent: o.sent } }, t("emg.order.acks", { acked: o.acked, sent: o.sent }),
        (o.pending || []).length ? ` · ${t("emg.order.pending", { n: o.pending.length })}` : "")),
    h("h2", null, t("emg.report.roll")),
    !r ? h("p", null, t("emg.loading")) : [
      h("div", { class: "emg-report-figs", id: "emg-report-roll" }, ["total", "arrived", "inside", "unaccounted", "left"].map((k) => fig("emg.roll." + k, r.totals[k]))),
      table("emg-report-lost", ["emg.col.person", "emg.col.area", "emg.col.last"], lost.length ? lost.map((x) => [`${x.name} ${x.tag || ""}`, areaName(x.area), fmtTime(x.last_fix)])
        : [[t("emg.roll.lost.none"), "", ""]])],
    h("h2", null, t("emg.report.map")),
    image ? h("img", { id: "emg-report-map", src: image, alt: t("emg.report.map") }) : h("p", null, t("emg.report.nomap"))));
}
