package coverage

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// sourceTypes are the equipment types that are release sources when the
// scene does not say: seals, joints and transfer points (GB 50058-2014
// annex B lists pump and compressor seals, flanges, valves, sampling
// points, drains, vents and loading arms as release sources).
var sourceTypes = map[string]bool{
	"pump": true, "compressor": true, "flange": true, "valve": true, "valve_group": true,
	"loading_point": true, "loading_arm": true, "sampling_point": true, "drain": true, "vent": true,
}

// IsSource reports whether e is a release source: its `release_source`
// property when set; otherwise a tank holding a substance, or equipment
// of one of the seal, joint and transfer types (see the package doc).
func IsSource(e *twin.Entity) bool {
	switch e.String("release_source") {
	case "true":
		return true
	case "false":
		return false
	}
	switch e.Kind {
	case twin.KindTank:
		return e.String("substance") != ""
	case twin.KindEquipment:
		return sourceTypes[e.String("equipment_type")]
	}
	return false
}

// checker holds what one Check shares between sources.
type checker struct {
	tx   twin.Tx
	opt  Options
	dets map[string]*detector
}

// source checks one release source.
func (c *checker) source(e *twin.Entity) Source {
	p := locate(c.tx, e)
	s := Source{ID: e.ID, Name: e.Name, Kind: e.Kind, EquipmentType: e.String("equipment_type"),
		AreaID: areaOf(c.tx, e), BuildingID: p.building, Floor: p.floor, Environment: p.env,
		Point: e.Point(), Required: []Requirement{}}
	name := e.String("substance")
	sub := resolve(c.opt.Library, name)
	switch {
	case name == "":
		s.Problem, s.ProblemCode = "no substance given: coverage cannot be checked", ProblemNoSubstance
		return s
	case sub == nil:
		s.Substance = name
		s.Problem, s.ProblemCode = fmt.Sprintf("substance %q is not in the library: coverage cannot be checked", name), ProblemUnknownSubstance
		return s
	}
	s.Substance = sub.ID
	s.Covered = true
	mixture, _ := e.Props["mixture"].(bool)
	for _, g := range needs(sub, c.opt.BothKinds || mixture) {
		r := c.requirement(e, p, sub, g)
		s.Covered = s.Covered && r.Covered
		s.Required = append(s.Required, r)
	}
	return s
}

// needs lists the detection a substance calls for, combustible first: a
// substance both combustible and toxic needs a toxic detector alone unless
// both is set (GB/T 50493-2019 §3.0.1).
func needs(sub *substance.Substance, both bool) []Gas {
	if !both && sub.Toxic() {
		return []Gas{Toxic}
	}
	var gs []Gas
	if sub.Combustible() {
		gs = append(gs, Combustible)
	}
	if sub.Toxic() {
		gs = append(gs, Toxic)
	}
	return gs
}

// requirement finds the g detectors of sub covering source e at p: an
// R-tree query on e's bound grown by the limit, then the exact distance.
func (c *checker) requirement(e *twin.Entity, p place, sub *substance.Substance, g Gas) Requirement {
	r := Requirement{Gas: g, RadiusM: RadiusM(g, p.env), Detectors: []Hit{}}
	reach := r.RadiusM + e.Float("radius_m", 0) + slackM
	c.tx.Search(geo.ExpandM(e.Bound(), reach), func(x *twin.Entity) bool {
		d := c.dets[x.ID]
		if x.Kind != twin.KindGasDetector || d == nil || !d.counts(g, sub, c.opt.AnyCombustible) || !p.reaches(d.place) {
			return true
		}
		if dist := distanceM(e, d.point); dist <= r.RadiusM+slackM {
			r.Detectors = append(r.Detectors, Hit{DetectorID: d.id, DistanceM: dist})
		}
		return true
	})
	slices.SortFunc(r.Detectors, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), cmp.Compare(a.DetectorID, b.DetectorID))
	})
	r.Covered = len(r.Detectors) > 0
	return r
}

// distanceM is the horizontal distance in metres from the [lon, lat] point
// q to source e: to a disc's rim (a tank's `radius_m`), a polygon's
// outline (0 inside) or a point.
func distanceM(e *twin.Entity, q orb.Point) float64 {
	pt, ok := e.Geometry.(orb.Point)
	if !ok {
		return geo.DistanceToM(e.Geometry, q)
	}
	return math.Max(0, geo.DistanceM(pt, q)-e.Float("radius_m", 0))
}
