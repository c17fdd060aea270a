// Threat zones (威胁区): the live gas threat zones on the map and in a dock
// tool, and what-if scenarios (事故推演).
//
// Map: the /ws layer threat_zones — each threat zone a translucent fill
// (alpha 0.25) in its level's colour (3 red, 2 orange, 1 yellow) with a
// solid outline, each confidence region (the zone swung by the wind
// direction's spread) a dashed outline without fill, and at each
// incident's source a marker and an arrow pointing downwind (wind_from +
// 180°), as long as the wind is strong, labelled with the substance and
// the wind (map.wind); shown and hidden with the layer's toggle. A
// what-if's zones are a separate overlay: the same colours, a lighter
// fill, dashed outlines, labelled 推演 / what-if, until cleared; it is not
// pickable (its zones are no scene entities).
//
// Panel (a dock tool for everyone): the live incidents from
// GET /api/v1/threats, polled every 2.5 s while open and again on every
// change of the threat_zones layer — substance, source, rate (≥ when the
// detectors are at full scale), confidence, wind, the warnings in words,
// and per level the zone's guideline, concentration and downwind reach
// with the people in it now, big, by name (a click selects and flies to
// the person). Administrators, managers and emergency staff also plan a
// what-if (POST /api/v1/scenarios: a release source of the scene, a
// substance, a rate and duration, the live or a given wind), see its
// zones on the map, and open or delete saved ones; the server's refusals
// show in the panel.
//
// drawnThreats() tells a browser test what the map shows (import it from
// /js/threats.js).
import { state, on, emit, layerOf } from "./state.js";
import { t, tOr, name, fmtTime } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { endSession } from "./auth.js";
import { addTool, isOpen } from "./dock.js";
import * as S from "./shapes.js";
import { RISK } from "./palette.js";
import { polygonsOf } from "./frame.js";
import { plantFrame } from "./viewer.js";
import { loadSubstances, substanceName, substanceIds } from "./substances.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const POLL_MS = 2500;
const CHANGE_MS = 400; // a burst of threat_zones changes reloads the list once
// Roles that may run and delete what-ifs (api/routes.go, POST and DELETE
// /api/v1/scenarios).
const PLANNERS = ["admin", "manager", "emergency"];
const NAME_MAX = 200; // characters (api maxScenarioName)
const MAX_WIND = 50; // m/s (twin/threat whatIfWeather)
const STABILITY = ["A", "B", "C", "D", "E", "F"];
const COLOUR = { red: RISK.red, orange: RISK.orange, yellow: RISK.yellow };
const LEVEL_COLOUR = { 1: RISK.yellow, 2: RISK.orange, 3: RISK.red };
const COMPASS = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];
const FONT = 'bold 14px "Noto Sans CJK SC", sans-serif';
const FAR_M = 10000; // plume.ZoneMaxM: beyond it a zone is reported "> 10 km"

// Map styles: live zones are filled and outlined solid, their confidence
// regions dashed; a what-if is lighter and dashed throughout.
const LIVE = { fill: 0.25, edge: "solid", edgeWidth: 2.5, dash: 16, confWidth: 2, confDash: 16, arrow: "#9be7ff", label: "#ffffff", labelBg: "#8c1d18" };
const WHATIF = { fill: 0.12, edge: "dashed", edgeWidth: 2.5, dash: 16, confWidth: 1.5, confDash: 7, arrow: "#d0b3ff", label: "#ffffff", labelBg: "#5b2a86" };

let viewer = null;
let live = null; // the threat_zones layer's drawing
let liveTimer = 0;
let overlay = null; // the what-if's drawing (and its doc)
let ui = null;
let incidents = []; // the last GET /api/v1/threats
let loadError = "";
let scenarios = []; // the last GET /api/v1/scenarios
let listError = "";
let current = null; // the what-if shown: the saved document
let message = { text: "", tone: "" }; // the last what-if outcome
let timer = 0;
let seq = 0, applied = 0; // poll sequence: a late answer never replaces a newer one
let changeTimer = 0;

// --- map ---------------------------------------------------------------

// A drawing is one set of threat zones on the map (the live layer, or a
// what-if): the zones' primitives, rebuilt only when a zone's shape,
// level or colour changed (not when only the people in it did), and the
// sources' marks — points and labels in collections kept for the
// drawing's life (their glyphs stay cached while the wind's figures
// change) and the downwind arrows.
function newDrawing(style, whatif) {
  const d = { style, whatif, zoneKey: null, zoneItems: [], zones: [], markKey: null, arrow: null, sources: [], show: true,
    points: new C.PointPrimitiveCollection(), labels: new C.LabelCollection() };
  viewer.scene.primitives.add(d.points);
  viewer.scene.primitives.add(d.labels);
  return d;
}

