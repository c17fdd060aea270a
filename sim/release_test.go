package sim

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// TestReleaseConcentration holds one receptor's concentration against the
// Gaussian plume worked by hand: 50 g/s at 1.2 m, the wind from the west at
// 3 m/s over an overcast sky (class D by day and night), a receptor 100 m
// east and 10 m north at 2 m: Briggs open country σy = 0.08·100/√1.01 =
// 7.960 m, σz = 0.06·100/√1.15 = 5.595 m, each widened by the volume
// source's initial σ in quadrature,
// C = Q/(2π u σy σz) · e^(−y²/2σy²) · [e^(−(z−H)²/2σz²) + e^(−(z+H)²/2σz²)].
func TestReleaseConcentration(t *testing.T) {
	c := &climate{loc: time.UTC, lat: 38.1, lon: 106.6}
	c.dir = 270 - prevailingFromDeg // from the west
	c.cloud = 8 - meanCloudOctas    // overcast: D
	ms := testStart.UnixMilli()
	speed, _ := c.meanWind(ms)
	c.wind = 3 - speed + c.wind
	if speed, from := c.meanWind(ms); math.Abs(speed-3) > 1e-9 || math.Abs(from-270) > 1e-9 {
		t.Fatalf("wind %g m/s from %g°", speed, from)
	}
	r := &release{Release: Release{RateGS: 50, StartS: 0}, at: [2]float64{0, 0}, hM: 1.2, c: c, endS: math.Inf(1)}
	sy, sz := 0.08*100/math.Sqrt(1.01), 0.06*100/math.Sqrt(1.15)
	sy, sz = math.Hypot(sy, plume.WakeSigmaYM), math.Hypot(sz, plume.WakeSigmaZM)
	want := 50 / (2 * math.Pi * 3 * sy * sz) * math.Exp(-100/(2*sy*sy)) *
		(math.Exp(-0.8*0.8/(2*sz*sz)) + math.Exp(-3.2*3.2/(2*sz*sz)))
	// Long after the start, the gas has arrived.
	if got := r.concentration(ms, 600, [2]float64{100, 10}, 2); math.Abs(got-want)/want > 1e-9 {
		t.Errorf("C(100 m, 10 m, 2 m) = %.6g g/m³, want %.6g", got, want)
	}
	if got := r.concentration(ms, 600, [2]float64{-100, 10}, 2); got != 0 {
		t.Errorf("upwind: %g g/m³", got)
	}
	// 100 m at 3 m/s: the front arrives after 33 s and is whole 10 s later.
	for _, c := range []struct {
		t    float64
		want float64
	}{{20, 0}, {33, 0}, {38.3, 0.5}, {44, 1}} {
		got := r.concentration(ms, c.t, [2]float64{100, 10}, 2) / want
		if math.Abs(got-c.want) > 0.01 {
			t.Errorf("at %g s: %.3f of the steady value, want %.2f", c.t, got, c.want)
		}
	}
	r.endS = 100
	if got := r.concentration(ms, 150, [2]float64{100, 10}, 2); got != 0 {
		t.Errorf("50 s after the end, 100 m downwind: %g g/m³", got)
	}
}

// TestScenarioReadings plays the ammonia scenario on the demo plant: before
// the release every ammonia detector stays quiet; once it runs, the pump's
// own detector (GD-PNA-01, 1.6 m from it) rises past level 1, and over the
// last minutes each detector's median reading above its quiet median is
// the plume's mean concentration within the noise (a factor of 2;
// readings at full scale and plumes under 2 ppm left out).
//
// Five seeds give five winds; together they put several detectors in the
// plume's measurable part.
func TestScenarioReadings(t *testing.T) {
	ts := demoTwin(t)
	checked := 0
	for seed := uint64(1); seed <= 5; seed++ {
		checked += scenarioReadings(t, ts, seed)
	}
	if checked < 3 {
		t.Errorf("%d detectors read the plume within their range in five runs", checked)
	}
}

