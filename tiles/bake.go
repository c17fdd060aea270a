package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/protomaps/go-pmtiles/pmtiles"
	"golang.org/x/sync/errgroup"

	"github.com/chemtwin/chemtwin/scenes"
)

// BakeOptions configure Bake. The zero value of each field is its default.
type BakeOptions struct {
	// MinZoom and MaxZoom bound the zooms baked; defaults 14 and 19 (a
	// plant of about a kilometre fills a screen at 15–16; z19 shows a
	// 0.25 m pixel). MaxZoom is at most 22.
	MinZoom, MaxZoom int
	// TileSize is the tile width in pixels: 256 (default) or 512.
	TileSize int
	// Format of the tiles: "png" (default, the only one).
	Format string
	// Lang of the labels: "en" (default) or "zh". Chinese labels need a
	// CJK font (FontPath, or one of CJKFontPaths); without one the bake
	// falls back to English with the bundled Go font, and logs it.
	Lang string
	// FontPath is the label font (.ttf, .otf, or a .ttc collection);
	// default: the bundled Go font for "en", Noto Sans CJK SC for "zh".
	FontPath string
	// MarginM widens the baked area beyond the site; default 100 m.
	MarginM float64
	// Workers render tiles in parallel; default GOMAXPROCS. The archive
	// does not depend on it.
	Workers int
	Logger  *slog.Logger // default: discard
}

// ErrBakeOptions is returned (wrapped) by Bake for unusable options.
var ErrBakeOptions = errors.New("tiles: bad bake options")

// maxBakeTiles bounds one bake (a 10 km site at z14–19 is about 60,000).
const maxBakeTiles = 200_000

