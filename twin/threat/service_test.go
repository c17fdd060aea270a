package threat

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

func start(t *testing.T, p *plant) *Service {
	t.Helper()
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	p.scene.Observe(s.ObserveScene)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s
}

func people(e *twin.Entity) []string {
	var out []string
	for _, v := range e.Props["people"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// nestTolM is how far a vertex of an inner zone may lie outside the outer
// one: both outlines are chords between sampled stations, so near the
// source (widths of millimetres) and at the tip they cross by well under a
// centimetre.
const nestTolM = 0.05

// inside reports whether every vertex of a lies in b, within nestTolM.
func inside(a, b orb.Polygon) bool {
	for _, q := range a[0] {
		if !geo.Contains(b, q) && geo.DistanceToM(b, q) > nestTolM {
			return false
		}
	}
	return true
}

func TestAlarmToZones(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	s := start(t, p)
	s.ObserveAlarm(gasAlarm("GD-C", alarm.ActionRaised))

	want := []string{"TZ-ammonia-3", "TZ-ammonia-2", "TZ-ammonia-1",
		"TZ-ammonia-3-confidence", "TZ-ammonia-2-confidence", "TZ-ammonia-1-confidence"}
	z := p.waitZones("three zones", func(z map[string]*twin.Entity) bool { return len(z) == len(want) })
	for _, id := range want {
		if z[id] == nil {
			t.Fatalf("no %s in %v", id, keys(z))
		}
	}
	red, orange, yellow := z[want[0]], z[want[1]], z[want[2]]
	for _, c := range []struct {
		e     *twin.Entity
		level int
		color string
	}{{red, 3, "red"}, {orange, 2, "orange"}, {yellow, 1, "yellow"}} {
		if c.e.Props["level"] != c.level || c.e.Props["color"] != c.color || c.e.Props["zone"] != "threat" {
			t.Errorf("%s: level %v colour %v zone %v", c.e.ID, c.e.Props["level"], c.e.Props["color"], c.e.Props["zone"])
		}
	}
	if z[want[3]].Props["zone"] != "confidence" {
		t.Errorf("confidence zone: %v", z[want[3]].Props["zone"])
	}
	// The readings came from the tank's plume: the tank is the estimate and
	// the fitted rate is the true one (same model, no noise: within 1 %).
	if red.Props["source_id"] != "T-NH3" {
		t.Errorf("source %v, want T-NH3", red.Props["source_id"])
	}
	if q := red.Props["rate_g_s"].(float64); math.Abs(q-p.rateGS)/p.rateGS > 0.01 {
		t.Errorf("rate %.2f g/s, want %g", q, p.rateGS)
	}
	if r := red.Props["residual_log"].(float64); r > 1e-6 {
		t.Errorf("residual %g, want ≈ 0 for noise-free readings", r)
	}
	if red.Props["stability"] != "D" || red.Props["wind_from"] != 270.0 || red.Props["wind_speed"] != 3.0 {
		t.Errorf("weather %v %v %v", red.Props["stability"], red.Props["wind_from"], red.Props["wind_speed"])
	}
	ws := red.Props["warnings"].([]any)
	if !slices.Contains(ws, any(WarnDenseGas)) {
		t.Errorf("warnings %v lack %s for ammonia", ws, WarnDenseGas)
	}
	// Nested: red inside orange inside yellow, each inside its confidence region.
	rp, op, yp := red.Geometry.(orb.Polygon), orange.Geometry.(orb.Polygon), yellow.Geometry.(orb.Polygon)
	if !inside(rp, op) || !inside(op, yp) {
		t.Error("zones are not nested red ⊂ orange ⊂ yellow")
	}
	if !inside(yp, z[want[5]].Geometry.(orb.Polygon)) {
		t.Error("the yellow zone is not inside its confidence region")
	}
	// The zones lie east of the tank (a west wind).
	c := geo.Centroid(yp)
	if e := p.enuOf(c); !(e[0] > 100 && math.Abs(e[1]) < 0.1*e[0]) {
		t.Errorf("yellow centroid at %.0f m E, %.0f m N: not downwind", e[0], e[1])
	}
	// People at risk.
	if got := people(red); !slices.Equal(got, []string{"P-IN"}) || red.Props["people_at_risk"] != 1 {
		t.Errorf("red: people %v, count %v", got, red.Props["people_at_risk"])
	}
	if got := people(yellow); !slices.Equal(got, []string{"P-IN", "P-YELLOW"}) {
		t.Errorf("yellow: people %v", got)
	}
	for id, e := range z {
		if slices.Contains(people(e), "P-OUT") {
			t.Errorf("%s holds P-OUT", id)
		}
	}
	in := s.Incidents()
	if len(in) != 1 || in[0].Substance != "ammonia" || in[0].Source.ID != "T-NH3" || in[0].Error != "" {
		t.Fatalf("incidents %+v", in)
	}

	// A person walking into the red zone is counted (a people-only refresh).
	p.clock.Add(2 * time.Second)
	p.move("P-OUT", 80, 2)
	p.waitZones("P-OUT in red", func(z map[string]*twin.Entity) bool {
		return z[want[0]] != nil && slices.Contains(people(z[want[0]]), "P-OUT")
	})

	// The wind turns to the south: after the window has passed the old
	// samples, the zones point north.
	p.clock.Add(11 * time.Minute)
	p.weather(3, 180, "D")
	p.readings(3, 180, plume.D)
	// The wind and the readings arrive apart: a recompute between them fits
	// old readings to the new wind (no zones); the next one, a second
	// later, has both.
	p.clock.Add(2 * time.Second)
	z = p.waitZones("zones turned north", func(z map[string]*twin.Entity) bool {
		y := z[want[2]]
		return y != nil && y.Props["wind_from"] == 180.0
	})
	if e := p.enuOf(geo.Centroid(z[want[2]].Geometry)); !(e[1] > 100 && math.Abs(e[0]) < 0.1*e[1]) {
		t.Errorf("after the wind change the yellow centroid is at %.0f m E, %.0f m N", e[0], e[1])
	}
	if z[want[0]].Props["source_id"] != "T-NH3" {
		t.Errorf("source after the wind change: %v", z[want[0]].Props["source_id"])
	}

	// The alarm clears: the zones go.
	p.clock.Add(2 * time.Second)
	s.ObserveAlarm(gasAlarm("GD-C", alarm.ActionCleared))
	p.waitZones("no zones", func(z map[string]*twin.Entity) bool { return len(z) == 0 })
	if in := s.Incidents(); len(in) != 0 {
		t.Errorf("incidents after clearing: %+v", in)
	}
}

func (p *plant) enuOf(q orb.Point) orb.Point {
	x, y := p.frame.Local(q)
	e, n := p.frame.ENU(x, y)
	return orb.Point{e, n}
}

// TestAtMostOncePerInterval drives step directly with a frozen clock.
func TestAtMostOncePerInterval(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p.scene.Observe(s.ObserveScene)
	s.ObserveAlarm(gasAlarm("GD-C", alarm.ActionRaised))
	if wait := s.step(); wait != 0 || s.runs != 1 {
		t.Fatalf("first step: wait %s, runs %d", wait, s.runs)
	}
	for i := range 10 {
		p.clock.Add(90 * time.Millisecond)
		p.readings(3, 270, plume.D)
		wait := s.step()
		if s.runs != 1 {
			t.Fatalf("update %d at +%d ms recomputed (runs %d)", i, 90*(i+1), s.runs)
		}
		if want := time.Second - time.Duration(i+1)*90*time.Millisecond; wait != want {
			t.Fatalf("update %d: wait %s, want %s", i, wait, want)
		}
	}
	p.clock.Add(100 * time.Millisecond) // 1 s since the first
	if s.step(); s.runs != 2 {
		t.Fatalf("runs %d after the interval, want 2", s.runs)
	}
	if s.step(); s.runs != 2 {
		t.Fatalf("runs %d with nothing new, want 2", s.runs)
	}
}

func TestStabilityFromTheSunWhenTheStationGivesNone(t *testing.T) {
	p := newPlant(t)
	p.clock.t = time.Date(2024, 6, 21, 4, 54, 0, 0, time.UTC) // solar noon, summer
	p.weather(2.5, 270, "")
	p.readings(2.5, 270, plume.B)
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s.ObserveAlarm(gasAlarm("GD-C", alarm.ActionRaised))
	s.step()
	in := s.Incidents()
	if len(in) != 1 {
		t.Fatalf("incidents %+v", in)
	}
	w := in[0].Weather
	if w.StabilityFrom != "sun" || (w.Stability != "A" && w.Stability != "B") || w.CloudOctas != DefaultCloudOctas {
		t.Errorf("weather %+v", w)
	}
}

func TestActiveAlarmsSeedTheService(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	open := gasAlarm("GD-B", alarm.ActionRaised).Alarm
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now, ActiveAlarms: func() []alarm.Alarm { return []alarm.Alarm{open} }})
	if err != nil {
		t.Fatal(err)
	}
	s.step()
	if in := s.Incidents(); len(in) != 1 || !slices.Equal(in[0].Detectors, []string{"GD-B"}) || len(in[0].Zones) != 6 {
		t.Fatalf("incidents %+v", in)
	}
}