// scenarioReadings runs the ammonia scenario with one seed and returns how
// many detectors it compared with the plume.
func scenarioReadings(t *testing.T, ts *twin.Scene, seed uint64) int {
	rel, err := Scenario("ammonia-leak", 60)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := New(ts, Options{Seed: seed, Start: testStart, Releases: []Release{rel}})
	if err != nil {
		t.Fatal(err)
	}
	r := sim.releases[0]
	if r.sub.ID != "ammonia" || r.RateGS != 100 {
		t.Fatalf("release %+v", r.Release)
	}
	byID := map[string]*detector{}
	exposed := 0
	for _, st := range sim.streams {
		if d, ok := st.em.(*detector); ok {
			byID[d.id] = d
			if len(d.releases) > 0 {
				exposed++
				if !strings.Contains(d.topic, "GD-") || d.unit != "ppm" {
					t.Errorf("%s (%s) exposed to ammonia", d.id, d.unit)
				}
			}
		}
	}
	if exposed < 10 {
		t.Fatalf("%d outdoor ammonia detectors", exposed)
	}
	type obs struct {
		vals []float64
		want []float64
	}
	late := map[string]*obs{}
	over := map[string]bool{}
	quiet := map[string][]float64{}
	span := 8 * time.Minute
	for at := testStart; !at.Add(-span).After(testStart); at = at.Add(time.Second) {
		for _, m := range sim.Step(at) {
			lv := strings.Split(m.Topic, "/") // chemtwin/{site}/detectors/{id}/reading
			id := lv[len(lv)-2]
			d := byID[id]
			if lv[2] != "detectors" || d == nil || len(d.releases) == 0 {
				continue
			}
			var rd struct {
				Value float64 `json:"value"`
				TS    int64   `json:"ts"`
			}
			if err := json.Unmarshal(m.Payload, &rd); err != nil {
				t.Fatal(err)
			}
			sec := sim.m.sec(rd.TS)
			if sec < 60 {
				if rd.Value >= d.a1*quietFracA1+d.res {
					t.Errorf("%s reads %g ppm before the release", id, rd.Value)
				}
				quiet[id] = append(quiet[id], rd.Value)
			}
			if rd.Value >= d.a1 {
				over[id] = true
			}
			if sec >= 240 {
				o := late[id]
				if o == nil {
					o = &obs{}
					late[id] = o
				}
				ppm := substance.GM3ToPPM(r.concentration(rd.TS, sec, d.p, d.releases[0].zM), 17.03, substance.MolarVolume20C)
				o.vals, o.want = append(o.vals, rd.Value), append(o.want, ppm)
			}
		}
	}
	checked := 0
	for id, o := range late {
		d := byID[id]
		got, want := median(o.vals), median(o.want)
		if got >= 0.9*d.hi || want < 2 {
			continue // saturating, or lost in the quiet signal
		}
		got -= median(quiet[id])
		t.Logf("%s: median reading %.1f ppm above its quiet median, the plume's %.1f ppm", id, got, want)
		checked++
		if got/want < 0.5 || got/want > 2 {
			t.Errorf("%s: median %.1f ppm, the plume's %.1f ppm", id, got, want)
		}
	}
	var alarmed []string
	for id := range over {
		alarmed = append(alarmed, id)
	}
	slices.Sort(alarmed)
	t.Logf("ammonia-leak, seed %d: %d of %d ammonia detectors over level 1 %v; %d compared with the plume", seed, len(alarmed), exposed, alarmed, checked)
	if !slices.Contains(alarmed, "GD-PNA-01") {
		t.Errorf("the pump's own detector GD-PNA-01 is not among %v over level 1", alarmed)
	}
	return checked
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestReleaseErrors: a release that cannot run is refused at New.
func TestReleaseErrors(t *testing.T) {
	ts := demoTwin(t)
	for _, c := range []struct {
		name string
		rel  Release
		want string
	}{
		{"unknown source", Release{SourceID: "NOPE", RateGS: 1}, "not in the scene"},
		{"indoors", Release{SourceID: "P-203", RateGS: 1}, "indoors"},
		{"zero rate", Release{SourceID: "P-101A"}, "rate"},
		{"negative start", Release{SourceID: "P-101A", RateGS: 1, StartS: -1}, "start"},
		{"infinite duration", Release{SourceID: "P-101A", RateGS: 1, DurationS: math.Inf(1)}, "duration"},
		{"unknown substance", Release{SourceID: "P-101A", RateGS: 1, Substance: "unobtainium"}, "unobtainium"},
		{"source without substance", Release{SourceID: "BLD-MAINT", RateGS: 1}, "substance"},
	} {
		_, err := New(ts, Options{Releases: []Release{c.rel}})
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrOptions mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := Scenario("chlorine-leak", 0); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "ammonia-leak") {
		t.Errorf("unknown scenario: %v", err)
	}
	for _, name := range ScenarioNames() {
		rel, err := Scenario(name, 5)
		if err != nil || rel.StartS != 5 {
			t.Fatalf("%s: %+v, %v", name, rel, err)
		}
		if _, err := New(ts, Options{Releases: []Release{rel}}); err != nil {
			t.Errorf("%s on the demo plant: %v", name, err)
		}
	}
}
