// The 3D plant: the static layers (loaded once from OGC API Features) and
// the tanks (a live layer whose geometry rarely changes), each drawn as a
// few batched primitives. Static features also go into state.features and
// state.layers, so that search and the info panel find them like live ones.
//
// A layer is a list of scene items (primitives, point and label
// collections) rebuilt as a whole when its look changes: the risk-colour
// toggle (areas), the floor filter (buildings, indoor walkways, beacons) or
// a tank update. Visibility follows the "layer" event.
import { state, on, layerOf } from "./state.js";
import { name } from "./i18n.js";
import * as api from "./api.js";
import * as S from "./shapes.js";
import * as build from "./structures.js";
import { AREA_TYPE, RISK } from "./palette.js";
import { pointOf, polygonsOf, centroidOf, inRing, level, onFloor } from "./frame.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const drawn = new Map(); // layer id → scene items
const labelled = []; // {label, props} for relabelling on a language switch
let viewer = null;
let riskColors = false;

export async function initPlant(ctx) {
  viewer = ctx.viewer;
  const loaded = await Promise.all(ctx.STATIC_LAYERS.map((l) => api.items(l).catch((err) => {
    console.warn(`chemtwin: layer ${l} failed to load`, err);
    return [];
  })));
  ctx.STATIC_LAYERS.forEach((l, i) => remember(l, loaded[i]));
  for (const l of ctx.STATIC_LAYERS) draw(l);
  on("layer", ({ layer, visible }) => setVisible(layer, visible));
  on("floor", () => ["buildings", "roads", "beacons"].forEach(draw));
  on("lang", relabel);
  on("snapshot", (snap) => { if (snap.layers && snap.layers.tanks) draw("tanks"); });
  on("upsert", (f) => { if (layerOf(f) === "tanks") draw("tanks"); });
  on("remove", (r) => { if (r.layer === "tanks") draw("tanks"); });
}

// remember stores a static layer's features in the shared state.
function remember(layer, features) {
  const ids = new Set();
  for (const f of features) {
    const id = f.properties && f.properties.id;
    if (!id) continue;
    state.features.set(id, f);
    ids.add(id);
  }
  state.layers.set(layer, ids);
}

function featuresOf(layer) {
  const out = [];
  for (const id of state.layers.get(layer) || []) {
    const f = state.features.get(id);
    if (f) out.push(f);
  }
  return out;
}

// draw (re)builds one layer's scene items.
function draw(layer) {
  const builder = BUILDERS[layer];
  if (!builder || !viewer) return;
  for (const item of drawn.get(layer) || []) viewer.scene.primitives.remove(item);
  const items = builder(featuresOf(layer)).filter(Boolean);
  const show = state.visible.get(layer) !== false;
  for (const item of items) {
    item.show = show;
    viewer.scene.primitives.add(item);
  }
  drawn.set(layer, items);
  viewer.scene.requestRender();
}

function setVisible(layer, visible) {
  for (const item of drawn.get(layer) || []) item.show = visible;
  if (viewer) viewer.scene.requestRender();
}

// setRiskColors colours the areas by four-colour risk level (true) or by
// area type (false).
export function setRiskColors(on) {
  riskColors = Boolean(on);
  draw("areas");
}

export const riskColorsOn = () => riskColors;

// buildingAt returns the building feature whose footprint holds [lon, lat].
export function buildingAt(lon, lat) {
  for (const f of featuresOf("buildings")) {
    if (polygonsOf(f).some((rings) => inRing(lon, lat, rings[0]))) return f;
  }
  return null;
}

// floorSpan returns [bottom, top] heights of floor f of a building.
export function floorSpan(building, f) {
  const { fh } = build.storeys(building.properties);
  return [(f - 1) * fh, f * fh];
}

// maxFloor is the highest storey of any building (for the floor filter).
export function maxFloor() {
  let n = 1;
  for (const f of featuresOf("buildings")) n = Math.max(n, build.storeys(f.properties).n);
  return n;
}

function labels(entries) {
  const lc = new C.LabelCollection();
  for (const { pos, props, size, color } of entries) {
    const label = lc.add({
      position: C.Cartesian3.fromDegrees(pos[0], pos[1], pos[2] || 2), text: name(props),
      font: `${size || 13}px "Noto Sans CJK SC", "Microsoft YaHei", sans-serif`,
      fillColor: C.Color.fromCssColorString(color || "#f2f6fa"), outlineColor: C.Color.fromCssColorString("#0d1620"),
      outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE, horizontalOrigin: C.HorizontalOrigin.CENTER,
      verticalOrigin: C.VerticalOrigin.BOTTOM, disableDepthTestDistance: Number.POSITIVE_INFINITY,
      distanceDisplayCondition: new C.DistanceDisplayCondition(0, 2600),
    });
    labelled.push({ label, props });
  }
  return lc;
}

function relabel() {
  for (const { label, props } of labelled) label.text = name(props);
  if (viewer) viewer.scene.requestRender();
}

