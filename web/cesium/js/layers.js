// The layer panel (#layer-panel): a toggle and a live count per layer, the
// gas detectors by state, the floor filter, 2D/3D, the four-colour risk
// toggle; and the named views (#view-switch) that set the toggles:
// 安全管理一张图 (safety), 人员分布一张图 (people), 指挥决策一张图 (command).
// Emits "view", "layer" and "floor"; state.visible holds the toggles.
import { state, on, emit } from "./state.js";
import { t } from "./i18n.js";
import { counts } from "./hook.js";
import { setRiskColors, riskColorsOn, maxFloor } from "./plant.js";
import { setSceneMode, sceneMode } from "./viewer.js";
import { DETECTOR, RISK, AREA_TYPE, FENCE_RULE, IDENTITY, VEHICLE } from "./palette.js";
import { GROUPS } from "./permits.js";
import { POINT_STYLES, DANGER_STYLES, pointLegend } from "./inspections.js";

const LIVE = ["people", "vehicles", "gas_detectors", "cameras", "fences", "alarms", "permits", "inspection_points", "hidden_dangers", "threat_zones", "weather_stations", "heatmap"];
const PLANT = ["areas", "buildings", "equipment", "tanks", "gates", "roads", "muster_points", "risk_units", "hazard_sources", "beacons"];
const BASE = ["areas", "buildings", "equipment", "tanks", "gates", "roads"];

export const VIEWS = {
  safety: { layers: [...BASE, "risk_units", "hazard_sources", "gas_detectors", "fences", "cameras", "alarms", "hidden_dangers"], risk: true },
  people: { layers: [...BASE, "people", "vehicles", "heatmap", "fences", "muster_points"], risk: false },
  command: { layers: [...BASE, "alarms", "threat_zones", "people", "muster_points", "cameras", "weather_stations"], risk: false },
};

// stripes is a swatch of several colours side by side.
const stripes = (colours) => `linear-gradient(90deg, ${colours.map((c, i) => `${c} ${(100 * i) / colours.length}% ${(100 * (i + 1)) / colours.length}%`).join(", ")})`;

const SWATCH = {
  people: IDENTITY.internal, vehicles: VEHICLE, gas_detectors: DETECTOR.normal, cameras: "#64d2ff",
  fences: FENCE_RULE.forbidden, alarms: RISK.red,
  // inspection points by their task's status, hidden dangers by state (inspections.js)
  inspection_points: stripes(["due", "done", "late", "missed"].map((k) => POINT_STYLES[k].colour)),
  hidden_dangers: stripes(["rectifying", "awaiting_acceptance"].map((k) => DANGER_STYLES[k].colour)),
  // permits are coloured by state: the open states' colours of the permit panel's legend
  permits: stripes(GROUPS.filter((g) => ["planned", "approved", "in_progress", "suspended"].includes(g.key)).map((g) => g.colour)),
  threat_zones: RISK.orange, weather_stations: "#9be7ff", heatmap: "linear-gradient(90deg,#2a5aff,#28e65a,#ffdc00,#ff281e)",
  areas: AREA_TYPE.production, buildings: "#dfe4ec", equipment: "#f0a040", tanks: "#eef1f4", gates: "#58b368",
  roads: "#3b4550", muster_points: "#30d158", risk_units: RISK.yellow, hazard_sources: RISK.red, beacons: "#5ac8fa",
};

let panel = null;
let rows = new Map(); // layer → {input, count}

export function initLayers() {
  panel = document.getElementById("layer-panel");
  const saved = localStorage.getItem("chemtwin.view");
  state.view = VIEWS[saved] ? saved : "safety";
  render();
  applyView(state.view, true);
  on("lang", render);
  on("snapshot", updateCounts);
  setInterval(updateCounts, 1000);
}

// applyView switches to a named view: its layers on, the others off.
function applyView(name, initial = false) {
  const view = VIEWS[name];
  if (!view) return;
  state.view = name;
  localStorage.setItem("chemtwin.view", name);
  for (const layer of [...LIVE, ...PLANT]) setLayer(layer, view.layers.includes(layer), initial);
  setRiskColors(view.risk);
  emit("view", { name });
  syncControls();
}

function setLayer(layer, visible, force = false) {
  const was = state.visible.get(layer);
  state.visible.set(layer, visible);
  if (force || was !== visible) emit("layer", { layer, visible });
}

function setFloor(floor) {
  state.floor = floor;
  emit("floor", { floor });
}

