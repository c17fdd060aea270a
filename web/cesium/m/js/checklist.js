// One checklist item as a form control by its kind — bool: yes/no
// toggles; number: a decimal input with its unit and range, warning as
// soon as a reading leaves the range (the server raises a hidden danger);
// photo: the camera through a file input, uploaded at once; text: a line.
// read() gives the result for the check-in ({key, bool|value|text|photo})
// and whether a required answer is missing or a number unreadable.
import { h, fill } from "./dom.js";
import { t, label } from "./i18n.js";
import { upload } from "./photo.js";

export function checklistItem(it) {
  const name = label(it, "zh", "en");
  const head = h("span.item-label", {}, name, it.required || it.kind === "photo" ? h("span.req", { title: t("item.required") }, " *") : null);
  const build = { bool: boolItem, number: numberItem, photo: photoItem, text: textItem }[it.kind] || textItem;
  const { body, value } = build(it);
  const el = h("div.item", { dataset: { key: it.key, kind: it.kind } }, head, body);
  const required = it.required || it.kind === "photo";
  return {
    el,
    read() {
      const v = value();
      el.classList.toggle("invalid", (required && v.empty) || Boolean(v.bad));
      return { label: name, missing: required && v.empty, bad: Boolean(v.bad), result: v.empty || v.bad ? null : { key: it.key, ...v.result } };
    },
  };
}

function boolItem() {
  let answer = null;
  const yes = h("button.toggle", { type: "button", dataset: { answer: "yes" }, "aria-pressed": "false" }, t("item.yes"));
  const no = h("button.toggle", { type: "button", dataset: { answer: "no" }, "aria-pressed": "false" }, t("item.no"));
  const pick = (v) => {
    answer = v;
    yes.setAttribute("aria-pressed", String(v === true));
    no.setAttribute("aria-pressed", String(v === false));
  };
  yes.addEventListener("click", () => pick(true));
  no.addEventListener("click", () => pick(false));
  return { body: h("div.toggles", { role: "group" }, yes, no), value: () => (answer === null ? { empty: true } : { result: { bool: answer } }) };
}

function numberItem(it) {
  const unit = it.unit || "";
  const has = (x) => typeof x === "number" && Number.isFinite(x);
  const hint = has(it.min) && has(it.max) ? t("item.range", { min: it.min, max: it.max, unit })
    : has(it.min) ? t("item.rangeMin", { min: it.min, unit }) : has(it.max) ? t("item.rangeMax", { max: it.max, unit }) : "";
  const input = h("input", { type: "text", inputmode: "decimal", name: it.key, autocomplete: "off", "aria-label": label(it, "zh", "en") });
  const warn = h("span.oor", { role: "status" });
  const parse = () => {
    const s = input.value.trim().replace(/,/g, ".");
    if (s === "") return { empty: true };
    const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
    return Number.isFinite(v) ? { v } : { bad: true };
  };
  input.addEventListener("input", () => {
    const r = parse();
    const out = r.v !== undefined && ((has(it.min) && r.v < it.min) || (has(it.max) && r.v > it.max));
    warn.textContent = out ? t("item.outOfRange") : "";
    input.classList.toggle("out", out);
  });
  return {
    body: h("div.number", {}, h("span.num-row", {}, input, unit ? h("span.unit", {}, unit) : null), hint ? h("span.hint", {}, hint) : null, warn),
    value: () => {
      const r = parse();
      return r.empty || r.bad ? r : { result: { value: r.v } };
    },
  };
}

function photoItem() {
  let id = null, busy = false;
  const status = h("span.photo-status", { role: "status" });
  const thumb = h("span.thumb-one");
  const btnText = h("span", {}, t("item.photo"));
  const input = h("input", { type: "file", accept: "image/*", capture: "environment" });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    busy = true;
    id = null;
    status.textContent = t("item.uploading");
    try {
      const ph = await upload(file);
      id = ph.id;
      status.textContent = t("item.uploaded");
      fill(thumb, h("img", { src: ph.url, alt: "" }));
      btnText.textContent = t("item.photoRetake");
    } catch (e) {
      status.textContent = t("item.uploadFailed") + (e.code === "network" ? " · " + t("err.network") : "");
    } finally {
      busy = false;
      input.value = "";
    }
  });
  return {
    body: h("div.photo", {}, h("label.photo-btn", {}, btnText, input), thumb, status),
    value: () => (id && !busy ? { result: { photo: id } } : { empty: true }),
  };
}

function textItem(it) {
  const input = h("input", { type: "text", name: it.key, maxlength: 500, "aria-label": label(it, "zh", "en") });
  return { body: input, value: () => (input.value.trim() ? { result: { text: input.value.trim() } } : { empty: true }) };
}
