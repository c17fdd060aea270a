package main

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin/inspect"
)

func builtPlant(t *testing.T) *plant {
	t.Helper()
	p, err := newPlant()
	if err != nil {
		t.Fatal(err)
	}
	p.build()
	return p
}

// TestCheckPointPlace moves points where they must not be and expects
// the generator's check to refuse them.
func TestCheckPointPlace(t *testing.T) {
	for _, tt := range []struct {
		id    string
		at    orb.Point // zero: where it is
		floor int
		want  string
	}{
		{"IP-001", orb.Point{360, -52}, 0, "m from what it checks"},    // 12 m from C-301
		{"IP-060", orb.Point{-370, 345}, 0, "inside building BLD-CCR"}, // the door point moved indoors
		{"IP-013", orb.Point{365, -250}, 0, "inside tank TK-401"},      // on the tank
		{"IP-066", orb.Point{-420, -302}, 0, "in pool U-WWT-BIO"},      // in the aeration tank
		{"IP-039", orb.Point{505, 298}, 1, "not inside the walls of BLD-FWP"},
		{"IP-054", orb.Point{}, 5, "floor 5 of BLD-PPD-AUX, which has 4"},
		{"IP-001", orb.Point{}, 1, "has a floor but no building"},
	} {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			p := builtPlant(t)
			if err := p.checkInspections(); err != nil {
				t.Fatalf("the demo fails its own check: %v", err)
			}
			f := p.byID[tt.id]
			if tt.at != (orb.Point{}) {
				f.geom = tt.at
			}
			if tt.floor > 0 {
				f.props["floor"] = tt.floor
			}
			err := p.checkInspections()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestCheckFenceAccess: the tank dike is forbidden to all but storage and
// safety staff, so a methanol-workshop team may not walk the tank round.
func TestCheckFenceAccess(t *testing.T) {
	p := builtPlant(t)
	routes := p.routes()
	plan := func(team, assignee string) inspect.Plan {
		return inspect.Plan{ID: "PL-X", Route: "RT-TANK", Team: team, Assignee: assignee}
	}
	if errs := p.checkFenceAccess(routes, []inspect.Plan{plan(deptLogistics, "")}); len(errs) != 0 {
		t.Errorf("storage team refused: %v", errs)
	}
	errs := p.checkFenceAccess(routes, []inspect.Plan{plan(deptMeOH, "")})
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "FN-DIKE") {
		t.Errorf("methanol team on the tank round: %v, want FN-DIKE refused", errs)
	}
	if errs := p.checkFenceAccess(routes, []inspect.Plan{plan("", p.reg.first(deptMeOH, "巡检员"))}); len(errs) == 0 {
		t.Error("a methanol inspector in the tank dike passed")
	}
}

// TestCheckRounds: a route too short, a point on no route and a plan of
// an unknown route are refused.
func TestCheckRounds(t *testing.T) {
	p := builtPlant(t)
	routes, plans := p.routes(), p.plans()
	routes[0].Points = routes[0].Points[:3]
	plans[0].Route = "RT-404"
	var msgs []string
	for _, err := range p.checkRounds(routes, plans) {
		msgs = append(msgs, err.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"route RT-MEOH has 3 points", "is on no route", `no route "RT-404"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in:\n%s", want, all)
		}
	}
}

func TestPointCode(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range pointSpecs {
		c := pointCode(s.id)
		if seen[c] || !strings.HasPrefix(c, "CT-"+s.id+"-") || len(c) != len("CT-"+s.id+"-")+4 {
			t.Errorf("code %s", c)
		}
		seen[c] = true
	}
	if pointCode("IP-001") == pointCode("IP-002") {
		t.Error("codes do not depend on the id")
	}
}
