package threat

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
)

func mustService(t *testing.T, p *plant) *Service {
	t.Helper()
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p.scene.Observe(s.ObserveScene)
	return s
}

// TestWhatIf: a planned release at the tank in a given wind draws the same
// zones as the live service does for that source and rate, with the people
// in them now, under scenario ids, and writes nothing into the scene.
func TestWhatIf(t *testing.T) {
	p := newPlant(t)
	s := mustService(t, p)
	w := WhatIf{ID: "drill-1", SourceID: "T-NH3", Release: Release{Type: "direct", RateGS: 400},
		Weather: &WeatherInput{WindMS: 3, WindFromDeg: 270, Stability: "D"}}
	sc, err := s.WhatIf(w, p.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	in := sc.Incident
	if in.Substance != "ammonia" || in.Source.ID != "T-NH3" || in.Source.RateGS != 400 || in.Weather.StabilityFrom != "given" {
		t.Fatalf("incident %+v", in)
	}
	byID := map[string]Zone{}
	for _, z := range in.Zones {
		byID[z.ID] = z
	}
	red, yellow := byID["WI-drill-1-ammonia-3"], byID["WI-drill-1-ammonia-1"]
	if !slices.Equal(red.People, []string{"P-IN"}) || !slices.Equal(yellow.People, []string{"P-IN", "P-YELLOW"}) {
		t.Errorf("red %v, yellow %v", red.People, yellow.People)
	}
	if len(sc.Zones.Features) != len(in.Zones) {
		t.Fatalf("%d features for %d zones", len(sc.Zones.Features), len(in.Zones))
	}
	for _, f := range sc.Zones.Features {
		if f.Properties["origin"] != scenarioOrigin || f.Properties["scenario_id"] != "drill-1" || !strings.HasPrefix(f.ID.(string), "WI-drill-1-") ||
			f.Properties["id"] != f.ID || f.Properties["kind"] != "threat_zone" {
			t.Errorf("feature %v: %v", f.ID, f.Properties)
		}
	}
	p.scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindThreatZone, func(e *twin.Entity) bool {
			t.Errorf("a what-if wrote %s into the scene", e.ID)
			return true
		})
	})
	// The live service, fed readings of the same plume, draws the same
	// reach.
	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	live := stepFor(t, p, "GD-C")
	if len(live) != 1 {
		t.Fatalf("live %+v", live)
	}
	for _, z := range live[0].Zones {
		wz := byID["WI-drill-1-"+strings.TrimPrefix(z.ID, "TZ-")]
		if d := wz.DistanceM - z.DistanceM; d > 0.01*z.DistanceM || d < -0.01*z.DistanceM {
			t.Errorf("%s reaches %.0f m, the what-if %.0f m", z.ID, z.DistanceM, wz.DistanceM)
		}
	}

	// A one-minute release reaches less far; a two-hour one warns.
	short := w
	short.Release.DurationS = 60
	sc2, err := s.WhatIf(short, p.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	// (A 180 m cloud: at the red zone's 112 m its σx is 9 m and the
	// erf factor 1; at the yellow zone's ~800 m it is 0.7.)
	shortYellow := zoneOf(sc2.Incident, "WI-drill-1-ammonia-1")
	if shortYellow.DistanceM >= 0.95*yellow.DistanceM {
		t.Errorf("a 60 s release's yellow zone reaches %.0f m, continuous %.0f m", shortYellow.DistanceM, yellow.DistanceM)
	}
	long := w
	long.Release.DurationS = 7200
	if sc3, err := s.WhatIf(long, p.clock.Now()); err != nil || !slices.Contains(sc3.Incident.Warnings, WarnLongRelease) {
		t.Errorf("two hours: %v, %v", sc3.Incident.Warnings, err)
	}
	// The live wind: the station's window.
	live2 := w
	live2.Weather = nil
	if sc4, err := s.WhatIf(live2, p.clock.Now()); err != nil || sc4.Incident.Weather.StationID != "WS-1" || sc4.Incident.Weather.WindFromDeg != 270 {
		t.Errorf("live weather: %+v, %v", sc4.Incident.Weather, err)
	}
}

// TestWhatIfErrors: every bad scenario is refused with ErrWhatIf.
func TestWhatIfErrors(t *testing.T) {
	p := newPlant(t)
	s := mustService(t, p)
	ok := WhatIf{ID: "x", SourceID: "T-NH3", Release: Release{Type: "direct", RateGS: 10},
		Weather: &WeatherInput{WindMS: 3, WindFromDeg: 270, Stability: "D"}}
	for _, c := range []struct {
		name string
		edit func(*WhatIf)
	}{
		{"no id", func(w *WhatIf) { w.ID = "" }},
		{"slash in id", func(w *WhatIf) { w.ID = "a/b" }},
		{"release type", func(w *WhatIf) { w.Release.Type = "bleve" }},
		{"zero rate", func(w *WhatIf) { w.Release.RateGS = 0 }},
		{"negative duration", func(w *WhatIf) { w.Release.DurationS = -1 }},
		{"unknown source", func(w *WhatIf) { w.SourceID = "NOPE" }},
		{"no place", func(w *WhatIf) { w.SourceID = "" }},
		{"unknown substance", func(w *WhatIf) { w.Substance = "unobtainium" }},
		{"negative height", func(w *WhatIf) { h := -1.0; w.HeightM = &h }},
		{"stability", func(w *WhatIf) { w.Weather.Stability = "G" }},
		{"no wind", func(w *WhatIf) { w.Weather.WindMS = 0 }},
		{"wind from", func(w *WhatIf) { w.Weather.WindFromDeg = 400 }},
		{"no station wind", func(w *WhatIf) { w.Weather = nil }},
	} {
		w := ok
		wi := *ok.Weather
		w.Weather = &wi
		c.edit(&w)
		if _, err := s.WhatIf(w, p.clock.Now()); !errors.Is(err, ErrWhatIf) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := s.WhatIf(ok, p.clock.Now()); err != nil {
		t.Errorf("the good one: %v", err)
	}
}

func zoneOf(in Incident, id string) Zone {
	for _, z := range in.Zones {
		if z.ID == id {
			return z
		}
	}
	return Zone{}
}
