package twin

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/chemtwin/chemtwin/geo"
)

// Options configure a Scene. The zero value of each field is its default.
type Options struct {
	// SiteID is the id of the root entity; default "site".
	SiteID string
	// Frame is the plant frame (origin and rotation); it may be nil for a
	// scene built in code, in which case metre-based queries use the local
	// scale at each query point.
	Frame *geo.Frame
	// Clock stamps changes that carry no time of their own; default time.Now.
	Clock func() time.Time
	// RejectUnknownTags refuses fixes for tags not in the registry instead of
	// creating unregistered people (the default, per DESIGN.md).
	RejectUnknownTags bool
}

// Scene is the plant twin: every entity, the scene graph and one R-tree over
// all geometries. It is safe for concurrent use: queries take a read lock,
// Apply takes the write lock (see the package documentation).
type Scene struct {
	opts Options

	mu       sync.RWMutex
	rev      uint64
	entities map[string]*Entity
	children map[string]map[string]struct{}
	byKind   map[Kind]map[string]*Entity
	tags     map[string]string // tag → entity id
	tree     rtree.RTreeG[*Entity]

	// pubMu orders observer calls by revision: Apply takes it before giving
	// up mu, so results are observed in the order they were made while
	// readers get in as soon as the mutation is done.
	pubMu     sync.Mutex
	observers []func(Result)
}

// New returns an empty scene holding only its site root.
func New(opts Options) *Scene {
	if opts.SiteID == "" {
		opts.SiteID = "site"
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	s := &Scene{
		opts:     opts,
		entities: make(map[string]*Entity),
		children: make(map[string]map[string]struct{}),
		byKind:   make(map[Kind]map[string]*Entity),
		tags:     make(map[string]string),
	}
	s.entities[opts.SiteID] = &Entity{ID: opts.SiteID, Kind: KindSite, Name: opts.SiteID, Props: map[string]any{}}
	return s
}

// SiteID returns the id of the root entity.
func (s *Scene) SiteID() string { return s.opts.SiteID }

// Frame returns the plant frame, or nil.
func (s *Scene) Frame() *geo.Frame { return s.opts.Frame }

// Observe registers fn to receive every non-empty Result, in revision order,
// after the scene lock is released. Register observers before the scene is
// shared; fn must be quick and must not call Apply.
func (s *Scene) Observe(fn func(Result)) {
	s.pubMu.Lock()
	s.observers = append(s.observers, fn)
	s.pubMu.Unlock()
}

// Rev returns the current scene revision.
func (s *Scene) Rev() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// Apply is the one mutation path. It applies the changes in order, each on
// its own (a failing change is reported in Result.Errs and skipped), and
// returns the deltas and events they made; observers see the same Result.
func (s *Scene) Apply(changes ...Change) Result {
	s.mu.Lock()
	tx := applyTx{s: s, now: s.opts.Clock()}
	tx.res.Deltas = make([]Delta, 0, len(changes)+len(changes)/8+1)
	tx.prepare(changes)
	for i, c := range changes {
		if err := tx.apply(c); err != nil {
			tx.res.Errs = append(tx.res.Errs, ChangeError{Index: i, Err: err})
		}
	}
	tx.res.Rev = s.rev
	s.pubMu.Lock()
	s.mu.Unlock()
	defer s.pubMu.Unlock()
	if len(tx.res.Deltas) > 0 || len(tx.res.Events) > 0 {
		for _, fn := range s.observers {
			fn(tx.res)
		}
	}
	return tx.res
}

// applyTx is the state of one Apply, run under the write lock.
type applyTx struct {
	s   *Scene
	now time.Time
	res Result
	// ids upserted and removed in this batch, for parent checks that allow
	// any order within a batch.
	adding, removing map[string]bool
}

func (tx *applyTx) prepare(changes []Change) {
	for _, c := range changes {
		switch c := c.(type) {
		case Upsert:
			if c.Entity != nil {
				if tx.adding == nil {
					tx.adding = make(map[string]bool)
				}
				tx.adding[c.Entity.ID] = true
			}
		case Remove:
			if tx.removing == nil {
				tx.removing = make(map[string]bool)
			}
			tx.removing[c.ID] = true
		}
	}
}

func (tx *applyTx) apply(c Change) error {
	switch c := c.(type) {
	case Upsert:
		return tx.upsert(c.Entity)
	case Remove:
		return tx.remove(c.ID)
	case Move:
		return tx.move(c)
	case SetState:
		return tx.setState(c)
	}
	return fmt.Errorf("%w: unknown change %T", ErrInvalid, c)
}

func (tx *applyTx) exists(id string) bool {
	if tx.adding[id] {
		return true
	}
	_, ok := tx.s.entities[id]
	return ok && !tx.removing[id]
}

func (tx *applyTx) upsert(e *Entity) error {
	if err := checkEntity(e); err != nil {
		return err
	}
	s := tx.s
	if e.Kind == KindSite || e.ID == s.opts.SiteID {
		return tx.upsertSite(e)
	}
	if e.Parent == "" {
		e.Parent = s.opts.SiteID
	}
	if e.Parent == e.ID || !tx.exists(e.Parent) {
		return fmt.Errorf("%w: %s → %s", ErrDanglingParent, e.ID, e.Parent)
	}
	old := s.entities[e.ID]
	if e.Kind.Mobile() {
		if e.Mobile == nil && old != nil && old.Mobile != nil {
			m := *old.Mobile
			e.Mobile = &m
		}
		if e.Mobile == nil {
			e.Mobile = &Mobile{Battery: math.NaN()}
		}
		if owner, ok := s.tags[e.Mobile.Tag]; ok && owner != e.ID && e.Mobile.Tag != "" {
			return fmt.Errorf("%w: %q is held by %s", ErrTagTaken, e.Mobile.Tag, owner)
		}
		if e.Geometry == nil && old != nil {
			e.Geometry = old.Geometry
		}
	} else {
		e.Mobile = nil
	}
	if e.State == nil && old != nil && old.State != nil {
		e.State, e.Reported = old.State, old.Reported
	}
	if old != nil {
		tx.unlink(old)
	}
	s.rev++
	e.Rev = s.rev
	if e.Updated.IsZero() {
		e.Updated = tx.now
	}
	s.entities[e.ID] = e
	tx.link(e)
	tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpUpsert, Rev: s.rev, ID: e.ID, Kind: e.Kind, Layer: e.Kind.Layer(), Entity: e.Clone()})
	return nil
}

