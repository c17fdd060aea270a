// Central client state and event bus. Modules read state and subscribe to
// events; only stream.js (live data), plant.js (the static layers' features,
// once at startup) and auth.js (user) write the shared parts. Positions are
// the hot path: they are not stored per update here, the "positions" event
// hands each batch straight to the movers layer (which moves the features'
// geometry in place).
//
// Events (detail):
//   snapshot   {layers: {layerId: FeatureCollection}, alarms: [...]}  a full refresh
//   upsert     Feature                    an entity added or changed
//   remove     {id, layer}                an entity removed
//   positions  {items: [[id, lon, lat, z, floor, tsMs], ...]}
//   alarm      {action, alarm}            raised | updated | acknowledged | cleared | closed | event
//   notify     {tag, person_id, kind, gathering_id | zone_id, level, evacuate, message, message_en, at}
//              a message to people on site (a gathering, a threat zone), from /ws notify frames
//   playback   {id}                       add a person to the track playback set
//   connection {status: "connecting" | "open" | "closed"}
//   select     {id}                       an entity or alarm chosen (null clears)
//   follow     {id}                       follow-a-person (null stops)
//   flyto      {id}                       fly the camera to an entity or alarm
//   lang       {lang}                     the UI language changed
//   user       {user}                     logged in (user) or out (null)
//   view       {name}                     named view switched: safety | people | command
//   layer      {layer, visible}           a layer toggled
//   floor      {floor}                    floor filter (null = all floors)

export const state = {
  site: null,              // site root feature properties (name, name_en, …), from /api/v1/entities/{site}
  features: new Map(),     // entity id → GeoJSON Feature (latest known; positions update geometry)
  layers: new Map(),       // layer id → Set of entity ids
  alarms: new Map(),       // alarm id → alarm (open and recently cleared)
  user: null,              // {username, role, person_id, tag, display_name}
  token: null,
  lang: "zh-CN",
  view: "safety",
  selected: null,
  following: null,
  floor: null,
  drawing: false,          // the fence draw tool owns map clicks (fencedraw.js)
  visible: new Map(),      // layer id → boolean
  stats: { messages: 0, lastMessageAt: 0, lastBatchMs: 0, lastBatchSize: 0 },
};

const listeners = new Map();

// on registers fn for event and returns a function that unregisters it.
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
  return () => listeners.get(event).delete(fn);
}

// emit calls every listener of event; a failing listener is logged and
// does not stop the others.
export function emit(event, detail) {
  for (const fn of listeners.get(event) || []) {
    try {
      fn(detail);
    } catch (err) {
      console.error(`chemtwin: ${event} listener failed`, err);
    }
  }
}

// layerOf maps an entity kind to its layer id (twin/kind.go).
export const KIND_LAYER = {
  area: "areas", building: "buildings", gate: "gates", unit: "equipment", equipment: "equipment",
  tank: "tanks", gas_detector: "gas_detectors", beacon: "beacons", camera: "cameras",
  road: "roads", walkway: "roads", stairs: "roads", muster_point: "muster_points", fence: "fences",
  person: "people", vehicle: "vehicles", weather_station: "weather_stations", risk_unit: "risk_units",
  hazard_source: "hazard_sources", permit: "permits", inspection_point: "inspection_points",
  threat_zone: "threat_zones", hidden_danger: "hidden_dangers",
};

export function layerOf(feature) {
  return KIND_LAYER[feature && feature.properties && feature.properties.kind] || null;
}
