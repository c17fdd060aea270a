// HTTP helpers for the REST and OGC APIs. The bearer token, when logged in,
// goes on every request; errors come back as Error with .status and .code
// from the server's {"error":{"code","message"}} body.
import { state } from "./state.js";

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await resp.text();
  const data = text ? JSON.parse(text) : null;
  if (!resp.ok) {
    const e = new Error((data && data.error && data.error.message) || resp.statusText);
    e.status = resp.status;
    e.code = data && data.error && data.error.code;
    throw e;
  }
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);

// site returns the site root entity as a Feature (its geometry is the plant
// boundary; properties name, name_en, timezone, settings).
export async function site() {
  const health = await get("/healthz");
  return get("/api/v1/entities/" + encodeURIComponent(health.scene.site));
}

// items returns every feature of an OGC collection (following next links).
export async function items(collection, params = "") {
  const out = [];
  let url = `/ogc/collections/${collection}/items?limit=10000${params}`;
  while (url) {
    const fc = await get(url);
    out.push(...fc.features);
    const next = (fc.links || []).find((l) => l.rel === "next");
    url = next ? next.href : null;
  }
  return out;
}

// login exchanges credentials for a session: {token, expires_at, user}.
export function login(username, password) {
  return post("/api/v1/auth/login", { username, password });
}

// logout ends the current session on the server.
export function logout() {
  return post("/api/v1/auth/logout");
}

// me returns the logged-in user: {username, role, person_id, tag, display_name}.
export function me() {
  return get("/api/v1/auth/me");
}

// ackAlarm acknowledges an alarm by the logged-in user, with an optional
// note; it returns the acknowledged alarm (409 if it already was).
export function ackAlarm(id, note) {
  return post(`/api/v1/alarms/${encodeURIComponent(id)}/ack`, note ? { note } : {});
}

// alarm returns one alarm (open or from the store).
export function alarm(id) {
  return get("/api/v1/alarms/" + encodeURIComponent(id));
}

// entity returns one entity as a GeoJSON Feature with its live state.
export function entity(id) {
  return get("/api/v1/entities/" + encodeURIComponent(id));
}
