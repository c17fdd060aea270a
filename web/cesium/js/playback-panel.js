// The track playback panel's DOM: the people chosen (with a search to add
// more), the time window, the load button, the slider and the play
// controls, the legend of tracks and the camera hand-over list. Actions go
// back to playback.js through the handlers given to buildPanel.
import { state } from "./state.js";
import { t, name, fmtTime } from "./i18n.js";
import { h, fill } from "./dom.js";

const SPEEDS = [1, 4, 16, 64];
const MAX_HITS = 8;
const SLIDER_STEPS = 1000;

// buildPanel lays out the panel once; renderPanel fills it from pb.
export function buildPanel(panel, act) {
  const ui = { act };
  ui.title = h("h2");
  ui.people = h("ul", { class: "pb-people", id: "pb-people" });
  ui.search = h("input", { type: "search", id: "pb-search", autocomplete: "off" });
  ui.hits = h("ul", { class: "pb-hits", id: "pb-hits" });
  ui.window = h("select", { id: "pb-window" });
  ui.from = h("input", { type: "datetime-local", id: "pb-from", step: "60" });
  ui.to = h("input", { type: "datetime-local", id: "pb-to", step: "60" });
  ui.custom = h("div", { class: "pb-custom", hidden: true }, ui.from, ui.to);
  ui.load = h("button", { type: "button", class: "primary", id: "pb-load", onclick: () => act.load() });
  ui.clear = h("button", { type: "button", id: "pb-clear", onclick: () => act.clear() });
  ui.status = h("p", { class: "dock-note", id: "pb-status", role: "status" });
  ui.slider = h("input", { type: "range", id: "pb-slider", min: "0", max: String(SLIDER_STEPS), value: "0", step: "1" });
  ui.clock = h("output", { id: "pb-clock", for: "pb-slider" });
  ui.play = h("button", { type: "button", id: "pb-play", onclick: () => (ui.playing ? act.pause() : act.play()) });
  ui.speed = h("select", { id: "pb-speed" });
  ui.player = h("div", { class: "pb-player", hidden: true },
    ui.slider, h("div", { class: "pb-controls" }, ui.play, ui.speed, ui.clock));
  ui.legend = h("ul", { class: "pb-legend", id: "pb-legend" });
  ui.handover = h("div", { class: "pb-handover", id: "pb-handover" });
  fill(panel, ui.title, ui.people, h("div", { class: "pb-search" }, ui.search, ui.hits),
    h("div", { class: "pb-row" }, ui.window, ui.load, ui.clear), ui.custom, ui.status, ui.player, ui.legend, ui.handover);
  ui.search.addEventListener("input", () => renderHits(ui));
  ui.hits.addEventListener("click", (ev) => {
    const li = ev.target.closest("[data-id]");
    if (!li) return;
    act.add(li.dataset.id);
    ui.search.value = "";
    renderHits(ui);
  });
  ui.people.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-remove]");
    if (b) act.remove(b.dataset.remove);
  });
  ui.window.addEventListener("change", () => act.setWindow(ui.window.value));
  const custom = () => act.setWindow("custom", { from: ui.from.value, to: ui.to.value });
  ui.from.addEventListener("change", custom);
  ui.to.addEventListener("change", custom);
  ui.speed.addEventListener("change", () => act.setSpeed(Number(ui.speed.value)));
  ui.slider.addEventListener("input", () => {
    act.pause();
    act.seek(ui.span[0] + (ui.span[1] - ui.span[0]) * (Number(ui.slider.value) / SLIDER_STEPS));
  });
  ui.handover.addEventListener("click", (ev) => {
    const li = ev.target.closest("[data-from]");
    if (li) act.seek(Date.parse(li.dataset.from));
  });
  ui.span = [0, 1];
  return ui;
}

