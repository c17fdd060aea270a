// What the info panel shows for each kind of thing: describe(feature) and
// describeAlarm(alarm) return a model {title, subtitle, fields, chart}
// that info.js renders. fields are [label, value] pairs; a value is text
// or a node (a coloured badge, a list).
import { state, emit } from "./state.js";
import { t, tOr, name, fmtTime, fmtDuration } from "./i18n.js";
import { h } from "./dom.js";
import { typeLabel, alarmMessage, alarmPlace, alarmSince } from "./alarms.js";
import { loadRules, permitName, statusName, groupOf } from "./permits.js";
import { fmtWindow, entityLabel } from "./permit-form.js";
import { pointStatus, overdue, openDanger } from "./inspections.js";

// Properties that every kind carries or that the header already shows.
const SKIP = new Set(["id", "kind", "name", "name_en", "parent", "updated", "area_id", "ts"]);

// describeFeature builds the model of an entity; live is the latest
// position fix of a mover ({floor, tsMs}) when newer than the feature.
export function describeFeature(feature, live) {
  const p = feature.properties || {};
  const model = {
    title: name(p),
    subtitle: `${kindLabel(p.kind)} · ${p.id}`,
    fields: [],
    chart: null,
  };
  const alt = state.lang === "en" ? p.name : p.name_en;
  if (alt && alt !== model.title) model.fields.push([t("info.altname"), alt]);
  const areaName = areaOf(p);
  if (areaName) model.fields.push([t("info.area"), areaName]);
  const kinds = { person, vehicle, gas_detector: gasDetector, camera, area, building, permit, inspection_point: inspectionPoint, hidden_danger: hiddenDanger };
  (kinds[p.kind] || generic)(p, model, live);
  return model;
}

function kindLabel(kind) {
  return t("kind." + kind);
}

// areaOf names the area an entity is in: its area_id, else the nearest
// area up its parent chain.
function areaOf(p) {
  if (p.area_id) {
    const area = state.features.get(p.area_id);
    return area ? name(area.properties) : p.area_id;
  }
  let parent = p.parent && state.features.get(p.parent);
  for (let depth = 0; parent && depth < 8; depth++) {
    const pp = parent.properties;
    if (pp.kind === "area") return name(pp);
    parent = pp.parent && state.features.get(pp.parent);
  }
  return "";
}

function person(p, model, live) {
  const f = model.fields;
  if (p.sos) f.push([t("info.sos"), badge("SOS", "bad")]);
  f.push([t("info.department"), p.department], [t("info.post"), p.post],
    [t("info.identity"), p.identity_type ? t("info.identity." + p.identity_type) : ""]);
  if (p.company) f.push([t("info.company"), p.company]);
  mover(p, model, live);
  f.push([t("info.certificates"), certificates(p.certificates)]);
}

function vehicle(p, model, live) {
  model.fields.push([t("info.plate"), p.plate], [t("info.vehicle_type"), p.vehicle_type && tOr("vehicle." + p.vehicle_type, p.vehicle_type)],
    [t("info.department"), p.department]);
  mover(p, model, live);
}

// mover adds what people and vehicles share: tag, battery, floor, speed, fix.
function mover(p, model, live) {
  const fixMs = Math.max(Date.parse(p.ts) || 0, (live && live.tsMs) || 0);
  const floor = live && live.tsMs >= (Date.parse(p.ts) || 0) ? live.floor : p.floor;
  model.fields.push(
    [t("info.tag"), p.tag],
    [t("info.battery"), Number.isFinite(p.battery) ? badge(`${p.battery}%`, p.battery <= 20 ? "warn" : "") : ""],
    [t("info.floor"), floor > 0 ? t("info.floor.n", { n: floor }) : t("info.floor.outdoor")],
    [t("info.speed"), Number.isFinite(p.speed) ? `${p.speed.toFixed(1)} m/s` : ""],
    [t("info.lastfix"), fixMs ? `${fmtTime(fixMs)} (${fmtDuration(Date.now() - fixMs)})` : ""]);
}

function certificates(certs) {
  if (!Array.isArray(certs) || certs.length === 0) return t("info.certs.none");
  return h("ul", { class: "certs" }, certs.map((c) =>
    h("li", null, h("span", null, c.name || c.type), " ",
      h("small", null, [c.number, c.expires && t("info.cert.expires", { date: c.expires })].filter(Boolean).join(" · ")))));
}

