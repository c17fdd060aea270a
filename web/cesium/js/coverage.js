// Detector coverage (探测器覆盖): a dock tool, for everyone, that checks
// every gas release source (pumps, compressors, flanges, loading arms,
// tanks …) against the distances of GB/T 50493-2019 §4.2 — a combustible
// detector of the gas within 10 m outdoors / 5 m enclosed, a toxic one
// within 4 m / 2 m, a toxic one alone for a gas that is both (§3.0.1) —
// as GET /api/v1/detectors/coverage[?area=ID] answers (twin/coverage).
//
// Panel: the rule in one line; an area filter (the scene's areas, the
// whole site by default); the totals — sources, covered, uncovered — big;
// the uncovered sources first, each with its substance, where it stands
// and what it lacks ("无 4 m 内有毒气体探测器") or why it could not be
// checked (the server's problem), then the covered ones in a collapsible
// list, each with its covering detectors and their distances. A click on
// a source or a detector selects it and flies there.
//
// Map, while the tool is open and "show on map" is ticked: each
// detector's coverage circle as a thin translucent disc with an outline at
// its floor's height (the ground outdoors), orange for combustible and
// purple for toxic detection, and each release source as a point — a green
// ring when covered; a bigger red dot, pulsing and labelled, when not. The drawing
// follows the floor filter, is rebuilt only when the report's revision,
// the area or the floor changes (a language switch relabels it) and goes
// when the tool closes or the box is unticked. The report is fetched when
// the tool opens, when the area changes and after a snapshot (a reconnect
// or a scene reload): coverage depends on where things stand, not on the
// readings.
//
// drawnCoverage() tells a browser test what the map shows, and
// showReport(report) renders a given report as if the server had sent it
// (for states the demo plant lacks, such as an uncovered source); import
// them from /js/coverage.js.
import { state, on, emit } from "./state.js";
import { t, tOr, name } from "./i18n.js";
import * as api from "./api.js";
import { h, fill } from "./dom.js";
import { addTool, isOpen } from "./dock.js";
import * as S from "./shapes.js";
import { RISK } from "./palette.js";
import { onFloor } from "./frame.js";
import { plantFrame } from "./viewer.js";
import { floorSpan } from "./plant.js";
import { loadSubstances, substanceName } from "./substances.js";

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

// Map palette of this tool: coverage circles by the detection they give,
// release sources by whether they are covered.
const GAS_COLOUR = { combustible: "#ff9f43", toxic: "#b06cff" };
const COVERED = "#30d158";
const UNCOVERED = RISK.red;
const DISC_ALPHA = 0.25;
const EDGE_ALPHA = 0.85;
const DISC_LIFT = 0.36; // over the roads (shapes.js HEIGHT.road), on an indoor floor's plate
const MARK_LIFT = 2; // source points above their floor
const SEGMENTS = 48;
// A covered source is a green ring (the detectors are filled dots, green
// when normal: live.js), an uncovered one a bigger filled red dot.
const COVERED_PX = 12, UNCOVERED_PX = 16;
const PULSE_MS = 100; // 10 Hz frames while an uncovered source pulses (requestRenderMode)
const PULSE_PERIOD_MS = 1000;
const FONT = 'bold 14px "Noto Sans CJK SC", sans-serif';

let viewer = null;
let points = null; // source markers (PointPrimitiveCollection, kept for the viewer's life)
let labels = null; // labels of the uncovered sources
let drawing = null; // {key, items, circles, sources, red}
let pulseTimer = 0;
let ui = null;
let area = ""; // the area chosen ("" = the whole site)
let report = null; // the last answer, with .area the area it answers for
let loadError = "";
let loading = false;
let showMap = true;
let seq = 0; // the latest request: an older answer never replaces it

