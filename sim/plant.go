package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// simKinds are the entity kinds the simulator reads from the scene.
var simKinds = []twin.Kind{
	twin.KindArea, twin.KindBuilding, twin.KindGate, twin.KindPerson, twin.KindVehicle,
	twin.KindGasDetector, twin.KindWeatherStation, twin.KindCamera, twin.KindBeacon,
}

// sceneCopy is the part of the scene the simulator uses, copied out under
// one read lock so that building the model holds no lock.
type sceneCopy struct {
	site   *twin.Entity
	byKind map[twin.Kind][]*twin.Entity // clones, sorted by id
	// storeyH is the storey height (m) of the building each walkway and
	// stairs belongs to or stands in.
	storeyH map[string]float64
}

func copyScene(s *twin.Scene) sceneCopy {
	c := sceneCopy{byKind: make(map[twin.Kind][]*twin.Entity), storeyH: make(map[string]float64)}
	s.View(func(tx twin.Tx) {
		if e := tx.Get(s.SiteID()); e != nil {
			c.site = e.Clone()
		}
		for _, k := range slices.Concat(simKinds, []twin.Kind{twin.KindMusterPoint}) { // muster points: evacuate.go
			tx.Kind(k, func(e *twin.Entity) bool {
				c.byKind[k] = append(c.byKind[k], e.Clone())
				return true
			})
		}
		for _, k := range []twin.Kind{twin.KindWalkway, twin.KindStairs} {
			tx.Kind(k, func(e *twin.Entity) bool {
				if h := route.StoreyHeightM(tx, e); h > 0 {
					c.storeyH[e.ID] = h
				}
				return true
			})
		}
	})
	for _, es := range c.byKind {
		slices.SortFunc(es, func(a, b *twin.Entity) int { return strings.Compare(a.ID, b.ID) })
	}
	return c
}

// chooseFrame returns opts.Frame, else the scene's frame, else a frame at
// the centre of the site (or of everything placed) with no rotation.
func chooseFrame(opts *geo.Frame, s *twin.Scene, c sceneCopy) (*geo.Frame, error) {
	if opts != nil {
		return opts, nil
	}
	if f := s.Frame(); f != nil {
		return f, nil
	}
	var b orb.Bound
	first := true
	add := func(e *twin.Entity) {
		if e == nil || e.Geometry == nil {
			return
		}
		if first {
			b, first = e.Geometry.Bound(), false
		} else {
			b = b.Union(e.Geometry.Bound())
		}
	}
	add(c.site)
	if first {
		for _, k := range simKinds {
			for _, e := range c.byKind[k] {
				add(e)
			}
		}
	}
	if first {
		return nil, fmt.Errorf("%w: the scene has no frame and nothing placed", ErrScene)
	}
	return geo.NewFrame(b.Center(), 0, 0)
}

// network builds the routing graph of the scene in frame f. Features the
// graph cannot use are logged and skipped; a scene without any network
// gives a nil graph (people then stand at their places).
func network(s *twin.Scene, f *geo.Frame, log *slog.Logger) *route.Graph {
	lines, lerr := route.LinesFromScene(s, f)
	if len(lines) == 0 {
		return nil
	}
	g, err := route.Build(lines, route.Options{})
	if err := errors.Join(lerr, err); err != nil {
		log.Warn("network features skipped", "error", err)
	}
	if g == nil || g.NumEdges() == 0 {
		return nil
	}
	return g
}

// plantPoly converts a lon/lat polygon or multipolygon to plant metres (the
// first polygon of a multipolygon is kept: areas are drawn as one part).
func plantPoly(f *geo.Frame, g orb.Geometry) (orb.Polygon, bool) {
	var p orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		p = g
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, false
		}
		p = g[0]
	default:
		return nil, false
	}
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = make(orb.Ring, len(r))
		for j, q := range r {
			x, y := f.FastLocal(q)
			out[i][j] = orb.Point{x, y}
		}
	}
	return out, len(out) > 0 && len(out[0]) >= 4
}

func plantPoint(f *geo.Frame, p orb.Point) [2]float64 {
	x, y := f.FastLocal(p)
	return [2]float64{x, y}
}
