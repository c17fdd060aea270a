package scenes

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

const (
	testSite = `{"id":"t","name":"测试厂","origin":[106.6,38.1],"elevation_m":1200,` +
		`"boundary":{"type":"Polygon","coordinates":[[[106.599,38.099],[106.602,38.099],[106.602,38.102],[106.599,38.099]]]}}`
	testAreas = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A-1","kind":"area","name":"区"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}]}`
	testRegistry = `{"people":[{"id":"P-1","name":"张三","identity_type":"internal","post_area":"A-1","tag":"T1"}],` +
		`"users":[{"username":"operator","role":"operator","person":"P-1"}]}`
)

// testScene returns a small valid scene with files replaced or added ("" removes one).
func testScene(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{
		SiteFile:          {Data: []byte(testSite)},
		"areas.geojson":   {Data: []byte(testAreas)},
		DefaultRegistry:   {Data: []byte(testRegistry)},
		"notes/readme.md": {Data: []byte("not a layer")},
	}
	for name, data := range files {
		if data == "" {
			delete(m, name)
			continue
		}
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

// layer wraps features in a FeatureCollection.
func layer(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func point(props string) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"Point","coordinates":[106.6005,38.1005]}}`
}

// wantProblem checks that ps holds a problem with reason containing want.
func wantProblem(t *testing.T, ps Problems, id, want string) {
	t.Helper()
	for _, p := range ps {
		if p.ID == id && strings.Contains(p.Reason, want) {
			return
		}
	}
	t.Errorf("no problem %q for %q in:\n%s", want, id, listProblems(ps))
}

func TestTestSceneLoads(t *testing.T) {
	s, err := Load(testScene(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entities) != 2 || s.Site.Location.String() != DefaultTimezone || s.Site.Registry != DefaultRegistry {
		t.Errorf("scene = %+v", s)
	}
}

func TestCoerce(t *testing.T) {
	cases := []struct {
		name string
		v    any
		typ  ftype
		want any
		err  bool
	}{
		{"number", 12.5, fNumber, 12.5, false},
		{"number text", " 12.5 ", fNumber, 12.5, false},
		{"number empty text", "", fNumber, nil, false},
		{"number NaN text", "NaN", fNumber, nil, true},
		{"number bool", true, fNumber, nil, true},
		{"int", 3.0, fInt, 3.0, false},
		{"int fraction", 3.5, fInt, nil, true},
		{"bool yes", "yes", fBool, true, false},
		{"bool 0", 0.0, fBool, false, false},
		{"bool 2", 2.0, fBool, nil, true},
		{"bool zh", "是", fBool, true, false},
		{"string number", 101.0, fString, "101", false},
		{"string bool", false, fString, nil, true},
		{"strings json", `["a","b"]`, fStrings, []any{"a", "b"}, false},
		{"strings csv", "a, b", fStrings, []any{"a", "b"}, false},
		{"strings bad json", `["a"`, fStrings, nil, true},
		{"numbers", []any{"1", 2.0}, fNumbers, []any{1.0, 2.0}, false},
		{"numbers bad", []any{"x"}, fNumbers, nil, true},
		{"object json", `{"a":1}`, fObject, map[string]any{"a": 1.0}, false},
		{"object list", []any{}, fObject, nil, true},
		{"null", nil, fNumber, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := coerce(c.v, c.typ, nil)
			if (err != nil) != c.err || !reflect.DeepEqual(got, c.want) {
				t.Errorf("coerce(%#v) = %#v, %v; want %#v, error %v", c.v, got, err, c.want, c.err)
			}
		})
	}
}

func TestCRS(t *testing.T) {
	cases := []struct {
		crs string
		ok  bool
	}{
		{`null`, true},
		{`{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}`, true},
		{`{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}}`, true},
		{`{"type":"name","properties":{"name":"EPSG:4326"}}`, true},
		{`{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}}`, false},
		{`{"type":"link","properties":{"href":"http://example.com/crs"}}`, false},
		{`"EPSG:4326"`, false},
	}
	for _, c := range cases {
		t.Run(c.crs, func(t *testing.T) {
			data := `{"type":"FeatureCollection","crs":` + c.crs + `,"features":[]}`
			ps := Validate(testScene(map[string]string{"extra.geojson": data}))
			if c.ok && len(ps) > 0 {
				t.Errorf("refused: %v", ps)
			}
			if !c.ok {
				wantProblem(t, ps, "", "export the layer as EPSG:4326")
			}
		})
	}
}

func TestSiteProblems(t *testing.T) {
	cases := []struct {
		name, site, want string
	}{
		{"malformed", `{"id":"t",`, "malformed JSON"},
		{"trailing", testSite + `{}`, "malformed JSON"},
		{"bad id", `{"id":"a/b","name":"x","origin":[106.6,38.1]}`, `id "a/b"`},
		{"no name", `{"id":"t","origin":[106.6,38.1]}`, "name is missing"},
		{"origin length", `{"id":"t","name":"x","origin":[106.6]}`, "origin: want [lon, lat]"},
		{"origin range", `{"id":"t","name":"x","origin":[206.6,38.1]}`, "origin:"},
		{"origin text", `{"id":"t","name":"x","origin":"106.6,38.1"}`, "malformed JSON at byte"},
		{"elevation", `{"id":"t","name":"x","origin":[106.6,38.1],"elevation_m":12000}`, "elevation_m"},
		{"rotation", `{"id":"t","name":"x","origin":[106.6,38.1],"rotation_deg":400}`, "rotation_deg"},
		{"boundary type", `{"id":"t","name":"x","origin":[106.6,38.1],"boundary":{"type":"Point","coordinates":[106.6,38.1]}}`, "boundary: want a Polygon"},
		{"boundary far", `{"id":"t","name":"x","origin":[106.6,38.1],"boundary":{"type":"Polygon","coordinates":[[[106.6,38.1],[107,38.1],[107,38.2],[106.6,38.1]]]}}`, "boundary reaches"},
		{"registry path", `{"id":"t","name":"x","origin":[106.6,38.1],"registry":"../people.json"}`, "not a path inside"},
		{"registry missing", `{"id":"t","name":"x","origin":[106.6,38.1],"registry":"people.json"}`, "cannot read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := Validate(testScene(map[string]string{SiteFile: c.site}))
			for _, p := range ps {
				if (p.File == SiteFile || p.File == "people.json") && strings.Contains(p.Reason, c.want) {
					return
				}
			}
			t.Errorf("no site problem %q in:\n%s", c.want, listProblems(ps))
		})
	}
	ps := Validate(testScene(map[string]string{SiteFile: ""}))
	wantProblem(t, ps, "", "cannot read")
}

func TestByteOrderMark(t *testing.T) {
	if _, err := Load(testScene(map[string]string{SiteFile: "\ufeff" + testSite})); err != nil {
		t.Errorf("site.json with a UTF-8 BOM: %v", err)
	}
}

func TestRegistryOptional(t *testing.T) {
	s, err := Load(testScene(map[string]string{DefaultRegistry: ""}))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entities) != 1 || len(s.Users) != 0 {
		t.Errorf("entities %d users %d, want the area alone", len(s.Entities), len(s.Users))
	}
}

func TestFeatureProblems(t *testing.T) {
	cases := []struct {
		name, layer, id, want string
	}{
		{"geometry collection", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"beacon"},` +
			`"geometry":{"type":"GeometryCollection","geometries":[null]}}]}`, "X", `unsupported geometry type "GeometryCollection"`},
		{"no geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"beacon"},"geometry":null}]}`, "X", "no geometry"},
		{"bad coordinates", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"beacon"},` +
			`"geometry":{"type":"Point","coordinates":["a","b"]}}]}`, "X", "malformed JSON at byte"},
		{"person in a layer", layer(point(`"id":"X","kind":"person"`)), "X", "belong in the registry"},
		{"site in a layer", layer(point(`"id":"X","kind":"site"`)), "X", "unknown kind"},
		{"no kind", layer(point(`"id":"X"`)), "X", "missing kind"},
		{"feature type", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, "feature 1", `type "Point": want Feature`},
		{"collection type", `{"type":5,"features":[]}`, "", "type \"5\""},
		{"features not a list", `{"type":"FeatureCollection","features":{}}`, "", "features: want an array"},
		{"trailing data", `{"type":"FeatureCollection","features":[]} []`, "", "trailing data"},
		{"not an object", `[]`, "", `want "{", got [`},
		{"empty file", ``, "", "unexpected end"},
		{"duplicate of site", layer(point(`"id":"t","kind":"beacon"`)), "t", "it is the site id"},
		{"duplicate of person", layer(point(`"id":"P-1","kind":"beacon"`)), "P-1", "duplicate id"},
		{"parent is a person", layer(point(`"id":"X","kind":"beacon","parent":"P-1"`)), "X", "parent P-1 is a person"},
		{"tank without radius", layer(point(`"id":"X","kind":"tank","substance":"methanol"`)), "X", "missing radius_m"},
		{"camera heading", layer(point(`"id":"X","kind":"camera","heading_deg":400`)), "X", "heading_deg 400 is outside"},
		{"stairs one floor", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"stairs",` +
			`"floor_from":2,"floor_to":2},"geometry":{"type":"LineString","coordinates":[[106.6,38.1],[106.6001,38.1]]}}]}`, "X", "stairs join two floors"},
		{"fence headcount", layer(`{"type":"Feature","properties":{"id":"X","kind":"fence","rule":"headcount"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}`), "X", "needs max_persons"},
		{"fence identity", layer(`{"type":"Feature","properties":{"id":"X","kind":"fence","rule":"forbidden","authorized":"{\"identity_types\":[\"robot\"]}"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}`), "X", "unknown identity_type"},
		{"combustible setpoint", layer(point(`"id":"X","kind":"gas_detector","gas":"CH4","detector_type":"combustible","unit":"%LEL","range":[0,100],"alarm1":30,"alarm2":60`)), "X", "GB/T 50493-2019 §5.5.2"},
		{"setpoints not derivable: unknown gas", layer(point(`"id":"X","kind":"gas_detector","gas":"XYZ","detector_type":"toxic","unit":"ppm","range":[0,100]`)), "X", "alarm1/alarm2 missing and not derivable"},
		{"setpoints not derivable: range too small", layer(point(`"id":"X","kind":"gas_detector","gas":"CO","detector_type":"toxic","unit":"ppm","range":[0,10]`)), "X", "alarm1/alarm2 missing and not derivable"},
		{"hazard alpha", layer(`{"type":"Feature","properties":{"id":"X","kind":"hazard_source","alpha":3,"substances":[{"substance":"ammonia","q_t":20,"Q_t":10}]},` +
			`"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}`), "X", "alpha 3"},
		{"hazard R", layer(`{"type":"Feature","properties":{"id":"X","kind":"hazard_source","alpha":1,"R":5,"substances":[{"substance":"ammonia","q_t":20,"Q_t":10,"beta":2}]},` +
			`"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}`), "X", "R 5 does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := Validate(testScene(map[string]string{"test.geojson": c.layer}))
			if c.layer == "" {
				ps = Validate(emptyLayerScene())
			}
			wantProblem(t, ps, c.id, c.want)
		})
	}
}