export function renderPanel(ui, pb) {
  ui.playing = pb.playing;
  ui.title.textContent = t("pb.title");
  ui.search.placeholder = t("pb.search");
  ui.search.setAttribute("aria-label", t("pb.search"));
  fill(ui.people, pb.people.size === 0 ? h("li", { class: "dock-note" }, t("pb.nobody")) :
    [...pb.people].map(([id, label]) => h("li", { class: "chip", dataset: { id } }, label,
      h("button", { type: "button", class: "link", dataset: { remove: id }, title: t("pb.remove"), "aria-label": t("pb.remove") }, "×"))));
  fill(ui.window, ["1h", "8h", "custom"].map((w) => h("option", { value: w, selected: pb.window === w }, t("pb.window." + w))));
  ui.window.value = pb.window;
  ui.custom.hidden = pb.window !== "custom";
  ui.from.title = t("pb.from");
  ui.to.title = t("pb.to");
  ui.load.textContent = t(pb.loading ? "pb.loading" : "pb.load");
  ui.load.disabled = pb.loading || pb.people.size === 0;
  ui.clear.textContent = t("pb.clear");
  ui.status.textContent = pb.error || status(pb);
  ui.status.classList.toggle("tone-bad", !!pb.error);
  ui.player.hidden = !pb.tracks;
  ui.play.textContent = t(pb.playing ? "pb.pause" : "pb.play");
  fill(ui.speed, SPEEDS.map((s) => h("option", { value: String(s), selected: pb.speed === s }, `×${s}`)));
  ui.speed.value = String(pb.speed);
  ui.speed.title = t("pb.speed");
  renderLegend(ui, pb);
  renderHandover(ui, pb);
  renderClock(ui, pb);
}

function status(pb) {
  if (!pb.tracks) return "";
  const fixes = pb.tracks.items.reduce((n, it) => n + it.times.length, 0);
  return fixes === 0 ? t("pb.nodata") : t("pb.loaded", { n: pb.tracks.items.length, fixes });
}

// renderClock moves the slider and the time label to pb.t.
export function renderClock(ui, pb) {
  if (!pb.tracks) return;
  ui.span = [pb.tracks.first, Math.max(pb.tracks.last, pb.tracks.first + 1)];
  const f = (pb.t - ui.span[0]) / (ui.span[1] - ui.span[0]);
  if (document.activeElement !== ui.slider || pb.playing) ui.slider.value = String(Math.round(Math.min(Math.max(f, 0), 1) * SLIDER_STEPS));
  ui.clock.textContent = fmtTime(pb.t);
  ui.slider.setAttribute("aria-valuetext", ui.clock.textContent);
}

function renderLegend(ui, pb) {
  if (!pb.tracks) {
    fill(ui.legend);
    return;
  }
  fill(ui.legend, pb.tracks.items.map((it) => {
    const sw = h("span", { class: "lp-swatch" });
    sw.style.background = it.colour;
    return h("li", { dataset: { id: it.id } }, sw, " ", it.name, " ",
      h("small", null, t(it.truncated ? "pb.fixes.truncated" : "pb.fixes", { n: it.times.length })));
  }));
}

function renderHandover(ui, pb) {
  if (!pb.handover) {
    fill(ui.handover);
    return;
  }
  const segs = pb.handover;
  fill(ui.handover, h("h3", null, t("pb.handover")),
    segs.length === 0 ? h("p", { class: "dock-note" }, t("pb.handover.none")) :
      h("ol", null, segs.map((s) => h("li", { dataset: { from: s.from }, tabindex: "0", title: t("pb.handover.seek") },
        h("b", null, s.camera_id ? s.name || s.camera_id : t("pb.handover.gap")), " ",
        h("small", null, `${fmtTime(s.from)} – ${fmtTime(s.to)} · ${t("pb.fixes", { n: s.fixes })}`),
        s.stream_url && h("code", { class: "stream-url" }, s.stream_url)))));
}

// renderHits lists the people matching the search box.
function renderHits(ui) {
  const words = ui.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    fill(ui.hits);
    return;
  }
  const hits = [];
  for (const id of state.layers.get("people") || []) {
    const p = state.features.get(id)?.properties;
    if (!p) continue;
    const text = [p.name, p.name_en, p.id, p.tag, p.department].filter(Boolean).join(" ").toLowerCase();
    if (words.every((w) => text.includes(w))) hits.push(p);
    if (hits.length >= MAX_HITS) break;
  }
  fill(ui.hits, hits.length === 0 ? h("li", { class: "dock-note" }, t("search.none")) :
    hits.map((p) => h("li", { dataset: { id: p.id }, tabindex: "0" }, name(p), " ", h("small", null, [p.department, p.id].filter(Boolean).join(" · ")))));
}
