package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chemtwin/chemtwin/tiles"
)

func TestTilesBakeAndShow(t *testing.T) {
	if testing.Short() {
		t.Skip("bakes a basemap")
	}
	out := filepath.Join(t.TempDir(), "demo.pmtiles")
	if code := tilesCmd(context.Background(), []string{"bake", "--scene", "demo", "--out", out, "--minzoom", "14", "--maxzoom", "16"}); code != 0 {
		t.Fatalf("bake: exit %d", code)
	}
	info, err := tiles.InspectFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Header.MinZoom != 14 || info.Header.MaxZoom != 16 || info.Tiles() == 0 {
		t.Fatalf("baked archive: zooms %d–%d, %d tiles", info.Header.MinZoom, info.Header.MaxZoom, info.Tiles())
	}
	if code := tilesCmd(context.Background(), []string{"show", out}); code != 0 {
		t.Fatalf("show: exit %d", code)
	}
	bad := filepath.Join(t.TempDir(), "bad.pmtiles")
	os.WriteFile(bad, []byte("not an archive"), 0o644)
	if code := tilesCmd(context.Background(), []string{"show", bad}); code == 0 {
		t.Fatal("show accepted a broken archive")
	}
	if code := tilesCmd(context.Background(), []string{"bake"}); code != 2 {
		t.Fatalf("bake without --out: exit %d", code)
	}
}
