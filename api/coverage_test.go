package api_test

import (
	"math"
	"testing"

	"github.com/chemtwin/chemtwin/twin"
)

type coverageBody struct {
	Sources []struct {
		ID          string `json:"id"`
		Kind        string `json:"kind"`
		Substance   string `json:"substance"`
		Environment string `json:"environment"`
		BuildingID  string `json:"building_id"`
		AreaID      string `json:"area_id"`
		Required    []struct {
			Gas       string  `json:"gas"`
			RadiusM   float64 `json:"radius_m"`
			Covered   bool    `json:"covered"`
			Detectors []struct {
				DetectorID string  `json:"detector_id"`
				DistanceM  float64 `json:"distance_m"`
			} `json:"detectors"`
		} `json:"required"`
		Covered bool `json:"covered"`
	} `json:"sources"`
	Uncovered []string `json:"uncovered"`
	Circles   []struct {
		DetectorID string     `json:"detector_id"`
		Center     [2]float64 `json:"center"`
		RadiusM    float64    `json:"radius_m"`
		Gas        string     `json:"gas"`
	} `json:"circles"`
}

func TestDetectorCoverage(t *testing.T) {
	h := newHarness(t)
	up := func(id string, k twin.Kind, parent string, x, y float64, p map[string]any) twin.Change {
		return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: k, Parent: parent, Name: id, Geometry: h.frame.Point(x, y), Props: p}}
	}
	h.must(h.scene.Apply(
		// An outdoor methanol pump (a single component: a toxic detector
		// is what GB/T 50493-2019 §3.0.1 asks) with a combustible and a toxic
		// detector.
		up("P-M", twin.KindEquipment, "A-west", 60, 60, map[string]any{"equipment_type": "pump", "substance": "methanol"}),
		up("GD-C1", twin.KindGasDetector, "A-west", 65, 60, map[string]any{"gas": "CH3OH", "unit": "%LEL"}),
		up("GD-T1", twin.KindGasDetector, "A-west", 60, 63, map[string]any{"gas": "CH3OH", "unit": "ppm"}),
		// An ammonia pump in the pump house, a mixture (both kinds needed),
		// with a toxic detector only.
		up("P-N", twin.KindEquipment, "B-pump", 220, 25, map[string]any{"equipment_type": "pump", "substance": "ammonia", "floor": 1, "mixture": true}),
		up("GD-N1", twin.KindGasDetector, "B-pump", 220, 23, map[string]any{"gas": "NH3", "unit": "ppm", "floor": 1}),
	))

	var b coverageBody
	r := h.get("/api/v1/detectors/coverage")
	r.json(t, &b)
	if r.status != 200 || len(b.Sources) != 2 || b.Sources[0].ID != "P-M" || b.Sources[1].ID != "P-N" {
		t.Fatalf("coverage: %d %s", r.status, r.body)
	}
	if m := b.Sources[0]; !m.Covered || m.Environment != "outdoor" || m.AreaID != "A-west" || len(m.Required) != 1 ||
		m.Required[0].Gas != "toxic" || m.Required[0].Detectors[0].DetectorID != "GD-T1" ||
		math.Abs(m.Required[0].Detectors[0].DistanceM-3) > 0.01 {
		t.Errorf("methanol pump %+v", m)
	}
	n := b.Sources[1]
	if n.Covered || n.Environment != "enclosed" || n.BuildingID != "B-pump" || len(n.Required) != 2 ||
		n.Required[0].Gas != "combustible" || n.Required[0].Covered || n.Required[0].RadiusM != 5 ||
		n.Required[1].Gas != "toxic" || !n.Required[1].Covered || n.Required[1].RadiusM != 2 {
		t.Errorf("ammonia pump %+v", n)
	}
	if len(b.Uncovered) != 1 || b.Uncovered[0] != "P-N" {
		t.Errorf("uncovered %v", b.Uncovered)
	}
	radius := map[string]float64{}
	for _, c := range b.Circles {
		radius[c.DetectorID] = c.RadiusM
	}
	if len(radius) != 3 || radius["GD-C1"] != 10 || radius["GD-T1"] != 4 || radius["GD-N1"] != 2 {
		t.Errorf("circles %+v", b.Circles)
	}

	b = coverageBody{}
	h.get("/api/v1/detectors/coverage?area=A-east").json(t, &b)
	if len(b.Sources) != 1 || b.Sources[0].ID != "P-N" || len(b.Circles) != 1 || b.Circles[0].DetectorID != "GD-N1" {
		t.Errorf("area A-east: %+v", b)
	}
	wantError(t, h.get("/api/v1/detectors/coverage?area=B-pump"), 404, "not_found")
	wantError(t, h.get("/api/v1/detectors/coverage?zone=A-east"), 400, "invalid_parameter")
}
