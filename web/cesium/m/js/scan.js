// QR scanning with the phone's back camera: getUserMedia (facingMode
// environment), a frame grabbed onto a canvas five times a second and
// decoded by jsQR (vendored from npm); the camera stops as soon as a code
// is read or the scan is cancelled.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const EVERY_MS = 200; // ~5 fps: enough to catch a held code, light on a phone
const MAX_W = 800; // frames are decoded at most this wide

// decode reads a QR code from ImageData; the text or null.
export function decode(img) {
  if (!window.jsQR) return null;
  const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "attemptBoth" });
  return code && code.data ? code.data : null;
}

// scan shows the camera over the page and resolves to the code read, or
// null when cancelled; it rejects when there is no camera to open.
export async function scan() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("getUserMedia unavailable");
  if (!window.jsQR) throw new Error("jsQR not bundled");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  const video = h("video", { playsinline: true, muted: true, autoplay: true });
  video.srcObject = stream;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const overlay = h("div#scan", { role: "dialog", "aria-label": t("scan.title") },
    h("p.scan-title", {}, t("scan.title")),
    h("div.scan-frame", {}, video, h("div.scan-aim")),
    h("button.scan-cancel", { type: "button", onclick: () => finish(null) }, t("scan.cancel")));
  document.body.append(overlay);
  // leaving the screen or the page ends the scan and frees the camera
  const cancel = () => finish(null);
  const hidden = () => document.hidden && finish(null);
  window.addEventListener("hashchange", cancel);
  document.addEventListener("visibilitychange", hidden);
  const timer = setInterval(() => {
    if (video.readyState < 2 || !video.videoWidth) return;
    const scale = Math.min(1, MAX_W / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const text = decode(ctx.getImageData(0, 0, canvas.width, canvas.height));
    if (text) finish(text);
  }, EVERY_MS);
  await video.play().catch(() => {});
  const text = await done;
  clearInterval(timer);
  window.removeEventListener("hashchange", cancel);
  document.removeEventListener("visibilitychange", hidden);
  for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
  overlay.remove();
  return text;
}
