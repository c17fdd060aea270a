// MoverSet: moving objects (people or vehicles) in one BillboardCollection,
// their state in typed arrays, positions interpolated between fixes.
//
// The hot path is apply(): a positions batch only writes numbers into
// typed arrays (target position in ECEF via the site frame, start time,
// duration) and updates the shared features in place; the billboards move
// in tick(), once per frame, for the objects still animating. Never one
// Entity per moving object: 10k Entities cost 77–126 ms per frame here,
// 10k billboards ~6 ms.
import { onFloor } from "./frame.js";

const ACTIVE = 1; // animating
const PLACED = 2; // has a position
const CLUSTERED = 4; // hidden inside a cluster badge
const JUMP_M2 = 150 * 150; // farther than this: jump, do not glide
const MIN_MS = 250, MAX_MS = 5000;

export class MoverSet {
  // icon(feature) returns {key, image}; options: scene, frame, interval (ms).
  constructor({ scene, frame, icon, interval = 2000, scale = 0.8 }) {
    this.scene = scene;
    this.frame = frame;
    this.icon = icon;
    this.interval = interval;
    this.scale = scale;
    this.collection = scene.primitives.add(new Cesium.BillboardCollection({ scene }));
    this.floorFilter = null;
    this.ids = [];
    this.features = []; // the feature of each mover's last upsert
    this.index = new Map();
    this.billboards = [];
    this.iconKeys = [];
    this.active = new Int32Array(64);
    this.activeCount = 0;
    this.size = 0;
    this.grow(64);
  }

  grow(cap) {
    const resize = (a, T, n) => { const b = new T(n); if (a) b.set(a); return b; };
    this.cap = cap;
    for (const k of ["cur", "from", "to"]) this[k] = resize(this[k], Float64Array, 3 * cap);
    for (const k of ["lon", "lat", "z", "ts", "start", "dur"]) this[k] = resize(this[k], Float64Array, cap);
    this.floor = resize(this.floor, Int32Array, cap);
    this.flags = resize(this.flags, Uint8Array, cap);
    this.active = resize(this.active, Int32Array, cap);
  }

  // upsert adds or updates one mover from its feature (icon, position
  // when it has one and it is not older than the one held).
  upsert(feature) {
    const p = feature.properties;
    let i = this.index.get(p.id);
    if (i === undefined) i = this.add(p.id);
    this.features[i] = feature;
    const icon = this.icon(feature);
    if (this.iconKeys[i] !== icon.key) {
      this.iconKeys[i] = icon.key;
      this.billboards[i].setImage(icon.key, icon.image);
    }
    const g = feature.geometry;
    if (g && g.type === "Point") {
      const ts = Date.parse(p.ts) || 0;
      if (ts >= this.ts[i]) this.move(i, g.coordinates[0], g.coordinates[1], Number(p.z) || 0, Number(p.floor) || 0, ts, performance.now());
    }
  }

  add(id) {
    if (this.size === this.cap) this.grow(this.cap * 2);
    const i = this.size++;
    this.ids[i] = id;
    this.index.set(id, i);
    this.flags[i] = 0;
    this.ts[i] = 0;
    this.floor[i] = 0;
    this.iconKeys[i] = null;
    this.billboards[i] = this.collection.add({
      id, show: false, scale: this.scale, disableDepthTestDistance: Number.POSITIVE_INFINITY,
      verticalOrigin: Cesium.VerticalOrigin.CENTER,
      scaleByDistance: new Cesium.NearFarScalar(150, 1.0, 2500, 0.55),
      distanceDisplayCondition: new Cesium.DistanceDisplayCondition(0, 20000),
    });
    return i;
  }

  // remove drops a mover; the last one takes its slot.
  remove(id) {
    const i = this.index.get(id);
    if (i === undefined) return;
    this.collection.remove(this.billboards[i]);
    this.index.delete(id);
    const last = --this.size;
    this.dropActive(i);
    if (i !== last) {
      this.dropActive(last);
      this.copySlot(last, i);
      if (this.flags[i] & ACTIVE) this.active[this.activeCount++] = i;
    }
    this.ids.length = this.features.length = this.billboards.length = this.iconKeys.length = this.size;
  }

  copySlot(from, to) {
    for (const k of ["cur", "from", "to"]) this[k].copyWithin(3 * to, 3 * from, 3 * from + 3);
    for (const k of ["lon", "lat", "z", "ts", "start", "dur", "floor", "flags"]) this[k][to] = this[k][from];
    this.ids[to] = this.ids[from];
    this.features[to] = this.features[from];
    this.billboards[to] = this.billboards[from];
    this.iconKeys[to] = this.iconKeys[from];
    this.index.set(this.ids[to], to);
  }

  dropActive(i) {
    for (let a = 0; a < this.activeCount; a++) {
      if (this.active[a] === i) { this.active[a] = this.active[--this.activeCount]; return; }
    }
  }

  // reset replaces the whole set with a snapshot's features.
  reset(features) {
    const keep = new Set(features.map((f) => f.properties.id));
    for (const id of [...this.ids]) if (!keep.has(id)) this.remove(id);
    for (const f of features) this.upsert(f);
  }

