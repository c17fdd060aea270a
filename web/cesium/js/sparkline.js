// Gas detector trends: a ring buffer of readings per detector, filled from
// the snapshot and every upsert since page load, and a sparkline drawn on
// a canvas with the alarm setpoints as dashed lines.
const TREND_MS = 10 * 60 * 1000; // the sparkline shows the last 10 minutes
const MIN_SPAN_MS = 60 * 1000;
const CAPACITY = 900; // readings per detector (1 Hz detectors: 15 minutes)

// Ring is a fixed-size buffer of (time ms, value) pairs, oldest first.
class Ring {
  constructor(capacity = CAPACITY) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.start = 0;
    this.size = 0;
  }

  get first() {
    return this.size === 0 ? null : { t: this.t[this.start], v: this.v[this.start] };
  }

  get last() {
    if (this.size === 0) return null;
    const i = (this.start + this.size - 1) % this.t.length;
    return { t: this.t[i], v: this.v[i] };
  }

  // push appends a reading; the oldest falls out when full. Readings not
  // newer than the last are ignored (a snapshot repeats what we hold).
  push(tMs, value) {
    const last = this.last;
    if (last && tMs <= last.t) return;
    const n = this.t.length;
    const i = (this.start + this.size) % n;
    this.t[i] = tMs;
    this.v[i] = value;
    if (this.size < n) this.size += 1;
    else this.start = (this.start + 1) % n;
  }

  // forEach calls fn(t, v) for every reading from since on, oldest first.
  forEach(since, fn) {
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.t.length;
      if (this.t[i] >= since) fn(this.t[i], this.v[i]);
    }
  }
}

const trends = new Map(); // detector id → Ring

// recordReading adds a detector feature's current reading to its trend.
export function recordReading(feature) {
  const p = feature && feature.properties;
  if (!p || p.kind !== "gas_detector" || !Number.isFinite(p.value)) return;
  const tMs = Date.parse(p.reading_ts || p.updated);
  if (!Number.isFinite(tMs)) return;
  let ring = trends.get(p.id);
  if (!ring) trends.set(p.id, (ring = new Ring()));
  ring.push(tMs, p.value);
}

// trendOf returns a detector's ring buffer (null before its first reading).
export function trendOf(id) {
  return trends.get(id) || null;
}

// drawSparkline draws ring's readings of the last TREND_MS on canvas (a
// shorter span, but at least MIN_SPAN_MS, while the page is younger) and
// marks the latest reading with a dot. limits: {alarm1,
// alarm2, range: [min, max]}; colours come from the canvas's CSS
// (color for the line, --spark-l1 and --spark-l2 for the setpoints).
export function drawSparkline(canvas, ring, limits, now = Date.now()) {
  const g = fitCanvas(canvas);
  const { width: w, height: hgt } = canvas.getBoundingClientRect();
  g.clearRect(0, 0, w, hgt);
  if (!ring || ring.size === 0) return;
  const since = now - trendSpan(ring, now);
  const [lo, hi] = yRange(ring, since, limits);
  const x = (t) => ((t - since) / (now - since)) * w;
  const y = (v) => hgt - 2 - ((v - lo) / (hi - lo)) * (hgt - 4);
  const css = getComputedStyle(canvas);
  setpoint(g, y(limits.alarm1), w, css.getPropertyValue("--spark-l1") || "orange");
  setpoint(g, y(limits.alarm2), w, css.getPropertyValue("--spark-l2") || "red");
  g.strokeStyle = css.color;
  g.lineWidth = 1.5;
  g.setLineDash([]);
  g.beginPath();
  let first = true;
  ring.forEach(since, (t, v) => {
    if (first) g.moveTo(x(t), y(v));
    else g.lineTo(x(t), y(v));
    first = false;
  });
  g.stroke();
  const last = ring.last;
  g.fillStyle = css.color;
  g.beginPath();
  g.arc(Math.min(x(last.t), w - 2.5), y(last.v), 2.5, 0, 2 * Math.PI);
  g.fill();
}

// trendSpan is the time span the sparkline of ring shows, in ms.
export function trendSpan(ring, now = Date.now()) {
  const first = ring && ring.first;
  return Math.min(TREND_MS, Math.max(MIN_SPAN_MS, first ? now - first.t : 0));
}

// fitCanvas sizes the backing store to the element and the pixel ratio.
function fitCanvas(canvas) {
  const { width, height } = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const bw = Math.max(1, Math.round(width * ratio));
  const bh = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return g;
}

// yRange spans the readings and the setpoints, within the measuring range.
function yRange(ring, since, limits) {
  let lo = Infinity;
  let hi = -Infinity;
  ring.forEach(since, (t, v) => {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  });
  for (const v of [limits.alarm1, limits.alarm2]) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const [min, max] = Array.isArray(limits.range) ? limits.range : [-Infinity, Infinity];
  // Start at zero unless everything sits high up (oxygen near 20.9 %VOL).
  lo = Math.max(lo > hi / 2 ? lo - (hi - lo) * 0.2 : Math.min(lo, 0), min);
  hi = Math.min(hi + (hi - lo) * 0.1, max);
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}

function setpoint(g, yPos, w, colour) {
  if (!Number.isFinite(yPos)) return;
  g.strokeStyle = colour.trim();
  g.lineWidth = 1;
  g.setLineDash([4, 3]);
  g.beginPath();
  g.moveTo(0, yPos);
  g.lineTo(w, yPos);
  g.stroke();
}
