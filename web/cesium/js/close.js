// Confirm-and-close (确认关闭) of an alarm, from its info card: a <dialog>
// with a note, posting /api/v1/alarms/{id}/close. The server refuses a
// gathering whose group is still together with 409: its message shows in
// the dialog. The closed alarm arrives over the websocket ("closed").
import { t, apply } from "./i18n.js";
import { on } from "./state.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { canAck, endSession } from "./auth.js";

const NOTE_MAX = 500; // characters, as for acknowledgements (api/rest.go maxNote)

let dialog = null;
let current = null;

// closeable reports whether alarm a can still be confirmed and closed by
// the logged-in user (the roles that acknowledge, api/routes.go).
export function closeable(a) {
  return canAck() && !(a.details && a.details.closed_by);
}

// requestClose opens the dialog for alarm; describe(alarm) names it.
export function requestClose(alarm, describe) {
  if (!dialog) dialog = build();
  current = alarm;
  const form = dialog.querySelector("form");
  form.reset();
  fill(dialog.querySelector(".ack-subject"), describe(alarm));
  showError("");
  form.querySelector("button[type=submit]").disabled = !canAck();
  dialog.showModal();
  form.elements.note.focus();
}

function build() {
  const form = h("form", { method: "dialog" },
    h("h2", { id: "close-title", "data-i18n": "alarm.close.title" }, t("alarm.close.title")),
    h("p", { class: "ack-subject" }),
    h("label", { class: "form-field" },
      h("span", { "data-i18n": "alarm.close.note" }, t("alarm.close.note")),
      h("textarea", { name: "note", rows: 3, maxlength: NOTE_MAX })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "primary", "data-i18n": "alarm.close.submit" }, t("alarm.close.submit")),
      h("button", { type: "button", "data-i18n": "alarm.ack.cancel", onclick: () => dialog.close() }, t("alarm.ack.cancel"))));
  const el = h("dialog", { id: "close-dialog", class: "panel-dialog", "aria-labelledby": "close-title" }, form);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit(form);
  });
  on("lang", () => apply(el));
  document.body.append(el);
  return el;
}

async function submit(form) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  showError("");
  try {
    const note = form.elements.note.value.trim();
    await api.post(`/api/v1/alarms/${encodeURIComponent(current.id)}/close`, note ? { note } : {});
    dialog.close();
  } catch (err) {
    showError(closeError(err));
  } finally {
    button.disabled = !canAck();
  }
}

function closeError(err) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("alarm.ack.denied");
  if (err.status === 409) return t("alarm.close.conflict", { msg: err.message });
  return t("alarm.close.failed", { msg: err.message });
}

function showError(text) {
  const el = dialog.querySelector(".form-error");
  el.textContent = text;
  el.hidden = !text;
}
