// The live stream: one websocket to /ws (protocol in stream/doc.go).
// Subscribes to the live layers, applies snapshot / delta / positions /
// alarm frames to the shared state and emits the matching events, asks for
// a resync on a sequence gap, reconnects with backoff, and shows the
// connection status in #conn-status.
import { state, on, emit, layerOf } from "./state.js";
import { t } from "./i18n.js";

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 20000];
const RESYNC_EVERY_MS = 2000;
const KEEP_CLEARED = 200;

let ws = null;
let layers = [];
let attempt = 0;
let expectSeq = null; // next live seq, after a snapshot
let lastResync = 0;
let snapshots = 0;
let skewMs = 0; // server clock − local clock, from frame ts

// connect opens the stream for the given layers and keeps it open.
export function connect(subscribeLayers) {
  layers = subscribeLayers;
  on("user", () => { if (ws && ws.readyState === WebSocket.OPEN) subscribe(); });
  on("lang", renderStatus);
  open();
}

// snapshotCount is the number of snapshots applied (ready() needs one).
export const snapshotCount = () => snapshots;

// serverNow is the server's clock in epoch ms, as seen from its frames.
export const serverNow = () => Date.now() + skewMs;

function open() {
  setStatus("connecting");
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws`);
  ws.onopen = () => {
    attempt = 0;
    subscribe();
    setStatus("open");
  };
  ws.onmessage = (ev) => onMessage(ev.data);
  ws.onclose = (ev) => {
    ws = null;
    expectSeq = null;
    setStatus("closed", ev.code);
    const wait = BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)];
    setTimeout(open, wait * (0.75 + Math.random() * 0.5));
  };
}

function subscribe() {
  const msg = { type: "subscribe", layers };
  if (state.token) msg.token = state.token;
  ws.send(JSON.stringify(msg));
}

function onMessage(data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch (err) {
    console.warn("chemtwin: bad stream frame", err);
    return;
  }
  state.stats.messages++;
  state.stats.lastMessageAt = Date.now();
  if (Number.isFinite(m.ts)) skewMs = m.ts - Date.now();
  const handler = HANDLERS[m.type];
  if (handler) handler(m);
}

const HANDLERS = {
  snapshot(m) {
    expectSeq = m.seq + 1;
    applySnapshot(m);
    snapshots++;
  },
  delta(m) {
    checkSeq(m.seq);
    for (const f of m.upserts || []) upsert(f);
    for (const r of m.removes || []) remove(r);
  },
  positions(m) {
    checkSeq(m.seq);
    emit("positions", { items: m.items || [] });
  },
  alarm(m) {
    const a = m.alarm;
    if (!a || !a.id) return;
    state.alarms.set(a.id, a);
    if (m.action === "cleared" || a.state === "cleared") pruneCleared();
    emit("alarm", { action: m.action, alarm: a });
  },
  notify(m) {
    if (m.notify) emit("notify", m.notify);
  },
  error(m) {
    console.warn(`chemtwin: stream error ${m.code}: ${m.message}`);
  },
};

// checkSeq tracks the live sequence; a gap means frames were dropped for
// this slow client: a snapshot is on its way, and we ask for one too.
function checkSeq(seq) {
  if (expectSeq === null || !Number.isFinite(seq)) return;
  if (seq > expectSeq) requestResync();
  if (seq >= expectSeq) expectSeq = seq + 1;
}

function requestResync() {
  const now = Date.now();
  if (now - lastResync < RESYNC_EVERY_MS || !ws || ws.readyState !== WebSocket.OPEN) return;
  lastResync = now;
  ws.send(JSON.stringify({ type: "resync" }));
}

// applySnapshot replaces the state of the snapshot's layers (and the open
// alarms when present) and emits "snapshot".
function applySnapshot(m) {
  const snapLayers = m.layers || {};
  for (const [layer, fc] of Object.entries(snapLayers)) {
    for (const id of state.layers.get(layer) || []) state.features.delete(id);
    const ids = new Set();
    for (const f of (fc && fc.features) || []) {
      const id = featureId(f);
      if (!id) continue;
      state.features.set(id, f);
      ids.add(id);
    }
    state.layers.set(layer, ids);
  }
  if (Array.isArray(m.alarms)) {
    for (const [id, a] of state.alarms) if (a.state !== "cleared") state.alarms.delete(id);
    for (const a of m.alarms) state.alarms.set(a.id, a);
  }
  emit("snapshot", { layers: snapLayers, alarms: m.alarms || [] });
}

function upsert(f) {
  const id = featureId(f);
  const layer = layerOf(f);
  if (!id || !layer) return;
  state.features.set(id, f);
  if (!state.layers.has(layer)) state.layers.set(layer, new Set());
  state.layers.get(layer).add(id);
  emit("upsert", f);
}

function remove(r) {
  if (!r || !r.id) return;
  const set = state.layers.get(r.layer);
  if (!set || !set.has(r.id)) return;
  set.delete(r.id);
  state.features.delete(r.id);
  emit("remove", { id: r.id, layer: r.layer });
}

function featureId(f) {
  return (f && f.properties && f.properties.id) || (f && f.id) || null;
}

function pruneCleared() {
  const cleared = [...state.alarms.values()].filter((a) => a.state === "cleared");
  if (cleared.length <= KEEP_CLEARED) return;
  cleared.sort((a, b) => Date.parse(a.cleared_at) - Date.parse(b.cleared_at));
  for (const a of cleared.slice(0, cleared.length - KEEP_CLEARED)) state.alarms.delete(a.id);
}

let status = "connecting";

function setStatus(s, code) {
  status = s;
  if (s === "closed") console.info(`chemtwin: stream closed (${code}); reconnecting`);
  renderStatus();
  emit("connection", { status: s });
}

function renderStatus() {
  const el = document.getElementById("conn-status");
  if (!el) return;
  const key = status === "open" ? "conn.open" : status === "closed" ? "conn.closed" : "conn.connecting";
  el.dataset.i18n = key;
  el.dataset.status = status;
  el.textContent = t(key);
}