// TestDerivedSetpoints: a detector without alarm1/alarm2 is valid when the
// substance library can derive them (GB/T 50493-2019 §5.5.2).
func TestDerivedSetpoints(t *testing.T) {
	for _, props := range []string{
		`"id":"X","kind":"gas_detector","gas":"NH3","detector_type":"toxic","unit":"ppm","range":[0,100]`,
		`"id":"X","kind":"gas_detector","gas":"CH3OH","substance":"methanol","detector_type":"combustible","unit":"%LEL","range":[0,100]`,
		`"id":"X","kind":"gas_detector","gas":"O2","detector_type":"oxygen","unit":"%VOL","range":[0,25]`,
		`"id":"X","kind":"gas_detector","gas":"H2S","detector_type":"toxic","unit":"ppm","range":[0,100],"alarm1":5`,
	} {
		for _, p := range Validate(testScene(map[string]string{"test.geojson": layer(point(props))})) {
			if p.ID == "X" {
				t.Errorf("%s: %v", props, p)
			}
		}
	}
}

func emptyLayerScene() fstest.MapFS {
	m := testScene(nil)
	m["test.geojson"] = &fstest.MapFile{Data: nil}
	return m
}

func TestFeatureIDs(t *testing.T) {
	data := layer(
		`{"type":"Feature","properties":{"id":7,"kind":"beacon"},"geometry":{"type":"Point","coordinates":[106.6005,38.1005]}}`,
		`{"type":"Feature","id":"TOP","properties":{"kind":"beacon"},"geometry":{"type":"Point","coordinates":[106.6005,38.1005]}}`,
	)
	s, err := Load(testScene(map[string]string{"b.geojson": data}))
	if err != nil {
		t.Fatal(err)
	}
	byID := index(s)
	if byID["7"] == nil || byID["TOP"] == nil {
		t.Errorf("ids = %v", s.Entities)
	}
}

