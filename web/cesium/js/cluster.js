// Screen-space clustering of people (Cesium's EntityCluster does not work
// with primitive collections): on camera change, and every second while
// people move, project each shown person to the screen, bin them in a grid
// of CELL pixels, and replace crowded cells by one count badge coloured by
// the worst open alarm of its members. The selected person is never
// clustered. Close to the ground the same pass labels the people in view
// with their names.
import { state, on } from "./state.js";
import { name } from "./i18n.js";
import { ALARM_LEVEL } from "./palette.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const CELL = 56; // px
const MIN_MEMBERS = 3;
const CLUSTER_ABOVE_M = 320; // camera height above which people cluster
const NAMES_BELOW_M = 220; // camera height below which people are named
const MAX_NAMES = 150;
const NAME_RANGE_M = 180; // people farther from the camera stay unnamed
const FONT = '12px "Noto Sans CJK SC", sans-serif';

let scene = null;
let people = null; // MoverSet
let badges = null, counts = null, names = null;
const named = []; // mover indices currently named, with their labels
let queued = false;
let nameDistance = null;

export function initCluster(viewer, set) {
  scene = viewer.scene;
  people = set;
  nameDistance = new C.DistanceDisplayCondition(0, NAME_RANGE_M);
  badges = scene.primitives.add(new C.PointPrimitiveCollection());
  counts = scene.primitives.add(new C.LabelCollection());
  names = scene.primitives.add(new C.LabelCollection());
  scene.camera.percentageChanged = 0.05;
  scene.camera.changed.addEventListener(queue);
  scene.camera.moveEnd.addEventListener(queue);
  for (const ev of ["snapshot", "floor", "layer", "select", "alarm", "lang"]) on(ev, queue);
  setInterval(queue, 1000);
  scene.preUpdate.addEventListener(moveNames);
}

// queue coalesces triggers into one pass on the next animation frame.
function queue() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    recompute();
  });
}

function recompute() {
  badges.removeAll();
  counts.removeAll();
  const height = scene.camera.positionCartographic.height;
  const active = people.visible && height > CLUSTER_ABOVE_M && scene.mode !== C.SceneMode.MORPHING;
  const cells = active ? bin() : new Map();
  const worst = active ? worstAlarms() : null;
  const want = new Uint8Array(people.size);
  for (const members of cells.values()) {
    if (members.length < MIN_MEMBERS) continue;
    for (const i of members) want[i] = 1;
    addBadge(members, worst);
  }
  for (let i = 0; i < people.size; i++) people.setClustered(i, want[i] === 1);
  label(people.visible && height < NAMES_BELOW_M);
  scene.requestRender();
}

// bin groups the shown people (but the selected one) by screen cell.
function bin() {
  const cells = new Map();
  const w = scene.canvas.clientWidth, h = scene.canvas.clientHeight;
  const project = projector(w, h);
  const out = [0, 0];
  for (let i = 0; i < people.size; i++) {
    if (!people.candidate(i) || people.ids[i] === state.selected) continue;
    if (!project(i, out) || out[0] < 0 || out[1] < 0 || out[0] > w || out[1] > h) continue;
    const key = Math.floor(out[0] / CELL) * 4096 + Math.floor(out[1] / CELL);
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key).push(i);
  }
  return cells;
}

// projector returns project(i, out) → window [x, y] of mover i, false when
// behind the camera. In 3D it multiplies by the view-projection matrix
// (a few flops per point); other modes go through SceneTransforms.
function projector(w, h) {
  const cur = people.cur;
  if (scene.mode !== C.SceneMode.SCENE3D) {
    const p = new C.Cartesian3(), win = new C.Cartesian2();
    return (i, out) => {
      C.Cartesian3.fromArray(cur, 3 * i, p);
      const r = C.SceneTransforms.worldToWindowCoordinates(scene, p, win);
      if (!r) return false;
      out[0] = r.x; out[1] = r.y;
      return true;
    };
  }
  const m = C.Matrix4.multiply(scene.camera.frustum.projectionMatrix, scene.camera.viewMatrix, new C.Matrix4());
  return (i, out) => {
    const x = cur[3 * i], y = cur[3 * i + 1], z = cur[3 * i + 2];
    const cw = m[3] * x + m[7] * y + m[11] * z + m[15];
    if (cw <= 0) return false;
    out[0] = ((m[0] * x + m[4] * y + m[8] * z + m[12]) / cw + 1) * 0.5 * w;
    out[1] = (1 - (m[1] * x + m[5] * y + m[9] * z + m[13]) / cw) * 0.5 * h;
    return true;
  };
}

