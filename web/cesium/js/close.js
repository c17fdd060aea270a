// Confirm-and-close (确认关闭) of an alarm, from its info card: a dialog
// with a note, posting /api/v1/alarms/{id}/close. The server refuses a
// gathering whose group is still together with 409: its message shows in
// the dialog. The closed alarm arrives over the websocket ("closed").
import { t } from "./i18n.js";
import * as api from "./api.js";
import { canAck } from "./auth.js";
import { noteDialog, refusal } from "./note-dialog.js";

const dialog = noteDialog("close",
  (alarm, note) => api.post(`/api/v1/alarms/${encodeURIComponent(alarm.id)}/close`, note ? { note } : {}),
  (err) => refusal(err, (e) => (e.status === 409
    ? t("alarm.close.conflict", { msg: e.message })
    : t("alarm.close.failed", { msg: e.message }))));

// closeable reports whether alarm a can still be confirmed and closed by
// the logged-in user (the roles that acknowledge, api/routes.go).
export function closeable(a) {
  return canAck() && !(a.details && a.details.closed_by);
}

// requestClose opens the dialog for alarm; describe(alarm) names it.
export function requestClose(alarm, describe) {
  dialog.open(alarm, describe, "");
}