// bigFS serves one file whose Stat reports size but whose content is
// endless spaces (the JSON whitespace a huge valid file could hold).
type bigFS struct {
	fstest.MapFS
	name string
	size int64
}

func (b bigFS) Open(name string) (fs.File, error) {
	if name == b.name {
		return &bigFile{size: b.size}, nil
	}
	return b.MapFS.Open(name)
}

type bigFile struct{ size int64 }

func (f *bigFile) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
func (f *bigFile) Close() error               { return nil }
func (f *bigFile) Stat() (fs.FileInfo, error) { return bigInfo{f.size}, nil }

type bigInfo struct{ size int64 }

func (i bigInfo) Name() string       { return "big.geojson" }
func (i bigInfo) Size() int64        { return i.size }
func (i bigInfo) Mode() fs.FileMode  { return 0o444 }
func (i bigInfo) ModTime() time.Time { return time.Time{} }
func (i bigInfo) IsDir() bool        { return false }
func (i bigInfo) Sys() any           { return nil }

func TestFileSizeLimit(t *testing.T) {
	t.Run("stat", func(t *testing.T) {
		m := testScene(map[string]string{"big.geojson": "{}"})
		ps := Validate(bigFS{m, "big.geojson", MaxFileBytes + 1})
		wantProblem(t, ps, "", "over the 64 MiB limit")
	})
	t.Run("content", func(t *testing.T) {
		// a file whose size is unknown (0) is cut off after the limit
		data, err := readFile(bigFS{testScene(nil), "big.geojson", 0}, "big.geojson")
		if !errors.Is(err, errTooBig) || data != nil {
			t.Errorf("readFile = %d bytes, %v; want errTooBig", len(data), err)
		}
	})
}

