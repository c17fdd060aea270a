package evac

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

func testFrame(t testing.TB) *geo.Frame {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const square = `[[[106.600,38.100],[106.601,38.100],[106.601,38.101],[106.600,38.101],[106.600,38.100]]]`

func TestParseRequest(t *testing.T) {
	f := testFrame(t)
	req, err := ParseRequest([]byte(`{"name":" 泄漏 ","hazards":{"type":"FeatureCollection","features":[
		{"type":"Feature","id":"H-9","properties":{"name":"火场"},"geometry":{"type":"Polygon","coordinates":`+square+`}},
		{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[`+square+`]}}]},
		"closures":[{"type":"LineString","coordinates":[[106.600,38.100],[106.601,38.101]]},
		{"type":"Feature","properties":{"id":"C-WW","sources":["WW-1","WW-2"]},"geometry":null}],
		"use_threat_zones":true,"wind":{"from_deg":360,"speed_ms":2.5}}`), f)
	if err != nil {
		t.Fatal(err)
	}
	if req.Name != "泄漏" || !req.UseThreatZones || req.Wind == nil || req.Wind.FromDeg != 0 || req.Wind.SpeedMS != 2.5 || req.Wind.Source != "request" {
		t.Errorf("request %+v wind %+v", req, req.Wind)
	}
	ids := func(ss []Shape) (out []string) {
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	if got := strings.Join(ids(req.Hazards), ","); got != "H-9,hazard-2" || req.Hazards[0].Name != "火场" {
		t.Errorf("hazards %s %+v", got, req.Hazards[0])
	}
	if got := strings.Join(ids(req.Closures), ","); got != "closure-1,C-WW" || strings.Join(req.Closures[1].Sources, ",") != "WW-1,WW-2" || req.Closures[1].Geometry != nil {
		t.Errorf("closures %s %+v", got, req.Closures)
	}
	// A stored request reads back the same.
	b, err := jsonOf(req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseRequest(b, f)
	if err != nil {
		t.Fatalf("stored request refused: %v\n%s", err, b)
	}
	if a, _ := jsonOf(again); string(a) != string(b) {
		t.Errorf("round trip\n%s\n%s", a, b)
	}

	for _, c := range []struct{ name, body, want string }{
		{"empty", `{}`, "nothing to plan around"},
		{"misspelt", `{"use_threat_zone":true}`, "unknown field"},
		{"trailing", `{"use_threat_zones":true} {}`, "trailing"},
		{"hazard line", `{"hazards":[{"type":"LineString","coordinates":[[106.6,38.1],[106.61,38.1]]}]}`, "an area, not a LineString"},
		{"point", `{"closures":[{"type":"Point","coordinates":[106.6,38.1]}]}`, "neither an area nor a line"},
		{"far away", `{"hazards":[{"type":"Polygon","coordinates":[[[116,39],[116.1,39],[116.1,39.1],[116,39]]]}]}`, "km from the site"},
		{"short ring", `{"hazards":[{"type":"Polygon","coordinates":[[[106.6,38.1],[106.61,38.1]]]}]}`, "fewer than 3"},
		{"not lon/lat", `{"hazards":[{"type":"Polygon","coordinates":[[[1e9,38.1],[106.61,38.1],[106.61,38.2]]]}]}`, "not a lon/lat"},
		{"hazard sources", `{"hazards":[{"type":"Feature","properties":{"sources":["W"]},"geometry":null}]}`, "a closure's, not a hazard's"},
		{"no geometry", `{"closures":[{"type":"Feature","properties":{},"geometry":null}]}`, "no geometry"},
		{"twice", `{"hazards":[{"type":"Feature","properties":{"id":"X"},"geometry":{"type":"Polygon","coordinates":` + square + `}}],"closures":[{"type":"Feature","properties":{"id":"X"},"geometry":{"type":"Polygon","coordinates":` + square + `}}]}`, "twice"},
		{"wind half", `{"use_threat_zones":true,"wind":{"from_deg":90}}`, "from_deg and speed_ms"},
		{"wind range", `{"use_threat_zones":true,"wind":{"from_deg":400,"speed_ms":1}}`, "want 0–360°"},
		{"not a list", `{"hazards":"everywhere"}`, "want a FeatureCollection"},
		{"too many", `{"hazards":[` + strings.Repeat(`{"type":"Polygon","coordinates":`+square+`},`, MaxShapes) + `{"type":"Polygon","coordinates":` + square + `}]}`, "shapes (at most"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(c.body), f)
			if !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"hazards":[{"type":"Polygon","coordinates":` + square + `}]}`,
		`{"closures":{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"sources":["W"]},"geometry":null}]},"use_threat_zones":true}`,
		`{"use_threat_zones":true,"wind":{"from_deg":90,"speed_ms":3}}`,
		`{"hazards":[{"type":"MultiPolygon","coordinates":[]}]}`, `[]`, `{"name":1}`,
	} {
		f.Add([]byte(s))
	}
	fr := testFrame(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseRequest(data, fr)
		if err != nil {
			if !errors.Is(err, ErrRequest) {
				t.Fatalf("error without ErrRequest: %v", err)
			}
			return
		}
		if len(req.Hazards)+len(req.Closures) == 0 && !req.UseThreatZones {
			t.Fatal("accepted an empty request")
		}
		for _, s := range append(append([]Shape{}, req.Hazards...), req.Closures...) {
			if s.ID == "" || s.Geometry == nil && len(s.Sources) == 0 {
				t.Fatalf("accepted shape %+v", s)
			}
		}
		if w := req.Wind; w != nil && !(w.FromDeg >= 0 && w.FromDeg < 360 && w.SpeedMS >= 0 && w.SpeedMS <= 75) {
			t.Fatalf("accepted wind %+v", w)
		}
		b, err := jsonOf(req)
		if err != nil {
			t.Fatalf("accepted request does not encode: %v", err)
		}
		if _, err := ParseRequest(b, fr); err != nil {
			t.Fatalf("accepted request does not read back: %v\n%s", err, b)
		}
	})
}
