package inspect

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/chemtwin/chemtwin/geo"
)

// DefaultMaxGap is how long a tag may stay silent before its stays end:
// at the required 30 fixes a minute (AQ 3064.3—2025, one every 2 s) it is
// 15 missed fixes, so a tag that goes quiet at a point (switched off,
// left on a rail) does not keep dwelling there.
const DefaultMaxGap = 30 * time.Second

// MaxPending bounds the finished auto check-in stays waiting for Due; the
// oldest are dropped beyond it (Due is meant to run every few seconds).
const MaxPending = 10_000

// Dwell tracks, per person, which inspection points their tag is within
// (the point's radius, metres) and since when, fed by the tag's fixes in
// time order. A stay at a point begins with the first fix inside the
// radius and ends with the first fix outside it, or — when the next fix
// comes more than MaxGap after the last one (a silent tag) — at the last
// fix: the silence is not counted as presence. A fix older than the
// person's last is ignored.
//
// The zero value is ready to use, with no points. Dwell is safe for
// concurrent use; set MaxGap before first use.
type Dwell struct {
	// MaxGap: the longest silence a stay survives; 0 means DefaultMaxGap.
	MaxGap time.Duration

	mu      sync.Mutex
	tree    rtree.RTreeG[*dwellPoint] // each point's radius circle's bound
	points  map[string]*dwellPoint
	people  map[string]*track
	pending []Stay // ended auto stays that reached the dwell, unreported
	hits    []*dwellPoint
}

// Stay is a tag's time within a point's radius: from the first fix inside
// to the last fix inside so far (Last, at Location).
type Stay struct {
	Person   string    `json:"person"`
	Point    string    `json:"point"`
	Since    time.Time `json:"since"`
	Last     time.Time `json:"last"`
	Location orb.Point `json:"location"`
}

// Dwell is how long the fixes show the tag within the radius.
func (s Stay) Dwell() time.Duration { return s.Last.Sub(s.Since) }

type dwellPoint struct {
	id       string
	loc      orb.Point
	radiusM  float64
	minDwell time.Duration
	auto     bool
}

type track struct {
	last  time.Time
	stays map[string]*stay
}

type stay struct {
	since, last time.Time
	loc         orb.Point
	reported    bool
}

