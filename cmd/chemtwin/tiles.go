package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/tiles"
)

const tilesUsage = `usage:
  chemtwin tiles bake --out FILE [--scene DIR|demo] [--minzoom 14] [--maxzoom 19] [--lang en|zh] [--font FILE]
      render the scene's site plan into a raster PMTiles archive
  chemtwin tiles show FILE
      check an archive and print its header, tiles per zoom and metadata
`

// tilesCmd runs `chemtwin tiles bake …` and `chemtwin tiles show FILE`.
func tilesCmd(ctx context.Context, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "bake":
			return tilesBake(ctx, args[1:], os.Stdout, os.Stderr)
		case "show":
			return tilesShow(args[1:], os.Stdout, os.Stderr)
		case "-h", "--help", "help":
			fmt.Print(tilesUsage)
			return 0
		}
	}
	fmt.Fprint(os.Stderr, tilesUsage)
	return 2
}

// tilesBake bakes a scene into --out, written to a temporary file and
// renamed, so a server holding the old file keeps reading it whole.
func tilesBake(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chemtwin tiles bake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scene := fs.String("scene", "demo", `scene folder, or "demo" for the embedded plant`)
	out := fs.String("out", "", "archive to write, e.g. data/tiles/plant.pmtiles (required)")
	minZoom := fs.Int("minzoom", 14, "lowest zoom, 1-22")
	maxZoom := fs.Int("maxzoom", 19, "highest zoom, 1-22")
	lang := fs.String("lang", "en", "label language: en, or zh (needs a CJK font; falls back to en without one)")
	font := fs.String("font", "", "label font (.ttf, .otf, .ttc); default the bundled Go font for en, Noto Sans CJK SC for zh")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 || *minZoom < 1 || *maxZoom < 1 {
		fmt.Fprint(stderr, tilesUsage)
		return 2
	}
	fsys, err := scenes.Open(*scene)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	sc, err := scenes.Load(fsys)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *scene, err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	data, err := tiles.Bake(ctx, sc, tiles.BakeOptions{MinZoom: *minZoom, MaxZoom: *maxZoom, Lang: *lang, FontPath: *font, Logger: log})
	if err == nil {
		err = writeFileAtomic(*out, data)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", *out, len(data))
	return tilesShow([]string{*out}, stdout, stderr)
}

// tilesShow prints an archive's description.
func tilesShow(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, tilesUsage)
		return 2
	}
	info, err := tiles.InspectFile(args[0])
	if err == nil {
		err = info.Describe(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
