package tiles

import (
	"bytes"
	"compress/gzip"
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

var update = flag.Bool("update", false, "rewrite testdata fixtures and demo.pmtiles")

// solidPNG is a 256×256 PNG of one colour.
func solidPNG(t testing.TB, c color.RGBA) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 256, 256), color.Palette{c})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	red   = color.RGBA{0xd0, 0x30, 0x30, 0xff}
	blue  = color.RGBA{0x30, 0x50, 0xd0, 0xff}
	green = color.RGBA{0x30, 0xa0, 0x40, 0xff}
)

// fixtureTiles is testdata/fixture.pmtiles: a red z0; three blue z1 tiles
// with consecutive tile ids (one run-length entry) and 1/1/0 absent; at
// z2 a green tile and a red one (stored once with the z0 tile).
func fixtureTiles(t testing.TB) []tileData {
	r, b, g := solidPNG(t, red), solidPNG(t, blue), solidPNG(t, green)
	return []tileData{
		{0, 0, 0, r},
		{1, 0, 0, b}, {1, 0, 1, b}, {1, 1, 1, b},
		{2, 1, 1, g}, {2, 2, 2, r},
	}
}

func fixtureArchive(t testing.TB) []byte {
	out, err := writeArchive(fixtureTiles(t), archiveSpec{
		TileType: pmtiles.Png, TileCompression: pmtiles.NoCompression,
		MinLon: -180, MinLat: -85, MaxLon: 180, MaxLat: 85, CenterZoom: 1,
		Metadata: map[string]any{"name": "fixture", "attribution": "chemtwin", "description": "test fixture"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mvtTile is a gzip'd protobuf standing in for a vector tile.
func mvtTile(t testing.TB) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte("\x1a\x08\x0a\x05plant\x78\x02"))
	zw.Close()
	return b.Bytes()
}

// vectorArchive is testdata/vector.pmtiles: one gzip'd MVT tile at z0.
func vectorArchive(t testing.TB) []byte {
	out, err := writeArchive([]tileData{{0, 0, 0, mvtTile(t)}}, archiveSpec{
		TileType: pmtiles.Mvt, TileCompression: pmtiles.Gzip,
		MinLon: 106.59, MinLat: 38.09, MaxLon: 106.61, MaxLat: 38.11, CenterLon: 106.6, CenterLat: 38.1,
		Metadata: map[string]any{"name": "vector", "vector_layers": []any{map[string]any{"id": "plant", "fields": map[string]any{}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFixtures checks the committed fixtures against the writer (rewrite
// them with -update) and reads them back with go-pmtiles: Verify, the
// header, and every tile through its directory search.
func TestFixtures(t *testing.T) {
	for name, make := range map[string]func(testing.TB) []byte{"fixture": fixtureArchive, "vector": vectorArchive} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name+".pmtiles")
			want := make(t)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from the writer's output; run go test ./tiles -run TestFixtures -update", path)
			}
			if len(got) > 50<<10 {
				t.Errorf("%s is %d bytes, want < 50 KiB", path, len(got))
			}
			verify(t, path)
		})
	}
}

// verify runs go-pmtiles' Verify, which logs some problems instead of
// returning them.
func verify(t *testing.T, path string) {
	t.Helper()
	var logs bytes.Buffer
	if err := pmtiles.Verify(log.New(&logs, "", 0), path); err != nil {
		t.Errorf("pmtiles.Verify: %v", err)
	}
	if bytes.Contains(logs.Bytes(), []byte("Invalid")) {
		t.Errorf("pmtiles.Verify: %s", logs.Bytes())
	}
}

func TestFixtureReadByGoPMTiles(t *testing.T) {
	data := fixtureArchive(t)
	h, err := pmtiles.DeserializeHeader(data[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		t.Fatal(err)
	}
	if h.TileType != pmtiles.Png || h.MinZoom != 0 || h.MaxZoom != 2 || !h.Clustered || h.InternalCompression != pmtiles.Gzip {
		t.Errorf("header %+v", h)
	}
	if h.AddressedTilesCount != 6 || h.TileEntriesCount != 4 || h.TileContentsCount != 3 {
		t.Errorf("counts: %d addressed, %d entries, %d contents; want 6, 4, 3", h.AddressedTilesCount, h.TileEntriesCount, h.TileContentsCount)
	}
	root := pmtiles.DeserializeEntries(bytes.NewBuffer(data[h.RootOffset:h.RootOffset+h.RootLength]), h.InternalCompression)
	for _, tile := range fixtureTiles(t) {
		e, ok := pmtiles.FindTile(root, pmtiles.ZxyToID(tile.Z, tile.X, tile.Y))
		if !ok || e.RunLength == 0 {
			t.Errorf("%d/%d/%d not found", tile.Z, tile.X, tile.Y)
			continue
		}
		got := data[h.TileDataOffset+e.Offset : h.TileDataOffset+e.Offset+uint64(e.Length)]
		if !bytes.Equal(got, tile.Data) {
			t.Errorf("%d/%d/%d: wrong bytes", tile.Z, tile.X, tile.Y)
		}
	}
	if _, ok := pmtiles.FindTile(root, pmtiles.ZxyToID(1, 1, 0)); ok {
		t.Error("1/1/0 should be absent")
	}
	meta, err := pmtiles.DeserializeMetadata(bytes.NewReader(data[h.MetadataOffset:h.MetadataOffset+h.MetadataLength]), h.InternalCompression)
	if err != nil || meta["name"] != "fixture" {
		t.Errorf("metadata %v, %v", meta, err)
	}
}