func TestNewRejectsASceneWithoutFrame(t *testing.T) {
	if _, err := New(Options{Scene: twin.New(twin.Options{})}); err == nil {
		t.Error("no error for a scene without a frame")
	}
	if _, err := New(Options{}); err == nil {
		t.Error("no error without a scene")
	}
}

func BenchmarkRecompute(b *testing.B) {
	p := newPlant(b)
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	s.ObserveAlarm(gasAlarm("GD-C", alarm.ActionRaised))
	winds := map[string][]windSample{"WS-1": slices.Clone(s.winds["WS-1"].samples)}
	now := p.clock.Now()
	for b.Loop() {
		s.recompute(now, []string{"GD-C"}, winds)
	}
}

// TestBackgroundReadingsAreCleanAir: detectors with a range read their
// clean-air noise (2 % of span) upwind of the leak; below the noise floor
// (NoiseFloorSpan) these are readings of no gas, so the estimate still
// names the tank.
func TestBackgroundReadingsAreCleanAir(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	var cs []twin.Change
	for i := range detectorsEN {
		cs = append(cs, twin.Upsert{Entity: p.detector(i, map[string]any{"range": []any{0.0, 100.0}})})
	}
	p.apply(cs...)
	p.readings(3, 270, plume.D)
	// Upwind and crosswind detectors (GD-F … GD-I) read 2 ppm of noise.
	for _, i := range []int{5, 6, 7, 8} {
		p.apply(twin.SetState{ID: detID(i), At: p.clock.Now(), State: map[string]any{"value": 2.0, "unit": "ppm"}})
	}
	in := stepFor(t, p, "GD-A")
	if len(in) != 1 || in[0].Error != "" || in[0].Source.ID != "T-NH3" || len(in[0].Zones) != 6 {
		t.Fatalf("incidents %+v", in)
	}
}

