// REST calls of the phone page. The bearer token lives in sessionStorage
// (one tab, gone with it). A refusal comes back as ApiError with the
// server's code, message and details; a call that never reached the
// server as ApiError with code "network".
const TOKEN = "chemtwin.m.token";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export const token = () => sessionStorage.getItem(TOKEN);
export const setToken = (t) => (t ? sessionStorage.setItem(TOKEN, t) : sessionStorage.removeItem(TOKEN));

// request sends method path with a JSON body (or raw bytes with
// opts.type) and returns the decoded answer.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = "Bearer " + token();
  let payload;
  if (opts.type) {
    headers["Content-Type"] = opts.type;
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: payload, cache: "no-store" });
  } catch (err) {
    throw new ApiError(0, "network", err.message);
  }
  const text = await resp.text().catch(() => "");
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(resp.status, e.code || "http_" + resp.status, e.message || resp.statusText, e.details);
  }
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);

export const login = (username, password) => post("/api/v1/auth/login", { username, password });
export const logout = () => post("/api/v1/auth/logout");
export const me = () => get("/api/v1/auth/me");

// site is the site root entity (boundary, timezone) from /healthz.
export async function site() {
  const health = await get("/healthz");
  return get("/api/v1/entities/" + encodeURIComponent(health.scene.site));
}

// tasks are today's tasks (date in the site's zone) for me or my team.
export const tasks = (date) => get(`/api/v1/inspections/tasks?mine=1&date=${encodeURIComponent(date)}`);

// position is my person entity: geometry the live position, properties.ts
// the fix time.
export const person = (id) => get("/api/v1/entities/" + encodeURIComponent(id));

// uploadPhoto posts image bytes (a Blob) and returns the photo id.
export async function uploadPhoto(blob) {
  const r = await request("POST", "/api/v1/inspections/photos", blob, { type: blob.type || "image/jpeg" });
  return r.id;
}

export const checkin = (body) => post("/api/v1/inspections/checkins", body);
