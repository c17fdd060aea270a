package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// newServer serves testdata (fixture, vector) and the embedded demo.
func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = "testdata"
	}
	if opts.Embedded == nil {
		opts.Embedded = map[string][]byte{DemoName: Demo()}
	}
	s, err := NewServer(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type response struct {
	code int
	hdr  http.Header
	body []byte
}

func do(h http.Handler, method, target string, hdr ...string) response {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{w.Code, w.Result().Header, w.Body.Bytes()}
}

func TestServeTiles(t *testing.T) {
	s := newServer(t, Options{})
	red, blue := solidPNG(t, red), solidPNG(t, blue)
	tests := []struct {
		path  string
		code  int
		ctype string
		body  []byte
	}{
		{"/fixture/0/0/0.png", 200, "image/png", red},
		{"/fixture/1/0/1.png", 200, "image/png", blue},
		{"/fixture/1/1/1.png", 200, "image/png", blue}, // last of a run
		{"/fixture/2/2/2.png", 200, "image/png", red},  // deduplicated
		{"/fixture/1/1/0.png", 204, "", nil},           // inside the archive, absent
		{"/fixture/2/3/3.png", 204, "", nil},
		{"/fixture/3/0/0.png", 404, "text/plain; charset=utf-8", nil}, // beyond maxzoom
		{"/fixture/0/0/0.jpg", 400, "text/plain; charset=utf-8", nil}, // wrong extension
		{"/fixture/1/2/0.png", 400, "text/plain; charset=utf-8", nil}, // x ≥ 2^z
		{"/fixture/31/0/0.png", 400, "text/plain; charset=utf-8", nil},
		{"/fixture/a/0/0.png", 400, "text/plain; charset=utf-8", nil},
		{"/fixture/01/0/0.png", 400, "text/plain; charset=utf-8", nil},
		{"/nope/0/0/0.png", 404, "text/plain; charset=utf-8", nil},
		{"/fixture/0/0", 404, "text/plain; charset=utf-8", nil},
		{"/fixture/0/0/0", 404, "text/plain; charset=utf-8", nil},
		{"/../fixture/0/0/0.png", 404, "text/plain; charset=utf-8", nil},
		{"/fixture/0/0/0.png/x", 404, "text/plain; charset=utf-8", nil},
		{"/vector/0/0/0.mvt", 200, "application/x-protobuf", mvtTile(t)},
		{"/vector/0/0/0.pbf", 200, "application/x-protobuf", mvtTile(t)},
		{"/vector/0/0/0.png", 400, "text/plain; charset=utf-8", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := do(s, "GET", tc.path)
			if r.code != tc.code || r.hdr.Get("Content-Type") != tc.ctype {
				t.Fatalf("got %d %q (%s), want %d %q", r.code, r.hdr.Get("Content-Type"), r.body, tc.code, tc.ctype)
			}
			if tc.body != nil && !bytes.Equal(r.body, tc.body) {
				t.Errorf("wrong body (%d bytes)", len(r.body))
			}
			switch {
			case tc.code == 200 && (r.hdr.Get("ETag") == "" || r.hdr.Get("Cache-Control") != "public, max-age=3600"):
				t.Errorf("ETag %q, Cache-Control %q", r.hdr.Get("ETag"), r.hdr.Get("Cache-Control"))
			case tc.code == 204 && (len(r.body) != 0 || r.hdr.Get("Cache-Control") == ""):
				t.Errorf("204 with body %q or no Cache-Control", r.body)
			case tc.code >= 400 && r.hdr.Get("Cache-Control") != "no-store":
				t.Errorf("error cached: %q", r.hdr.Get("Cache-Control"))
			}
		})
	}
	if r := do(s, "GET", "/vector/0/0/0.mvt"); r.hdr.Get("Content-Encoding") != "gzip" {
		t.Errorf("mvt Content-Encoding %q, want gzip", r.hdr.Get("Content-Encoding"))
	}
}

func TestServeDemo(t *testing.T) {
	s := newServer(t, Options{})
	c := mercator(orb.Point{106.6, 38.1}) // the demo plant's origin
	r := do(s, "GET", fmt.Sprintf("/demo/16/%d/%d.png", int(c[0]*65536), int(c[1]*65536)))
	if r.code != 200 || r.hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("demo tile: %d %s", r.code, r.body)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("demo tile does not decode: %v", err)
	}
}

