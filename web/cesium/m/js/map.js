// The plant in 2D (Leaflet): the site's raster basemap from the tiles
// server (/tiles/, the archive named after the site, its TileJSON's levels
// and bounds, tiles only from this server), a task's points numbered in
// route order and coloured by status, the route as a dashed line, the next
// point's check-in radius, and my position. One map, moved between screens.
import { h } from "./dom.js";
import { validLonLat } from "./geo.js";

// Point colours (Okabe–Ito, colour-blind safe); the viewer's legend words.
export const STATUS_COLOURS = { due: "#0072b2", done: "#009e73", late: "#e69f00", missed: "#d55e00" };

let map = null, el = null, base = null;
let pointsLayer = null, routeLine = null, radius = null, meMarker = null;
let fitted = null; // the task whose points the view was last fitted to
let meFitted = null; // the task for which the view was widened to show me

// mount puts the map into host (creating it on first use) and returns
// false when Leaflet is not bundled.
export function mount(host) {
  if (!window.L) return false;
  if (!el) {
    el = h("div#map", { role: "region", "aria-label": "map" });
    host.append(el);
    map = window.L.map(el, { zoomControl: true, attributionControl: false, maxZoom: 20, minZoom: 13 });
    map.setView([0, 0], 14);
  } else {
    host.append(el);
  }
  // the new host's size, before the caller fits a view to it
  map.invalidateSize({ pan: false });
  requestAnimationFrame(() => map.invalidateSize({ pan: false }));
  return true;
}

// setSite adds the basemap for site and shows its boundary's extent.
export async function setSite(site) {
  if (!map || base) return;
  const b = siteBounds(site);
  if (b) map.fitBounds(b);
  base = await basemap(site).catch(() => null);
  if (base) base.addTo(map);
}

function siteBounds(site) {
  const ring = site && site.geometry && site.geometry.type === "Polygon" ? site.geometry.coordinates[0] : null;
  if (!ring || !ring.length) return null;
  return window.L.latLngBounds(ring.map((p) => [p[1], p[0]]));
}

// basemap builds the tile layer from the tiles server's index and the
// archive's TileJSON, or null when the server has none for the site.
async function basemap(site) {
  const siteId = (site.properties && site.properties.id) || site.id;
  const index = await getJSON("/tiles/");
  const archives = index && Array.isArray(index.archives) ? index.archives : [];
  const entry = archives.find((a) => a.name === siteId) || archives.find((a) => String(a.name).startsWith(siteId));
  if (!entry) return null;
  const tj = (await getJSON(sameOrigin(entry.tilejson) || `/tiles/${encodeURIComponent(entry.name)}.json`)) || {};
  const url = sameOrigin(Array.isArray(tj.tiles) && tj.tiles[0]) || `/tiles/${encodeURIComponent(entry.name)}/{z}/{x}/{y}.${entry.format || "png"}`;
  const bb = Array.isArray(tj.bounds) && tj.bounds.length === 4 ? tj.bounds : entry.bounds;
  const minz = Number.isInteger(tj.minzoom) ? tj.minzoom : entry.minzoom;
  const maxz = Number.isInteger(tj.maxzoom) ? tj.maxzoom : entry.maxzoom;
  return window.L.tileLayer(url, {
    minNativeZoom: minz, maxNativeZoom: maxz, maxZoom: 20,
    bounds: Array.isArray(bb) && bb.length === 4 ? [[bb[1], bb[0]], [bb[3], bb[2]]] : undefined,
  });
}

async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  return r.ok ? r.json() : null;
}

// sameOrigin keeps a URL's path when it points at this server (its
// {z}/{x}/{y} placeholders intact), else null: no other host is asked.
function sameOrigin(url) {
  if (!url) return null;
  try {
    const abs = new URL(url, location.href);
    return abs.origin === location.origin ? decodeURI(abs.pathname) + abs.search : null;
  } catch {
    return null;
  }
}

// refit makes the next showTask fit its points (and the first fix
// after it, my position) again: on entering a task's screen.
export function refit() {
  fitted = meFitted = null;
}