// update draws features (threat-zone GeoJSON features) in drawing d.
function update(d, features) {
  const zoneKey = JSON.stringify(features.map((f) => {
    const p = f.properties || {};
    return [p.id || f.id, p.color, p.level, p.zone, f.geometry && f.geometry.coordinates];
  }));
  if (zoneKey !== d.zoneKey) {
    for (const item of d.zoneItems) viewer.scene.primitives.remove(item);
    const z = zonePrimitives(features, d.style, d.whatif);
    for (const item of z.items) viewer.scene.primitives.add(item);
    Object.assign(d, { zoneKey, zoneItems: z.items, zones: z.zones });
  }
  const marks = sourcesOf(features).map((p) => mark(p, d.whatif));
  const markKey = state.lang + JSON.stringify(marks);
  if (markKey !== d.markKey) {
    d.markKey = markKey;
    drawMarks(d, marks);
  }
  setShown(d, d.show);
}

function setShown(d, show) {
  d.show = show;
  for (const item of [...d.zoneItems, d.points, d.labels, d.arrow]) if (item) item.show = show;
  viewer.scene.requestRender();
}

function destroy(d) {
  for (const item of [...d.zoneItems, d.points, d.labels, d.arrow]) if (item) viewer.scene.primitives.remove(item);
  viewer.scene.requestRender();
}

// zonePrimitives builds the primitives of threat-zone features in a
// style; a what-if's (whatif: its name) are not pickable, as its zones
// are no scene entities.
function zonePrimitives(features, style, whatif) {
  const fills = [], solid = [], dashed = new Map(); // "colour|width|dash" → instances
  const zones = [];
  for (const f of features) {
    const p = f.properties || {};
    const zid = p.id || f.id; // a what-if's features carry their id outside the properties
    const colour = zoneColour(p);
    const level = Math.min(Math.max(Number(p.level) | 0, 1), 3);
    const confidence = p.zone === "confidence";
    const height = S.HEIGHT.threat + 0.02 * (level - 1); // red over orange over yellow
    const polys = polygonsOf(f);
    polys.forEach((rings, part) => {
      const id = whatif === null ? { entity: zid, part } : undefined;
      if (!confidence) fills.push(S.fill(id, rings, height, S.css(colour, style.fill)));
      if (!confidence && style.edge === "solid") {
        solid.push(S.outline(id, rings[0], height + 0.03, S.css(colour), style.edgeWidth));
      } else {
        const width = confidence ? style.confWidth : style.edgeWidth;
        const key = `${colour}|${width}|${confidence ? style.confDash : style.dash}`;
        if (!dashed.has(key)) dashed.set(key, []);
        dashed.get(key).push(dashedRing(id, rings[0], height + 0.03, width));
      }
    });
    zones.push({ id: zid, zone: confidence ? "confidence" : "threat", level, colour, fill: confidence ? 0 : style.fill,
      outline: confidence || style.edge !== "solid" ? "dashed" : "solid", parts: polys.length });
  }
  const items = [S.batch(fills, { translucent: true, flat: true }), S.lines(solid)];
  for (const [key, instances] of dashed) {
    const [colour, , dash] = key.split("|");
    items.push(new C.Primitive({
      geometryInstances: instances, asynchronous: false,
      appearance: new C.PolylineMaterialAppearance({
        material: C.Material.fromType("PolylineDash", { color: S.css(colour), gapColor: C.Color.TRANSPARENT, dashLength: Number(dash) }),
      }),
    }));
  }
  return { items: items.filter(Boolean), zones };
}

function dashedRing(id, ring, height, width) {
  return new C.GeometryInstance({
    id,
    geometry: new C.PolylineGeometry({
      positions: ring.map(([lon, lat]) => C.Cartesian3.fromDegrees(lon, lat, height)),
      width, arcType: C.ArcType.NONE, vertexFormat: C.PolylineMaterialAppearance.VERTEX_FORMAT,
    }),
  });
}

// sourcesOf is one zone's properties per incident (substance and
// scenario), with its id, for the source's mark.
function sourcesOf(features) {
  const out = new Map();
  for (const f of features) {
    const p = f.properties || {};
    const key = `${p.scenario_id || ""}|${p.substance}`;
    if (!out.has(key) && Number.isFinite(p.source_lon) && Number.isFinite(p.source_lat)) out.set(key, { ...p, id: p.id || f.id });
  }
  return [...out.values()];
}

// mark is what the map shows at a source: the arrow points downwind
// (wind_from + 180°) and is 40 m + 25 m per m/s long, as the weather
// stations' arrows; the label names the substance (or the what-if) and
// the wind. Whole degrees and tenths of m/s, as the label shows them.
function mark(p, whatif) {
  const z = Math.max(Number(p.source_height_m) || 0, 0);
  const speed = Math.round((Number(p.wind_speed) || 0) * 10) / 10;
  const from = Number.isFinite(p.wind_from) ? Math.round(p.wind_from) % 360 : null;
  const head = whatif === null ? t("threat.map.source", { substance: substanceName(p.substance) }) : t("threat.map.whatif", { name: whatif });
  return {
    substance: p.substance, source_id: p.source_id || null, lon: p.source_lon, lat: p.source_lat, height_m: z,
    pick: whatif === null ? (p.source_id && state.features.has(p.source_id) ? p.source_id : p.id) : undefined,
    wind_from: from, wind_speed: speed, bearing: from === null ? null : (from + 180) % 360, length_m: from === null ? 0 : 40 + 25 * speed,
    label: [head, whatif === null ? "" : substanceName(p.substance), from === null ? "" : windText(from, speed)].filter(Boolean).join(" · "),
  };
}

