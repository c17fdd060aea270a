package route

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// FromScene builds the network of a scene's roads, walkways and stairs in
// the scene's plant frame, with default options. As with Build, features it
// cannot use are reported in the error and the graph of the rest is still
// returned; it returns ErrNoFrame (and no graph) for a scene without a frame.
func FromScene(s *twin.Scene) (*Graph, error) {
	f := s.Frame()
	if f == nil {
		return nil, ErrNoFrame
	}
	lines, lerr := LinesFromScene(s, f)
	g, err := Build(lines, Options{})
	return g, errors.Join(lerr, err)
}

// LinesFromScene converts the scene's road, walkway and stairs entities to
// Lines in plant metres of frame f, ordered by entity id (a multi-line
// feature gives one Line per part, all with the entity's id). Properties:
//
//   - vehicle, pedestrian (bool): default true/true for roads, false/true
//     for walkways and stairs;
//   - oneway: true/"yes"/1 along the drawing, "-1"/"reverse" against it;
//   - width_m, speed_limit_kmh (numbers);
//   - floor; for stairs floor_from and floor_to, the climb being the
//     storeys times floor_height_m of the stairs' building (its ancestor,
//     else the building containing its first point).
//
// A property it cannot read is reported and left at its default; a feature
// with an unusable geometry is reported and skipped.
func LinesFromScene(s *twin.Scene, f *geo.Frame) ([]Line, error) {
	var ents []*twin.Entity
	heights := make(map[string]float64) // stairs id → storey height
	s.View(func(tx twin.Tx) {
		for _, k := range []twin.Kind{twin.KindRoad, twin.KindWalkway, twin.KindStairs} {
			tx.Kind(k, func(e *twin.Entity) bool {
				ents = append(ents, e.Clone())
				if k == twin.KindStairs {
					heights[e.ID] = StoreyHeightM(tx, e)
				}
				return true
			})
		}
	})
	slices.SortFunc(ents, func(a, b *twin.Entity) int { return strings.Compare(a.ID, b.ID) })
	var lines []Line
	var errs []error
	for _, e := range ents {
		l, perr := lineAttrs(e)
		if perr != nil {
			errs = append(errs, fmt.Errorf("%w: %s %s: %v", ErrBadLine, e.Kind, e.ID, perr))
		}
		if l.Stairs() {
			l.ClimbM = heights[e.ID] * float64(abs(Storey(l.FloorTo)-Storey(l.Floor)))
		}
		parts, gerr := lineParts(e.Geometry)
		if gerr != nil {
			errs = append(errs, fmt.Errorf("%w: %s %s: %v", ErrBadLine, e.Kind, e.ID, gerr))
			continue
		}
		for _, part := range parts {
			pl := l
			pl.Points = make([][2]float64, len(part))
			for i, p := range part {
				x, y := f.FastLocal(p)
				pl.Points[i] = [2]float64{x, y}
			}
			if l.Oneway && onewayReverse(e) {
				slices.Reverse(pl.Points)
			}
			lines = append(lines, pl)
		}
	}
	return lines, errors.Join(errs...)
}

// StoreyHeightM returns floor_height_m of the building e belongs to (its
// ancestor) or stands in (containing its first point), 0 when unknown
// (Build then uses its default).
func StoreyHeightM(tx twin.Tx, e *twin.Entity) float64 {
	b := tx.Ancestor(e.ID, twin.KindBuilding)
	if b == nil && e.Geometry != nil {
		tx.Containing(firstPoint(e.Geometry), func(c *twin.Entity) bool {
			if c.Kind == twin.KindBuilding {
				b = c
				return false
			}
			return true
		})
	}
	if b == nil {
		return 0
	}
	if h := b.Float("floor_height_m", 0); h > 0 && h < 100 {
		return h
	}
	return 0
}

func firstPoint(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.LineString:
		if len(g) > 0 {
			return g[0]
		}
	case orb.MultiLineString:
		if len(g) > 0 && len(g[0]) > 0 {
			return g[0][0]
		}
	}
	return orb.Point{}
}

func lineParts(g orb.Geometry) ([]orb.LineString, error) {
	switch g := g.(type) {
	case orb.LineString:
		return []orb.LineString{g}, nil
	case orb.MultiLineString:
		return g, nil
	case nil:
		return nil, errors.New("no geometry")
	}
	return nil, fmt.Errorf("geometry is a %s, want LineString or MultiLineString", g.GeoJSONType())
}

// lineAttrs reads the routing properties of e (see LinesFromScene).
func lineAttrs(e *twin.Entity) (Line, error) {
	l := Line{ID: e.ID, Pedestrian: true, Vehicle: e.Kind == twin.KindRoad}
	var errs []error
	read := func(key string, into *bool) {
		if v, ok := e.Props[key]; ok {
			b, ok := asBool(v)
			if !ok {
				errs = append(errs, fmt.Errorf("%s %v is not a boolean", key, v))
				return
			}
			*into = b
		}
	}
	read("vehicle", &l.Vehicle)
	read("pedestrian", &l.Pedestrian)
	if v, ok := e.Props["oneway"]; ok {
		if _, ok := asOneway(v); !ok {
			errs = append(errs, fmt.Errorf("oneway %v is not yes, no or -1", v))
		}
		l.Oneway = onewayForward(e) || onewayReverse(e)
	}
	l.WidthM = nonNegative(e, "width_m", &errs)
	l.SpeedLimitKmh = nonNegative(e, "speed_limit_kmh", &errs)
	l.Floor = floorProp(e, "floor", 0, &errs)
	l.FloorTo = l.Floor
	if e.Kind == twin.KindStairs {
		l.Floor = floorProp(e, "floor_from", l.Floor, &errs)
		l.FloorTo = floorProp(e, "floor_to", l.FloorTo, &errs)
	}
	return l, errors.Join(errs...)
}

func nonNegative(e *twin.Entity, key string, errs *[]error) float64 {
	v, ok := e.Props[key]
	if !ok || v == nil {
		return 0
	}
	f, ok := twin.AsFloat(v)
	if !ok || f < 0 {
		*errs = append(*errs, fmt.Errorf("%s %v is not a number ≥ 0", key, v))
		return 0
	}
	return f
}

func floorProp(e *twin.Entity, key string, def int, errs *[]error) int {
	v, ok := e.Props[key]
	if !ok || v == nil {
		return def
	}
	f, ok := twin.AsFloat(v)
	if !ok || math.Abs(f) > maxFloor || f != math.Round(f) {
		*errs = append(*errs, fmt.Errorf("%s %v is not a floor number", key, v))
		return def
	}
	return int(f)
}

// asBool reads JSON booleans, 0/1 and the usual strings.
func asBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case float64:
		return v != 0, v == 0 || v == 1
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "1", "y":
			return true, true
		case "false", "no", "0", "n", "":
			return false, true
		}
	}
	return false, false
}

// asOneway reads a oneway property: 1 along the drawing, -1 against it,
// 0 two-way.
func asOneway(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		switch v {
		case -1, 0, 1:
			return int(v), true
		}
		return 0, false
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "-1", "reverse":
			return -1, true
		}
	}
	b, ok := asBool(v)
	if b {
		return 1, ok
	}
	return 0, ok
}

func onewayForward(e *twin.Entity) bool { d, _ := asOneway(e.Props["oneway"]); return d == 1 }
func onewayReverse(e *twin.Entity) bool { d, _ := asOneway(e.Props["oneway"]); return d == -1 }
