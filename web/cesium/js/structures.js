// The plant's 3D structures, each layer one or two batched primitives:
// buildings as one slab per storey (so the floor filter can show a chosen
// floor), process units as translucent frames, equipment, tanks and gates.
// Builders take features and return the primitives to add to the scene.
import * as S from "./shapes.js";
import { BUILDING_USE, UNIT_TYPE } from "./palette.js";
import { pointOf, polygonsOf } from "./frame.js";

const SLAB_GAP = 0.18; // metres between storeys, to show the floors
const PLATE = 0.3; // floor plate thickness of the chosen floor
const EDGE = S.css("#22313f", 0.85);

// storeys describes a building's floors: count, storey height, total height.
export function storeys(props) {
  const n = Math.max(1, Math.trunc(Number(props.floors)) || 1);
  const total = Number(props.height) > 0 ? Number(props.height) : n * (Number(props.floor_height_m) || 4);
  const fh = Number(props.floor_height_m) > 0 ? Number(props.floor_height_m) : total / n;
  return { n, fh, total };
}

// buildings draws every building for the floor filter (null = all floors):
// floors above the chosen one are left out, the chosen one is drawn as a
// floor plate under glass walls, the others are dimmed.
export function buildings(features, floor) {
  const solid = [], glass = [], edges = [];
  for (const f of features) {
    const p = f.properties;
    const { n, fh, total } = storeys(p);
    const base = S.css(BUILDING_USE[p.use] || "#d0d0d0");
    const color = p.blast_resistant ? Cesium.Color.multiplyByScalar(base, 0.85, new Cesium.Color()) : base;
    const dim = Cesium.Color.lerp(color, Cesium.Color.fromCssColorString("#33404d"), 0.55, new Cesium.Color());
    polygonsOf(f).forEach((rings, part) => {
      for (let k = 1; k <= n; k++) {
        const lo = (k - 1) * fh;
        const hi = k === n ? total : k * fh - SLAB_GAP;
        const id = { entity: p.id, part: `${part}:${k}` };
        if (floor == null) {
          solid.push(S.prism(id, rings, lo, hi, color));
          edges.push(S.outline(id, rings[0], hi + 0.02, EDGE, 1));
        } else if (k === floor) {
          solid.push(S.prism(id, rings, lo, lo + PLATE, S.css("#4b6378")));
          glass.push(S.prism(id, rings, lo + PLATE, hi, color.withAlpha(0.18)));
          edges.push(S.outline(id, rings[0], hi, S.css("#00e5ff", 0.9), 2));
        } else if (k < floor || n < floor) {
          solid.push(S.prism(id, rings, lo, hi, dim));
        }
      }
    });
  }
  return [S.batch(solid, { closed: true }), S.batch(glass, { translucent: true }), S.lines(edges)];
}

// units draws process structures as translucent volumes with edges, so the
// equipment and detectors inside stay visible.
export function units(features) {
  const vols = [], edges = [];
  for (const f of features) {
    const p = f.properties;
    if (p.kind !== "unit") continue;
    const h = Number(p.height) > 0 ? Number(p.height) : 6;
    const color = S.css(UNIT_TYPE[p.unit_type] || "#a0a8b0", h < 3 ? 0.85 : 0.42);
    polygonsOf(f).forEach((rings, part) => {
      const id = { entity: p.id, part };
      vols.push(S.prism(id, rings, 0, h, color));
      edges.push(S.outline(id, rings[0], h, S.css(UNIT_TYPE[p.unit_type] || "#a0a8b0"), 1.5));
      edges.push(S.outline(id, rings[0], 0.3, S.css(UNIT_TYPE[p.unit_type] || "#a0a8b0"), 1.5));
    });
  }
  return [S.batch(vols, { translucent: true }), S.lines(edges)];
}

const VESSEL_RADIUS = { column: 1.6, reactor: 2.2, vessel: 1.8, vent: 0.4, heat_exchanger: 0.9 };

// equipment draws point equipment: vessels as cylinders of their height,
// everything else as a small box; release sources in orange.
export function equipment(features) {
  const out = [];
  for (const f of features) {
    const p = f.properties;
    const pt = pointOf(f);
    if (p.kind !== "equipment" || !pt) continue;
    const h = Math.max(Number(p.height) || 1, 0.5);
    const color = S.css(p.release_source ? "#f0a040" : "#c3cad2");
    const r = VESSEL_RADIUS[p.equipment_type];
    out.push(r ? S.cylinder({ entity: p.id }, pt[0], pt[1], r, h, color) : S.box({ entity: p.id }, pt[0], pt[1], 1.4, h, color));
  }
  return [S.batch(out, { closed: true })];
}

// tanks draws tanks as cylinders, pressurized ones as spheres on legs.
export function tanks(features) {
  const out = [];
  for (const f of features) {
    const p = f.properties;
    const pt = pointOf(f);
    const r = Number(p.radius_m);
    if (!pt || !(r > 0)) continue;
    const h = Number(p.height) > 0 ? Number(p.height) : 2 * r;
    const id = { entity: p.id };
    if (p.storage === "pressurized") {
      out.push(S.sphere(id, pt[0], pt[1], r, Math.max(h - r, r), S.css("#e4edf3")));
      out.push(S.cylinder(id, pt[0], pt[1], r * 0.25, Math.max(h - r, r), S.css("#8d99a6")));
    } else {
      out.push(S.cylinder(id, pt[0], pt[1], r, h, S.css("#eef1f4")));
      out.push(S.cylinder(id, pt[0], pt[1], r * 1.01, 0.5, S.css("#5b6b7b"), Math.max(h - 1.4, 0)));
    }
  }
  return [S.batch(out, { closed: true })];
}

// gates draws each gate's canopy and its footprint.
export function gates(features) {
  const solid = [], ground = [];
  for (const f of features) {
    const p = f.properties;
    const h = Number(p.height) > 0 ? Number(p.height) : 5;
    polygonsOf(f).forEach((rings, part) => {
      const id = { entity: p.id, part };
      solid.push(S.prism(id, rings, Math.max(h - 0.8, 0), h, S.css("#58b368")));
      ground.push(S.fill(id, rings, S.HEIGHT.road + 0.02, S.css("#58b368", 0.5)));
    });
  }
  return [S.batch(solid, { closed: true }), S.batch(ground, { translucent: true, flat: true })];
}
