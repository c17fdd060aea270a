// The plant's local frame for the viewer: a fast lon/lat/height → ECEF
// conversion for the moving-object hot path, and the floor conventions of
// docs/scene-format.md.
//
// Heights are metres above the site's ground and the ground is drawn at
// ellipsoid height 0. Near the site a first-order expansion around the
// origin (ECEF = O + A·Δlon + B·Δlat + U·z) is exact to a few centimetres
// (the ellipsoid drops d²/2R below its tangent plane: 3.8 cm at 700 m), and
// costs a few multiplications instead of trigonometry per point. Farther
// than NEAR_DEG from the origin the exact conversion is used.
const NEAR_DEG = 0.05; // ~5 km
const STEP_DEG = 1e-4;

export class Frame {
  constructor(lon0, lat0) {
    const C = Cesium;
    this.lon0 = lon0;
    this.lat0 = lat0;
    const o = C.Cartesian3.fromDegrees(lon0, lat0, 0);
    const e = C.Cartesian3.fromDegrees(lon0 + STEP_DEG, lat0, 0);
    const w = C.Cartesian3.fromDegrees(lon0 - STEP_DEG, lat0, 0);
    const n = C.Cartesian3.fromDegrees(lon0, lat0 + STEP_DEG, 0);
    const s = C.Cartesian3.fromDegrees(lon0, lat0 - STEP_DEG, 0);
    const u = C.Ellipsoid.WGS84.geodeticSurfaceNormal(o, new C.Cartesian3());
    // Central differences: per-degree derivatives of ECEF along lon and lat.
    this.o = [o.x, o.y, o.z];
    this.a = [(e.x - w.x) / (2 * STEP_DEG), (e.y - w.y) / (2 * STEP_DEG), (e.z - w.z) / (2 * STEP_DEG)];
    this.b = [(n.x - s.x) / (2 * STEP_DEG), (n.y - s.y) / (2 * STEP_DEG), (n.z - s.z) / (2 * STEP_DEG)];
    this.u = [u.x, u.y, u.z];
    // Metres per degree, for screen-independent sizes (heatmap, clustering).
    this.mPerDegLon = Math.hypot(...this.a);
    this.mPerDegLat = Math.hypot(...this.b);
  }

  // toXYZ writes the ECEF position of (lon, lat, z) into out[k..k+2].
  toXYZ(lon, lat, z, out, k) {
    const dl = lon - this.lon0;
    const dp = lat - this.lat0;
    if (dl > NEAR_DEG || dl < -NEAR_DEG || dp > NEAR_DEG || dp < -NEAR_DEG) {
      const c = Cesium.Cartesian3.fromDegrees(lon, lat, z);
      out[k] = c.x; out[k + 1] = c.y; out[k + 2] = c.z;
      return;
    }
    const { o, a, b, u } = this;
    out[k] = o[0] + a[0] * dl + b[0] * dp + u[0] * z;
    out[k + 1] = o[1] + a[1] * dl + b[1] * dp + u[1] * z;
    out[k + 2] = o[2] + a[2] * dl + b[2] * dp + u[2] * z;
  }

  // cartesian returns (lon, lat, z) as a Cesium.Cartesian3 (result reused when given).
  cartesian(lon, lat, z, result) {
    const tmp = [0, 0, 0];
    this.toXYZ(lon, lat, z || 0, tmp, 0);
    return Cesium.Cartesian3.fromElements(tmp[0], tmp[1], tmp[2], result);
  }
}

// level maps a floor number to its network level (scene format): floor 0
// or 1 and outdoors are the ground level 1; floor f ≥ 2 or ≤ −1 is level f.
export function level(floor) {
  const f = Number(floor);
  if (!Number.isFinite(f) || (f > -1 && f < 2)) return 1;
  return Math.trunc(f);
}

// onFloor reports whether something on floor passes the floor filter
// (null = all floors).
export function onFloor(filter, floor) {
  return filter == null || level(floor) === filter;
}

// pointOf returns [lon, lat] of a Point feature, or null.
export function pointOf(feature) {
  const g = feature && feature.geometry;
  if (!g || g.type !== "Point" || !Array.isArray(g.coordinates)) return null;
  const [lon, lat] = g.coordinates;
  return Number.isFinite(lon) && Number.isFinite(lat) ? [lon, lat] : null;
}

// polygonsOf returns the polygons (each a list of rings of [lon, lat]) of a
// Polygon or MultiPolygon feature; [] for anything else.
export function polygonsOf(feature) {
  const g = feature && feature.geometry;
  if (!g) return [];
  if (g.type === "Polygon") return [g.coordinates];
  if (g.type === "MultiPolygon") return g.coordinates;
  return [];
}

// centroidOf returns the mean vertex [lon, lat] of a feature's geometry
// (outer rings only), or null.
export function centroidOf(feature) {
  const p = pointOf(feature);
  if (p) return p;
  const g = feature && feature.geometry;
  let pts = [];
  if (g && g.type === "LineString") pts = g.coordinates;
  for (const poly of polygonsOf(feature)) pts = pts.concat(poly[0].slice(0, -1));
  if (pts.length === 0) return null;
  let lon = 0, lat = 0;
  for (const [x, y] of pts) { lon += x; lat += y; }
  return [lon / pts.length, lat / pts.length];
}

// inRing reports whether [lon, lat] lies inside a ring (even-odd rule).
export function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