// upsertSite replaces the site root's name, boundary and props.
func (tx *applyTx) upsertSite(e *Entity) error {
	s := tx.s
	if e.Kind != KindSite || e.ID != s.opts.SiteID || e.Parent != "" {
		return fmt.Errorf("%w: %s: only the site root %q may be of kind site, and it has no parent", ErrInvalid, e.ID, s.opts.SiteID)
	}
	old := s.entities[e.ID]
	tx.unlink(old)
	s.rev++
	e.Rev = s.rev
	if e.Updated.IsZero() {
		e.Updated = tx.now
	}
	s.entities[e.ID] = e
	tx.link(e)
	tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpUpsert, Rev: s.rev, ID: e.ID, Kind: e.Kind, Layer: e.Kind.Layer(), Entity: e.Clone()})
	return nil
}

func (tx *applyTx) remove(id string) error {
	s := tx.s
	e, ok := s.entities[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if e.Kind == KindSite {
		return fmt.Errorf("%w: the site root cannot be removed", ErrInvalid)
	}
	for child := range s.children[id] {
		if !tx.removing[child] {
			return fmt.Errorf("%w: %s has %s", ErrHasChildren, id, child)
		}
	}
	tx.unlink(e)
	delete(s.entities, id)
	s.rev++
	tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpRemove, Rev: s.rev, ID: id, Kind: e.Kind, Layer: e.Kind.Layer(), Entity: e})
	return nil
}

