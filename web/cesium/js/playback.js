// Track playback (轨迹回放, a dock tool): a set of people (added from the
// person card's 轨迹回放 button or found by the panel's search), a time
// window (the last 1 h, 8 h or a custom span), their tracks from
// GET /api/v1/tracks drawn as lines in distinct colours with a marker
// each, a time slider, play / pause and speeds ×1 to ×64. With one person
// the camera hand-over along the track (/api/v1/entities/{id}/cameras)
// is listed, and a click on a camera jumps the slider there.
import { state, on } from "./state.js";
import { t, name } from "./i18n.js";
import * as api from "./api.js";
import { serverNow } from "./stream.js";
import { addTool, toggle } from "./dock.js";
import { buildPanel, renderPanel, renderClock } from "./playback-panel.js";
import { Tracks } from "./playback-tracks.js";

const HOUR_MS = 3600 * 1000;

// pb is the playback state shared with the panel.
export const pb = {
  people: new Map(), // person id → display name
  window: "1h", // 1h | 8h | custom
  custom: { from: "", to: "" }, // datetime-local values
  loading: false,
  error: "",
  tracks: null, // Tracks, once loaded
  handover: null, // [{camera_id, name, stream_url, from, to, fixes}] for one person
  t: 0, // the slider's time, epoch ms
  playing: false,
  speed: 4,
};

let viewer = null;
let ui = null;
let lastFrame = 0;

export function initPlayback(ctx) {
  viewer = ctx.viewer;
  const panel = addTool("playback", {
    labelKey: "pb.title",
    onOpen: () => { if (pb.tracks) pb.tracks.show(true); render(); },
    onClose: () => { pause(); if (pb.tracks) pb.tracks.show(false); },
  });
  ui = buildPanel(panel, { add, remove, load, seek, play, pause, setSpeed, setWindow, clear });
  on("playback", (req) => {
    if (req && req.id) add(req.id);
    toggle("playback", true);
  });
  on("lang", render);
  render();
}

// playbackState is the test hook's view: the slider time and where each
// marker is.
export function playbackState() {
  return { t: pb.t, from: pb.tracks ? pb.tracks.from : null, to: pb.tracks ? pb.tracks.to : null,
    markers: pb.tracks ? pb.tracks.markerPositions() : [], playing: pb.playing };
}

function render() {
  renderPanel(ui, pb);
}

function add(id) {
  const f = state.features.get(id);
  pb.people.set(id, f ? name(f.properties) : id);
  render();
}

function remove(id) {
  pb.people.delete(id);
  render();
}

function setWindow(w, custom) {
  pb.window = w;
  if (custom) pb.custom = custom;
  render();
}

function setSpeed(s) {
  pb.speed = s;
  render();
}

// span is the chosen window as [from, to] in epoch ms.
function span() {
  if (pb.window === "custom") {
    const from = Date.parse(pb.custom.from), to = Date.parse(pb.custom.to);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new Error(t("pb.badwindow"));
    return [from, to];
  }
  const now = serverNow();
  return [now - (pb.window === "8h" ? 8 : 1) * HOUR_MS, now];
}

// load fetches the tracks of the chosen people in the chosen window.
async function load() {
  pause();
  pb.error = "";
  let from, to;
  try {
    [from, to] = span();
  } catch (err) {
    pb.error = err.message;
    render();
    return;
  }
  const ids = [...pb.people.keys()];
  if (ids.length === 0) return;
  pb.loading = true;
  render();
  const q = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
  try {
    const fc = await api.get(`/api/v1/tracks?ids=${ids.map(encodeURIComponent).join(",")}&${q}`);
    if (pb.tracks) pb.tracks.destroy();
    pb.tracks = new Tracks(viewer, fc.features || [], from, to);
    pb.handover = ids.length === 1 ? await handover(ids[0], q) : null;
    seek(pb.tracks.first);
  } catch (err) {
    pb.error = t("pb.failed", { msg: err.message });
  } finally {
    pb.loading = false;
    render();
  }
}

async function handover(id, q) {
  try {
    const res = await api.get(`/api/v1/entities/${encodeURIComponent(id)}/cameras?${q}`);
    return res.segments || [];
  } catch (err) {
    console.warn("chemtwin: camera hand-over failed", err);
    return [];
  }
}

function clear() {
  pause();
  if (pb.tracks) pb.tracks.destroy();
  pb.tracks = null;
  pb.handover = null;
  pb.people.clear();
  viewer.scene.requestRender();
  render();
}

// seek moves the playback to time ms (clamped to the loaded span).
function seek(ms) {
  if (!pb.tracks) return;
  pb.t = Math.min(Math.max(ms, pb.tracks.from), pb.tracks.to);
  pb.tracks.moveTo(pb.t);
  viewer.scene.requestRender();
  renderClock(ui, pb);
}

function play() {
  if (!pb.tracks || pb.playing) return;
  if (pb.t >= pb.tracks.last) seek(pb.tracks.first);
  pb.playing = true;
  lastFrame = performance.now();
  requestAnimationFrame(step);
  render();
}

function pause() {
  if (!pb.playing) return;
  pb.playing = false;
  render();
}

// step advances the playback by the frame's real time × speed.
function step(now) {
  if (!pb.playing || !pb.tracks) return;
  const dt = (now - lastFrame) * pb.speed;
  lastFrame = now;
  seek(pb.t + dt);
  if (pb.t >= pb.tracks.last) {
    pause();
    return;
  }
  requestAnimationFrame(step);
}

