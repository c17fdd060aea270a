// The read-only test hook window.chemtwin, installed first so that a
// browser test can poll it while the viewer starts:
//
//   counts()  fresh object: entities per layer (live and static), open
//             alarms, gas detectors by state (gas_normal, gas_level1, …),
//             messages (websocket messages received), lastMessageAt (epoch ms)
//   perf()    the last positions-batch apply time, ms
//   bench(n)  n synthetic people (own set, not counted), one batch moving
//             all of them; returns that apply's main-thread time in ms
//   camera()  {lon, lat, height} of the camera
//   ready()   true once the viewer is built and the first snapshot applied
//   playback() track playback: {t, from, to, playing, markers: [{id, lon, lat}]}
//   gatherings() the gathering discs on the map: [{id (alarm id), gathering_id,
//             lon, lat, radius_m, level, count, evacuate, colour, outline,
//             label, shown}]
//   screen(lon, lat, height) the window position {x, y} (CSS pixels) of a
//             point, or null when it is not in view
//   renderScale() the 3D scene's resolution scale (?render_scale=)
import { state } from "./state.js";
import { currentViewer } from "./viewer.js";
import { bench } from "./movers.js";
import { snapshotCount } from "./stream.js";
import { detectorState } from "./live.js";
import { playbackState } from "./playback.js";
import { drawnGatherings } from "./gatherings.js";

export function initHook() {
  Object.defineProperty(window, "chemtwin", {
    value: Object.freeze({ counts, perf, bench, camera, ready, playback: playbackState, gatherings: drawnGatherings, screen,
      renderScale: () => currentViewer()?.resolutionScale }),
    writable: false, configurable: false,
  });
}

// counts returns the entities per layer, open alarms and stream figures;
// the layer panel shows the same numbers.
export function counts() {
  const out = {};
  for (const [layer, ids] of state.layers) out[layer] = ids.size;
  for (const l of ["people", "vehicles", "gas_detectors", "cameras", "fences"]) out[l] = out[l] || 0;
  out.alarms = openAlarms();
  for (const s of ["normal", "level1", "level2", "over_range", "fault", "stuck", "drift", "offline"]) out["gas_" + s] = 0;
  for (const id of state.layers.get("gas_detectors") || []) {
    const f = state.features.get(id);
    if (f) out["gas_" + detectorState(f.properties)]++;
  }
  out.messages = state.stats.messages;
  out.lastMessageAt = state.stats.lastMessageAt;
  return out;
}

// openAlarms counts the alarms not cleared (active or acknowledged).
function openAlarms() {
  let n = 0;
  for (const a of state.alarms.values()) if (a.state !== "cleared") n++;
  return n;
}

function perf() {
  return state.stats.lastBatchMs;
}

function camera() {
  const v = currentViewer();
  if (!v) return null;
  const c = v.camera.positionCartographic;
  return { lon: Cesium.Math.toDegrees(c.longitude), lat: Cesium.Math.toDegrees(c.latitude), height: c.height };
}

function screen(lon, lat, height = 0) {
  const v = currentViewer();
  if (!v) return null;
  const p = Cesium.SceneTransforms.worldToWindowCoordinates(v.scene, Cesium.Cartesian3.fromDegrees(lon, lat, height));
  return p ? { x: p.x, y: p.y } : null;
}

function ready() {
  return Boolean(currentViewer()) && snapshotCount() > 0;
}
