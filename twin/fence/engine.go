package fence

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Config tunes an Engine. The zero value of each field is its default.
type Config struct {
	// Location is the site timezone time windows are read in; default UTC.
	Location *time.Location
	// AlarmDelay is the longest a fence alarm may take after the fix that
	// completes its condition: the site setting fence_alarm_delay_s;
	// default 5 s (AQ 3064.3-2025: a boundary crossing alarms within 5 s).
	AlarmDelay time.Duration
	// OnDelay is how long an instantaneous condition (entry, exit, speed,
	// headcount) must hold before it raises; default 3 s, negative = none.
	// OnDelay + TickEvery must not exceed AlarmDelay.
	OnDelay time.Duration
	// OffDelay is how long a condition must be absent before its alarm
	// clears; default 6 s, negative = none.
	OffDelay time.Duration
	// TickEvery is how often the caller calls Tick; default 1 s.
	TickEvery time.Duration
	// ZMarginM is the height deadband of a z band, as MarginM of the Set is
	// the horizontal one; default 1 m.
	ZMarginM float64
	// StaticRadiusM is how far a tag's smoothed position (the mean of its
	// last StaticSmoothing fixes) may wander and still count as not moving;
	// default 3 m, the AQ 3064.3-2025 static accuracy (68 % of fixes within
	// 3 m). Raw fixes with that noise leave a 1.5 m circle every few fixes,
	// so a man-down would never be seen.
	StaticRadiusM float64
	// SpeedDeadband is the fraction of a speed limit an overspeed alarm
	// needs to fall below before it may clear; default 0.1.
	SpeedDeadband float64
	// HeadcountGrace delays understaffing after the first sample, so that
	// every tag has reported once; default 60 s (the tag_offline_s default).
	HeadcountGrace time.Duration
	// MaxSpeedGap is the longest gap between fixes a speed is derived
	// over (when the tag reports none); default 30 s.
	MaxSpeedGap time.Duration
}

// Validate fills in the defaults and checks the timing budget.
func (c *Config) Validate() error {
	if c.Location == nil {
		c.Location = time.UTC
	}
	def := func(d *time.Duration, v time.Duration) {
		switch {
		case *d == 0:
			*d = v
		case *d < 0:
			*d = 0
		}
	}
	def(&c.AlarmDelay, 5*time.Second)
	def(&c.OnDelay, 3*time.Second)
	def(&c.OffDelay, 6*time.Second)
	def(&c.TickEvery, time.Second)
	def(&c.HeadcountGrace, time.Minute)
	def(&c.MaxSpeedGap, 30*time.Second)
	for _, f := range []*float64{&c.ZMarginM, &c.StaticRadiusM, &c.SpeedDeadband} {
		if math.IsNaN(*f) || *f < 0 {
			return fmt.Errorf("fence: config: negative or NaN margin %v", *f)
		}
	}
	if c.ZMarginM == 0 {
		c.ZMarginM = 1
	}
	if c.StaticRadiusM == 0 {
		c.StaticRadiusM = 3
	}
	if c.SpeedDeadband == 0 {
		c.SpeedDeadband = 0.1
	}
	if c.OnDelay+c.TickEvery > c.AlarmDelay {
		return fmt.Errorf("fence: config: on-delay %v + tick %v exceeds the alarm delay %v (AQ 3064.3-2025: alarm within 5 s)",
			c.OnDelay, c.TickEvery, c.AlarmDelay)
	}
	return nil
}

// staticSmoothing is how many fixes the static rule averages: 10 s at the
// AQ 3064.3-2025 upload rate of one fix per 2 s.
const staticSmoothing = 5

// Errors of Update.
var (
	ErrBadFix = errors.New("fence: bad fix")
	ErrStale  = errors.New("fence: fix not newer than the last")
)

// Engine evaluates every fence rule for every entity. It is pure: time is
// the sample time of fixes and the time given to Tick, never the wall
// clock. It is not safe for concurrent use: one goroutine owns it.
type Engine struct {
	cfg      Config
	set      *Set
	fs       []fenceState // by Fence.idx
	moving   rtree.RTreeG[*Fence]
	anchors  map[string][]*Fence // anchor entity id → its moving fences
	anchorAt map[string]orb.Point
	tracks   map[string]*track
	started  time.Time
	now      time.Time
	epoch    uint64
	brute    bool // test only: check every fence for every fix, no index
	cand     []*Fence
	heads    []*Fence // headcount fences whose membership changed
}