// link adds e to the graph, the tag registry and the R-tree.
func (tx *applyTx) link(e *Entity) {
	s := tx.s
	kids := s.children[e.Parent]
	if kids == nil {
		kids = make(map[string]struct{})
		s.children[e.Parent] = kids
	}
	kids[e.ID] = struct{}{}
	of := s.byKind[e.Kind]
	if of == nil {
		of = make(map[string]*Entity)
		s.byKind[e.Kind] = of
	}
	of[e.ID] = e
	if e.Mobile != nil && e.Mobile.Tag != "" {
		s.tags[e.Mobile.Tag] = e.ID
	}
	s.index(e)
}

// unlink takes e out of the graph, the tag registry and the R-tree.
func (tx *applyTx) unlink(e *Entity) {
	s := tx.s
	if kids := s.children[e.Parent]; kids != nil {
		delete(kids, e.ID)
		if len(kids) == 0 {
			delete(s.children, e.Parent)
		}
	}
	delete(s.byKind[e.Kind], e.ID)
	if e.Mobile != nil && s.tags[e.Mobile.Tag] == e.ID {
		delete(s.tags, e.Mobile.Tag)
	}
	s.unindex(e)
}

func (s *Scene) index(e *Entity) {
	if e.Geometry == nil {
		return
	}
	e.bound = boundOf(e)
	s.tree.Insert(e.bound.Min, e.bound.Max, e)
	e.indexed = true
}

func (s *Scene) unindex(e *Entity) {
	if e.indexed {
		s.tree.Delete(e.bound.Min, e.bound.Max, e)
		e.indexed = false
	}
}

// boundOf is the indexed bound: the geometry's, grown by a tank's radius or a
// muster point's radius so that point-with-extent entities are found by area.
func boundOf(e *Entity) orb.Bound {
	b := e.Geometry.Bound()
	if r := e.Float("radius_m", 0); r > 0 {
		b = geo.ExpandM(b, r)
	}
	return b
}

func (tx *applyTx) move(m Move) error {
	s := tx.s
	id := m.ID
	if id == "" {
		var ok bool
		if id, ok = s.tags[m.Tag]; !ok {
			if s.opts.RejectUnknownTags || m.Tag == "" {
				return fmt.Errorf("%w: %q", ErrUnknownTag, m.Tag)
			}
			id = tx.register(m)
		}
	}
	e, ok := s.entities[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if e.Mobile == nil {
		return fmt.Errorf("%w: %s is a %s", ErrNotMobile, id, e.Kind)
	}
	if !geo.ValidLonLat(m.Fix.Point) {
		return fmt.Errorf("%w: bad position %v", ErrInvalid, m.Fix.Point)
	}
	mob := e.Mobile
	if !mob.Fix.At.IsZero() && !m.Fix.At.After(mob.Fix.At) {
		return fmt.Errorf("%w: fix at %s, last at %s", ErrStale, m.Fix.At.Format(time.RFC3339Nano), mob.Fix.At.Format(time.RFC3339Nano))
	}
	prev, hadPrev := e.Point(), e.Geometry != nil
	changed := !hadPrev // first fix: subscribers need the whole entity
	s.unindex(e)
	e.Geometry = m.Fix.Point
	s.index(e)
	mob.Fix = m.Fix
	if !math.IsNaN(m.Battery) && math.Floor(m.Battery) != math.Floor(mob.Battery) {
		changed = true
	}
	if !math.IsNaN(m.Battery) {
		mob.Battery = m.Battery
	}
	if m.SOS != nil && *m.SOS != mob.SOS {
		mob.SOS, changed = *m.SOS, true
	}
	if area := s.areaAt(m.Fix.Point); area != mob.AreaID {
		tx.areaEvents(e, mob.AreaID, area, m.Fix)
		mob.AreaID, changed = area, true
	}
	s.rev++
	e.Rev, e.Updated = s.rev, m.Fix.At
	tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpMove, Rev: s.rev, ID: id, Kind: e.Kind, Layer: e.Kind.Layer(), Fix: m.Fix, Prev: prev, HadPrev: hadPrev})
	if changed {
		tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpUpsert, Rev: s.rev, ID: id, Kind: e.Kind, Layer: e.Kind.Layer(), Entity: e.Clone()})
	}
	return nil
}

