// People and vehicles on the map: two MoverSets fed by the stream's
// snapshot, upsert, remove and positions events; interpolation runs once
// per frame and requests frames only while something moves. Also the
// synthetic bench set behind window.chemtwin.bench(n).
import { state, on, layerOf } from "./state.js";
import { MoverSet } from "./moverset.js";
import * as icons from "./icons.js";
import { plantFrame, siteRectangle } from "./viewer.js";
import { initCluster } from "./cluster.js";

const sets = {}; // layer id → MoverSet (people, vehicles)
let scene = null;
let interval = 2000;
let synthetic = null; // the bench set, never counted
let personStyle = null; // an overlay's icons for people (setPersonStyle)

export function initMovers(ctx) {
  scene = ctx.viewer.scene;
  const s = ctx.site.properties.settings || {};
  interval = Number(s.position_interval_s) > 0 ? Number(s.position_interval_s) * 1000 : 2000;
  const frame = plantFrame();
  sets.people = new MoverSet({ scene, frame, interval, icon: (f) => (personStyle && personStyle(f)) || icons.person(identity(f.properties)) });
  sets.vehicles = new MoverSet({ scene, frame, interval, icon: () => icons.vehicle(), scale: 0.75 });
  on("snapshot", (snap) => {
    for (const layer of Object.keys(sets)) {
      const fc = snap.layers && snap.layers[layer];
      if (fc) sets[layer].reset(fc.features || []);
    }
  });
  on("upsert", (f) => { const set = sets[layerOf(f)]; if (set) set.upsert(f); });
  on("remove", (r) => { const set = sets[r.layer]; if (set) set.remove(r.id); });
  on("positions", (batch) => applyBatch(batch.items));
  on("layer", ({ layer, visible }) => { if (sets[layer]) sets[layer].setVisible(visible); });
  on("floor", ({ floor }) => { for (const set of allSets()) set.setFloor(floor); });
  scene.preUpdate.addEventListener(tick);
  initCluster(ctx.viewer, sets.people);
}

// identity is a person's icon type: registry identity, or unregistered.
function identity(p) {
  if (p.unregistered) return "unregistered";
  return p.identity_type || "unregistered";
}

function allSets() {
  return synthetic ? [sets.people, sets.vehicles, synthetic] : [sets.people, sets.vehicles];
}

// applyBatch applies one positions batch to people and vehicles and
// records its main-thread cost in state.stats.
function applyBatch(items) {
  if (!Array.isArray(items) || !sets.people) return;
  const t0 = performance.now();
  const now = t0;
  sets.people.apply(items, now);
  sets.vehicles.apply(items, now);
  state.stats.lastBatchMs = performance.now() - t0;
  state.stats.lastBatchSize = items.length;
}

function tick() {
  const now = performance.now();
  let moving = false;
  for (const set of allSets()) moving = set.tick(now) || moving;
  if (moving) scene.requestRender();
}

// setPersonStyle lets an overlay colour the people (the emergency mode,
// emergency-map.js): style(feature) returns an icon {key, image}, or null
// for the usual one; null restores the usual icons everywhere. Everyone is
// restyled now: call it again after the overlay's figures change.
export function setPersonStyle(style) {
  personStyle = style;
  const set = sets.people;
  if (!set) return;
  for (let i = 0; i < set.size; i++) {
    const icon = set.icon(set.features[i]);
    if (set.iconKeys[i] !== icon.key) {
      set.iconKeys[i] = icon.key;
      set.billboards[i].setImage(icon.key, icon.image);
    }
  }
  scene.requestRender();
}

// moverSet returns the set of a layer ("people", "vehicles").
export const moverSet = (layer) => sets[layer] || null;

// moverPosition returns the drawn position (Cartesian3) of a person or
// vehicle, or undefined.
export function moverPosition(id, result) {
  for (const set of [sets.people, sets.vehicles]) {
    const p = set && set.position(id, result);
    if (p) return p;
  }
  return undefined;
}

// bench creates n synthetic people spread over the site (a separate set,
// not in the counts; n = 0 removes it), then applies one positions batch
// moving every one of them a few metres and returns the main-thread time
// of that apply in milliseconds. The batch goes through the same apply as
// the stream's, including the in-place feature updates, with ids parsed
// from JSON like a websocket frame's.
export function bench(n) {
  if (synthetic) synthetic.destroy();
  synthetic = null;
  if (!(n > 0) || !scene) return 0;
  const r = siteRectangle(state.site);
  const [w, s, e, nn] = [r.west, r.south, r.east, r.north].map(Cesium.Math.toDegrees);
  synthetic = new MoverSet({ scene, frame: plantFrame(), interval, icon: () => icons.person("visitor") });
  synthetic.setFloor(state.floor);
  const features = new Map(); // the synthetic set's own features, not state.features
  const t = Date.now();
  const rnd = mulberry32(n);
  for (let i = 0; i < n; i++) {
    const id = "SYN-" + i;
    const f = { type: "Feature", geometry: { type: "Point", coordinates: [w + (e - w) * rnd(), s + (nn - s) * rnd()] }, properties: { id, kind: "person", z: 0, floor: 0, ts: new Date(t - 2000).toISOString() } };
    features.set(id, f);
    synthetic.upsert(f);
  }
  const items = [];
  for (const f of features.values()) {
    const [lon, lat] = f.geometry.coordinates;
    items.push([f.properties.id, lon + (rnd() - 0.5) * 4e-5, lat + (rnd() - 0.5) * 4e-5, 0, 0, t]);
  }
  // Parsed like a stream frame: fresh id strings, as the websocket gives.
  const batch = JSON.parse(JSON.stringify(items));
  // The stream's apply is hot in real use (tens of batches a second): a few
  // small batches first, so that the measured one runs warm as it would.
  for (let k = 0; k < 12; k++) {
    const warm = items.slice(0, 500).map((it) => [it[0], it[1], it[2], 0, 0, t - 1200 + k]);
    synthetic.apply(JSON.parse(JSON.stringify(warm)), performance.now());
  }
  const t0 = performance.now();
  synthetic.apply(batch, t0);
  const ms = performance.now() - t0;
  state.stats.lastBatchMs = ms;
  state.stats.lastBatchSize = n;
  return ms;
}

// mulberry32 is a small seeded PRNG, so that bench runs are repeatable.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
