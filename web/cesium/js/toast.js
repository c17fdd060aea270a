// Toasts (#toasts) for the /ws notify frames: messages sent to the people
// of a gathering (人员聚集) or of a gas threat zone (evacuate, keyed by
// zone_id). The server sends one frame per member, so a toast stands for a
// gathering or a zone and is updated in place, coloured by the
// gathering's level (1 yellow, 2 orange, 3 red). An evacuation order is
// red and stays until dismissed; the others fade after a while.
import { state, on } from "./state.js";
import { t, fmtTime } from "./i18n.js";
import { h, fill } from "./dom.js";

const FADE_MS = 15000;
const MAX_TOASTS = 3;

const toasts = new Map(); // key (gathering or zone id) → {el, notify, members: Set, timer}
let host = null;

export function initToasts() {
  host = document.getElementById("toasts");
  on("notify", showNotify);
  on("lang", () => { for (const toast of toasts.values()) render(toast); });
}

// showNotify adds or updates the toast of n's gathering.
export function showNotify(n) {
  if (!n || !host) return;
  // The emergency service's plan and order frames drive the 应急 panel
  // (emergency.js), not a toast to a person.
  if (n.kind === "evacuation_plan" || n.kind === "evacuation_order") return;
  const key = n.gathering_id || n.zone_id || n.person_id || n.tag || String(n.at);
  let toast = toasts.get(key);
  if (!toast) {
    toast = { key, el: h("div", { class: "toast", role: "alert", dataset: { key } }), members: new Set() };
    toasts.set(key, toast);
    host.prepend(toast.el);
  }
  toast.notify = n;
  trim();
  if (n.person_id) toast.members.add(n.person_id);
  render(toast);
  clearTimeout(toast.timer);
  if (!n.evacuate) toast.timer = setTimeout(() => dismiss(key), FADE_MS);
}

function render(toast) {
  const n = toast.notify;
  const level = Math.min(Math.max(Number(n.level) || 1, 1), 3);
  toast.el.className = `toast lvl-${n.evacuate ? 3 : level}${n.evacuate ? " evacuate" : ""}`;
  toast.el.dataset.level = String(level);
  toast.el.dataset.evacuate = String(!!n.evacuate);
  const msg = (state.lang === "en" && n.message_en) || n.message || "";
  fill(toast.el,
    h("div", { class: "toast-body" },
      h("b", null, n.evacuate ? t("toast.evacuate") : t("toast.gathering." + level)),
      h("p", null, msg),
      h("small", null, t("toast.meta", { n: toast.members.size, time: fmtTime(n.at) }))),
    h("button", { type: "button", class: "toast-close", title: t("toast.dismiss"), "aria-label": t("toast.dismiss"), onclick: () => dismiss(toast.key) }, "×"));
}

function dismiss(key) {
  const toast = toasts.get(key);
  if (!toast) return;
  clearTimeout(toast.timer);
  toast.el.remove();
  toasts.delete(key);
}

// trim drops the oldest toasts beyond MAX_TOASTS, evacuation orders last.
function trim() {
  const order = [...toasts.values()].sort((a, b) => Number(!!(a.notify && a.notify.evacuate)) - Number(!!(b.notify && b.notify.evacuate)));
  while (toasts.size > MAX_TOASTS) dismiss(order.shift().key);
}
