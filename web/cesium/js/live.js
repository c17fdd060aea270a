// Live layers that do not move: gas detectors (a point per detector, its
// colour by state, and a label with its reading — near the camera, or from
// afar while it alarms — updated in place), and layers rebuilt as a whole on any
// change (a few dozen features each): cameras with their field-of-view
// wedges, fences as translucent walls by rule, the weather station's wind
// arrow, the permits by state (permits.js), the inspection points by
// their task's status and the hidden dangers (inspections.js). The threat
// zones are drawn by threats.js.
import { state, on, layerOf } from "./state.js";
import { t } from "./i18n.js";
import * as S from "./shapes.js";
import * as icons from "./icons.js";
import { DETECTOR, FENCE_RULE } from "./palette.js";
import { pointOf, polygonsOf, centroidOf, onFloor } from "./frame.js";
import { buildingAt, floorSpan } from "./plant.js";
import { plantFrame } from "./viewer.js";
import { serverNow } from "./stream.js";
import { permitPrimitives } from "./permits.js";
import { pointPrimitives, dangerPrimitives, dangersStale } from "./inspections.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const OFFLINE_MS = 30000; // no reading for 30 s: the detector shows offline
const REBUILT = ["cameras", "fences", "weather_stations", "permits", "inspection_points", "hidden_dangers"];
const OVERDUE_MS = 5000; // a hidden danger's deadline passing shows on the map within seconds
const drawn = new Map(); // rebuilt layer id → scene items
const pending = new Set();
let viewer = null;
let detectors = null; // PointPrimitiveCollection
let valueLabels = null; // LabelCollection: each detector's reading
const points = new Map(); // detector id → PointPrimitive
const labels = new Map(); // detector id → Label
// A reading label shows within NEAR_M of the camera; an alarming one
// (level 1, level 2, over range) within ALARM_M, so that it reads from
// the overview.
const NEAR_M = 700, ALARM_M = 6000;
const ALARMING = new Set(["level1", "level2", "over_range"]);

// detectorState is a detector's display state: its `state` property
// (normal, level1, level2, over_range, fault, stuck, drift) or offline when its last reading is
// older than 30 s.
export function detectorState(p) {
  const last = Date.parse(p.reading_ts || p.updated);
  if (!Number.isFinite(last) || serverNow() - last > OFFLINE_MS) return "offline";
  return DETECTOR[p.state] ? p.state : "normal";
}

export function initLive(ctx) {
  viewer = ctx.viewer;
  detectors = viewer.scene.primitives.add(new C.PointPrimitiveCollection());
  valueLabels = viewer.scene.primitives.add(new C.LabelCollection());
  on("snapshot", (snap) => {
    if (snap.layers.gas_detectors) resetDetectors();
    for (const l of REBUILT) if (snap.layers[l]) schedule(l);
  });
  on("upsert", (f) => changed(layerOf(f), f));
  on("remove", (r) => changed(r.layer, null, r.id));
  on("layer", ({ layer, visible }) => setVisible(layer, visible));
  on("floor", () => { refreshDetectors(); schedule("fences"); });
  on("lang", () => { schedule("weather_stations"); schedule("hidden_dangers"); });
  setInterval(refreshDetectors, 5000);
  setInterval(() => { if (dangersStale()) schedule("hidden_dangers"); }, OVERDUE_MS);
}

function changed(layer, f, removedId) {
  if (layer === "gas_detectors") {
    if (f) drawDetector(f);
    else dropDetector(removedId);
    viewer.scene.requestRender();
  } else if (REBUILT.includes(layer)) {
    schedule(layer);
  }
}

function setVisible(layer, visible) {
  if (layer === "gas_detectors") detectors.show = valueLabels.show = visible;
  for (const item of drawn.get(layer) || []) item.show = visible;
  viewer.scene.requestRender();
}

function resetDetectors() {
  detectors.removeAll();
  valueLabels.removeAll();
  points.clear();
  labels.clear();
  for (const id of state.layers.get("gas_detectors") || []) drawDetector(state.features.get(id));
  viewer.scene.requestRender();
}

