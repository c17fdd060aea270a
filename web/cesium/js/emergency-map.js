// The emergency mode's map (指挥决策一张图, W8), driven by emergency.js:
// while the mode is on, the evacuation plan over the plant —
//
//   - each routed person's way to their muster point as a line in the
//     muster point's colour with dark chevrons that flow along it towards
//     the muster point (a material whose offset moves with time, set as
//     each frame renders; the scene renders on request, and a frame is
//     requested here when none was drawn for four times a frame's cost, so
//     that software WebGL stays responsive);
//   - the no_capacity people's fallback (the way to the nearest safe muster
//     point over its capacity, what they are told) dashed;
//   - the drawn hazards filled red, the live threat zones the plan used
//     outlined (threats.js fills them already), the closures orange:
//     areas filled, barrier lines dashed orange and black;
//   - at each muster point its load (assigned/capacity, arrived from the
//     roll call) on a label in its colour, a ring around it, and an unsafe
//     one ringed red with the reason;
//   - the people coloured by where they stand in the evacuation (movers.js
//     setPersonStyle): safe (arrived at a muster point, or gone out of the
//     plant, in the roll call), moving (routed, or sent past capacity), in
//     a hazard (routed from inside one), without a route (shelter in
//     place), unaccounted (the roll call's: no fix for a minute).
//
// The wind is the weather stations' arrow (live.js); it is not drawn
// again. drawnEmergency() tells a browser test what the map shows (import
// it from /js/emergency-map.js).
import { state } from "./state.js";
import { t, name } from "./i18n.js";
import * as S from "./shapes.js";
import { polygonsOf } from "./frame.js";
import { plantFrame } from "./viewer.js";
import { setPersonStyle } from "./movers.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

// PERSON_STYLES: a person's evacuation status → colour and glyph
// (Okabe–Ito, distinct under the common colour-vision deficiencies; the
// glyph says it without the colour).
export const PERSON_STYLES = {
  safe: { colour: "#009e73", glyph: "tick" },
  moving: { colour: "#56b4e9", glyph: "arrow" },
  in_hazard: { colour: "#d55e00", glyph: "bang" },
  no_route: { colour: "#cc79a7", glyph: "cross" },
  unaccounted: { colour: "#8e8e93", glyph: "query" },
};
// Muster points' colours, by their order in the plan (routes, labels).
// No reds or oranges: those are the hazards' and the closures'.
const MUSTER_COLOURS = ["#4fc3f7", "#aed581", "#ce93d8", "#fff176", "#4db6ac", "#90caf9", "#f48fb1", "#c5e1a5"];
const HAZARD = "#ff3b30", CLOSURE = "#ff9f0a", UNSAFE = "#ff3b30";
const ROUTE_Z = 1.2, ROUTE_PX = 9, FALLBACK_PX = 5;
const CHEVRON_PX = 22; // chevron spacing on screen, CSS pixels
const FLOW_HZ = 1.2; // chevrons passing a point per second
const MIN_GAP_MS = 33, MAX_GAP_MS = 400; // between animation frames
const FONT = 'bold 13px "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

// The flowing route: the line in its colour, edged darker, with dark
// chevrons (">", towards the route's end: the muster point) every
// CHEVRON_PX along it, moving with offset. The pattern is laid out in
// window coordinates along the line's direction (v_polylineAngle, as
// Cesium's PolylineDash does): the polylines' texture coordinate s counts
// vertices, not metres, and routes that share a walkway draw the same
// chevrons on it. One material per colour: one draw call each.
const FLOW = "ChemtwinEvacFlow";
const FLOW_SOURCE = `
uniform vec4 color;
uniform float spacing;
uniform float offset;
in float v_polylineAngle;
czm_material czm_getMaterial(czm_materialInput materialInput)
{
    czm_material material = czm_getDefaultMaterial(materialInput);
    float c = cos(v_polylineAngle), s = sin(v_polylineAngle);
    float along = dot(vec2(c, -s), gl_FragCoord.xy) / (spacing * czm_pixelRatio);
    float side = abs(materialInput.st.t - 0.5) * 2.0;
    float phase = fract(along - offset + side * 0.45);
    float chevron = step(phase, 0.28) * step(side, 0.8);
    vec3 rgb = mix(color.rgb, color.rgb * 0.45, step(0.8, side));
    rgb = mix(rgb, vec3(0.06, 0.09, 0.13), chevron);
    vec4 outColor = czm_gammaCorrect(vec4(rgb, color.a));
    material.diffuse = outColor.rgb;
    material.alpha = outColor.a;
    return material;
}`;