function drawMarks(d, marks) {
  d.points.removeAll();
  d.labels.removeAll();
  if (d.arrow) viewer.scene.primitives.remove(d.arrow);
  d.arrow = null;
  const style = d.style, arrows = [];
  for (const m of marks) {
    d.points.add({ id: m.pick, position: C.Cartesian3.fromDegrees(m.lon, m.lat, m.height_m + 1), pixelSize: 13,
      color: S.css(d.whatif === null ? RISK.red : WHATIF.labelBg), outlineColor: C.Color.WHITE, outlineWidth: 2.5,
      disableDepthTestDistance: Number.POSITIVE_INFINITY });
    d.labels.add({
      id: m.pick, position: C.Cartesian3.fromDegrees(m.lon, m.lat, m.height_m + 4), text: m.label, font: FONT,
      fillColor: C.Color.fromCssColorString(style.label), outlineColor: C.Color.BLACK, outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE,
      showBackground: true, backgroundColor: S.css(style.labelBg, 0.85),
      verticalOrigin: C.VerticalOrigin.BOTTOM, pixelOffset: new C.Cartesian2(0, -12), disableDepthTestDistance: Number.POSITIVE_INFINITY,
    });
    if (m.bearing === null) continue;
    const end = offset(m.lon, m.lat, m.length_m, m.bearing);
    arrows.push(new C.GeometryInstance({
      id: m.pick,
      geometry: new C.PolylineGeometry({
        positions: C.Cartesian3.fromDegreesArrayHeights([m.lon, m.lat, m.height_m + 3, end[0], end[1], m.height_m + 3]),
        width: 16, arcType: C.ArcType.NONE, vertexFormat: C.PolylineMaterialAppearance.VERTEX_FORMAT,
      }),
    }));
  }
  if (arrows.length > 0) {
    d.arrow = viewer.scene.primitives.add(new C.Primitive({
      geometryInstances: arrows, asynchronous: false,
      appearance: new C.PolylineMaterialAppearance({ material: C.Material.fromType("PolylineArrow", { color: C.Color.fromCssColorString(style.arrow) }) }),
    }));
  }
  d.sources = marks.map(({ pick, height_m, ...rest }) => rest);
}

function zoneColour(p) {
  return COLOUR[p.color] || LEVEL_COLOUR[p.level] || RISK.red;
}

// offset returns [lon, lat] moved d metres along bearing (degrees from north).
function offset(lon, lat, d, bearing) {
  const fr = plantFrame();
  const b = C.Math.toRadians(bearing);
  return [lon + (d * Math.sin(b)) / fr.mPerDegLon, lat + (d * Math.cos(b)) / fr.mPerDegLat];
}

// initMap draws the live threat_zones layer (coalescing bursts of changes
// into one redraw per 150 ms) and shows it with its layer toggle.
function initMap() {
  live = newDrawing(LIVE, null);
  live.show = state.visible.get("threat_zones") !== false;
  const schedule = () => {
    if (liveTimer) return;
    liveTimer = setTimeout(() => {
      liveTimer = 0;
      update(live, [...(state.layers.get("threat_zones") || [])].map((id) => state.features.get(id)).filter(Boolean));
    }, 150);
  };
  on("snapshot", (snap) => { if (snap.layers && snap.layers.threat_zones) schedule(); });
  on("upsert", (f) => { if (layerOf(f) === "threat_zones") schedule(); });
  on("remove", (r) => { if (r && r.layer === "threat_zones") schedule(); });
  on("layer", ({ layer, visible }) => { if (layer === "threat_zones") setShown(live, visible); });
  on("lang", schedule);
}

// drawWhatIf shows a saved what-if's zones as the overlay (replacing any);
// it shows whatever the layer toggles, until cleared.
function drawWhatIf(doc) {
  clearOverlay();
  const features = (doc && doc.result && doc.result.zones && doc.result.zones.features) || [];
  if (!viewer || features.length === 0) return;
  overlay = newDrawing(WHATIF, doc.name || doc.id);
  overlay.doc = doc;
  update(overlay, features);
}

function clearOverlay() {
  if (!overlay) return;
  destroy(overlay);
  overlay = null;
}

// flyToOverlay frames the what-if's zones.
function flyToOverlay() {
  if (!overlay || !viewer) return;
  const pts = [];
  for (const f of overlay.doc.result.zones.features) for (const rings of polygonsOf(f)) for (const [lon, lat] of rings[0]) pts.push(C.Cartesian3.fromDegrees(lon, lat, 0));
  if (pts.length === 0) return;
  const s = C.BoundingSphere.fromPoints(pts);
  const r = Math.max(s.radius, 40);
  viewer.camera.flyToBoundingSphere(new C.BoundingSphere(s.center, r), {
    offset: new C.HeadingPitchRange(viewer.camera.heading, C.Math.toRadians(-50), r * 3), duration: 1.2,
  });
}

