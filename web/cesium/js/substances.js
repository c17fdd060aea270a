// The substance library's names (GET /api/v1/substances), fetched once and
// shared by the tools that name substances (threat zones, detector
// coverage). Until the answer comes, or without it, the viewer's own
// names (i18n threat.substance.<id>) stand in, else the library id.
import { state } from "./state.js";
import { tOr, keysOf } from "./i18n.js";
import * as api from "./api.js";

let library = new Map(); // library id → {id, name_zh, name_en, …}
let asked = null; // the pending or settled request

// loadSubstances fetches the library once (again after a failure) and
// resolves when it is known; it never rejects.
export function loadSubstances() {
  if (!asked) {
    asked = api.get("/api/v1/substances").then((body) => {
      library = new Map(((body && body.substances) || []).map((s) => [s.id, s]));
    }).catch((err) => {
      asked = null; // asked again next time
      console.info("chemtwin: substance names unavailable:", err.message);
    });
  }
  return asked;
}

// substanceName names a library substance in the current language.
export function substanceName(id) {
  if (!id) return "—";
  const s = library.get(id);
  const n = s && (state.lang === "en" ? s.name_en : s.name_zh);
  return n || tOr("threat.substance." + id, id);
}

// substanceIds lists the library's ids (the viewer's own while it is not
// loaded), oxygen left out: it is no release.
export function substanceIds() {
  const ids = library.size ? [...library.keys()] : keysOf("threat.substance.");
  return ids.filter((id) => id !== "oxygen");
}
