// i18n: one message catalogue per language (i18n/zh-CN.js, i18n/en.js);
// zh-CN is the default. t(key, vars) looks a key up in the current
// language, falls back to zh-CN, then to the key itself, and fills {name}
// placeholders from vars. Elements with data-i18n="key" (text),
// data-i18n-title="key" and data-i18n-placeholder="key" are updated on
// every language switch.
import zh from "../i18n/zh-CN.js";
import en from "../i18n/en.js";
import { state, emit } from "./state.js";

const catalogues = { "zh-CN": zh, en };
export const languages = Object.keys(catalogues);

export function t(key, vars) {
  const msg = catalogues[state.lang]?.[key] ?? zh[key] ?? key;
  if (!vars) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// tOr translates key when a catalogue has it, else returns fallback (for
// open vocabularies such as alarm details and vehicle types).
export function tOr(key, fallback) {
  return key in catalogues[state.lang] || key in zh ? t(key) : fallback;
}

// name returns the display name of a feature or record in the current
// language (name_en in English when present).
export function name(props) {
  if (!props) return "";
  if (state.lang === "en" && props.name_en) return props.name_en;
  return props.name || props.id || "";
}

// keysOf returns, in catalogue order, the rest of each zh-CN key that
// starts with prefix: keysOf("alarm.type.") is every alarm type the viewer
// names.
export function keysOf(prefix) {
  return Object.keys(zh).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

export function setLang(lang) {
  if (!catalogues[lang]) return;
  state.lang = lang;
  localStorage.setItem("chemtwin.lang", lang);
  apply(document);
  emit("lang", { lang });
}

export function apply(root) {
  document.documentElement.lang = state.lang;
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
}

export function initI18n() {
  const saved = localStorage.getItem("chemtwin.lang");
  state.lang = catalogues[saved] ? saved : "zh-CN";
  apply(document);
  bindLangToggle(document.getElementById("lang-toggle"));
}

// bindLangToggle makes button switch between zh-CN and en; its label names
// the language it switches to.
function bindLangToggle(button) {
  if (!button) return;
  const label = () => {
    button.textContent = t("lang.switch");
    button.title = t("lang.title");
  };
  label();
  button.addEventListener("click", () => {
    setLang(state.lang === "zh-CN" ? "en" : "zh-CN");
    label();
  });
}

// fmtDuration formats a span of milliseconds for people: "3 分 12 秒",
// "2 小时 5 分" (two units, the larger first; negative spans count as 0).
export function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t("time.s", { s });
  if (s < 3600) return t("time.ms", { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t("time.hm", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t("time.dh", { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

// fmtTime formats a time (RFC 3339 string, Date or epoch milliseconds) in
// the site's time zone: the time of day for today, date and time otherwise.
export function fmtTime(when) {
  if (when === null || when === undefined || when === "") return "";
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return String(when);
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: siteZone() };
  if (Math.abs(Date.now() - d.getTime()) > 12 * 3600 * 1000) {
    Object.assign(opts, { year: "numeric", month: "2-digit", day: "2-digit" });
  }
  return new Intl.DateTimeFormat(state.lang, opts).format(d);
}

// siteZone is the site's IANA time zone when the browser knows it, else
// undefined (the browser's own).
export function siteZone() {
  const zone = state.site?.properties?.timezone;
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
