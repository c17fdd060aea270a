package tiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// InspectFile opens and checks an archive file (Inspect).
func InspectFile(path string) (*Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tiles: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tiles: %w", err)
	}
	info, err := Inspect(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// Format is the tile format: png, jpg, webp, avif, mvt or mlt.
func (in *Info) Format() string { return tileExt(in.Header.TileType) }

// Describe writes the archive's header, its tile counts per zoom and its
// metadata for people (`chemtwin tiles show`).
func (in *Info) Describe(w io.Writer) error {
	h := in.Header
	var b bytes.Buffer
	fmt.Fprintf(&b, "pmtiles spec version: %d\n", h.SpecVersion)
	fmt.Fprintf(&b, "tile type: %s, tile compression: %s, internal compression: %s, clustered: %t\n",
		in.Format(), compressionName(h.TileCompression), compressionName(h.InternalCompression), h.Clustered)
	fmt.Fprintf(&b, "zooms: %d-%d\n", h.MinZoom, h.MaxZoom)
	fmt.Fprintf(&b, "bounds: %.7f,%.7f,%.7f,%.7f\n", deg(h.MinLonE7), deg(h.MinLatE7), deg(h.MaxLonE7), deg(h.MaxLatE7))
	fmt.Fprintf(&b, "center: %.7f,%.7f z%d\n", deg(h.CenterLonE7), deg(h.CenterLatE7), h.CenterZoom)
	fmt.Fprintf(&b, "header counts: %d addressed tiles, %d tile entries, %d tile contents\n",
		h.AddressedTilesCount, h.TileEntriesCount, h.TileContentsCount)
	fmt.Fprintf(&b, "directories: %d addressed tiles, %d tile entries, %d tile contents, %d leaf directories\n",
		in.Tiles(), in.Entries, in.Contents, in.Leaves)
	if in.Tiles() != h.AddressedTilesCount || in.Entries != h.TileEntriesCount || in.Contents != h.TileContentsCount {
		fmt.Fprintln(&b, "warning: the header's counts differ from the directories'")
	}
	for z, n := range in.TilesPerZoom {
		if n > 0 {
			fmt.Fprintf(&b, "  z%d: %d tiles\n", z, n)
		}
	}
	var meta bytes.Buffer
	if json.Indent(&meta, in.Metadata, "", "  ") != nil {
		meta.Write(in.Metadata)
	}
	fmt.Fprintf(&b, "metadata: %s\n", meta.Bytes())
	_, err := w.Write(b.Bytes())
	return err
}

func deg(e7 int32) float64 { return float64(e7) / 1e7 }

func compressionName(c pmtiles.Compression) string {
	switch c {
	case pmtiles.NoCompression:
		return "none"
	case pmtiles.Gzip:
		return "gzip"
	case pmtiles.Brotli:
		return "br"
	case pmtiles.Zstd:
		return "zstd"
	}
	return "unknown"
}
