package evac

import (
	"cmp"
	"context"
	"slices"

	"github.com/chemtwin/chemtwin/geo/route"
)

// musters snaps the muster points and decides which are safe.
func (p *Planner) musters(in Input, zs []zone, pl *Plan) {
	ids, pts, floors := make([]string, len(in.Musters)), make([][2]float64, len(in.Musters)), make([]int, len(in.Musters))
	for i, m := range in.Musters {
		ids[i], pts[i], floors[i] = m.ID, m.P, m.Floor
	}
	snaps, ok, n := p.snapAll(p.musterSnaps, ids, pts, floors)
	pl.Stats.Snapped += n
	pl.Stats.SnapsReused += len(ids) - n
	for i, m := range in.Musters {
		r := MusterResult{ID: m.ID, Status: MusterSafe, Capacity: m.Capacity, Snap: snaps[i],
			p: m.P, level: float64(route.Storey(m.Floor))}
		r.Status, r.By = musterStatus(zs, m)
		if !ok[i] {
			r.Snap = route.Snap{}
			if r.Status == MusterSafe {
				r.Status = MusterNoNetwork
			}
		}
		pl.Musters[i] = r
	}
}

// musterStatus tells whether a muster point's disc reaches into a hazard,
// a closed area or a downwind sector, in that order.
func musterStatus(zs []zone, m MusterPoint) (MusterStatus, string) {
	status := [...]MusterStatus{zoneHazard: MusterInHazard, zoneClosure: MusterInClosure, zoneSector: MusterDownwind}
	for _, k := range []zoneKind{zoneHazard, zoneClosure, zoneSector} {
		for _, z := range zs {
			if z.kind == k && near(z.area, m.P, m.RadiusM) {
				return status[k], z.id
			}
		}
	}
	return MusterSafe, ""
}

// near reports whether p lies within r of the area.
func near(a *area, p [2]float64, r float64) bool {
	if p[0] < a.min[0]-r || p[0] > a.max[0]+r || p[1] < a.min[1]-r || p[1] > a.max[1]+r {
		return false
	}
	return a.distance(p) <= r
}

// people snaps the people and tells who starts inside a hazard or closure.
func (p *Planner) people(in Input, zs []zone, pl *Plan) {
	ids, pts, floors := make([]string, len(in.People)), make([][2]float64, len(in.People)), make([]int, len(in.People))
	for i, h := range in.People {
		ids[i], pts[i], floors[i] = h.ID, h.P, h.Floor
	}
	snaps, ok, n := p.snapAll(p.personSnaps, ids, pts, floors)
	pl.Stats.Snapped += n
	pl.Stats.SnapsReused += len(ids) - n
	for i, h := range in.People {
		r := &pl.Routes[i]
		*r = Route{PersonID: h.ID, Muster: -1, p: h.P, level: float64(route.Storey(h.Floor))}
		if !ok[i] {
			r.Reason = NoNetwork
			continue
		}
		r.Snap = snaps[i]
		r.StartsInside = pl.costs.inside(int32(r.Snap.Edge), r.Snap.T)
		for _, z := range zs {
			if r.StartsInside {
				break
			}
			r.StartsInside = z.kind != zoneSector && z.area.contains(h.P)
		}
	}
}

// option is one way for a person to reach an open muster point: through
// junction via (-1 for the direct way along the chain), which is the
// chain's B end when toB.
type option struct {
	c      cost
	muster int32
	via    int32
	toB    bool
}

// assign runs the searches and hands out the muster points' capacity.
// People are served in order of cost, each to the nearest open safe muster
// point; when a point fills, the people still wanting it wait for the next
// search, run from the points that are still open.
func (p *Planner) assign(ctx context.Context, pl *Plan) error {
	remaining := make([]int, len(pl.Musters)) // -1: no limit
	anySafe := false
	for i, m := range pl.Musters {
		remaining[i] = m.Capacity
		if m.Capacity == 0 {
			remaining[i] = -1
		}
		anySafe = anySafe || m.Safe()
	}
	var pending []int
	for i := range pl.Routes {
		if pl.Routes[i].Reason == "" {
			pending = append(pending, i)
		}
	}
	if !anySafe {
		pl.fail(pending, NoSafeMuster)
		pending = nil
	}
	var l labels
	for round := 0; len(pending) > 0; round++ {
		seeds, onChain := p.seeds(pl, remaining)
		if len(onChain) == 0 {
			pl.fail(pending, NoCapacity)
			break
		}
		var need []int32
		if round > 0 { // a re-plan: stop once the people waiting are served
			for _, i := range pending {
				c := p.net.edgeC[pl.Routes[i].Snap.Edge]
				need = append(need, p.net.chA[c], p.net.chB[c])
			}
		}
		next, err := l.search(ctx, p.net, pl.costs, seeds, need)
		if err != nil {
			return err
		}
		pl.rounds = append(pl.rounds, next)
		pl.Stats.Searches++
		pending = p.serve(&l, pl, pending, remaining, onChain, round)
	}
	pl.count()
	return nil
}