function drawDetector(f) {
  const pt = pointOf(f);
  if (!pt) return;
  const p = f.properties;
  let point = points.get(p.id);
  if (!point) {
    point = detectors.add({ id: p.id, outlineColor: C.Color.WHITE, outlineWidth: 1.5, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    points.set(p.id, point);
  }
  point.position = C.Cartesian3.fromDegrees(pt[0], pt[1], Number(p.height) || 1);
  let label = labels.get(p.id);
  if (!label) {
    label = valueLabels.add({
      id: p.id, font: '12px "Noto Sans CJK SC", sans-serif', fillColor: C.Color.WHITE, outlineColor: C.Color.BLACK,
      outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE, showBackground: true, verticalOrigin: C.VerticalOrigin.BOTTOM,
      pixelOffset: new C.Cartesian2(0, -10), disableDepthTestDistance: Number.POSITIVE_INFINITY,
    });
    labels.set(p.id, label);
  }
  label.position = point.position;
  styleDetector(point, p);
}

function styleDetector(point, p) {
  const s = detectorState(p);
  point.color = C.Color.fromCssColorString(DETECTOR[s]);
  point.pixelSize = s === "level2" || s === "over_range" ? 14 : s === "level1" ? 12 : 9;
  point.show = onFloor(state.floor, p.floor);
  const label = labels.get(p.id);
  if (label) {
    const alarming = ALARMING.has(s);
    label.text = detectorLabel(p);
    label.show = point.show;
    label.backgroundColor = alarming ? S.css(DETECTOR[s], 0.85) : S.css("#1c1c1e", 0.6);
    label.distanceDisplayCondition = new C.DistanceDisplayCondition(0, alarming ? ALARM_M : NEAR_M);
  }
}

// detectorLabel is a detector's reading as its label shows it: the value
// with at most three significant digits and the unit ("23.5 ppm",
// "12 %LEL"), "≥" at the top of the range, "–" without a value.
export function detectorLabel(p) {
  const v = Number(p.value);
  if (p.value === null || p.value === undefined || !Number.isFinite(v)) return "–";
  const shown = Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
  return `${p.state === "over_range" ? "≥" : ""}${shown} ${p.unit || ""}`.trim();
}

// drawnLabel tells a browser test what a detector's label shows.
export function drawnLabel(id) {
  const l = labels.get(id);
  return l ? { text: l.text, show: l.show, far: l.distanceDisplayCondition.far } : null;
}

function dropDetector(id) {
  const point = points.get(id);
  if (point) detectors.remove(point);
  points.delete(id);
  const label = labels.get(id);
  if (label) valueLabels.remove(label);
  labels.delete(id);
}

// refreshDetectors restyles every detector (offline ages, floor filter).
function refreshDetectors() {
  for (const [id, point] of points) {
    const f = state.features.get(id);
    if (f) styleDetector(point, f.properties);
  }
  viewer.scene.requestRender();
}

// schedule coalesces rebuilds of a layer into one per 150 ms.
function schedule(layer) {
  if (pending.has(layer)) return;
  pending.add(layer);
  setTimeout(() => {
    pending.delete(layer);
    rebuild(layer);
  }, 150);
}

function rebuild(layer) {
  for (const item of drawn.get(layer) || []) viewer.scene.primitives.remove(item);
  const features = [...(state.layers.get(layer) || [])].map((id) => state.features.get(id)).filter(Boolean);
  const items = BUILDERS[layer](features).filter(Boolean);
  const show = state.visible.get(layer) !== false;
  for (const item of items) {
    item.show = show;
    viewer.scene.primitives.add(item);
  }
  drawn.set(layer, items);
  viewer.scene.requestRender();
}

// offset returns [lon, lat] moved d metres along bearing (degrees from north).
function offset(lon, lat, d, bearing) {
  const fr = plantFrame();
  const b = C.Math.toRadians(bearing);
  return [lon + (d * Math.sin(b)) / fr.mPerDegLon, lat + (d * Math.cos(b)) / fr.mPerDegLat];
}

function drawCameras(features) {
  const bc = new C.BillboardCollection({ scene: viewer.scene });
  const wedges = [];
  for (const f of features) {
    const pt = pointOf(f);
    if (!pt) continue;
    const p = f.properties;
    const b = bc.add({ id: p.id, position: C.Cartesian3.fromDegrees(pt[0], pt[1], Number(p.height) || 4), scale: 0.8, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    const icon = icons.camera();
    b.setImage(icon.key, icon.image);
    const fov = Number(p.fov_deg) > 0 ? Number(p.fov_deg) : 60;
    const range = Number(p.range_m) > 0 ? Number(p.range_m) : 50;
    const heading = Number(p.heading_deg) || 0;
    const ring = [pt];
    for (let k = 0; k <= 12; k++) ring.push(offset(pt[0], pt[1], range, heading - fov / 2 + (fov * k) / 12));
    ring.push(pt);
    wedges.push(S.fill({ entity: p.id }, [ring], S.HEIGHT.fov, S.css("#64d2ff", 0.16)));
  }
  return [S.batch(wedges, { translucent: true, flat: true }), bc];
}

// fenceSpan is a fence's [bottom, top]: its z band, its floor in the
// building under it, or 0–3 m.
function fenceSpan(f) {
  const p = f.properties;
  if (Number.isFinite(p.z_min) && Number.isFinite(p.z_max)) return [p.z_min, p.z_max];
  if (p.floor != null) {
    const c = centroidOf(f);
    const b = c && buildingAt(c[0], c[1]);
    if (b) return floorSpan(b, Number(p.floor));
  }
  return [0, 3];
}

function drawFences(features) {
  const walls = [], edges = [];
  for (const f of features) {
    const p = f.properties;
    if (!onFloor(state.floor, p.floor)) continue;
    const color = FENCE_RULE[p.rule] || "#ff3b30";
    const [lo, hi] = fenceSpan(f);
    polygonsOf(f).forEach((rings, part) => {
      const id = { entity: p.id, part };
      walls.push(S.wall(id, rings[0], lo, hi, S.css(color, 0.22)));
      edges.push(S.outline(id, rings[0], hi, S.css(color, 0.95), 2));
      edges.push(S.outline(id, rings[0], lo + 0.08, S.css(color, 0.95), 2));
    });
  }
  return [S.batch(walls, { translucent: true }), S.lines(edges)];
}

const COMPASS = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];

// drawWeather draws each station with a downwind arrow as long as the wind
// is strong, and a label: direction the wind comes from and its speed.
function drawWeather(features) {
  const arrows = [];
  const lc = new C.LabelCollection();
  for (const f of features) {
    const pt = pointOf(f);
    const p = f.properties;
    if (!pt || !Number.isFinite(p.wind_from)) continue;
    const speed = Number(p.wind_speed) || 0;
    const end = offset(pt[0], pt[1], 40 + 25 * speed, (p.wind_from + 180) % 360);
    arrows.push(new C.GeometryInstance({
      id: p.id,
      geometry: new C.PolylineGeometry({ positions: C.Cartesian3.fromDegreesArrayHeights([pt[0], pt[1], 14, end[0], end[1], 14]), width: 18, arcType: C.ArcType.NONE, vertexFormat: C.PolylineMaterialAppearance.VERTEX_FORMAT }),
    }));
    lc.add({
      id: p.id, position: C.Cartesian3.fromDegrees(pt[0], pt[1], 16),
      text: t("map.wind", { dir: t("map.compass." + COMPASS[Math.round(p.wind_from / 45) % 8]), speed: speed.toFixed(1) }),
      font: '13px "Noto Sans CJK SC", sans-serif', fillColor: C.Color.fromCssColorString("#9be7ff"), outlineColor: C.Color.BLACK,
      outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE, verticalOrigin: C.VerticalOrigin.BOTTOM, disableDepthTestDistance: Number.POSITIVE_INFINITY,
    });
  }
  const prim = arrows.length === 0 ? null : new C.Primitive({
    geometryInstances: arrows, asynchronous: false,
    appearance: new C.PolylineMaterialAppearance({ material: C.Material.fromType("PolylineArrow", { color: C.Color.fromCssColorString("#9be7ff") }) }),
  });
  return [prim, lc];
}

const BUILDERS = {
  cameras: drawCameras,
  fences: drawFences,
  weather_stations: drawWeather,
  permits: permitPrimitives, // coloured by state (permits.js GROUPS)
  inspection_points: pointPrimitives, // by status, colour and shape (inspections.js POINT_STYLES)
  hidden_dangers: dangerPrimitives, // by state and level, overdue ringed (inspections.js DANGER_STYLES)
};