let viewer = null;
let root = null; // PrimitiveCollection of everything drawn here
const parts = { routes: null, fallbacks: null, shapes: [], musters: [] };
const keys = { routes: "", shapes: "", musters: "" };
const materials = new Map(); // colour → flowing Material
let on = false;
let phase = 0, lastFrame = 0, frameMs = 20, renderStart = 0; // the chevrons' offset; frame timing, ms
let drawn = { routes: 0, fallbacks: 0, hazards: 0, zones: 0, closures: 0, musters: [] };
const index = { route: new Map(), unreachable: new Map(), roll: new Map(), muster: new Map() };

export function initEmergencyMap(v) {
  viewer = v;
  root = v.scene.primitives.add(new C.PrimitiveCollection({ destroyPrimitives: true }));
  root.show = false;
  v.scene.preUpdate.addEventListener(animate);
  v.scene.preRender.addEventListener(() => {
    renderStart = performance.now();
    if (on) flow(renderStart);
  });
  v.scene.postRender.addEventListener(() => {
    lastFrame = performance.now();
    frameMs = 0.8 * frameMs + 0.2 * (lastFrame - renderStart);
  });
}

// setMapMode shows (true) or hides the overlay and the people's colours.
export function setMapMode(show) {
  on = Boolean(show);
  if (!root) return;
  root.show = on;
  setPersonStyle(on ? personIcon : null);
  viewer.scene.requestRender();
}

// musterColour is muster point id's colour in the plan shown.
export function musterColour(id) {
  const i = index.muster.get(id);
  return i === undefined ? "#93a9bf" : MUSTER_COLOURS[i % MUSTER_COLOURS.length];
}

// statusOf is person id's evacuation status (a PERSON_STYLES key), or
// null when neither the plan nor the roll call knows them.
export function statusOf(id) {
  const r = index.roll.get(id);
  if (r && r.status === "unaccounted") return "unaccounted";
  if (r && (r.status === "arrived" || r.status === "left")) return "safe";
  const route = index.route.get(id);
  if (route) return route.starts_inside ? "in_hazard" : "moving";
  const u = index.unreachable.get(id);
  if (u) return u.fallback ? "moving" : "no_route";
  return null;
}

// statusCounts counts the people of the plan and the roll call by status.
export function statusCounts() {
  const out = Object.fromEntries(Object.keys(PERSON_STYLES).map((k) => [k, 0]));
  for (const id of new Set([...index.roll.keys(), ...index.route.keys(), ...index.unreachable.keys()])) {
    const s = statusOf(id);
    if (s) out[s]++;
  }
  return out;
}

