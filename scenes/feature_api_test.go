package scenes

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

func TestParseFeature(t *testing.T) {
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	poly := `"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}`
	e, probs := ParseFeature([]byte(`{"type":"Feature","properties":{"id":"FN-X","kind":"fence","rule":"headcount","max_persons":4,"name":"检修区"},`+poly+`}`), f)
	if len(probs) != 0 || e == nil || e.Kind != twin.KindFence || e.Name != "检修区" || e.String("rule") != "headcount" {
		t.Fatalf("good fence: %v %+v", probs, e)
	}
	for name, doc := range map[string]string{
		"unknown rule":      `{"type":"Feature","properties":{"id":"FN-X","kind":"fence","rule":"forbid"},` + poly + `}`,
		"missing parameter": `{"type":"Feature","properties":{"id":"FN-X","kind":"fence","rule":"lingering"},` + poly + `}`,
		"a point":           `{"type":"Feature","properties":{"id":"FN-X","kind":"fence","rule":"forbidden"},"geometry":{"type":"Point","coordinates":[106.6,38.1]}}`,
		"no id":             `{"type":"Feature","properties":{"kind":"fence","rule":"forbidden"},` + poly + `}`,
		"not JSON":          `{"type":`,
		"far away":          `{"type":"Feature","properties":{"id":"FN-X","kind":"fence","rule":"forbidden"},"geometry":{"type":"Polygon","coordinates":[[[116.6,38.1],[116.601,38.1],[116.601,38.101],[116.6,38.1]]]}}`,
	} {
		if _, probs := ParseFeature([]byte(doc), f); len(probs) == 0 {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(probs.Error(), "problem") {
			t.Errorf("%s: %v", name, probs)
		}
	}
}