export function initCoverage(ctx) {
  viewer = ctx && ctx.viewer && ctx.viewer.scene ? ctx.viewer : null;
  if (viewer) {
    points = viewer.scene.primitives.add(new C.PointPrimitiveCollection());
    labels = viewer.scene.primitives.add(new C.LabelCollection());
  }
  const panel = addTool("coverage", { labelKey: "coverage.title", onOpen: open, onClose: close });
  ui = {
    title: h("h2"), intro: h("p", { class: "dock-note" }),
    areaText: h("span"), area: h("select", { id: "coverage-area", name: "area" }),
    showText: h("span"), show: h("input", { type: "checkbox", id: "coverage-show", name: "show", checked: true }),
    status: h("p", { class: "dock-note", id: "coverage-status", role: "status" }),
    totals: h("div", { id: "coverage-totals", class: "cov-totals" }),
    legend: h("div", { class: "cov-legend" }),
    uncoveredHeading: h("h3"), allCovered: h("p", { id: "coverage-all-covered", class: "cov-all-covered" }),
    uncovered: h("ul", { id: "coverage-uncovered", class: "cov-list" }),
    covered: h("details", { id: "coverage-covered", class: "cov-covered" }),
    coveredSummary: h("summary"), coveredList: h("ul", { id: "coverage-covered-list", class: "cov-list" }),
  };
  ui.panel = panel;
  ui.covered.append(ui.coveredSummary, ui.coveredList);
  ui.area.addEventListener("change", () => {
    area = ui.area.value;
    load();
  });
  ui.show.addEventListener("change", () => {
    showMap = ui.show.checked;
    syncMap();
  });
  panel.addEventListener("click", onClick);
  fill(panel, ui.title, ui.intro,
    h("div", { class: "cov-controls" },
      h("label", { class: "form-field cov-area" }, ui.areaText, ui.area),
      h("label", { class: "cov-show" }, ui.show, ui.showText)),
    ui.status, ui.totals, ui.legend, ui.uncoveredHeading, ui.allCovered, ui.uncovered, ui.covered);
  on("lang", () => {
    if (!isOpen("coverage")) return;
    render();
    relabel();
  });
  on("floor", () => syncMap());
  on("snapshot", () => { if (isOpen("coverage")) load(); });
  on("select", (sel) => markSelected(sel && sel.id));
}

function open() {
  render();
  load();
  loadSubstances().then(() => { if (isOpen("coverage") && report) render(); });
}

function close() {
  seq++; // an answer still on its way is not drawn
  loading = false;
  clearMap();
}

// load fetches the report for the chosen area and shows it.
async function load() {
  const mine = ++seq;
  const asked = area;
  loading = true;
  renderStatus();
  try {
    const body = await api.get("/api/v1/detectors/coverage" + (asked ? "?area=" + encodeURIComponent(asked) : ""));
    if (mine !== seq) return;
    report = { ...body, area: asked };
    loadError = "";
  } catch (err) {
    if (mine !== seq) return;
    loadError = t("coverage.err.load", { msg: err.message });
  }
  loading = false;
  if (!isOpen("coverage")) return;
  render();
  syncMap();
}

// showReport shows report (a GET /api/v1/detectors/coverage answer) as if
// the server had sent it for the chosen area: in the panel and, while the
// tool is open, on the map, redrawn whatever its revision. For tests of
// states the demo lacks.
export function showReport(rep) {
  seq++;
  loading = false;
  loadError = "";
  report = { ...rep, area };
  if (!isOpen("coverage")) return;
  render();
  syncMap(true);
}

// --- panel -------------------------------------------------------------

function render() {
  ui.title.textContent = t("coverage.title");
  ui.intro.textContent = t("coverage.intro");
  ui.areaText.textContent = t("coverage.area");
  ui.showText.textContent = t("coverage.show");
  fillAreas();
  renderStatus();
  renderLegend();
  const rep = report && report.area === area ? report : null;
  const sources = rep ? rep.sources || [] : [];
  const bad = sources.filter((s) => !s.covered), good = sources.filter((s) => s.covered);
  const n = rep ? (rep.uncovered || []).length : 0;
  fill(ui.totals,
    total("sources", rep ? sources.length : "—"),
    total("covered", rep ? good.length : "—"),
    total("uncovered", rep ? n : "—", rep && n > 0));
  ui.uncoveredHeading.textContent = t("coverage.uncovered.title", { n: rep ? bad.length : "—" });
  ui.allCovered.hidden = !rep || bad.length > 0 || sources.length === 0;
  ui.allCovered.textContent = t("coverage.uncovered.none");
  fill(ui.uncovered, rep && sources.length === 0 ? h("li", { class: "dock-note" }, t("coverage.sources.none")) : null, bad.map(sourceRow));
  ui.coveredSummary.textContent = t("coverage.covered.title", { n: rep ? good.length : "—" });
  fill(ui.coveredList, good.map(sourceRow));
  markSelected(state.selected);
}

