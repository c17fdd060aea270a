package evac

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/geo/route"
)

// Planner plans evacuations on one network. It keeps what does not change
// between plans of the same emergency: the pedestrian adjacency, people's
// and muster points' snaps to the network (kept while they do not move)
// and the clipping of each hazard, closure area and downwind sector
// (kept while its coordinates, and for a sector the wind, do not change),
// so that a re-plan after one new hazard clips that hazard and runs the
// searches. A Planner is safe for concurrent use; its plans run one at a
// time.
type Planner struct {
	mu   sync.Mutex
	net  *network
	opts Options
	gen  uint64
	// snaps of people and of muster points by id
	personSnaps, musterSnaps map[string]*snapEntry
	areas                    map[uint64]*clipped
}

// snapEntry is a cached snap of a person or muster point.
type snapEntry struct {
	p     [2]float64
	floor int
	snap  route.Snap
	ok    bool
	gen   uint64
}

// NewPlanner prepares planning on g (pedestrian edges only).
func NewPlanner(g *route.Graph, o Options) (*Planner, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrBadOptions)
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	return &Planner{net: newNetwork(g, o), opts: o,
		personSnaps: make(map[string]*snapEntry), musterSnaps: make(map[string]*snapEntry),
		areas: make(map[uint64]*clipped)}, nil
}

// Options returns the planner's options, defaults filled in.
func (p *Planner) Options() Options { return p.opts }

// Graph returns the network the planner routes on.
func (p *Planner) Graph() *route.Graph { return p.net.g }

// Plan routes every person of in to a safe muster point. It returns an
// error wrapping ErrInput for input it cannot use, and ctx's error when
// cancelled.
func (p *Planner) Plan(ctx context.Context, in Input) (*Plan, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := checkInput(in); err != nil {
		return nil, err
	}
	p.gen++
	pl := &Plan{net: p.net, Routes: make([]Route, len(in.People)), Musters: make([]MusterResult, len(in.Musters))}
	zs, err := p.zones(in, pl)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.musters(in, zs, pl)
	p.people(in, zs, pl)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := p.assign(ctx, pl); err != nil {
		return nil, err
	}
	p.evict()
	return pl, nil
}

// checkInput checks what the zones do not: points, wind, ids.
func checkInput(in Input) error {
	if w := in.Wind; w != nil && (!finite(w.FromDeg) || !(w.SpeedMS >= 0 && w.SpeedMS < 200)) {
		return fmt.Errorf("%w: wind from %v° at %v m/s", ErrInput, w.FromDeg, w.SpeedMS)
	}
	ids := make(map[string]bool, len(in.Musters))
	for _, m := range in.Musters {
		switch {
		case ids[m.ID]:
			return fmt.Errorf("%w: duplicate muster point %q", ErrInput, m.ID)
		case !validPoint(m.P):
			return fmt.Errorf("%w: muster point %q at %v", ErrInput, m.ID, m.P)
		case !(m.RadiusM >= 0 && m.RadiusM <= 10000):
			return fmt.Errorf("%w: muster point %q radius %v m", ErrInput, m.ID, m.RadiusM)
		case m.Capacity < 0:
			return fmt.Errorf("%w: muster point %q capacity %d", ErrInput, m.ID, m.Capacity)
		}
		ids[m.ID] = true
	}
	clear(ids)
	for _, h := range in.People {
		if ids[h.ID] {
			return fmt.Errorf("%w: duplicate person %q", ErrInput, h.ID)
		}
		if !validPoint(h.P) {
			return fmt.Errorf("%w: person %q at %v", ErrInput, h.ID, h.P)
		}
		ids[h.ID] = true
	}
	return nil
}

// shape is a hazard's or closed area's polygon as read from the input.
type shape struct {
	id    string
	kind  zoneKind
	rings [][][2]float64
}

// parseZones checks and reads the hazards and closures.
func parseZones(in Input) (shapes []shape, lines [][][2]float64, closed []string, err error) {
	vertices := 0
	polygons := func(id string, kind zoneKind, g orb.Geometry) error {
		polys, n, err := polygonRings(g)
		for _, rings := range polys {
			shapes = append(shapes, shape{id, kind, rings})
		}
		vertices += n
		return err
	}
	for _, h := range in.Hazards {
		if err := polygons(h.ID, zoneHazard, h.Area); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: hazard %q: %v", ErrInput, h.ID, err)
		}
	}
	for _, c := range in.Closures {
		switch c.Geometry.(type) {
		case nil:
		case orb.LineString, orb.MultiLineString:
			ls, n, err := lineStrings(c.Geometry)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%w: closure %q: %v", ErrInput, c.ID, err)
			}
			vertices += n
			lines = append(lines, ls...)
		default:
			if err := polygons(c.ID, zoneClosure, c.Geometry); err != nil {
				return nil, nil, nil, fmt.Errorf("%w: closure %q: %v", ErrInput, c.ID, err)
			}
		}
		closed = append(closed, c.Sources...)
	}
	if vertices > MaxVertices {
		return nil, nil, nil, fmt.Errorf("%w: %d vertices (at most %d)", ErrInput, vertices, MaxVertices)
	}
	return shapes, lines, closed, nil
}

