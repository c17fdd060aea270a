package coverage

import (
	"errors"
	"maps"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

var frame = func() *geo.Frame {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		panic(err)
	}
	return f
}()

type props = map[string]any

// ent builds an entity at plant point (x, y) metres.
func ent(id string, k twin.Kind, x, y, h float64, p props) *twin.Entity {
	return &twin.Entity{ID: id, Kind: k, Name: id, Geometry: frame.Point(x, y), Height: h, Props: p}
}

// src is release source "S" of the given type and substance at the origin.
func src(typ, sub string, extra ...props) *twin.Entity {
	p := props{"equipment_type": typ, "substance": sub}
	for _, x := range extra {
		maps.Copy(p, x)
	}
	return ent("S", twin.KindEquipment, 0, 0, 1, p)
}

// det is a detector at (x, 0) measuring gas in unit.
func det(id, gas, unit string, x float64, extra ...props) *twin.Entity {
	p := props{"gas": gas, "unit": unit}
	for _, e := range extra {
		maps.Copy(p, e)
	}
	return ent(id, twin.KindGasDetector, x, 0, 0.6, p)
}

// building is a 40 m square around the origin: 3 floors of 4.5 m.
func building(extra props) *twin.Entity {
	p := props{"floors": 3.0, "floor_height_m": 4.5}
	maps.Copy(p, extra)
	return &twin.Entity{ID: "B", Kind: twin.KindBuilding, Height: 13.5, Props: p,
		Geometry: frame.ToGeometry(orb.Polygon{{{-20, -20}, {20, -20}, {20, 20}, {-20, 20}, {-20, -20}}})}
}

func in(e *twin.Entity, parent string) *twin.Entity { e.Parent = parent; return e }