// worstAlarms maps person id → highest level of its open alarms.
function worstAlarms() {
  const worst = new Map();
  for (const a of state.alarms.values()) {
    if (a.state === "cleared" || !a.entity_id) continue;
    worst.set(a.entity_id, Math.max(worst.get(a.entity_id) || 0, Number(a.level) || 1));
  }
  return worst;
}

function addBadge(members, worst) {
  let x = 0, y = 0, z = 0, level = 0;
  const cur = people.cur;
  for (const i of members) {
    x += cur[3 * i]; y += cur[3 * i + 1]; z += cur[3 * i + 2];
    level = Math.max(level, worst.get(people.ids[i]) || 0);
  }
  const n = members.length;
  const position = new C.Cartesian3(x / n, y / n, z / n);
  const id = { cluster: members.map((i) => people.ids[i]), position };
  badges.add({
    id, position, pixelSize: 18 + 4 * Math.log2(n), color: C.Color.fromCssColorString(ALARM_LEVEL[Math.min(level, 3)]).withAlpha(0.92),
    outlineColor: C.Color.WHITE, outlineWidth: 2, disableDepthTestDistance: Number.POSITIVE_INFINITY,
  });
  counts.add({
    id, position, text: String(n), font: 'bold 13px sans-serif', fillColor: level === 1 ? C.Color.BLACK : C.Color.WHITE,
    horizontalOrigin: C.HorizontalOrigin.CENTER, verticalOrigin: C.VerticalOrigin.CENTER,
    disableDepthTestDistance: Number.POSITIVE_INFINITY,
  });
}

// label names the people in view within NAME_RANGE_M of the camera (at
// most MAX_NAMES) when the camera is low enough.
function label(show) {
  names.removeAll();
  named.length = 0;
  if (!show) return;
  const w = scene.canvas.clientWidth, h = scene.canvas.clientHeight;
  const project = projector(w, h);
  const out = [0, 0];
  const cam = scene.camera.positionWC;
  const cur = people.cur;
  for (let i = 0; i < people.size && named.length < MAX_NAMES; i++) {
    const dx = cur[3 * i] - cam.x, dy = cur[3 * i + 1] - cam.y, dz = cur[3 * i + 2] - cam.z;
    if (dx * dx + dy * dy + dz * dz > NAME_RANGE_M * NAME_RANGE_M) continue;
    if (!people.candidate(i) || !project(i, out) || out[0] < 0 || out[1] < 0 || out[0] > w || out[1] > h) continue;
    const f = state.features.get(people.ids[i]);
    const l = names.add({
      position: C.Cartesian3.fromArray(people.cur, 3 * i), text: f ? name(f.properties) : people.ids[i], font: FONT,
      fillColor: C.Color.WHITE, outlineColor: C.Color.BLACK, outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE,
      pixelOffset: new C.Cartesian2(0, -18), horizontalOrigin: C.HorizontalOrigin.CENTER,
      disableDepthTestDistance: Number.POSITIVE_INFINITY, distanceDisplayCondition: nameDistance,
    });
    named.push({ i, id: people.ids[i], l });
  }
}

// moveNames keeps the name labels on their (gliding) people every frame.
function moveNames() {
  const p = new C.Cartesian3();
  for (const { i, id, l } of named) {
    if (people.ids[i] !== id) continue;
    l.position = C.Cartesian3.fromArray(people.cur, 3 * i, p);
  }
}
