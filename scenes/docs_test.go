package scenes

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// TestFormatDocExamples keeps docs/scene-format.md honest: every JSON block
// parses, every example feature is valid on its own, site.json loads, and
// every kind a scene file usually holds has an example.
func TestFormatDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/scene-format.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```json\n")[1:]
	seen := map[twin.Kind]bool{}
	frame := loadDemo(t).Frame
	for i, b := range blocks {
		text := b[:strings.Index(b, "```")]
		var head struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal([]byte(text), &head); err != nil {
			t.Errorf("block %d: %v\n%s", i+1, err, text)
			continue
		}
		switch {
		case head.Type == "Feature":
			e := checkDocFeature(t, text, frame)
			if e != nil {
				seen[e.Kind] = true
			}
		case head.ID != "":
			var ps Problems
			loadSite(fstest.MapFS{SiteFile: {Data: []byte(text)}}, &ps)
			for _, p := range ps {
				t.Errorf("site.json example: %s", p)
			}
		}
	}
	for k := range kindGeometry {
		switch k {
		case twin.KindInspectionPoint, twin.KindPermit, twin.KindThreatZone:
			continue
		}
		if !seen[k] {
			t.Errorf("no example of kind %s", k)
		}
	}
}

func checkDocFeature(t *testing.T, text string, frame *geo.Frame) *twin.Entity {
	t.Helper()
	var ps Problems
	e := parseFeature(report{&ps, "doc"}, rawFeature{raw: json.RawMessage(text)}, frame)
	for _, p := range ps {
		t.Errorf("example: %s", p)
	}
	return e
}
