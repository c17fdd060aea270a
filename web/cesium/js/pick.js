// Picking and the camera's answers to the panels: a click on the map emits
// "select" {id} (null on empty ground; a cluster badge zooms in instead),
// the selected entity is highlighted (a ring on points and movers, an
// outline on polygons and lines), "flyto" {id} flies to an entity or an
// alarm, and "follow" {id} tracks a person or vehicle every frame until
// cleared or until the user drags the map.
import { state, on, emit } from "./state.js";
import { moverPosition } from "./movers.js";
import { plantFrame } from "./viewer.js";
import * as icons from "./icons.js";
import * as S from "./shapes.js";
import { HIGHLIGHT } from "./palette.js";
import { pointOf, polygonsOf } from "./frame.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
let viewer = null;
let ring = null; // highlight billboard
let outline = null; // highlight primitive
let following = null;
let dragging = null;

export function initPick(ctx) {
  viewer = ctx.viewer;
  scratchPos = new C.Cartesian3();
  scratchOffset = new C.Cartesian3();
  scratchFrame = new C.Matrix4();
  const bc = viewer.scene.primitives.add(new C.BillboardCollection({ scene: viewer.scene }));
  ring = bc.add({ show: false, disableDepthTestDistance: Number.POSITIVE_INFINITY, scale: 0.7 });
  const icon = icons.ring();
  ring.setImage(icon.key, icon.image);
  const handler = new C.ScreenSpaceEventHandler(viewer.scene.canvas);
  handler.setInputAction((e) => onClick(e.position), C.ScreenSpaceEventType.LEFT_CLICK);
  handler.setInputAction((e) => { dragging = C.Cartesian2.clone(e.position); }, C.ScreenSpaceEventType.LEFT_DOWN);
  handler.setInputAction(() => { dragging = null; }, C.ScreenSpaceEventType.LEFT_UP);
  handler.setInputAction((e) => onDrag(e.endPosition), C.ScreenSpaceEventType.MOUSE_MOVE);
  on("select", (sel) => highlight(sel && sel.id));
  on("flyto", (req) => flyTo(req && req.id));
  on("follow", (req) => follow(req && req.id));
  on("upsert", (f) => { if (f.properties && f.properties.id === state.selected) highlight(state.selected); });
  viewer.scene.preUpdate.addEventListener(onFrame);
}

// pickedId maps what scene.pick returns to an entity id, or a cluster.
function pickedId(picked) {
  const id = picked && picked.id;
  if (typeof id === "string") return id;
  if (id && typeof id === "object" && id.entity) return id.entity;
  if (id && id.cluster) return id;
  return null;
}

function onClick(position) {
  if (state.drawing) return;
  const id = pickedId(viewer.scene.pick(position));
  if (id && id.cluster) {
    zoomTo(new C.BoundingSphere(id.position, 40));
    return;
  }
  emit("select", { id: id || null });
}

function onDrag(position) {
  if (!dragging || !following) return;
  if (C.Cartesian2.distance(dragging, position) < 6) return;
  dragging = null;
  emit("follow", { id: null });
}

// highlight marks id (entity or alarm) as selected.
function highlight(id) {
  state.selected = id || null;
  ring.show = false;
  if (outline) viewer.scene.primitives.remove(outline);
  outline = null;
  const f = id && state.features.get(id);
  if (f) {
    const lines = polygonsOf(f).map((rings) => rings[0]);
    if (f.geometry && f.geometry.type === "LineString") lines.push(f.geometry.coordinates);
    const pt = pointOf(f);
    if (pt && Number(f.properties.radius_m) > 0) lines.push(circleAround(pt, Number(f.properties.radius_m) + 1));
    const top = Number(f.properties.height) || 0;
    const inst = lines.map((ln, k) => S.outline({ entity: id, part: k }, ln, Math.max(top, 0.6) + 0.1, C.Color.fromCssColorString(HIGHLIGHT), 4));
    outline = S.lines(inst);
    if (outline) viewer.scene.primitives.add(outline);
  }
  placeRing();
  viewer.scene.requestRender();
}

