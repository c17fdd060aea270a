// Geometry builders for the plant: each returns Cesium GeometryInstances
// with a per-instance color (and show) attribute, and batch()/lines() turn
// a list of instances into one Primitive, so that a whole layer draws in a
// few draw calls. Instance ids are {entity, part} objects (one entity may
// have several instances: floors, polygon parts); pick.js maps them back.
//
// Heights are metres above the site ground, which is drawn at ellipsoid
// height 0 (see viewer.js); flat layers sit a few centimetres apart so that
// they never fight for depth.

const C = globalThis.Cesium; // undefined without the vendored build: main.js reports it

export const HEIGHT = {
  area: 0.05, riskUnit: 0.12, hazard: 0.16, road: 0.2, walkway: 0.24, muster: 0.28,
  fov: 0.32, heat: 0.4, permit: 0.44, threat: 0.5,
};

function attributes(color) {
  return {
    color: C.ColorGeometryInstanceAttribute.fromColor(color),
    show: new C.ShowGeometryInstanceAttribute(true),
  };
}

function hierarchy(rings) {
  const toPos = (ring) => C.Cartesian3.fromDegreesArray(ring.slice(0, -1).flat());
  return new C.PolygonHierarchy(toPos(rings[0]), rings.slice(1).map((r) => new C.PolygonHierarchy(toPos(r))));
}

// fill is a flat polygon (rings: outer then holes) at height.
export function fill(id, rings, height, color) {
  return new C.GeometryInstance({
    id,
    geometry: new C.PolygonGeometry({ polygonHierarchy: hierarchy(rings), height, vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT }),
    attributes: attributes(color),
  });
}

// prism is a polygon extruded from base to top.
export function prism(id, rings, base, top, color) {
  return new C.GeometryInstance({
    id,
    geometry: new C.PolygonGeometry({
      polygonHierarchy: hierarchy(rings), height: base, extrudedHeight: Math.max(top, base + 0.05),
      vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT,
    }),
    attributes: attributes(color),
  });
}

// cylinder stands on the ground at [lon, lat], radius r, height h.
export function cylinder(id, lon, lat, r, h, color, base = 0) {
  return new C.GeometryInstance({
    id,
    geometry: new C.CylinderGeometry({ length: h, topRadius: r, bottomRadius: r, slices: 32, vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT }),
    modelMatrix: C.Transforms.eastNorthUpToFixedFrame(C.Cartesian3.fromDegrees(lon, lat, base + h / 2)),
    attributes: attributes(color),
  });
}

// sphere has its centre at height z above [lon, lat].
export function sphere(id, lon, lat, r, z, color) {
  return new C.GeometryInstance({
    id,
    geometry: new C.EllipsoidGeometry({ radii: new C.Cartesian3(r, r, r), vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT }),
    modelMatrix: C.Transforms.eastNorthUpToFixedFrame(C.Cartesian3.fromDegrees(lon, lat, z)),
    attributes: attributes(color),
  });
}

// box is an axis-aligned box of size s (metres) whose top is at height top.
export function box(id, lon, lat, s, top, color) {
  const h = Math.max(top, s);
  return new C.GeometryInstance({
    id,
    geometry: C.BoxGeometry.fromDimensions({ dimensions: new C.Cartesian3(s, s, h), vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT }),
    modelMatrix: C.Transforms.eastNorthUpToFixedFrame(C.Cartesian3.fromDegrees(lon, lat, h / 2)),
    attributes: attributes(color),
  });
}

// corridor is a line of coordinates drawn width metres wide at height.
export function corridor(id, coords, width, height, color) {
  return new C.GeometryInstance({
    id,
    geometry: new C.CorridorGeometry({
      positions: C.Cartesian3.fromDegreesArray(coords.map(([lon, lat]) => [lon, lat]).flat()),
      width, height, cornerType: C.CornerType.ROUNDED, vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT,
    }),
    attributes: attributes(color),
  });
}

// wall is a vertical curtain along a ring from bottom to top.
export function wall(id, ring, bottom, top, color) {
  const pos = C.Cartesian3.fromDegreesArray(ring.map((p) => [p[0], p[1]]).flat());
  return new C.GeometryInstance({
    id,
    geometry: new C.WallGeometry({
      positions: pos, minimumHeights: pos.map(() => bottom), maximumHeights: pos.map(() => top),
      vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT,
    }),
    attributes: attributes(color),
  });
}

// circle is a flat disc of radius r (metres) at height.
export function circle(id, lon, lat, r, height, color) {
  return new C.GeometryInstance({
    id,
    geometry: new C.EllipseGeometry({
      center: C.Cartesian3.fromDegrees(lon, lat), semiMajorAxis: r, semiMinorAxis: r, height,
      vertexFormat: C.PerInstanceColorAppearance.VERTEX_FORMAT,
    }),
    attributes: attributes(color),
  });
}

// outline is a polyline through [lon, lat] points at height, width pixels wide.
export function outline(id, coords, height, color, width = 1.5) {
  return new C.GeometryInstance({
    id,
    geometry: new C.PolylineGeometry({
      positions: coords.map(([lon, lat]) => C.Cartesian3.fromDegrees(lon, lat, height)),
      width, arcType: C.ArcType.NONE, vertexFormat: C.PolylineColorAppearance.VERTEX_FORMAT,
    }),
    attributes: { color: C.ColorGeometryInstanceAttribute.fromColor(color), show: new C.ShowGeometryInstanceAttribute(true) },
  });
}

// batch makes one Primitive of instances (null when there are none).
// translucent batches skip depth writes; flat ones ignore lighting.
export function batch(instances, { translucent = false, flat = false, closed = false } = {}) {
  if (instances.length === 0) return null;
  return new C.Primitive({
    geometryInstances: instances,
    appearance: new C.PerInstanceColorAppearance({ translucent, flat, closed }),
    asynchronous: false,
    releaseGeometryInstances: true,
  });
}

// lines makes one Primitive of outline() instances.
export function lines(instances) {
  if (instances.length === 0) return null;
  return new C.Primitive({
    geometryInstances: instances,
    appearance: new C.PolylineColorAppearance({ translucent: true }),
    asynchronous: false,
    releaseGeometryInstances: true,
  });
}

// css turns a CSS colour and an alpha into a Cesium.Color.
export function css(color, alpha = 1) {
  return C.Color.fromCssColorString(color).withAlpha(alpha);
}
