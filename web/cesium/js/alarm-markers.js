// Pulsing alarm markers on the map: one point per open alarm at its
// lon/lat, coloured and sized by level; unacknowledged alarms of level 2
// and 3 pulse (level 3 faster), level 1 (notices) and acknowledged ones
// stay still.
// The viewer renders on demand (requestRenderMode), so while markers pulse
// a 10 Hz timer asks for frames; with no open alarms it stops.
const PULSE_MS = 100; // 10 Hz
const LIFT_M = 3; // above the ground, so the point is not cut by it
const STYLE = {
  1: { css: "#ffd23f", size: 10, period: 2000 },
  2: { css: "#ff9c3a", size: 13, period: 1400 },
  3: { css: "#ff4d4f", size: 16, period: 800 },
};

// AlarmMarkers keeps a PointPrimitiveCollection in step with the open
// alarms. Without a viewer (the map failed or is absent) it does nothing.
export class AlarmMarkers {
  constructor(viewer) {
    this.viewer = viewer && viewer.scene ? viewer : null;
    this.markers = new Map(); // alarm id → {point, level, pulsing}
    this.selected = null;
    this.timer = 0;
    if (!this.viewer) return;
    this.collection = this.viewer.scene.primitives.add(new Cesium.PointPrimitiveCollection());
    this.outline = Cesium.Color.BLACK.withAlpha(0.6);
    this.scratch = new Cesium.Color();
    this.colors = {};
    for (const [level, style] of Object.entries(STYLE)) this.colors[level] = Cesium.Color.fromCssColorString(style.css);
  }

  // show shows or hides every marker (the Alarms layer toggle).
  show(visible) {
    if (!this.viewer) return;
    this.collection.show = visible;
    this.viewer.scene.requestRender();
  }

  // update makes the markers match alarms (the open ones).
  update(alarms) {
    if (!this.viewer) return;
    const keep = new Set();
    for (const a of alarms) {
      if (!Number.isFinite(a.lon) || !Number.isFinite(a.lat) || (a.lon === 0 && a.lat === 0)) continue;
      keep.add(a.id);
      this.place(a);
    }
    for (const [id, marker] of this.markers) {
      if (keep.has(id)) continue;
      this.collection.remove(marker.point);
      this.markers.delete(id);
    }
    this.schedule();
  }

  // select emphasises the marker of alarm id (null for none).
  select(id) {
    this.selected = id;
    this.frame();
  }

  place(a) {
    const position = Cesium.Cartesian3.fromDegrees(a.lon, a.lat, this.groundHeight(a) + LIFT_M);
    let marker = this.markers.get(a.id);
    if (!marker) {
      const point = this.collection.add({ id: a.id, position, disableDepthTestDistance: Number.POSITIVE_INFINITY });
      marker = { point };
      this.markers.set(a.id, marker);
    } else {
      marker.point.position = position;
    }
    marker.level = Math.min(Math.max(a.level | 0, 1), 3);
    marker.pulsing = a.state === "active" && marker.level >= 2;
  }

  groundHeight(a) {
    const globe = this.viewer.scene.globe;
    const h = globe && globe.getHeight(Cesium.Cartographic.fromDegrees(a.lon, a.lat));
    return Number.isFinite(h) ? h : 0;
  }

  // schedule runs the pulse timer while some marker pulses.
  schedule() {
    const pulsing = [...this.markers.values()].some((m) => m.pulsing);
    if (pulsing && !this.timer) {
      this.timer = setInterval(() => this.frame(), PULSE_MS);
    } else if (!pulsing && this.timer) {
      clearInterval(this.timer);
      this.timer = 0;
    }
    this.frame();
  }

  // frame sets each point's size and colour for the current pulse phase.
  frame() {
    if (!this.viewer || this.viewer.isDestroyed()) return;
    const now = performance.now();
    for (const [id, { point, level, pulsing }] of this.markers) {
      const style = STYLE[level];
      const wave = pulsing ? 0.5 + 0.5 * Math.sin((2 * Math.PI * now) / style.period) : 0.3;
      const chosen = id === this.selected;
      point.pixelSize = style.size * (chosen ? 1.5 : 1) * (0.8 + 0.6 * wave);
      point.color = this.colors[level].withAlpha(0.55 + 0.45 * wave, this.scratch);
      point.outlineColor = chosen ? Cesium.Color.WHITE : this.outline;
      point.outlineWidth = chosen ? 3 : 1.5;
    }
    this.viewer.scene.requestRender();
  }
}
