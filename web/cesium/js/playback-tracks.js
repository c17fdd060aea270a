// The drawn side of track playback: each track of a GET /api/v1/tracks
// FeatureCollection as a line in its own colour, and a marker with the
// person's name placed along it by time (linear between fixes; before the
// first fix and after the last the marker waits at the end).
import { name } from "./i18n.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
// Distinct colours for up to ten tracks at once, then repeating.
export const TRACK_COLOURS = ["#00e5ff", "#ff2d55", "#ffd60a", "#30d158", "#bf5af2", "#ff9f0a", "#64d2ff", "#ff6482", "#a2845e", "#ffffff"];
const LIFT_M = 1.0; // lines and markers float this far above the fix height

export class Tracks {
  // features: the tracks; from, to: the window asked for (epoch ms).
  constructor(viewer, features, from, to) {
    this.viewer = viewer;
    this.from = from;
    this.to = to;
    this.items = [];
    this.lines = viewer.scene.primitives.add(new C.PolylineCollection());
    this.points = viewer.scene.primitives.add(new C.PointPrimitiveCollection());
    this.labels = viewer.scene.primitives.add(new C.LabelCollection());
    features.forEach((f, k) => this.add(f, TRACK_COLOURS[k % TRACK_COLOURS.length]));
    const times = this.items.flatMap((it) => it.times.length ? [it.times[0], it.times[it.times.length - 1]] : []);
    this.first = times.length ? Math.min(...times) : from;
    this.last = times.length ? Math.max(...times) : to;
  }

  add(f, colour) {
    const p = f.properties || {};
    const coords = vertices(f.geometry);
    const times = (p.times || []).map((s) => Date.parse(s));
    const z = p.z || [];
    const n = Math.min(coords.length, times.length);
    const item = { id: p.entity_id || f.id, name: name(p) || p.entity_id, colour, count: p.count || n, truncated: !!p.truncated,
      coords: coords.slice(0, n), times: times.slice(0, n), z: z.slice(0, n), pos: null };
    const color = C.Color.fromCssColorString(colour);
    if (n >= 2) {
      const flat = item.coords.flatMap(([lon, lat], i) => [lon, lat, (Number(item.z[i]) || 0) + LIFT_M]);
      this.lines.add({ positions: C.Cartesian3.fromDegreesArrayHeights(flat), width: 3, material: C.Material.fromType("Color", { color: color.withAlpha(0.85) }) });
    }
    if (n >= 1) {
      item.point = this.points.add({ pixelSize: 14, color, outlineColor: C.Color.WHITE, outlineWidth: 2, disableDepthTestDistance: Number.POSITIVE_INFINITY });
      item.label = this.labels.add({ text: item.name, font: '13px "Noto Sans CJK SC", sans-serif', fillColor: color, outlineColor: C.Color.BLACK, outlineWidth: 3,
        style: C.LabelStyle.FILL_AND_OUTLINE, pixelOffset: new C.Cartesian2(0, -16), verticalOrigin: C.VerticalOrigin.BOTTOM, disableDepthTestDistance: Number.POSITIVE_INFINITY });
    }
    this.items.push(item);
  }

  // moveTo places every marker at time ms.
  moveTo(ms) {
    for (const it of this.items) {
      if (!it.point) continue;
      it.pos = at(it, ms);
      const cart = C.Cartesian3.fromDegrees(it.pos[0], it.pos[1], it.pos[2] + LIFT_M);
      it.point.position = cart;
      it.label.position = cart;
    }
  }

  // markerPositions lists each marker as {id, lon, lat}.
  markerPositions() {
    return this.items.filter((it) => it.pos).map((it) => ({ id: it.id, lon: it.pos[0], lat: it.pos[1] }));
  }

  show(visible) {
    this.lines.show = this.points.show = this.labels.show = visible;
    this.viewer.scene.requestRender();
  }

  destroy() {
    for (const p of [this.lines, this.points, this.labels]) this.viewer.scene.primitives.remove(p);
  }
}

// vertices is a track geometry's positions, [[lon, lat], …].
function vertices(g) {
  if (!g) return [];
  if (g.type === "LineString") return g.coordinates;
  if (g.type === "Point") return [g.coordinates];
  return [];
}

// at is an item's [lon, lat, z] at time ms: the fixes on either side
// interpolated linearly, the ends held.
export function at(it, ms) {
  const { times, coords, z } = it;
  if (ms <= times[0]) return [...coords[0].slice(0, 2), Number(z[0]) || 0];
  const n = times.length;
  if (ms >= times[n - 1]) return [...coords[n - 1].slice(0, 2), Number(z[n - 1]) || 0];
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= ms) lo = mid;
    else hi = mid;
  }
  const f = (ms - times[lo]) / (times[hi] - times[lo] || 1);
  const lerp = (a, b) => a + (b - a) * f;
  return [lerp(coords[lo][0], coords[hi][0]), lerp(coords[lo][1], coords[hi][1]), lerp(Number(z[lo]) || 0, Number(z[hi]) || 0)];
}