// drawnThreats describes what the map shows, for tests: the live layer's
// and the what-if's zones ({id, zone, level, colour, fill (alpha, 0 for
// none), outline "solid"|"dashed", parts}), sources ({substance,
// source_id, lon, lat, wind_from, wind_speed, bearing, length_m, label})
// and whether they show; null for nothing drawn.
export function drawnThreats() {
  const view = (d) => d && {
    zones: d.zones.map((z) => ({ ...z })), sources: d.sources.map((s) => ({ ...s })),
    shown: d.show && d.zoneItems.length > 0 && d.zoneItems.every((i) => i.show),
  };
  return { live: view(live), whatif: overlay ? { ...view(overlay), id: overlay.doc.id, name: overlay.doc.name } : null };
}

// --- panel -------------------------------------------------------------

// canPlan reports whether the logged-in user may run and delete what-ifs.
function canPlan() {
  return !!state.user && PLANNERS.includes(state.user.role);
}

export function initThreats(ctx) {
  viewer = ctx && ctx.viewer && ctx.viewer.scene ? ctx.viewer : null;
  if (viewer) initMap();
  const panel = addTool("threats", { labelKey: "threat.title", onOpen: open, onClose: stop });
  ui = {
    title: h("h2"), intro: h("p", { class: "dock-note" }),
    showLayer: h("button", { type: "button", id: "threat-show-layer", class: "primary threat-show-layer" }),
    status: h("p", { class: "dock-note", id: "threat-status", role: "status" }),
    heading: h("h3"), empty: h("p", { class: "threat-none", id: "threat-none" }),
    list: h("div", { id: "threat-list", class: "threat-list" }),
    wiHeading: h("h3", { class: "threat-whatif-heading" }), wiIntro: h("p", { class: "dock-note" }),
    readonly: h("p", { class: "dock-note", id: "whatif-readonly" }),
    form: h("form", { id: "whatif-form", class: "fence-form whatif-form", novalidate: true }),
    wiStatus: h("p", { class: "dock-note", id: "whatif-status", role: "status" }),
    result: h("div", { id: "whatif-result", class: "whatif-result" }),
    savedHeading: h("h3"), savedStatus: h("p", { class: "dock-note" }),
    saved: h("ul", { id: "scenario-list", class: "scenario-list" }),
  };
  ui.showLayer.addEventListener("click", showLayer);
  ui.form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  ui.form.addEventListener("change", onFormChange);
  panel.addEventListener("click", onClick);
  fill(panel, ui.title, ui.intro, ui.showLayer, ui.status, ui.heading, ui.empty, ui.list,
    ui.wiHeading, ui.wiIntro, ui.readonly, ui.form, ui.wiStatus, ui.result, ui.savedHeading, ui.savedStatus, ui.saved);
  on("lang", () => {
    if (overlay) update(overlay, overlay.doc.result.zones.features);
    buildForm();
    render(true);
  });
  on("user", () => { if (isOpen("threats")) render(true); });
  on("layer", ({ layer }) => { if (layer === "threat_zones") renderShowLayer(); });
  on("snapshot", (snap) => { if (snap.layers && snap.layers.threat_zones) changed(); });
  on("upsert", (f) => { if (layerOf(f) === "threat_zones") changed(); });
  on("remove", (r) => { if (r && r.layer === "threat_zones") changed(); });
}

function open() {
  buildForm(true);
  render(true);
  poll();
  loadScenarios();
  // The library's names and ids: the form and the list are laid out again
  // once they are known (what was entered is kept).
  loadSubstances().then(() => { if (isOpen("threats")) { buildForm(); render(true); } });
}

function stop() {
  clearTimeout(timer);
  timer = 0;
}

// changed reloads the list soon after the threat_zones layer changed.
function changed() {
  if (!isOpen("threats") || changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = 0;
    if (isOpen("threats")) poll();
  }, CHANGE_MS);
}

async function poll() {
  clearTimeout(timer);
  const mine = ++seq;
  try {
    const body = await api.get("/api/v1/threats");
    if (mine > applied) {
      applied = mine;
      incidents = (body && body.incidents) || [];
      loadError = "";
    }
  } catch (err) {
    if (mine > applied) loadError = t("threat.err.load", { msg: err.message });
  }
  if (!isOpen("threats")) return;
  renderLive();
  if (mine === seq) timer = setTimeout(poll, POLL_MS);
}

async function loadScenarios() {
  try {
    const body = await api.get("/api/v1/scenarios");
    scenarios = (body && body.scenarios) || [];
    listError = "";
  } catch (err) {
    listError = t("threat.err.list", { msg: err.message });
  }
  renderSaved();
}

function render(force = false) {
  ui.title.textContent = t("threat.title");
  ui.intro.textContent = t("threat.intro");
  renderShowLayer();
  renderLive(force);
  const plan = canPlan();
  ui.wiHeading.textContent = t("threat.whatif.title");
  ui.wiIntro.textContent = t("threat.whatif.intro");
  ui.readonly.hidden = plan;
  ui.readonly.textContent = t("threat.whatif.readonly");
  ui.form.hidden = !plan;
  renderMessage();
  renderResult();
  renderSaved();
}

