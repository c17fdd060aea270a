// Acknowledging alarms: quickAck (one click in the alarm list, no note)
// and a dialog with an optional note (the info panel, and wherever a
// quick acknowledgement was refused, to show why). Both post
// /api/v1/alarms/{id}/ack; the alarm's new state arrives over the websocket.
import { t } from "./i18n.js";
import * as api from "./api.js";
import { canAck } from "./auth.js";
import { noteDialog, refusal } from "./note-dialog.js";

const dialog = noteDialog("ack", (alarm, note) => api.ackAlarm(alarm.id, note), ackError);

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
      dialog.showError(reason);
    }
  } finally {
    button.disabled = false;
  }
}

// requestAck opens the dialog for alarm; describe(alarm) gives the line
// that says which alarm it is.
export function requestAck(alarm, describe) {
  dialog.open(alarm, describe, canAck() ? "" : t("alarm.ack.denied"));
}

function ackError(err) {
  return refusal(err, (e) => (e.status === 409 ? t("alarm.ack.already") : t("alarm.ack.failed", { msg: e.message })));
}