func TestConditionalAndHead(t *testing.T) {
	s := newServer(t, Options{MaxAge: 600e9})
	first := do(s, "GET", "/fixture/0/0/0.png")
	etag := first.hdr.Get("ETag")
	if first.hdr.Get("Cache-Control") != "public, max-age=600" {
		t.Errorf("Cache-Control %q", first.hdr.Get("Cache-Control"))
	}
	for _, inm := range []string{etag, "W/" + etag, `"x", ` + etag, "*"} {
		if r := do(s, "GET", "/fixture/0/0/0.png", "If-None-Match", inm); r.code != 304 || len(r.body) != 0 || r.hdr.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d, %d bytes", inm, r.code, len(r.body))
		}
	}
	if r := do(s, "GET", "/fixture/0/0/0.png", "If-None-Match", `"other"`); r.code != 200 {
		t.Errorf("other ETag: %d", r.code)
	}
	head := do(s, "HEAD", "/fixture/0/0/0.png")
	if head.code != 200 || len(head.body) != 0 || head.hdr.Get("Content-Length") != first.hdr.Get("Content-Length") || head.hdr.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, length %q", head.code, len(head.body), head.hdr.Get("Content-Length"))
	}
	if r := do(s, "POST", "/fixture/0/0/0.png"); r.code != 405 || r.hdr.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d", r.code)
	}
	tj := do(s, "GET", "/fixture.json")
	if r := do(s, "GET", "/fixture.json", "If-None-Match", tj.hdr.Get("ETag")); r.code != 304 {
		t.Errorf("TileJSON revalidation: %d", r.code)
	}
	if tj.hdr.Get("Cache-Control") != "no-cache" {
		t.Errorf("TileJSON Cache-Control %q", tj.hdr.Get("Cache-Control"))
	}
}

type tileJSON struct {
	TileJSON string    `json:"tilejson"`
	Tiles    []string  `json:"tiles"`
	Name     string    `json:"name"`
	MinZoom  int       `json:"minzoom"`
	MaxZoom  int       `json:"maxzoom"`
	Bounds   []float64 `json:"bounds"`
	Center   []float64 `json:"center"`
	Layers   []any     `json:"vector_layers"`
}

func getTileJSON(t *testing.T, h http.Handler, path string, hdr ...string) tileJSON {
	t.Helper()
	r := do(h, "GET", path, hdr...)
	if r.code != 200 || r.hdr.Get("Content-Type") != "application/json" || r.hdr.Get("ETag") == "" {
		t.Fatalf("%s: %d %q %s", path, r.code, r.hdr.Get("Content-Type"), r.body)
	}
	var tj tileJSON
	if err := json.Unmarshal(r.body, &tj); err != nil {
		t.Fatal(err)
	}
	return tj
}

func TestTileJSON(t *testing.T) {
	s := newServer(t, Options{})
	tj := getTileJSON(t, s, "/fixture.json")
	if tj.TileJSON != "3.0.0" || tj.Name != "fixture" || tj.MinZoom != 0 || tj.MaxZoom != 2 ||
		!slices.Equal(tj.Tiles, []string{"http://example.com/fixture/{z}/{x}/{y}.png"}) ||
		!slices.Equal(tj.Bounds, []float64{-180, -85, 180, 85}) {
		t.Errorf("fixture TileJSON %+v", tj)
	}
	mounted := http.StripPrefix("/tiles", s)
	if tj := getTileJSON(t, mounted, "/tiles/demo.json", "X-Forwarded-Proto", "https"); tj.Tiles[0] != "https://example.com/tiles/demo/{z}/{x}/{y}.png" ||
		tj.MinZoom != 14 || tj.MaxZoom != 19 || tj.Bounds[0] > 106.5931 || tj.Bounds[2] < 106.6069 || tj.Bounds[1] > 38.0962 || tj.Bounds[3] < 38.1038 {
		t.Errorf("demo TileJSON %+v", tj)
	}
	if tj := getTileJSON(t, s, "/vector.json"); len(tj.Layers) != 1 || tj.Tiles[0] != "http://example.com/vector/{z}/{x}/{y}.mvt" {
		t.Errorf("vector TileJSON %+v", tj)
	}
	pub := newServer(t, Options{PublicURL: "https://plant.example/basemaps/"})
	if tj := getTileJSON(t, pub, "/fixture.json"); tj.Tiles[0] != "https://plant.example/basemaps/fixture/{z}/{x}/{y}.png" {
		t.Errorf("public URL TileJSON %v", tj.Tiles)
	}
	for _, p := range []string{"/nope.json", "/fix%20ture.json", "/.json", "/a/b.json"} {
		if r := do(s, "GET", p); r.code != 404 {
			t.Errorf("%s: %d", p, r.code)
		}
	}
}