function gasDetector(p, model) {
  const tone = { normal: "ok", level1: "warn", level2: "bad", over_range: "bad", fault: "fault", stuck: "fault", drift: "warn", offline: "fault" }[p.state] || "";
  const range = Array.isArray(p.range) ? p.range : null;
  model.fields.push(
    [t("info.gas"), p.substance ? `${p.gas} (${p.substance})` : p.gas],
    [t("info.value"), h("span", { class: `reading tone-${tone}` }, `${fmt(p.value)} ${p.unit || ""}`)],
    [t("info.state"), badge(t("info.gas." + p.state), tone)],
    [t("info.setpoints"), t("info.setpoints.value", { a1: fmt(p.alarm1), a2: fmt(p.alarm2), unit: p.unit || "" })],
    [t("info.range"), range ? t("info.range.value", { min: fmt(range[0]), max: fmt(range[1]), unit: p.unit || "" }) : ""],
    [t("info.updated"), fmtTime(p.reading_ts || p.updated)]);
  model.chart = { id: p.id, alarm1: p.alarm1, alarm2: p.alarm2, range };
}

function camera(p, model) {
  const analytics = Array.isArray(p.analytics) ? p.analytics.map((a) => tOr("video." + a, a)).join(", ") : "";
  model.fields.push([t("info.analytics"), analytics], [t("info.fov"), p.fov_deg !== undefined ? `${p.fov_deg}°` : ""],
    [t("info.height"), p.height !== undefined ? `${p.height} m` : ""],
    [t("info.stream_url"), p.stream_url ? h("code", { class: "stream-url" }, p.stream_url) : ""]);
}

function area(p, model) {
  const tone = { red: "bad", orange: "warn", yellow: "lvl-1", blue: "none" }[p.risk_level];
  model.fields.push([t("info.code"), p.code], [t("info.area_type"), p.area_type],
    [t("info.risk_level"), p.risk_level ? badge(tOr("risk." + p.risk_level, p.risk_level), tone) : ""]);
}

function building(p, model) {
  model.fields.push([t("info.floors"), p.floors], [t("info.height"), Number.isFinite(p.height) ? `${p.height} m` : ""],
    [t("info.use"), p.use]);
}

// permit names a special-work permit (its type and level) and its state
// in words from the permit rule tables, which it asks for once (the panel
// redraws every second, so the words come when the tables do).
function permit(p, model) {
  loadRules();
  model.title = permitName(p);
  const tone = { in_progress: "warn", suspended: "bad", done: "ok" }[groupOf(p.status).key];
  const codes = [p.type_code && t("permit.type_code", { code: p.type_code }), Number.isFinite(p.status_code) && t("permit.aq_code", { code: p.status_code })];
  const people = (ids) => (Array.isArray(ids) ? ids : []).map(entityLabel).join(t("permit.sep"));
  model.fields.push(
    [t("info.state"), badge(statusName(p.status), tone)],
    [t("permit.field.window"), p.start && p.end ? fmtWindow(p.start, p.end) : ""],
    [t("permit.field.workers"), people(p.workers)],
    [t("permit.field.guardian"), people(p.guardian ? [p.guardian] : [])],
    [t("permit.field.fire_area"), t(p.fire_area ? "permit.fire_area.yes" : "permit.fire_area.no")],
    [t("info.code"), codes.filter(Boolean).join(" · ")]);
  if (p.emergency || p.same_day) model.fields.push([t("permit.field.booking"), t(p.emergency ? "permit.booking.emergency" : "permit.booking.same_day")]);
}

// inspectionPoint shows a point's status for its current task, its
// check-in radius and dwell, the equipment it checks and its checklist —
// not its code, which the tasks API keeps from view too (the QR plate at
// the point carries it).
function inspectionPoint(p, model) {
  const status = pointStatus(p);
  const tone = { done: "ok", late: "warn", missed: "bad", due: "lvl-1" }[status];
  const items = Array.isArray(p.checklist) ? p.checklist : [];
  const limits = (it) => [it.min, it.max].some(Number.isFinite) ? ` (${Number.isFinite(it.min) ? it.min : "…"}–${Number.isFinite(it.max) ? it.max : "…"}${it.unit ? " " + it.unit : ""})` : "";
  model.fields.push(
    [t("info.state"), badge(t("insp.status." + status), tone)],
    [t("insp.field.task"), p.task || "—"],
    [t("insp.field.radius"), `${Number(p.radius_m) > 0 ? p.radius_m : 15} m`],
    [t("insp.field.dwell"), `${Number.isFinite(p.min_dwell_s) ? p.min_dwell_s : 20} s`],
    [t("insp.field.equipment"), p.equipment ? entityLabel(p.equipment) : t("insp.field.place")],
    [t("insp.field.auto"), t(p.auto_checkin ? "info.yes" : "info.no")],
    [t("insp.field.checklist", { n: items.length }), items.length === 0 ? "—"
      : h("ul", { class: "insp-checklist" }, items.map((it) => h("li", null, ((state.lang === "en" && it.en) || it.zh || it.key) + limits(it))))]);
}

