package coverage

import (
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// detector is a gas detector as the rules see it.
type detector struct {
	id    string
	point orb.Point
	gas   Gas
	sub   *substance.Substance // nil when the scene names no known gas
	place
}

// detectors classifies the scene's placed gas detectors by id; oxygen
// detectors and those of no known kind are left out.
func detectors(tx twin.Tx, lib *substance.Library) map[string]*detector {
	out := make(map[string]*detector, tx.Count(twin.KindGasDetector))
	units := unitCache{}
	tx.Kind(twin.KindGasDetector, func(e *twin.Entity) bool {
		if !e.Placed() {
			return true
		}
		if g, sub, ok := classify(e, lib, units); ok {
			out[e.ID] = &detector{id: e.ID, point: e.Point(), gas: g, sub: sub, place: locate(tx, e)}
		}
		return true
	})
	return out
}

// classify returns what a detector measures: its gas from `substance`,
// else `gas`; its kind from its unit, else from `detector_type`.
func classify(e *twin.Entity, lib *substance.Library, units unitCache) (Gas, *substance.Substance, bool) {
	sub := resolve(lib, e.String("substance"), e.String("gas"))
	if sub != nil && sub.ID == substance.Oxygen {
		return "", nil, false
	}
	var g Gas
	if u, ok := units.parse(e.String("unit")); ok {
		g = Toxic
		if u == substance.PctLEL || u == substance.PctVol || sub != nil && !sub.Toxic() {
			g = Combustible
		}
	} else {
		switch Gas(e.String("detector_type")) {
		case Combustible:
			g = Combustible
		case Toxic:
			g = Toxic
		default:
			return "", nil, false
		}
	}
	if sub != nil && (g == Combustible && !sub.Combustible() || g == Toxic && !sub.Toxic()) {
		return "", nil, false
	}
	return g, sub, true
}

// unitCache memoises substance.ParseUnit over one check: scenes repeat a
// handful of unit spellings.
type unitCache map[string]substance.Unit

// parse returns the unit s names, and whether it names one.
func (c unitCache) parse(s string) (substance.Unit, bool) {
	u, seen := c[s]
	if !seen {
		u, _ = substance.ParseUnit(s) // "" when unknown
		c[s] = u
	}
	return u, u != ""
}

// resolve returns the first name the library knows, or nil.
func resolve(lib *substance.Library, names ...string) *substance.Substance {
	for _, n := range names {
		if n == "" {
			continue
		}
		if s, err := lib.Get(n); err == nil {
			return s
		}
	}
	return nil
}

// counts reports whether d counts as g detection of substance sub.
func (d *detector) counts(g Gas, sub *substance.Substance, anyCombustible bool) bool {
	if d.gas != g {
		return false
	}
	return d.sub == sub || anyCombustible && g == Combustible
}

// circle is d's coverage disc: the source-side radius for its gas in its
// own environment.
func (d *detector) circle() Circle {
	c := Circle{DetectorID: d.id, Center: d.point, RadiusM: RadiusM(d.gas, d.env), Gas: d.gas,
		Environment: d.env, BuildingID: d.building, Floor: d.floor}
	if d.sub != nil {
		c.Substance = d.sub.ID
	}
	return c
}
