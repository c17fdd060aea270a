package twin

import (
	"maps"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Entity is one thing in the plant: an area, a building, a tank, a detector,
// a person. Its geometry is WGS84 [lon, lat]; heights are metres above the
// site's ground.
//
// An *Entity handed out by a query is owned by the scene and valid only inside
// the callback; keep a Clone beyond it. Props is never mutated in place (an
// Upsert replaces it whole), so a clone may share it.
type Entity struct {
	ID       string
	Kind     Kind
	Parent   string
	Name     string
	Geometry orb.Geometry // nil for an entity not placed yet (a person with no fix)
	// Height is the extrusion height of buildings, units and tanks, or the
	// mount height of a sensor, in metres above ground.
	Height float64
	// Props holds the static attributes from the scene file (kind-specific:
	// gas, range, heading, department, …).
	Props map[string]any
	// Mobile is the live state of a person or vehicle; nil for other kinds.
	Mobile *Mobile
	// State holds other live attributes (a detector's value, unit and state;
	// a weather station's wind), merged by SetState.
	State map[string]any
	// Rev is the scene revision of the entity's last change; Updated the time
	// of that change (the measurement time where a device gave one).
	Rev     uint64
	Updated time.Time
	// Reported is the measurement time of the last SetState: the clock that
	// orders a device's reports (static edits do not move it).
	Reported time.Time

	bound   orb.Bound // as indexed in the R-tree
	indexed bool
}

// Fix is one position of a tag.
type Fix struct {
	Point   orb.Point // [lon, lat] degrees
	Z       float64   // metres above ground
	Floor   int       // building floor, 0 outdoors or unknown
	SpeedMS float64   // ground speed, m/s (0 if unknown)
	At      time.Time // measurement time
}

// Mobile is the live state of a tag-bearing entity.
type Mobile struct {
	Tag     string
	Fix     Fix     // last accepted fix; Fix.At is zero before the first
	Battery float64 // percent 0–100; NaN when never reported
	SOS     bool
	// AreaID is the id of the area containing the last fix, "" outside all.
	AreaID string
	// Unregistered marks an entity created for a tag not in the registry.
	Unregistered bool
}

// Clone returns a copy that is safe to keep after the scene changes.
func (e *Entity) Clone() *Entity {
	c := *e
	if e.Mobile != nil {
		m := *e.Mobile
		c.Mobile = &m
	}
	if e.State != nil {
		c.State = maps.Clone(e.State)
	}
	return &c
}

// Bound returns the entity's bounding box as indexed (empty when unplaced).
func (e *Entity) Bound() orb.Bound { return e.bound }

// Placed reports whether the entity has a geometry.
func (e *Entity) Placed() bool { return e.Geometry != nil }

// Point returns a representative [lon, lat]: the geometry itself for points,
// else the centre of its bound.
func (e *Entity) Point() orb.Point {
	if p, ok := e.Geometry.(orb.Point); ok {
		return p
	}
	if e.Geometry == nil {
		return orb.Point{}
	}
	return e.bound.Center()
}

// String returns a property as a string ("" if missing).
func (e *Entity) String(key string) string {
	switch v := e.Props[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Float returns a numeric property, or def when missing or not a number.
func (e *Entity) Float(key string, def float64) float64 {
	if v, ok := AsFloat(e.Props[key]); ok {
		return v
	}
	return def
}

// Range returns the [lo, hi] pair under key (a detector's measuring range):
// decoded JSON ([]any) or built in Go ([]float64); ok only for finite
// lo < hi.
func (e *Entity) Range(key string) (lo, hi float64, ok bool) {
	switch v := e.Props[key].(type) {
	case []float64:
		if len(v) == 2 {
			lo, hi, ok = v[0], v[1], true
		}
	case []any:
		if len(v) == 2 {
			var ok1, ok2 bool
			lo, ok1 = AsFloat(v[0])
			hi, ok2 = AsFloat(v[1])
			ok = ok1 && ok2
		}
	}
	if !ok || !(lo < hi) || math.IsInf(hi-lo, 0) {
		return 0, 0, false
	}
	return lo, hi, true
}

// AsFloat converts JSON-decoded numbers (and numeric strings, as GIS tools
// sometimes write them) to float64.
func AsFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// Properties returns the entity's public properties: the static attributes,
// the live state and the common fields (kind, name, parent, height), as served
// in GeoJSON features. The map is new; the caller may modify it.
func (e *Entity) Properties() map[string]any {
	p := make(map[string]any, len(e.Props)+len(e.State)+12)
	maps.Copy(p, e.Props)
	maps.Copy(p, e.State)
	p["id"] = e.ID
	p["kind"] = string(e.Kind)
	if e.Name != "" {
		p["name"] = e.Name
	}
	if e.Parent != "" {
		p["parent"] = e.Parent
	}
	if e.Height != 0 {
		p["height"] = e.Height
	}
	if m := e.Mobile; m != nil {
		p["tag"] = m.Tag
		if !m.Fix.At.IsZero() {
			p["z"] = m.Fix.Z
			p["floor"] = m.Fix.Floor
			p["speed"] = m.Fix.SpeedMS
			p["ts"] = m.Fix.At.UTC().Format(time.RFC3339Nano)
		}
		if !math.IsNaN(m.Battery) {
			p["battery"] = m.Battery
		}
		p["sos"] = m.SOS
		p["area_id"] = m.AreaID
		if m.Unregistered {
			p["unregistered"] = true
		}
	}
	if !e.Updated.IsZero() {
		p["updated"] = e.Updated.UTC().Format(time.RFC3339Nano)
	}
	return p
}

// Feature returns the entity as a GeoJSON feature: id = entity id, geometry
// (nil for an unplaced entity), properties = Properties().
func (e *Entity) Feature() *geojson.Feature {
	f := geojson.NewFeature(e.Geometry)
	f.ID = e.ID
	f.Properties = e.Properties()
	return f
}