// drawEmergency draws the plan (a View of GET /api/v1/evacuation/plans/{id},
// or null), the drawn shapes ({hazards, closures}: [{id, name, geometry}])
// and the roll call (GET /api/v1/muster, or null); what did not change is
// not rebuilt.
export function drawEmergency({ plan, shapes, roll }) {
  if (!root) return;
  reindex(plan, roll);
  const routesKey = plan ? `${plan.id}#${plan.rev}` : "";
  if (routesKey !== keys.routes) {
    keys.routes = routesKey;
    drawRoutes(plan);
  }
  const zones = plan ? plan.hazards.features.filter((f) => f.properties.source === "threat_zone") : [];
  const shapesKey = JSON.stringify([shapes, zones.map((z) => [z.properties.id, z.geometry])]);
  if (shapesKey !== keys.shapes) {
    keys.shapes = shapesKey;
    drawShapes(shapes, zones);
  }
  const mustersKey = JSON.stringify([plan && plan.muster_points, roll && roll.muster_points, state.lang]);
  if (mustersKey !== keys.musters) {
    keys.musters = mustersKey;
    drawMusters(plan, roll);
  }
  if (on) setPersonStyle(personIcon);
  viewer.scene.requestRender();
}

function reindex(plan, roll) {
  for (const m of Object.values(index)) m.clear();
  for (const f of (plan && plan.routes.features) || []) index.route.set(f.properties.person_id, f.properties);
  for (const u of (plan && plan.unreachable) || []) index.unreachable.set(u.person_id, u);
  for (const e of (roll && roll.people) || []) index.roll.set(e.person_id, e);
  ((plan && plan.muster_points) || []).forEach((m, i) => index.muster.set(m.id, i));
}

function replace(part, items) {
  for (const item of [parts[part]].flat()) if (item) root.remove(item);
  parts[part] = items;
  for (const item of [items].flat()) if (item) root.add(item);
}

function flowMaterial(colour) {
  let m = materials.get(colour);
  if (!m) {
    m = new C.Material({ fabric: { type: FLOW, uniforms: { color: S.css(colour, 0.95), spacing: CHEVRON_PX, offset: phase }, source: FLOW_SOURCE }, translucent: false });
    materials.set(colour, m);
  }
  return m;
}

const positions = (coords) => C.Cartesian3.fromDegreesArrayHeights(coords.flatMap(([lon, lat]) => [lon, lat, ROUTE_Z]));

// drawRoutes draws every route flowing, grouped by colour (one draw call
// per colour), and the fallbacks dashed.
function drawRoutes(plan) {
  materials.clear();
  const lines = [];
  for (const f of (plan && plan.routes.features) || []) {
    const coords = f.geometry && f.geometry.type === "LineString" ? f.geometry.coordinates : [];
    if (coords.length >= 2) lines.push({ id: f.properties.person_id, coords, colour: musterColour(f.properties.muster_id) });
  }
  lines.sort((a, b) => a.colour.localeCompare(b.colour));
  const routes = new C.PolylineCollection();
  for (const l of lines) routes.add({ id: l.id, positions: positions(l.coords), width: ROUTE_PX, material: flowMaterial(l.colour) });
  const fallbacks = new C.PolylineCollection();
  let nf = 0;
  for (const u of (plan && plan.unreachable) || []) {
    const g = u.fallback && u.fallback.geometry;
    if (!g || g.type !== "LineString" || g.coordinates.length < 2) continue;
    fallbacks.add({ id: u.person_id, positions: positions(g.coordinates), width: FALLBACK_PX,
      material: C.Material.fromType("PolylineDash", { color: S.css(musterColour(u.fallback.muster_id), 0.95), gapColor: C.Color.TRANSPARENT, dashLength: 14 }) });
    nf++;
  }
  replace("routes", routes);
  replace("fallbacks", fallbacks);
  drawn = { ...drawn, routes: lines.length, fallbacks: nf };
}

// flow sets the chevrons' offset for a frame about to render at now.
function flow(now) {
  phase = ((now / 1000) * FLOW_HZ) % 1;
  for (const m of materials.values()) m.uniforms.offset = phase;
}

// animate asks for a frame when none was drawn for a while (the people
// moving draw most of them): at most every four frames' cost, so that
// software WebGL keeps some time for the rest.
function animate() {
  if (!on || materials.size === 0) return;
  if (performance.now() - lastFrame >= Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, 4 * frameMs))) viewer.scene.requestRender();
}

const linesOf = (g) => (!g ? [] : g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : []);

