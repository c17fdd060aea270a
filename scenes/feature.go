package scenes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// MaxDistanceM is how far from the site origin a feature may lie.
const MaxDistanceM = 10_000

// geometry classes a kind may take.
type geomClass uint8

const (
	gPoint geomClass = 1 << iota
	gLine
	gPolygon
)

var kindGeometry = map[twin.Kind]geomClass{
	twin.KindArea: gPolygon, twin.KindBuilding: gPolygon, twin.KindGate: gPolygon, twin.KindUnit: gPolygon,
	twin.KindEquipment: gPoint | gPolygon, twin.KindTank: gPoint, twin.KindGasDetector: gPoint,
	twin.KindBeacon: gPoint, twin.KindCamera: gPoint, twin.KindRoad: gLine, twin.KindWalkway: gLine,
	twin.KindStairs: gLine, twin.KindMusterPoint: gPoint, twin.KindFence: gPolygon,
	twin.KindWeatherStation: gPoint, twin.KindRiskUnit: gPolygon, twin.KindHazardSource: gPolygon,
	twin.KindPermit: gPoint | gPolygon, twin.KindInspectionPoint: gPoint, twin.KindThreatZone: gPolygon,
}

var classNames = map[geomClass]string{
	gPoint: "a Point", gLine: "a LineString", gPolygon: "a Polygon or MultiPolygon",
	gPoint | gPolygon: "a Point, Polygon or MultiPolygon",
}

func classOf(g orb.Geometry) geomClass {
	switch g.(type) {
	case orb.Point:
		return gPoint
	case orb.LineString:
		return gLine
	case orb.Polygon, orb.MultiPolygon:
		return gPolygon
	}
	return 0
}

type featureDoc struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

// parseFeature decodes one layer feature into an entity, reporting its
// problems. It returns nil when the feature has no usable id or kind; an
// entity with other problems is still returned, so that references to it
// do not cascade into more problems.
func parseFeature(r report, rf rawFeature, frame *geo.Frame) *twin.Entity {
	label := fmt.Sprintf("feature %d", rf.index+1)
	var doc featureDoc
	if err := json.Unmarshal(rf.raw, &doc); err != nil {
		r.add(label, "%s", jsonReason(err, rf.offset))
		return nil
	}
	if doc.Type != "Feature" {
		r.add(label, "type %s: want Feature", describe(doc.Type))
		return nil
	}
	id := featureID(doc)
	if id == "" {
		r.add(label, "missing id (set properties.id)")
		return nil
	}
	kindName, _ := doc.Properties[propKind].(string)
	kind := twin.Kind(kindName)
	if _, ok := kindGeometry[kind]; !ok {
		switch {
		case kindName == "":
			r.add(id, "missing kind (set properties.kind)")
		case kind.Mobile():
			r.add(id, "kind %s: people and vehicles belong in the registry, not in a layer", kind)
		default:
			r.add(id, "unknown kind %s", describe(doc.Properties[propKind]))
		}
		return nil
	}
	e := &twin.Entity{ID: id, Kind: kind}
	entityFields(r, e, doc.Properties)
	e.Props = normalizeProps(r, id, kind, doc.Properties)
	base := rf.offset + int64(max(0, bytes.Index(rf.raw, doc.Geometry)))
	e.Geometry = featureGeometry(r, id, kind, doc.Geometry, base, frame)
	checkKind(r, e)
	return e
}

// featureID is properties.id, or the feature's own id when it is text.
func featureID(doc featureDoc) string {
	switch v := doc.Properties[propID].(type) {
	case string:
		if v != "" {
			return v
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if s, ok := doc.ID.(string); ok {
		return s
	}
	return ""
}

// entityFields sets parent, name and height from the properties.
func entityFields(r report, e *twin.Entity, props map[string]any) {
	for _, f := range []struct {
		key string
		dst *string
	}{{propParent, &e.Parent}, {propName, &e.Name}} {
		v, err := coerce(props[f.key], fString, nil)
		if err != nil {
			r.add(e.ID, "%s: %v", f.key, err)
		} else if v != nil {
			*f.dst = v.(string)
		}
	}
	h, err := coerce(props[propHeight], fNumber, nil)
	switch {
	case err != nil:
		r.add(e.ID, "height: %v", err)
	case h != nil && h.(float64) < 0:
		r.add(e.ID, "height %v is negative", h)
	case h != nil:
		e.Height = h.(float64)
	}
}

// normalizeProps coerces the known properties of kind to their types and
// checks enumerations; unknown properties are kept, nulls dropped.
func normalizeProps(r report, id string, kind twin.Kind, props map[string]any) map[string]any {
	out := make(map[string]any, len(props))
	for _, k := range sortedKeys(props) {
		switch k {
		case propID, propKind, propParent, propName, propHeight, propFID:
			continue
		}
		v := props[k]
		if t, ok := fieldType(kind, k); ok {
			var err error
			if v, err = coerce(v, t, subFields(kind, k)); err != nil {
				r.add(id, "%s: %v", k, err)
				continue
			}
			if err := checkEnum(k, v); v != nil && err != nil {
				r.add(id, "%v", err)
			}
		}
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func featureGeometry(r report, id string, kind twin.Kind, raw json.RawMessage, base int64, frame *geo.Frame) orb.Geometry {
	g, err := decodeGeometry(raw, base)
	if err != nil {
		r.add(id, "geometry: %v", err)
		return nil
	}
	if g == nil {
		r.add(id, "no geometry")
		return nil
	}
	want := kindGeometry[kind]
	if classOf(g)&want == 0 {
		r.add(id, "geometry %s: a %s must be %s", g.GeoJSONType(), kind, classNames[want])
		return nil
	}
	if err := twin.CheckGeometry(g); err != nil {
		r.add(id, "geometry: %v", err)
		return nil
	}
	if frame != nil {
		if d := farthestM(frame, g); d > MaxDistanceM {
			r.add(id, "geometry reaches %.0f m from the site origin (limit %d m): wrong coordinates or CRS?", d, MaxDistanceM)
		}
	}
	return g
}

// farthestM returns the largest distance in metres from the frame origin to
// a vertex of g.
func farthestM(frame *geo.Frame, g orb.Geometry) float64 {
	origin, _ := frame.Origin()
	b := g.Bound()
	far := 0.0
	for _, p := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		far = max(far, geo.DistanceM(origin, p))
	}
	return far
}

// ParseFeature decodes one GeoJSON Feature (lon/lat) and checks it as a
// feature of a scene file is checked — id, kind, geometry of the kind,
// the kind's properties (a fence's rule and parameters, selectors, time
// window) — for features made at run time over the API. References to
// other entities (parent, registry people) are the caller's to resolve.
// The entity is nil, or the problems are not empty, when it is unusable.
func ParseFeature(doc []byte, frame *geo.Frame) (*twin.Entity, Problems) {
	var probs Problems
	e := parseFeature(report{probs: &probs, file: "feature"}, rawFeature{raw: doc}, frame)
	if e == nil && len(probs) == 0 {
		probs = Problems{{File: "feature", Reason: "not a usable feature"}}
	}
	return e, probs
}