func TestOpen(t *testing.T) {
	if fsys, err := Open("demo"); err != nil || fsys == nil {
		t.Fatalf("Open(demo) = %v", err)
	}
	dir := t.TempDir()
	if _, err := Open(dir); err != nil {
		t.Errorf("Open(%s) = %v", dir, err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
	file := filepath.Join(dir, "site.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file); err == nil {
		t.Error("Open(a file) succeeded")
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{{File: "a.geojson", ID: "X", Reason: "bad"}}
	if got := ps.Error(); got != "scenes: invalid scene: 1 problem(s); a.geojson: X: bad" {
		t.Errorf("Error() = %q", got)
	}
	for range 12 {
		ps = append(ps, Problem{File: "b.geojson", Reason: "worse"})
	}
	if got := ps.Error(); !strings.HasSuffix(got, "; and 3 more") {
		t.Errorf("Error() = %q", got)
	}
	var err error = ps
	if !errors.Is(err, ErrInvalid) {
		t.Error("Problems is not ErrInvalid")
	}
	if got := (Problem{Reason: "only"}).String(); got != "only" {
		t.Errorf("String() = %q", got)
	}
}

func TestChanges(t *testing.T) {
	s, err := Load(testScene(nil))
	if err != nil {
		t.Fatal(err)
	}
	changes := s.Changes()
	if len(changes) != len(s.Entities)+1 {
		t.Fatalf("%d changes for %d entities", len(changes), len(s.Entities))
	}
	root := changes[0].(twin.Upsert).Entity
	if root.ID != "t" || root.Kind != twin.KindSite || root.Name != "测试厂" || root.Props["timezone"] != DefaultTimezone {
		t.Errorf("root = %+v", root)
	}
	if _, ok := root.Geometry.(orb.Polygon); !ok {
		t.Errorf("root geometry %T, want the boundary", root.Geometry)
	}
	// changes own their entities: mutating one leaves the scene alone
	changes[1].(twin.Upsert).Entity.Name = "changed"
	if s.Entities[0].Name == "changed" {
		t.Error("Changes shares entities with the scene")
	}
	person := changes[2].(twin.Upsert).Entity
	if person.Kind != twin.KindPerson || person.Parent != "t" || person.Mobile.Tag != "T1" {
		t.Errorf("person = %+v", person)
	}
}

func TestHazardIndex(t *testing.T) {
	// REFERENCE §9: LPG 200 t (Q 50 t, β 1.5), α 1.2 → R = 7.2, grade 四级.
	s, r, grade := HazardIndex(1.2, []HazardSubstance{{"propane", 200, 50, 1.5}})
	if s != 4 || r < 7.2-1e-9 || r > 7.2+1e-9 || grade != 4 {
		t.Errorf("S %v R %v grade %d, want 4, 7.2, 4", s, r, grade)
	}
	for _, c := range []struct {
		r     float64
		grade int
	}{{100, 1}, {99.9, 2}, {50, 2}, {49.9, 3}, {10, 3}, {9.99, 4}} {
		if got := HazardGrade(c.r); got != c.grade {
			t.Errorf("HazardGrade(%v) = %d, want %d", c.r, got, c.grade)
		}
	}
}

func TestLECLevel(t *testing.T) {
	for _, c := range []struct {
		d    float64
		want string
	}{{720, "red"}, {320.5, "red"}, {320, "orange"}, {160, "orange"}, {159, "yellow"}, {70, "yellow"}, {69, "blue"}} {
		if got := LECLevel(c.d); got != c.want {
			t.Errorf("LECLevel(%v) = %s, want %s", c.d, got, c.want)
		}
	}
}
