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
}

func (s *Sim) buildPeople(es []*twin.Entity) []*person {
	var out []*person
	for _, e := range es {
		if e.Mobile == nil || !topicLevel(e.Mobile.Tag) {
			s.skipped++
			continue
		}
		r := newRand(s.m.seed, "person/"+e.ID)
		p := &person{m: s.m, id: e.ID, who: identityOf(e), rng: r, walkMS: uniform(r, minWalkMS, maxWalkMS)}
		p.tag = newTag(e.Mobile.Tag, s.m.site+"tags/"+e.Mobile.Tag+"/position", r, false)
		p.home = s.m.places.homeOf(e, p.who, s.m.frame)
		p.seat(e)
		out = append(out, p)
	}
	assignEscorts(out)
	return out
}

// seat puts the person at their start: their last known position, else a
// point of their post area, else anywhere on the main network.
func (p *person) seat(e *twin.Entity) {
	g := p.m.g
	p.until = uniform(p.rng, 0, 120) // not everyone sets off in the first second
	if p.home != nil {
		p.fixed = p.home.center
	}
	if g == nil {
		return
	}
	snap, ok := route.Snap{}, false
	if e.Geometry != nil {
		snap, ok = g.NearestOn(plantPoint(p.m.frame, e.Point()), e.Mobile.Fix.Floor, route.Pedestrian)
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
		k++
		d, a := uniform(p.rng, 1.0, 2.0), uniform(p.rng, 0, 2*math.Pi)
		p.offset = [2]float64{d * math.Cos(a), d * math.Sin(a)}
	}
}

// emit publishes the person's position at ms.
func (p *person) emit(ms int64) (Message, bool, int64) {
	t := p.m.sec(ms)
	ps := p.position(t)
	meas, batt := p.tag.fix(ps.p, t)
	floor, z := p.m.floorZ(ps)
	payload := p.m.positionPayload(meas, z, floor, batt, p.tag.sosAt(t), ps.speed, ms)
	return Message{Topic: p.tag.topic, Payload: payload}, true, ms + positionPeriodMS
}

// position returns where the person truly is at simulation time t.
func (p *person) position(t float64) pos {
	if p.escort != nil {
		ps := p.escort.position(t)
		ps.p = [2]float64{ps.p[0] + p.offset[0], ps.p[1] + p.offset[1]}
		return ps
	}
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

// step runs the dwell–walk cycle up to t.
func (p *person) step(t float64) {
	for {
		if p.trip != nil {
			if t < p.trip.end() {
				return
			}
			p.here, p.at = p.trip.dest, p.tripTo
			p.until = p.trip.end() + p.dwell(p.at)
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
		if snap, ok := p.pickIn(d); ok {
			path, err := p.m.g.Shortest(p.here, snap, route.Pedestrian)
			if err == nil && path.LengthM >= 1 {
				v := p.walkMS * uniform(p.rng, 1-tripJitter, 1+tripJitter)
				p.trip = newTrip(path, snap, at, func(leg int) float64 {
					if e := p.m.g.Edge(path.Edges[leg]); e.Floor != e.FloorTo {
						return v * stairsFactor
					}
					return v
				})
				p.tripTo = d
				return
			}
		}
	}
	p.until = at + p.dwell(p.at)
}

// pickIn draws a point at a destination of kind d in the person's part of
// the network, falling back to their post area.
func (p *person) pickIn(d dest) (route.Snap, bool) {
	if d == destHome && p.at == destHome && p.home != nil {
		if snap, ok := p.nearby(); ok {
			return snap, true
		}
	}
	if pl := p.m.places.of(d, p.rng); pl != nil {
		if snap, ok := pl.pick(p.rng, p.m, p.label, route.Pedestrian); ok {
			return snap, true
		}
	}
	if p.home != nil {
		if snap, ok := p.home.pick(p.rng, p.m, p.label, route.Pedestrian); ok {
			return snap, true
		}
	}
	return p.m.mainPed.pick(p.rng, p.m.g, p.m.ped, p.label, nil)
}

// nearby draws four points of the post area and keeps the closest: most
// moves at a post are short, from one gauge or valve to the next.
func (p *person) nearby() (route.Snap, bool) {
	var best route.Snap
	bestD := math.Inf(1)
	for range 4 {
		if s, ok := p.home.pick(p.rng, p.m, p.label, route.Pedestrian); ok {
			if d := math.Hypot(s.Point[0]-p.here.Point[0], s.Point[1]-p.here.Point[1]); d < bestD {
				best, bestD = s, d
			}
		}
	}
	return best, !math.IsInf(bestD, 1)
}