function renderStatus() {
  ui.status.textContent = loadError || (loading && !report ? t("coverage.loading") : "");
  ui.status.className = `dock-note ${loadError ? "tone-bad" : ""}`;
}

function total(key, value, bad = false) {
  return h("div", { class: `cov-total cov-total-${key}${bad ? " bad" : ""}`, dataset: { total: key } },
    h("b", null, String(value)), h("span", null, t("coverage.total." + key)));
}

function renderLegend() {
  const item = (cls, colour, key) => {
    const sw = h("span", { class: `cov-swatch ${cls}` });
    sw.style.setProperty("--swatch", colour);
    return h("span", { class: "cov-legend-item" }, sw, t(key));
  };
  fill(ui.legend,
    item("disc", GAS_COLOUR.combustible, "coverage.legend.combustible"),
    item("disc", GAS_COLOUR.toxic, "coverage.legend.toxic"),
    item("ring", COVERED, "coverage.legend.covered"),
    item("dot big", UNCOVERED, "coverage.legend.uncovered"));
}

// fillAreas offers the scene's areas by name, the whole site first,
// keeping the choice.
function fillAreas() {
  const list = [];
  for (const id of state.layers.get("areas") || []) {
    const f = state.features.get(id);
    if (f) list.push({ id, label: name(f.properties) });
  }
  list.sort((a, b) => a.label.localeCompare(b.label, state.lang));
  if (area && !list.some((a) => a.id === area)) list.push({ id: area, label: area });
  fill(ui.area, h("option", { value: "" }, t("coverage.area.all")), list.map((a) => h("option", { value: a.id }, a.label)));
  ui.area.value = area;
}

// sourceRow is one release source: name, substance, place, then per
// detection it needs the detectors giving it, or what is missing.
function sourceRow(s) {
  const reqs = s.required || [];
  return h("li", { class: `cov-source ${s.covered ? "covered" : "uncovered"}`, dataset: { sourceId: s.id } },
    h("div", { class: "cov-source-head" },
      h("span", { class: "cov-dot" }),
      h("button", { type: "button", class: "link cov-source-name", dataset: { entity: s.id } }, sourceLabel(s)),
      h("span", { class: "cov-substance" }, substanceName(s.substance))),
    h("div", { class: "cov-place" }, placeText(s)),
    s.problem && h("p", { class: "cov-problem tone-bad" }, problemText(s)),
    !s.problem && reqs.length === 0 && h("p", { class: "dock-note" }, t("coverage.none_required")),
    reqs.length > 0 && h("ul", { class: "cov-reqs" }, reqs.map(requirementRow)));
}

function requirementRow(r) {
  if (!r.covered) {
    return h("li", { class: "cov-lack", dataset: { gas: r.gas } }, gasText("lacks", r));
  }
  const sw = h("span", { class: "cov-swatch disc" });
  sw.style.setProperty("--swatch", GAS_COLOUR[r.gas] || GAS_COLOUR.combustible);
  return h("li", { class: "cov-req", dataset: { gas: r.gas } }, sw,
    h("span", { class: "cov-req-head" }, gasText("by", r)),
    h("span", { class: "cov-detectors" }, (r.detectors || []).map((d) =>
      h("span", { class: "cov-hit" },
        h("button", { type: "button", class: "link cov-detector", dataset: { entity: d.detector_id }, title: detectorTitle(d.detector_id) }, d.detector_id),
        h("small", null, t("coverage.distance", { m: fmtM(d.distance_m, 1) }))))));
}

// gasText is requirement r in words: what = "lacks" ("无 4 m 内有毒气体探测器")
// or "by" ("有毒气体探测器（4 m 内）："), for a gas kind the viewer does not
// name the generic sentence with the server's word.
function gasText(what, r) {
  const m = fmtM(r.radius_m);
  const key = `coverage.${what}.${r.gas}`;
  return tOr(key, null) === null ? t(`coverage.${what}`, { gas: r.gas, m }) : t(key, { m });
}

// sourceLabel is "name (id)", or the id when the source has no other name.
function sourceLabel(s) {
  const f = state.features.get(s.id);
  const n = f ? name(f.properties) : s.name;
  return n && n !== s.id ? `${n} (${s.id})` : s.id;
}

function detectorTitle(id) {
  const f = state.features.get(id);
  return f ? name(f.properties) : false;
}

