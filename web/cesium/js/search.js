// The search box (#search): finds people (name, tag, department), vehicles
// (plate, name), gas detectors (id, gas), areas and buildings (zh and en
// names) and cameras among state.features. The results are a listbox
// driven from the input (arrow keys, Enter, Escape); choosing one emits
// flyto and select, and for a person Shift+Enter or its button follows.
import { state, on, emit } from "./state.js";
import { t, name } from "./i18n.js";
import { h, fill } from "./dom.js";

const MAX_RESULTS = 20;
// Searchable kinds, in result order, and the properties each is found by:
// [names and ids, descriptive fields]. A descriptive match (department,
// gas) counts less than a name, so "methanol" finds the methanol area
// before the fifty methanol detectors.
const FIELDS = {
  person: (p) => [[p.name, p.tag, p.id], [p.department, p.post]],
  vehicle: (p) => [[p.plate, p.name, p.id, p.tag], [p.department]],
  area: (p) => [[p.name, p.name_en, p.id, p.code], []],
  building: (p) => [[p.name, p.name_en, p.id], []],
  gas_detector: (p) => [[p.id], [p.gas, p.name, p.name_en, p.substance]],
  camera: (p) => [[p.name, p.name_en, p.id], []],
};
const KIND_RANK = Object.fromEntries(Object.keys(FIELDS).map((k, i) => [k, i]));

let ui = null;
let results = []; // features shown
let active = -1; // index of the highlighted result

export function initSearch() {
  ui = buildBox(document.getElementById("search"));
  on("lang", () => {
    label();
    if (!ui.drop.hidden) update();
  });
  label();
}

function buildBox(root) {
  const input = h("input", {
    id: "search-input", type: "search", role: "combobox", autocomplete: "off", spellcheck: "false",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "search-results",
  });
  const list = h("ul", { id: "search-results", role: "listbox" });
  const hint = h("p", { class: "search-hint" });
  const drop = h("div", { class: "search-drop", hidden: true }, list, hint);
  root.setAttribute("role", "search");
  fill(root, input, drop);
  input.addEventListener("input", update);
  input.addEventListener("keydown", onKey);
  input.addEventListener("focus", () => input.value.trim() && update());
  input.addEventListener("blur", () => setTimeout(close, 150));
  list.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep focus in the input
  list.addEventListener("click", onClick);
  return { input, list, hint, drop };
}

function label() {
  ui.input.placeholder = t("search.placeholder");
  ui.input.title = t("search.hint");
  ui.input.setAttribute("aria-label", t("search.label"));
  ui.list.setAttribute("aria-label", t("search.results"));
  ui.hint.textContent = t("search.hint");
}

// find returns the features matching every word of query, best first.
function find(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const hits = [];
  for (const f of state.features.values()) {
    const p = f.properties;
    const fields = p && FIELDS[p.kind];
    if (!fields) continue;
    const [main, extra] = fields(p).map(lower);
    const total = score(main, extra, words);
    if (total > 0) hits.push({ f, score: total });
  }
  hits.sort((a, b) => (b.score - a.score) || (KIND_RANK[a.f.properties.kind] - KIND_RANK[b.f.properties.kind]) ||
    name(a.f.properties).localeCompare(name(b.f.properties)));
  return hits.slice(0, MAX_RESULTS).map((hit) => hit.f);
}

function lower(values) {
  return values.filter((v) => v !== undefined && v !== null && v !== "").map((v) => String(v).toLowerCase());
}

// score sums the best match of each word; 0 when a word matches nothing.
// Descriptive fields score at most 1.
function score(main, extra, words) {
  let total = 0;
  for (const w of words) {
    const s = Math.max(best(main, w), Math.min(best(extra, w), 1));
    if (s === 0) return 0;
    total += s;
  }
  return total;
}

// best scores word against values: 3 exact, 2 prefix, 1 inside, 0 none.
function best(values, word) {
  let score = 0;
  for (const v of values) {
    if (v === word) return 3;
    if (v.startsWith(word)) score = Math.max(score, 2);
    else if (v.includes(word)) score = Math.max(score, 1);
  }
  return score;
}

function update() {
  results = find(ui.input.value);
  active = results.length > 0 ? 0 : -1;
  const open = ui.input.value.trim() !== "";
  ui.drop.hidden = !open;
  ui.input.setAttribute("aria-expanded", String(open));
  if (results.length === 0) {
    fill(ui.list, h("li", { class: "search-none", role: "presentation" }, t("search.none")));
  } else {
    fill(ui.list, results.map(option));
  }
  highlight();
}

function option(f, i) {
  const p = f.properties;
  return h("li", { id: "search-opt-" + i, role: "option", "aria-selected": "false", dataset: { index: i } },
    h("span", { class: "res-kind" }, t("kind." + p.kind)),
    h("span", { class: "res-name" }, name(p)),
    h("span", { class: "res-meta" }, meta(p)),
    p.kind === "person" && h("button", { type: "button", class: "res-follow", tabindex: "-1" }, t("search.follow")));
}

// meta is the second line of a result: what tells it apart from others.
function meta(p) {
  const alt = state.lang === "en" ? p.name : p.name_en;
  const parts = {
    person: [p.department, p.post, p.tag],
    vehicle: [p.plate, p.tag],
    gas_detector: [p.id, p.gas, Number.isFinite(p.value) ? `${p.value} ${p.unit || ""}` : ""],
    camera: [p.id, alt],
  }[p.kind] || [alt !== name(p) ? alt : "", p.id];
  return parts.filter(Boolean).join(" · ");
}

function highlight() {
  [...ui.list.querySelectorAll("[role=option]")].forEach((li, i) => {
    li.setAttribute("aria-selected", String(i === active));
    if (i === active) li.scrollIntoView({ block: "nearest" });
  });
  if (active >= 0) ui.input.setAttribute("aria-activedescendant", "search-opt-" + active);
  else ui.input.removeAttribute("aria-activedescendant");
}

function onKey(ev) {
  const n = results.length;
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    ev.preventDefault();
    if (ui.drop.hidden) update();
    if (n > 0) active = (active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
    highlight();
  } else if (ev.key === "Enter" && active >= 0 && !ui.drop.hidden) {
    ev.preventDefault();
    choose(results[active], ev.shiftKey);
  } else if (ev.key === "Escape") {
    if (ui.drop.hidden) ui.input.value = "";
    close();
  }
}

function onClick(ev) {
  const li = ev.target.closest("[role=option]");
  if (!li) return;
  choose(results[Number(li.dataset.index)], !!ev.target.closest(".res-follow"));
}

// choose flies to f and selects it; follow also follows a person.
function choose(f, follow) {
  if (!f) return;
  const id = f.id || f.properties.id;
  emit("flyto", { id });
  emit("select", { id });
  if (follow && f.properties.kind === "person") emit("follow", { id });
  close();
}

function close() {
  ui.drop.hidden = true;
  ui.input.setAttribute("aria-expanded", "false");
  ui.input.removeAttribute("aria-activedescendant");
}
