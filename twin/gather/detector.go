package gather

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Fix is one position of a person in plant metres.
type Fix struct {
	PersonID string
	X, Y     float64 // plant frame, metres
	Floor    int     // 0 outdoors or unknown; people on different floors never gather
	At       time.Time
}

// Gathering is the state of one tracked group.
type Gathering struct {
	ID       string
	Floor    int
	Members  []string // person ids, sorted
	Count    int
	Level    int    // 1 yellow, 2 orange, 3 red (or escalated by gas)
	Colour   string // "yellow", "orange", "red"
	X, Y     float64
	RadiusM  float64 // of the members' minimal enclosing circle
	Since    time.Time
	LastSeen time.Time
	Raised   bool
	RaisedAt time.Time
	// Evacuate is set while an active gas alarm is within GasDistanceM.
	Evacuate bool
	// Dispersed: the group has been apart for OffDelay; a gathering that
	// needs confirmation waits in this state for Confirm.
	Dispersed bool
	// NeedsConfirm: once orange, red or escalated, only a person's Confirm
	// clears it (REFERENCE.md §2).
	NeedsConfirm bool
	ConfirmedBy  string
	ConfirmedAt  time.Time
}

// Notify tells one member of a gathering to disperse (or evacuate). The
// service fills Tag; the caller publishes it on
// chemtwin/{site}/tags/{tag}/notify and /ws.
type Notify struct {
	Tag         string    `json:"tag"`
	PersonID    string    `json:"person_id"`
	Kind        string    `json:"kind"` // "gathering"
	GatheringID string    `json:"gathering_id"`
	Level       int       `json:"level"`
	Evacuate    bool      `json:"evacuate,omitempty"`
	Message     string    `json:"message"`    // zh-CN
	MessageEn   string    `json:"message_en"` // English
	At          time.Time `json:"at"`
}

// Step is what one Tick decided.
type Step struct {
	Raised  []Gathering // alarms to raise or update (same ID, same alarm)
	Cleared []Gathering // alarms to clear
	Notify  []Notify
}

// Errors of the detector.
var (
	ErrBadFix        = errors.New("gather: bad fix")
	ErrNotFound      = errors.New("gather: no such gathering")
	ErrStillGathered = errors.New("gather: the group has not dispersed")
	ErrNoConfirmer   = errors.New("gather: confirmation needs a name")
)

// moveEmit is how far a raised gathering's centre must move before its
// alarm is updated for the move alone.
const moveEmit = 5.0

// Detector tracks gatherings. It is pure: time comes only from fixes and
// Tick. It is not safe for concurrent use.
type Detector struct {
	cfg     Config
	idx     *index
	tracked map[string]*Gathering
	member  map[string]string // person id → tracked gathering id
	gas     map[string]pt
	emitted map[string]pt // raised gathering id → centre last sent
	seq     int
	now     time.Time
	swept   time.Time
}

// NewDetector returns a detector with cfg (zero fields = defaults).
func NewDetector(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Detector{
		cfg: cfg, idx: newIndex(cfg.RadiusM, cfg.MarginM, cfg.MinPersons),
		tracked: make(map[string]*Gathering), member: make(map[string]string),
		gas: make(map[string]pt), emitted: make(map[string]pt),
	}, nil
}

// Config returns the configuration in use (defaults filled in).
func (d *Detector) Config() Config { return d.cfg }

// Update applies a fix. Non-finite or far-off coordinates (beyond 1,000 km
// of the origin) and fixes without a person or time are ErrBadFix.
func (d *Detector) Update(f Fix) error {
	if f.PersonID == "" || f.At.IsZero() || !finite(f.X) || !finite(f.Y) || math.Abs(f.X) > 1e6 || math.Abs(f.Y) > 1e6 {
		return fmt.Errorf("%w: %+v", ErrBadFix, f)
	}
	d.idx.set(f.PersonID, pt{f.X, f.Y}, f.Floor, f.At)
	return nil
}

