package coverage

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Maximum horizontal distance from a detector to the release source it
// covers, metres.
const (
	// GB/T 50493-2019 §4.2.1: release source outdoors or in an open
	// (敞开式) building.
	OutdoorCombustibleM = 10.0
	OutdoorToxicM       = 4.0
	// GB/T 50493-2019 §4.2.2: release source in an enclosed building, or a
	// semi-open one with poor local ventilation.
	EnclosedCombustibleM = 5.0
	EnclosedToxicM       = 2.0
)

// slackM is the tolerance of the distance test: 1 mm, below the precision
// of any plant survey.
const slackM = 1e-3

// ErrNoArea is returned when Options.Area names no area of the scene.
var ErrNoArea = errors.New("coverage: no such area")

// Gas is the kind of gas detection a source needs or a detector gives.
type Gas string

// The two kinds the distance rules apply to.
const (
	Combustible Gas = "combustible"
	Toxic       Gas = "toxic"
)

// Environment is where a source or detector stands, deciding the distances.
type Environment string

// Environments: outdoor and open-building sources have the outdoor
// distances, enclosed ones the enclosed distances.
const (
	Outdoor      Environment = "outdoor"
	OpenBuilding Environment = "open_building"
	Enclosed     Environment = "enclosed"
)

// RadiusM returns the GB/T 50493-2019 distance limit for gas g in env.
func RadiusM(g Gas, env Environment) float64 {
	switch {
	case env == Enclosed && g == Toxic:
		return EnclosedToxicM
	case env == Enclosed:
		return EnclosedCombustibleM
	case g == Toxic:
		return OutdoorToxicM
	}
	return OutdoorCombustibleM
}

// Options tune a check; the zero value checks the whole scene with the
// embedded substance library.
type Options struct {
	// Library resolves substance names; nil means substance.Default().
	Library *substance.Library
	// Area, if set, keeps the sources in that area (one of their area
	// ancestors in the scene graph or, for a source under no area, the
	// area containing it) and the circles of the detectors in it or
	// covering its sources.
	Area string
	// AnyCombustible lets a combustible detector of any combustible gas
	// cover a combustible source (default false: the same gas only).
	AnyCombustible bool
	// BothKinds requires a combustible and a toxic detector at every source
	// of a substance that is both, a site's stricter policy. Default false:
	// GB/T 50493-2019 §3.0.1 — a single-component medium that is both
	// combustible and toxic needs a toxic-gas detector; a mixture (a source
	// with `mixture: true`) needs both kinds.
	BothKinds bool
}

// Report is the coverage of one scene revision.
type Report struct {
	Rev       uint64   `json:"rev"`
	Sources   []Source `json:"sources"`   // by id
	Uncovered []string `json:"uncovered"` // ids of the sources not covered, sorted
	Circles   []Circle `json:"circles"`   // by detector id
}

// Source is one release source and the detectors covering it.
type Source struct {
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	Kind          twin.Kind   `json:"kind"`
	EquipmentType string      `json:"equipment_type,omitempty"`
	Substance     string      `json:"substance"` // library id, or the scene's text when unknown
	AreaID        string      `json:"area_id,omitempty"`
	BuildingID    string      `json:"building_id,omitempty"`
	Floor         int         `json:"floor"` // 1 = ground level, outdoors too
	Environment   Environment `json:"environment"`
	Point         orb.Point   `json:"point"` // [lon, lat]
	// Required lists the detection the substance needs, combustible first.
	Required []Requirement `json:"required"`
	Covered  bool          `json:"covered"`
	// Problem says why a source could not be checked ("" when it could),
	// in English; ProblemCode names it for translation: ProblemNoSubstance
	// or ProblemUnknownSubstance.
	Problem     string `json:"problem,omitempty"`
	ProblemCode string `json:"problem_code,omitempty"`
}

// Requirement is one kind of detection a source needs and who gives it.
type Requirement struct {
	Gas       Gas     `json:"gas"`
	RadiusM   float64 `json:"radius_m"`
	Detectors []Hit   `json:"detectors"` // nearest first
	Covered   bool    `json:"covered"`
}

