// Login and the user area (#user-area). A login button opens a <dialog>;
// the session token lives in sessionStorage and is checked again with
// GET /api/v1/auth/me on reload (an expired one is dropped quietly).
// auth.js is the only writer of state.user and state.token and emits
// "user" on every change. The role decides what the panels offer:
// acknowledging alarms (canAck) and the admin menu (isAdmin).
import { state, emit, on } from "./state.js";
import { t, apply } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";

const TOKEN_KEY = "chemtwin.token";
// Roles allowed to acknowledge alarms (api/routes.go, POST /api/v1/alarms/{id}/ack).
const ACK_ROLES = ["admin", "manager", "emergency", "operator"];
const ADMIN_ROLES = ["admin", "manager"];
const ADMIN_LINKS = [
  ["/healthz", "auth.admin.health"],
  ["/metrics", "auth.admin.metrics"],
  ["/ogc", "auth.admin.ogc"],
  ["/ogc/api", "auth.admin.openapi"],
];

// canAck reports whether the logged-in user may acknowledge alarms.
export function canAck() {
  return !!state.user && ACK_ROLES.includes(state.user.role);
}

// isAdmin reports whether the logged-in user gets the admin menu.
export function isAdmin() {
  return !!state.user && ADMIN_ROLES.includes(state.user.role);
}

export async function initAuth() {
  const area = document.getElementById("user-area");
  const dialog = loginDialog();
  document.body.append(dialog);
  const render = () => renderArea(area, dialog);
  on("user", render);
  on("lang", () => {
    render();
    apply(dialog);
  });
  render();
  await restore();
}

// restore picks up the session of this tab after a reload.
async function restore() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return;
  state.token = token;
  try {
    setSession(token, await api.me());
  } catch (err) {
    if (err.status !== 401) console.warn("chemtwin: session check failed", err);
    endSession(err.status === 401);
  }
}

function setSession(token, user) {
  state.token = token;
  state.user = user;
  sessionStorage.setItem(TOKEN_KEY, token);
  emit("user", { user });
}

// endSession forgets the user locally; forget also drops the stored token
// (false keeps it for the next reload, e.g. after a network error).
export function endSession(forget = true) {
  const had = state.user !== null;
  state.token = null;
  state.user = null;
  if (forget) sessionStorage.removeItem(TOKEN_KEY);
  if (had) emit("user", { user: null });
}

function renderArea(area, dialog) {
  const user = state.user;
  if (!user) {
    fill(area, h("button", { type: "button", id: "login-button", onclick: () => openLogin(dialog) }, t("auth.login")));
    return;
  }
  fill(area,
    h("span", { class: "user-name", title: user.username }, user.display_name || user.username),
    h("span", { class: "user-role" }, t("role." + user.role)),
    isAdmin() && adminMenu(),
    h("button", { type: "button", id: "logout-button", onclick: logout }, t("auth.logout")));
}

function adminMenu() {
  const menu = h("details", { class: "admin-menu" },
    h("summary", null, t("auth.admin")),
    h("ul", null, ADMIN_LINKS.map(([href, key]) =>
      h("li", null, h("a", { href, target: "_blank", rel: "noopener" }, t(key))))));
  // The menu closes on a click elsewhere and on Escape, like any menu.
  const closeOutside = (ev) => {
    if (!menu.isConnected) document.removeEventListener("pointerdown", closeOutside, true);
    else if (!menu.contains(ev.target)) menu.open = false;
  };
  document.addEventListener("pointerdown", closeOutside, true);
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") menu.open = false;
  });
  return menu;
}

async function logout() {
  try {
    await api.logout();
  } catch (err) {
    console.warn("chemtwin: logout failed", err);
  }
  endSession();
}

function loginDialog() {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { method: "dialog" },
    h("h2", { id: "login-title", "data-i18n": "auth.title" }, t("auth.title")),
    field("auth.username", h("input", { name: "username", autocomplete: "username", required: true, maxlength: 64 })),
    field("auth.password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    error,
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "primary", "data-i18n": "auth.submit" }, t("auth.submit")),
      h("button", { type: "button", "data-i18n": "auth.cancel", onclick: () => dialog.close() }, t("auth.cancel"))));
  const dialog = h("dialog", { id: "login-dialog", class: "panel-dialog", "aria-labelledby": "login-title" }, form);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submitLogin(dialog, form, error);
  });
  return dialog;
}

function field(key, input) {
  return h("label", { class: "form-field" }, h("span", { "data-i18n": key }, t(key)), input);
}

function openLogin(dialog) {
  const form = dialog.querySelector("form");
  form.reset();
  form.querySelector(".form-error").hidden = true;
  dialog.showModal();
  form.elements.username.focus();
}

async function submitLogin(dialog, form, error) {
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  error.hidden = true;
  try {
    const res = await api.login(form.elements.username.value.trim(), form.elements.password.value);
    setSession(res.token, res.user);
    dialog.close();
  } catch (err) {
    error.textContent = loginError(err);
    error.hidden = false;
    form.elements.password.select();
  } finally {
    submit.disabled = false;
  }
}

function loginError(err) {
  if (err.status === 401) return t("auth.bad");
  if (err.status === 429) return t("auth.limited");
  return t("auth.failed", { msg: err.message });
}
