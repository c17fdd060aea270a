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

// StopM is how far a tag may wander from where it stopped and still be
// stopping there: a stop is a run of fixes within StopM of their running
// centroid (the stay-point rule of Li et al., "Mining user similarity
// based on location history", ACM GIS 2008, on the centroid rather than
// the first fix, and restarted only by two fixes in a row beyond it, so
// that positioning noise does not restart it). 10 m is twice
// AQ 3064.3—2025's moving accuracy (≤ 5 m at 68 %): a standing tag's
// fixes stay inside it, while a tag walking at more than
// about 2·StopM / 20 s = 1 m/s restarts its stop before it can reach a 20 s
// dwell — walking through a point's 15 m radius (a 30 m chord, 21 s at
// 1.4 m/s) is not a stop there. A point's radius smaller than StopM
// bounds it.
const StopM = 10.0

// MaxPending bounds the finished auto check-in stays waiting for Due; the
// oldest are dropped beyond it (Due is meant to run every few seconds).
const MaxPending = 10_000

// Dwell tracks, per person, which inspection points their tag is within
// (the point's radius, metres) and since when it has stopped there, fed
// by the tag's fixes in time order. A stay at a point begins with the
// first fix inside the radius and ends with the first fix outside it, or
// — when the next fix comes more than MaxGap after the last one (a silent
// tag) — at the last fix: the silence is not counted as presence. Within
// a stay the dwell counts from the start of the current stop (StopM): a
// fix farther than StopM from the centroid of the stop's fixes starts a
// new stop, so walking through a point does not add up to a dwell. A fix
// older than the person's last is ignored.
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

// Stay is a tag's stop within a point's radius: from the first fix of the
// stop (see StopM) to the last fix inside so far (Last, at Location).
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
	since, last time.Time // since: the current stop's first fix
	loc         orb.Point
	sum         orb.Point // of the stop's fixes, for their centroid
	n           float64
	// held is an earlier stop of this stay that reached the point's dwell,
	// kept for Due when the tag walked on within the radius; stray is a fix
	// beyond the stop waiting for the next to tell an outlier from a move.
	held, stray stop
	reported    bool
}

// stop is a stop of a stay: its first and last fix.
type stop struct {
	since, last time.Time
	loc         orb.Point
	ok          bool
}

// add puts a fix inside the radius into the stay: the stop goes on while
// the fix is within stopM of the stop's centroid. Two fixes in a row
// beyond it begin a new stop at the first of them (a stop that reached
// minDwell is held); one stray fix — a positioning outlier — is left out.
func (st *stay) add(at time.Time, loc orb.Point, stopM float64, minDwell time.Duration) {
	beyond := st.n > 0 && geo.DistanceM(loc, orb.Point{st.sum[0] / st.n, st.sum[1] / st.n}) > stopM
	switch {
	case beyond && !st.stray.ok:
		st.stray = stop{since: at, last: at, loc: loc, ok: true}
		return
	case beyond:
		if !st.held.ok && st.last.Sub(st.since) >= minDwell {
			st.held = stop{since: st.since, last: st.last, loc: st.loc, ok: true}
		}
		st.since, st.sum, st.n = st.stray.since, st.stray.loc, 1
	}
	st.stray.ok = false
	st.last, st.loc = at, loc
	st.sum[0] += loc[0]
	st.sum[1] += loc[1]
	st.n++
}

// dwelt returns the stay's stop that reached minDwell: the current one,
// else a held one.
func (st *stay) dwelt(minDwell time.Duration) (stop, bool) {
	if st.last.Sub(st.since) >= minDwell {
		return stop{since: st.since, last: st.last, loc: st.loc, ok: true}, true
	}
	return st.held, st.held.ok
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
		st := tr.stays[p.id]
		if st == nil {
			st = &stay{since: at}
			tr.stays[p.id] = st
			entered = append(entered, p.id)
		}
		st.add(at, loc, min(StopM, p.radiusM), p.minDwell)
	}
	slices.Sort(entered)
	slices.Sort(left)
	return entered, left
}

// Inside reports whether person's tag is within point's radius at now and
// since when it has stopped there (StopM): false when it is not, or when
// its last fix is more than MaxGap before now (the stay ended there).
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
			if p := d.points[id]; p != nil && p.auto && !st.reported {
				if s, ok := st.dwelt(p.minDwell); ok {
					st.reported = true
					out = append(out, s.public(person, id))
				}
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
	if p == nil || !p.auto || st.reported {
		return
	}
	s, ok := st.dwelt(p.minDwell)
	if !ok {
		return
	}
	st.reported = true
	if len(d.pending) >= MaxPending {
		d.pending = d.pending[1:]
	}
	d.pending = append(d.pending, s.public(person, id))
}

func (s stop) public(person, point string) Stay {
	return Stay{Person: person, Point: point, Since: s.since, Last: s.last, Location: s.loc}
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
