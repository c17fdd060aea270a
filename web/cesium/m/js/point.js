// Check-in at a point: my distance and direction to it and whether I am
// inside its radius; the code, scanned with the camera or typed; the
// checklist (yes/no, readings with their range, photos, text) and a note;
// then the server's verdict — normal, hazard found (发现隐患), late — or
// its refusal in words with the numbers it gave.
import { h, fill, fmt } from "./dom.js";
import { t, label } from "./i18n.js";
import { state, findTask, loadTasks } from "./state.js";
import { loading, failure, toward, fixAge, words } from "./ui.js";
import { distanceM, validLonLat } from "./geo.js";
import { checkin } from "./api.js";
import { checklistItem } from "./checklist.js";
import { upload } from "./photo.js";
import { scan } from "./scan.js";
import * as position from "./position.js";
import * as plantMap from "./map.js";

// showPoint renders point pointId of task taskId into el; it returns the
// screen's cleanup.
export function showPoint(el, taskId, pointId, onAuthLost) {
  let stopped = false, unlisten = () => {};
  fill(el, loading());
  const open = async () => {
    let task;
    try {
      task = await findTask(taskId);
    } catch (err) {
      if (err.status === 401) return onAuthLost();
      fill(el, failure(err, open));
      return;
    }
    if (stopped) return;
    const p = task && task.points.find((x) => x.point === pointId);
    if (!p) {
      fill(el, failure({ code: "not_in_task", message: pointId }, open));
      return;
    }
    unlisten = render(el, task, p, onAuthLost);
  };
  open();
  return () => {
    stopped = true;
    unlisten();
  };
}

function render(el, task, p, onAuthLost) {
  const taskHref = `#/task/${encodeURIComponent(task.id)}`;
  const live = h("section#live", { "aria-live": "polite" });
  const mapHost = h("div.map-host.small");
  const outcome = h("section#outcome", { hidden: true, "aria-live": "assertive" });
  const name = (id) => label(task.points.find((x) => x.point === id) || { id });
  fill(el,
    h("div.head", {}, h("a.back", { href: taskHref }, t("point.back")),
      h("h2", {}, h("span.pin.s-" + p.status + "#point-pin", {}, String(task.points.indexOf(p) + 1)), " ", label(p)),
      h("p.sub", {}, h("span#point-status", {}, t("point.status." + p.status)), p.name_en && label(p) !== p.name_en ? " · " + p.name_en : "")),
    mapHost, live);
  if (plantMap.mount(mapHost)) {
    if (state.site) plantMap.setSite(state.site);
    plantMap.showTask(task, task.points, p, null);
    plantMap.focus(p, position.current().pos);
  }
  position.setTarget(p);
  const showLive = (pos) => {
    plantMap.setMe(pos.pos);
    plantMap.focus(p, pos.pos, true);
    const inside = validLonLat(pos.pos) && distanceM(pos.pos, p.location) <= p.radius_m;
    fill(live, h("div.live-row", {}, toward(pos.pos, p), fixAge(pos)),
      h("p.radius" + (inside ? ".in" : ""), { dataset: { inside: String(inside) } },
        inside ? t("pos.inside", { r: fmt(p.radius_m) }) : t("pos.outside", { r: fmt(p.radius_m) }),
        inside && p.min_dwell_s > 0 ? " · " + t("pos.dwell", { s: fmt(Math.min(pos.dwellS, 9999)), min: fmt(p.min_dwell_s) }) : ""));
  };
  showLive(position.current());
  const unlisten = position.onChange(showLive);
  if (task.status !== "open" || p.status !== "due") {
    el.append(h("p.done-note", {}, task.status !== "open" ? t("task.closed") : t("point.status." + p.status)));
    return unlisten;
  }
  el.append(form(task, p, outcome, name, onAuthLost, taskHref), outcome);
  return unlisten;
}

