// Drawing on the map, shared by the fence draw tool (fencedraw.js) and
// the permit form (permit-form.js): click vertices on the ground,
// double-click to finish; the vertices and the closed outline — to the
// mouse while drawing — show in the highlight colour. While drawing, map
// clicks do not select (state.drawing).
//
// Positions are [lon, lat] in degrees (RFC 7946 order); geometryOf turns
// a drawn ring into GeoJSON and ringOf a GeoJSON point or polygon back
// into a ring.
import { state } from "./state.js";
import { HIGHLIGHT } from "./palette.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const SAME_DEG = 1e-7; // vertices closer than ~1 cm are one (a double-click's clicks)

// Drawing is one drawn ring with its preview on the map. opts: height (m
// above the ellipsoid the preview floats at, default 0.5), onChange()
// after a vertex is added or removed and when drawing starts or stops,
// onFinish() on the double-click — the caller decides whether the ring is
// complete and then calls stop().
export class Drawing {
  constructor(viewer, opts = {}) {
    this.viewer = viewer && viewer.scene ? viewer : null;
    this.height = opts.height ?? 0.5;
    this.onChange = opts.onChange || (() => {});
    this.onFinish = opts.onFinish || (() => {});
    this.ring = []; // [[lon, lat], …] drawn so far
    this.cursor = null; // [lon, lat] under the mouse while drawing
    this.handler = null;
    this.preview = null;
    if (this.viewer) {
      const prims = this.viewer.scene.primitives;
      this.preview = { lines: prims.add(new C.PolylineCollection()), points: prims.add(new C.PointPrimitiveCollection()) };
    }
  }

  // active reports whether the mouse draws now.
  get active() {
    return this.handler !== null;
  }

  // start begins a new ring (nothing without a map).
  start() {
    if (!this.viewer) return;
    this.stop();
    this.ring = [];
    state.drawing = true;
    const h = new C.ScreenSpaceEventHandler(this.viewer.scene.canvas);
    h.setInputAction((e) => this.add(this.lonLat(e.position)), C.ScreenSpaceEventType.LEFT_CLICK);
    h.setInputAction((e) => { this.cursor = this.lonLat(e.endPosition); this.redraw(); }, C.ScreenSpaceEventType.MOUSE_MOVE);
    h.setInputAction(() => this.onFinish(), C.ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
    this.handler = h;
    this.redraw();
    this.onChange();
  }

  // stop ends drawing and keeps the ring.
  stop() {
    if (this.handler) {
      this.handler.destroy();
      this.handler = null;
      state.drawing = false;
    }
    this.cursor = null;
    this.redraw();
  }

  // set shows ring (an open ring of [lon, lat]) as drawn.
  set(ring) {
    this.ring = ring.map(([lon, lat]) => [lon, lat]);
    this.redraw();
  }

  // clear stops drawing and removes the ring.
  clear() {
    this.set([]);
    this.stop();
  }

  undo() {
    this.ring.pop();
    this.redraw();
    this.onChange();
  }

  // lonLat is the [lon, lat] on the ground under a screen position, or null.
  lonLat(pos) {
    const cart = pos && this.viewer.camera.pickEllipsoid(pos, this.viewer.scene.globe.ellipsoid);
    if (!cart) return null;
    const c = C.Cartographic.fromCartesian(cart);
    return [C.Math.toDegrees(c.longitude), C.Math.toDegrees(c.latitude)];
  }

  add(p) {
    if (!p) return;
    const prev = this.ring[this.ring.length - 1];
    if (prev && Math.abs(prev[0] - p[0]) < SAME_DEG && Math.abs(prev[1] - p[1]) < SAME_DEG) return;
    this.ring.push(p);
    this.redraw();
    this.onChange();
  }

  redraw() {
    if (!this.preview) return;
    const { lines, points } = this.preview;
    lines.removeAll();
    points.removeAll();
    const z = this.height;
    const pts = this.cursor && this.handler ? [...this.ring, this.cursor] : this.ring;
    const color = C.Color.fromCssColorString(HIGHLIGHT);
    for (const [lon, lat] of this.ring) {
      points.add({ position: C.Cartesian3.fromDegrees(lon, lat, z), pixelSize: 9, color, outlineColor: C.Color.BLACK, outlineWidth: 1.5,
        disableDepthTestDistance: Number.POSITIVE_INFINITY });
    }
    if (pts.length >= 2) {
      const closed = [...pts, pts[0]].flatMap(([lon, lat]) => [lon, lat, z]);
      lines.add({ positions: C.Cartesian3.fromDegreesArrayHeights(closed), width: 2.5, material: C.Material.fromType("Color", { color }) });
    }
    this.viewer.scene.requestRender();
  }
}

// round keeps 8 decimals of a degree (about 1 mm).
const round = (v) => Math.round(v * 1e8) / 1e8;

// geometryOf is a ring as GeoJSON: one vertex a Point, three or more a
// closed Polygon (open or closed ring given), rounded to 8 decimals;
// null for none or two.
export function geometryOf(ring) {
  const coords = ring.map(([lon, lat]) => [round(lon), round(lat)]);
  if (coords.length === 1) return { type: "Point", coordinates: coords[0] };
  const [a, b] = [coords[0], coords[coords.length - 1]];
  if (a && (a[0] !== b[0] || a[1] !== b[1])) coords.push([...a]);
  return coords.length >= 4 ? { type: "Polygon", coordinates: [coords] } : null;
}

// ringOf is the open ring of a GeoJSON Point or Polygon (its outer ring),
// [] for anything else.
export function ringOf(g) {
  if (!g) return [];
  if (g.type === "Point") return [g.coordinates.slice(0, 2)];
  if (g.type !== "Polygon" || !Array.isArray(g.coordinates[0])) return [];
  const ring = g.coordinates[0].map((c) => c.slice(0, 2));
  const [a, b] = [ring[0], ring[ring.length - 1]];
  if (ring.length > 1 && a[0] === b[0] && a[1] === b[1]) ring.pop();
  return ring;
}
