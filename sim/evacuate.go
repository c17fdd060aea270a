package sim

import (
	"math"
	"slices"

	gevac "github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// Evacuation (Notice; Run with Options.Notices). twin/evac sends each tag
// of an evacuation order its route to a muster point; the simulated wearer
// answers as follows.
//
//   - Reaction. The wearer goes on with what they do until they notice
//     the buzz, 5–40 s after the notice (uniform), then presses the
//     button — the ack {"ref": order_id} on …/tags/{tag}/ack — and leaves.
//     A demo choice. For comparison, PD 7974-6:2004 Annex C gives design
//     pre-movement times for awake occupants familiar with a simple
//     building with an alarm system and good management (category A,
//     M1 B1 A1) of the order of half a minute for the first of them and a
//     minute or so for the rest; a tag buzzing on the wearer with the
//     order on its screen is a direct, personal warning, so the demo takes
//     the quick end of that. 5 % of
//     the tags (drawn per order) are in a pocket: their wearer never
//     acknowledges, and leaves 40–120 s after the notice, when the site's
//     alarm and the people leaving tell them (so the roll call shows
//     people who arrived without acknowledging).
//   - The walk. From where they are, the wearer joins the route at its
//     nearest point (straight when it is within joinDirectM, else along
//     the simulator's own walkways), walks it to the muster point and
//     stops at a place of their own within half its radius (at most
//     standMaxM from its centre; radius_m of the scene's muster point,
//     else 20 m as twin/evac), shifting by under a metre while they wait.
//     They walk at the speeds twin/evac's ETAs assume — the SFPE
//     Handbook's hydraulic model, 1.19 m/s on the level and 0.92 m/s
//     along stairs (geo/evac.DefaultWalkMS, DefaultStairsMS) — so they
//     arrive about eta_s after they leave. The route carries no floors:
//     each leg is matched to the walkway or stairs it runs along, on the
//     wearer's floor first.
//   - No route (shelter in place: cut_off, no_network, no_safe_muster): the
//     wearer stops where they are when they react and stays there.
//   - An update (a re-plan moved their muster point): a wearer who has
//     not reacted yet follows the latest route when they do; one already
//     on the way glances at the tag 2–10 s later and joins the new route
//     from where they are, as above. They acknowledge an order once.
//   - The all-clear (evacuation_end): 10–90 s later (people leave a muster
//     point in ones and twos) the wearer walks, at their routine pace, to
//     the nearest walkway and back to their routine — towards their post
//     area. A wearer who had not reacted yet never left; an acknowledgement
//     not yet sent is not sent.
//   - Visitors stay beside their escort, who leads them out; they still
//     acknowledge their own notice. Vehicles and tags the simulator does
//     not run ignore notices, and so does everyone a notice of an order
//     whose all-clear has come, or one older (by its at) than the last.
//
// Draws come from each person's own stream ("evac/" and their id), so the
// response is a function of the seed and of the notices with the Step
// after which each came.
const (
	evacWalkMS   = gevac.DefaultWalkMS
	evacStairsMS = gevac.DefaultStairsMS
	reactMinS    = 5.0
	reactMaxS    = 40.0
	pocketShare  = 0.05
	pocketMinS   = 40.0
	pocketMaxS   = 120.0
	glanceMinS   = 2.0
	glanceMaxS   = 10.0
	leaveMinS    = 10.0
	leaveMaxS    = 90.0
	// musterRadiusM is a muster point's radius when the scene gives none
	// (twin/evac.DefaultMusterRadiusM).
	musterRadiusM = 20.0
	standShare    = 0.5
	standMaxM     = 12.0
	// wanderM is the amplitude of the shifting of a waiting person, who
	// stays within 2·wanderM of their place.
	wanderM = 0.4
	// joinDirectM: a route point this close is walked to straight.
	joinDirectM = 3.0
	// matchM: a route leg runs along an edge whose line passes this close
	// to both its ends (the route's points are the network's, converted to
	// lon/lat and back).
	matchM = 1.5
	// endedN is how many ended orders are remembered.
	endedN = 16
)

// never is the due time of a stream with nothing to send.
const never = int64(1) << 62

// evacuations is the simulator's side of the evacuation orders: the
// people by tag, the muster points' radii, and the acknowledgements due
// (an emitter in the schedule, so that they go out at their exact time).
type evacuations struct {
	m       *model
	people  map[string]*person
	musters map[string]float64 // id → radius, metres
	ended   []string           // orders whose all-clear came, oldest first
	acks    []ackDue           // by time, then by arrival
	stream  int                // the index of the acks' stream
}

// ackDue is an acknowledgement to send.
type ackDue struct {
	ms         int64
	tag, order string
}

func newEvacuations(m *model, c sceneCopy, people []*person) *evacuations {
	ev := &evacuations{m: m, people: make(map[string]*person, len(people)), musters: map[string]float64{}}
	for _, p := range people {
		ev.people[p.tag.id] = p
		p.er = newRand(m.seed, "evac/"+p.id)
	}
	for _, e := range c.byKind[twin.KindMusterPoint] {
		if r := e.Float("radius_m", musterRadiusM); r > 0 && !math.IsInf(r, 0) {
			ev.musters[e.ID] = r
		}
	}
	return ev
}

// due returns when the next acknowledgement is due, epoch ms.
func (ev *evacuations) due() int64 {
	if len(ev.acks) == 0 {
		return never
	}
	return ev.acks[0].ms
}

// emit sends the first acknowledgement due.
func (ev *evacuations) emit(ms int64) (Message, bool, int64) {
	if len(ev.acks) == 0 || ev.acks[0].ms > ms {
		return Message{}, false, ev.due()
	}
	a := ev.acks[0]
	ev.acks = ev.acks[1:]
	o := newObj(64 + len(a.order))
	o.str("ref", a.order)
	o.int("ts", a.ms)
	return Message{Topic: ev.m.site + "tags/" + a.tag + "/ack", Payload: o.done(), QoS: 1}, true, ev.due()
}

// apply acts on notice n at simulation time t and returns how it was
// counted: its kind, or "ignored".
func (ev *evacuations) apply(n notice, t float64) string {
	p := ev.people[n.tag]
	over := slices.Contains(ev.ended, n.order)
	if p == nil || over && n.kind == noticeEvacuation {
		return "ignored" // a vehicle, a tag not simulated, an order over
	}
	if n.kind == noticeEnd {
		if !over {
			ev.ended = append(ev.ended, n.order)
			if len(ev.ended) > endedN {
				ev.ended = ev.ended[1:]
			}
		}
		ev.acks = slices.DeleteFunc(ev.acks, func(a ackDue) bool { return a.tag == n.tag && a.order == n.order })
		p.allClear(n.order, t)
		return n.kind
	}
	ack, ok := p.evacuate(n, ev.instruction(n), t)
	if !ok {
		return "ignored"
	}
	if ack > 0 {
		a := ackDue{ms: ev.m.t0 + int64(math.Round((t+ack)*1000)), tag: n.tag, order: n.order}
		i, _ := slices.BinarySearchFunc(ev.acks, a.ms, func(x ackDue, ms int64) int {
			if x.ms <= ms {
				return -1 // after the acks due at the same time
			}
			return 1
		})
		ev.acks = slices.Insert(ev.acks, i, a)
	}
	return n.kind
}

// instruction is the notice's route and muster point (plant frame) and
// the muster point's radius.
func (ev *evacuations) instruction(n notice) instruction {
	in := instruction{route: n.pts, muster: n.musterXY, radius: musterRadiusM}
	if r, ok := ev.musters[n.muster]; ok {
		in.radius = r
	}
	return in
}

// evacuation is a person's part in an order.
type evacuation struct {
	order  string
	lastAt float64 // the latest notice's at, unix seconds (0: none)
	// pending is the latest instruction, not yet acted on; walk the one in
	// force (nil: the person is at their routine).
	pending *instruction
	walk    *evacWalk
	// leave is when the person leaves after the all-clear (+Inf while the
	// order stands); back is their walk to the network then.
	leave float64
	back  *backWalk
}

// instruction is a route to follow (nil: shelter in place), from when.
type instruction struct {
	from   float64      // simulation seconds
	route  [][2]float64 // plant metres
	muster [2]float64   // the muster point's centre
	radius float64
}

// evacuate takes an evacuation notice at t. It returns how long after t
// the wearer acknowledges it (0: they do not, or did already), and false
// for a stale notice.
func (p *person) evacuate(n notice, in instruction, t float64) (float64, bool) {
	p.advanceEvac(t)
	e := p.ev
	at := 0.0
	if !n.at.IsZero() {
		at = float64(n.at.UnixMilli()) / 1000
	}
	if e != nil && e.order == n.order {
		if at > 0 && at < e.lastAt {
			return 0, false
		}
		e.lastAt = max(e.lastAt, at)
		if p.escort != nil {
			return 0, true
		}
		in.from = t + uniform(p.er, glanceMinS, glanceMaxS)
		if e.pending != nil {
			in.from = e.pending.from // they have not looked yet
		}
		e.pending = &in
		return 0, true
	}
	if e == nil {
		e = &evacuation{leave: math.Inf(1)}
		p.ev = e
	}
	e.order, e.lastAt = n.order, at
	pocket := p.er.Float64() < pocketShare
	delay := uniform(p.er, reactMinS, reactMaxS)
	if pocket {
		delay = uniform(p.er, pocketMinS, pocketMaxS)
	}
	if e.walk != nil && math.IsInf(e.leave, 1) {
		delay = uniform(p.er, glanceMinS, glanceMaxS) // already out under another order
	}
	if p.escort == nil {
		in.from = t + delay
		e.pending = &in
	}
	if pocket {
		return 0, true
	}
	return delay, true
}

// allClear ends the person's part in order at t.
func (p *person) allClear(order string, t float64) {
	p.advanceEvac(t)
	e := p.ev
	if e == nil || e.order != order {
		return
	}
	e.pending = nil
	if e.walk == nil {
		p.ev = nil // they never left
		return
	}
	if math.IsInf(e.leave, 1) {
		e.leave = t + uniform(p.er, leaveMinS, leaveMaxS)
	}
}

// advanceEvac runs the person's evacuation up to t, event by event: an
// instruction taking effect, leaving after the all-clear, reaching the
// network and the routine again.
func (p *person) advanceEvac(t float64) {
	inf := math.Inf(1)
	for e := p.ev; e != nil && p.escort == nil; e = p.ev {
		sw, lv, bk := inf, inf, inf
		if e.pending != nil {
			sw = e.pending.from
		}
		switch {
		case e.back != nil:
			bk = e.back.tr.end()
		case e.walk != nil:
			lv = e.leave
		}
		switch {
		case sw <= t && sw <= lv && sw <= bk:
			from := p.evacPlace(sw)
			e.walk, e.back, e.leave = p.newWalk(from, e.pending, sw), nil, inf
			e.pending = nil
		case lv <= t && lv <= bk:
			e.back = p.backWalk(e.walk.at(lv), lv)
		case bk <= t:
			p.resume(e.back, bk)
			e.walk, e.back, e.leave = nil, nil, inf
			if e.pending == nil {
				p.ev = nil
			}
		default:
			return
		}
	}
}

// evacPlace returns where the person is at t as things stand: on the walk
// back, on the evacuation walk, else at their routine.
func (p *person) evacPlace(t float64) pos {
	switch e := p.ev; {
	case e != nil && e.back != nil:
		return e.back.tr.at(t)
	case e != nil && e.walk != nil:
		return e.walk.at(t)
	}
	return p.routine(t)
}

// evacWalk is an instruction in force: a walk to a place at the muster
// point and the wait there, or a stay where the person was (tr nil).
type evacWalk struct {
	tr     *trip
	hold   pos        // shelter in place: where they stay
	stand  pos        // the place at the muster point
	wander [4]float64 // the shifting while they wait: period, phase per axis
}

func (w *evacWalk) at(t float64) pos {
	if w.tr == nil {
		return w.hold
	}
	if t < w.tr.end() {
		return w.tr.at(t)
	}
	ps, dt := w.stand, t-w.tr.end()
	shift := func(period, phase float64) float64 {
		return wanderM * (math.Sin(2*math.Pi*dt/period+phase) - math.Sin(phase))
	}
	ps.p[0] += shift(w.wander[0], w.wander[1])
	ps.p[1] += shift(w.wander[2], w.wander[3])
	return ps
}

// newWalk starts instruction in at time at from position from.
func (p *person) newWalk(from pos, in *instruction, at float64) *evacWalk {
	from.speed, from.moving = 0, false
	w := &evacWalk{hold: from}
	if len(in.route) == 0 {
		return w
	}
	r := p.er
	rs := min(standShare*in.radius, standMaxM)
	a, d := uniform(r, 0, 2*math.Pi), rs*math.Sqrt(r.Float64())
	stand := [2]float64{in.muster[0] + d*math.Cos(a), in.muster[1] + d*math.Sin(a)}
	w.wander = [4]float64{uniform(r, 40, 90), uniform(r, 0, 2*math.Pi), uniform(r, 40, 90), uniform(r, 0, 2*math.Pi)}
	b := pathBuilder{g: p.m.g}
	b.start(from)
	k, q := nearestOnRoute(in.route, from.p)
	if math.Hypot(q[0]-from.p[0], q[1]-from.p[1]) > joinDirectM {
		b.network(q) // else straight (the first leg of follow)
	}
	b.follow(append([][2]float64{q}, in.route[k+1:]...))
	b.follow([][2]float64{stand})
	if len(b.path.Points) == 1 {
		b.add(from.p, from.level, from.edge, 0)
	}
	w.tr = newTrip(b.path, route.Snap{}, at, func(leg int) float64 {
		if e := b.path.Edges[leg]; e >= 0 && stairs(p.m.g.Edge(e)) {
			return evacStairsMS
		}
		return evacWalkMS
	})
	w.stand = w.tr.at(w.tr.end())
	w.stand.p = stand
	return w
}

func stairs(e route.Edge) bool { return e.Floor != e.FloorTo }

func sign(x float64) float64 {
	switch {
	case x > 1e-9:
		return 1
	case x < -1e-9:
		return -1
	}
	return 0
}

// nearestOnRoute returns the first leg k of route holding its point q
// nearest to p (for a route of one point, that point and k 0).
func nearestOnRoute(rt [][2]float64, p [2]float64) (int, [2]float64) {
	k, q, best := 0, rt[0], math.Inf(1)
	for i := 0; i+1 < len(rt); i++ {
		t, d := project(rt[i], rt[i+1], p)
		if d < best-1e-9 {
			k, q, best = i, lerp2(rt[i], rt[i+1], t), d
		}
	}
	return k, q
}

// project returns the fraction along segment a–b nearest to p and the
// distance from p to it.
func project(a, b, p [2]float64) (float64, float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	q := lerp2(a, b, t)
	return t, math.Hypot(p[0]-q[0], p[1]-q[1])
}

func lerp2(a, b [2]float64, t float64) [2]float64 {
	return [2]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// pathBuilder assembles a walk from network paths and route legs.
type pathBuilder struct {
	g    *route.Graph // nil without a network
	path route.Path
	edge int     // the edge the walk is on (-1 off the network)
	dir  float64 // which way along it: +1 towards To, -1 towards From, 0 not known
}

func (b *pathBuilder) start(from pos) {
	b.path = route.Path{Points: [][2]float64{from.p}, Levels: []float64{from.level}}
	b.edge = from.edge
}

func (b *pathBuilder) last() ([2]float64, float64) {
	n := len(b.path.Points) - 1
	return b.path.Points[n], b.path.Levels[n]
}

func (b *pathBuilder) add(p [2]float64, level float64, edge int, legM float64) {
	b.dir = 0
	if edge >= 0 {
		at, _ := b.last()
		ta, _ := b.project(edge, at)
		tb, _ := b.project(edge, p)
		b.dir = sign(tb - ta)
	}
	b.path.Points = append(b.path.Points, p)
	b.path.Levels = append(b.path.Levels, level)
	b.path.Edges = append(b.path.Edges, edge)
	b.path.LegsM = append(b.path.LegsM, legM)
	b.path.LengthM += legM
	b.edge = edge
}

// network walks the simulator's network from where the walk is to q (on
// the route, on the walk's floor first); it adds nothing when either end
// is off the network or there is no way.
func (b *pathBuilder) network(q [2]float64) {
	if b.g == nil {
		return
	}
	at, level := b.last()
	from, ok := b.snap(at, level)
	if !ok {
		return
	}
	to, ok := b.snap(q, level)
	if !ok {
		return
	}
	sp, err := b.g.Shortest(from, to, route.Pedestrian)
	if err != nil {
		return
	}
	for i, e := range sp.Edges {
		b.add(sp.Points[i+1], sp.Levels[i+1], e, sp.LegsM[i])
	}
}

// snap returns the network point nearest to p within matchM, preferring
// the walk's edge, then edges at level.
func (b *pathBuilder) snap(p [2]float64, level float64) (route.Snap, bool) {
	if b.edge >= 0 {
		if t, d := b.project(b.edge, p); d <= matchM {
			return b.g.At(b.edge, t), true
		}
	}
	best, bestT, bestScore := -1, 0.0, math.Inf(1)
	b.search(p, p, func(i int, e *route.Edge) {
		t, d := b.project(i, p)
		if d > matchM {
			return
		}
		if s := math.Abs(levelAt(b.g, e, t)-level)*1000 + d; s < bestScore {
			best, bestT, bestScore = i, t, s
		}
	})
	if best < 0 {
		return route.Snap{}, false
	}
	return b.g.At(best, bestT), true
}

// follow walks the points in turn, each leg along the edge it runs on
// when there is one (see matchLeg), else straight.
func (b *pathBuilder) follow(pts [][2]float64) {
	for _, q := range pts {
		at, level := b.last()
		if q == at {
			continue
		}
		if e, ta, tb, ok := b.matchLeg(at, q, level); ok {
			_, lv := b.g.PointAt(e, tb)
			b.add(q, lv, e, math.Abs(tb-ta)*b.g.Edge(e).LengthM)
			continue
		}
		b.add(q, level, -1, math.Hypot(q[0]-at[0], q[1]-at[1]))
	}
}

// matchLeg returns the pedestrian edge leg a–q runs along: both ends
// within matchM of its line, at the walk's level (an edge on another
// floor stacked above it loses), not up where it could go level or down
// (the way out of a building is down), then the closest; and the
// fractions along it of a and q. A route never turns back along the edge
// it came by: where flights of stairs and corridors are stacked (a
// switchback staircase drawn on one line), that is what tells the next
// flight down from the one just taken.
func (b *pathBuilder) matchLeg(a, q [2]float64, level float64) (int, float64, float64, bool) {
	if b.g == nil {
		return -1, 0, 0, false
	}
	best, bestA, bestB, bestScore := -1, 0.0, 0.0, math.Inf(1)
	b.search(a, q, func(i int, e *route.Edge) {
		ta, da := b.project(i, a)
		tb, db := b.project(i, q)
		if da > matchM || db > matchM || i == b.edge && b.dir != 0 && sign(tb-ta) == -b.dir {
			return
		}
		climb := max(0, levelAt(b.g, e, tb)-levelAt(b.g, e, ta))
		if s := math.Abs(levelAt(b.g, e, ta)-level)*1000 + climb*2000 + da + db; s < bestScore {
			best, bestA, bestB, bestScore = i, ta, tb, s
		}
	})
	return best, bestA, bestB, best >= 0
}

// search calls fn for the pedestrian edges near the box of a and b, in
// index order.
func (b *pathBuilder) search(a, q [2]float64, fn func(int, *route.Edge)) {
	lo := [2]float64{min(a[0], q[0]) - matchM, min(a[1], q[1]) - matchM}
	hi := [2]float64{max(a[0], q[0]) + matchM, max(a[1], q[1]) + matchM}
	var found []int
	b.g.Search(lo, hi, func(i int) bool {
		found = append(found, i)
		return true
	})
	slices.Sort(found)
	for _, i := range found {
		if e := b.g.Edge(i); e.Allows(route.Pedestrian) {
			fn(i, &e)
		}
	}
}

func (b *pathBuilder) project(edge int, p [2]float64) (float64, float64) {
	e := b.g.Edge(edge)
	return project(b.g.Node(e.From).P, b.g.Node(e.To).P, p)
}

// levelAt is the storey at fraction t of e.
func levelAt(g *route.Graph, e *route.Edge, t float64) float64 {
	a, b := g.Node(e.From).Level, g.Node(e.To).Level
	return a + (b-a)*t
}

// backWalk is the walk back to the network after the all-clear.
type backWalk struct {
	tr    *trip
	to    route.Snap
	onNet bool
}

// backWalk walks from from, at time at and the person's routine pace,
// straight to the nearest walkway on their floor (nowhere when they are
// on one), or, off the network, to where they stand.
func (p *person) backWalk(from pos, at float64) *backWalk {
	from.speed, from.moving = 0, false
	g := p.m.g
	bw := &backWalk{}
	dest, edge := p.fixed, -1
	switch {
	case g != nil && p.onNet && from.edge >= 0:
		bw.to, bw.onNet = snapAt(g, from), true
		dest, edge = bw.to.Point, from.edge
	case g != nil && p.onNet:
		floor, _ := p.m.floorZ(from)
		snap, ok := g.NearestOn(from.p, floor, route.Pedestrian)
		if !ok {
			snap, ok = g.Nearest(from.p, route.Pedestrian)
		}
		if ok {
			bw.to, bw.onNet = snap, true
			dest = snap.Point
		} else {
			dest = from.p
		}
	}
	path := route.Path{Points: [][2]float64{from.p, dest}, Levels: []float64{from.level, from.level}, Edges: []int{edge},
		LegsM: []float64{math.Hypot(dest[0]-from.p[0], dest[1]-from.p[1])}}
	if bw.onNet {
		path.Levels[1] = bw.to.Level
	}
	bw.tr = newTrip(path, bw.to, at, func(int) float64 { return p.walkMS })
	return bw
}

// resume puts the person back to their routine at t, where the walk back
// ended: they head for their post area (or wherever their menu sends
// them) at once, to the spot they held or another free one.
func (p *person) resume(bw *backWalk, t float64) {
	p.take(nil)
	if bw.onNet {
		p.here = bw.to
		p.label = label(p.m.g, p.m.ped, bw.to.Edge)
	}
	p.trip, p.at, p.until = nil, destArea, t
	p.crowdEnd = min(p.crowdEnd, t)
	p.holds = slices.DeleteFunc(p.holds, func(w window) bool { return w.from < t })
}
