package evac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/geo"
)

// ErrRequest is wrapped by every error a plan request is refused with.
var ErrRequest = errors.New("evac: bad request")

// Request limits: a drawing is a few shapes, not a survey.
const (
	MaxShapes        = 200     // hazards, and closures
	MaxShapeVertices = 5000    // per shape
	MaxReachM        = 20_000  // a shape's vertices lie within this of the site's origin
	MaxNameBytes     = 200     // a shape's or a plan's name
	MaxSources       = 1000    // closed lines of one closure
	MaxRequestBytes  = 4 << 20 // the request body
)

// Request is an evacuation plan as staff ask for it (POST
// /api/v1/evacuation/plans): the hazards they drew, the closures, whether
// the live threat zones count as hazards, and the wind (nil: the live
// wind of the weather stations).
type Request struct {
	Name           string  `json:"name,omitempty"`
	Hazards        []Shape `json:"hazards"`
	Closures       []Shape `json:"closures"`
	UseThreatZones bool    `json:"use_threat_zones"`
	Wind           *Wind   `json:"wind,omitempty"`
}

// Shape is one drawn hazard or closure: a GeoJSON geometry in WGS84
// lon/lat with an id (assigned when not given) and a name; a closure may
// instead or also close network lines (walkways, stairs, roads) by id.
type Shape struct {
	ID       string       `json:"id"`
	Name     string       `json:"name,omitempty"`
	Geometry orb.Geometry `json:"-"`
	Sources  []string     `json:"sources,omitempty"`
}

// Wind is the wind a plan assumes: from-direction, degrees clockwise from
// north, and speed at 10 m, m/s.
type Wind struct {
	FromDeg float64 `json:"from_deg"`
	SpeedMS float64 `json:"speed_ms"`
	// Source says where it came from: "request", or "station:ID".
	Source string `json:"source,omitempty"`
}

