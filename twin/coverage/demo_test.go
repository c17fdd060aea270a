package coverage

import (
	"slices"
	"testing"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

func demoScene(tb testing.TB) *twin.Scene {
	tb.Helper()
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		tb.Fatal(err)
	}
	ts, err := sc.Twin(twin.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// TestDemo checks the embedded demo plant and logs its uncovered sources.
// The R-tree answer is held against an all-pairs search, and the report
// against itself.
func TestDemo(t *testing.T) {
	ts := demoScene(t)
	var rep Report
	var brute map[string][]string
	var want []string
	ts.View(func(tx twin.Tx) {
		var err error
		if rep, err = Check(tx, Options{}); err != nil {
			t.Fatal(err)
		}
		brute = allPairs(tx)
		for _, k := range []twin.Kind{twin.KindTank, twin.KindEquipment, twin.KindUnit} {
			tx.Kind(k, func(e *twin.Entity) bool {
				if IsSource(e) {
					want = append(want, e.ID)
				}
				return true
			})
		}
	})
	slices.Sort(want)
	var got []string
	for _, s := range rep.Sources {
		got = append(got, s.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sources %v, want %v", got, want)
	}
	circles := map[string]Circle{}
	for _, c := range rep.Circles {
		circles[c.DetectorID] = c
	}
	var uncovered []string
	for _, s := range rep.Sources {
		all := true
		for _, r := range s.Required {
			all = all && r.Covered
			if r.Covered != (len(r.Detectors) > 0) || r.RadiusM != RadiusM(r.Gas, s.Environment) {
				t.Errorf("%s %s: covered %v with %d detectors, radius %g", s.ID, r.Gas, r.Covered, len(r.Detectors), r.RadiusM)
			}
			for _, h := range r.Detectors {
				c, ok := circles[h.DetectorID]
				if !ok || c.Gas != r.Gas || h.DistanceM > r.RadiusM+slackM || c.Substance != s.Substance {
					t.Errorf("%s %s: hit %+v against circle %+v", s.ID, r.Gas, h, c)
				}
			}
			ids := make([]string, len(r.Detectors))
			for i, h := range r.Detectors {
				ids[i] = h.DetectorID
			}
			slices.Sort(ids)
			if b := brute[s.ID+"/"+string(r.Gas)]; !slices.Equal(ids, b) {
				t.Errorf("%s %s: R-tree found %v, all pairs %v", s.ID, r.Gas, ids, b)
			}
		}
		if s.Covered != (all && s.Problem == "") || s.Problem != "" {
			t.Errorf("%s: covered %v, problem %q", s.ID, s.Covered, s.Problem)
		}
		if !s.Covered {
			uncovered = append(uncovered, s.ID)
			t.Logf("uncovered: %s (%s, %s, %s, %s floor %d): %s", s.ID, s.Name, s.Substance, s.Environment, s.BuildingID, s.Floor, lacking(s))
		}
	}
	if !slices.Equal(uncovered, rep.Uncovered) {
		t.Errorf("uncovered list %v, sources say %v", rep.Uncovered, uncovered)
	}
	t.Logf("demo: %d release sources, %d uncovered, %d detector circles", len(rep.Sources), len(rep.Uncovered), len(rep.Circles))
	// The demo plant is built to the standard: a regression in its
	// generator shows here.
	if len(rep.Uncovered) > 0 {
		t.Errorf("the demo plant leaves %v uncovered", rep.Uncovered)
	}
}

// lacking names the detection a source misses.
func lacking(s Source) string {
	var out []string
	for _, r := range s.Required {
		if !r.Covered {
			out = append(out, string(r.Gas)+" within "+formatM(r.RadiusM))
		}
	}
	return "no " + joinOr(out)
}

func formatM(m float64) string {
	return map[float64]string{10: "10 m", 4: "4 m", 5: "5 m", 2: "2 m"}[m]
}

func joinOr(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " nor "
		}
		out += x
	}
	return out
}

// allPairs is the coverage by testing every source against every detector
// with the same rules, keyed "source/gas", detector ids sorted.
func allPairs(tx twin.Tx) map[string][]string {
	lib := substance.Default()
	dets := detectors(tx, lib)
	out := map[string][]string{}
	for _, k := range []twin.Kind{twin.KindTank, twin.KindEquipment, twin.KindUnit} {
		tx.Kind(k, func(e *twin.Entity) bool {
			sub := resolve(lib, e.String("substance"))
			if !IsSource(e) || sub == nil {
				return true
			}
			p := locate(tx, e)
			for _, g := range needs(sub, false) {
				key := e.ID + "/" + string(g)
				out[key] = []string{}
				for _, d := range dets {
					if d.counts(g, sub, false) && p.reaches(d.place) && distanceM(e, d.point) <= RadiusM(g, p.env)+slackM {
						out[key] = append(out[key], d.id)
					}
				}
				slices.Sort(out[key])
			}
			return true
		})
	}
	return out
}

func BenchmarkDemo(b *testing.B) {
	ts := demoScene(b)
	b.ReportAllocs()
	for b.Loop() {
		ts.View(func(tx twin.Tx) {
			if _, err := Check(tx, Options{}); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// TestDemoPolicies logs how the demo fares under the optional rules.
func TestDemoPolicies(t *testing.T) {
	ts := demoScene(t)
	for _, o := range []Options{{}, {AnyCombustible: true}, {BothKinds: true}, {AnyCombustible: true, BothKinds: true}} {
		ts.View(func(tx twin.Tx) {
			rep, err := Check(tx, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("any_combustible=%v both_kinds=%v: %d sources, %d uncovered %v", o.AnyCombustible, o.BothKinds, len(rep.Sources), len(rep.Uncovered), rep.Uncovered)
		})
	}
}