// circleAround is a ring of [lon, lat] at r metres around pt.
function circleAround(pt, r) {
  const fr = plantFrame();
  const out = [];
  for (let k = 0; k <= 48; k++) {
    const a = (2 * Math.PI * k) / 48;
    out.push([pt[0] + (r * Math.sin(a)) / fr.mPerDegLon, pt[1] + (r * Math.cos(a)) / fr.mPerDegLat]);
  }
  return out;
}

// placeRing puts the ring on the selected point, mover or alarm.
function placeRing() {
  const pos = positionOf(state.selected);
  const f = state.features.get(state.selected);
  const isArea = f && (polygonsOf(f).length > 0 || (f.geometry && f.geometry.type === "LineString") || Number(f.properties.radius_m) > 0);
  ring.show = Boolean(pos) && !isArea;
  if (pos) ring.position = pos;
}

// positionOf returns where an entity or an alarm is drawn (Cartesian3).
function positionOf(id, result) {
  if (!id) return undefined;
  const moving = moverPosition(id, result);
  if (moving) return moving;
  const f = state.features.get(id);
  const pt = f && pointOf(f);
  if (pt) return C.Cartesian3.fromDegrees(pt[0], pt[1], Number(f.properties.height) || Number(f.properties.z) || 0, C.Ellipsoid.WGS84, result);
  const a = state.alarms.get(id);
  if (a && Number.isFinite(a.lon) && Number.isFinite(a.lat)) return C.Cartesian3.fromDegrees(a.lon, a.lat, 0, C.Ellipsoid.WGS84, result);
  return undefined;
}

// flyTo flies to an entity (its outline for areas) or to an alarm's place.
function flyTo(id) {
  const f = id && state.features.get(id);
  const polys = f ? polygonsOf(f) : [];
  const line = f && f.geometry && f.geometry.type === "LineString" ? f.geometry.coordinates : null;
  if (polys.length > 0 || line) {
    const pts = (line || polys.flatMap((rings) => rings[0])).map(([lon, lat]) => C.Cartesian3.fromDegrees(lon, lat, 0));
    const s = C.BoundingSphere.fromPoints(pts);
    zoomTo(new C.BoundingSphere(s.center, Math.max(s.radius, 25)));
    return;
  }
  const pos = positionOf(id);
  if (pos) zoomTo(new C.BoundingSphere(pos, 30));
}

function zoomTo(sphere) {
  stopFollow();
  viewer.camera.flyToBoundingSphere(sphere, {
    offset: new C.HeadingPitchRange(viewer.camera.heading, C.Math.toRadians(-45), sphere.radius * 3.2),
    duration: 1.2,
  });
}

function follow(id) {
  if (!id) {
    stopFollow();
    return;
  }
  const pos = moverPosition(id);
  if (!pos) return;
  following = id;
  state.following = id;
  viewer.camera.lookAtTransform(C.Transforms.eastNorthUpToFixedFrame(pos), new C.HeadingPitchRange(viewer.camera.heading, C.Math.toRadians(-35), 90));
}

function stopFollow() {
  if (!following) return;
  following = null;
  state.following = null;
  viewer.camera.lookAtTransform(C.Matrix4.IDENTITY);
}

let scratchPos, scratchOffset, scratchFrame;

// onFrame keeps the ring on a moving selection and the camera on the
// followed one, keeping the user's zoom and orbit around it.
function onFrame() {
  if (state.selected && ring.show) {
    const pos = moverPosition(state.selected, scratchPos);
    if (pos) ring.position = pos;
  }
  if (!following) return;
  const pos = moverPosition(following, scratchPos);
  if (!pos) return;
  C.Cartesian3.clone(viewer.camera.position, scratchOffset);
  viewer.camera.lookAtTransform(C.Transforms.eastNorthUpToFixedFrame(pos, C.Ellipsoid.WGS84, scratchFrame), scratchOffset);
}
