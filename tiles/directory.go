package tiles

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// maxTileID is the first tile id of zoom maxZoom+1: every id below it is
// a tile of zoom 0–30.
var maxTileID = zoomStart(maxZoom + 1)

// zoomStart is the Hilbert id of the first tile of zoom z: (4^z − 1) / 3.
func zoomStart(z uint8) uint64 { return (uint64(1)<<(2*uint64(z)) - 1) / 3 }

// walker walks an archive's directories, checking each entry and counting
// the tiles they address.
type walker struct {
	r interface {
		ReadAt([]byte, int64) (int, error)
	}
	h        pmtiles.HeaderV3
	in       *Info
	leaves   map[uint64]bool // leaf offsets seen: each is referenced once
	contents map[uint64]bool // tile data offsets seen
}

// dir checks one (compressed) directory and, below maxDepth, its leaves.
func (w *walker) dir(b []byte, depth int) error {
	entries, err := decodeDirectory(b, w.h.InternalCompression)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.RunLength > 0 {
			if err := w.tile(e); err != nil {
				return err
			}
			continue
		}
		if err := w.leaf(e, depth); err != nil {
			return err
		}
	}
	return nil
}

// tile checks a tile entry and counts the tiles its run addresses.
func (w *walker) tile(e pmtiles.EntryV3) error {
	end := e.TileID + uint64(e.RunLength)
	if e.Length == 0 || !inside(e.Offset, uint64(e.Length), w.h.TileDataLength) || end > maxTileID {
		return fmt.Errorf("%w: tile entry %+v outside the tile data or zoom %d", ErrArchive, e, maxZoom)
	}
	w.in.Entries++
	w.contents[e.Offset] = true
	for z := uint8(0); z <= maxZoom; z++ {
		lo, hi := max(e.TileID, zoomStart(z)), min(end, zoomStart(z+1))
		if lo < hi {
			w.in.TilesPerZoom[z] += hi - lo
		}
	}
	return nil
}

// leaf checks a leaf directory entry and walks the leaf.
func (w *walker) leaf(e pmtiles.EntryV3, depth int) error {
	switch {
	case depth >= maxDepth:
		return fmt.Errorf("%w: leaf directories nested deeper than %d", ErrArchive, maxDepth)
	case e.Length == 0 || !inside(e.Offset, uint64(e.Length), w.h.LeafDirectoryLength):
		return fmt.Errorf("%w: leaf entry %+v outside the leaf directories", ErrArchive, e)
	case w.leaves[e.Offset]:
		return fmt.Errorf("%w: leaf directory at %d referenced twice", ErrArchive, e.Offset)
	}
	w.leaves[e.Offset] = true
	w.in.Leaves++
	b, err := readSection(w.r, w.h.LeafDirectoryOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return err
	}
	return w.dir(b, depth+1)
}

// decodeDirectory decodes a serialised directory (PMTiles v3 "Directories":
// entry count, then tile id deltas, run lengths, lengths and offsets as
// varints) as pmtiles.DeserializeEntries does, but checks every field so that
// a directory it accepts is one go-pmtiles decodes the same way.
func decodeDirectory(b []byte, c pmtiles.Compression) ([]pmtiles.EntryV3, error) {
	raw, err := decompress(b, c, maxDirBytes)
	if err != nil {
		return nil, err
	}
	rd := bytes.NewReader(raw)
	n, err := binary.ReadUvarint(rd)
	// Every entry takes at least four bytes (one per varint).
	if err != nil || n > uint64(rd.Len())/4 {
		return nil, fmt.Errorf("%w: directory of %d bytes cannot hold its entry count", ErrArchive, len(raw))
	}
	entries := make([]pmtiles.EntryV3, n)
	var id uint64
	for i := range entries {
		d, err := binary.ReadUvarint(rd)
		if err != nil || (i > 0 && d == 0) || d > math.MaxUint64-id {
			return nil, fmt.Errorf("%w: directory tile ids not increasing", ErrArchive)
		}
		id += d
		entries[i].TileID = id
	}
	if err := readField(rd, entries, func(e *pmtiles.EntryV3, v uint32) { e.RunLength = v }); err != nil {
		return nil, err
	}
	if err := readField(rd, entries, func(e *pmtiles.EntryV3, v uint32) { e.Length = v }); err != nil {
		return nil, err
	}
	for i := range entries {
		v, err := binary.ReadUvarint(rd)
		switch {
		case err != nil || (i == 0 && v == 0):
			return nil, fmt.Errorf("%w: bad directory offset", ErrArchive)
		case v == 0:
			entries[i].Offset = entries[i-1].Offset + uint64(entries[i-1].Length)
		default:
			entries[i].Offset = v - 1
		}
	}
	return entries, nil
}

// readField reads one 32-bit varint column of a directory.
func readField(rd *bytes.Reader, entries []pmtiles.EntryV3, set func(*pmtiles.EntryV3, uint32)) error {
	for i := range entries {
		v, err := binary.ReadUvarint(rd)
		if err != nil || v > math.MaxUint32 {
			return fmt.Errorf("%w: bad directory entry", ErrArchive)
		}
		set(&entries[i], uint32(v))
	}
	return nil
}

// tileExt is the file extension of a tile type, as go-pmtiles' server
// expects it in tile paths ("" for unknown types).
func tileExt(t pmtiles.TileType) string {
	switch t {
	case pmtiles.Mvt:
		return "mvt"
	case pmtiles.Png:
		return "png"
	case pmtiles.Jpeg:
		return "jpg"
	case pmtiles.Webp:
		return "webp"
	case pmtiles.Avif:
		return "avif"
	case pmtiles.Mlt:
		return "mlt"
	}
	return ""
}

// extAliases are other extensions clients use for a tile type.
var extAliases = map[string]string{"pbf": "mvt", "jpeg": "jpg"}
