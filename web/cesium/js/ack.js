// Acknowledging alarms: quickAck (one click in the alarm list, no note)
// and a <dialog> with an optional note (the info panel, and wherever a
// quick acknowledgement was refused, to show why). Both post
// /api/v1/alarms/{id}/ack; the alarm's new state arrives over the websocket.
import { t, apply } from "./i18n.js";
import { on } from "./state.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { canAck, endSession } from "./auth.js";

const NOTE_MAX = 500; // characters (api/rest.go maxNote)

let dialog = null;
let current = null; // the alarm being acknowledged

// quickAck acknowledges alarm without a note; a refusal opens the dialog
// with the reason (an alarm already acknowledged is no refusal).
export async function quickAck(alarm, describe, button) {
  button.disabled = true;
  try {
    await api.ackAlarm(alarm.id, "");
  } catch (err) {
    if (err.status !== 409) {
      const reason = ackError(err);
      requestAck(alarm, describe);
      showError(reason);
    }
  } finally {
    button.disabled = false;
  }
}

// requestAck opens the dialog for alarm; describe(alarm) gives the line
// that says which alarm it is.
export function requestAck(alarm, describe) {
  if (!dialog) dialog = build();
  current = alarm;
  const form = dialog.querySelector("form");
  form.reset();
  fill(dialog.querySelector(".ack-subject"), describe(alarm));
  showError(canAck() ? "" : t("alarm.ack.denied"));
  form.querySelector("button[type=submit]").disabled = !canAck();
  dialog.showModal();
  form.elements.note.focus();
}

function build() {
  const form = h("form", { method: "dialog" },
    h("h2", { id: "ack-title", "data-i18n": "alarm.ack.title" }, t("alarm.ack.title")),
    h("p", { class: "ack-subject" }),
    h("label", { class: "form-field" },
      h("span", { "data-i18n": "alarm.ack.note" }, t("alarm.ack.note")),
      h("textarea", { name: "note", rows: 3, maxlength: NOTE_MAX })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "primary", "data-i18n": "alarm.ack.submit" }, t("alarm.ack.submit")),
      h("button", { type: "button", "data-i18n": "alarm.ack.cancel", onclick: () => dialog.close() }, t("alarm.ack.cancel"))));
  const el = h("dialog", { id: "ack-dialog", class: "panel-dialog", "aria-labelledby": "ack-title" }, form);
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
    await api.ackAlarm(current.id, form.elements.note.value.trim());
    dialog.close();
  } catch (err) {
    showError(ackError(err));
  } finally {
    button.disabled = !canAck();
  }
}

function ackError(err) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("alarm.ack.denied");
  if (err.status === 409) return t("alarm.ack.already");
  return t("alarm.ack.failed", { msg: err.message });
}

function showError(text) {
  const el = dialog.querySelector(".form-error");
  el.textContent = text;
  el.hidden = !text;
}