// hiddenDanger shows a hidden danger in words, with a button to its card.
function hiddenDanger(p, model) {
  model.title = (state.lang === "en" && p.description_en) || p.description || p.id;
  const late = overdue(p);
  model.fields.push(
    [t("info.state"), badge(t("insp.dstatus." + p.status), p.status === "accepted" ? "ok" : late ? "bad" : "warn")],
    [t("insp.field.level"), badge(t("insp.level." + p.level), p.level === "major" ? "bad" : "warn")],
    [t("insp.field.fix"), tOr("insp.fix." + p.fix, p.fix || "—")],
    [t("insp.field.deadline"), p.deadline ? `${fmtTime(p.deadline)}${late ? " · " + t("insp.danger.overdue") : ""}` : "—"],
    [t("insp.field.point"), p.point ? entityLabel(p.point) : "—"],
    [t("insp.field.found"), t("insp.found", { who: p.found_by || "—", time: fmtTime(p.found_at) })],
    ["", h("button", { type: "button", class: "link", onclick: () => openDanger(p.id) }, t("insp.open_card"))]);
}

// generic lists an entity's plain properties as they are.
function generic(p, model) {
  for (const [key, value] of Object.entries(p)) {
    if (SKIP.has(key) || value === null || value === "" || typeof value === "object") continue;
    model.fields.push([key, typeof value === "boolean" ? t(value ? "info.yes" : "info.no") : String(value)]);
  }
}

// describeAlarmView builds the model of an alarm.
export function describeAlarmView(a) {
  const end = a.cleared_at ? Date.parse(a.cleared_at) : Date.now();
  const unacked = a.state === "cleared" && !a.acked_at;
  const tone = a.state === "active" ? "bad" : a.state === "acknowledged" || unacked ? "warn" : "ok";
  const fields = [
    [t("alarm.field.level"), badge(t("alarm.level." + a.level), `lvl-${a.level}`)],
    [t("alarm.field.state"), badge(t(unacked ? "alarm.state.cleared_unacked" : "alarm.state." + a.state), tone)],
    [t("alarm.field.message"), alarmMessage(a)],
    [t("alarm.field.place"), alarmPlace(a)],
    [t("alarm.field.raised"), fmtTime(a.raised_at)],
    [t("alarm.field.duration"), fmtDuration(end - alarmSince(a))],
  ];
  if (a.acked_at) fields.push([t("alarm.field.acked"), t("alarm.field.acked_by", { who: a.acked_by || "", time: fmtTime(a.acked_at) })]);
  if (a.ack_note) fields.push([t("alarm.field.note"), a.ack_note]);
  if (a.cleared_at) fields.push([t("alarm.field.cleared"), fmtTime(a.cleared_at)]);
  for (const [key, value] of Object.entries(a.details || {})) fields.push(detail(key, value));
  return { title: typeLabel(a.type), subtitle: `${t("kind.alarm")} · ${a.id}`, fields, chart: null };
}

// detail is one alarm detail as a field, label and known values translated.
function detail(key, value) {
  const label = tOr("alarm.detail." + key, key);
  if (key === "cameras" && Array.isArray(value)) return [label, cameraList(value)];
  if (key === "silenced_by") return [label, h("span", null, badge(t("alarm.silenced"), "warn"), " ", String(value))];
  if (key === "event_recorded_at" || key === "closed_at") return [label, fmtTime(value)];
  if (value === null || typeof value === "object") return [label, JSON.stringify(value)];
  if (key === "event") return [label, tOr("video." + value, String(value))];
  if (key === "state") return [label, tOr("info.gas." + value, String(value))];
  if (key === "confidence" && Number.isFinite(value)) return [label, `${Math.round(value * 100)}%`];
  return [label, String(value)];
}

// cameraList shows the cameras covering an alarm, nearest first: name
// (a click selects the camera), distance, in view or not, stream URL.
function cameraList(cams) {
  if (cams.length === 0) return t("alarm.cameras.none");
  return h("ol", { class: "alarm-cameras" }, cams.map((c) => h("li", { dataset: { camera: c.camera_id } },
    h("button", { type: "button", class: "link", onclick: () => { emit("flyto", { id: c.camera_id }); emit("select", { id: c.camera_id }); } }, c.name || c.camera_id),
    " ", h("small", null, [Number.isFinite(c.distance_m) ? `${Math.round(c.distance_m)} m` : "", c.ptz ? "PTZ" : "",
      c.in_view === false ? t("alarm.cameras.turn") : ""].filter(Boolean).join(" · ")),
    c.stream_url && h("code", { class: "stream-url" }, c.stream_url))));
}

function badge(text, tone) {
  return h("span", { class: `badge tone-${tone || "none"}` }, text);
}

// fmt shows a number with at most 2 decimals.
function fmt(v) {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "–";
}
