package twin

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

// Tx reads the scene under one read lock, so that several queries see the
// same revision. Entities it hands out are valid only while the View runs.
type Tx struct{ s *Scene }

// View runs fn with a read transaction. fn must not call Apply.
func (s *Scene) View(fn func(tx Tx)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(Tx{s})
}

// Get returns a clone of entity id.
func (s *Scene) Get(id string) (*Entity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.entities[id]; ok {
		return e.Clone(), true
	}
	return nil, false
}

// ByTag returns a clone of the entity holding tag.
func (s *Scene) ByTag(tag string) (*Entity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.tags[tag]; ok {
		return s.entities[id].Clone(), true
	}
	return nil, false
}

// Rev returns the revision the transaction reads.
func (tx Tx) Rev() uint64 { return tx.s.rev }

// Get returns entity id (owned by the scene) or nil.
func (tx Tx) Get(id string) *Entity { return tx.s.entities[id] }

// Len returns the number of entities, the site root included.
func (tx Tx) Len() int { return len(tx.s.entities) }

// Count returns the number of entities of kind k.
func (tx Tx) Count(k Kind) int { return len(tx.s.byKind[k]) }

// Children returns the ids of id's children, sorted.
func (tx Tx) Children(id string) []string {
	kids := make([]string, 0, len(tx.s.children[id]))
	for k := range tx.s.children[id] {
		kids = append(kids, k)
	}
	slices.Sort(kids)
	return kids
}

// Ancestor returns the nearest ancestor of id (id itself excluded) of kind k,
// or nil: the area a detector belongs to, the building of a beacon.
func (tx Tx) Ancestor(id string, k Kind) *Entity {
	e := tx.s.entities[id]
	for depth := 0; e != nil && depth < 64; depth++ {
		e = tx.s.entities[e.Parent]
		if e != nil && e.Kind == k {
			return e
		}
	}
	return nil
}

// Kind calls fn for every entity of kind k, in no order, until fn returns false.
func (tx Tx) Kind(k Kind, fn func(*Entity) bool) {
	for _, e := range tx.s.byKind[k] {
		if !fn(e) {
			return
		}
	}
}

// Search calls fn for every placed entity whose bound intersects b, until fn
// returns false. It is the R-tree prefilter; exact tests are the caller's.
func (tx Tx) Search(b orb.Bound, fn func(*Entity) bool) {
	tx.s.tree.Search(b.Min, b.Max, func(_, _ [2]float64, e *Entity) bool { return fn(e) })
}

// Containing calls fn for every polygonal entity (area, building, fence,
// risk unit, …) that contains the [lon, lat] point p: an R-tree prefilter on
// the point, then the exact test.
func (tx Tx) Containing(p orb.Point, fn func(*Entity) bool) {
	tx.s.tree.Search(p, p, func(_, _ [2]float64, e *Entity) bool {
		if geo.Contains(e.Geometry, p) {
			return fn(e)
		}
		return true
	})
}

// AreaAt returns the id of the smallest area containing the [lon, lat]
// point p, or "" — the area a tag's fix is attributed to.
func (tx Tx) AreaAt(p orb.Point) string { return tx.s.areaAt(p) }

// Within calls fn for every entity lying inside the polygon or multipolygon
// g: points inside it; lines and polygons with every vertex inside it.
func (tx Tx) Within(g orb.Geometry, fn func(*Entity) bool) {
	b := g.Bound()
	tx.s.tree.Search(b.Min, b.Max, func(_, _ [2]float64, e *Entity) bool {
		if within(e.Geometry, g) {
			return fn(e)
		}
		return true
	})
}

func within(e, g orb.Geometry) bool {
	inside := true
	eachPoint(e, func(p orb.Point) bool {
		inside = geo.Contains(g, p)
		return inside
	})
	return inside
}

// Nearest calls fn with placed entities in increasing distance (metres, 0 if
// p lies inside) from the [lon, lat] point p, until fn returns false.
func (tx Tx) Nearest(p orb.Point, fn func(e *Entity, distM float64) bool) {
	lonM, latM := geo.MetresPerDegree(p[1])
	boxDist := func(min, max [2]float64) float64 {
		dx := math.Max(0, math.Max(min[0]-p[0], p[0]-max[0])) * lonM
		dy := math.Max(0, math.Max(min[1]-p[1], p[1]-max[1])) * latM
		return math.Hypot(dx, dy)
	}
	tx.s.tree.Nearby(
		func(min, max [2]float64, e *Entity, item bool) float64 {
			if item {
				return distanceTo(e, p)
			}
			return boxDist(min, max)
		},
		func(_, _ [2]float64, e *Entity, d float64) bool { return fn(e, d) },
	)
}

func distanceTo(e *Entity, p orb.Point) float64 {
	var d float64
	if q, ok := e.Geometry.(orb.Point); ok {
		d = geo.DistanceM(p, q)
	} else {
		d = geo.DistanceToM(e.Geometry, p)
	}
	if r := e.Float("radius_m", 0); r > 0 { // a tank or muster point is a disc
		d = math.Max(0, d-r)
	}
	return d
}

// Query selects entities for a page of a listing.
type Query struct {
	Kinds []Kind     // required: the kinds to list
	Bound *orb.Bound // optional bbox (intersecting the entity's bound)
	// Filter, if set, is an extra test (it sees the scene-owned entity).
	Filter func(*Entity) bool
	After  string // cursor: list ids greater than After
	Limit  int    // page size; ≤ 0 means all
	// Unplaced includes entities without geometry (when Bound is nil).
	Unplaced bool
}

// Page is one page of a listing, ordered by id.
type Page struct {
	Entities []*Entity // clones
	Matched  int       // entities matching the query in all pages
	Next     string    // cursor for the next page, "" on the last
}

// List returns a page of entities ordered by id: the stable order that makes
// cursors and OGC `next` links work while the scene changes.
func (tx Tx) List(q Query) Page {
	var hits []*Entity
	keep := func(e *Entity) {
		if (q.Unplaced || e.Geometry != nil) && (q.Filter == nil || q.Filter(e)) {
			hits = append(hits, e)
		}
	}
	if q.Bound != nil {
		tx.Search(*q.Bound, func(e *Entity) bool {
			if slices.Contains(q.Kinds, e.Kind) {
				keep(e)
			}
			return true
		})
	} else {
		for _, k := range q.Kinds {
			for _, e := range tx.s.byKind[k] {
				keep(e)
			}
		}
	}
	slices.SortFunc(hits, func(a, b *Entity) int { return strings.Compare(a.ID, b.ID) })
	page := Page{Matched: len(hits)}
	hits = hits[sort.Search(len(hits), func(i int) bool { return hits[i].ID > q.After }):]
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
		page.Next = hits[len(hits)-1].ID
	}
	page.Entities = make([]*Entity, len(hits))
	for i, e := range hits {
		page.Entities[i] = e.Clone()
	}
	return page
}

// eachPoint calls fn for every vertex of g until fn returns false.
func eachPoint(g orb.Geometry, fn func(orb.Point) bool) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		eachIn(g, fn)
	case orb.LineString:
		eachIn(g, fn)
	case orb.MultiLineString:
		for _, l := range g {
			if !eachIn(l, fn) {
				return
			}
		}
	case orb.Polygon:
		for _, r := range g {
			if !eachIn(r, fn) {
				return
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				if !eachIn(r, fn) {
					return
				}
			}
		}
	}
}

func eachIn[S ~[]orb.Point](s S, fn func(orb.Point) bool) bool {
	for _, p := range s {
		if !fn(p) {
			return false
		}
	}
	return true
}