type fenceState struct {
	ref     orb.Point // reference point now (moves with the anchor)
	active  bool      // a moving fence whose anchor has a position
	bound   orb.Bound // as indexed in Engine.moving
	members map[string]*member
	over    debounce
	under   debounce
	posts   map[string]*postState // entities assigned to this post fence
	// armed caches Window.Open for one minute (armedMin = Unix minute + 1,
	// so the zero value is no cache): windows are whole minutes and every
	// timezone offset in use since 1972 is whole minutes.
	armedMin int64
	armed    bool
}

// track is one entity's state.
type track struct {
	sub        Subject
	fix        twin.Fix
	hasFix     bool
	speedKmh   float64
	still      orb.Point // where the entity last settled (smoothed)
	stillSince time.Time
	recent     [staticSmoothing]orb.Point // the last fixes, a ring
	nRecent    int                        // fixes in recent (≤ staticSmoothing)
	members    []*member
	posts      []*postState
	postHolder bool // assigned to some post fence
}

// member is an entity's membership of one fence.
type member struct {
	f      *Fence
	t      *track
	in     bool
	everIn bool
	since  time.Time // when it last entered (in) or left
	deb    debounce
	epoch  uint64
}

type postState struct {
	f      *Fence
	t      *track
	lastIn time.Time
	seen   bool
	deb    debounce
}

// NewEngine returns an engine over set (nil = no fences).
func NewEngine(set *Set, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, tracks: make(map[string]*track), anchorAt: make(map[string]orb.Point)}
	if set == nil {
		set, _ = NewSet(nil, 0)
	}
	e.install(set)
	return e, nil
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Set returns the fences the engine evaluates.
func (e *Engine) Set() *Set { return e.set }

// install makes set current with fresh fence states.
func (e *Engine) install(set *Set) {
	e.set = set
	e.fs = make([]fenceState, len(set.fences))
	e.moving = rtree.RTreeG[*Fence]{}
	e.anchors = make(map[string][]*Fence)
	for _, f := range set.fences {
		fs := &e.fs[f.idx]
		fs.ref, fs.members = f.ref, make(map[string]*member)
		if f.Rule == Post {
			fs.posts = make(map[string]*postState)
		}
		if !f.Moving() {
			continue
		}
		e.anchors[f.AttachedTo] = append(e.anchors[f.AttachedTo], f)
		if p, ok := e.anchorAt[f.AttachedTo]; ok {
			e.place(f, p)
		} else if f.anchor {
			e.place(f, f.ref)
		}
	}
}

// place puts a moving fence's reference point at p.
func (e *Engine) place(f *Fence, p orb.Point) {
	fs := &e.fs[f.idx]
	if fs.active {
		e.moving.Delete(fs.bound.Min, fs.bound.Max, f)
	}
	fs.ref, fs.active = p, true
	fs.bound = f.boundAt(p, e.set.marginM)
	e.moving.Insert(fs.bound.Min, fs.bound.Max, f)
}

func (e *Engine) track(id string) *track {
	t := e.tracks[id]
	if t == nil {
		t = &track{sub: Subject{ID: id, Kind: twin.KindPerson}}
		e.tracks[id] = t
		e.assignPosts(nil, t)
	}
	return t
}

// SetSubject records who an entity is (registry attributes). Changed
// attributes count from the entity's next fix; a changed post assignment
// may clear an off_post alarm now.
func (e *Engine) SetSubject(dst []Transition, s Subject, at time.Time) []Transition {
	if s.Kind == "" {
		s.Kind = twin.KindPerson
	}
	t := e.track(s.ID)
	if t.sub == s {
		return dst
	}
	t.sub = s
	return e.assignPosts(dst, t, at)
}

// assignPosts makes t's post states match the post fences it is assigned to.
func (e *Engine) assignPosts(dst []Transition, t *track, at ...time.Time) []Transition {
	keep := t.posts[:0]
	for _, ps := range t.posts {
		if ps.f.Assigned(&t.sub) {
			keep = append(keep, ps)
			continue
		}
		delete(e.fs[ps.f.idx].posts, t.sub.ID)
		if ps.deb.on && len(at) > 0 {
			dst = append(dst, clearOf(e.postKey(ps), at[0]))
		}
	}
	t.posts = keep
	t.postHolder = false
	for _, f := range e.set.fences {
		if !f.Assigned(&t.sub) {
			continue
		}
		t.postHolder = true
		if e.fs[f.idx].posts[t.sub.ID] == nil {
			ps := &postState{f: f, t: t}
			e.fs[f.idx].posts[t.sub.ID] = ps
			t.posts = append(t.posts, ps)
		}
	}
	return dst
}

