package main

import (
	"bytes"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin/inspect"
)

// routeSpec is an inspection route; its points are walked in the order a
// nearest-neighbour walk from the control-room door gives.
type routeSpec struct {
	id, name, nameEn string
	points           []string
	sequence         bool
}

// pointIDs returns IP-from … IP-to.
func pointIDs(from, to int) []string {
	ids := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		ids = append(ids, fmt.Sprintf("IP-%03d", i))
	}
	return ids
}

// The routes: one per unit or storage for the operators' rounds, the
// safety round, and two rounds of the specialists (rotating equipment
// weekly, fire equipment monthly) over points of the others. The ammonia
// spheres (a major hazard source) are walked in a fixed order.
var routeSpecs = []routeSpec{
	{"RT-MEOH", "甲醇生产区巡检", "Methanol area round", pointIDs(1, 10), false},
	{"RT-TANK", "甲醇罐区巡检", "Methanol tank farm round", pointIDs(11, 19), false},
	{"RT-NH3", "液氨球罐区巡检", "Ammonia sphere round", pointIDs(20, 25), true},
	{"RT-LOAD", "装卸区巡检", "Loading area round", append(pointIDs(26, 31), "IP-063", "IP-070"), false},
	{"RT-UTIL", "公用工程巡检", "Utilities round", pointIDs(32, 40), false},
	{"RT-PNA", "对硝氨解装置巡检", "Ammonolysis unit round", pointIDs(41, 47), false},
	{"RT-PPD", "对苯二胺加氢装置巡检", "PPD hydrogenation round", pointIDs(48, 59), false},
	{"RT-SAFE", "安全环保巡检", "Safety and environment round", pointIDs(60, 71), false},
	{"RT-EQUIP", "动设备周检", "Weekly rotating-equipment check",
		[]string{"IP-001", "IP-005", "IP-011", "IP-020", "IP-032", "IP-033", "IP-043", "IP-050", "IP-054"}, false},
	{"RT-FIRE", "消防设施月检", "Monthly fire-equipment check",
		[]string{"IP-019", "IP-025", "IP-030", "IP-031", "IP-039", "IP-040", "IP-064"}, false},
}

// Route lengths the W7 issue asks for.
const (
	minRoutePoints = 6
	maxRoutePoints = 12
)

// Plan constants: the plans start with 2026 and close a task 30 minutes
// after its window (twin/inspect.DefaultGraceMin).
const (
	planFrom   = "2026-01-01"
	dayShift   = "08:00-20:00"
	nightShift = "20:00-08:00"
)

func (p *plant) routes() []inspect.Route {
	start := p.doors["BLD-CCR"]
	out := make([]inspect.Route, 0, len(routeSpecs))
	for _, r := range routeSpecs {
		out = append(out, inspect.Route{ID: r.id, Name: r.name, NameEn: r.nameEn,
			Points: p.walkOrder(start, r.points), Sequence: r.sequence})
	}
	return out
}

// floorPenaltyM is what a change of floor adds to the distance of the
// nearest-neighbour walk (a flight of stairs and the corridor to it).
const floorPenaltyM = 10.0

// walkOrder orders points by a nearest-neighbour walk from start.
func (p *plant) walkOrder(start orb.Point, ids []string) []string {
	left := append([]string(nil), ids...)
	at, floor := start, 1
	out := make([]string, 0, len(ids))
	for len(left) > 0 {
		best, bestD := 0, math.Inf(1)
		for i, id := range left {
			q, f := p.pointAt(id)
			if d := dist(at, q) + floorPenaltyM*math.Abs(float64(f-floor)); d < bestD {
				best, bestD = i, d
			}
		}
		at, floor = p.pointAt(left[best])
		out = append(out, left[best])
		left = append(left[:best], left[best+1:]...)
	}
	return out
}

// pointAt returns an inspection point's plant position and floor (1
// outdoors).
func (p *plant) pointAt(id string) (orb.Point, int) {
	f, ok := p.byID[id]
	if !ok {
		panic("demogen: no inspection point " + id)
	}
	fl, _ := f.props["floor"].(int)
	return f.geom.(orb.Point), max(fl, 1)
}

// plans: the operators' rounds every 2 hours on the day shift and every 4
// at night (units and storage), utilities every 4 hours, loading every 4
// hours of the day shift, the safety round once a day on workdays, the
// rotating equipment weekly and the fire equipment monthly (fire pumps are
// run by hand every month, GB 50974-2014 ch. 14 — verify clause). The
// frequencies are common plant practice, not a standard's. The methanol
// day round is the demo inspector's own.
func (p *plant) plans() []inspect.Plan {
	var out []inspect.Plan
	add := func(id, name, route string, every int, unit string, windows []string, days, assignee, team string) {
		out = append(out, inspect.Plan{ID: id, Name: name, Route: route, Every: every, Unit: unit, Windows: windows,
			Days: days, Assignee: assignee, Team: team, GraceMin: inspect.DefaultGraceMin, From: planFrom, Enabled: true})
	}
	shifts := func(id, name, route, dayAssignee, team string) {
		dayTeam := team
		if dayAssignee != "" {
			dayTeam = ""
		}
		add(id+"-D", name+"（白班）", route, 2, inspect.UnitHour, []string{dayShift}, inspect.DaysAll, dayAssignee, dayTeam)
		add(id+"-N", name+"（夜班）", route, 4, inspect.UnitHour, []string{nightShift}, inspect.DaysAll, "", team)
	}
	shifts("PL-MEOH", "甲醇生产区巡检", "RT-MEOH", p.reg.first(deptMeOH, "巡检员"), deptMeOH)
	shifts("PL-TANK", "甲醇罐区巡检", "RT-TANK", "", deptLogistics)
	shifts("PL-NH3", "液氨球罐区巡检", "RT-NH3", "", deptLogistics)
	shifts("PL-PNA", "对硝氨解装置巡检", "RT-PNA", "", deptPNA)
	shifts("PL-PPD", "对苯二胺加氢装置巡检", "RT-PPD", "", deptPPD)
	add("PL-UTIL", "公用工程巡检（每4小时）", "RT-UTIL", 4, inspect.UnitHour, nil, inspect.DaysAll, "", deptUtility)
	add("PL-LOAD", "装卸区巡检（白班每4小时）", "RT-LOAD", 4, inspect.UnitHour, []string{dayShift}, inspect.DaysAll, "", deptLogistics)
	add("PL-SAFE", "安全环保日检（工作日）", "RT-SAFE", 1, inspect.UnitDay, []string{"08:30-17:30"}, inspect.DaysWorkdays, "", deptSafety)
	add("PL-EQUIP", "动设备周检", "RT-EQUIP", 1, inspect.UnitWeek, nil, inspect.DaysWorkdays, p.reg.first(deptTech, "设备工程师"), "")
	add("PL-FIRE", "消防设施月检", "RT-FIRE", 1, inspect.UnitMonth, nil, inspect.DaysWorkdays, p.reg.first(deptSafety, "消防员"), "")
	return out
}

// inspectionsJSON renders inspections.json, one route or plan per line.
func (p *plant) inspectionsJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	sections := []struct {
		name  string
		items []any
	}{{"routes", anys(p.routes())}, {"plans", anys(p.plans())}}
	for i, s := range sections {
		fmt.Fprintf(&b, "%q: [\n", s.name)
		for j, it := range s.items {
			line, err := marshal(it)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fileInspections, err)
			}
			b.WriteString("  ")
			b.Write(line)
			if j < len(s.items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]")
		if i < len(sections)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}
