// Colours of the one-map: one place, so that the map, the layer panel
// swatches and the legends agree. CSS colour strings.

// Four-colour risk map (安全风险四色分布图): red 重大, orange 较大,
// yellow 一般, blue 低 (AQ 3064.1-2025, GB/T 33000 colour convention).
export const RISK = { red: "#ff3b30", orange: "#ff9500", yellow: "#ffd60a", blue: "#2f7cf6" };

export const AREA_TYPE = {
  production: "#c98b5a", storage: "#9a7fd1", utility: "#4fb0a5", office: "#6f9fd8",
  workshop: "#9c9c9c", wastewater: "#3f95c4", packaging: "#c4ad5e", logistics: "#a08e76",
  control: "#5d86d6", gate: "#7fbf7f",
};

export const BUILDING_USE = {
  control_room: "#a9c1e0", office: "#dfe4ec", workshop: "#cfc6b6", warehouse: "#c9bea6",
  substation: "#d6cb95", canteen: "#e6d4c0", lab: "#d2e4d4", gatehouse: "#e3e3e3",
  process: "#cdbda9", fire_station: "#e58a78", pump_house: "#b0cbdb",
};

export const UNIT_TYPE = {
  reaction: "#d98c5f", distillation: "#d9b35f", air_separation: "#7fb8d9", loading_rack: "#a8adb3",
  pump_station: "#8fa3b8", water_treatment: "#4aa3c8", wastewater: "#3b8fbf",
};

// Gas detector states (twin/rules/gas.go) plus the viewer's "offline":
// over_range reads at least level 2; stuck and drift are health warnings.
export const DETECTOR = {
  normal: "#34c759", level1: "#ffcc00", level2: "#ff3b30", over_range: "#b0001e", fault: "#b36bff",
  stuck: "#a2845e", drift: "#ff9f0a", offline: "#8e8e93",
};

// Fence rules (docs/scene-format.md).
export const FENCE_RULE = {
  forbidden: "#ff3b30", keep_in: "#0a84ff", headcount: "#bf5af2", static: "#64d2ff",
  lingering: "#ff9f0a", post: "#30d158", speed: "#ffd60a",
};

// Alarm levels 1–3 (and 0 = no alarm) for cluster badges and highlights.
export const ALARM_LEVEL = ["#2f8cff", "#ffcc00", "#ff9500", "#ff3b30"];

// Identity types of people (AQ 3064.3-2025 01/02/03, plus unregistered tags).
export const IDENTITY = { internal: "#2f8cff", contractor: "#ff9f0a", visitor: "#30d158", unregistered: "#ff453a" };

export const VEHICLE = "#ffd60a";
export const HIGHLIGHT = "#00e5ff";