// placeText is where a source stands: its environment and, indoors, the
// building and floor.
function placeText(s) {
  const env = tOr("coverage.env." + s.environment, s.environment || "—");
  if (!s.building_id) return env;
  const b = state.features.get(s.building_id);
  return t("coverage.place", { env, building: b ? name(b.properties) : s.building_id, floor: s.floor });
}

// problemText says in words why a source could not be checked, by the
// server's problem_code (twin/coverage ProblemNoSubstance,
// ProblemUnknownSubstance); a problem without a known code is shown as
// sent.
function problemText(s) {
  if (s.problem_code === "no_substance") return t("coverage.problem.no_substance");
  if (s.problem_code === "unknown_substance") return t("coverage.problem.unknown", { substance: s.substance });
  return t("coverage.problem", { msg: String(s.problem) });
}

function fmtM(v, digits = 0) {
  const n = Number(v);
  if (!Number.isFinite(n)) return "—";
  return digits > 0 ? n.toFixed(digits) : String(Math.round(n * 10) / 10);
}

function onClick(ev) {
  const ent = ev.target.closest("[data-entity]");
  if (!ent) return;
  emit("flyto", { id: ent.dataset.entity });
  emit("select", { id: ent.dataset.entity });
}

// markSelected marks the rows and detectors of the selected entity.
function markSelected(id) {
  if (!ui) return;
  for (const el of ui.panel.querySelectorAll(".cov-source, .cov-detector")) {
    const mine = id && (el.dataset.sourceId === id || el.dataset.entity === id);
    if (mine) el.setAttribute("aria-current", "true");
    else el.removeAttribute("aria-current");
  }
}

// --- map ---------------------------------------------------------------

// syncMap makes the map show the report while the tool is open and the
// box ticked, rebuilding the drawing only when the report's revision, its
// area or the floor filter changed (force: always).
function syncMap(force = false) {
  if (!viewer) return;
  const rep = report && report.area === area && !loadError ? report : null;
  if (!isOpen("coverage") || !showMap || !rep) {
    clearMap();
    return;
  }
  const key = `${rep.area}|${rep.rev}|${state.floor ?? ""}`;
  if (!force && drawing && drawing.key === key) return;
  clearMap();
  drawing = draw(rep, key);
  schedulePulse();
  viewer.scene.requestRender();
}

// draw adds the report's circles and sources to the map.
function draw(rep, key) {
  const fills = [], edges = [], circles = [], sources = [], red = [];
  for (const c of rep.circles || []) {
    const [lon, lat] = c.center || [];
    const r = Number(c.radius_m);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || !(r > 0) || !onFloor(state.floor, c.floor)) continue;
    const colour = GAS_COLOUR[c.gas] || GAS_COLOUR.combustible;
    const z = floorBase(c) + DISC_LIFT;
    const id = { entity: c.detector_id, part: "coverage" };
    fills.push(S.circle(id, lon, lat, r, z, S.css(colour, DISC_ALPHA)));
    edges.push(S.outline(id, ring(lon, lat, r), z + 0.03, S.css(colour, EDGE_ALPHA), 2));
    circles.push({ detector_id: c.detector_id, gas: c.gas, colour, radius_m: r, height_m: z });
  }
  const items = [S.batch(fills, { translucent: true, flat: true }), S.lines(edges)].filter(Boolean);
  for (const item of items) viewer.scene.primitives.add(item);
  for (const s of rep.sources || []) {
    const [lon, lat] = s.point || [];
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || !onFloor(state.floor, s.floor)) continue;
    const bad = !s.covered;
    const z = floorBase(s) + MARK_LIFT;
    const point = points.add({
      id: s.id, position: C.Cartesian3.fromDegrees(lon, lat, z), pixelSize: bad ? UNCOVERED_PX : COVERED_PX,
      color: bad ? S.css(UNCOVERED) : S.css(COVERED, 0.2), outlineColor: bad ? C.Color.WHITE : S.css(COVERED), outlineWidth: bad ? 2.5 : 3,
      disableDepthTestDistance: Number.POSITIVE_INFINITY,
    });
    const label = bad ? labels.add({
      id: s.id, position: C.Cartesian3.fromDegrees(lon, lat, z), text: markLabel(s), font: FONT,
      fillColor: C.Color.WHITE, outlineColor: C.Color.BLACK, outlineWidth: 3, style: C.LabelStyle.FILL_AND_OUTLINE,
      showBackground: true, backgroundColor: S.css(UNCOVERED, 0.8), verticalOrigin: C.VerticalOrigin.BOTTOM,
      pixelOffset: new C.Cartesian2(0, -14), disableDepthTestDistance: Number.POSITIVE_INFINITY,
    }) : null;
    const entry = { view: { id: s.id, covered: !bad, colour: bad ? UNCOVERED : COVERED, size: point.pixelSize }, source: s, point, label };
    sources.push(entry);
    if (bad) red.push(entry);
  }
  return { key, items, circles, sources, red };
}