// showTask draws a task's points (each {point, status, location, name, …}
// in route order), the route, and next's check-in radius; onPick(point) on
// a tap. The view fits the points the first time a task is shown.
export function showTask(task, points, next, onPick) {
  if (!map) return;
  const L = window.L;
  pointsLayer?.remove();
  routeLine?.remove();
  radius?.remove();
  const placed = points.filter((p) => validLonLat(p.location));
  const ll = (p) => [p.location[1], p.location[0]];
  routeLine = L.polyline(placed.map(ll), { color: "#333", weight: 2, dashArray: "6 6", opacity: 0.7, interactive: false }).addTo(map);
  pointsLayer = L.layerGroup(placed.map((p) => {
    const isNext = next && p.point === next.point;
    const icon = L.divIcon({
      className: "pin-wrap",
      html: `<span class="pin s-${p.status}${isNext ? " next" : ""}" data-point="${encodeURIComponent(p.point)}">${points.indexOf(p) + 1}</span>`,
      iconSize: isNext ? [34, 34] : [26, 26],
    });
    return L.marker(ll(p), { icon, title: p.name || p.point, keyboard: false, zIndexOffset: isNext ? 1000 : 0 })
      .on("click", () => onPick && onPick(p));
  })).addTo(map);
  if (next && validLonLat(next.location)) {
    radius = L.circle(ll(next), { radius: next.radius_m || 15, color: STATUS_COLOURS.due, weight: 2, fillOpacity: 0.12, interactive: false }).addTo(map);
  }
  if (fitted !== task.id && placed.length) {
    fitted = task.id;
    map.fitBounds(L.latLngBounds(placed.map(ll)), { padding: [28, 28], maxZoom: 18 });
  }
}

// focus fits the map to a point's check-in circle and my position when
// known; with keep, only when my position has left the view.
export function focus(point, me, keep = false) {
  if (!map || !validLonLat(point.location)) return;
  const L = window.L;
  const b = L.latLng(point.location[1], point.location[0]).toBounds(3 * (point.radius_m || 15));
  const mine = validLonLat(me) ? L.latLng(me[1], me[0]) : null;
  if (keep && (!mine || map.getBounds().contains(mine))) return;
  if (mine) b.extend(mine);
  map.fitBounds(b, { padding: [24, 24], maxZoom: 19 });
}

// setMe moves my position marker (null hides it).
export function setMe(lonlat) {
  if (!map) return;
  if (!validLonLat(lonlat)) {
    meMarker?.remove();
    meMarker = null;
    return;
  }
  const ll = [lonlat[1], lonlat[0]];
  if (!meMarker) {
    meMarker = window.L.circleMarker(ll, { radius: 8, color: "#fff", weight: 3, fillColor: "#cc79a7", fillOpacity: 1, interactive: false }).addTo(map);
  } else {
    meMarker.setLatLng(ll);
  }
  // The first fix of a task's view: widen the view to show me too, when
  // I am on the plant and off the screen.
  if (fitted && meFitted !== fitted && pointsLayer) {
    meFitted = fitted;
    const view = map.getBounds();
    if (!view.contains(ll) && (!base || !base.options.bounds || window.L.latLngBounds(base.options.bounds).contains(ll))) {
      map.fitBounds(view.extend(ll), { padding: [16, 16] });
    }
  }
}

// drawn tells a test what the map shows: point statuses in order, the next
// point, the radius and my marker.
export function drawn() {
  return {
    points: [...document.querySelectorAll("#map .pin")].map((e) => ({ point: decodeURIComponent(e.dataset.point), status: [...e.classList].find((c) => c.startsWith("s-"))?.slice(2), next: e.classList.contains("next") })),
    radiusM: radius ? radius.getRadius() : null,
    me: meMarker ? [meMarker.getLatLng().lng, meMarker.getLatLng().lat] : null,
    tiles: document.querySelectorAll("#map .leaflet-tile-loaded").length,
  };
}