// register creates an unregistered person for an unknown tag.
func (tx *applyTx) register(m Move) string {
	s := tx.s
	id := "tag-" + m.Tag
	e := &Entity{
		ID: id, Kind: KindPerson, Parent: s.opts.SiteID, Name: m.Tag,
		Props:  map[string]any{"identity_type": "unknown"},
		Mobile: &Mobile{Tag: m.Tag, Battery: math.NaN(), Unregistered: true},
	}
	s.rev++
	e.Rev, e.Updated = s.rev, tx.now
	s.entities[id] = e
	tx.link(e)
	tx.res.Events = append(tx.res.Events, Event{Type: EventUnregisteredTag, EntityID: id, At: m.Fix.At, Point: m.Fix.Point})
	return id
}

func (tx *applyTx) areaEvents(e *Entity, from, to string, f Fix) {
	if from != "" {
		tx.res.Events = append(tx.res.Events, Event{Type: EventAreaExit, EntityID: e.ID, AreaID: from, At: f.At, Point: f.Point})
	}
	if to != "" {
		tx.res.Events = append(tx.res.Events, Event{Type: EventAreaEnter, EntityID: e.ID, AreaID: to, At: f.At, Point: f.Point})
	}
}

// areaAt returns the id of the smallest area containing p, or "".
func (s *Scene) areaAt(p orb.Point) string {
	best, bestSize := "", math.Inf(1)
	s.tree.Search(p, p, func(_, _ [2]float64, e *Entity) bool {
		if e.Kind == KindArea && geo.Contains(e.Geometry, p) {
			if size := (e.bound.Max[0] - e.bound.Min[0]) * (e.bound.Max[1] - e.bound.Min[1]); size < bestSize {
				best, bestSize = e.ID, size
			}
		}
		return true
	})
	return best
}

func (tx *applyTx) setState(c SetState) error {
	s := tx.s
	e, ok := s.entities[c.ID]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, c.ID)
	}
	at := c.At
	if at.IsZero() {
		at = tx.now
	}
	if at.Before(e.Reported) {
		return fmt.Errorf("%w: state at %s, last at %s", ErrStale, at.Format(time.RFC3339Nano), e.Reported.Format(time.RFC3339Nano))
	}
	st := make(map[string]any, len(e.State)+len(c.State))
	for k, v := range e.State {
		st[k] = v
	}
	for k, v := range c.State {
		if v == nil {
			delete(st, k)
		} else {
			st[k] = v
		}
	}
	e.State = st // copy-on-write: clones handed out earlier keep the old map
	s.rev++
	e.Rev, e.Updated, e.Reported = s.rev, at, at
	tx.res.Deltas = append(tx.res.Deltas, Delta{Op: OpUpsert, Rev: s.rev, ID: e.ID, Kind: e.Kind, Layer: e.Kind.Layer(), Entity: e.Clone()})
	return nil
}

// checkEntity validates an entity handed to Upsert.
func checkEntity(e *Entity) error {
	if e == nil || e.ID == "" {
		return fmt.Errorf("%w: missing id", ErrInvalid)
	}
	if !e.Kind.Valid() {
		return fmt.Errorf("%w: %s: unknown kind %q", ErrInvalid, e.ID, e.Kind)
	}
	if e.Geometry != nil {
		if err := CheckGeometry(e.Geometry); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, e.ID, err)
		}
	}
	if math.IsNaN(e.Height) || math.IsInf(e.Height, 0) {
		return fmt.Errorf("%w: %s: height %v", ErrInvalid, e.ID, e.Height)
	}
	return nil
}