  // apply takes a positions batch [[id, lon, lat, z, floor, tsMs], …]:
  // items for ids not in the set are skipped (the other set's), older
  // fixes than the one held are ignored. Each mover's feature (the one of
  // its last upsert, shared with state.features) gets the new geometry in
  // place. Returns the number of items applied.
  apply(items, now) {
    let n = 0;
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      const i = this.index.get(it[0]);
      if (i === undefined || it[5] < this.ts[i]) continue;
      const lon = it[1], lat = it[2], z = it[3] || 0, floor = it[4] || 0;
      const f = this.features[i];
      if (f) setGeometry(f, lon, lat, z !== this.z[i] || floor !== this.floor[i], z, floor);
      this.move(i, lon, lat, z, floor, it[5], now);
      n++;
    }
    if (n > 0) this.scene.requestRender();
    return n;
  }

  // move sets a mover's new fix: it glides there from where it is drawn
  // over the time since its previous fix (the expected interval when
  // unknown), or jumps when it was unplaced or the step is too long.
  move(i, lon, lat, z, floor, ts, now) {
    const prevTs = this.ts[i];
    this.lon[i] = lon; this.lat[i] = lat; this.z[i] = z; this.ts[i] = ts;
    if (this.floor[i] !== floor) {
      this.floor[i] = floor;
      this.refresh(i);
    }
    const j = 3 * i;
    const to = this.to, cur = this.cur;
    this.frame.toXYZ(lon, lat, z, to, j);
    const dx = to[j] - cur[j], dy = to[j + 1] - cur[j + 1], dz = to[j + 2] - cur[j + 2];
    if (!(this.flags[i] & PLACED) || dx * dx + dy * dy + dz * dz > JUMP_M2) {
      cur[j] = to[j]; cur[j + 1] = to[j + 1]; cur[j + 2] = to[j + 2];
      this.flags[i] |= PLACED;
      this.refresh(i);
      this.draw(i);
      return;
    }
    this.from[j] = cur[j]; this.from[j + 1] = cur[j + 1]; this.from[j + 2] = cur[j + 2];
    this.start[i] = now;
    const dt = prevTs > 0 ? ts - prevTs : this.interval;
    this.dur[i] = dt < MIN_MS ? MIN_MS : dt > MAX_MS ? this.interval : dt;
    if (!(this.flags[i] & ACTIVE)) {
      this.flags[i] |= ACTIVE;
      this.active[this.activeCount++] = i;
    }
  }

  // tick advances every animating mover to time now; it reports whether
  // any is still moving (the caller keeps requesting frames while so).
  tick(now) {
    const { cur, from, to, active } = this;
    let w = 0;
    for (let a = 0; a < this.activeCount; a++) {
      const i = active[a];
      let u = (now - this.start[i]) / this.dur[i];
      if (u >= 1) {
        u = 1;
        this.flags[i] &= ~ACTIVE;
      } else {
        active[w++] = i;
      }
      const j = 3 * i;
      cur[j] = from[j] + (to[j] - from[j]) * u;
      cur[j + 1] = from[j + 1] + (to[j + 1] - from[j + 1]) * u;
      cur[j + 2] = from[j + 2] + (to[j + 2] - from[j + 2]) * u;
      this.draw(i);
    }
    this.activeCount = w;
    return w > 0;
  }

  draw(i) {
    const b = this.billboards[i];
    if (!b.show) return;
    const j = 3 * i;
    SCRATCH.x = this.cur[j]; SCRATCH.y = this.cur[j + 1]; SCRATCH.z = this.cur[j + 2];
    b.position = SCRATCH;
  }

  // refresh recomputes whether mover i is shown: placed, on the chosen
  // floor and not inside a cluster badge.
  refresh(i) {
    const f = this.flags[i];
    const show = (f & PLACED) !== 0 && (f & CLUSTERED) === 0 && onFloor(this.floorFilter, this.floor[i]);
    const b = this.billboards[i];
    if (b.show === show) return;
    b.show = show;
    if (show) this.draw(i);
  }

  setFloor(floor) {
    this.floorFilter = floor;
    for (let i = 0; i < this.size; i++) this.refresh(i);
    this.scene.requestRender();
  }

  setClustered(i, on) {
    const was = (this.flags[i] & CLUSTERED) !== 0;
    if (was === on) return;
    this.flags[i] = on ? this.flags[i] | CLUSTERED : this.flags[i] & ~CLUSTERED;
    this.refresh(i);
  }

  // candidate reports whether mover i would be shown if not clustered.
  candidate(i) {
    return (this.flags[i] & PLACED) !== 0 && onFloor(this.floorFilter, this.floor[i]);
  }

  setVisible(v) {
    this.collection.show = v;
    this.scene.requestRender();
  }

  get visible() {
    return this.collection.show;
  }

  // position returns the drawn position of id as a Cartesian3 (or undefined).
  position(id, result) {
    const i = this.index.get(id);
    if (i === undefined || !(this.flags[i] & PLACED)) return undefined;
    const j = 3 * i;
    return Cesium.Cartesian3.fromElements(this.cur[j], this.cur[j + 1], this.cur[j + 2], result);
  }

  destroy() {
    this.scene.primitives.remove(this.collection);
  }
}

const SCRATCH = { x: 0, y: 0, z: 0 }; // a Cartesian3-shaped scratch, read by Billboard.position

// setGeometry writes a fix into a shared feature without allocating when
// it already has a point; z and floor are written only when they change
// (property writes on large parsed objects are the expensive part).
function setGeometry(f, lon, lat, level, z, floor) {
  const g = f.geometry;
  if (g && g.type === "Point") {
    g.coordinates[0] = lon;
    g.coordinates[1] = lat;
  } else {
    f.geometry = { type: "Point", coordinates: [lon, lat] };
  }
  if (level) {
    f.properties.z = z;
    f.properties.floor = floor;
  }
}