// Update evaluates one fix of entity id (a person or vehicle; unknown ids
// are taken as people with no registry attributes). Fixes must come in
// time order per entity.
func (e *Engine) Update(dst []Transition, id string, fix twin.Fix) ([]Transition, error) {
	if !geo.ValidLonLat(fix.Point) || math.IsNaN(fix.Z) || math.IsInf(fix.Z, 0) || fix.At.IsZero() ||
		math.IsNaN(fix.SpeedMS) || math.IsInf(fix.SpeedMS, 0) {
		return dst, fmt.Errorf("%w: %s at %v", ErrBadFix, id, fix.Point)
	}
	t := e.track(id)
	if t.hasFix && !fix.At.After(t.fix.At) {
		return dst, fmt.Errorf("%w: %s at %s", ErrStale, id, fix.At.Format(time.RFC3339Nano))
	}
	e.motion(t, fix)
	e.advance(fix.At)
	if _, ok := e.anchors[id]; ok {
		dst = e.MoveAnchor(dst, id, fix.Point, fix.At)
	}
	e.locate(t)
	for _, m := range t.members {
		dst = e.stepMember(dst, m, fix.At)
	}
	e.prune(t)
	for _, ps := range t.posts {
		dst = e.stepPost(dst, ps, fix.At)
	}
	for _, f := range e.heads {
		dst = e.stepHeadcount(dst, f, fix.At)
	}
	e.heads = e.heads[:0]
	return dst, nil
}

// motion updates speed and stillness from a new fix.
func (e *Engine) motion(t *track, fix twin.Fix) {
	switch {
	case fix.SpeedMS > 0:
		t.speedKmh = fix.SpeedMS * 3.6
	case t.hasFix && fix.At.Sub(t.fix.At) <= e.cfg.MaxSpeedGap:
		t.speedKmh = geo.DistanceM(t.fix.Point, fix.Point) / fix.At.Sub(t.fix.At).Seconds() * 3.6
	default:
		t.speedKmh = 0
	}
	t.recent[t.nRecent%staticSmoothing] = fix.Point
	t.nRecent++
	var mean orb.Point
	n := min(t.nRecent, staticSmoothing)
	for _, p := range t.recent[:n] {
		mean[0] += p[0] / float64(n)
		mean[1] += p[1] / float64(n)
	}
	if !t.hasFix || geo.DistanceM(t.still, mean) > e.cfg.StaticRadiusM {
		t.still, t.stillSince = mean, fix.At
	}
	t.fix, t.hasFix = fix, true
}

func (e *Engine) advance(at time.Time) {
	if e.started.IsZero() {
		e.started = at
	}
	if at.After(e.now) {
		e.now = at
	}
}

// candidates returns the fences whose margin-grown bound holds p.
func (e *Engine) candidates(p orb.Point) []*Fence {
	e.cand = e.cand[:0]
	if e.brute {
		for _, f := range e.set.fences {
			if !f.Moving() || e.fs[f.idx].active {
				e.cand = append(e.cand, f)
			}
		}
		return e.cand
	}
	visit := func(_, _ [2]float64, f *Fence) bool { e.cand = append(e.cand, f); return true }
	e.set.fixed.Search(p, p, visit)
	e.moving.Search(p, p, visit)
	return e.cand
}

// relevant reports whether a rule watches this kind of entity at all.
func relevant(f *Fence, t *track) bool {
	switch f.Rule {
	case Speed:
		return t.sub.vehicle()
	case Headcount, Static, Lingering, Post:
		return t.sub.person()
	}
	return true
}

// locate updates t's memberships for its current fix.
func (e *Engine) locate(t *track) {
	e.epoch++
	fix := t.fix
	for _, f := range e.candidates(fix.Point) {
		if f.AttachedTo == t.sub.ID || !relevant(f, t) {
			continue
		}
		fs := &e.fs[f.idx]
		m := t.member(f)
		sticky := m != nil && m.in
		in := f.vertical(fix, sticky, e.cfg.ZMarginM) && f.within(f.local(fix.Point, fs.ref), sticky, e.set.marginM)
		if m == nil {
			if !in {
				continue
			}
			m = &member{f: f, t: t}
			fs.members[t.sub.ID] = m
			t.members = append(t.members, m)
		}
		m.epoch = e.epoch
		e.setIn(m, in, fix.At)
	}
	for _, m := range t.members {
		if m.epoch != e.epoch {
			e.setIn(m, false, fix.At)
		}
	}
}

// member returns t's membership of f, or nil.
func (t *track) member(f *Fence) *member {
	for _, m := range t.members {
		if m.f == f {
			return m
		}
	}
	return nil
}

