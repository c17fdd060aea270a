package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

func demoScene(t testing.TB) *scenes.Scene {
	t.Helper()
	fsys, err := scenes.Open("demo")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenes.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

var (
	demoOnce  sync.Once
	demoBaked []byte
	demoErr   error
)

// bakedDemo bakes the demo once per test binary (default options).
func bakedDemo(t *testing.T) []byte {
	t.Helper()
	demoOnce.Do(func() { demoBaked, demoErr = Bake(context.Background(), demoScene(t), BakeOptions{}) })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoBaked
}

// archiveTile reads tile z/x/y of an archive as go-pmtiles' reader does.
func archiveTile(t *testing.T, data []byte, z uint8, x, y uint32) []byte {
	t.Helper()
	h, err := pmtiles.DeserializeHeader(data[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		t.Fatal(err)
	}
	off, length := h.RootOffset, h.RootLength
	for range 4 {
		dir := pmtiles.DeserializeEntries(bytes.NewBuffer(data[off:off+length]), h.InternalCompression)
		e, ok := pmtiles.FindTile(dir, pmtiles.ZxyToID(z, x, y))
		if !ok {
			return nil
		}
		if e.RunLength > 0 {
			return data[h.TileDataOffset+e.Offset : h.TileDataOffset+e.Offset+uint64(e.Length)]
		}
		off, length = h.LeafDirectoryOffset+e.Offset, uint64(e.Length)
	}
	return nil
}

// pixelAt decodes the tile holding a lon/lat point at zoom z and returns
// the colour there.
func pixelAt(t *testing.T, data []byte, z uint8, p orb.Point) color.RGBA {
	t.Helper()
	m := mercator(p)
	n := float64(uint64(256) << z)
	px, py := m[0]*n, m[1]*n
	tile := archiveTile(t, data, z, uint32(px/256), uint32(py/256))
	if tile == nil {
		t.Fatalf("no tile at z%d for %v", z, p)
	}
	img, err := png.Decode(bytes.NewReader(tile))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(int(px)%256, int(py)%256).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
}

// slippy is the standard lon/lat → tile formula (OpenStreetMap wiki,
// "Slippy map tilenames"), independent of mercator().
func slippy(lon, lat float64, z uint8) (x, y int) {
	n := math.Exp2(float64(z))
	r := lat * math.Pi / 180
	return int(math.Floor((lon + 180) / 360 * n)), int(math.Floor((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n))
}

func TestBakeDemo(t *testing.T) {
	sc := demoScene(t)
	data := bakedDemo(t)
	if len(data) >= 1<<20 {
		t.Errorf("demo archive is %d bytes, want < 1 MiB", len(data))
	}
	info, err := Inspect(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	h := info.Header
	if h.TileType != pmtiles.Png || h.MinZoom != 14 || h.MaxZoom != 19 || h.CenterZoom != 16 {
		t.Errorf("header %+v", h)
	}
	// The bounds hold the site boundary grown by the 100 m margin.
	want := geo.ExpandM(sc.Site.Boundary.Bound(), 99)
	bounds := orb.Bound{Min: orb.Point{deg(h.MinLonE7), deg(h.MinLatE7)}, Max: orb.Point{deg(h.MaxLonE7), deg(h.MaxLatE7)}}
	if !bounds.Contains(want.Min) || !bounds.Contains(want.Max) {
		t.Errorf("bounds %v do not hold the site %v", bounds, want)
	}
	for z := uint8(14); z <= 19; z++ {
		x0, y0 := slippy(bounds.Min[0], bounds.Max[1], z)
		x1, y1 := slippy(bounds.Max[0], bounds.Min[1], z)
		if got, want := info.TilesPerZoom[z], uint64((x1-x0+1)*(y1-y0+1)); got != want {
			t.Errorf("z%d: %d tiles, the bound implies %d", z, got, want)
		}
		if archiveTile(t, data, z, uint32(x0), uint32(y0)) == nil || archiveTile(t, data, z, uint32(x1+1), uint32(y0)) != nil {
			t.Errorf("z%d: tile range not %d–%d", z, x0, x1)
		}
	}
	var meta map[string]any
	if err := json.Unmarshal(info.Metadata, &meta); err != nil || meta["attribution"] != "chemtwin" || meta["name"] != sc.Site.NameEn || meta["vector_layers"] != nil {
		t.Errorf("metadata %s", info.Metadata)
	}
}

// TestBakeDemoPixels samples the z18 tiles: roads are road grey on their
// centre lines, areas show their area_type colour where nothing else is
// drawn, and the land outside the site its own colour.
func TestBakeDemoPixels(t *testing.T) {
	sc := demoScene(t)
	data := bakedDemo(t)
	// Everything drawn above areas, grown by 30 m (muster point and tank
	// radii, labels), and the area labels about each area's centre.
	var obstacles []orb.Bound
	for _, e := range sc.Entities {
		switch e.Kind {
		case twin.KindRoad, twin.KindWalkway, twin.KindBuilding, twin.KindUnit, twin.KindGate, twin.KindTank, twin.KindMusterPoint, twin.KindFence:
			obstacles = append(obstacles, geo.ExpandM(e.Geometry.Bound(), 30))
		case twin.KindArea:
			c := e.Geometry.Bound().Center()
			obstacles = append(obstacles, geo.ExpandM(orb.Bound{Min: c, Max: c}, 60))
		}
	}
	roads, areas := 0, 0
	for _, e := range sc.Entities {
		switch e.Kind {
		case twin.KindRoad:
			ls := e.Geometry.(orb.LineString)
			mid := orb.Point{(ls[0][0] + ls[1][0]) / 2, (ls[0][1] + ls[1][1]) / 2}
			if c := pixelAt(t, data, 18, mid); c == colRoad {
				roads++
			} else {
				t.Logf("road %s at %v: %v", e.ID, mid, c)
			}
		case twin.KindArea:
			want := areaColours[e.String("area_type")]
			for _, p := range freePoints(e.Geometry, obstacles) {
				if c := pixelAt(t, data, 18, p); c != want {
					t.Errorf("area %s at %v: %v, want %v", e.ID, p, c, want)
				}
				areas++
			}
		}
	}
	// Labels and road junctions may cover a few centres.
	if roads < 60 {
		t.Errorf("%d of 68 road centres are road grey", roads)
	}
	if areas == 0 {
		t.Error("no area point clear of other features to sample")
	}
	outside := geo.ExpandM(sc.Site.Boundary.Bound(), 50).Min
	if c := pixelAt(t, data, 18, outside); c != colOutside {
		t.Errorf("outside the site: %v, want %v", c, colOutside)
	}
	if c := pixelAt(t, data, 18, sc.Site.Boundary.Bound().Center()); c == colOutside {
		t.Error("the site centre has the outside colour")
	}
}

// freePoints are points of a 12×12 grid over an area that lie at least
// 8 m inside it and clear of every obstacle.
func freePoints(g orb.Geometry, obstacles []orb.Bound) []orb.Point {
	b := g.Bound()
	var out []orb.Point
	for i := 1; i < 12; i++ {
		for j := 1; j < 12; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/12, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/12}
			free := insideBy(g, p, 8)
			for _, o := range obstacles {
				free = free && !o.Contains(p)
			}
			if free {
				out = append(out, p)
			}
		}
	}
	return out
}

// insideBy reports whether p lies at least m metres inside polygon g.
func insideBy(g orb.Geometry, p orb.Point, m float64) bool {
	b := geo.ExpandM(orb.Bound{Min: p, Max: p}, m)
	for _, c := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		if !geo.Contains(g, c) {
			return false
		}
	}
	return true
}

func TestBakeRoundTripsThroughGoPMTiles(t *testing.T) {
	data := bakedDemo(t)
	path := filepath.Join(t.TempDir(), "demo.pmtiles")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	verify(t, path)
	s := newServer(t, Options{Dir: filepath.Dir(path), Embedded: map[string][]byte{}})
	c := mercator(orb.Point{106.6, 38.1})
	r := do(s, "GET", (request{route: routeTile, name: "demo", z: 18, x: uint32(c[0] * (1 << 18)), y: uint32(c[1] * (1 << 18)), ext: "png"}).String())
	if r.code != 200 || !bytes.Equal(r.body, archiveTile(t, data, 18, uint32(c[0]*(1<<18)), uint32(c[1]*(1<<18)))) {
		t.Errorf("z18 tile through the server: %d", r.code)
	}
}

func TestBakeDeterministic(t *testing.T) {
	sc := demoScene(t)
	a, err := Bake(context.Background(), sc, BakeOptions{MinZoom: 15, MaxZoom: 18, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bake(context.Background(), sc, BakeOptions{MinZoom: 15, MaxZoom: 18, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two bakes differ")
	}
}

// TestDemoGolden: the committed demo.pmtiles is a fresh bake of the demo
// (default options: English labels in the bundled Go font, so no system
// font is involved). Float rounding may differ on other architectures
// (fused multiply-add, assembly math), so it is compared on amd64 only.
func TestDemoGolden(t *testing.T) {
	if !exactFloats {
		t.Skip("golden bytes are made on amd64 (GOAMD64 v1/v2); other architectures may round differently")
	}
	data := bakedDemo(t)
	if *update {
		if err := os.WriteFile("demo.pmtiles", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(Demo(), data) {
		t.Fatal("demo.pmtiles is not a fresh bake of the demo; run go test ./tiles -run TestDemoGolden -update (or chemtwin tiles bake --scene demo --out tiles/demo.pmtiles)")
	}
}

// synthetic is a small scene with one of each drawn kind in a 200 m site.
func synthetic(t *testing.T) *scenes.Scene {
	t.Helper()
	o := orb.Point{116.3, 39.9}
	frame, err := geo.NewFrame(o, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rect := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{frame.Point(x0, y0), frame.Point(x1, y0), frame.Point(x1, y1), frame.Point(x0, y1), frame.Point(x0, y0)}}
	}
	e := func(id string, k twin.Kind, g orb.Geometry, props map[string]any) *twin.Entity {
		return &twin.Entity{ID: id, Kind: k, Name: id, Geometry: g, Props: props}
	}
	return &scenes.Scene{
		Site:  scenes.Site{ID: "syn", Name: "合成厂", NameEn: "Synthetic", Origin: o, Boundary: rect(-100, -100, 100, 100)},
		Frame: frame,
		Entities: []*twin.Entity{
			e("AR-1", twin.KindArea, rect(-90, -90, -10, 90), map[string]any{"area_type": "storage", "name_en": "Store yard"}),
			e("RD-1", twin.KindRoad, orb.LineString{frame.Point(0, -100), frame.Point(0, 100)}, map[string]any{"width_m": 8.0}),
			e("TK-1", twin.KindTank, frame.Point(-50, 50), map[string]any{"radius_m": 6.0}),
			e("MP-1", twin.KindMusterPoint, frame.Point(50, 50), map[string]any{"radius_m": 10.0}),
			e("B-1", twin.KindBuilding, rect(20, -60, 60, -20), map[string]any{"name_en": "Control room"}),
			e("FN-1", twin.KindFence, rect(20, 20, 90, 90), map[string]any{"rule": "forbidden"}),
			e("FN-2", twin.KindFence, rect(-95, -95, 95, 95), map[string]any{"rule": "headcount"}),
			e("PS-1", twin.KindPerson, nil, nil),
		},
	}
}

func TestBakeDrawsKinds(t *testing.T) {
	sc := synthetic(t)
	data, err := Bake(context.Background(), sc, BakeOptions{MinZoom: 18, MaxZoom: 18, MarginM: 20})
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Frame
	for _, c := range []struct {
		name string
		at   orb.Point
		want color.RGBA
	}{
		{"area", f.Point(-70, -60), areaColours["storage"]},
		{"road", f.Point(0, 30), colRoad},
		{"tank", f.Point(-50, 50), colTank},
		{"muster point", f.Point(50, 48), colMuster},
		{"building", f.Point(40, -30), colBuilding},
		{"site", f.Point(10, -80), colSite},
		{"outside", f.Point(0, 115), colOutside},
		{"headcount fence not drawn", f.Point(-95, 0), colSite},
	} {
		if got := pixelAt(t, data, 18, c.at); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// The forbidden fence is dashed: along its west edge some pixels are
	// reddish, some are not.
	red, plain := 0, 0
	for y := 22.0; y < 88; y += 0.25 {
		if c := pixelAt(t, data, 18, f.Point(20, y)); int(c.R)-int(c.G) > 40 {
			red++
		} else {
			plain++
		}
	}
	if red == 0 || plain == 0 {
		t.Errorf("fence edge: %d red, %d other samples; want a dashed line", red, plain)
	}
}

func TestBakeOptionsRejected(t *testing.T) {
	sc := synthetic(t)
	for _, o := range []BakeOptions{
		{MinZoom: 18, MaxZoom: 17}, {MinZoom: -1}, {MaxZoom: 23}, {TileSize: 300}, {Format: "jpg"},
		{Lang: "fr"}, {MarginM: -5}, {MarginM: 20_000}, {Workers: -1}, {MinZoom: 20, MaxZoom: 22, MarginM: 10_000}, // too many tiles
	} {
		if _, err := Bake(context.Background(), sc, o); !errors.Is(err, ErrBakeOptions) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := Bake(context.Background(), nil, BakeOptions{}); !errors.Is(err, ErrBakeOptions) {
		t.Errorf("nil scene: %v", err)
	}
	empty := &scenes.Scene{Site: scenes.Site{ID: "x", Origin: orb.Point{116, 40}}}
	if _, err := Bake(context.Background(), empty, BakeOptions{}); !errors.Is(err, errEmptyScene) {
		t.Errorf("empty scene: %v", err)
	}
	if _, err := Bake(context.Background(), sc, BakeOptions{FontPath: "/nonexistent.ttf"}); err == nil {
		t.Error("missing font file accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Bake(ctx, sc, BakeOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled bake: %v", err)
	}
}

func TestBakeTileSize512(t *testing.T) {
	data, err := Bake(context.Background(), synthetic(t), BakeOptions{MinZoom: 17, MaxZoom: 17, TileSize: 512})
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(bytes.NewReader(data), int64(len(data)))
	if err != nil || info.Tiles() == 0 {
		t.Fatal(err)
	}
	c := mercator(orb.Point{116.3, 39.9})
	img, err := png.Decode(bytes.NewReader(archiveTile(t, data, 17, uint32(c[0]*(1<<17)), uint32(c[1]*(1<<17)))))
	if err != nil || img.Bounds() != image.Rect(0, 0, 512, 512) {
		t.Errorf("512 tile: %v, %v", err, img.Bounds())
	}
}

// TestBakeLabelFonts: Chinese labels with a system CJK font when there is
// one; without, the bake falls back to English in the Go font.
func TestBakeLabelFonts(t *testing.T) {
	sc := synthetic(t)
	meta := func(data []byte) map[string]any {
		info, err := Inspect(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(info.Metadata, &m)
		return m["chemtwin"].(map[string]any)
	}
	saved := CJKFontPaths
	defer func() { CJKFontPaths = saved }()
	CJKFontPaths = []string{filepath.Join(t.TempDir(), "none.ttc")}
	data, err := Bake(context.Background(), sc, BakeOptions{MinZoom: 18, MaxZoom: 18, Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if m := meta(data); m["lang"] != "en" || m["font"] != bundledFont {
		t.Errorf("fallback: %v", m)
	}
	CJKFontPaths = saved
	found := false
	for _, p := range saved {
		if _, err := os.Stat(p); err == nil {
			found = true
		}
	}
	if !found {
		t.Skip("no Noto Sans CJK font installed (Debian: fonts-noto-cjk); Chinese labels not tested")
	}
	data, err = Bake(context.Background(), sc, BakeOptions{MinZoom: 18, MaxZoom: 18, Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if m := meta(data); m["lang"] != "zh" || m["font"] != "Noto Sans CJK SC" {
		t.Errorf("zh: %v", m)
	}
}
