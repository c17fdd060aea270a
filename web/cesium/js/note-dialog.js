// A <dialog> that acts on one alarm with an optional note — acknowledge
// (ack.js) and confirm-and-close (close.js) — built on first use. The
// alarm's new state arrives over the websocket.
import { t, apply } from "./i18n.js";
import { on } from "./state.js";
import { h, fill } from "./dom.js";
import { canAck, endSession } from "./auth.js";

const NOTE_MAX = 500; // characters (api/rest.go maxNote)

// noteDialog returns { open(alarm, describe, error), showError(text) } for
// the dialog with element id `${name}-dialog` and texts under
// `alarm.${name}.*`; send(alarm, note) posts the action and failure(err)
// turns a refusal into the text to show.
export function noteDialog(name, send, failure) {
  let dialog = null;
  let current = null;

  function showError(text) {
    const el = dialog.querySelector(".form-error");
    el.textContent = text;
    el.hidden = !text;
  }

  function build() {
    const key = (k) => `alarm.${name}.${k}`;
    const form = h("form", { method: "dialog" },
      h("h2", { id: `${name}-title`, "data-i18n": key("title") }, t(key("title"))),
      h("p", { class: "ack-subject" }),
      h("label", { class: "form-field" },
        h("span", { "data-i18n": key("note") }, t(key("note"))),
        h("textarea", { name: "note", rows: 3, maxlength: NOTE_MAX })),
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "form-buttons" },
        h("button", { type: "submit", class: "primary", "data-i18n": key("submit") }, t(key("submit"))),
        h("button", { type: "button", "data-i18n": "alarm.ack.cancel", onclick: () => dialog.close() }, t("alarm.ack.cancel"))));
    const el = h("dialog", { id: `${name}-dialog`, class: "panel-dialog", "aria-labelledby": `${name}-title` }, form);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      showError("");
      try {
        await send(current, form.elements.note.value.trim());
        dialog.close();
      } catch (err) {
        showError(failure(err));
      } finally {
        button.disabled = !canAck();
      }
    });
    on("lang", () => apply(el));
    document.body.append(el);
    return el;
  }

  // open shows the dialog for alarm; describe(alarm) names it; error is
  // the text to show at once ("" none).
  function open(alarm, describe, error) {
    if (!dialog) dialog = build();
    current = alarm;
    const form = dialog.querySelector("form");
    form.reset();
    fill(dialog.querySelector(".ack-subject"), describe(alarm));
    showError(error);
    form.querySelector("button[type=submit]").disabled = !canAck();
    dialog.showModal();
    form.elements.note.focus();
  }

  return { open, showError };
}

// refusal maps the refusals both actions share: a lapsed session ends it,
// a role without the right says so; others go to more(err).
export function refusal(err, more) {
  if (err.status === 401) {
    endSession();
    return t("auth.expired");
  }
  if (err.status === 403) return t("alarm.ack.denied");
  return more(err);
}