// SetPoints replaces the points tracked. Stays at points no longer in the
// set are dropped; a changed radius applies from the next fix. A point
// without an id, with an invalid location or a radius not in 1–200 m
// refuses the whole set (nothing changes).
func (d *Dwell) SetPoints(points []*Point) error {
	next := make(map[string]*dwellPoint, len(points))
	var tree rtree.RTreeG[*dwellPoint]
	for i, p := range points {
		switch {
		case p == nil || p.ID == "":
			return invalid("dwell: point %d has no id", i+1)
		case !geo.ValidLonLat(p.Location) || !(p.RadiusM >= 1 && p.RadiusM <= 200):
			return invalid("dwell: point %s: location %v radius %v m", p.ID, p.Location, p.RadiusM)
		case next[p.ID] != nil:
			return invalid("dwell: point %s twice", p.ID)
		}
		dp := &dwellPoint{id: p.ID, loc: p.Location, radiusM: p.RadiusM,
			minDwell: time.Duration(p.MinDwellS * float64(time.Second)), auto: p.Auto}
		next[p.ID] = dp
		b := geo.ExpandM(orb.Bound{Min: p.Location, Max: p.Location}, p.RadiusM*1.001)
		tree.Insert(b.Min, b.Max, dp)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.points, d.tree = next, tree
	for _, tr := range d.people {
		for id := range tr.stays {
			if next[id] == nil {
				delete(tr.stays, id)
			}
		}
	}
	return nil
}

// Observe feeds one fix of person's tag at [lon, lat] loc and returns the
// points whose radius the tag entered and left, each sorted. After a
// silence longer than MaxGap every stay ends first, so a point the tag is
// still at is both left and entered again. A fix older than the person's
// last, or with an invalid location, changes nothing.
func (d *Dwell) Observe(person string, at time.Time, loc orb.Point) (entered, left []string) {
	if !geo.ValidLonLat(loc) {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.people == nil {
		d.people = map[string]*track{}
	}
	tr := d.people[person]
	switch {
	case tr == nil:
		tr = &track{stays: map[string]*stay{}}
		d.people[person] = tr
	case at.Before(tr.last):
		return nil, nil
	case at.Sub(tr.last) > d.gap():
		for id, st := range tr.stays {
			left = append(left, id)
			d.end(person, id, st)
		}
	}
	tr.last = at
	d.hits = d.within(loc, d.hits[:0])
	for id, st := range tr.stays {
		if !slices.ContainsFunc(d.hits, func(p *dwellPoint) bool { return p.id == id }) {
			left = append(left, id)
			d.end(person, id, st)
		}
	}
	for _, p := range d.hits {
		if st := tr.stays[p.id]; st != nil {
			st.last, st.loc = at, loc
			continue
		}
		tr.stays[p.id] = &stay{since: at, last: at, loc: loc}
		entered = append(entered, p.id)
	}
	slices.Sort(entered)
	slices.Sort(left)
	return entered, left
}

// Inside reports whether person's tag is within point's radius at now and
// since when: false when it is not, or when its last fix is more than
// MaxGap before now (the stay ended there).
func (d *Dwell) Inside(person, point string, now time.Time) (since time.Time, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tr := d.people[person]
	if tr == nil || now.Sub(tr.last) > d.gap() {
		return time.Time{}, false
	}
	st := tr.stays[point]
	if st == nil {
		return time.Time{}, false
	}
	return st.since, true
}

// Due lists, once per stay, the stays at auto check-in points whose fixes
// have reached the point's MinDwellS — the ongoing ones and those that
// ended since the last call — sorted by start, person and point. It also
// ends the stays of tags silent for longer than MaxGap at now; call it
// every few seconds.
func (d *Dwell) Due(now time.Time) []Stay {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.pending
	d.pending = nil
	for person, tr := range d.people {
		silent := now.Sub(tr.last) > d.gap()
		for id, st := range tr.stays {
			if silent {
				d.end(person, id, st)
				continue
			}
			if p := d.points[id]; p != nil && p.auto && !st.reported && st.last.Sub(st.since) >= p.minDwell {
				st.reported = true
				out = append(out, st.public(person, id))
			}
		}
	}
	out = append(out, d.pending...)
	d.pending = nil
	slices.SortFunc(out, func(a, b Stay) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		if c := strings.Compare(a.Person, b.Person); c != 0 {
			return c
		}
		return strings.Compare(a.Point, b.Point)
	})
	return out
}

// end finishes person's stay at point id: it leaves the track, and an
// unreported auto stay that reached the dwell waits for Due.
func (d *Dwell) end(person, id string, st *stay) {
	delete(d.people[person].stays, id)
	p := d.points[id]
	if p == nil || !p.auto || st.reported || st.last.Sub(st.since) < p.minDwell {
		return
	}
	st.reported = true
	if len(d.pending) >= MaxPending {
		d.pending = d.pending[1:]
	}
	d.pending = append(d.pending, st.public(person, id))
}

func (st *stay) public(person, point string) Stay {
	return Stay{Person: person, Point: point, Since: st.since, Last: st.last, Location: st.loc}
}

// Visit is the auto check-in of a stay Due listed, as at the stay's last
// fix (the tag may have walked on since): Verify it as any other.
func (s Stay) Visit(p *Point, t *Task) Visit {
	return Visit{Point: p, Auto: true, Fix: &Fix{Location: s.Location, At: s.Last}, InsideSince: s.Since,
		Now: s.Last, Task: t, Person: s.Person, Results: []Result{}}
}

// within appends the points whose radius holds loc: the R-tree's bound
// prefilter, then the exact distance in metres.
func (d *Dwell) within(loc orb.Point, hits []*dwellPoint) []*dwellPoint {
	d.tree.Search(loc, loc, func(_, _ [2]float64, p *dwellPoint) bool {
		if geo.DistanceM(loc, p.loc) <= p.radiusM {
			hits = append(hits, p)
		}
		return true
	})
	return hits
}

func (d *Dwell) gap() time.Duration {
	if d.MaxGap > 0 {
		return d.MaxGap
	}
	return DefaultMaxGap
}
