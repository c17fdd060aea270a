// Gatherings on the map (人员聚集): each open gathering alarm is a disc at
// the group's centre (details.centre_lon / centre_lat, else the alarm's
// lon / lat) of its members' enclosing radius (details.radius_m; the
// 15 m detection radius when the alarm has none), coloured by level —
// 1 yellow, 2 orange, 3 red — with its head count (details.count) as a
// label. A gathering escalated to evacuation (details.evacuate, a gas
// alarm nearby) is red with a white ring around it. The discs follow the
// snapshot and the /ws alarm frames (raised, updated …); a cleared or
// closed gathering goes. A click on a disc or its label selects the alarm
// (pick.js emits "select" with the alarm id; the list marks it, and this
// module scrolls it into view). The Alarms layer toggle shows and hides
// them with the alarm markers.
import { state, on } from "./state.js";
import { t } from "./i18n.js";
import { plantFrame } from "./viewer.js";
import { RISK } from "./palette.js";
import * as S from "./shapes.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it
const DEFAULT_RADIUS_M = 15; // twin/gather DefaultRadiusM (AQ 3064.3—2025 §3.5)
const DISC_HEIGHT = 0.6; // above the threat zones (shapes.js HEIGHT.threat)
const LABEL_HEIGHT = 2.5;
const RING_GAP_M = 1.5; // the evacuation ring, outside the disc
const SEGMENTS = 64;
const LEVEL_COLOUR = { 1: RISK.yellow, 2: RISK.orange, 3: RISK.red };
const EVACUATE_RING = "#ffffff";
const FONT = 'bold 15px "Noto Sans CJK SC", sans-serif';

let viewer = null;
let labels = null;
const drawn = new Map(); // alarm id → {view, fill, lines, label}

export function initGatherings(ctx) {
  viewer = ctx && ctx.viewer && ctx.viewer.scene ? ctx.viewer : null;
  if (!viewer) return;
  labels = viewer.scene.primitives.add(new C.LabelCollection());
  on("snapshot", sync);
  on("alarm", (ev) => { if (ev && ev.alarm && (ev.alarm.type === "gathering" || drawn.has(ev.alarm.id))) sync(); });
  on("lang", () => sync(true));
  on("layer", ({ layer }) => { if (layer === "alarms") sync(true); });
  on("select", (sel) => reveal(sel && sel.id));
}

// gatheringView is what the map shows of gathering alarm a, or null when
// it shows nothing (closed, cleared, no place).
export function gatheringView(a) {
  if (!a || a.type !== "gathering" || a.state === "cleared" || (a.details && a.details.closed_by)) return null;
  const d = a.details || {};
  const lon = finite(d.centre_lon, a.lon), lat = finite(d.centre_lat, a.lat);
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || (lon === 0 && lat === 0)) return null;
  const r = Number(d.radius_m);
  const evacuate = d.evacuate === true;
  const level = evacuate ? 3 : Math.min(Math.max(Number(a.level) | 0, 1), 3);
  const count = Number.isFinite(Number(d.count)) ? Number(d.count) : (d.members || []).length;
  return {
    id: a.id, gathering_id: a.entity_id, lon, lat, radius_m: Number.isFinite(r) && r > 0 ? r : DEFAULT_RADIUS_M,
    level, count, evacuate, colour: LEVEL_COLOUR[level], outline: evacuate ? EVACUATE_RING : LEVEL_COLOUR[level],
    label: t(evacuate ? "gathering.evacuate" : "gathering.count", { n: count }),
  };
}

function finite(v, fallback) {
  const n = Number(v);
  return v !== null && v !== undefined && Number.isFinite(n) ? n : fallback;
}

// sync makes the drawn discs match the open gathering alarms (force:
// redraw every one, e.g. after a language switch).
function sync(force = false) {
  const keep = new Set();
  for (const a of state.alarms.values()) {
    const view = gatheringView(a);
    if (!view) continue;
    keep.add(a.id);
    const old = drawn.get(a.id);
    if (old && !force && sameView(old.view, view)) continue;
    if (old) erase(a.id);
    draw(view);
  }
  for (const id of [...drawn.keys()]) if (!keep.has(id)) erase(id);
  viewer.scene.requestRender();
}

function sameView(a, b) {
  return ["lon", "lat", "radius_m", "level", "count", "evacuate", "label"].every((k) => a[k] === b[k]);
}

function draw(view) {
  const visible = state.visible.get("alarms") !== false;
  const ring = circle(view.lon, view.lat, view.radius_m);
  const fill = S.batch([S.circle(view.id, view.lon, view.lat, view.radius_m, DISC_HEIGHT, S.css(view.colour, 0.3))], { translucent: true, flat: true });
  const outlines = [S.outline(view.id, ring, DISC_HEIGHT + 0.05, S.css(view.outline), view.evacuate ? 4 : 2.5)];
  if (view.evacuate) outlines.push(S.outline(view.id, circle(view.lon, view.lat, view.radius_m + RING_GAP_M), DISC_HEIGHT + 0.05, S.css(RISK.red), 3));
  const lines = S.lines(outlines);
  for (const p of [fill, lines]) {
    p.show = visible;
    viewer.scene.primitives.add(p);
  }
  const label = labels.add({
    id: view.id, position: C.Cartesian3.fromDegrees(view.lon, view.lat, LABEL_HEIGHT), text: view.label, font: FONT,
    fillColor: C.Color.WHITE, outlineColor: C.Color.BLACK, outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE,
    showBackground: true, backgroundColor: S.css(view.colour, 0.75), verticalOrigin: C.VerticalOrigin.BOTTOM,
    pixelOffset: new C.Cartesian2(0, -14), disableDepthTestDistance: Number.POSITIVE_INFINITY, show: visible,
  });
  drawn.set(view.id, { view, fill, lines, label });
}

function erase(id) {
  const g = drawn.get(id);
  if (!g) return;
  viewer.scene.primitives.remove(g.fill);
  viewer.scene.primitives.remove(g.lines);
  labels.remove(g.label);
  drawn.delete(id);
}

// circle is a closed ring of [lon, lat] at r metres around [lon, lat].
function circle(lon, lat, r) {
  const fr = plantFrame();
  const out = [];
  for (let k = 0; k <= SEGMENTS; k++) {
    const a = (2 * Math.PI * k) / SEGMENTS;
    out.push([lon + (r * Math.sin(a)) / fr.mPerDegLon, lat + (r * Math.cos(a)) / fr.mPerDegLat]);
  }
  return out;
}

// reveal scrolls the list item of a selected gathering alarm into view.
function reveal(id) {
  if (!id || !drawn.has(id)) return;
  const li = document.querySelector(`#alarm-list li[data-alarm-id="${CSS.escape(id)}"]`);
  if (li) li.scrollIntoView({ block: "nearest" });
}

// drawnGatherings lists what the map shows (the test hook's gatherings()).
export function drawnGatherings() {
  return [...drawn.values()].map(({ view, fill, label }) => ({ ...view, shown: fill.show && label.show }));
}