// Remove forgets a person (left the site, entity removed).
func (d *Detector) Remove(personID string) { d.idx.remove(personID) }

// Len returns how many people the detector holds.
func (d *Detector) Len() int { return len(d.idx.byID) }

// GasAlarm records an active (or no longer active) gas alarm at plant x, y.
func (d *Detector) GasAlarm(id string, x, y float64, active bool) {
	if !active || !finite(x) || !finite(y) {
		delete(d.gas, id)
		return
	}
	d.gas[id] = pt{x, y}
}

// Gatherings returns the tracked gatherings (forming and raised), by id.
func (d *Detector) Gatherings() []Gathering {
	out := make([]Gathering, 0, len(d.tracked))
	for _, g := range d.tracked {
		out = append(out, snapshot(g))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func snapshot(g *Gathering) Gathering {
	c := *g
	c.Members = slices.Clone(g.Members)
	return c
}

// Tick advances the detector to now (sample time; a time before the last
// tick counts as the last tick) and returns the alarms to raise, update
// and clear, and the members to notify.
func (d *Detector) Tick(now time.Time) Step {
	if now.Before(d.now) {
		now = d.now
	}
	d.now = now
	if now.Sub(d.swept) >= d.cfg.StaleAfter/4 {
		d.idx.stale(now.Add(-d.cfg.StaleAfter))
		d.swept = now
	}
	var st Step
	seen := d.match(d.idx.clusters(), now, &st)
	ids := make([]string, 0, len(d.tracked))
	for id := range d.tracked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !seen[id] {
			d.apart(d.tracked[id], now, &st)
		}
	}
	return st
}

// match pairs snapshot clusters with tracked gatherings: a pair needs the
// same floor and a shared majority of the smaller member set (so one
// member flickering in a group of three keeps its identity); pairs are
// taken by largest overlap first. Unpaired clusters start new gatherings.
func (d *Detector) match(cls []cluster, now time.Time, st *Step) map[string]bool {
	type pair struct {
		g       string
		c, over int
	}
	var pairs []pair
	for ci, c := range cls {
		over := map[string]int{}
		for _, m := range c.members {
			if g, ok := d.member[m]; ok {
				over[g]++
			}
		}
		for gid, n := range over {
			g := d.tracked[gid]
			if g.Floor == c.floor && 2*n > min(len(g.Members), len(c.members)) {
				pairs = append(pairs, pair{gid, ci, n})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].over != pairs[j].over {
			return pairs[i].over > pairs[j].over
		}
		if pairs[i].g != pairs[j].g {
			return pairs[i].g < pairs[j].g
		}
		return pairs[i].c < pairs[j].c
	})
	seen := map[string]bool{}
	used := make([]bool, len(cls))
	for _, p := range pairs {
		if !seen[p.g] && !used[p.c] {
			seen[p.g], used[p.c] = true, true
			d.present(d.tracked[p.g], cls[p.c], now, st)
		}
	}
	for ci, c := range cls {
		if !used[ci] {
			d.seq++
			g := &Gathering{ID: fmt.Sprintf("G-%s-%d", now.UTC().Format("20060102T150405"), d.seq), Floor: c.floor, Since: now}
			d.tracked[g.ID] = g
			seen[g.ID] = true
			d.present(g, c, now, st)
		}
	}
	return seen
}

// present updates g with the cluster seen at now and raises or updates its
// alarm when it is due or changed.
func (d *Detector) present(g *Gathering, c cluster, now time.Time, st *Step) {
	old := g.Members
	for _, m := range old {
		if d.member[m] == g.ID {
			delete(d.member, m)
		}
	}
	for _, m := range c.members {
		d.member[m] = g.ID
	}
	wasLevel, wasEvac, wasDispersed := g.Level, g.Evacuate, g.Dispersed
	g.Members, g.Count, g.LastSeen, g.Dispersed = c.members, len(c.members), now, false
	g.X, g.Y, g.RadiusM = c.disc.x, c.disc.y, c.disc.r
	g.Evacuate = d.nearGas(g.X, g.Y)
	g.Level = Level(g.Count)
	if g.Evacuate {
		g.Level = 3
	}
	g.Colour = Colour(g.Level)
	if !g.Raised {
		if now.Sub(g.Since) <= d.cfg.Duration {
			return
		}
		g.Raised, g.RaisedAt = true, now
		g.NeedsConfirm = g.Level >= 2
		d.emit(g, st)
		d.notify(g, g.Members, now, st)
		return
	}
	g.NeedsConfirm = g.NeedsConfirm || g.Level >= 2
	joined := newcomers(old, g.Members)
	last := d.emitted[g.ID]
	if g.Level != wasLevel || g.Evacuate != wasEvac || wasDispersed || len(joined) > 0 ||
		!slices.Equal(old, g.Members) || math.Hypot(g.X-last.x, g.Y-last.y) >= moveEmit {
		d.emit(g, st)
	}
	if g.Level != wasLevel || g.Evacuate != wasEvac || wasDispersed {
		d.notify(g, g.Members, now, st)
	} else {
		d.notify(g, joined, now, st)
	}
}

// apart handles a tracked gathering not seen at now: after OffDelay a
// forming one is forgotten, a raised yellow one clears, and one that needs
// confirmation is marked dispersed and waits for Confirm.
func (d *Detector) apart(g *Gathering, now time.Time, st *Step) {
	if now.Sub(g.LastSeen) < d.cfg.OffDelay || g.Dispersed {
		return
	}
	switch {
	case !g.Raised:
		d.forget(g)
	case !g.NeedsConfirm:
		g.Dispersed = true
		st.Cleared = append(st.Cleared, snapshot(g))
		d.forget(g)
	default:
		g.Dispersed = true
		d.emit(g, st)
	}
}

func (d *Detector) forget(g *Gathering) {
	for _, m := range g.Members {
		if d.member[m] == g.ID {
			delete(d.member, m)
		}
	}
	delete(d.tracked, g.ID)
	delete(d.emitted, g.ID)
}

// Confirm records that the named person confirmed the dispersal of a
// gathering at time at, and forgets it; the caller clears its alarm. A
// gathering that has not dispersed (seen within OffDelay) is refused with
// ErrStillGathered: the warning stays until the group is apart.
func (d *Detector) Confirm(id, by string, at time.Time) (Gathering, error) {
	if by == "" {
		return Gathering{}, ErrNoConfirmer
	}
	g, ok := d.tracked[id]
	if !ok || !g.Raised {
		return Gathering{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if !g.Dispersed {
		return snapshot(g), fmt.Errorf("%w: %s still has %d people (last seen %s)", ErrStillGathered, id, g.Count, g.LastSeen.UTC().Format(time.RFC3339))
	}
	g.ConfirmedBy, g.ConfirmedAt = by, at
	d.forget(g)
	return snapshot(g), nil
}

func (d *Detector) emit(g *Gathering, st *Step) {
	d.emitted[g.ID] = pt{g.X, g.Y}
	st.Raised = append(st.Raised, snapshot(g))
}

func (d *Detector) notify(g *Gathering, who []string, now time.Time, st *Step) {
	msg, en := memberMessage(g)
	for _, p := range who {
		st.Notify = append(st.Notify, Notify{PersonID: p, Kind: "gathering", GatheringID: g.ID, Level: g.Level,
			Evacuate: g.Evacuate, Message: msg, MessageEn: en, At: now})
	}
}

func (d *Detector) nearGas(x, y float64) bool {
	for _, p := range d.gas {
		if math.Hypot(p.x-x, p.y-y) <= d.cfg.GasDistanceM {
			return true
		}
	}
	return false
}

// newcomers returns the ids in now that are not in before (both sorted).
func newcomers(before, now []string) []string {
	var out []string
	for _, m := range now {
		if _, found := slices.BinarySearch(before, m); !found {
			out = append(out, m)
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
