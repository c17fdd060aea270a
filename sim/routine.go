package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// dest is a kind of destination.
type dest uint8

const (
	destHome     dest = iota // the post area (a visitor's: the office building)
	destControl              // the control room
	destCanteen              // the canteen/office building (1#楼)
	destArea                 // another area of the plant
	destGate                 // a gate
	destWorkshop             // a workshop (contractors)
	destOffice               // an office (visitors)
	destCrowd                // a gathering episode (crowd.go)
)

// choice is one line of a destination menu.
type choice struct {
	d dest
	w float64 // probability
}

// Destination menus: where a person walks next, by identity and by whether
// they are at their post. Internal staff spend their shift at and around
// their post area — 99 % of their walks are short moves within it, from
// one gauge or valve to the next — and otherwise go to the control room,
// the canteen/office building (1#楼), another area or, rarely, a gate: an
// errand every eight hours or so. Once away (or waiting for a free spot at
// their post) they head back to it. In a plant a kilometre across an errand
// is a walk of ten minutes or more each way, on the few walkways that
// cross the plant, which is why errands are this rare: more of them and
// people walking the same way fall into step, three or four within 15 m
// for minutes, a gathering by the 2023 guide. Contractors keep to their
// work site and the workshops. Visitors keep to the office building, the
// canteen and the gates (and, when the plant has internal staff, walk
// beside an escort instead).
var menus = [3][2][]choice{
	internal: {
		{{destHome, 0.99}, {destControl, 0.003}, {destCanteen, 0.003}, {destArea, 0.002}, {destGate, 0.002}}, // away
		{{destHome, 0.99}, {destControl, 0.003}, {destCanteen, 0.003}, {destArea, 0.003}, {destGate, 0.001}}, // at post
	},
	contractor: {
		{{destHome, 0.99}, {destWorkshop, 0.005}, {destCanteen, 0.003}, {destGate, 0.002}},
		{{destHome, 0.99}, {destWorkshop, 0.005}, {destCanteen, 0.003}, {destGate, 0.002}},
	},
	visitor: {
		{{destHome, 0.55}, {destCanteen, 0.20}, {destGate, 0.25}},
		{{destHome, 0.55}, {destCanteen, 0.20}, {destGate, 0.25}},
	},
}

// choose draws the next destination.
func (p *person) choose() dest {
	menu := menus[p.who][0]
	if p.at == destHome {
		menu = menus[p.who][1]
	}
	u := p.rng.Float64()
	for _, c := range menu {
		if u < c.w {
			return c.d
		}
		u -= c.w
	}
	return destHome
}

// dwell draws how long a person stays at a place of kind d, seconds: at a
// field post 30 s–10 min (uniform: a reading at a gauge or a stint at a
// panel), at a desk post (an office, the control room, a building) 4–10 min,
// in the control room or an office 2–10 min, in the canteen 5–10 min, at a
// gate 30 s–3 min, elsewhere 1–6 min (log-uniform where short stays are the
// more common).
func (p *person) dwell(d dest) float64 {
	switch {
	case d == destHome && p.home != nil && p.home.desk():
		return uniform(p.rng, 240, 600)
	case d == destHome:
		return uniform(p.rng, 30, 600)
	case d == destControl || d == destOffice:
		return logUniform(p.rng, 120, 600)
	case d == destCanteen:
		return uniform(p.rng, 300, 600)
	case d == destGate:
		return logUniform(p.rng, 30, 180)
	}
	return logUniform(p.rng, 60, 360)
}

// desk reports whether people posted here mostly sit: offices, control
// rooms, laboratories, buildings.
func (p *place) desk() bool {
	switch p.typ {
	case "office", "control", "control_room", "lab":
		return true
	}
	return p.kind == twin.KindBuilding
}

// of returns a place of kind d (drawn among several), nil for destHome or
// when the plant has none.
func (ps *places) of(d dest, r *rand.Rand) *place {
	one := func(list []*place) *place {
		if len(list) == 0 {
			return nil
		}
		return list[r.IntN(len(list))]
	}
	switch d {
	case destControl:
		return ps.control
	case destCanteen:
		return ps.canteen
	case destArea:
		return one(ps.areas)
	case destGate:
		return one(ps.gates)
	case destWorkshop:
		return one(ps.workshops)
	case destOffice:
		return one(ps.offices)
	}
	return nil
}

// homeOf returns a person's post area: the post_area property, else for a
// visitor the canteen/office building, for a contractor the nearest
// workshop, for staff the area they were last seen in.
func (ps *places) homeOf(e *twin.Entity, who identity, f *geo.Frame) *place {
	if p := ps.byID[e.String("post_area")]; p != nil {
		return p
	}
	var at *[2]float64
	if e.Geometry != nil {
		q := plantPoint(f, e.Point())
		at = &q
	}
	switch {
	case who == visitor && ps.canteen != nil:
		return ps.canteen
	case who == contractor && len(ps.workshops) > 0:
		if at != nil {
			return nearest(ps.workshops, *at)
		}
		return ps.workshops[0]
	case at != nil:
		return ps.containing(*at)
	}
	return nil
}

// has reports whether pedestrian edge i serves the place.
func (p *place) has(i int) bool {
	_, ok := slices.BinarySearch(p.ped.edges, i)
	return ok
}

// anyLabel makes edgeSet.pick accept any component.
const anyLabel = -2