// drawShapes draws the hazards and closures drawn, and outlines the live
// threat zones the plan routed around.
function drawShapes(shapes, zones) {
  const fills = [], edges = [];
  const hz = shapes.hazards || [], cl = shapes.closures || [];
  const area = (sh, colour, alpha, z) => polygonsOf(sh).forEach((rings, k) => {
    fills.push(S.fill({ entity: sh.id, part: k }, rings, z, S.css(colour, alpha)));
    edges.push(S.outline({ entity: sh.id, part: k }, rings[0], z + 0.02, S.css(colour, 0.95), 3));
  });
  for (const sh of hz) area(sh, HAZARD, 0.32, S.HEIGHT.threat + 0.03);
  for (const sh of cl) area(sh, CLOSURE, 0.3, S.HEIGHT.threat + 0.06);
  for (const z of zones) polygonsOf(z).forEach((rings, k) => edges.push(S.outline({ entity: z.properties.id, part: k }, rings[0], S.HEIGHT.threat + 0.05, S.css(HAZARD, 1), 4)));
  const barriers = new C.PolylineCollection();
  let nb = 0;
  for (const sh of cl) {
    for (const line of linesOf(sh.geometry)) {
      barriers.add({ positions: C.Cartesian3.fromDegreesArrayHeights(line.flatMap(([lon, lat]) => [lon, lat, ROUTE_Z + 0.1])), width: 8,
        material: C.Material.fromType("PolylineDash", { color: S.css(CLOSURE, 1), gapColor: S.css("#1d1d1f", 0.95), dashLength: 12 }) });
      nb++;
    }
  }
  replace("shapes", [S.batch(fills, { translucent: true, flat: true }), S.lines(edges), nb ? barriers : null].filter(Boolean));
  if (!nb) barriers.destroy();
  drawn = { ...drawn, hazards: hz.length, zones: zones.length, closures: cl.length };
}

// circleRing is a ring of r metres around [lon, lat].
function circleRing(lon, lat, r) {
  const fr = plantFrame();
  const out = [];
  for (let k = 0; k <= 48; k++) {
    const a = (2 * Math.PI * k) / 48;
    out.push([lon + (r * Math.sin(a)) / fr.mPerDegLon, lat + (r * Math.cos(a)) / fr.mPerDegLat]);
  }
  return out;
}

// musterText is a muster point's label: its load, what arrived, and why
// it is unsafe.
export function musterText(m, arrived) {
  const load = t("emg.map.load", { assigned: m.assigned, capacity: m.capacity || "∞", arrived: arrived ?? "—" });
  return m.status === "safe" ? load : `✕ ${t("emg.muster." + m.status)}\n${load}`;
}