// markLabel names an uncovered source and what it lacks (or its problem).
function markLabel(s) {
  const lacks = (s.required || []).filter((r) => !r.covered).map((r) => gasText("lacks", r));
  const why = s.problem ? problemText(s) : lacks.join(t("coverage.sep"));
  return why ? `${sourceLabel(s)}\n${why}` : sourceLabel(s);
}

// relabel writes the labels in the current language.
function relabel() {
  if (!drawing) return;
  for (const e of drawing.red) if (e.label) e.label.text = markLabel(e.source);
  viewer.scene.requestRender();
}

function clearMap() {
  clearInterval(pulseTimer);
  pulseTimer = 0;
  if (!drawing || !viewer) return;
  for (const item of drawing.items) viewer.scene.primitives.remove(item);
  points.removeAll();
  labels.removeAll();
  drawing = null;
  viewer.scene.requestRender();
}

// schedulePulse runs the pulse while an uncovered source is drawn.
function schedulePulse() {
  clearInterval(pulseTimer);
  pulseTimer = 0;
  if (drawing && drawing.red.length > 0) pulseTimer = setInterval(pulse, PULSE_MS);
}

const scratch = C ? new C.Color() : null;

function pulse() {
  if (!drawing || viewer.isDestroyed()) return;
  const wave = 0.5 + 0.5 * Math.sin((2 * Math.PI * performance.now()) / PULSE_PERIOD_MS);
  const red = C.Color.fromCssColorString(UNCOVERED, scratch).withAlpha(0.55 + 0.45 * wave, scratch);
  for (const e of drawing.red) {
    e.point.pixelSize = UNCOVERED_PX * (0.85 + 0.45 * wave);
    e.point.color = red;
  }
  viewer.scene.requestRender();
}

// floorBase is the height of the floor a source or circle stands on: its
// building's storey (plant.js floorSpan), the ground outdoors.
function floorBase(x) {
  const b = x.building_id && state.features.get(x.building_id);
  const f = Number(x.floor);
  return b && Number.isFinite(f) ? Math.max(floorSpan(b, f)[0], 0) : 0;
}

// ring is a closed ring of [lon, lat] at r metres around [lon, lat].
function ring(lon, lat, r) {
  const fr = plantFrame();
  const out = [];
  for (let k = 0; k <= SEGMENTS; k++) {
    const a = (2 * Math.PI * k) / SEGMENTS;
    out.push([lon + (r * Math.sin(a)) / fr.mPerDegLon, lat + (r * Math.cos(a)) / fr.mPerDegLat]);
  }
  return out;
}

// drawnCoverage describes what the map shows, for tests: the area and
// revision drawn, the circles (count, and per gas) whose primitives are in
// the scene, the source markers in their collection ({id, covered,
// colour, size}), the uncovered ids and the labels' texts.
export function drawnCoverage() {
  const inScene = drawing && viewer && drawing.items.length > 0 && drawing.items.every((i) => viewer.scene.primitives.contains(i));
  const circles = inScene ? drawing.circles : [];
  const markers = drawing && points ? drawing.sources.filter((e) => points.contains(e.point)) : [];
  return {
    area: drawing ? drawing.key.split("|")[0] : null,
    rev: drawing ? Number(drawing.key.split("|")[1]) : null,
    circles: circles.length,
    combustible: circles.filter((c) => c.gas === "combustible").length,
    toxic: circles.filter((c) => c.gas === "toxic").length,
    sources: markers.length,
    markers: markers.map((e) => ({ ...e.view, size: e.point.pixelSize })),
    uncovered: markers.filter((e) => !e.view.covered).map((e) => e.view.id),
    labels: labels ? Array.from({ length: labels.length }, (_, i) => labels.get(i).text) : [],
    pulsing: pulseTimer !== 0,
  };
}