function form(task, p, outcome, name, onAuthLost, taskHref) {
  const items = (p.checklist || []).map((it) => checklistItem(it));
  const code = h("input#code-input", { name: "code", autocomplete: "off", autocapitalize: "none", spellcheck: "false", enterkeyhint: "done",
    placeholder: t("point.codeInput"), "aria-label": t("point.code") });
  const scanNote = h("span.scan-note", { role: "status" });
  const photos = [];
  const thumbs = h("div.thumbs");
  const err = h("p.form-error#form-error", { role: "alert" });
  const submit = h("button.primary#checkin-button", { type: "submit" }, t("point.submit"));
  const note = h("textarea#note", { name: "note", rows: 2, maxlength: 2000 });
  const f = h("form#checkin-form", { novalidate: true },
    h("fieldset.code", {}, h("legend", {}, t("point.code")),
      h("div.code-row", {},
        h("button.scan#scan-button", { type: "button", onclick: () => doScan() }, t("point.scan")), code),
      scanNote),
    h("fieldset.checklist", {}, h("legend", {}, t("point.checklist")),
      items.length ? items.map((x) => x.el) : h("p.hint", {}, t("point.noChecklist"))),
    h("label.note", {}, t("point.note"), note),
    h("fieldset.photos", {}, h("legend", {}, t("point.photos")),
      h("label.photo-btn", {}, t("item.photo"),
        h("input#photos-input", { type: "file", accept: "image/*", capture: "environment", multiple: true, onchange: (ev) => addPhotos(ev.target) })),
      thumbs),
    err, submit);

  async function doScan() {
    scanNote.textContent = "";
    try {
      const text = await scan();
      if (text) {
        code.value = text.trim();
        scanNote.textContent = t("scan.found");
      }
    } catch (e) {
      scanNote.textContent = t("scan.noCamera", { why: e.message });
    }
  }

  async function addPhotos(input) {
    for (const file of [...input.files]) {
      const slot = h("span.thumb.busy", {}, t("item.uploading"));
      thumbs.append(slot);
      try {
        const ph = await upload(file);
        photos.push(ph.id);
        fill(slot, h("img", { src: ph.url, alt: "" }));
        slot.classList.remove("busy");
      } catch (e) {
        slot.classList.replace("busy", "bad");
        slot.textContent = t("item.uploadFailed");
        if (e.status === 401) onAuthLost();
      }
    }
    input.value = "";
  }

  async function send() {
    err.textContent = "";
    const read = items.map((x) => x.read());
    const missing = read.filter((r) => r.missing).map((r) => r.label);
    const bad = read.filter((r) => r.bad).map((r) => r.label);
    if (!code.value.trim()) missing.unshift(t("point.code"));
    if (missing.length || bad.length) {
      err.textContent = [missing.length ? t("item.missing", { items: missing.join(t("list.sep")) }) : "", bad.length ? t("item.badNumber", { items: bad.join(t("list.sep")) }) : ""].filter(Boolean).join(" ");
      return;
    }
    submit.disabled = true;
    submit.textContent = t("point.submitting");
    try {
      const rec = await checkin({ task_id: task.id, point_id: p.point, code: code.value.trim(),
        results: read.filter((r) => r.result).map((r) => r.result), note: note.value.trim(), photos });
      f.hidden = true;
      // the point is checked: the header and the map say so before the
      // task is fetched again
      p.status = rec.late ? "late" : "done";
      const st = document.getElementById("point-status"), pin = document.getElementById("point-pin");
      if (st) st.textContent = t("point.status." + p.status);
      if (pin) pin.className = "pin s-" + p.status;
      plantMap.showTask(task, task.points, p, null);
      showResult(outcome, rec, p, taskHref);
      outcome.scrollIntoView({ block: "nearest" });
      loadTasks().catch(() => {});
    } catch (e) {
      if (e.status === 401) return onAuthLost();
      showRefusal(outcome, e, name, (key) => itemLabel(p, key), send);
      outcome.scrollIntoView({ block: "nearest" });
    } finally {
      submit.disabled = false;
      submit.textContent = t("point.submit");
    }
  }
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    send();
  });
  return f;
}

// itemLabel names checklist item key of point p.
function itemLabel(p, key) {
  const it = (p.checklist || []).find((x) => x.key === key);
  return it ? label(it, "zh", "en") : key;
}

function showResult(outcome, rec, p, taskHref) {
  const hazard = rec.status === 1;
  const itemName = (key) => itemLabel(p, key);
  outcome.hidden = false;
  outcome.className = hazard ? "ok hazard" : "ok";
  outcome.dataset.status = String(rec.status);
  outcome.dataset.code = "";
  fill(outcome,
    h("p.outcome-title", {}, t("result.ok"), " · ", h("b.verdict", {}, hazard ? t("result.hazard") : t("result.normal")),
      rec.late ? h("span.late-chip", {}, t("result.late")) : null),
    // an accepted record omits a zero distance or dwell
    h("p.outcome-detail", {}, t("result.facts", { d: fmt(rec.distance_m ?? 0), s: fmt(rec.dwell_s ?? 0) })),
    rec.dangers && rec.dangers.length ? h("p.dangers", {}, t("result.dangers", { n: rec.dangers.length })) : null,
    rec.results && rec.results.length ? h("ul.results", {}, rec.results.map((r) =>
      h("li" + (r.pass ? ".pass" : ".fail"), { dataset: { key: r.key } }, itemName(r.key), " ", h("b", {}, r.pass ? t("result.pass") : t("result.fail"))))) : null,
    h("a.primary.button#back-to-task", { href: taskHref }, t("result.back")));
}

function showRefusal(outcome, e, name, itemName, retry) {
  outcome.hidden = false;
  outcome.className = "refused";
  outcome.dataset.code = e.code || "";
  delete outcome.dataset.status;
  fill(outcome,
    h("p.outcome-title", {}, e.code === "network" ? t("err.network") : t("refused")),
    h("p.outcome-detail", {}, words(e, name, itemName)),
    e.code === "network" ? h("button.retry", { type: "button", onclick: retry }, t("retry")) : null);
}
