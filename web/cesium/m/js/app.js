// The inspector's phone page (/m/): sign in, today's rounds, a round on
// the plant map with the next point's distance and direction, and the
// check-in at a point. Screens follow the location hash:
//   #/            today's tasks (the sign-in form when signed out)
//   #/task/ID     a task: map, next point, points in route order
//   #/task/ID/point/PID   check in at a point
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { t, setLang, currentLang, label } from "./i18n.js";
import { state, loadTasks, counts, clock } from "./state.js";
import { loading, failure } from "./ui.js";
import * as position from "./position.js";
import { showTask } from "./task.js";
import { showPoint } from "./point.js";

const screen = () => document.getElementById("screen");
let dispose = null;
let loginNote = null; // why the sign-in form shows (expired session)

function bar() {
  const user = state.user;
  fill(document.getElementById("bar"),
    h("h1", {}, t("app.title")),
    user ? h("span.who", {}, user.display_name || user.username) : null,
    h("button#lang", { type: "button", onclick: () => { setLang(currentLang() === "en" ? "zh-CN" : "en"); route(); } }, t("lang.switch")),
    user ? h("button#logout", { type: "button", onclick: signOut }, t("logout")) : null);
}

// route renders the screen the hash names.
export async function route() {
  dispose?.();
  dispose = null;
  document.title = t("app.title") + " · chemtwin";
  bar();
  if (!api.token() || !state.user) return showLogin();
  const m = location.hash.match(/^#\/task\/([^/]+)(?:\/point\/([^/]+))?$/);
  if (!m) {
    position.stop();
    return showTasks();
  }
  const taskId = decodeURIComponent(m[1]);
  if (state.user.person_id) position.start(state.user.person_id);
  dispose = m[2] ? showPoint(screen(), taskId, decodeURIComponent(m[2]), onAuthLost) : showTask(screen(), taskId, onAuthLost);
}

function showLogin() {
  position.stop();
  const msg = h("p.form-error#login-error", { role: "alert" }, loginNote || "");
  const form = h("form#login-form", {},
    h("h2", {}, t("login.title")),
    h("label", {}, t("login.username"), h("input", { name: "username", autocomplete: "username", autocapitalize: "none", required: true })),
    h("label", {}, t("login.password"), h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    msg,
    h("button.primary", { type: "submit" }, t("login.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector("button");
    btn.disabled = true;
    try {
      const r = await api.login(form.username.value.trim(), form.password.value);
      api.setToken(r.token);
      state.user = await api.me();
      loginNote = null;
      await ensureSite();
      route();
    } catch (err) {
      msg.textContent = err.status === 401 ? t("login.failed") : failure(err).textContent;
      btn.disabled = false;
    }
  });
  fill(screen(), form);
}

async function showTasks() {
  const wait = loading();
  fill(screen(), h("div.head.row", {}, h("h2", {}, t("tasks.title")),
    h("button.ghost#refresh", { type: "button", onclick: () => route() }, t("tasks.refresh"))), wait);
  // the answer replaces the loading line, unless the screen changed meanwhile
  const show = (x) => wait.isConnected && wait.replaceWith(x);
  try {
    const tasks = await loadTasks();
    // open tasks first, each group by start
    const list = tasks.slice().sort((a, b) => (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || Date.parse(a.start) - Date.parse(b.start));
    show(list.length ? h("ul#tasks", {}, list.map(taskCard)) : h("p.empty", {}, t("tasks.none")));
  } catch (err) {
    if (wait.isConnected && authLost(err)) return;
    show(failure(err, () => route()));
  }
}

function taskCard(task) {
  const c = counts(task);
  return h("li", {}, h("a.task-card", { href: `#/task/${encodeURIComponent(task.id)}`, dataset: { taskId: task.id, status: task.status } },
    h("span.task-name", {}, label(task, "route_name", "route_name_en") || task.route),
    h("span.task-status.st-" + task.status, {}, t("task.status." + task.status)),
    h("span.task-window", {}, t("task.window", { start: clock(task.start), end: clock(task.end) })),
    h("span.task-counts", {}, h("b", {}, t("task.progress", c)),
      c.late ? h("span.late", {}, t("task.late", { n: c.late })) : null,
      c.missed ? h("span.missed", {}, t("task.missed", { n: c.missed })) : null),
    h("progress", { max: c.total || 1, value: c.done })));
}

function authLost(err) {
  if (err.status !== 401) return false;
  onAuthLost();
  return true;
}

function onAuthLost() {
  api.setToken(null);
  state.user = null;
  loginNote = t("login.expired");
  route();
}

async function signOut() {
  await api.logout().catch(() => {});
  api.setToken(null);
  state.user = null;
  state.tasks = null;
  location.hash = "#/";
  route();
}

// ensureSite loads the site once (time zone, map extent and basemap).
async function ensureSite() {
  if (state.site) return;
  state.site = await api.site();
  state.tz = (state.site.properties && state.site.properties.timezone) || state.tz;
}

// boot resumes a session kept in this tab, then shows the screen.
async function boot() {
  if (!api.token()) return route();
  fill(screen(), loading());
  try {
    state.user = await api.me();
    await ensureSite();
    route();
  } catch (err) {
    if (authLost(err)) return;
    fill(screen(), failure(err, boot));
  }
}

setLang(currentLang());
window.addEventListener("hashchange", () => route());
boot();