// Hit is a detector covering a source.
type Hit struct {
	DetectorID string  `json:"detector_id"`
	DistanceM  float64 `json:"distance_m"` // horizontal, to the source's outline
}

// Circle is a detector's coverage disc for drawing.
type Circle struct {
	DetectorID  string      `json:"detector_id"`
	Center      orb.Point   `json:"center"` // [lon, lat]
	RadiusM     float64     `json:"radius_m"`
	Gas         Gas         `json:"gas"`
	Substance   string      `json:"substance,omitempty"`
	Environment Environment `json:"environment"`
	BuildingID  string      `json:"building_id,omitempty"`
	Floor       int         `json:"floor"`
}

// Check computes the detector coverage of every release source the
// transaction sees. It fails only when Options.Area names no area.
func Check(tx twin.Tx, opt Options) (Report, error) {
	if opt.Library == nil {
		opt.Library = substance.Default()
	}
	if opt.Area != "" {
		if a := tx.Get(opt.Area); a == nil || a.Kind != twin.KindArea {
			return Report{}, fmt.Errorf("%w: %q", ErrNoArea, opt.Area)
		}
	}
	c := checker{tx: tx, opt: opt, dets: detectors(tx, opt.Library)}
	rep := Report{Rev: tx.Rev(), Sources: []Source{}, Uncovered: []string{}, Circles: []Circle{}}
	drawn := map[string]bool{}
	for _, k := range []twin.Kind{twin.KindTank, twin.KindEquipment, twin.KindUnit} {
		tx.Kind(k, func(e *twin.Entity) bool {
			if !IsSource(e) || !e.Placed() || !inArea(tx, e, opt.Area) {
				return true
			}
			s := c.source(e)
			for _, r := range s.Required {
				for _, h := range r.Detectors {
					drawn[h.DetectorID] = true
				}
			}
			rep.Sources = append(rep.Sources, s)
			return true
		})
	}
	slices.SortFunc(rep.Sources, func(a, b Source) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range rep.Sources {
		if !s.Covered {
			rep.Uncovered = append(rep.Uncovered, s.ID)
		}
	}
	for _, d := range c.dets {
		if drawn[d.id] || inArea(tx, tx.Get(d.id), opt.Area) {
			rep.Circles = append(rep.Circles, d.circle())
		}
	}
	slices.SortFunc(rep.Circles, func(a, b Circle) int { return strings.Compare(a.DetectorID, b.DetectorID) })
	return rep, nil
}

// areaOf returns the id of the area e belongs to: its nearest area
// ancestor, else the first area (by id) containing its point, else "".
func areaOf(tx twin.Tx, e *twin.Entity) string {
	if a := tx.Ancestor(e.ID, twin.KindArea); a != nil {
		return a.ID
	}
	return containing(tx, e.Point(), twin.KindArea)
}

// inArea reports whether e lies in area id ("" is the whole site): id is
// one of e's area ancestors or, when e has none, contains e's point.
func inArea(tx twin.Tx, e *twin.Entity, id string) bool {
	if id == "" {
		return true
	}
	a := tx.Ancestor(e.ID, twin.KindArea)
	if a == nil {
		return geo.Contains(tx.Get(id).Geometry, e.Point())
	}
	for ; a != nil; a = tx.Ancestor(a.ID, twin.KindArea) {
		if a.ID == id {
			return true
		}
	}
	return false
}

// containing returns the smallest id of the entities of kind k whose
// outline contains p, or "".
func containing(tx twin.Tx, p orb.Point, k twin.Kind) string {
	id := ""
	tx.Containing(p, func(z *twin.Entity) bool {
		if z.Kind == k && (id == "" || z.ID < id) {
			id = z.ID
		}
		return true
	})
	return id
}

// Codes of Source.ProblemCode.
const (
	ProblemNoSubstance      = "no_substance"      // the source names no substance
	ProblemUnknownSubstance = "unknown_substance" // its substance is not in the library
)
