package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/chemtwin/chemtwin/geo/route"
)

// Gathering episode (Options.Episodes): routine work never crowds a
// process area (spots.go), so that the gathering alarm means something; a
// scripted episode shows it. Every 20–40 min (the first 2.5–5 min after
// the start) 4–5 people — staff and contractors, the nearest to one spot
// well inside a production area (8 m from its edge, off the thoroughfares)
// and well out of any exempt zone, none further than a 250 m walk — leave
// what they do, gather at the spot within a few metres of each other, stay
// together for 3 min after the last of them arrives, and go back to work
// one by one, 30–45 s apart (not as a group walking on together): the
// crowd of the 2023 gathering-risk guide, which twin/gather raises orange
// after a minute.
const (
	crowdMinPeople = 4
	crowdMaxPeople = 5
	crowdHoldS     = 180.0
	crowdLeaveMinS = 30.0 // between one leaving and the next
	crowdLeaveMaxS = 45.0
	crowdMaxWalkM  = 250.0
	crowdStandM    = 3.0 // how far along the walkway from the spot they stand
	crowdTries     = 5   // spots tried before the episode is skipped
	// crowdInsideM keeps the crowd off the walkways along an area's edge,
	// the plant's thoroughfares.
	crowdInsideM = 8.0
	// crowdSpanS bounds an episode from the call to the last one leaving:
	// a 250 m walk at 0.9 m/s, the hold and the leaving.
	crowdSpanS = 720.0
)

// crowd schedules the gathering episodes. It is an emitter that publishes
// nothing: running in the schedule at its exact time keeps the stream the
// same whatever the tick.
type crowd struct {
	m      *model
	r      *rand.Rand
	people []*person      // who may be called: staff and contractors on their own
	sites  []*spot        // watched spots of production areas
	log    []crowdEpisode // the latest episodes, oldest first (crowdLogN)
}

// crowdLogN is how many episodes the crowd remembers.
const crowdLogN = 16

// crowdEpisode is one gathering that took place.
type crowdEpisode struct {
	from, to float64 // simulation seconds: the call, the last one leaving
	at       [2]float64
	tags     []string
}

func newCrowd(m *model, people []*person) *crowd {
	c := &crowd{m: m, r: newRand(m.seed, "episodes/crowd")}
	for _, p := range people {
		if p.who != visitor && p.escort == nil {
			c.people = append(c.people, p)
		}
	}
	seen := map[*spot]bool{}
	for _, pl := range m.places.areas {
		if pl.typ != "production" {
			continue
		}
		for _, s := range pl.spots {
			q := orb.Point{s.at.Point[0], s.at.Point[1]}
			if s.exposed && !seen[s] && planar.PolygonContains(pl.poly, q) && planar.DistanceFrom(pl.poly, q) >= crowdInsideM {
				seen[s] = true
				c.sites = append(c.sites, s)
			}
		}
	}
	return c
}

// first returns the due time of the first episode, ms after time zero.
func (c *crowd) first() int64 { return int64(uniform(c.r, 150, 300) * 1000) }

func (c *crowd) emit(ms int64) (Message, bool, int64) {
	t := c.m.sec(ms)
	for range crowdTries {
		if c.call(c.sites[c.r.IntN(len(c.sites))], t) {
			break
		}
	}
	return Message{}, false, ms + int64(uniform(c.r, 1200, 2400)*1000)
}

// called is one person's walk to the crowd.
type called struct {
	p    *person
	from route.Snap
	path route.Path
	dest route.Snap
	d    float64
}

// call gathers 4–5 people at site from simulation time t; it reports false
// when too few can come.
func (c *crowd) call(site *spot, t float64) bool {
	g := c.m.g
	var cs []called
	for _, p := range c.people {
		if !p.onNet || p.label != site.label || p.busy(t) {
			continue
		}
		ps := p.position(t)
		if d := math.Hypot(ps.p[0]-site.at.Point[0], ps.p[1]-site.at.Point[1]); d <= crowdMaxWalkM {
			from := p.here
			if p.trip != nil {
				from = snapAt(g, ps)
			}
			cs = append(cs, called{p: p, from: from, d: d})
		}
	}
	slices.SortFunc(cs, func(a, b called) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		return cmp.Compare(a.p.id, b.p.id)
	})
	want := crowdMinPeople + c.r.IntN(crowdMaxPeople-crowdMinPeople+1)
	var come []called
	for _, cd := range cs {
		if len(come) == want {
			break
		}
		l := g.Edge(site.at.Edge).LengthM
		cd.dest = g.At(site.at.Edge, site.at.T+uniform(c.r, -crowdStandM, crowdStandM)/math.Max(l, 1))
		path, err := g.Shortest(cd.from, cd.dest, route.Pedestrian)
		if err != nil || path.LengthM > crowdMaxWalkM {
			continue
		}
		cd.path = path
		come = append(come, cd)
	}
	if len(come) < crowdMinPeople {
		return false
	}
	ep := crowdEpisode{from: t, at: site.at.Point}
	last := t
	for i := range come {
		cd := &come[i]
		p := cd.p
		p.here, p.trip, p.at = cd.from, nil, destArea
		p.take(site)
		if cd.path.LengthM >= 1 {
			p.trip = p.walk(cd.path, cd.dest, t)
			p.tripTo = destCrowd
			last = max(last, p.trip.end())
		} else {
			p.here, p.at = cd.dest, destCrowd
		}
		ep.tags = append(ep.tags, p.tag.id)
	}
	leave := last + crowdHoldS
	for _, i := range c.r.Perm(len(come)) {
		p := come[i].p
		p.crowdEnd = leave
		if p.trip == nil {
			p.until = p.crowdEnd
		}
		ep.to = max(ep.to, p.crowdEnd)
		leave += uniform(c.r, crowdLeaveMinS, crowdLeaveMaxS)
	}
	slices.Sort(ep.tags)
	if len(c.log) == crowdLogN {
		c.log = slices.Delete(c.log, 0, 1)
	}
	c.log = append(c.log, ep)
	return true
}

// busy reports whether a person cannot be called at t: already in a
// crowd, escorting visitors, about to hold SOS, or told to evacuate.
func (p *person) busy(t float64) bool {
	if p.crowdEnd > t || p.party > 1 || p.ev != nil {
		return true
	}
	for _, w := range p.holds {
		if w.from < t+crowdSpanS && w.to > t {
			return true
		}
	}
	return false
}
