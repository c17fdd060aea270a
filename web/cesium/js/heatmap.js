// People-density heatmap: every few seconds the people's positions (on the
// chosen floor when the floor filter is set) are splatted with a Gaussian
// kernel into a grid over the site, coloured on a canvas and draped on the
// ground as one textured rectangle. Two canvases alternate, so that the
// material sees a new image on each refresh.
import { state, on } from "./state.js";
import { onFloor } from "./frame.js";
import { HEIGHT } from "./shapes.js";
import { siteRectangle, plantFrame } from "./viewer.js";
import { moverSet } from "./movers.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const CELL_M = 2; // metres per heatmap pixel
const RADIUS_M = 14; // kernel radius
const REFRESH_MS = 3000;
const MARGIN = 0.04; // rectangle margin around the site, fraction

let viewer = null;
let rect = null; // degrees {w, s, e, n}
let grid = null; // {w, h, density: Float32Array}
let kernel = null;
let canvases = [];
let flip = 0;
let primitive = null;
let material = null;
let visible = false;

export function initHeatmap(ctx) {
  viewer = ctx.viewer;
  const r = siteRectangle(ctx.site);
  const dw = (r.east - r.west) * MARGIN, dh = (r.north - r.south) * MARGIN;
  const bounds = new C.Rectangle(r.west - dw, r.south - dh, r.east + dw, r.north + dh);
  rect = { w: C.Math.toDegrees(bounds.west), s: C.Math.toDegrees(bounds.south), e: C.Math.toDegrees(bounds.east), n: C.Math.toDegrees(bounds.north) };
  const fr = plantFrame();
  const w = Math.ceil(((rect.e - rect.w) * fr.mPerDegLon) / CELL_M), h = Math.ceil(((rect.n - rect.s) * fr.mPerDegLat) / CELL_M);
  grid = { w, h, density: new Float32Array(w * h) };
  kernel = gaussian(Math.round(RADIUS_M / CELL_M));
  canvases = [0, 1].map(() => Object.assign(document.createElement("canvas"), { width: w, height: h }));
  material = C.Material.fromType("Image", { image: canvases[0], color: new C.Color(1, 1, 1, 0.99) });
  primitive = viewer.scene.primitives.add(new C.Primitive({
    geometryInstances: new C.GeometryInstance({ geometry: new C.RectangleGeometry({ rectangle: bounds, height: HEIGHT.heat, vertexFormat: C.MaterialAppearance.MaterialSupport.TEXTURED.vertexFormat }) }),
    appearance: new C.MaterialAppearance({ material, flat: true, materialSupport: C.MaterialAppearance.MaterialSupport.TEXTURED }),
    asynchronous: false, show: false, allowPicking: false,
  }));
  on("layer", ({ layer, visible: v }) => { if (layer === "heatmap") setVisible(v); });
  on("floor", () => refresh());
  setInterval(refresh, REFRESH_MS);
}

function setVisible(v) {
  visible = v;
  primitive.show = v;
  if (v) refresh();
  viewer.scene.requestRender();
}

// refresh redraws the heatmap from the people's latest fixes.
function refresh() {
  const people = moverSet("people");
  if (!visible || !people) return;
  const d = grid.density;
  d.fill(0);
  const scaleX = grid.w / (rect.e - rect.w), scaleY = grid.h / (rect.n - rect.s);
  for (let i = 0; i < people.size; i++) {
    if (people.ts[i] === 0 || !onFloor(state.floor, people.floor[i])) continue;
    splat(d, Math.round((people.lon[i] - rect.w) * scaleX), Math.round((rect.n - people.lat[i]) * scaleY));
  }
  flip ^= 1;
  paint(canvases[flip], d);
  material.uniforms.image = canvases[flip];
  viewer.scene.requestRender();
}

function splat(d, cx, cy) {
  const { r, k } = kernel;
  const size = 2 * r + 1;
  for (let dy = -r; dy <= r; dy++) {
    const y = cy + dy;
    if (y < 0 || y >= grid.h) continue;
    for (let dx = -r; dx <= r; dx++) {
      const x = cx + dx;
      if (x < 0 || x >= grid.w) continue;
      d[y * grid.w + x] += k[(dy + r) * size + dx + r];
    }
  }
}

function gaussian(r) {
  const size = 2 * r + 1;
  const k = new Float32Array(size * size);
  const s2 = (r / 2) * (r / 2) * 2;
  for (let y = -r; y <= r; y++) for (let x = -r; x <= r; x++) k[(y + r) * size + x + r] = Math.exp(-(x * x + y * y) / s2);
  return { r, k };
}

// paint colours the density on a blue → cyan → green → yellow → red ramp;
// the colour saturates at four overlapping people.
function paint(canvas, d) {
  const g = canvas.getContext("2d");
  const img = g.createImageData(grid.w, grid.h);
  const px = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = Math.min(d[i] / 4, 1);
    if (v < 0.02) continue;
    const [r, gg, b] = ramp(v);
    px[4 * i] = r; px[4 * i + 1] = gg; px[4 * i + 2] = b;
    px[4 * i + 3] = Math.round(255 * Math.min(0.85, 0.25 + v));
  }
  g.putImageData(img, 0, 0);
}

const STOPS = [[0, [40, 90, 255]], [0.3, [0, 220, 255]], [0.5, [40, 230, 90]], [0.75, [255, 220, 0]], [1, [255, 40, 30]]];

function ramp(v) {
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i];
    const [t0, c0] = STOPS[i - 1];
    if (v <= t1) {
      const u = (v - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => Math.round(c0[k] + (c1[k] - c0[k]) * u));
    }
  }
  return STOPS[STOPS.length - 1][1];
}