func TestIndexAndNames(t *testing.T) {
	s := newServer(t, Options{})
	if got := s.Names(); !slices.Equal(got, []string{"demo", "fixture", "vector"}) {
		t.Errorf("Names %v", got)
	}
	r := do(http.StripPrefix("/tiles", s), "GET", "/tiles/")
	var idx struct{ Archives []indexEntry }
	if err := json.Unmarshal(r.body, &idx); err != nil || r.code != 200 || len(idx.Archives) != 3 {
		t.Fatalf("index %d %s", r.code, r.body)
	}
	if a := idx.Archives[0]; a.Name != "demo" || a.Format != "png" || a.TileJSON != "http://example.com/tiles/demo.json" || a.MinZoom != 14 {
		t.Errorf("index entry %+v", a)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newServer(t, Options{Registerer: reg})
	do(s, "GET", "/fixture/0/0/0.png")
	do(s, "GET", "/fixture/0/0/0.png")
	do(s, "GET", "/fixture/1/1/0.png")
	do(s, "GET", "/unknown/0/0/0.png")
	do(s, "GET", "/bad")
	for _, c := range []struct {
		archive, code string
		want          float64
	}{{"fixture", "200", 2}, {"fixture", "204", 1}, {"", "404", 2}} {
		if got := testutil.ToFloat64(s.metrics.requests.WithLabelValues(c.archive, c.code)); got != c.want {
			t.Errorf("requests{%q,%s} = %v, want %v", c.archive, c.code, got, c.want)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "chemtwin_tiles_requests_total"); err != nil || n != 3 {
		t.Errorf("registered series %d, %v", n, err)
	}
	if _, err := NewServer(context.Background(), Options{Registerer: reg}); err == nil {
		t.Error("registering twice should fail")
	}
}

// TestDirSkipsBadArchives: unusable files in the folder are logged and
// skipped; the good one and the embedded one are served.
func TestDirSkipsBadArchives(t *testing.T) {
	dir := t.TempDir()
	good := fixtureArchive(t)
	files := map[string][]byte{
		"good.pmtiles":      good,
		"garbage.pmtiles":   bytes.Repeat([]byte("not pmtiles "), 100),
		"truncated.pmtiles": good[:len(good)-10],
		"header.pmtiles":    good[:127],
		"empty.pmtiles":     nil,
		"bad name.pmtiles":  good,
		"readme.txt":        []byte("hello"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "folder.pmtiles"), 0o755)
	s := newServer(t, Options{Dir: dir})
	if got := s.Names(); !slices.Equal(got, []string{"demo", "good"}) {
		t.Errorf("Names %v", got)
	}
	if r := do(s, "GET", "/good/0/0/0.png"); r.code != 200 {
		t.Errorf("good tile: %d", r.code)
	}
}

func TestDirMissingAndOverride(t *testing.T) {
	s := newServer(t, Options{Dir: filepath.Join(t.TempDir(), "absent"), Embedded: map[string][]byte{"demo": Demo(), "none": nil}})
	if got := s.Names(); !slices.Equal(got, []string{"demo"}) {
		t.Errorf("Names %v", got)
	}
	// A file named like an embedded archive replaces it.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "demo.pmtiles"), fixtureArchive(t), 0o644)
	s = newServer(t, Options{Dir: dir})
	if r := do(s, "GET", "/demo/0/0/0.png"); r.code != 200 {
		t.Errorf("overriding file not served: %d", r.code)
	}
}

// TestFileChangedOnDisk: a file rewritten in place is refused (503) rather
// than read half-written; one replaced by rename is served as opened.
func TestFileChangedOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plant.pmtiles")
	os.WriteFile(path, fixtureArchive(t), 0o644)
	s := newServer(t, Options{Dir: dir, Embedded: map[string][]byte{}})
	if r := do(s, "GET", "/plant/0/0/0.png"); r.code != 200 {
		t.Fatalf("before: %d", r.code)
	}
	tmp := filepath.Join(dir, "new")
	os.WriteFile(tmp, vectorArchive(t), 0o644)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if r := do(s, "GET", "/plant/0/0/0.png"); r.code != 200 || !bytes.Equal(r.body, solidPNG(t, red)) {
		t.Errorf("after rename: %d", r.code)
	}

	os.WriteFile(filepath.Join(dir, "inplace.pmtiles"), fixtureArchive(t), 0o644)
	s = newServer(t, Options{Dir: dir, Embedded: map[string][]byte{}})
	f, err := os.OpenFile(filepath.Join(dir, "inplace.pmtiles"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("more"))
	f.Close()
	if r := do(s, "GET", "/inplace/0/0/0.png"); r.code != 503 {
		t.Errorf("after in-place write: %d %s", r.code, r.body)
	}
}

func TestNewServerErrors(t *testing.T) {
	fixture := fixtureArchive(t)
	for _, tc := range []struct {
		name string
		opts Options
		want error
	}{
		{"bad embedded name", Options{Embedded: map[string][]byte{"a/b": fixture}}, ErrOptions},
		{"bad embedded archive", Options{Embedded: map[string][]byte{"x": fixture[:200]}}, ErrArchive},
		{"relative public URL", Options{PublicURL: "/tiles"}, ErrOptions},
		{"ftp public URL", Options{PublicURL: "ftp://host/tiles"}, ErrOptions},
		{"negative max age", Options{MaxAge: -1}, ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewServer(context.Background(), tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := NewServer(context.Background(), Options{Dir: "server_test.go"}); err == nil {
		t.Error("a file as Dir should fail")
	}
}

// TestLeafDirectories serves an archive large enough to need leaf
// directories (go-pmtiles follows them).
func TestLeafDirectories(t *testing.T) {
	var tiles []tileData
	for x := uint32(0); x < 128; x++ {
		for y := uint32(0); y < 160; y++ {
			tiles = append(tiles, tileData{9, x, y, []byte{byte(x), byte(y), byte(x ^ y), 1}})
		}
	}
	data, err := writeArchive(tiles, archiveSpec{TileType: 2, TileCompression: 1, MinLon: -180, MinLat: -85, MaxLon: 180, MaxLat: 85})
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(bytes.NewReader(data), int64(len(data)))
	if err != nil || info.Leaves == 0 || info.Tiles() != uint64(len(tiles)) {
		t.Fatalf("inspect: %+v, %v", info, err)
	}
	s := newServer(t, Options{Embedded: map[string][]byte{"big": data}})
	for _, tile := range []tileData{tiles[0], tiles[7777], tiles[len(tiles)-1]} {
		r := do(s, "GET", (request{route: routeTile, name: "big", z: 9, x: tile.X, y: tile.Y, ext: "png"}).String())
		if r.code != 200 || !bytes.Equal(r.body, tile.Data) {
			t.Errorf("%d/%d: %d %v", tile.X, tile.Y, r.code, r.body)
		}
	}
	if r := do(s, "GET", "/big/9/200/200.png"); r.code != 204 {
		t.Errorf("absent tile: %d", r.code)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, Options{})
	want := map[string][]byte{"/fixture/0/0/0.png": solidPNG(t, red), "/fixture/2/1/1.png": solidPNG(t, green), "/vector/0/0/0.mvt": mvtTile(t)}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 8 {
		wg.Go(func() {
			for range 40 {
				for p, body := range want {
					if r := do(s, "GET", p); r.code != 200 || !bytes.Equal(r.body, body) {
						errs <- p
					}
				}
				if r := do(s, "GET", "/demo.json"); r.code != 200 {
					errs <- "tilejson"
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("wrong answer for %s", e)
	}
}

func TestErrorBodies(t *testing.T) {
	s := newServer(t, Options{})
	r := do(s, "GET", "/fixture/0/0/0.jpg")
	if !strings.Contains(string(r.body), "holds .png tiles") {
		t.Errorf("extension error %q", r.body)
	}
	if r := do(s, "HEAD", "/nope/0/0/0.png"); r.code != 404 || len(r.body) != 0 {
		t.Errorf("HEAD 404 with body %q", r.body)
	}
}

// TestOverHTTP mounts the server as the API does (GET /tiles/, prefix
// stripped) on a real listener.
func TestOverHTTP(t *testing.T) {
	s := newServer(t, Options{})
	mux := http.NewServeMux()
	mux.Handle("GET /tiles/", http.StripPrefix("/tiles", s))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/tiles/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var tj tileJSON
	json.NewDecoder(resp.Body).Decode(&tj)
	resp.Body.Close()
	if want := ts.URL + "/tiles/fixture/{z}/{x}/{y}.png"; len(tj.Tiles) != 1 || tj.Tiles[0] != want {
		t.Fatalf("tiles %v, want %s", tj.Tiles, want)
	}
	tile := strings.NewReplacer("{z}", "2", "{x}", "1", "{y}", "1").Replace(tj.Tiles[0])
	resp, err = http.Head(tile)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(solidPNG(t, green))) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("HEAD %s: %d, length %d", tile, resp.StatusCode, resp.ContentLength)
	}
}