// armed reports whether f's time window is open at at.
func (e *Engine) armed(f *Fence, at time.Time) bool {
	if !f.Window.Set {
		return true
	}
	fs := &e.fs[f.idx]
	if minute := at.Unix()/60 + 1; fs.armedMin != minute {
		fs.armedMin, fs.armed = minute, f.Window.Open(at, e.cfg.Location)
	}
	return fs.armed
}

func (e *Engine) setIn(m *member, in bool, at time.Time) {
	if m.in == in {
		return
	}
	m.in, m.since = in, at
	m.everIn = m.everIn || in
	if m.f.Rule == Headcount {
		e.heads = append(e.heads, m.f)
	}
}

// prune drops memberships that hold nothing: outside, no alarm, and not a
// keep_in fence that watches the entity and that it has been in.
func (e *Engine) prune(t *track) {
	keep := t.members[:0]
	for _, m := range t.members {
		if m.in || m.deb.on || m.deb.pend || (m.f.Rule == KeepIn && m.everIn && m.f.Watches(&t.sub)) {
			keep = append(keep, m)
			continue
		}
		delete(e.fs[m.f.idx].members, t.sub.ID)
	}
	clear(t.members[len(keep):])
	t.members = keep
}

// MoveAnchor moves the fences attached to entity id so that their reference
// point is at p (for anchors that are not tags, e.g. a permit's location).
// Entities are re-evaluated against the moved fence at their next fix.
func (e *Engine) MoveAnchor(dst []Transition, id string, p orb.Point, at time.Time) []Transition {
	if !geo.ValidLonLat(p) || len(e.anchors[id]) == 0 {
		return dst
	}
	e.anchorAt[id] = p
	for _, f := range e.anchors[id] {
		e.place(f, p)
	}
	return dst
}

// Tick re-evaluates every time-based condition (dwell, static, off-post,
// headcount, time windows, pending on/off delays) at sample time now.
// A now earlier than the latest sample is taken as that sample's time.
func (e *Engine) Tick(dst []Transition, now time.Time) []Transition {
	if e.started.IsZero() {
		return dst // nothing seen yet
	}
	e.advance(now)
	now = e.now
	for _, t := range e.tracks {
		if len(t.members) == 0 {
			continue
		}
		for _, m := range t.members {
			if timeless(m) {
				continue
			}
			dst = e.stepMember(dst, m, now)
		}
		e.prune(t)
	}
	for _, f := range e.set.fences {
		switch f.Rule {
		case Headcount:
			dst = e.stepHeadcount(dst, f, now)
		case Post:
			for _, ps := range e.fs[f.idx].posts {
				if ps.deb.on && !ps.deb.pend && !f.Window.Set {
					continue // raised and away: only a fix (the return) changes it
				}
				dst = e.stepPost(dst, ps, now)
			}
		}
	}
	return dst
}

// timeless reports whether a membership's condition cannot change with
// time alone: an instantaneous rule with no time window and no pending
// delay, which only the entity's next fix can change.
func timeless(m *member) bool {
	switch m.f.Rule {
	case Forbidden, KeepIn, Speed:
		return !m.f.Window.Set && !m.deb.pend
	}
	return false
}

// Remove forgets an entity (deleted from the scene) and clears its alarms.
// An anchor's moving fences stop until it is placed again.
func (e *Engine) Remove(dst []Transition, id string, at time.Time) []Transition {
	if t := e.tracks[id]; t != nil {
		for _, m := range t.members {
			dst = e.dropMember(dst, m, at)
		}
		for _, ps := range t.posts {
			delete(e.fs[ps.f.idx].posts, id)
			if ps.deb.on {
				dst = append(dst, clearOf(e.postKey(ps), at))
			}
		}
		delete(e.tracks, id)
	}
	delete(e.anchorAt, id)
	for _, f := range e.anchors[id] {
		fs := &e.fs[f.idx]
		if fs.active {
			e.moving.Delete(fs.bound.Min, fs.bound.Max, f)
			fs.active = false
		}
		for _, m := range fs.members {
			dst = e.dropMember(dst, m, at)
			m.t.members = without(m.t.members, m)
		}
	}
	for _, f := range e.heads {
		dst = e.stepHeadcount(dst, f, at)
	}
	e.heads = e.heads[:0]
	return dst
}

// dropMember ends a membership, clearing its alarm.
func (e *Engine) dropMember(dst []Transition, m *member, at time.Time) []Transition {
	if m.deb.on {
		dst = append(dst, clearOf(e.memberKey(m), at))
	}
	e.setIn(m, false, at)
	delete(e.fs[m.f.idx].members, m.t.sub.ID)
	return dst
}

func without(ms []*member, x *member) []*member {
	for i, m := range ms {
		if m == x {
			return append(ms[:i], ms[i+1:]...)
		}
	}
	return ms
}
