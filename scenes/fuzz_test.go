package scenes

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/chemtwin/chemtwin/twin"
)

// checkScene loads fsys and, when it loads, builds a twin from it: a scene
// the validator accepts must never be refused by the twin.
func checkScene(t *testing.T, fsys fstest.MapFS) {
	ps := Validate(fsys)
	s, err := Load(fsys)
	if (err == nil) != (len(ps) == 0) {
		t.Fatalf("Validate found %d problems, Load returned %v", len(ps), err)
	}
	if err != nil {
		return
	}
	if _, err := s.Twin(twin.Options{}); err != nil {
		t.Fatalf("a valid scene does not build a twin: %v", err)
	}
}

func fuzzSeeds(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(dir + "/" + e.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// FuzzLoadLayer feeds arbitrary bytes as one layer file of an otherwise
// valid scene.
func FuzzLoadLayer(f *testing.F) {
	fuzzSeeds(f, "testdata/qgis", "testdata/broken")
	f.Add([]byte(testAreas))
	f.Add([]byte(layer(point(`"id":"X","kind":"gas_detector","gas":"O2","detector_type":"oxygen","unit":"%VOL","range":"[0,25]","alarm1":19.5,"alarm2":23.5`))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"area"},"geometry":{"type":"GeometryCollection","geometries":[null]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScene(t, testScene(map[string]string{"fuzz.geojson": string(data)}))
	})
}

// FuzzSite feeds arbitrary bytes as site.json of an otherwise valid scene.
func FuzzSite(f *testing.F) {
	f.Add([]byte(testSite))
	f.Add([]byte(`{"id":"t","name":"x","origin":[106.6,38.1],"rotation_deg":30,"timezone":"UTC","settings":{"a":1}}`))
	f.Add([]byte(`{"id":"t","name":"x","origin":[106.6,38.1],"boundary":{"type":"MultiPolygon","coordinates":[]}}`))
	f.Add([]byte(`{"id":"t","name":"x","origin":[1e308,38.1],"elevation_m":-1e308}`))
	f.Add([]byte(`{"id":"site","name":"x","origin":[106.6,38.1],"registry":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScene(t, testScene(map[string]string{SiteFile: string(data)}))
	})
}
