package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// runPlume runs `chemtwin plume ARGS` and decodes its JSON output into out.
func runPlume(t *testing.T, out any, args ...string) (code int, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = plumeCmd(args, &o, &e)
	if code == 0 {
		if err := json.Unmarshal(o.Bytes(), out); err != nil {
			t.Fatalf("plume %v: output %q: %v", args, o.String(), err)
		}
	}
	return code, e.String()
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

// TestPlumeCLIReferenceCases: the validation CLI reproduces REFERENCE §8's
// cases within 1 % with the flags and fields.
func TestPlumeCLIReferenceCases(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		c      float64 // g/m³
		sy, sz float64 // m; 0: not checked
	}{
		{"Crowl & Louvar 5-1, centreline", []string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--height-m", "60", "--x-m", "500"}, 1.45e-4, 39.0, 22.7},
		{"Crowl & Louvar 5-1, y = 50 m", []string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--height-m", "60", "--x-m", "500", "--y-m", "50"}, 6.37e-5, 0, 0},
		{"ISC3 Pasquill–Gifford fit", []string{"point", "--rate-g-s", "10", "--wind-m-s", "6", "--stability", "D", "--height-m", "50", "--x-m", "500", "--sigma", "isc3"}, 1.9172e-5, 36.146, 18.297},
		{"CCPS puff", []string{"puff", "--mass-g", "1000", "--wind-m-s", "2", "--stability", "F", "--x-m", "500", "--t-s", "250"}, 2.250, 5.048, 2.215},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s sample
			if code, e := runPlume(t, &s, c.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, e)
			}
			if !near(s.ConcentrationGM3, c.c, 0.01) || c.sy > 0 && !near(s.SigmaYM, c.sy, 0.01) || c.sz > 0 && !near(s.SigmaZM, c.sz, 0.01) {
				t.Errorf("got C %.4g g/m³, σy %.3f m, σz %.3f m; want %.4g, %.3f, %.3f", s.ConcentrationGM3, s.SigmaYM, s.SigmaZM, c.c, c.sy, c.sz)
			}
		})
	}
}

// TestPlumeCLIProfile: --profile carries the 10 m wind to the release
// height, so a 60 m release sees a stronger wind and a lower concentration.
func TestPlumeCLIProfile(t *testing.T) {
	args := []string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--height-m", "60", "--x-m", "500"}
	var plain, profiled sample
	runPlume(t, &plain, args...)
	if code, e := runPlume(t, &profiled, append(args, "--profile")...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	// u(60) = 6·6^0.15 (rural D): C scales as 1/u.
	if want := plain.ConcentrationGM3 / math.Pow(6, 0.15); !near(profiled.ConcentrationGM3, want, 1e-9) {
		t.Errorf("profiled C %.6g, want %.6g", profiled.ConcentrationGM3, want)
	}
}

// TestPlumeCLIZones: threat zones of an ammonia release at the substance's
// levels of concern, nested (red shortest), and with given levels.
func TestPlumeCLIZones(t *testing.T) {
	var out zonesOut
	if code, e := runPlume(t, &out, "zones", "--rate-g-s", "1000", "--wind-m-s", "3", "--stability", "D", "--substance", "ammonia"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if out.Substance != "ammonia" || len(out.Zones) != 3 {
		t.Fatalf("zones %+v", out)
	}
	for i, z := range out.Zones {
		if z.Level != 3-i || !(z.PPM > 0) || !(z.DistanceM > 0) || z.Guideline == "" {
			t.Fatalf("zone %d: %+v", i, z)
		}
		if i > 0 && !(z.DistanceM > out.Zones[i-1].DistanceM) {
			t.Fatalf("level %d reaches %.0f m, not beyond level %d's %.0f m", z.Level, z.DistanceM, out.Zones[i-1].Level, out.Zones[i-1].DistanceM)
		}
	}
	// AEGL-3 of ammonia (REFERENCE §7) is level 3.
	if out.Zones[0].PPM != 1100 || !strings.Contains(out.Zones[0].Guideline, "AEGL") {
		t.Errorf("level 3: %+v, want AEGL-3 1100 ppm", out.Zones[0])
	}
	var given zonesOut
	if code, e := runPlume(t, &given, "zones", "--rate-g-s", "1000", "--wind-m-s", "3", "--stability", "D", "--substance", "NH3", "--loc-ppm", "1100,160,30"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	for i := range given.Zones {
		if !near(given.Zones[i].DistanceM, out.Zones[i].DistanceM, 1e-9) {
			t.Errorf("given levels: zone %d reaches %.1f m, the library's %.1f m", i, given.Zones[i].DistanceM, out.Zones[i].DistanceM)
		}
	}
	// A release too small to reach 10 m is flagged, one reaching beyond
	// 10 km too.
	var small, big zonesOut
	runPlume(t, &small, "zones", "--rate-g-s", "0.001", "--wind-m-s", "3", "--stability", "D", "--substance", "ammonia")
	runPlume(t, &big, "zones", "--rate-g-s", "1e6", "--wind-m-s", "1.5", "--stability", "F", "--substance", "chlorine")
	if w := small.Zones[0].Warning; w != "< 10 m" && small.Zones[0].DistanceM != 0 {
		t.Errorf("small release: %+v", small.Zones[0])
	}
	if w := big.Zones[2].Warning; w != "> 10 km" {
		t.Errorf("large chlorine release: %+v", big.Zones[2])
	}
	if len(big.Warnings) == 0 {
		t.Error("class F with a dense gas gave no warning")
	}
}

// TestPlumeCLIRefuses: bad command lines exit 2, model refusals 1.
func TestPlumeCLIRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{}, 2},
		{[]string{"nope"}, 2},
		{[]string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--x-m", "500"}, 2}, // no --height-m
		{[]string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "Q", "--height-m", "0", "--x-m", "500"}, 1},
		{[]string{"point", "--rate-g-s", "80", "--wind-m-s", "0", "--stability", "D", "--height-m", "0", "--x-m", "500"}, 1},
		{[]string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--height-m", "0", "--x-m", "-5"}, 1},
		{[]string{"point", "--rate-g-s", "80", "--wind-m-s", "6", "--stability", "D", "--height-m", "0", "--x-m", "500", "--sigma", "ccps_puff"}, 2},
		{[]string{"puff", "--mass-g", "1000", "--wind-m-s", "2", "--stability", "F", "--x-m", "500"}, 2}, // no --t-s
		{[]string{"zones", "--rate-g-s", "10", "--wind-m-s", "2", "--stability", "F", "--substance", "unobtainium"}, 1},
		{[]string{"zones", "--rate-g-s", "10", "--wind-m-s", "2", "--stability", "F", "--substance", "ammonia", "--loc-ppm", "1,2"}, 2},
	} {
		var out any
		if code, _ := runPlume(t, &out, c.args...); code != c.code {
			t.Errorf("plume %v: exit %d, want %d", c.args, code, c.code)
		}
	}
}
