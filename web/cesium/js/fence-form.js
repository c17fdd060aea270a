// The fence form of the draw tool: name, rule, level, floor or height
// band, the rule's own parameters, a time window and who is authorised.
// fenceBody turns the form and the drawn ring into the GeoJSON Feature
// that POST / PUT /api/v1/fences take.
import { t } from "./i18n.js";
import { h, fill } from "./dom.js";
import { geometryOf } from "./draw.js";

export const RULES = ["forbidden", "keep_in", "headcount", "static", "lingering", "post", "speed"];
const IDENTITIES = ["internal", "contractor", "visitor"];
// Rule parameters: [property, the rules that use it, input step].
const PARAMS = [
  ["max_persons", ["headcount"], "1"], ["min_persons", ["headcount"], "1"],
  ["static_s", ["static"], "1"], ["dwell_s", ["lingering"], "1"], ["speed_limit_kmh", ["speed"], "0.1"],
];
const NUMBERS = ["floor", "z_min", "z_max", ...PARAMS.map(([k]) => k)];
const LISTS = ["departments", "posts", "persons"];
// FORM_KEYS are the fence properties this form edits.
export const FORM_KEYS = new Set(["name", "rule", "level", ...NUMBERS, "time_window", "authorized"]);

// buildForm returns the <form> element; onSubmit(form) is called on submit.
export function buildForm(onSubmit, onCancel) {
  const form = h("form", { class: "fence-form", id: "fence-form", hidden: true });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onSubmit(form);
  });
  form.addEventListener("change", (ev) => { if (ev.target.name === "rule") showParams(form); });
  form.onCancel = onCancel;
  renderForm(form);
  return form;
}

// renderForm lays the form out in the current language, keeping values.
export function renderForm(form) {
  const keep = form.elements.length ? readForm(form) : null;
  const num = (key, step = "0.1") => field(key, h("input", { name: key, type: "number", step }));
  fill(form,
    field("name", h("input", { name: "name", required: true, maxlength: 100 })),
    field("rule", h("select", { name: "rule" }, RULES.map((r) => h("option", { value: r }, t("fence.rule." + r))))),
    field("level", h("select", { name: "level" }, [1, 2, 3].map((l) => h("option", { value: String(l), selected: l === 2 }, t("alarm.level." + l))))),
    h("div", { class: "fence-grid" }, num("floor", "1"), num("z_min"), num("z_max")),
    h("div", { class: "fence-grid" }, PARAMS.map(([key, rules, step]) => {
      const f = num(key, step);
      f.dataset.rules = rules.join(" ");
      return f;
    })),
    h("fieldset", null, h("legend", null, t("fence.time_window")),
      h("div", { class: "fence-grid" }, field("tw_from", h("input", { name: "tw_from", type: "time" })), field("tw_to", h("input", { name: "tw_to", type: "time" }))),
      h("div", { class: "fence-days" }, [1, 2, 3, 4, 5, 6, 7].map((d) => h("label", null, h("input", { type: "checkbox", name: "tw_day", value: String(d) }), t("fence.day." + d))))),
    h("fieldset", null, h("legend", null, t("fence.authorized")),
      h("div", { class: "fence-days" }, IDENTITIES.map((k) => h("label", null, h("input", { type: "checkbox", name: "identity", value: k }), t("info.identity." + k)))),
      LISTS.map((k) => field(k, h("input", { name: k, placeholder: t("fence.list_hint") })))),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "primary" }, t("fence.save")),
      h("button", { type: "button", onclick: () => form.onCancel() }, t("fence.cancel"))));
  if (keep) fillForm(form, keep);
  showParams(form);
}

function field(key, input) {
  return h("label", { class: "form-field" }, h("span", null, t("fence.field." + key)), input);
}

// showParams shows the parameters of the chosen rule only.
function showParams(form) {
  const rule = form.elements.rule.value;
  for (const el of form.querySelectorAll("[data-rules]")) el.hidden = !el.dataset.rules.split(" ").includes(rule);
}

// readForm returns the form's values as properties (unset ones left out).
export function readForm(form) {
  const e = form.elements;
  const p = { name: e.name.value.trim(), rule: e.rule.value, level: Number(e.level.value) };
  const rule = p.rule;
  for (const key of NUMBERS) {
    const param = PARAMS.find(([k]) => k === key);
    if (param && !param[1].includes(rule)) continue;
    const v = e[key].value;
    if (v !== "" && Number.isFinite(Number(v))) p[key] = Number(v);
  }
  const days = [...form.querySelectorAll("[name=tw_day]:checked")].map((c) => Number(c.value));
  if (e.tw_from.value && e.tw_to.value) p.time_window = { from: e.tw_from.value, to: e.tw_to.value, days: days.length ? days : [1, 2, 3, 4, 5, 6, 7] };
  const auth = {};
  const ids = [...form.querySelectorAll("[name=identity]:checked")].map((c) => c.value);
  if (ids.length) auth.identity_types = ids;
  for (const k of LISTS) {
    const list = e[k].value.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
    if (list.length) auth[k] = list;
  }
  if (Object.keys(auth).length) p.authorized = auth;
  return p;
}

// fillForm sets the form from a fence's properties.
export function fillForm(form, p) {
  const e = form.elements;
  e.name.value = p.name || "";
  e.rule.value = RULES.includes(p.rule) ? p.rule : "forbidden";
  e.level.value = String(p.level || 2);
  for (const key of NUMBERS) e[key].value = Number.isFinite(p[key]) ? String(p[key]) : "";
  const tw = p.time_window || {};
  e.tw_from.value = tw.from || "";
  e.tw_to.value = tw.to || "";
  for (const c of form.querySelectorAll("[name=tw_day]")) c.checked = (tw.days || []).includes(Number(c.value));
  const auth = p.authorized || {};
  for (const c of form.querySelectorAll("[name=identity]")) c.checked = (auth.identity_types || []).includes(c.value);
  for (const k of LISTS) e[k].value = (auth[k] || []).join(", ");
  showParams(form);
}

// fenceBody is the Feature to send: ring is [[lon, lat], …] (open or
// closed, three vertices or more), props from readForm.
export function fenceBody(ring, props) {
  return { type: "Feature", geometry: geometryOf(ring), properties: props };
}