// ParseRequest reads a plan request. hazards and closures are each a
// GeoJSON FeatureCollection, or an array of Features or bare geometries;
// a Feature's properties may carry id and name, and a closure's
// `sources` (ids of network lines to close; its geometry may then be
// null). Hazards are polygons or multipolygons; closures also lines. Every
// vertex must lie within MaxReachM of the site's origin (f). Unknown
// fields are refused (a misspelt use_threat_zones must not silently plan
// without the zones).
func ParseRequest(data []byte, f *geo.Frame) (Request, error) {
	if len(data) > MaxRequestBytes {
		return Request{}, fmt.Errorf("%w: body over %d bytes", ErrRequest, MaxRequestBytes)
	}
	var raw struct {
		Name           string          `json:"name"`
		Hazards        json.RawMessage `json:"hazards"`
		Closures       json.RawMessage `json:"closures"`
		UseThreatZones *bool           `json:"use_threat_zones"`
		Wind           *struct {
			FromDeg *float64 `json:"from_deg"`
			SpeedMS *float64 `json:"speed_ms"`
			Source  string   `json:"source"` // as a stored request writes it; ignored
		} `json:"wind"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Request{}, fmt.Errorf("%w: %v", ErrRequest, err)
	}
	if dec.More() {
		return Request{}, fmt.Errorf("%w: trailing data after the object", ErrRequest)
	}
	req := Request{Name: strings.TrimSpace(raw.Name), UseThreatZones: raw.UseThreatZones != nil && *raw.UseThreatZones}
	if err := checkText("name", req.Name); err != nil {
		return Request{}, err
	}
	var err error
	if req.Hazards, err = parseShapes("hazards", raw.Hazards, f, false); err != nil {
		return Request{}, err
	}
	if req.Closures, err = parseShapes("closures", raw.Closures, f, true); err != nil {
		return Request{}, err
	}
	if w := raw.Wind; w != nil {
		if w.FromDeg == nil || w.SpeedMS == nil {
			return Request{}, fmt.Errorf("%w: wind needs from_deg and speed_ms", ErrRequest)
		}
		if !(*w.FromDeg >= 0 && *w.FromDeg <= 360) || !(*w.SpeedMS >= 0 && *w.SpeedMS <= 75) {
			return Request{}, fmt.Errorf("%w: wind from %v° at %v m/s (want 0–360°, 0–75 m/s)", ErrRequest, *w.FromDeg, *w.SpeedMS)
		}
		req.Wind = &Wind{FromDeg: math.Mod(*w.FromDeg, 360), SpeedMS: *w.SpeedMS, Source: "request"}
	}
	if len(req.Hazards) == 0 && len(req.Closures) == 0 && !req.UseThreatZones {
		return Request{}, fmt.Errorf("%w: nothing to plan around: draw a hazard or a closure, or use the threat zones", ErrRequest)
	}
	seen := map[string]bool{}
	for _, s := range append(append([]Shape{}, req.Hazards...), req.Closures...) {
		if seen[s.ID] {
			return Request{}, fmt.Errorf("%w: id %q twice", ErrRequest, s.ID)
		}
		seen[s.ID] = true
	}
	return req, nil
}

func checkText(what, s string) error {
	switch {
	case len(s) > MaxNameBytes:
		return fmt.Errorf("%w: %s longer than %d bytes", ErrRequest, what, MaxNameBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not UTF-8", ErrRequest, what)
	}
	return nil
}

// parseShapes reads one list (see ParseRequest).
func parseShapes(what string, raw json.RawMessage, f *geo.Frame, closure bool) ([]Shape, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if raw[0] == '{' {
		fc, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrRequest, what, err)
		}
		for _, ft := range fc.Features {
			b, err := ft.MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrRequest, what, err)
			}
			items = append(items, b)
		}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: %s: want a FeatureCollection or an array of Features or geometries: %v", ErrRequest, what, err)
	}
	if len(items) > MaxShapes {
		return nil, fmt.Errorf("%w: %s: %d shapes (at most %d)", ErrRequest, what, len(items), MaxShapes)
	}
	out := make([]Shape, 0, len(items))
	for i, it := range items {
		s, err := parseShape(it, f, closure)
		if err != nil {
			return nil, fmt.Errorf("%w: %s[%d]: %v", ErrRequest, what, i, err)
		}
		if s.ID == "" {
			s.ID = fmt.Sprintf("%s-%d", strings.TrimSuffix(what, "s"), i+1)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseShape(raw json.RawMessage, f *geo.Frame, closure bool) (Shape, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Shape{}, err
	}
	var s Shape
	if head.Type == "Feature" {
		ft, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			return Shape{}, err
		}
		s.Geometry = ft.Geometry
		s.ID, _ = ft.Properties["id"].(string)
		if s.ID == "" {
			if id, ok := ft.ID.(string); ok {
				s.ID = id
			}
		}
		s.Name, _ = ft.Properties["name"].(string)
		if v, ok := ft.Properties["sources"]; ok {
			if !closure {
				return Shape{}, errors.New("sources close network lines: a closure's, not a hazard's")
			}
			list, ok := v.([]any)
			if !ok || len(list) > MaxSources {
				return Shape{}, fmt.Errorf("sources must be a list of at most %d line ids", MaxSources)
			}
			for _, x := range list {
				id, ok := x.(string)
				if !ok || id == "" || len(id) > MaxNameBytes || !utf8.ValidString(id) {
					return Shape{}, fmt.Errorf("source %v is not a line id", x)
				}
				s.Sources = append(s.Sources, id)
			}
		}
	} else {
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return Shape{}, err
		}
		s.Geometry = g.Geometry()
	}
	if err := checkText("id", s.ID); err != nil {
		return Shape{}, err
	}
	if err := checkText("name", s.Name); err != nil {
		return Shape{}, err
	}
	if s.Geometry == nil {
		if len(s.Sources) == 0 {
			return Shape{}, errors.New("no geometry")
		}
		return s, nil
	}
	switch s.Geometry.(type) {
	case orb.Polygon, orb.MultiPolygon:
	case orb.LineString, orb.MultiLineString:
		if !closure {
			return Shape{}, fmt.Errorf("a hazard is an area, not a %s", s.Geometry.GeoJSONType())
		}
	default:
		return Shape{}, fmt.Errorf("a %s is neither an area nor a line", s.Geometry.GeoJSONType())
	}
	n, err := checkVertices(s.Geometry, f)
	if err != nil {
		return Shape{}, err
	}
	if n > MaxShapeVertices {
		return Shape{}, fmt.Errorf("%d vertices (at most %d)", n, MaxShapeVertices)
	}
	return s, nil
}

// checkVertices counts the vertices and checks each lies near the site.
func checkVertices(g orb.Geometry, f *geo.Frame) (int, error) {
	n := 0
	var bad error
	visit := func(ps []orb.Point) {
		for _, p := range ps {
			n++
			if bad != nil {
				continue
			}
			if !geo.ValidLonLat(p) {
				bad = fmt.Errorf("vertex %v is not a lon/lat", p)
				continue
			}
			if f != nil {
				if x, y := f.FastLocal(p); math.Hypot(x, y) > MaxReachM {
					bad = fmt.Errorf("vertex %v is %.0f km from the site", p, math.Hypot(x, y)/1000)
				}
			}
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) == 0 {
			return 0, errors.New("an empty polygon")
		}
		for _, r := range g {
			if len(r) < 3 {
				return 0, errors.New("a polygon ring of fewer than 3 points")
			}
			visit(r)
		}
	case orb.MultiPolygon:
		return checkParts(len(g), func(i int) orb.Geometry { return g[i] }, f)
	case orb.LineString:
		if len(g) < 2 {
			return 0, errors.New("a line of fewer than 2 points")
		}
		visit(g)
	case orb.MultiLineString:
		return checkParts(len(g), func(i int) orb.Geometry { return g[i] }, f)
	}
	return n, bad
}

// checkParts checks the n parts of a multi-geometry (at least one).
func checkParts(n int, part func(i int) orb.Geometry, f *geo.Frame) (int, error) {
	if n == 0 {
		return 0, errors.New("an empty multi-geometry")
	}
	total := 0
	for i := range n {
		c, err := checkVertices(part(i), f)
		if err != nil {
			return 0, err
		}
		total += c
	}
	return total, nil
}

// MarshalJSON writes a shape as a GeoJSON Feature.
func (s Shape) MarshalJSON() ([]byte, error) {
	ft := geojson.NewFeature(s.Geometry)
	ft.Properties["id"] = s.ID
	if s.Name != "" {
		ft.Properties["name"] = s.Name
	}
	if len(s.Sources) > 0 {
		ft.Properties["sources"] = s.Sources
	}
	return ft.MarshalJSON()
}

// jsonOf is the request as stored with an order.
func jsonOf(r Request) ([]byte, error) { return json.Marshal(r) }
