// My live position: the person entity bound to my login, polled every 2 s
// while a task is open (geometry the tag's position, properties.ts the
// fix time). It also estimates how long I have been inside a target
// point's radius — a hint only: the server decides the dwell at check-in.
import { person } from "./api.js";
import { distanceM, validLonLat } from "./geo.js";

const EVERY_MS = 2000;

let personId = null, timer = null, running = false;
let generation = 0; // a poll of an older start is dropped
let target = null; // {location, radius_m}
const listeners = new Set();
const now = { pos: null, ts: null, error: null, insideSince: null, dwellS: 0 };

// start polls person id's position (again, if already running for it).
export function start(id) {
  if (running && id === personId) return;
  stop();
  personId = id;
  running = true;
  poll(generation);
}

export function stop() {
  running = false;
  generation++;
  clearTimeout(timer);
  timer = null;
}

// onChange calls fn(current()) after every poll; it returns the
// unsubscribe.
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const current = () => ({ ...now, ageS: now.ts ? Math.max(0, (Date.now() - now.ts) / 1000) : null });

// setTarget starts the dwell estimate for a point ({location, radius_m}).
export function setTarget(p) {
  if (target && p && target.location === p.location) return;
  target = p;
  now.insideSince = null;
  now.dwellS = 0;
  track();
}

async function poll(gen) {
  try {
    const f = await person(personId);
    if (gen !== generation) return;
    const c = f && f.geometry && f.geometry.coordinates;
    now.pos = validLonLat(c) ? [c[0], c[1]] : null;
    const ts = Date.parse((f.properties && f.properties.ts) || "");
    now.ts = Number.isFinite(ts) ? ts : null;
    now.error = null;
    track();
  } catch (err) {
    if (gen !== generation) return;
    now.error = err.code || "network";
  }
  for (const fn of listeners) fn(current());
  if (running) timer = setTimeout(() => poll(gen), EVERY_MS);
}

function track() {
  if (!target || !now.pos || !now.ts) return;
  const inside = distanceM(now.pos, target.location) <= (target.radius_m || 15);
  if (!inside) {
    now.insideSince = null;
    now.dwellS = 0;
    return;
  }
  if (now.insideSince === null || now.ts < now.insideSince) now.insideSince = now.ts;
  now.dwellS = (now.ts - now.insideSince) / 1000;
}
