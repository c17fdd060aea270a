package scenes

import (
	"io/fs"
	"math"
	"slices"
	"testing"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

func loadDemo(t testing.TB) *Scene {
	t.Helper()
	s, err := Load(Demo())
	if err != nil {
		t.Fatalf("demo does not load: %v", err)
	}
	return s
}

// index returns the scene's entities by id.
func index(s *Scene) map[string]*twin.Entity {
	m := make(map[string]*twin.Entity, len(s.Entities))
	for _, e := range s.Entities {
		m[e.ID] = e
	}
	return m
}

func ofKind(s *Scene, k twin.Kind) []*twin.Entity {
	var out []*twin.Entity
	for _, e := range s.Entities {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// areaOf returns the nearest ancestor of e that is an area.
func areaOf(byID map[string]*twin.Entity, e *twin.Entity) *twin.Entity {
	for p := byID[e.Parent]; p != nil; p = byID[p.Parent] {
		if p.Kind == twin.KindArea {
			return p
		}
	}
	return nil
}

func TestDemoValidates(t *testing.T) {
	if ps := Validate(Demo()); len(ps) != 0 {
		t.Fatalf("demo has %d problems: %v", len(ps), ps)
	}
	s := loadDemo(t)
	if s.Site.ID != "demo" || s.Frame == nil || s.Site.Boundary == nil {
		t.Fatalf("site = %+v", s.Site)
	}
	origin, h := s.Frame.Origin()
	if math.Abs(origin[0]-106.6) > 0.05 || math.Abs(origin[1]-38.1) > 0.05 || math.Abs(h-1200) > 100 {
		t.Errorf("origin %v at %v m: not at Ningdong", origin, h)
	}
}

func TestDemoFilesSmall(t *testing.T) {
	err := fs.WalkDir(Demo(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > 512<<10 {
			t.Errorf("%s is %d bytes: keep generated files well under 1 MiB", path, info.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDemoAreas(t *testing.T) {
	s := loadDemo(t)
	names := map[string]*twin.Entity{}
	for _, a := range ofKind(s, twin.KindArea) {
		names[a.Name] = a
		for _, key := range []string{"name_en", "area_type", "risk_level", "fire_zone"} {
			if _, ok := a.Props[key]; !ok {
				t.Errorf("area %s (%s) has no %s", a.ID, a.Name, key)
			}
		}
	}
	for _, want := range []string{"机修间", "压滤机房", "水处理装置", "氮气生产区", "对硝车间办公区", "甲醇生产区",
		"对苯二胺生产辅房", "污水处理池区", "1#楼", "包装区", "罐区", "中控室", "主大门", "物流大门"} {
		if names[want] == nil {
			t.Errorf("no area named %s", want)
		}
	}
	if got := names["罐区"].String("risk_level"); got != "red" {
		t.Errorf("tank farm risk level %q, want red", got)
	}
	if got := names["甲醇生产区"].String("risk_level"); got != "orange" {
		t.Errorf("methanol area risk level %q, want orange", got)
	}
}

// The seed's monitoring list (车间列表: 探头 counts).
var seedDetectorCounts = map[string]int{
	"机修间": 11, "压滤机房": 13, "水处理装置": 3, "氮气生产区": 17, "对硝车间办公区": 22,
	"甲醇生产区": 15, "对苯二胺生产辅房": 16, "污水处理池区": 13, "1#楼": 8,
}

func TestDemoDetectorCounts(t *testing.T) {
	s := loadDemo(t)
	byID := index(s)
	got := map[string]int{}
	for _, d := range ofKind(s, twin.KindGasDetector) {
		area := areaOf(byID, d)
		if area == nil {
			t.Errorf("detector %s has no area among its ancestors", d.ID)
			continue
		}
		if area.Parent != s.Site.ID && byID[area.Parent] != nil {
			area = areaOf(byID, area) // the dike counts for the tank farm
		}
		got[area.Name]++
		if !geo.Contains(area.Geometry, d.Point()) {
			t.Errorf("detector %s lies outside its area %s", d.ID, area.Name)
		}
	}
	for name, want := range seedDetectorCounts {
		if got[name] != want {
			t.Errorf("%s has %d detectors, want %d", name, got[name], want)
		}
	}
	if got["罐区"] < 15 || got["包装区"] < 1 {
		t.Errorf("tank farm %d, packaging %d detectors: want ~20 and a few", got["罐区"], got["包装区"])
	}
}

// OELs (mg/m³, GBZ 2.1; REFERENCE §6) of the toxic gases in the demo.
var oelMgM3 = map[string]struct{ oel, mw float64 }{
	"H2S": {10, 34.08}, "NH3": {20, 17.03}, "CO": {20, 28.01}, "Cl2": {1, 70.90},
	"CH3OH": {25, 32.04}, // PC-TWA; methanol has no MAC
}

func TestDemoDetectorSetpoints(t *testing.T) {
	for _, d := range ofKind(loadDemo(t), twin.KindGasDetector) {
		a1, a2 := d.Float("alarm1", math.NaN()), d.Float("alarm2", math.NaN())
		switch d.String("detector_type") {
		case "combustible":
			if d.String("unit") != "%LEL" || a1 > 25 || a2 > 50 {
				t.Errorf("%s: %v/%v %s, want ≤ 25/50 %%LEL", d.ID, a1, a2, d.String("unit"))
			}
		case "oxygen":
			if a1 != 19.5 || a2 != 23.5 {
				t.Errorf("%s: oxygen alarms %v/%v, want 19.5/23.5 %%VOL", d.ID, a1, a2)
			}
		case "toxic":
			g, ok := oelMgM3[d.String("gas")]
			if !ok {
				t.Errorf("%s: toxic gas %s has no OEL here", d.ID, d.String("gas"))
				continue
			}
			oelPPM := g.oel * 24.055 / g.mw
			if d.String("unit") != "ppm" || a1 > oelPPM || a2 > 2*oelPPM || a1 < 0.9*oelPPM {
				t.Errorf("%s: %v/%v ppm, want ≤ %.2f/%.2f ppm (100/200 %% OEL)", d.ID, a1, a2, oelPPM, 2*oelPPM)
			}
		default:
			t.Errorf("%s: detector_type %q", d.ID, d.String("detector_type"))
		}
	}
}

// Every release source has a detector of its gas within the GB/T 50493
// distance: outdoors 10 m combustible, 4 m toxic; indoors 5 m, 2 m.
func TestDemoReleaseSourcesCovered(t *testing.T) {
	s := loadDemo(t)
	gasOf := map[string]string{"methanol": "CH3OH", "hydrogen": "H2", "methane": "CH4", "ammonia": "NH3",
		"hydrogen_sulfide": "H2S", "carbon_monoxide": "CO", "chlorine": "Cl2"}
	detectors := ofKind(s, twin.KindGasDetector)
	sources := 0
	for _, e := range ofKind(s, twin.KindEquipment) {
		if b, _ := e.Props["release_source"].(bool); !b {
			continue
		}
		sources++
		_, indoor := e.Props["floor"]
		covered := slices.ContainsFunc(detectors, func(d *twin.Entity) bool {
			if d.String("gas") != gasOf[e.String("substance")] || d.String("floor") != e.String("floor") {
				return false
			}
			limit := map[[2]bool]float64{{false, false}: 10, {false, true}: 4, {true, false}: 5, {true, true}: 2}
			return geo.DistanceM(d.Point(), e.Point()) <= limit[[2]bool{indoor, d.String("detector_type") == "toxic"}]
		})
		if !covered {
			t.Errorf("release source %s (%s) has no %s detector in range", e.ID, e.String("substance"), gasOf[e.String("substance")])
		}
	}
	if sources < 10 {
		t.Errorf("%d release sources, want pumps, flanges and loading arms in several areas", sources)
	}
}

func TestDemoCounts(t *testing.T) {
	s := loadDemo(t)
	for _, c := range []struct {
		kind twin.Kind
		min  int
	}{
		{twin.KindBeacon, 100}, {twin.KindCamera, 20}, {twin.KindPerson, 300}, {twin.KindVehicle, 10},
		{twin.KindMusterPoint, 2}, {twin.KindWeatherStation, 1}, {twin.KindTank, 4}, {twin.KindGate, 2},
		{twin.KindHazardSource, 1}, {twin.KindRiskUnit, 10}, {twin.KindStairs, 2},
	} {
		if n := len(ofKind(s, c.kind)); n < c.min {
			t.Errorf("%d %s, want at least %d", n, c.kind, c.min)
		}
	}
	capacity := 0.0
	for _, m := range ofKind(s, twin.KindMusterPoint) {
		capacity += m.Float("capacity", 0)
	}
	if people := len(ofKind(s, twin.KindPerson)); capacity <= float64(people) {
		t.Errorf("muster capacity %v for %d people", capacity, people)
	}
	for _, c := range ofKind(s, twin.KindCamera) {
		if c.Float("heading_deg", -1) < 0 || c.Float("fov_deg", 0) <= 0 || c.Float("range_m", 0) <= 0 {
			t.Errorf("camera %s: heading/fov/range %v", c.ID, c.Props)
		}
	}
	if ws := ofKind(s, twin.KindWeatherStation); len(ws) > 0 && ws[0].Height != 10 {
		t.Errorf("weather mast %v m, want 10", ws[0].Height)
	}
}

func TestDemoBuildings(t *testing.T) {
	s := loadDemo(t)
	byID := index(s)
	multi := map[string]bool{}
	for _, b := range ofKind(s, twin.KindBuilding) {
		if b.Height <= 0 {
			t.Errorf("building %s has no height", b.ID)
		}
		if area := areaOf(byID, b); area != nil && b.Float("floors", 0) >= 2 {
			multi[area.Name] = true
		}
	}
	for _, name := range []string{"1#楼", "对苯二胺生产辅房"} {
		if !multi[name] {
			t.Errorf("%s has no multi-storey building", name)
		}
	}
	for _, k := range []twin.Kind{twin.KindUnit, twin.KindTank} {
		for _, e := range ofKind(s, k) {
			if e.Height <= 0 {
				t.Errorf("%s %s has no height", k, e.ID)
			}
		}
	}
}

func TestDemoRoads(t *testing.T) {
	for _, r := range ofKind(loadDemo(t), twin.KindRoad) {
		if w := r.Float("width_m", 0); w < 6 || w > 9 {
			t.Errorf("road %s is %v m wide, want a 6–9 m fire lane", r.ID, w)
		}
	}
}

func TestDemoFences(t *testing.T) {
	s := loadDemo(t)
	rules := map[string]int{}
	for _, f := range ofKind(s, twin.KindFence) {
		rules[f.String("rule")]++
	}
	for _, rule := range enums["rule"] {
		if rules[rule] == 0 {
			t.Errorf("no %s fence", rule)
		}
	}
}

func TestDemoHazardSource(t *testing.T) {
	hs := ofKind(loadDemo(t), twin.KindHazardSource)
	if len(hs) == 0 {
		t.Fatal("no hazard source")
	}
	h := hs[0]
	if s := h.Float("S", 0); s < 1 {
		t.Errorf("S = %v: the tank farm must be a major hazard source", s)
	}
	r := h.Float("R", 0)
	if g := h.Float("grade", 0); int(g) != HazardGrade(r) {
		t.Errorf("grade %v for R %v", g, r)
	}
	if resp, _ := h.Props["responsible"].(map[string]any); len(resp) != 3 {
		t.Errorf("responsible = %v, want principal, technical and operations", h.Props["responsible"])
	}
}

func TestDemoRiskUnits(t *testing.T) {
	for _, ru := range ofKind(loadDemo(t), twin.KindRiskUnit) {
		lec, _ := ru.Props["lec"].(map[string]any)
		d, _ := lec["d"].(float64)
		if got := ru.String("risk_level"); got != LECLevel(d) {
			t.Errorf("risk unit %s: level %s for D = %v, want %s", ru.ID, got, d, LECLevel(d))
		}
	}
}

func TestDemoRegistry(t *testing.T) {
	s := loadDemo(t)
	people := ofKind(s, twin.KindPerson)
	byType := map[string]int{}
	for _, p := range people {
		byType[p.String("identity_type")]++
		if p.Mobile == nil || p.Mobile.Tag == "" || !math.IsNaN(p.Mobile.Battery) || p.Geometry != nil {
			t.Errorf("person %s: mobile %+v geometry %v", p.ID, p.Mobile, p.Geometry)
		}
	}
	for typ, share := range map[string]float64{"internal": 0.80, "contractor": 0.15, "visitor": 0.05} {
		if got := float64(byType[typ]) / float64(len(people)); math.Abs(got-share) > 0.03 {
			t.Errorf("%s share %.3f, want about %.2f", typ, got, share)
		}
	}
	byID := index(s)
	roles := map[string]bool{}
	for _, u := range s.Users {
		roles[u.Role] = true
		if p := byID[u.PersonID]; p == nil || p.Kind != twin.KindPerson {
			t.Errorf("user %s is bound to %q", u.Username, u.PersonID)
		}
	}
	for _, r := range UserRoles {
		if !roles[r] {
			t.Errorf("no demo user with role %s", r)
		}
	}
}

// TestDemoNetworkConnected checks that roads, walkways and stairs form one
// connected network, joined only at shared vertices (union-find over
// vertex keys: position and level, see docs/scene-format.md).
func TestDemoNetworkConnected(t *testing.T) {
	lines := networkLines(loadDemo(t))
	uf := unionFind{}
	for _, l := range lines {
		for i := 1; i < len(l.keys); i++ {
			uf.union(l.keys[i-1], l.keys[i])
		}
	}
	roots := map[vertexKey]bool{}
	for _, l := range lines {
		for _, k := range l.keys {
			roots[uf.find(k)] = true
		}
	}
	if len(roots) != 1 {
		t.Errorf("the network has %d connected components, want 1", len(roots))
	}
}

// TestDemoNetworkNoded checks that lines on one level meet only at shared
// vertices that are endpoints of both.
func TestDemoNetworkNoded(t *testing.T) {
	lines := networkLines(loadDemo(t))
	inner := map[vertexKey][]string{} // vertex → lines having it inside
	ends := map[vertexKey][]string{}
	for _, l := range lines {
		for i, k := range l.keys {
			if i == 0 || i == len(l.keys)-1 {
				ends[k] = append(ends[k], l.id)
			} else {
				inner[k] = append(inner[k], l.id)
			}
		}
	}
	for k, ids := range inner {
		if len(ids) > 1 || len(ends[k]) > 0 {
			t.Errorf("vertex %v is inside %v and ends %v: junctions must be endpoints", k, ids, ends[k])
		}
	}
	for i, a := range lines {
		for _, b := range lines[i+1:] {
			if a.stairs || b.stairs || a.level != b.level || !a.bound.Intersects(b.bound) {
				continue
			}
			if q, ok := unnodedCrossing(a.pts, b.pts); ok {
				t.Errorf("%s and %s cross at %v without a shared vertex", a.id, b.id, q)
			}
		}
	}
}

func TestDemoTwin(t *testing.T) {
	s := loadDemo(t)
	ts, err := s.Twin(twin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[twin.Kind]int{}
	for _, e := range s.Entities {
		want[e.Kind]++
	}
	ts.View(func(tx twin.Tx) {
		for _, l := range twin.Layers {
			for _, k := range l.Kinds {
				if got := tx.Count(k); got != want[k] {
					t.Errorf("layer %s: %d %s in the twin, want %d", l.ID, got, k, want[k])
				}
			}
		}
		if tx.Len() != len(s.Entities)+1 {
			t.Errorf("twin holds %d entities, want %d and the site", tx.Len(), len(s.Entities))
		}
		root := tx.Get("demo")
		if root == nil || root.Geometry == nil || root.Name != s.Site.Name || root.Props["timezone"] != "Asia/Shanghai" {
			t.Errorf("site root = %+v", root)
		}
		if a := tx.Ancestor("GD-MEOH-01", twin.KindArea); a == nil || a.ID != "AR-MEOH" {
			t.Errorf("GD-MEOH-01 area = %v, want AR-MEOH", a)
		}
	})
	if p, ok := ts.ByTag("T00001"); !ok || p.Kind != twin.KindPerson {
		t.Errorf("tag T00001 → %v, %v", p, ok)
	}
}

func BenchmarkLoadDemo(b *testing.B) {
	fsys := Demo()
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDemoTwin(b *testing.B) {
	s := loadDemo(b)
	for b.Loop() {
		if _, err := s.Twin(twin.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