// TestNoPlumeNoZones: readings no single plume in this wind explains (gas
// at 30, 100 and 220 m down the centreline, none at 60 and 150 m between
// them) draw no zones; the incident says why.
func TestNoPlumeNoZones(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.setPPM(map[int]float64{0: 80, 2: 80, 4: 80}) // GD-A, GD-C, GD-E; GD-B and GD-D read nothing
	in := stepFor(t, p, "GD-A")
	if len(in) != 1 || in[0].Error == "" || len(in[0].Zones) != 0 || !slices.Contains(in[0].Warnings, WarnPoorFit) {
		t.Fatalf("incidents %+v", in)
	}
	if z := p.zonesOf(); len(z) != 0 {
		t.Fatalf("zones drawn from no plume: %v", keys(z))
	}
}

// TestOneDetectorTheNearestSourceUpwind: with one detector reading gas the
// fit cannot place a source (any point upwind explains one reading); the
// release source nearest upwind of it is taken and its rate fitted, with a
// warning.
func TestOneDetectorTheNearestSourceUpwind(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.setPPM(map[int]float64{0: 80}) // GD-A, 30 m east (downwind) of the tank
	in := stepFor(t, p, "GD-A")
	if len(in) != 1 || in[0].Error != "" || in[0].Source.ID != "T-NH3" || !slices.Contains(in[0].Warnings, WarnFewReadings) {
		t.Fatalf("incidents %+v", in)
	}
	// The rate is fitted to the one reading and to the detectors further
	// down the same axis that read nothing: at GD-A it predicts gas, at
	// most the 80 ppm read.
	c, err := fitted(in[0].Source.RateGS, 3, plume.D).Near(30, 0, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if ppm := substance.GM3ToPPM(c, p.ammo.MolarMass(), substance.MolarVolume25C); !(ppm > 1 && ppm <= 80.8) || len(in[0].Zones) == 0 {
		t.Errorf("rate %.2f g/s gives %.1f ppm at GD-A (read 80); %d zones", in[0].Source.RateGS, ppm, len(in[0].Zones))
	}
}

// TestOverRangeIsALowerBound: a detector at full scale says "at least";
// when it is the only detection the rate is a lower bound, and the
// incident says so.
func TestOverRangeIsALowerBound(t *testing.T) {
	p := newPlant(t)
	p.weather(3, 270, "D")
	p.setPPM(map[int]float64{0: 80})
	p.apply(twin.SetState{ID: detID(0), At: p.clock.Now(), State: map[string]any{"value": 80.0, "unit": "ppm", "state": "over_range"}})
	in := stepFor(t, p, "GD-A")
	if len(in) != 1 || in[0].Error != "" || !slices.Contains(in[0].Warnings, WarnRateAtLeast) {
		t.Fatalf("incidents %+v", in)
	}
	// Within range, the same reading is a measurement.
	p.apply(twin.SetState{ID: detID(0), At: p.clock.Now(), State: map[string]any{"value": 80.0, "unit": "ppm", "state": "level2"}})
	if in := stepFor(t, p, "GD-A"); len(in) != 1 || slices.Contains(in[0].Warnings, WarnRateAtLeast) {
		t.Fatalf("in range: incidents %+v", in)
	}
}

// TestHoldZones: a failed recompute keeps the last good zones, marked
// stale, for HoldZones; after that it shows the failure with no zones.
func TestHoldZones(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	prev := &incident{Incident: Incident{Substance: "ammonia", ComputedAt: t0, Warnings: []string{WarnDenseGas},
		Zones: []Zone{{ID: "TZ-ammonia-3", Level: 3}}}, polys: []orb.Polygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}
	failed := &incident{Incident: Incident{Substance: "ammonia", Error: "no fit", Warnings: []string{WarnPoorFit}}}
	in := hold(prev, failed, t0.Add(30*time.Second))
	if len(in.Zones) != 1 || len(in.polys) != 1 || in.Error != "no fit" || !slices.Contains(in.Warnings, WarnStale) || !in.ComputedAt.Equal(t0) {
		t.Fatalf("held: %+v", in.Incident)
	}
	if slices.Contains(prev.Warnings, WarnStale) {
		t.Fatal("hold changed the previous incident")
	}
	if in := hold(prev, failed, t0.Add(HoldZones)); in != failed {
		t.Fatalf("after HoldZones: %+v", in.Incident)
	}
	if in := hold(nil, failed, t0); in != failed {
		t.Fatalf("no previous: %+v", in.Incident)
	}
}

// setPPM sets every detector's value: ppm[i] for detector i, 0 for the rest.
func (p *plant) setPPM(ppm map[int]float64) {
	var cs []twin.Change
	for i := range detectorsEN {
		cs = append(cs, twin.SetState{ID: detID(i), At: p.clock.Now(), State: map[string]any{"value": ppm[i], "unit": "ppm"}})
	}
	p.apply(cs...)
}

// stepFor runs one recompute of a new service with det's gas alarm open
// and returns its incidents.
func stepFor(t *testing.T, p *plant, det string) []Incident {
	t.Helper()
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now,
		ActiveAlarms: func() []alarm.Alarm { return []alarm.Alarm{gasAlarm(det, alarm.ActionRaised).Alarm} }})
	if err != nil {
		t.Fatal(err)
	}
	s.step()
	return s.Incidents()
}
