package scenes

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// brokenProblems are the problems testdata/broken must report, one each:
// file, feature id and a part of the reason.
var brokenProblems = []Problem{
	{"site.json", "", `timezone "Mars/Olympus_Mons"`},
	{"areas.geojson", "feature 2", "missing id"},
	{"areas.geojson", "A-KIND", `unknown kind "pond"`},
	{"areas.geojson", "A-RING", "ring 0 is not closed"},
	{"areas.geojson", "A-FAR", "m from the site origin (limit 10000 m)"},
	{"areas.geojson", "A-LAT", "is not a finite lon/lat"},
	{"areas.geojson", "A-RISK", `unknown risk_level "purple"`},
	{"areas.geojson", "A-NEG", "height -3 is negative"},
	{"areas.geojson", "A-DANGLE", "parent NOPE does not exist"},
	{"areas.geojson", "A-CYC1", "parent cycle: A-CYC1 → A-CYC2 → A-CYC1"},
	{"buildings.geojson", "A-DUP", "duplicate id: also defined in areas.geojson"},
	{"buildings.geojson", "B-FLOORS", `floors: want an integer, got "two"`},
	{"crs.geojson", "", `unsupported crs "urn:ogc:def:crs:EPSG::3857": export the layer as EPSG:4326`},
	{"fences.geojson", "FN-RULE", `unknown rule "forbid"`},
	{"fences.geojson", "FN-WHO", `time_window.from "25:00": want HH:MM`},
	{"fences.geojson", "FN-WHO", `authorized.persons: "P-404" is not a person in the registry`},
	{"gas_detectors.geojson", "GD-POLY", "geometry Polygon: a gas_detector must be a Point"},
	{"gas_detectors.geojson", "GD-RANGE", "range [100, 0]: min must be below max"},
	{"gas_detectors.geojson", "GD-SET", "alarm1 -5 is outside the range [0, 100]"},
	{"gas_detectors.geojson", "GD-ORDER", "alarm1 56 must be below alarm2 28"},
	{"gas_detectors.geojson", "GD-LEL", "unit ppm does not fit a combustible detector"},
	{"malformed.geojson", "", "malformed JSON at byte %d"},
	{"risk_units.geojson", "RU-LEVEL", `unknown risk_level "pink"`},
	{"risk_units.geojson", "RU-LEVEL", "lec.d 700 is not l·e·c = 720"},
	{"tanks.geojson", "TK-ZERO", "radius_m 0 must be above 0"},
	{"tanks.geojson", "TK-DIKE", "dike NO-DIKE does not exist"},
	{"wrongtype.geojson", "", "want a GeoJSON FeatureCollection"},
	{"registry.json", "P-2", `unknown identity_type "alien"`},
	{"registry.json", "P-3", `post_area "GD-SET" is not an area`},
	{"registry.json", "V-1", "tag T1 is also held by P-1"},
	{"registry.json", "ghost", `person "P-404" is not in the registry`},
	{"registry.json", "boss", `unknown role "king"`},
}

func TestBrokenFixture(t *testing.T) {
	fsys := os.DirFS("testdata/broken")
	malformed, err := os.ReadFile("testdata/broken/malformed.geojson")
	if err != nil {
		t.Fatal(err)
	}
	// the offset counts the bytes read up to and including the bad '}'
	badByte := strings.Index(string(malformed), ",}") + 2
	got := Validate(fsys)
	for _, want := range brokenProblems {
		if strings.Contains(want.Reason, "%d") {
			want.Reason = fmt.Sprintf(want.Reason, badByte)
		}
		t.Run(want.File+"/"+want.ID, func(t *testing.T) {
			for _, p := range got {
				if p.File == want.File && p.ID == want.ID && strings.Contains(p.Reason, want.Reason) {
					return
				}
			}
			t.Errorf("missing problem %s", want)
		})
	}
	if len(got) != len(brokenProblems) {
		t.Errorf("%d problems, want %d:\n%s", len(got), len(brokenProblems), listProblems(got))
	}
	for _, p := range got {
		if p.ID == "GD-O2" {
			t.Errorf("oxygen detectors alarm low then high: %s", p)
		}
	}
	_, err = Load(fsys)
	var ps Problems
	if !errors.As(err, &ps) || !errors.Is(err, ErrInvalid) || len(ps) != len(got) {
		t.Errorf("Load error = %v, want the same Problems", err)
	}
}

func listProblems(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}