func scene(t testing.TB, es ...*twin.Entity) *twin.Scene {
	t.Helper()
	s := twin.New(twin.Options{SiteID: "site", Frame: frame})
	ch := []twin.Change{twin.Upsert{Entity: &twin.Entity{ID: "site", Kind: twin.KindSite,
		Geometry: frame.ToGeometry(orb.Polygon{{{-500, -500}, {500, -500}, {500, 500}, {-500, 500}, {-500, -500}}})}}}
	for _, e := range es {
		ch = append(ch, twin.Upsert{Entity: e})
	}
	if err := s.Apply(ch...).Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func check(t testing.TB, s *twin.Scene, o Options) Report {
	t.Helper()
	var rep Report
	var err error
	s.View(func(tx twin.Tx) { rep, err = Check(tx, o) })
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// covering renders a source's coverage as "gas:detector,…;…" for the table.
func covering(s Source) string {
	out := ""
	for i, r := range s.Required {
		if i > 0 {
			out += ";"
		}
		out += string(r.Gas) + ":"
		for j, h := range r.Detectors {
			if j > 0 {
				out += ","
			}
			out += h.DetectorID
		}
	}
	return out
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		es      []*twin.Entity
		opt     Options
		covered bool
		want    string      // covering(S)
		env     Environment // of S
	}{
		{"outdoor combustible at 10.0 m", []*twin.Entity{src("flange", "hydrogen"), det("D", "H2", "%LEL", 10.0)},
			Options{}, true, "combustible:D", Outdoor},
		{"outdoor combustible at 10.1 m", []*twin.Entity{src("flange", "hydrogen"), det("D", "H2", "%LEL", 10.1)},
			Options{}, false, "combustible:", Outdoor},
		{"outdoor toxic at 4.0 m", []*twin.Entity{src("valve", "chlorine"), det("D", "Cl2", "ppm", -4.0)},
			Options{}, true, "toxic:D", Outdoor},
		{"outdoor toxic at 4.1 m", []*twin.Entity{src("valve", "chlorine"), det("D", "Cl2", "ppm", 4.1)},
			Options{}, false, "toxic:", Outdoor},
		{"both kinds, site policy, toxic only present", []*twin.Entity{src("pump", "ammonia"), det("T", "NH3", "ppm", 3)},
			Options{BothKinds: true}, false, "combustible:;toxic:T", Outdoor},
		{"both kinds, site policy, both present", []*twin.Entity{src("pump", "ammonia"), det("T", "NH3", "ppm", 3), det("C", "ammonia", "%LEL", 9)},
			Options{BothKinds: true}, true, "combustible:C;toxic:T", Outdoor},
		{"both kinds, combustible at toxic distance is not toxic", []*twin.Entity{src("pump", "ammonia"), det("C", "NH3", "%LEL", 1), det("T", "NH3", "ppm", 4.5)},
			Options{BothKinds: true}, false, "combustible:C;toxic:", Outdoor},
		{"single component: toxic only by §3.0.1", []*twin.Entity{src("pump", "ammonia"), det("T", "NH3", "ppm", 3)},
			Options{}, true, "toxic:T", Outdoor},
		{"single component: a combustible detector alone is not enough", []*twin.Entity{src("pump", "ammonia"), det("C", "NH3", "%LEL", 3)},
			Options{}, false, "toxic:", Outdoor},
		{"mixture: both kinds", []*twin.Entity{src("pump", "ammonia", props{"mixture": true}), det("T", "NH3", "ppm", 3)},
			Options{}, false, "combustible:;toxic:T", Outdoor},
		{"wrong combustible gas", []*twin.Entity{src("compressor", "hydrogen"), det("D", "CH4", "%LEL", 2)},
			Options{}, false, "combustible:", Outdoor},
		{"other combustible gas allowed", []*twin.Entity{src("compressor", "hydrogen"), det("D", "CH4", "%LEL", 2)},
			Options{AnyCombustible: true}, true, "combustible:D", Outdoor},
		{"wrong toxic gas", []*twin.Entity{src("valve", "chlorine"), det("D", "CO", "ppm", 1)},
			Options{AnyCombustible: true}, false, "toxic:", Outdoor},
		{"oxygen detector counts for nothing", []*twin.Entity{src("valve", "chlorine"), det("D", "O2", "%VOL", 1)},
			Options{}, false, "toxic:", Outdoor},
		{"gas by formula, alias and Chinese name", []*twin.Entity{src("pump", "methanol"),
			det("C", "CH3OH", "%LEL", 5), det("T", "", "mg/m3", 1, props{"substance": "甲醇"}), det("T2", "MeOH", "ppm", 2)},
			Options{BothKinds: true}, true, "combustible:C;toxic:T,T2", Outdoor},
		{"kind from detector_type without a unit", []*twin.Entity{src("valve", "chlorine"), det("D", "Cl2", "", 1, props{"detector_type": "toxic"})},
			Options{}, true, "toxic:D", Outdoor},
		{"methane in ppm is a combustible detector", []*twin.Entity{src("valve", "methane"), det("D", "CH4", "ppm", 3)},
			Options{}, true, "combustible:D", Outdoor},
		{"enclosed combustible at 5.0 m", []*twin.Entity{building(nil), in(src("pump", "hydrogen", props{"floor": 1.0}), "B"), in(det("D", "H2", "%LEL", 5, props{"floor": 1.0}), "B")},
			Options{}, true, "combustible:D", Enclosed},
		{"enclosed combustible at 5.1 m", []*twin.Entity{building(nil), in(src("pump", "hydrogen", props{"floor": 1.0}), "B"), in(det("D", "H2", "%LEL", 5.1, props{"floor": 1.0}), "B")},
			Options{}, false, "combustible:", Enclosed},
		{"enclosed toxic at 2.0 m, building by outline", []*twin.Entity{building(nil), src("pump", "chlorine"), det("D", "Cl2", "ppm", 2)},
			Options{}, true, "toxic:D", Enclosed},
		{"enclosed toxic at 2.1 m", []*twin.Entity{building(nil), src("pump", "chlorine"), det("D", "Cl2", "ppm", 2.1)},
			Options{}, false, "toxic:", Enclosed},
		{"semi-open counts as enclosed", []*twin.Entity{building(props{"enclosure": "semi_open"}), src("pump", "hydrogen"), det("D", "H2", "%LEL", 8)},
			Options{}, false, "combustible:", Enclosed},
		{"open building has the outdoor distances", []*twin.Entity{building(props{"enclosure": "open"}), src("pump", "hydrogen"), det("D", "H2", "%LEL", 8)},
			Options{}, true, "combustible:D", OpenBuilding},
		{"open building reaches outdoors on the ground floor", []*twin.Entity{building(props{"enclosure": "open"}), ent("S", twin.KindEquipment, 17, 0, 1, props{"equipment_type": "pump", "substance": "hydrogen"}), det("D", "H2", "%LEL", 25)},
			Options{}, true, "combustible:D", OpenBuilding},
		{"open building, another floor", []*twin.Entity{building(props{"enclosure": "open"}), in(src("pump", "hydrogen", props{"floor": 1.0}), "B"), in(det("D", "H2", "%LEL", 1, props{"floor": 2.0}), "B")},
			Options{}, false, "combustible:", OpenBuilding},
		{"another floor", []*twin.Entity{building(nil), in(src("pump", "hydrogen", props{"floor": 1.0}), "B"), in(det("D", "H2", "%LEL", 1, props{"floor": 2.0}), "B")},
			Options{}, false, "combustible:", Enclosed},
		{"floor from height", []*twin.Entity{building(nil), in(ent("S", twin.KindEquipment, 0, 0, 5.7, props{"equipment_type": "pump", "substance": "hydrogen"}), "B"), in(det("D", "H2", "%LEL", 1, props{"floor": 2.0}), "B")},
			Options{}, true, "combustible:D", Enclosed},
		{"walls: detector outside the building", []*twin.Entity{building(nil), src("pump", "hydrogen"), det("D", "H2", "%LEL", 22)},
			Options{}, false, "combustible:", Enclosed},
		{"walls: outdoor source, detector inside", []*twin.Entity{building(nil), ent("S", twin.KindEquipment, 24, 0, 1, props{"equipment_type": "pump", "substance": "hydrogen"}), det("D", "H2", "%LEL", 18)},
			Options{}, false, "combustible:", Outdoor},
		{"tank: distance from the shell", []*twin.Entity{ent("S", twin.KindTank, 0, 0, 12, props{"substance": "hydrogen", "radius_m": 5.0}), det("D", "H2", "%LEL", 15)},
			Options{}, true, "combustible:D", Outdoor},
		{"tank: beyond 10 m of the shell", []*twin.Entity{ent("S", twin.KindTank, 0, 0, 12, props{"substance": "hydrogen", "radius_m": 5.0}), det("D", "H2", "%LEL", 15.2)},
			Options{}, false, "combustible:", Outdoor},
		{"substance neither combustible nor toxic", []*twin.Entity{src("valve", "oxygen")},
			Options{}, true, "", Outdoor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := check(t, scene(t, tc.es...), tc.opt)
			if len(rep.Sources) != 1 {
				t.Fatalf("%d sources, want 1: %+v", len(rep.Sources), rep.Sources)
			}
			s := rep.Sources[0]
			if s.Covered != tc.covered || covering(s) != tc.want || s.Environment != tc.env || s.Problem != "" {
				t.Errorf("covered %v %q in %s (%q), want %v %q in %s", s.Covered, covering(s), s.Environment, s.Problem, tc.covered, tc.want, tc.env)
			}
			if uncovered := len(rep.Uncovered) == 1 && rep.Uncovered[0] == "S"; uncovered == tc.covered {
				t.Errorf("uncovered list %v", rep.Uncovered)
			}
		})
	}
}