// renderShowLayer offers to show the threat_zones layer while it is off.
function renderShowLayer() {
  ui.showLayer.textContent = t("threat.show_layer");
  ui.showLayer.hidden = state.visible.get("threat_zones") !== false;
}

// showLayer turns the threat_zones layer on, as its toggle in the layer
// panel does (the panel follows state.visible).
function showLayer() {
  state.visible.set("threat_zones", true);
  emit("layer", { layer: "threat_zones", visible: true });
}

// renderLive rebuilds the live list when what it shows changed.
function renderLive(force = false) {
  ui.status.textContent = loadError;
  ui.status.className = `dock-note ${loadError ? "tone-bad" : ""}`;
  ui.heading.textContent = t("threat.live", { n: incidents.length });
  ui.empty.hidden = incidents.length > 0 || Boolean(loadError);
  ui.empty.textContent = t("threat.none");
  // Patched in place, not rebuilt: the zones are recomputed every few
  // seconds, and a click on a name or the keyboard focus must survive it.
  morph(ui.list, h("div", null, incidents.map((inc) => incidentView(inc, false))), force);
}

// morph makes el's children match next's, node by node, keeping the
// elements that stay and changing only their text and attributes (force:
// replace them all).
function morph(el, next, force = false) {
  if (force) {
    fill(el, [...next.childNodes]);
    return;
  }
  const want = [...next.childNodes];
  want.forEach((w, i) => {
    const have = el.childNodes[i];
    if (!have) el.append(w);
    else if (have.nodeType !== w.nodeType || have.nodeName !== w.nodeName) el.replaceChild(w, have);
    else if (have.nodeType === Node.TEXT_NODE) {
      if (have.nodeValue !== w.nodeValue) have.nodeValue = w.nodeValue;
    } else if (have.nodeType === Node.ELEMENT_NODE) {
      for (const a of [...have.attributes]) if (!w.hasAttribute(a.name)) have.removeAttribute(a.name);
      for (const a of [...w.attributes]) if (have.getAttribute(a.name) !== a.value) have.setAttribute(a.name, a.value);
      morph(have, w);
    }
  });
  while (el.childNodes.length > want.length) el.lastChild.remove();
}

