package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// committed is the embedded demo the generator must reproduce.
const committed = "../../demo"

// TestGolden regenerates the demo into a temporary folder and compares it
// with the committed files, byte for byte.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	got := readDir(t, dir)
	want := readDir(t, committed)
	for name, b := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s is generated but not committed: run go generate ./scenes", name)
		case !bytes.Equal(b, w):
			t.Errorf("%s differs from the generator's output: run go generate ./scenes", name)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s is committed but no longer generated: run go generate ./scenes", name)
		}
	}
}

// TestDeterministic generates twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	a, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestWriteRemovesStale checks that write replaces an old scene.
func TestWriteRemovesStale(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "old_layer.geojson")
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale layer survived: %v", err)
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}
