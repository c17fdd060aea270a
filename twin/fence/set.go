package fence

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/chemtwin/chemtwin/twin"
)

// DefaultMarginM is the exit deadband: a fix inside a fence stays inside
// until it is this far outside the polygon's edge, so that positioning
// noise at an edge does not toggle membership. It stays below the 3 m of
// the AQ 3064.3-2025 Annex A crossing test (a tag 3 m outside must alarm).
const DefaultMarginM = 2.0

// Set is an immutable, indexed set of fences: fixed fences in an R-tree by
// their bound grown by the exit margin, moving fences in a list (the engine
// indexes them by their current position). It is safe for concurrent use.
type Set struct {
	fences  []*Fence
	byID    map[string]*Fence
	fixed   rtree.RTreeG[*Fence]
	moving  []*Fence
	marginM float64
}

// NewSet indexes fences. marginM is the exit deadband in metres (0 = the
// default DefaultMarginM, negative = none). Fence ids must be unique.
func NewSet(fences []*Fence, marginM float64) (*Set, error) {
	switch {
	case marginM == 0:
		marginM = DefaultMarginM
	case marginM < 0 || math.IsNaN(marginM):
		marginM = 0
	}
	s := &Set{byID: make(map[string]*Fence, len(fences)), marginM: marginM}
	for _, f := range fences {
		if f == nil || f.polys == nil {
			return nil, fmt.Errorf("%w: fence not compiled by Parse", ErrInvalid)
		}
		if _, dup := s.byID[f.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate fence id %s", ErrInvalid, f.ID)
		}
		c := *f // the set owns its copies: idx is per set
		c.idx = len(s.fences)
		s.fences = append(s.fences, &c)
		s.byID[c.ID] = &c
		if c.Moving() {
			s.moving = append(s.moving, &c)
			continue
		}
		b := c.boundAt(c.ref, marginM)
		s.fixed.Insert(b.Min, b.Max, &c)
	}
	return s, nil
}

// Compile parses every fence entity (other kinds are skipped) and indexes
// the good ones. Bad fences are left out and reported in the joined error
// (each wrapping ErrInvalid); the set is usable either way.
func Compile(ents []*twin.Entity, anchor func(id string) (orb.Point, bool), marginM float64) (*Set, error) {
	var fences []*Fence
	var errs []error
	seen := map[string]bool{}
	for _, e := range ents {
		if e == nil || e.Kind != twin.KindFence {
			continue
		}
		f, err := Parse(e, anchor)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[f.ID] {
			errs = append(errs, fmt.Errorf("%w: duplicate fence id %s", ErrInvalid, f.ID))
			continue
		}
		seen[f.ID] = true
		fences = append(fences, f)
	}
	sort.Slice(fences, func(i, j int) bool { return fences[i].ID < fences[j].ID })
	s, err := NewSet(fences, marginM)
	if err != nil {
		return nil, err
	}
	return s, errors.Join(errs...)
}

// Len returns the number of fences.
func (s *Set) Len() int { return len(s.fences) }

// Fences returns the fences in id order; the slice is the caller's, the
// fences are shared and immutable.
func (s *Set) Fences() []*Fence { return append([]*Fence(nil), s.fences...) }

// Get returns the fence with the id, or nil.
func (s *Set) Get(id string) *Fence { return s.byID[id] }

// MarginM returns the exit deadband in metres.
func (s *Set) MarginM() float64 { return s.marginM }

// Subject is a person or vehicle as the fences see it: the registry's
// identity type, department and post. It is a value; copy freely.
type Subject struct {
	ID, Name, NameEn, Tag string
	Kind                  twin.Kind
	IdentityType          string // internal, contractor, visitor (AQ 3064.3 01/02/03), unknown
	Department, Post      string
}

// SubjectOf reads a person or vehicle entity.
func SubjectOf(e *twin.Entity) Subject {
	s := Subject{ID: e.ID, Name: e.Name, NameEn: e.String("name_en"), Kind: e.Kind,
		IdentityType: e.String("identity_type"), Department: e.String("department"), Post: e.String("post")}
	if e.Mobile != nil {
		s.Tag = e.Mobile.Tag
	}
	return s
}

func (s *Subject) person() bool  { return s.Kind != twin.KindVehicle }
func (s *Subject) vehicle() bool { return s.Kind == twin.KindVehicle }
