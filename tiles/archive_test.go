package tiles

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

func TestInspectFixture(t *testing.T) {
	data := fixtureArchive(t)
	info, err := Inspect(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if info.TilesPerZoom[0] != 1 || info.TilesPerZoom[1] != 3 || info.TilesPerZoom[2] != 2 || info.Tiles() != 6 {
		t.Errorf("tiles per zoom %v", info.TilesPerZoom[:3])
	}
	if info.Entries != 4 || info.Contents != 3 || info.Leaves != 0 || info.Format() != "png" {
		t.Errorf("%d entries, %d contents, %d leaves, %s", info.Entries, info.Contents, info.Leaves, info.Format())
	}
	var b strings.Builder
	if err := info.Describe(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tile type: png", "zooms: 0-2", "z1: 3 tiles", `"name": "fixture"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Describe lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "warning") {
		t.Errorf("Describe warns:\n%s", b.String())
	}
}

// corrupt returns a copy of the fixture with one header field replaced.
func corrupt(t *testing.T, off int, v uint64, size int) []byte {
	data := bytes.Clone(fixtureArchive(t))
	switch size {
	case 1:
		data[off] = byte(v)
	case 8:
		binary.LittleEndian.PutUint64(data[off:], v)
	}
	return data
}

func TestInspectRejects(t *testing.T) {
	good := fixtureArchive(t)
	h, _ := pmtiles.DeserializeHeader(good)
	root := int(h.RootOffset)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short", good[:100]},
		{"magic", append([]byte("PMTilez"), good[7:]...)},
		{"version 2", corrupt(t, 7, 2, 1)},
		{"internal compression brotli", corrupt(t, 97, uint64(pmtiles.Brotli), 1)},
		{"unknown tile type", corrupt(t, 99, 9, 1)},
		{"min zoom above max", corrupt(t, 100, 5, 1)},
		{"max zoom 31", corrupt(t, 101, 31, 1)},
		{"root beyond 16 KiB", corrupt(t, 8, 20000, 8)},
		{"root offset in header", corrupt(t, 8, 5, 8)},
		{"root length huge", corrupt(t, 16, 1<<62, 8)},
		{"metadata beyond file", corrupt(t, 32, 1<<20, 8)},
		{"tile data beyond file", corrupt(t, 64, 1<<40, 8)},
		{"truncated", good[:len(good)-1]},
		{"garbage root", append(append(bytes.Clone(good[:root]), bytes.Repeat([]byte{0xff}, int(h.RootLength))...), good[root+int(h.RootLength):]...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Inspect(bytes.NewReader(tc.data), int64(len(tc.data))); !errors.Is(err, ErrArchive) {
				t.Errorf("got %v, want ErrArchive", err)
			}
		})
	}
}

func TestDecodeDirectoryRejects(t *testing.T) {
	entries := []pmtiles.EntryV3{{TileID: 1, Offset: 0, Length: 10, RunLength: 1}, {TileID: 5, Offset: 10, Length: 3, RunLength: 2}}
	for _, c := range []pmtiles.Compression{pmtiles.NoCompression, pmtiles.Gzip} {
		got, err := decodeDirectory(pmtiles.SerializeEntries(entries, c), c)
		if err != nil || len(got) != 2 || got[1] != entries[1] {
			t.Errorf("compression %d: %v, %v", c, got, err)
		}
	}
	for name, b := range map[string][]byte{
		"count beyond data":  {0xff, 0xff, 0x03, 1, 1, 1, 1},
		"ids not increasing": {2, 1, 0, 1, 1, 1, 1, 1, 0},
		"first offset zero":  {1, 1, 1, 1, 0},
		"run length > 2^32":  {1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 1},
		"truncated":          {2, 1, 1, 1},
		"not gzip":           nil,
	} {
		comp := pmtiles.Compression(pmtiles.NoCompression)
		if name == "not gzip" {
			b, comp = []byte("plain"), pmtiles.Gzip
		}
		if _, err := decodeDirectory(b, comp); !errors.Is(err, ErrArchive) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestWriteArchiveRejects(t *testing.T) {
	png := solidPNG(t, red)
	for name, tiles := range map[string][]tileData{
		"none":      nil,
		"x too big": {{1, 2, 0, png}},
		"zoom 31":   {{31, 0, 0, png}},
		"empty":     {{0, 0, 0, nil}},
		"twice":     {{1, 0, 0, png}, {1, 0, 0, png}},
	} {
		if _, err := writeArchive(tiles, archiveSpec{TileType: pmtiles.Png}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func BenchmarkServeTile(b *testing.B) {
	s, err := NewServer(context.Background(), Options{Embedded: map[string][]byte{DemoName: Demo()}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := mercator(orb.Point{106.6, 38.1})
	r := httptest.NewRequest("GET", fmt.Sprintf("/demo/18/%d/%d.png", int(c[0]*(1<<18)), int(c[1]*(1<<18))), nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkBakeDemo(b *testing.B) {
	sc := demoScene(b)
	var size int
	for b.Loop() {
		data, err := Bake(context.Background(), sc, BakeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "archive_bytes")
}