func (o BakeOptions) withDefaults() (BakeOptions, error) {
	o.MinZoom, o.MaxZoom = orDefault(o.MinZoom, 14), orDefault(o.MaxZoom, 19)
	o.TileSize, o.Workers = orDefault(o.TileSize, 256), orDefault(o.Workers, runtime.GOMAXPROCS(0))
	if o.Format == "" {
		o.Format = "png"
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.MarginM == 0 {
		o.MarginM = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case o.MinZoom < 0 || o.MinZoom > o.MaxZoom || o.MaxZoom > 22:
		return o, fmt.Errorf("%w: zooms %d–%d (0 ≤ min ≤ max ≤ 22)", ErrBakeOptions, o.MinZoom, o.MaxZoom)
	case o.TileSize != 256 && o.TileSize != 512:
		return o, fmt.Errorf("%w: tile size %d (256 or 512)", ErrBakeOptions, o.TileSize)
	case o.Format != "png":
		return o, fmt.Errorf("%w: format %q (png)", ErrBakeOptions, o.Format)
	case o.Lang != "en" && o.Lang != "zh":
		return o, fmt.Errorf("%w: lang %q (en or zh)", ErrBakeOptions, o.Lang)
	case !(o.MarginM > 0 && o.MarginM <= 10_000):
		return o, fmt.Errorf("%w: margin %v m (0–10 km)", ErrBakeOptions, o.MarginM)
	case o.Workers < 0:
		return o, fmt.Errorf("%w: %d workers", ErrBakeOptions, o.Workers)
	}
	return o, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// tileJob is one tile to bake.
type tileJob struct {
	z    uint8
	x, y uint32
}

// Bake renders the scene's site plan (site boundary, areas by type, roads
// and walkways at their widths, process units, buildings, gates, tanks,
// muster points, forbidden fences, and names from zoom 16) into a complete
// raster PMTiles archive: every tile of MinZoom–MaxZoom that meets the site
// grown by MarginM, as paletted PNG. The same scene and options give the
// same bytes (for a given Go release and font file).
func Bake(ctx context.Context, sc *scenes.Scene, opts BakeOptions) ([]byte, error) {
	if sc == nil {
		return nil, fmt.Errorf("%w: no scene", ErrBakeOptions)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With("component", "tiles")
	start := time.Now()
	fc, err := chooseFont(opts, log)
	if err != nil {
		return nil, err
	}
	log.Info("bake font", "font", fc.name, "lang", fc.lang)
	p, err := newPlan(sc, opts.MarginM, fc.label)
	if err != nil {
		return nil, err
	}
	jobs, labels, err := p.jobs(opts, fc)
	if err != nil {
		return nil, err
	}
	tiles, err := renderAll(ctx, p, jobs, labels, opts, fc)
	if err != nil {
		return nil, err
	}
	out, err := writeArchive(tiles, p.spec(sc, opts, fc))
	if err != nil {
		return nil, err
	}
	log.Info("baked", "site", sc.Site.ID, "zooms", fmt.Sprintf("%d-%d", opts.MinZoom, opts.MaxZoom),
		"tiles", len(tiles), "bytes", len(out), "elapsed", time.Since(start).Round(time.Millisecond))
	return out, nil
}

// jobs lists the tiles to bake, zoom by zoom, and places the labels of
// each zoom.
func (p *plan) jobs(opts BakeOptions, fc fontChoice) ([]tileJob, map[uint8][]placed, error) {
	var jobs []tileJob
	labels := map[uint8][]placed{}
	fs := newFaces(fc.font)
	for z := uint8(opts.MinZoom); z <= uint8(opts.MaxZoom); z++ {
		r := rangeAt(p.bound, z)
		if len(jobs)+r.count() > maxBakeTiles {
			return nil, nil, fmt.Errorf("%w: more than %d tiles; lower MaxZoom", ErrBakeOptions, maxBakeTiles)
		}
		for y := r.MinY; y <= r.MaxY; y++ {
			for x := r.MinX; x <= r.MaxX; x++ {
				jobs = append(jobs, tileJob{z, x, y})
			}
		}
		labels[z] = placeLabels(p.labels, z, opts.TileSize, fs)
	}
	return jobs, labels, nil
}

// renderAll renders the jobs on opts.Workers goroutines, each with its own
// canvas; the result is in job order whatever the scheduling.
func renderAll(ctx context.Context, p *plan, jobs []tileJob, labels map[uint8][]placed, opts BakeOptions, fc fontChoice) ([]tileData, error) {
	out := make([]tileData, len(jobs))
	var next atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	for range min(opts.Workers, len(jobs)) {
		g.Go(func() error {
			c := newCanvas(opts.TileSize, newFaces(fc.font))
			for i := next.Add(1) - 1; i < int64(len(jobs)); i = next.Add(1) - 1 {
				if err := ctx.Err(); err != nil {
					return err
				}
				j := jobs[i]
				data, err := c.render(p, labels[j.z], j.z, j.x, j.y)
				if err != nil {
					return fmt.Errorf("tiles: tile %d/%d/%d: %w", j.z, j.x, j.y, err)
				}
				out[i] = tileData{Z: j.z, X: j.x, Y: j.y, Data: data}
			}
			return nil
		})
	}
	return out, g.Wait()
}

// spec is the archive's header fields and metadata.
func (p *plan) spec(sc *scenes.Scene, opts BakeOptions, fc fontChoice) archiveSpec {
	name := sc.Site.NameEn
	if fc.lang == "zh" || name == "" {
		name = sc.Site.Name
	}
	c := p.bound.Center()
	return archiveSpec{
		TileType: pmtiles.Png, TileCompression: pmtiles.NoCompression,
		MinLon: p.bound.Min[0], MinLat: p.bound.Min[1], MaxLon: p.bound.Max[0], MaxLat: p.bound.Max[1],
		CenterLon: c[0], CenterLat: c[1], CenterZoom: 16,
		Metadata: map[string]any{
			"name":        name,
			"description": "Site plan of " + name + " (" + sc.Site.ID + "), baked by chemtwin tiles bake",
			"attribution": "chemtwin",
			"type":        "baselayer",
			"format":      opts.Format,
			"version":     "1",
			"chemtwin": map[string]any{
				"site": sc.Site.ID, "lang": fc.lang, "font": fc.name, "tile_size": opts.TileSize, "margin_m": opts.MarginM,
			},
		},
	}
}