// seeds returns the searches' starts, both ends of the chain of each safe
// muster point with room, and the muster points by chain.
func (p *Planner) seeds(pl *Plan, remaining []int) ([]seed, map[int32][]int32) {
	var seeds []seed
	onChain := make(map[int32][]int32)
	for i, m := range pl.Musters {
		if !m.Safe() || remaining[i] == 0 {
			continue
		}
		c := p.net.edgeC[m.Snap.Edge]
		onChain[c] = append(onChain[c], int32(i))
		if cost, ok := pl.costs.toA(m.Snap); ok {
			seeds = append(seeds, seed{p.net.chA[c], int32(i), cost, false})
		}
		if cost, ok := pl.costs.toB(m.Snap); ok {
			seeds = append(seeds, seed{p.net.chB[c], int32(i), cost, true})
		}
	}
	return seeds, onChain
}

// serve routes the pending people, cheapest first, to their nearest open
// muster point as read from the search l, and returns those whose point
// filled before their turn. Someone starting outside whose only ways enter
// a hazard or closure is cut off (or, after the first search, out of
// room).
func (p *Planner) serve(l *labels, pl *Plan, pending, remaining []int, onChain map[int32][]int32, round int) []int {
	type key struct { // sorted instead of the options, which are larger
		ins    int64
		w      float64
		person int32
		opt    int32
	}
	var keys []key
	var opts []option
	for _, i := range pending {
		r := &pl.Routes[i]
		o, ok := p.best(l, pl, r.Snap, onChain)
		if !ok || o.c.ins > 0 && !r.StartsInside {
			r.Reason = CutOff
			if round > 0 {
				r.Reason = NoCapacity
			}
			continue
		}
		keys = append(keys, key{o.c.ins, o.c.w, int32(i), int32(len(opts))})
		opts = append(opts, o)
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.ins != b.ins:
			return cmp.Compare(a.ins, b.ins)
		case a.w != b.w:
			return cmp.Compare(a.w, b.w)
		}
		return cmp.Compare(a.person, b.person)
	})
	var waiting []int
	for _, k := range keys {
		o := opts[k.opt]
		if remaining[o.muster] == 0 {
			waiting = append(waiting, int(k.person))
			continue
		}
		if remaining[o.muster] > 0 {
			remaining[o.muster]--
		}
		p.route(pl, int(k.person), o, round)
	}
	slices.Sort(waiting)
	return waiting
}

// fail gives the people a reason.
func (pl *Plan) fail(people []int, why Reason) {
	for _, i := range people {
		pl.Routes[i].Reason = why
	}
}

// count fills the route counts of the stats.
func (pl *Plan) count() {
	for i := range pl.Routes {
		switch pl.Routes[i].Reason {
		case "":
			pl.Stats.Routed++
		case NoNetwork:
			pl.Stats.NoNetwork++
		case CutOff:
			pl.Stats.CutOff++
		case NoSafeMuster:
			pl.Stats.NoSafeMuster++
		case NoCapacity:
			pl.Stats.NoCapacity++
		}
	}
}

// best returns the cheapest way from a snap to an open muster point: to
// either junction of its chain and on from there, or along the chain
// straight to a muster point on it.
func (p *Planner) best(l *labels, pl *Plan, s route.Snap, onChain map[int32][]int32) (option, bool) {
	cs, c := pl.costs, p.net.edgeC[s.Edge]
	var best option
	found := false
	try := func(o option) {
		if !found || o.c.less(best.c) {
			best, found = o, true
		}
	}
	if j := p.net.chA[c]; l.reached(j) {
		if pc, ok := cs.toA(s); ok {
			try(option{pc.add(l.cost(j)), l.muster[j], j, false})
		}
	}
	if j := p.net.chB[c]; l.reached(j) {
		if pc, ok := cs.toB(s); ok {
			try(option{pc.add(l.cost(j)), l.muster[j], j, true})
		}
	}
	for _, m := range onChain[c] {
		if pc, ok := cs.between(s, pl.Musters[m].Snap); ok {
			try(option{pc, m, -1, false})
		}
	}
	return best, found
}

// route gives person i the option's way.
func (p *Planner) route(pl *Plan, i int, o option, round int) {
	r, m := &pl.Routes[i], &pl.Musters[o.muster]
	m.Assigned++
	r.MusterID, r.Muster = m.ID, int(o.muster)
	r.cost, r.round, r.via, r.toB = o.c, round, o.via, o.toB
	access := r.Snap.DistM + m.Snap.DistM
	r.LengthM = access + o.c.lenM
	r.EtaS = access/p.opts.WalkMS + o.c.timeS
	r.InsideM = float64(o.c.ins) / 1000
	r.CostM = o.c.w
	if f := p.opts.DownwindFactor; f > 1 {
		r.DownwindM = max(0, (o.c.w-o.c.lenM)/(f-1))
	}
}
