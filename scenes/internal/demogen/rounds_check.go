package main

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// maxPointOffsetM is how far a point may stand from what it checks: the
// equipment, a tank's shell or a place's outline.
const maxPointOffsetM = 5.0

// checkInspections verifies what the scene validator cannot see: every
// point stands on open ground (or inside its building, on a floor it has)
// next to what it checks; the tanks' live values start within their
// checklist limits; the routes and plans hold together; and no plan sends
// its people into a forbidden fence that would not let them in.
func (p *plant) checkInspections() error {
	var errs []error
	for _, s := range pointSpecs {
		if err := p.checkPointPlace(s); err != nil {
			errs = append(errs, fmt.Errorf("inspection point %s: %w", s.id, err))
		}
	}
	for _, t := range tankSpecs {
		if !tankLevel(t).holds(t.levelPct) || !tankPressure(t).holds(t.pressureKPa) {
			errs = append(errs, fmt.Errorf("tank %s starts outside its checklist limits", t.id))
		}
	}
	routes, plans := p.routes(), p.plans()
	errs = append(errs, p.checkRounds(routes, plans)...)
	errs = append(errs, p.checkFenceAccess(routes, plans)...)
	return errors.Join(errs...)
}

func (l limits) holds(v float64) bool {
	return (l.lo == nil || v >= *l.lo) && (l.hi == nil || v <= *l.hi)
}

func (p *plant) checkPointPlace(s pointSpec) error {
	f := p.byID[s.id]
	q, _ := p.pointAt(s.id)
	floor, _ := f.props["floor"].(int)
	if d := p.offsetM(s, q); d > maxPointOffsetM {
		return fmt.Errorf("%.1f m from what it checks (limit %v m)", d, maxPointOffsetM)
	}
	if !siteBoundary.grow(-1).contains(q) {
		return errors.New("outside the site")
	}
	for _, t := range tankSpecs {
		if dist(q, t.at) < t.radiusM+1 {
			return fmt.Errorf("inside tank %s", t.id)
		}
	}
	if floor > 0 {
		b := p.buildingOf(f.props)
		switch {
		case b == "":
			return errors.New("has a floor but no building among its parents")
		case !p.rects[b].grow(-1).contains(q):
			return fmt.Errorf("not inside the walls of %s", b)
		case floor > p.floors[b]:
			return fmt.Errorf("floor %d of %s, which has %d", floor, b, p.floors[b])
		}
		return nil
	}
	for _, b := range buildingSpecs {
		if b.r.grow(0.3).contains(q) {
			return fmt.Errorf("outdoors but inside building %s", b.id)
		}
	}
	for _, u := range unitSpecs {
		if u.unitType == "wastewater" && u.r.contains(q) {
			return fmt.Errorf("in pool %s", u.id)
		}
	}
	return nil
}

// offsetM is the distance from q to what s checks: a tank's shell, an
// equipment's or muster point's position, a place's outline.
func (p *plant) offsetM(s pointSpec, q orb.Point) float64 {
	id := s.equipment
	if id == "" {
		id = s.anchor
	}
	for _, t := range tankSpecs {
		if t.id == id {
			return dist(q, t.at) - t.radiusM
		}
	}
	if r, ok := p.rects[id]; ok {
		return rectDistM(r, q)
	}
	if f, ok := p.byID[id]; ok {
		if at, ok := f.geom.(orb.Point); ok {
			return dist(q, at)
		}
	}
	return math.Inf(1)
}

func rectDistM(r rect, q orb.Point) float64 {
	dx := max(r.x0-q[0], 0, q[0]-r.x1)
	dy := max(r.y0-q[1], 0, q[1]-r.y1)
	return math.Hypot(dx, dy)
}