// zones prepares the plan's hazards, closures and sectors, clipped or
// from the cache, and the per-edge costs.
func (p *Planner) zones(in Input, pl *Plan) ([]zone, error) {
	shapes, lines, closed, err := parseZones(in)
	if err != nil {
		return nil, err
	}
	var zs []zone
	// add clips the polygon build returns (nil: none), or takes it
	// from the cache under key.
	add := func(id string, kind zoneKind, key uint64, build func() [][][2]float64) {
		c := p.areas[key]
		if c == nil {
			rings := build()
			if rings == nil {
				return
			}
			c = p.net.clipArea(newArea(rings))
			p.areas[key] = c
			pl.Stats.AreasClipped++
		} else {
			pl.Stats.AreasReused++
		}
		c.gen = p.gen
		zs = append(zs, zone{id: id, kind: kind, clipped: c})
	}
	o := p.opts
	wind := in.Wind != nil && in.Wind.SpeedMS >= CalmBelowWindMS && o.DownwindRangeM > 0
	var from float64
	var dir [2]float64
	if wind {
		from = math.Mod(in.Wind.FromDeg, 360) // huge angles overflow in radians
		d := plume.Downwind(from)
		dir = [2]float64{d[0], d[1]}
	}
	for _, sh := range shapes {
		add(sh.id, sh.kind, ringsKey(byte(sh.kind), sh.rings), func() [][][2]float64 { return sh.rings })
		if wind && sh.kind == zoneHazard {
			key := ringsKey(byte(zoneSector), sh.rings[:1], from, o.DownwindHalfAngleDeg, o.DownwindRangeM)
			add(sh.id, zoneSector, key, func() [][][2]float64 {
				if s := downwindSector(sh.rings[0], dir, o.DownwindHalfAngleDeg, o.DownwindRangeM); len(s) >= 3 {
					return [][][2]float64{s}
				}
				return nil
			})
		}
	}
	size := 0
	for _, z := range zs {
		size += len(z.edges)
	}
	cs := newCosts(p.net, o.DownwindFactor, size)
	for _, z := range zs {
		cs.addZone(z)
	}
	for _, l := range lines {
		cs.addLine(l)
	}
	for _, id := range closed {
		edges, ok := p.net.source[id]
		if !ok {
			pl.UnknownSources = append(pl.UnknownSources, id)
		}
		for _, e := range edges {
			cs.zone(e).closed = true
		}
	}
	cs.finish()
	pl.costs = cs
	return zs, nil
}

// snapAll snaps the points to the network, reusing the cached snaps of
// those that have not moved and computing the rest in parallel, and
// forgets the snaps of those long gone.
func (p *Planner) snapAll(cache map[string]*snapEntry, ids []string, pts [][2]float64, floors []int) ([]route.Snap, []bool, int) {
	snaps, ok := make([]route.Snap, len(ids)), make([]bool, len(ids))
	var todo []int
	for i, id := range ids {
		e := cache[id]
		if e != nil && e.p == pts[i] && e.floor == floors[i] {
			snaps[i], ok[i], e.gen = e.snap, e.ok, p.gen
			continue
		}
		todo = append(todo, i)
	}
	// In cell order, so that neighbours snap one after the other and find
	// the grid's entries in cache.
	if gr := p.net.grid; gr.nx > 0 {
		slices.SortFunc(todo, func(a, b int) int { return cmp.Compare(gr.cellOf(pts[a]), gr.cellOf(pts[b])) })
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(todo)/256))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			part := todo[k*len(todo)/workers : (k+1)*len(todo)/workers]
			for _, i := range part {
				snaps[i], ok[i] = p.net.snap(pts[i], floors[i], p.opts.MaxSnapM)
			}
		})
	}
	wg.Wait()
	for _, i := range todo {
		cache[ids[i]] = &snapEntry{p: pts[i], floor: floors[i], snap: snaps[i], ok: ok[i], gen: p.gen}
	}
	// Forget those not seen this time once they outnumber those seen (ids
	// are unique, so len(ids) entries are this plan's).
	if len(cache) > 2*len(ids)+64 {
		for k, e := range cache {
			if e.gen != p.gen {
				delete(cache, k)
			}
		}
	}
	return snaps, ok, len(todo)
}

// evict forgets the clipped areas that neither this plan nor the one
// before used.
func (p *Planner) evict() {
	for k, c := range p.areas {
		if c.gen+1 < p.gen { // keep the previous plan's too, for an undo
			delete(p.areas, k)
		}
	}
}
