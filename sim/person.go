package sim

import (
	"math"
	"math/rand/v2"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// Walking. Plant staff walk 1.0–1.5 m/s (each person draws a pace once,
// and varies it ±10 % per walk); along a flight of stairs they cover 60 %
// of that. A person who waits more than an hour of simulation time between
// steps (a stalled process) is re-planned from the present instead of
// replaying the missed walks.
const (
	minWalkMS    = 1.0
	maxWalkMS    = 1.5
	tripJitter   = 0.1
	stairsFactor = 0.6
	maxCatchUpS  = 3600.0
)

// identity is AQ 3064.3-2025's person type: internal 01, contractor 02,
// visitor 03.
type identity uint8

const (
	internal identity = iota
	contractor
	visitor
)

func identityOf(e *twin.Entity) identity {
	switch e.String("identity_type") {
	case "contractor":
		return contractor
	case "visitor":
		return visitor
	}
	return internal
}

// person walks the pedestrian network. Its plan alternates dwelling at a
// point and walking to the next; see the package documentation for the
// destination menu and the dwell times.
type person struct {
	m      *model
	id     string
	who    identity
	rng    *rand.Rand
	tag    tag
	walkMS float64
	home   *place
	label  int // pedestrian component
	onNet  bool
	here   route.Snap // where the person stands between walks
	fixed  [2]float64 // where a person off the network stands
	at     dest       // the kind of place the person is at
	trip   *trip
	tripTo dest
	until  float64  // end of the current dwell, simulation seconds
	holds  []window // SOS presses: the person stops where they are
	// escort is the person a visitor walks with, offset metres beside them.
	escort *person
	offset [2]float64
	// spot is where the person works or waits, or walks to; party counts
	// the person and the visitors beside them.
	spot  *spot
	party int
	// crowdEnd is when a person called to a gathering episode leaves it.
	crowdEnd float64
	// ble: the tag reports the beacons it hears (ble.go), into heard.
	ble   bool
	heard []heard
	// ev is the person's part in an evacuation order, er the stream of its
	// draws (evacuate.go).
	ev *evacuation
	er *rand.Rand
}

func (s *Sim) buildPeople(es []*twin.Entity) []*person {
	var out []*person
	for _, e := range es {
		if e.Mobile == nil || !topicLevel(e.Mobile.Tag) {
			s.skipped++
			continue
		}
		r := newRand(s.m.seed, "person/"+e.ID)
		p := &person{m: s.m, id: e.ID, who: identityOf(e), rng: r, walkMS: uniform(r, minWalkMS, maxWalkMS), party: 1}
		p.tag = newTag(e.Mobile.Tag, s.m.site+"tags/"+e.Mobile.Tag+"/position", r, false)
		p.home = s.m.places.homeOf(e, p.who, s.m.frame)
		p.seat(e)
		out = append(out, p)
	}
	assignEscorts(out)
	return out
}

// seat puts the person at their start: their last known position, else a
// free spot of their post area, else the free spot nearest to it (see
// spots.go); on a network without spots, a point of the post area or of
// the main network. The simulation starts in the middle of the working
// day: each person is part way through a dwell, so the plant does not set
// off all at once.
func (p *person) seat(e *twin.Entity) {
	g := p.m.g
	if p.home != nil {
		p.fixed = p.home.center
	}
	defer func() { p.until = p.rng.Float64() * p.stay() }()
	if g == nil {
		return
	}
	snap, ok := route.Snap{}, false
	if e.Geometry != nil {
		snap, ok = g.NearestOn(plantPoint(p.m.frame, e.Point()), e.Mobile.Fix.Floor, route.Pedestrian)
	}
	if !ok {
		var s *spot
		if p.home != nil {
			s = p.m.pickSpot(p.rng, p.home.spots, anyLabel, p.party, nil)
			if s == nil {
				s = p.m.nearestFree(p.rng, p.home.center, anyLabel, p.party, nil)
			}
		} else {
			s = p.m.pickSpot(p.rng, p.m.spots, anyLabel, p.party, nil)
		}
		if s != nil {
			p.take(s)
			snap, ok = s.stand(p.rng, g), true
		}
	}
	if !ok && p.home != nil {
		snap, ok = p.home.pick(p.rng, p.m, anyLabel, route.Pedestrian)
	}
	if !ok {
		snap, ok = p.m.mainPed.pick(p.rng, g, p.m.ped, anyLabel, nil)
	}
	if !ok {
		return
	}
	p.here, p.onNet = snap, true
	p.label = label(g, p.m.ped, snap.Edge)
	p.at = destArea
	if p.home != nil && p.home.has(snap.Edge) {
		p.at = destHome
	}
}

// assignEscorts pairs each visitor with an internal person (preferring
// office staff), whom the visitor then follows a metre or two away.
func assignEscorts(people []*person) {
	var hosts, office []*person
	for _, p := range people {
		if p.who == internal && p.onNet {
			hosts = append(hosts, p)
			if p.home != nil && (p.home.typ == "office" || p.home.kind == twin.KindBuilding) {
				office = append(office, p)
			}
		}
	}
	if len(office) > 0 {
		hosts = office
	}
	k := 0
	for _, p := range people {
		if p.who != visitor || len(hosts) == 0 {
			continue
		}
		p.escort = hosts[k%len(hosts)]
		p.take(nil) // the visitor goes where the escort goes
		p.escort.party++
		if p.escort.spot != nil {
			p.escort.spot.n++
		}
		k++
		d, a := uniform(p.rng, 1.0, 2.0), uniform(p.rng, 0, 2*math.Pi)
		p.offset = [2]float64{d * math.Cos(a), d * math.Sin(a)}
	}
}

// emit publishes the person's position at ms, or, from a BLE tag, the
// beacons it hears (none heard: no message).
func (p *person) emit(ms int64) (Message, bool, int64) {
	t := p.m.sec(ms)
	ps := p.position(t)
	floor, z := p.m.floorZ(ps)
	next := ms + positionPeriodMS
	if p.ble {
		batt := p.tag.drain(t)
		p.heard = p.m.beacons.hear(p.rng, ps.p, z+tagHeightM, route.Storey(floor), p.heard)
		if len(p.heard) == 0 {
			return Message{}, false, next
		}
		return Message{Topic: p.tag.topic, Payload: rssiPayload(p.heard, batt, p.tag.sosAt(t), ms)}, true, next
	}
	meas, batt := p.tag.fix(ps.p, t)
	payload := p.m.positionPayload(meas, z, floor, batt, p.tag.sosAt(t), ps.speed, ms)
	return Message{Topic: p.tag.topic, Payload: payload}, true, next
}

// position returns where the person truly is at simulation time t.
func (p *person) position(t float64) pos {
	if p.escort != nil {
		ps := p.escort.position(t)
		ps.p = [2]float64{ps.p[0] + p.offset[0], ps.p[1] + p.offset[1]}
		return ps
	}
	if p.ev != nil {
		p.advanceEvac(t)
		return p.evacPlace(t)
	}
	return p.routine(t)
}

// routine returns where the person's routine has them at t.
func (p *person) routine(t float64) pos {
	p.advance(t)
	switch {
	case p.trip != nil:
		return p.trip.at(t)
	case p.onNet:
		return pos{p: p.here.Point, level: p.here.Level, edge: p.here.Edge}
	}
	return pos{p: p.fixed, edge: -1}
}

// advance runs the plan up to t, stopping the person at each SOS press.
func (p *person) advance(t float64) {
	for len(p.holds) > 0 && p.holds[0].from <= t {
		w := p.holds[0]
		p.holds = p.holds[1:]
		p.step(w.from)
		if p.trip != nil {
			p.here = snapAt(p.m.g, p.trip.at(w.from))
			p.trip = nil
		}
		p.until = w.to + 30 // they stay a little after help has come
	}
	p.step(t)
}

// stay draws how long the person stays where they are now (dwell),
// within their spot's bound.
func (p *person) stay() float64 {
	d := p.dwell(p.at)
	if p.spot != nil && p.spot.maxStayS > 0 {
		d = min(d, p.spot.maxStayS)
	}
	return d
}

// step runs the dwell–walk cycle up to t.
func (p *person) step(t float64) {
	for {
		if p.trip != nil {
			if t < p.trip.end() {
				return
			}
			p.here, p.at = p.trip.dest, p.tripTo
			if p.at == destCrowd {
				p.until = max(p.crowdEnd, p.trip.end())
			} else {
				p.until = p.trip.end() + p.stay()
			}
			p.trip = nil
			continue
		}
		if t < p.until {
			return
		}
		if t-p.until > maxCatchUpS {
			p.until = t
		}
		p.plan(p.until)
	}
}

// plan starts the next walk at simulation time at, or, when there is
// nowhere to go, extends the dwell.
func (p *person) plan(at float64) {
	d := p.choose()
	if p.onNet {
		if s, dest, path, ok := p.way(d); ok {
			p.take(s)
			p.trip = p.walk(path, dest, at)
			p.tripTo = d
			return
		}
		if p.spot != nil && p.spot.bounded() && p.at != destCrowd {
			// Nowhere to go from a spot with a bounded stay: on to the next
			// gauge or valve along the walkway instead.
			if dest, path, ok := p.stepAlong(); ok {
				p.trip = p.walk(path, dest, at)
				p.tripTo = p.at
				return
			}
		}
	}
	p.until = at + p.stay()
}

// way picks a spot for destination kind d and the way there: at the post,
// the nearest on foot of four free spots drawn in the post area (most
// moves at a post are short, from one gauge or valve to the next), or none
// while the person holds one; else see pickIn. It reports false when there
// is nowhere to go.
func (p *person) way(d dest) (*spot, route.Snap, route.Path, bool) {
	g := p.m.g
	if d == destHome && p.at == destHome && p.home != nil {
		var best *spot
		var bestDest route.Snap
		var bestPath route.Path
		for range nearbyDraws {
			s := p.m.pickSpot(p.rng, p.home.spots, p.label, p.party, p.spot)
			if s == nil {
				break
			}
			dest := s.stand(p.rng, g)
			path, err := g.Shortest(p.here, dest, route.Pedestrian)
			if err == nil && path.LengthM >= 1 && path.LengthM <= nearbyMaxM && (best == nil || path.LengthM < bestPath.LengthM) {
				best, bestDest, bestPath = s, dest, path
			}
		}
		if best != nil || p.spot != nil {
			return best, bestDest, bestPath, best != nil
		}
	}
	s := p.pickIn(d)
	if s == nil {
		return nil, route.Snap{}, route.Path{}, false
	}
	dest := s.stand(p.rng, g)
	path, err := g.Shortest(p.here, dest, route.Pedestrian)
	if err != nil || path.LengthM < 1 {
		return nil, route.Snap{}, route.Path{}, false
	}
	return s, dest, path, true
}

// stepAlong is the way to where a person at a spot with a bounded stay
// stands next: stepAlongMinM–stepAlongMaxM along its walkway from the spot,
// or back at it, whichever of these is farthest from where they stand (at
// least stepAlongGapM, more than a static fence's radius), so that they
// stay by their spot and yet never stand still for long.
func (p *person) stepAlong() (route.Snap, route.Path, bool) {
	g, s := p.m.g, p.spot
	l := g.Edge(s.at.Edge).LengthM
	if l <= 0 {
		return route.Snap{}, route.Path{}, false
	}
	cur := s.at.T
	if p.here.Edge == s.at.Edge {
		cur = p.here.T
	}
	best, gap := -1.0, 0.0
	// A step of a drawn length, or of the longest when that is too short
	// from where they stand.
	for _, d := range [...]float64{uniform(p.rng, stepAlongMinM, stepAlongMaxM) / l, stepAlongMaxM / l} {
		for _, t := range [...]float64{s.at.T + d, s.at.T - d, s.at.T} {
			if t >= 0 && t <= 1 && math.Abs(t-cur)*l > gap {
				best, gap = t, math.Abs(t-cur)*l
			}
		}
		if gap >= stepAlongGapM {
			break
		}
	}
	if gap < stepAlongGapM {
		return route.Snap{}, route.Path{}, false
	}
	dest := g.At(s.at.Edge, best)
	path, err := g.Shortest(p.here, dest, route.Pedestrian)
	if err != nil || path.LengthM < 1 {
		return route.Snap{}, route.Path{}, false
	}
	return dest, path, true
}

// A step along the walkway at a spot with a bounded stay: to 8–10 m from
// the spot, at least 8 m from where the person stood. The fence engine's
// static radius is 3 m, but its reference point follows the smoothed
// position while the person walks, so a step must be over twice that to
// restart its clock for certain.
const (
	stepAlongMinM = 8.0
	stepAlongMaxM = 10.0
	stepAlongGapM = 8.0
)

// A move at the post chooses from nearbyDraws spots, none more than
// nearbyMaxM away on foot: where the walkways take a long way round, the
// person stays a while longer instead.
const (
	nearbyDraws = 4
	nearbyMaxM  = 150.0
)

// walk times a walk along path from at, at the person's pace (±10 %) and
// slower on stairs.
func (p *person) walk(path route.Path, dest route.Snap, at float64) *trip {
	v := p.walkMS * uniform(p.rng, 1-tripJitter, 1+tripJitter)
	return newTrip(path, dest, at, func(leg int) float64 {
		if e := p.m.g.Edge(path.Edges[leg]); e.Floor != e.FloorTo {
			return v * stairsFactor
		}
		return v
	})
}

// take moves the person's reservation to spot s (nil: none).
func (p *person) take(s *spot) {
	if p.spot != nil {
		p.spot.n -= p.party
	}
	p.spot = s
	if s != nil {
		s.n += p.party
	}
}

// pickIn draws a free spot at a destination of kind d in the person's part
// of the network, other than the one they hold. It falls back to the post
// area; when that is full too, a person who holds a spot stays there a
// while longer (nil), one who holds none, or leaves a gathering episode,
// goes to the nearest free spot.
func (p *person) pickIn(d dest) *spot {
	m := p.m
	if pl := m.places.of(d, p.rng); pl != nil {
		if s := m.pickSpot(p.rng, pl.spots, p.label, p.party, p.spot); s != nil {
			return s
		}
	}
	if p.home != nil {
		if s := m.pickSpot(p.rng, p.home.spots, p.label, p.party, p.spot); s != nil {
			return s
		}
	} else if s := m.pickSpot(p.rng, m.spots, p.label, p.party, p.spot); s != nil {
		return s
	}
	if p.spot != nil && p.at != destCrowd {
		return nil // stay a while longer
	}
	return m.nearestFree(p.rng, p.here.Point, p.label, p.party, p.spot)
}
