// Map icons drawn on canvases at startup (no image downloads): people by
// identity type, vehicles, cameras, the selection ring. Each icon has a
// stable key, so that a billboard collection stores it once in its atlas
// (billboard.setImage(key, canvas)).
import { IDENTITY, VEHICLE, HIGHLIGHT } from "./palette.js";

const cache = new Map();

function canvas(size, draw) {
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d");
  draw(g, size);
  return c;
}

function memo(key, size, draw) {
  if (!cache.has(key)) cache.set(key, canvas(size, draw));
  return cache.get(key);
}

// person is a round badge with a head-and-shoulders glyph; contractors get
// a hard-hat brim, visitors a "V", unregistered tags a "?".
export function person(type) {
  const t = IDENTITY[type] ? type : "unregistered";
  const key = "person:" + t;
  return { key, image: memo(key, 32, (g, s) => drawPerson(g, s, t)) };
}

function drawPerson(g, s, type) {
  const r = s / 2;
  g.beginPath();
  g.arc(r, r, r - 2, 0, 2 * Math.PI);
  g.fillStyle = IDENTITY[type];
  g.fill();
  g.lineWidth = 2;
  g.strokeStyle = "#ffffff";
  g.stroke();
  g.fillStyle = "#ffffff";
  if (type === "unregistered" || type === "visitor") {
    g.font = "bold 17px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(type === "visitor" ? "V" : "?", r, r + 1);
    return;
  }
  g.beginPath();
  g.arc(r, r - 4, 5, 0, 2 * Math.PI);
  g.fill();
  g.beginPath();
  g.ellipse(r, r + 9, 9, 6, 0, Math.PI, 2 * Math.PI);
  g.fill();
  if (type === "contractor") {
    g.fillRect(r - 8, r - 9, 16, 2.5);
  }
}

// vehicle is a rounded square with a truck glyph.
export function vehicle() {
  return { key: "vehicle", image: memo("vehicle", 34, drawVehicle) };
}

function drawVehicle(g, s) {
  g.fillStyle = VEHICLE;
  g.strokeStyle = "#1d1d1f";
  g.lineWidth = 2;
  roundRect(g, 2, 2, s - 4, s - 4, 7);
  g.fill();
  g.stroke();
  g.fillStyle = "#1d1d1f";
  g.fillRect(7, 11, 13, 10);
  g.fillRect(20, 14, 7, 7);
  g.beginPath();
  g.arc(11, 23, 2.6, 0, 2 * Math.PI);
  g.arc(23, 23, 2.6, 0, 2 * Math.PI);
  g.fill();
}

// camera is a small camera glyph on a dark disc.
export function camera() {
  return { key: "camera", image: memo("camera", 28, (g, s) => {
    g.fillStyle = "#1c3550";
    g.beginPath();
    g.arc(s / 2, s / 2, s / 2 - 1, 0, 2 * Math.PI);
    g.fill();
    g.strokeStyle = "#64d2ff";
    g.lineWidth = 1.5;
    g.stroke();
    g.fillStyle = "#64d2ff";
    g.fillRect(6, 10, 11, 8);
    g.beginPath();
    g.moveTo(17, 14);
    g.lineTo(23, 10);
    g.lineTo(23, 18);
    g.fill();
  }) };
}

// ring is the selection highlight drawn around a selected point.
export function ring() {
  return { key: "ring", image: memo("ring", 64, (g, s) => {
    g.strokeStyle = HIGHLIGHT;
    g.lineWidth = 4;
    g.beginPath();
    g.arc(s / 2, s / 2, s / 2 - 4, 0, 2 * Math.PI);
    g.stroke();
    g.strokeStyle = "rgba(0,0,0,0.6)";
    g.lineWidth = 1.5;
    g.beginPath();
    g.arc(s / 2, s / 2, s / 2 - 7, 0, 2 * Math.PI);
    g.stroke();
  }) };
}

function roundRect(g, x, y, w, h, r) {
  g.beginPath();
  g.moveTo(x + r, y);
  g.arcTo(x + w, y, x + w, y + h, r);
  g.arcTo(x + w, y + h, x, y + h, r);
  g.arcTo(x, y + h, x, y, r);
  g.arcTo(x, y, x + w, y, r);
  g.closePath();
}