func (p *plant) checkRounds(routes []inspect.Route, plans []inspect.Plan) []error {
	var errs []error
	isPoint := func(id string) bool {
		f := p.byID[id]
		return f != nil && f.props["kind"] == string(twin.KindInspectionPoint)
	}
	walked, routeIDs, sequenced := map[string]bool{}, map[string]bool{}, false
	for _, r := range routes {
		if err := r.Validate(isPoint); err != nil {
			errs = append(errs, err)
		}
		if n := len(r.Points); n < minRoutePoints || n > maxRoutePoints {
			errs = append(errs, fmt.Errorf("route %s has %d points (want %d–%d)", r.ID, n, minRoutePoints, maxRoutePoints))
		}
		for _, id := range r.Points {
			walked[id] = true
		}
		routeIDs[r.ID], sequenced = true, sequenced || r.Sequence
	}
	if !sequenced {
		errs = append(errs, errors.New("no route enforces its sequence"))
	}
	for _, s := range pointSpecs {
		if !walked[s.id] {
			errs = append(errs, fmt.Errorf("inspection point %s is on no route", s.id))
		}
	}
	for _, pl := range plans {
		if err := pl.Validate(func(id string) bool { return routeIDs[id] }); err != nil {
			errs = append(errs, err)
		}
		if _, ok := p.reg.lookup(pl.Assignee); pl.Assignee != "" && !ok {
			errs = append(errs, fmt.Errorf("plan %s: assignee %s is nobody", pl.ID, pl.Assignee))
		}
		if pl.Team != "" && len(p.reg.department(pl.Team)) == 0 {
			errs = append(errs, fmt.Errorf("plan %s: team %s has nobody", pl.ID, pl.Team))
		}
	}
	return errs
}

// checkFenceAccess refuses a plan whose route has a point inside a
// forbidden fence (at the point's floor and height) that does not
// authorise the plan's assignee or team.
func (p *plant) checkFenceAccess(routes []inspect.Route, plans []inspect.Plan) []error {
	byRoute := map[string][]string{}
	for _, r := range routes {
		byRoute[r.ID] = r.Points
	}
	var errs []error
	for _, pl := range plans {
		for _, id := range byRoute[pl.Route] {
			for _, fn := range p.layers[fileFences] {
				if fn.props["rule"] == "forbidden" && p.fenceHolds(fn, id) && !p.authorised(pl, fn.props["authorized"]) {
					errs = append(errs, fmt.Errorf("plan %s sends its people to %s inside forbidden fence %s", pl.ID, id, fn.id()))
				}
			}
		}
	}
	return errs
}

func (p *plant) fenceHolds(fn *feature, pointID string) bool {
	q, floor := p.pointAt(pointID)
	pt := p.byID[pointID]
	if fl, ok := fn.props["floor"].(int); ok && fl != floor {
		return false
	}
	h, _ := pt.props["height"].(float64)
	if lo, ok := fn.props["z_min"].(float64); ok && h < lo {
		return false
	}
	if hi, ok := fn.props["z_max"].(float64); ok && h > hi {
		return false
	}
	b := fn.geom.Bound()
	return rect{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}.contains(q)
}

// authorised reports whether a fence's authorisation selector (every key
// must match) lets a plan's assignee in; a team is taken as internal staff
// of its department whose posts are unknown.
func (p *plant) authorised(pl inspect.Plan, selector any) bool {
	sel, _ := selector.(P)
	identity, dept, post, id := "internal", pl.Team, "", ""
	if person, ok := p.reg.lookup(pl.Assignee); ok {
		identity, dept, post, id = person.IdentityType, person.Department, person.Post, person.ID
	}
	for key, v := range sel {
		values, _ := v.([]string)
		var have string
		switch key {
		case "identity_types":
			have = identity
		case "departments":
			have = dept
		case "posts":
			have = post
		case "persons":
			have = id
		}
		if have == "" || !slices.Contains(values, have) {
			return false
		}
	}
	return len(sel) > 0 // a forbidden fence without a selector lets nobody in
}

// lookup returns the person with id.
func (r *registry) lookup(id string) (person, bool) {
	for _, p := range r.people {
		if p.ID == id {
			return p, true
		}
	}
	return person{}, false
}

// department returns the ids of a department's people.
func (r *registry) department(dept string) []string {
	var ids []string
	for _, p := range r.people {
		if p.Department == dept {
			ids = append(ids, p.ID)
		}
	}
	return ids
}
