// Bootstrap: i18n, the test hook, the site, the Cesium viewer, static layers
// from OGC API Features, the panels, then the live stream.
import { state } from "./state.js";
import { initI18n, t } from "./i18n.js";
import * as api from "./api.js";
import { createViewer } from "./viewer.js";
import { initPlant } from "./plant.js";
import { initLive } from "./live.js";
import { initMovers } from "./movers.js";
import { initHeatmap } from "./heatmap.js";
import { initLayers } from "./layers.js";
import { initPick } from "./pick.js";
import { initAlarms } from "./alarms.js";
import { initSearch } from "./search.js";
import { initInfo } from "./info.js";
import { initAuth } from "./auth.js";
import { connect } from "./stream.js";
import { initHook } from "./hook.js";
import { initDock } from "./dock.js";
import { initStats } from "./stats.js";
import { initToasts } from "./toast.js";
import { initPlayback } from "./playback.js";
import { initFenceDraw } from "./fencedraw.js";
import { initSilences } from "./silences.js";
import { initGatherings } from "./gatherings.js";
import { initThreats } from "./threats.js";
import { initCoverage } from "./coverage.js";
import { initPermits } from "./permits.js";
import { initInspections } from "./inspections.js";
import { initEmergency } from "./emergency.js";

// Layers loaded once from /ogc (they change only with the scene) and layers
// that stream live over /ws.
export const STATIC_LAYERS = ["areas", "buildings", "gates", "equipment", "roads", "beacons", "muster_points", "risk_units", "hazard_sources"];
export const LIVE_LAYERS = ["people", "vehicles", "gas_detectors", "cameras", "fences", "tanks", "weather_stations", "alarms", "permits", "inspection_points", "hidden_dangers", "threat_zones"];

async function main() {
  initI18n();
  initHook();
  if (!window.Cesium) throw new Error(t("fatal.nocesium"));
  const site = await api.site();
  state.site = site;
  const viewer = createViewer(document.getElementById("map"), site);
  const ctx = { viewer, site, STATIC_LAYERS, LIVE_LAYERS };
  await initPlant(ctx);
  initLive(ctx);
  initMovers(ctx);
  initHeatmap(ctx);
  initLayers(ctx);
  initPick(ctx);
  initAlarms(ctx);
  initGatherings(ctx);
  initSearch(ctx);
  initInfo(ctx);
  initDock();
  initStats(ctx);
  initPlayback(ctx);
  initFenceDraw(ctx);
  initSilences();
  initThreats(ctx);
  initCoverage(ctx);
  initPermits(ctx);
  initInspections(ctx);
  initEmergency(ctx);
  initToasts();
  await initAuth(ctx);
  connect(LIVE_LAYERS);
}

main().catch((err) => {
  console.error("chemtwin: viewer failed to start", err);
  const el = document.getElementById("fatal");
  el.textContent = t("fatal.start") + " " + err.message;
  el.hidden = false;
});