function drawMusters(plan, roll) {
  const lc = new C.LabelCollection();
  const rings = [];
  const out = [];
  const arrivedAt = new Map(((roll && roll.muster_points) || []).map((m) => [m.id, m.arrived]));
  for (const m of (plan && plan.muster_points) || []) {
    const safe = m.status === "safe";
    const colour = safe ? musterColour(m.id) : UNSAFE;
    const r = Number(state.features.get(m.id)?.properties.radius_m) || 20;
    rings.push(S.outline({ entity: m.id, part: "ring" }, circleRing(m.lon, m.lat, r + 2), S.HEIGHT.muster + 0.1, S.css(colour, 1), safe ? 3 : 5));
    const text = musterText(m, arrivedAt.get(m.id));
    lc.add({ id: m.id, position: C.Cartesian3.fromDegrees(m.lon, m.lat, 3), text, font: FONT, fillColor: safe ? C.Color.BLACK : C.Color.WHITE,
      showBackground: true, backgroundColor: S.css(colour, 0.92), pixelOffset: new C.Cartesian2(0, -22), verticalOrigin: C.VerticalOrigin.BOTTOM,
      horizontalOrigin: C.HorizontalOrigin.CENTER, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    out.push({ id: m.id, name: name(m), status: m.status, colour, text });
  }
  replace("musters", [S.lines(rings), lc].filter(Boolean));
  drawn = { ...drawn, musters: out };
}

// --- people ------------------------------------------------------------

const icons = new Map();

// GLYPHS draw a status's mark, white, on a 32 px disc.
const GLYPHS = {
  tick: (g) => { g.moveTo(9.5, 16.5); g.lineTo(14, 21); g.lineTo(23, 11); },
  arrow: (g) => { g.moveTo(8.5, 16); g.lineTo(23, 16); g.moveTo(17.5, 10.5); g.lineTo(23, 16); g.lineTo(17.5, 21.5); },
  bang: (g) => { g.moveTo(16, 8.5); g.lineTo(16, 18); g.moveTo(16, 23); g.lineTo(16, 23.5); },
  cross: (g) => { g.moveTo(10.5, 10.5); g.lineTo(21.5, 21.5); g.moveTo(21.5, 10.5); g.lineTo(10.5, 21.5); },
  query: (g) => { g.arc(16, 12.5, 4.5, Math.PI * 1.1, Math.PI * 2.35); g.lineTo(16, 18.5); g.moveTo(16, 23); g.lineTo(16, 23.5); },
};

// statusIcon is the canvas icon of an evacuation status: a disc in its
// colour with its glyph.
export function statusIcon(status) {
  let icon = icons.get(status);
  if (!icon) {
    const st = PERSON_STYLES[status];
    const c = document.createElement("canvas");
    c.width = c.height = 32;
    const g = c.getContext("2d");
    g.beginPath();
    g.arc(16, 16, 14, 0, 2 * Math.PI);
    g.fillStyle = st.colour;
    g.fill();
    g.lineWidth = 2.5;
    g.strokeStyle = "#ffffff";
    g.stroke();
    g.beginPath();
    GLYPHS[st.glyph](g);
    g.lineWidth = 3.2;
    g.lineCap = g.lineJoin = "round";
    g.stroke();
    icon = { key: "evac:" + status, image: c };
    icons.set(status, icon);
  }
  return icon;
}

function personIcon(f) {
  const s = statusOf(f && f.properties && f.properties.id);
  return s ? statusIcon(s) : null;
}

// --- snapshot and test hook -------------------------------------------

// mapSnapshot renders the scene now and returns it as a JPEG data URL (at
// most maxW pixels wide), read in the same task as the render, so the
// drawing buffer needs no preserveDrawingBuffer; null when it cannot.
export function mapSnapshot(maxW = 1400) {
  if (!viewer) return null;
  try {
    viewer.scene.requestRender();
    viewer.render();
    const src = viewer.scene.canvas;
    const k = Math.min(1, maxW / src.width);
    const c = document.createElement("canvas");
    c.width = Math.max(1, Math.round(src.width * k));
    c.height = Math.max(1, Math.round(src.height * k));
    c.getContext("2d").drawImage(src, 0, 0, c.width, c.height);
    return c.toDataURL("image/jpeg", 0.85);
  } catch (err) {
    console.warn("chemtwin: no map snapshot", err);
    return null;
  }
}

// drawnEmergency describes what the map shows, for tests: on, the numbers
// of routes, fallbacks, hazards, zones outlined and closures drawn, the
// muster labels ({id, name, status, colour, text}), the chevrons' offset
// and the scene's frame number (both move while it animates), and the
// people by status ({status: n}, and people: {id: status} of those drawn
// in a status colour).
export function drawnEmergency() {
  const people = {};
  for (const id of state.layers.get("people") || []) {
    const s = on ? statusOf(id) : null;
    if (s) people[id] = s;
  }
  return { on, shown: Boolean(root && root.show), ...drawn, offset: phase, materials: materials.size,
    frame: viewer ? viewer.scene.frameState.frameNumber : 0, counts: statusCounts(), people };
}
