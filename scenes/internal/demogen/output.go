package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Layer files of the demo scene.
const (
	fileAreas          = "areas.geojson"
	fileBuildings      = "buildings.geojson"
	fileGates          = "gates.geojson"
	fileUnits          = "units.geojson"
	fileEquipment      = "equipment.geojson"
	fileTanks          = "tanks.geojson"
	fileDetectors      = "gas_detectors.geojson"
	fileBeacons        = "beacons.geojson"        // outdoor, on poles
	fileBeaconsIndoor  = "beacons_indoor.geojson" // on building floors
	fileCameras        = "cameras.geojson"
	fileRoads          = "roads.geojson"
	fileWalkways       = "walkways.geojson"
	fileMusterPoints   = "muster_points.geojson"
	fileFences         = "fences.geojson"
	fileRiskUnits      = "risk_units.geojson"
	fileHazardSources  = "hazard_sources.geojson"
	fileWeather        = "weather_stations.geojson"
	fileSite           = "site.json"
	fileRegistry       = "registry.json"
	coordinateDecimals = 7 // 1e-7° ≈ 1 cm
)

// files renders every file of the scene.
func (p *plant) files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, feats := range p.layers {
		b, err := p.collection(name, feats)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = b
	}
	site, err := p.siteJSON()
	if err != nil {
		return nil, err
	}
	out[fileSite] = site
	reg, err := p.reg.json()
	if err != nil {
		return nil, err
	}
	out[fileRegistry] = reg
	if out[fileInspections], err = p.inspectionsJSON(); err != nil {
		return nil, err
	}
	return out, nil
}

// collection writes a FeatureCollection with one feature per line, so that
// diffs of the generated files stay readable.
func (p *plant) collection(name string, feats []*feature) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"type\":\"FeatureCollection\",\"name\":%q,\"features\":[\n", strings.TrimSuffix(name, ".geojson"))
	for i, f := range feats {
		line, err := marshal(struct {
			Type       string            `json:"type"`
			Properties P                 `json:"properties"`
			Geometry   *geojson.Geometry `json:"geometry"`
		}{"Feature", f.props, geojson.NewGeometry(p.lonLat(f.geom))})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.id(), err)
		}
		b.Write(line)
		if i < len(feats)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

// marshal encodes v without HTML escaping and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// lonLat converts a plant-metre geometry to WGS84 lon/lat, rounded.
func (p *plant) lonLat(g orb.Geometry) orb.Geometry {
	conv := func(q orb.Point) orb.Point {
		ll := p.frame.Point(q[0], q[1])
		return orb.Point{roundTo(ll[0], coordinateDecimals), roundTo(ll[1], coordinateDecimals)}
	}
	seq := func(s []orb.Point) []orb.Point {
		out := make([]orb.Point, len(s))
		for i, q := range s {
			out[i] = conv(q)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return conv(g)
	case orb.LineString:
		return orb.LineString(seq(g))
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = orb.Ring(seq(r))
		}
		return out
	}
	panic(fmt.Sprintf("demogen: no conversion for %T", g))
}

func roundTo(v float64, decimals int) float64 {
	s := math.Pow(10, float64(decimals))
	return math.Round(v*s) / s
}

// siteJSON renders site.json, one member per line.
func (p *plant) siteJSON() ([]byte, error) {
	members := []struct {
		key   string
		value any
	}{
		{"id", siteID},
		{"name", "宁东精细化工演示厂"},
		{"name_en", "Ningdong Fine Chemicals Demo Plant"},
		{"origin", siteOrigin},
		{"elevation_m", siteElevation},
		{"rotation_deg", siteRotation},
		{"timezone", "Asia/Shanghai"},
		{"boundary", geojson.NewGeometry(p.lonLat(siteBoundary.polygon()))},
		{"registry", fileRegistry},
		{"settings", siteSettings},
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, m := range members {
		v, err := marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("site.json %s: %w", m.key, err)
		}
		fmt.Fprintf(&b, "  %q: %s", m.key, v)
		if i < len(members)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// siteSettings are the demo's site parameters.
var siteSettings = P{
	"low_battery_pct":       20, // seed: low-battery alarm below 20 %
	"tag_offline_s":         60,
	"position_interval_s":   2,  // AQ 3064.3-2025: ≥ 30 uploads per minute
	"gathering_radius_m":    15, // 2023 gathering guide / AQ 3064.3 §5.2.3
	"gathering_min_persons": 3,
	"gathering_duration_s":  60,
	"fence_alarm_delay_s":   5, // AQ 3064.3: boundary-crossing alarm within 5 s
	"residents_500m":        12,
	"ble_floor_loss_db":     15, // BLE loss per reinforced-concrete floor slab (positioning calibration)
}