func TestWhatIsASource(t *testing.T) {
	es := []*twin.Entity{
		ent("PUMP", twin.KindEquipment, 0, 0, 1, props{"equipment_type": "pump", "substance": "methanol"}),
		ent("COLUMN", twin.KindEquipment, 50, 0, 30, props{"equipment_type": "column", "substance": "methanol"}),
		ent("REACTOR", twin.KindEquipment, 100, 0, 8, props{"equipment_type": "reactor", "substance": "hydrogen", "release_source": true}),
		ent("PUMP-OFF", twin.KindEquipment, 150, 0, 1, props{"equipment_type": "pump", "substance": "methanol", "release_source": false}),
		ent("TANK", twin.KindTank, 200, 0, 10, props{"substance": "ammonia", "radius_m": 4.0}),
		ent("NOSUB", twin.KindEquipment, 250, 0, 1, props{"equipment_type": "flange", "release_source": true}),
		ent("ODD", twin.KindEquipment, 300, 0, 1, props{"equipment_type": "flange", "substance": "unobtainium"}),
	}
	rep := check(t, scene(t, es...), Options{})
	got := map[string]Source{}
	for _, s := range rep.Sources {
		got[s.ID] = s
	}
	for _, id := range []string{"PUMP", "REACTOR", "TANK", "NOSUB", "ODD"} {
		if _, ok := got[id]; !ok {
			t.Errorf("%s is not a source", id)
		}
	}
	for _, id := range []string{"COLUMN", "PUMP-OFF"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s is a source", id)
		}
	}
	for id, code := range map[string]string{"NOSUB": ProblemNoSubstance, "ODD": ProblemUnknownSubstance} {
		if s := got[id]; s.Covered || s.Problem == "" || s.ProblemCode != code {
			t.Errorf("%s: covered %v, problem %q (%s), want code %s", id, s.Covered, s.Problem, s.ProblemCode, code)
		}
	}
	if s := got["ODD"]; s.Substance != "unobtainium" {
		t.Errorf("unknown substance reported as %q", s.Substance)
	}
	if len(rep.Uncovered) != len(rep.Sources) {
		t.Errorf("no detectors, yet uncovered %v of %d", rep.Uncovered, len(rep.Sources))
	}
}