function drawAreas(features) {
  const fills = [], edges = [], names = [];
  for (const f of features) {
    const p = f.properties;
    const hex = riskColors ? RISK[p.risk_level] || "#888888" : AREA_TYPE[p.area_type] || "#888888";
    polygonsOf(f).forEach((rings, part) => {
      const id = { entity: p.id, part };
      fills.push(S.fill(id, rings, S.HEIGHT.area, S.css(hex, riskColors ? 0.45 : 0.42)));
      edges.push(S.outline(id, rings[0], S.HEIGHT.area + 0.02, S.css(hex, 0.95), 1.5));
    });
    const c = centroidOf(f);
    if (c && p.area_type !== "gate") names.push({ pos: [c[0], c[1], 1], props: p });
  }
  forget("areas");
  return [S.batch(fills, { translucent: true, flat: true }), S.lines(edges), labels(names)];
}

function forget(layer) {
  const ids = state.layers.get(layer) || new Set();
  for (let i = labelled.length - 1; i >= 0; i--) if (ids.has(labelled[i].props.id)) labelled.splice(i, 1);
}

function drawRiskUnits(features) {
  const fills = [], edges = [];
  for (const f of features) {
    const p = f.properties;
    const hex = RISK[p.risk_level] || "#888888";
    polygonsOf(f).forEach((rings, part) => {
      fills.push(S.fill({ entity: p.id, part }, rings, S.HEIGHT.riskUnit, S.css(hex, 0.22)));
      edges.push(S.outline({ entity: p.id, part }, rings[0], S.HEIGHT.riskUnit + 0.02, S.css(hex), 2.5));
    });
  }
  return [S.batch(fills, { translucent: true, flat: true }), S.lines(edges)];
}

function drawHazardSources(features) {
  const fills = [], walls = [], edges = [];
  for (const f of features) {
    const p = f.properties;
    polygonsOf(f).forEach((rings, part) => {
      const id = { entity: p.id, part };
      fills.push(S.fill(id, rings, S.HEIGHT.hazard, S.css(RISK.red, 0.16)));
      walls.push(S.wall(id, rings[0], 0, 2.5, S.css(RISK.red, 0.35)));
      edges.push(S.outline(id, rings[0], 2.5, S.css(RISK.red), 3));
    });
  }
  return [S.batch(fills, { translucent: true, flat: true }), S.batch(walls, { translucent: true }), S.lines(edges)];
}

// drawRoads draws outdoor roads and walkways on the ground, and the indoor
// walkways (corridors) of the chosen floor at that floor's height.
function drawRoads(features) {
  const ground = [], indoor = [];
  for (const f of features) {
    const p = f.properties;
    if (!f.geometry || f.geometry.type !== "LineString" || p.kind === "stairs") continue;
    const road = p.kind === "road";
    const width = Number(p.width_m) > 0 ? Number(p.width_m) : road ? 6 : 1.5;
    if (p.floor == null) {
      ground.push(S.corridor({ entity: p.id }, f.geometry.coordinates, width, road ? S.HEIGHT.road : S.HEIGHT.walkway,
        S.css(road ? "#3b4550" : "#7d8a98", road ? 0.96 : 0.9)));
    } else if (state.floor != null && level(p.floor) === state.floor) {
      const b = buildingAt(...f.geometry.coordinates[0]);
      const z = b ? floorSpan(b, Number(p.floor))[0] + 0.35 : 0.35;
      indoor.push(S.corridor({ entity: p.id }, f.geometry.coordinates, width, z, S.css("#d6ecff")));
    }
  }
  return [S.batch(ground, { flat: true }), S.batch(indoor, { flat: true })];
}

function drawBeacons(features) {
  const pc = new C.PointPrimitiveCollection();
  for (const f of features) {
    const pt = pointOf(f);
    if (!pt || !onFloor(state.floor, f.properties.floor)) continue;
    pc.add({
      id: f.properties.id, position: C.Cartesian3.fromDegrees(pt[0], pt[1], Number(f.properties.height) || 3),
      pixelSize: 4, color: C.Color.fromCssColorString("#5ac8fa"), outlineColor: C.Color.BLACK, outlineWidth: 0.5,
      distanceDisplayCondition: new C.DistanceDisplayCondition(0, 1500),
    });
  }
  return [pc];
}

function drawMusterPoints(features) {
  const discs = [], names = [];
  for (const f of features) {
    const pt = pointOf(f);
    if (!pt) continue;
    const p = f.properties;
    const r = Number(p.radius_m) > 0 ? Number(p.radius_m) : 15;
    discs.push(S.circle({ entity: p.id }, pt[0], pt[1], r, S.HEIGHT.muster, S.css("#30d158", 0.45)));
    names.push({ pos: [pt[0], pt[1], 2], props: p, size: 12, color: "#7dffa0" });
  }
  forget("muster_points");
  return [S.batch(discs, { translucent: true, flat: true }), labels(names)];
}

const BUILDERS = {
  areas: drawAreas,
  buildings: (fs) => build.buildings(fs, state.floor),
  equipment: (fs) => [...build.units(fs), ...build.equipment(fs)],
  tanks: build.tanks,
  gates: build.gates,
  roads: drawRoads,
  beacons: drawBeacons,
  muster_points: drawMusterPoints,
  risk_units: drawRiskUnits,
  hazard_sources: drawHazardSources,
};