// render builds the panel and the view buttons in the current language.
function render() {
  renderViews();
  rows = new Map();
  panel.replaceChildren(
    section("map.group.live", LIVE.map(layerRow)),
    section("map.group.plant", PLANT.map(layerRow)),
    section("map.group.display", displayControls()));
  syncControls();
  updateCounts();
}

function renderViews() {
  const nav = document.getElementById("view-switch");
  nav.replaceChildren(...Object.keys(VIEWS).map((name) => {
    const b = el("button", { type: "button", "data-view": name }, t("map.view." + name));
    b.addEventListener("click", () => applyView(name));
    return b;
  }));
}

function section(titleKey, children) {
  return el("section", { class: "lp-section" }, el("h2", {}, t(titleKey)), ...children);
}

function layerRow(layer) {
  const input = el("input", { type: "checkbox", "data-layer": layer });
  input.addEventListener("change", () => setLayer(layer, input.checked));
  const swatch = el("span", { class: "lp-swatch" });
  swatch.style.background = SWATCH[layer] || "#888";
  const count = el("span", { class: "lp-count" });
  const row = el("label", { class: "lp-row" }, input, swatch, el("span", { class: "lp-name" }, t("map.layer." + layer)), count);
  // the gas detectors by state (updateCounts), the inspection points' legend
  const extra = layer === "gas_detectors" ? el("div", { class: "lp-states" }) : layer === "inspection_points" ? pointLegend("lp-inspection-legend") : null;
  rows.set(layer, { input, count, extra });
  return extra ? el("div", {}, row, extra) : row;
}

function displayControls() {
  const risk = el("input", { type: "checkbox", id: "lp-risk" });
  risk.addEventListener("change", () => setRiskColors(risk.checked));
  const floor = el("select", { id: "lp-floor" },
    el("option", { value: "" }, t("map.floor.all")),
    ...Array.from({ length: maxFloor() }, (_, k) => el("option", { value: String(k + 1) }, t("map.floor.n", { n: k + 1 }))));
  floor.addEventListener("change", () => setFloor(floor.value === "" ? null : Number(floor.value)));
  const modes = ["3d", "2d"].map((m) => {
    const b = el("button", { type: "button", "data-mode": m }, t("map.mode." + m));
    b.addEventListener("click", () => {
      setSceneMode(m);
      setTimeout(syncControls, 0);
    });
    return b;
  });
  return [
    el("label", { class: "lp-row" }, risk, el("span", { class: "lp-name" }, t("map.risk.toggle"))),
    el("div", { class: "lp-legend" }, ...["red", "orange", "yellow", "blue"].map((r) => legendChip(RISK[r], t("map.risk." + r)))),
    el("label", { class: "lp-field" }, el("span", {}, t("map.floor")), floor),
    el("div", { class: "lp-field lp-modes" }, el("span", {}, t("map.mode")), ...modes),
  ];
}

function legendChip(color, text) {
  const s = el("span", { class: "lp-swatch" });
  s.style.background = color;
  return el("span", { class: "lp-chip" }, s, text);
}

// syncControls makes the controls show the current state.
function syncControls() {
  if (!panel) return;
  for (const [layer, row] of rows) row.input.checked = state.visible.get(layer) !== false;
  for (const b of document.querySelectorAll("#view-switch button")) b.setAttribute("aria-pressed", String(b.dataset.view === state.view));
  const risk = panel.querySelector("#lp-risk");
  if (risk) risk.checked = riskColorsOn();
  const floor = panel.querySelector("#lp-floor");
  if (floor) floor.value = state.floor == null ? "" : String(state.floor);
  for (const b of panel.querySelectorAll("[data-mode]")) b.setAttribute("aria-pressed", String(b.dataset.mode === sceneMode()));
}

function updateCounts() {
  if (!panel) return;
  const c = counts();
  for (const [layer, row] of rows) {
    if (layer === "heatmap") continue;
    row.count.textContent = String(c[layer] ?? 0);
  }
  const gas = rows.get("gas_detectors");
  if (gas && gas.extra) {
    gas.extra.replaceChildren(...Object.keys(DETECTOR).map((s) =>
      legendChip(DETECTOR[s], `${t("map.gas." + s)} ${c["gas_" + s] || 0}`)));
  }
  syncControls();
}

// el creates an element with attributes and children (text or nodes).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) if (c != null) e.append(c);
  return e;
}