func TestCirclesAndArea(t *testing.T) {
	area := func(id string, x0, x1 float64) *twin.Entity {
		return &twin.Entity{ID: id, Kind: twin.KindArea,
			Geometry: frame.ToGeometry(orb.Polygon{{{x0, -30}, {x1, -30}, {x1, 30}, {x0, 30}, {x0, -30}}})}
	}
	s := scene(t, area("A1", -30, 30), area("A2", 100, 160), building(nil),
		in(ent("S1", twin.KindEquipment, 0, 0, 1, props{"equipment_type": "pump", "substance": "chlorine"}), "A1"),
		ent("S2", twin.KindEquipment, 130, 0, 1, props{"equipment_type": "pump", "substance": "chlorine"}),
		det("D1", "Cl2", "ppm", 1),
		det("D2", "Cl2", "ppm", 131),
		det("D3", "H2", "%LEL", 140),
		det("OX", "O2", "%VOL", 141),
	)
	rep := check(t, s, Options{})
	want := map[string]Circle{
		"D1": {RadiusM: EnclosedToxicM, Gas: Toxic, Substance: "chlorine", Environment: Enclosed, BuildingID: "B", Floor: 1},
		"D2": {RadiusM: OutdoorToxicM, Gas: Toxic, Substance: "chlorine", Environment: Outdoor, Floor: 1},
		"D3": {RadiusM: OutdoorCombustibleM, Gas: Combustible, Substance: "hydrogen", Environment: Outdoor, Floor: 1},
	}
	if len(rep.Circles) != len(want) {
		t.Fatalf("circles %+v", rep.Circles)
	}
	for _, c := range rep.Circles {
		w := want[c.DetectorID]
		w.DetectorID, w.Center = c.DetectorID, c.Center
		if c != w || geo.DistanceM(c.Center, frame.Point(map[string]float64{"D1": 1, "D2": 131, "D3": 140}[c.DetectorID], 0)) > 1e-6 {
			t.Errorf("circle %+v, want %+v", c, w)
		}
	}
	if len(rep.Uncovered) != 0 {
		t.Errorf("uncovered %v", rep.Uncovered)
	}

	rep = check(t, s, Options{Area: "A2"})
	if len(rep.Sources) != 1 || rep.Sources[0].ID != "S2" || rep.Sources[0].AreaID != "A2" || len(rep.Circles) != 2 {
		t.Errorf("area A2: sources %+v, circles %+v", rep.Sources, rep.Circles)
	}
	s.View(func(tx twin.Tx) {
		for _, id := range []string{"NOPE", "D1"} {
			if _, err := Check(tx, Options{Area: id}); !errors.Is(err, ErrNoArea) {
				t.Errorf("area %s: %v", id, err)
			}
		}
	})
}
