// Pieces the screens share: loading and failure states (a retry button for
// a network error), an API refusal in words with its details, and the
// distance/direction line to a point.
import { h, fmt } from "./dom.js";
import { t, has, label } from "./i18n.js";
import { bearingDeg, compass, distanceM, validLonLat } from "./geo.js";

export const loading = () => h("p.loading", { role: "status" }, t("loading"));

// failure shows err in words with a retry button.
export function failure(err, retry) {
  return h("div.failure", { role: "alert", dataset: { code: err.code || "" } },
    h("p", {}, words(err)),
    retry ? h("button.retry", { type: "button", onclick: retry }, t("retry")) : null);
}

// words says an API error to the inspector: the refusal codes of a
// check-in with their details (distances in whole metres, seconds whole),
// else the server's message. pointName names a point id (out_of_sequence),
// itemName a checklist key (results_invalid).
export function words(err, pointName = (id) => id, itemName = (key) => key) {
  const d = err.details || {};
  switch (err.code) {
    case "too_far":
      return t("err.too_far", { distance_m: fmt(num(d.distance_m)), radius_m: fmt(num(d.radius_m)) });
    case "too_short":
      return t("err.too_short", { dwell_s: fmt(num(d.dwell_s)), min_dwell_s: fmt(num(d.min_dwell_s)) });
    case "stale_position": {
      const age = num(d.fix_age_s);
      if (!Number.isFinite(age)) return t("err.stale_position.plain");
      return age < 0 ? t("err.stale_position.future", { s: fmt(-age) }) : t("err.stale_position", { fix_age_s: fmt(age) });
    }
    case "out_of_sequence": {
      const next = d.next || (Array.isArray(d.due) && d.due[0]);
      return t("err.out_of_sequence", { next: next ? pointName(next) : "–" });
    }
    case "results_invalid":
      return d.item ? t("err.results_invalid.item", { item: itemName(d.item), reason: d.reason || err.message })
        : t("err.results_invalid", { message: err.message });
    case "network":
      return t("err.network");
    default:
      return err.code && has("err." + err.code) ? t("err." + err.code) : t("err.other", { message: err.message || err.code || "?" });
  }
}

const num = (v) => (typeof v === "number" ? v : Number.parseFloat(v));

// arrow is an SVG arrow pointing along bearing deg (north up).
export function arrow(deg) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "-12 -12 24 24");
  svg.setAttribute("class", "arrow");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = `<path d="M0 -10 L7 8 L0 4 L-7 8 Z" transform="rotate(${deg.toFixed(0)})"/>`;
  return svg;
}

// HERE_M: closer than this a direction means nothing (a tag's fix is good
// to a metre or two at best).
const HERE_M = 2;

// toward describes the way from my position to point: distance, compass
// words with the bearing, and an arrow; dataset carries the numbers.
export function toward(me, point) {
  if (!validLonLat(me) || !validLonLat(point.location)) return h("span.toward.unknown", {}, t("pos.none"));
  const d = distanceM(me, point.location), b = bearingDeg(me, point.location);
  if (d < HERE_M) {
    return h("span.toward.here", { dataset: { distance: d.toFixed(1) } }, h("b.dist", {}, t("pos.distance", { d: fmt(d) })), " ", h("span.dir", {}, t("pos.here")));
  }
  return h("span.toward", { dataset: { distance: d.toFixed(1), bearing: b.toFixed(0) } },
    arrow(b), h("b.dist", {}, t("pos.distance", { d: fmt(d) })), " ",
    h("span.dir", {}, t("pos.toward", { dir: t("dir." + compass(b)), deg: fmt(b) })));
}

// fixAge says how old my position is.
export function fixAge(pos) {
  if (pos.error && !pos.pos) return h("span.fix.bad", {}, t("pos.error"));
  if (!pos.pos || pos.ageS === null) return h("span.fix.bad", {}, t("pos.none"));
  const s = fmt(pos.ageS);
  return pos.ageS > 10 ? h("span.fix.bad", {}, t("pos.stale", { s })) : h("span.fix", {}, t("pos.age", { s }));
}

export const pointName = (p) => (p ? label(p) : "");