// incidentView shows one incident (live or a what-if's).
function incidentView(inc, whatif) {
  const src = inc.source || {}, w = inc.weather || {}, warnings = inc.warnings || [];
  const zones = inc.zones || [];
  const everyone = new Set(zones.flatMap((z) => z.people || []));
  const sourceEl = src.source_id
    ? h("button", { type: "button", class: "link threat-source", dataset: { entity: src.source_id } }, entityLabel(src.source_id))
    : h("span", { class: "threat-source" }, t("threat.source.estimated", { lon: fixed(src.source_lon, 5), lat: fixed(src.source_lat, 5) }));
  const rate = t("threat.rate.value", { ge: warnings.includes("rate_lower_bound") ? "≥" : "", v: fmtRate(src.rate_g_s) });
  const facts = [
    [t("threat.source"), sourceEl],
    [t("threat.rate"), h("span", { class: "threat-rate" }, rate)],
    !whatif && [t("threat.confidence"), t("threat.confidence.value", { p: Math.round((Number(src.confidence) || 0) * 100) })],
    [t("threat.wind"), weatherText(w)],
    !whatif && (inc.detectors || []).length > 0 && [t("threat.detectors"), inc.detectors.join("、")],
    [t("threat.computed"), h("span", { class: "threat-computed" }, fmtTime(inc.computed_at))],
  ].filter(Boolean);
  const firstZone = zones.find((z) => z.zone !== "confidence") || zones[0];
  return h("article", { class: `threat-incident${whatif ? " whatif" : ""}`, dataset: { substance: inc.substance } },
    h("header", { class: "threat-head" },
      h("span", { class: "threat-substance" }, substanceName(inc.substance)),
      !whatif && firstZone && h("button", { type: "button", class: "threat-locate", dataset: { entity: firstZone.id } }, t("threat.locate"))),
    h("div", { class: `threat-total${everyone.size > 0 ? " at-risk" : ""}` },
      h("b", { class: "threat-count" }, String(everyone.size)),
      h("span", null, t("threat.people.total"))),
    h("dl", { class: "threat-facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
    inc.error && h("p", { class: "threat-error tone-bad" }, t("threat.error", { msg: inc.error })),
    warnings.length > 0 && h("ul", { class: "threat-warnings", "aria-label": t("threat.warnings") },
      warnings.map((code) => h("li", { dataset: { warning: code } }, tOr("threat.warn." + code, code)))),
    h("ul", { class: "threat-zones" }, levels(zones).map((lv) => zoneView(lv, warnings))));
}

// levels pairs each level's threat zone with its confidence region, red first.
function levels(zones) {
  const by = new Map();
  for (const z of zones) {
    const lv = Number(z.level) || 1;
    if (!by.has(lv)) by.set(lv, { level: lv, threat: null, confidence: null });
    by.get(lv)[z.zone === "confidence" ? "confidence" : "threat"] = z;
  }
  return [...by.values()].sort((a, b) => b.level - a.level);
}

function zoneView(lv, warnings) {
  const z = lv.threat || lv.confidence;
  const inside = (lv.threat && lv.threat.people) || [];
  const swing = ((lv.confidence && lv.confidence.people) || []).filter((id) => !inside.includes(id));
  const far = warnings.includes("zone_beyond_10_km") && Number(z.distance_m) >= FAR_M;
  const swatch = h("span", { class: "threat-swatch" });
  swatch.style.background = zoneColour(z);
  return h("li", { class: `threat-zone lvl-${lv.level}`, dataset: { zoneId: z.id, level: lv.level } },
    h("div", { class: "threat-zone-head" }, swatch,
      h("span", { class: "threat-level" }, t("threat.level." + lv.level)),
      h("span", { class: "threat-conc" }, t("threat.zone.conc", { guideline: z.guideline || "—", ppm: fmtNumber(z.ppm) })),
      h("span", { class: "threat-reach" }, far ? t("threat.reach.far") : t("threat.reach", { m: fmtNumber(Math.round(Number(z.distance_m) || 0)) }))),
    lv.threat
      ? h("div", { class: `threat-zone-people${inside.length > 0 ? " at-risk" : ""}` },
        h("b", { class: "threat-zone-count" }, String(inside.length)),
        h("span", null, inside.length > 0 ? t("threat.zone.people") : t("threat.zone.nobody")),
        personButtons(inside))
      : h("p", { class: "dock-note" }, t("threat.zone.confidence_only")),
    swing.length > 0 && h("div", { class: "threat-zone-swing" },
      h("span", null, t("threat.zone.confidence", { n: swing.length })), personButtons(swing)));
}

function personButtons(ids) {
  return h("span", { class: "threat-people" }, ids.map((id) =>
    h("button", { type: "button", class: "link threat-person", dataset: { entity: id } }, entityLabel(id))));
}

function weatherText(w) {
  if (!Number.isFinite(w.wind_from)) return "—";
  const wind = t("threat.wind.value", { wind: windText(w.wind_from, Number(w.wind_speed) || 0), cls: w.stability || "—" });
  const from = w.stability_from === "given" ? t("threat.wind.given") : w.station_id ? t("threat.wind.station", { id: w.station_id }) : "";
  return wind + from;
}

function windText(from, speed) {
  return t("map.wind", { dir: t("map.compass." + COMPASS[Math.round((((from % 360) + 360) % 360) / 45) % 8]), speed: speed.toFixed(1) });
}

// entityLabel names an entity from the scene ("name (id)" for equipment,
// the name for a person), else shows the id.
function entityLabel(id) {
  const f = state.features.get(id);
  if (!f) return id;
  const n = name(f.properties);
  if (f.properties.kind === "person") return n || id;
  return n && n !== id ? `${n} (${id})` : id;
}

function fmtRate(v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return "—";
  return n >= 100 ? fmtNumber(Math.round(n)) : n.toFixed(1);
}

function fmtNumber(v) {
  const n = Number(v);
  return Number.isFinite(n) ? n.toLocaleString(state.lang === "en" ? "en" : "zh-CN") : "—";
}

function fixed(v, d) {
  const n = Number(v);
  return Number.isFinite(n) ? n.toFixed(d) : "—";
}

function onClick(ev) {
  const ent = ev.target.closest("[data-entity]");
  if (ent) {
    emit("flyto", { id: ent.dataset.entity });
    emit("select", { id: ent.dataset.entity });
    return;
  }
  const act = ev.target.closest("[data-action]");
  if (!act) return;
  const li = act.closest("li[data-scenario-id]");
  switch (act.dataset.action) {
    case "whatif-clear": clearWhatIf(); break;
    case "whatif-locate": flyToOverlay(); break;
    case "scenario-open": if (li) openScenario(li.dataset.scenarioId, act); break;
    case "scenario-delete": if (li) deleteScenario(li.dataset.scenarioId, act); break;
  }
}

// --- what-if -----------------------------------------------------------

// releaseSources are the scene's release sources: equipment marked
// release_source, tanks holding a substance (twin/coverage IsSource).
function releaseSources() {
  const out = [];
  for (const layer of ["equipment", "tanks"]) {
    for (const id of state.layers.get(layer) || []) {
      const f = state.features.get(id);
      const p = f && f.properties;
      if (!p) continue;
      if (p.release_source === true || (p.release_source !== false && p.kind === "tank" && p.substance)) {
        out.push({ id, label: entityLabel(id), substance: p.substance || "" });
      }
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

// substances are the library's, then any other a source holds.
function substances(sources) {
  const out = substanceIds();
  for (const s of sources) if (s.substance && !out.includes(s.substance)) out.push(s.substance);
  return out;
}

// liveWind is the first weather station's wind (the given weather's
// defaults), or null.
function liveWind() {
  for (const id of state.layers.get("weather_stations") || []) {
    const p = state.features.get(id)?.properties;
    if (p && Number.isFinite(p.wind_speed) && Number.isFinite(p.wind_from)) {
      return { speed: Math.round(p.wind_speed * 10) / 10, from: Math.round(p.wind_from), stability: STABILITY.includes(p.stability) ? p.stability : "D" };
    }
  }
  return null;
}

// buildForm lays the form out in the current language, keeping what was
// entered (reset: the defaults).
function buildForm(reset = false) {
  const keep = !reset && ui.form.elements.length ? readForm() : null;
  const sources = releaseSources();
  const field = (key, input, cls) => h("label", { class: `form-field ${cls || ""}` }, h("span", null, t("threat.whatif.field." + key)), input);
  const number = (n, attrs) => h("input", { name: n, type: "number", inputmode: "decimal", step: "any", ...attrs });
  fill(ui.form,
    field("name", h("input", { name: "name", maxlength: NAME_MAX, placeholder: t("threat.whatif.name.placeholder") })),
    sources.length === 0 && h("p", { class: "dock-note" }, t("threat.whatif.nosources")),
    field("source", h("select", { name: "source" }, sources.map((s) => h("option", { value: s.id, dataset: { substance: s.substance } }, s.label)))),
    field("substance", h("select", { name: "substance" }, substances(sources).map((id) => h("option", { value: id }, substanceName(id))))),
    h("div", { class: "fence-grid whatif-grid" },
      field("rate", number("rate", { min: 0, required: true })),
      field("duration", number("duration", { min: 0 }))),
    h("fieldset", { class: "whatif-weather" }, h("legend", null, t("threat.whatif.field.weather")),
      h("label", { class: "whatif-choice" }, h("input", { type: "radio", name: "weather", value: "live" }), t("threat.whatif.weather.live")),
      h("label", { class: "whatif-choice" }, h("input", { type: "radio", name: "weather", value: "given" }), t("threat.whatif.weather.given")),
      h("div", { class: "fence-grid whatif-given" },
        field("wind_speed", number("wind_speed", { min: 0, max: MAX_WIND })),
        field("wind_from", number("wind_from", { min: 0, max: 360 })),
        field("stability", h("select", { name: "stability" }, STABILITY.map((c) => h("option", { value: c }, t("threat.whatif.stability." + c))))))),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary", disabled: sources.length === 0 }, t("threat.whatif.run"))));
  const wind = liveWind();
  // the source of a live incident first: the release being planned for
  const leaking = incidents.map((i) => i.source && i.source.source_id).filter(Boolean);
  const first = sources.find((s) => leaking.includes(s.id)) || sources[0];
  fillForm(keep || {
    name: "", source: first ? first.id : "", substance: first ? first.substance : "", rate: "", duration: "0",
    weather: "live", wind_speed: wind ? String(wind.speed) : "", wind_from: wind ? String(wind.from) : "", stability: wind ? wind.stability : "D",
  });
}

function readForm() {
  const e = ui.form.elements;
  const checked = ui.form.querySelector("[name=weather]:checked");
  return {
    name: e.name.value.trim(), source: e.source.value, substance: e.substance.value, rate: e.rate.value, duration: e.duration.value,
    weather: checked ? checked.value : "live", wind_speed: e.wind_speed.value, wind_from: e.wind_from.value, stability: e.stability.value,
  };
}

function fillForm(v) {
  const e = ui.form.elements;
  e.name.value = v.name;
  if (v.source) e.source.value = v.source;
  if (v.substance) e.substance.value = v.substance;
  e.rate.value = v.rate;
  e.duration.value = v.duration;
  for (const r of ui.form.querySelectorAll("[name=weather]")) r.checked = r.value === v.weather;
  e.wind_speed.value = v.wind_speed;
  e.wind_from.value = v.wind_from;
  e.stability.value = v.stability;
  syncWeather();
}

function onFormChange(ev) {
  if (ev.target.name === "source") {
    const opt = ev.target.selectedOptions[0];
    if (opt && opt.dataset.substance) ui.form.elements.substance.value = opt.dataset.substance;
  }
  if (ev.target.name === "weather") syncWeather();
}

// syncWeather enables the given weather's fields only when chosen.
function syncWeather() {
  const given = readForm().weather === "given";
  const box = ui.form.querySelector(".whatif-given");
  box.hidden = !given;
  for (const el of box.querySelectorAll("input, select")) el.disabled = !given;
}

// request turns the form into a POST /api/v1/scenarios body, or returns
// {error} saying why it cannot be sent.
function request(v) {
  const num = (s) => (String(s).trim() === "" ? NaN : Number(s));
  const rate = num(v.rate), duration = String(v.duration).trim() === "" ? 0 : num(v.duration);
  if (!v.source) return { error: t("threat.err.source") };
  if (!(rate > 0) || !Number.isFinite(rate)) return { error: t("threat.err.rate") };
  if (!(duration >= 0) || !Number.isFinite(duration)) return { error: t("threat.err.duration") };
  const body = {
    name: v.name || t("threat.whatif.autoname", { source: v.source, rate: fmtRate(rate) }),
    source_id: v.source, substance: v.substance || undefined,
    release: { type: "direct", rate_g_s: rate, duration_s: duration },
  };
  if ([...body.name].length > NAME_MAX) return { error: t("threat.err.name", { n: NAME_MAX }) };
  if (v.weather === "given") {
    const speed = num(v.wind_speed), from = num(v.wind_from);
    if (!(speed > 0 && speed <= MAX_WIND)) return { error: t("threat.err.wind_speed", { max: MAX_WIND }) };
    if (!(from >= 0 && from <= 360)) return { error: t("threat.err.wind_from") };
    if (!STABILITY.includes(v.stability)) return { error: t("threat.err.stability") };
    body.weather = { wind_speed: speed, wind_from: from, stability: v.stability };
  }
  return { body };
}

async function run() {
  const { body, error } = request(readForm());
  showError(error || "");
  if (error) return;
  const button = ui.form.querySelector("button[type=submit]");
  button.disabled = true;
  button.textContent = t("threat.whatif.running");
  try {
    const doc = await api.post("/api/v1/scenarios", body);
    show(doc);
    message = { text: t("threat.whatif.saved", { id: doc.id }), tone: "ok" };
    ui.form.elements.name.value = "";
    renderMessage();
    ui.result.scrollIntoView({ block: "nearest" });
    loadScenarios();
  } catch (err) {
    showError(failure(err));
  } finally {
    button.disabled = false;
    button.textContent = t("threat.whatif.run");
  }
}

// show makes doc the what-if shown, in the panel and on the map.
function show(doc) {
  current = doc;
  drawWhatIf(doc);
  renderResult();
  renderSaved();
}

function clearWhatIf() {
  current = null;
  clearOverlay();
  message = { text: "", tone: "" };
  renderMessage();
  renderResult();
  renderSaved();
}

async function openScenario(id, button) {
  button.disabled = true;
  try {
    show(await api.get(`/api/v1/scenarios/${encodeURIComponent(id)}`));
    message = { text: "", tone: "" };
  } catch (err) {
    message = { text: failure(err), tone: "error" };
  } finally {
    button.disabled = false;
  }
  renderMessage();
}

async function deleteScenario(id, button) {
  const s = scenarios.find((x) => x.id === id);
  if (!window.confirm(t("threat.whatif.delete.confirm", { name: s ? s.name : id }))) return;
  button.disabled = true;
  try {
    await api.request("DELETE", `/api/v1/scenarios/${encodeURIComponent(id)}`);
    message = { text: t("threat.whatif.deleted", { id }), tone: "ok" };
    if (current && current.id === id) {
      current = null;
      clearOverlay();
      renderResult();
    }
  } catch (err) {
    message = { text: failure(err), tone: "error" };
    button.disabled = false;
  }
  renderMessage();
  await loadScenarios();
}

function renderMessage() {
  ui.wiStatus.textContent = message.text;
  ui.wiStatus.className = `dock-note ${message.tone === "ok" ? "tone-ok" : message.tone ? "tone-bad" : ""}`;
}

// renderResult shows the current what-if: its incident, and Clear.
function renderResult() {
  ui.result.hidden = !current;
  if (!current) {
    fill(ui.result);
    return;
  }
  const inc = (current.result && current.result.incident) || { zones: [] };
  const drawn = ((current.result && current.result.zones && current.result.zones.features) || []).length;
  fill(ui.result,
    h("div", { class: "whatif-result-head" },
      h("span", { class: "whatif-tag" }, t("threat.whatif.tag")),
      h("span", { class: "whatif-name" }, t("threat.whatif.result", { name: current.name || current.id })),
      h("small", null, t("threat.whatif.by", { who: current.by || "—", time: fmtTime(current.created_at) }))),
    drawn === 0 && h("p", { class: "dock-note tone-warn" }, t("threat.whatif.nozones")),
    incidentView(inc, true),
    h("div", { class: "form-buttons" },
      drawn > 0 && h("button", { type: "button", dataset: { action: "whatif-locate" } }, t("threat.whatif.locate")),
      h("button", { type: "button", id: "whatif-clear", dataset: { action: "whatif-clear" } }, t("threat.whatif.clear"))));
}

function renderSaved() {
  ui.savedHeading.textContent = t("threat.whatif.list", { n: scenarios.length });
  ui.savedStatus.textContent = listError || (scenarios.length === 0 ? t("threat.whatif.list.none") : "");
  ui.savedStatus.className = `dock-note ${listError ? "tone-bad" : ""}`;
  const plan = canPlan();
  fill(ui.saved, scenarios.map((s) => h("li", { class: "scenario", dataset: { scenarioId: s.id }, "aria-current": current && current.id === s.id ? "true" : false },
    h("div", { class: "scenario-main" },
      h("span", { class: "scenario-name" }, s.name),
      h("small", null, t("threat.whatif.by", { who: s.by, time: fmtTime(s.created_at) }))),
    h("div", { class: "scenario-buttons" },
      h("button", { type: "button", class: "scenario-open", dataset: { action: "scenario-open" } }, t("threat.whatif.open")),
      plan && h("button", { type: "button", class: "danger scenario-delete", dataset: { action: "scenario-delete" } }, t("threat.whatif.delete"))))));
}

function failure(err) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("threat.err.denied");
  if (err.status === 400) return t("threat.err.refused", { msg: err.message });
  return t("threat.err.failed", { status: err.status || "—", msg: err.message });
}

function showError(text) {
  const el = ui.form.querySelector(".form-error");
  el.textContent = text;
  el.hidden = !text;
}
