package tiles

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// tileData is one tile to write: its zoom/x/y and its (encoded) bytes.
type tileData struct {
	Z    uint8
	X, Y uint32
	Data []byte
}

// archiveSpec is what the writer needs besides the tiles: the header fields
// a generator fills in (type, compression, bounds, centre) and the metadata.
type archiveSpec struct {
	TileType        pmtiles.TileType
	TileCompression pmtiles.Compression
	// Bounds and centre, [lon, lat] degrees; CenterZoom within the zooms of
	// the tiles.
	MinLon, MinLat, MaxLon, MaxLat float64
	CenterLon, CenterLat           float64
	CenterZoom                     uint8
	Metadata                       map[string]any
}

var errNoTiles = errors.New("tiles: an archive needs at least one tile")

// writeArchive assembles a clustered PMTiles v3 archive: header, root
// directory, metadata, leaf directories, tile data. Tiles are laid out in
// tile id order; identical tiles are stored once (by SHA-256) and
// consecutive ids with the same content share one run-length entry.
// Directories and metadata are gzip'd (the specification's recommended
// internal compression); go-pmtiles builds the directories and serialises
// the header.
func writeArchive(tiles []tileData, spec archiveSpec) ([]byte, error) {
	if len(tiles) == 0 {
		return nil, errNoTiles
	}
	type idTile struct {
		id   uint64
		data []byte
	}
	byID := make([]idTile, len(tiles))
	for i, t := range tiles {
		if t.Z > maxZoom || uint64(t.X)>>t.Z != 0 || uint64(t.Y)>>t.Z != 0 || len(t.Data) == 0 {
			return nil, fmt.Errorf("tiles: cannot write tile %d/%d/%d of %d bytes", t.Z, t.X, t.Y, len(t.Data))
		}
		byID[i] = idTile{pmtiles.ZxyToID(t.Z, t.X, t.Y), t.Data}
	}
	slices.SortFunc(byID, func(a, b idTile) int { return cmp.Compare(a.id, b.id) })

	var data bytes.Buffer
	var entries []pmtiles.EntryV3
	offsets := map[[32]byte]uint64{}
	for i, t := range byID {
		if i > 0 && t.id == byID[i-1].id {
			return nil, fmt.Errorf("tiles: tile id %d written twice", t.id)
		}
		sum := sha256.Sum256(t.data)
		off, seen := offsets[sum]
		if !seen {
			off = uint64(data.Len())
			offsets[sum] = off
			data.Write(t.data)
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == off && last.TileID+uint64(last.RunLength) == t.id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, pmtiles.EntryV3{TileID: t.id, Offset: off, Length: uint32(len(t.data)), RunLength: 1})
	}

	root, leaves, _ := pmtiles.BuildDirectories(entries, rootLimit-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	meta, err := pmtiles.SerializeMetadata(spec.Metadata, pmtiles.Gzip)
	if err != nil {
		return nil, fmt.Errorf("tiles: metadata: %w", err)
	}
	h := header(spec, byID[0].id, byID[len(byID)-1].id)
	h.AddressedTilesCount = uint64(len(byID))
	h.TileEntriesCount = uint64(len(entries))
	h.TileContentsCount = uint64(len(offsets))
	h.RootOffset = pmtiles.HeaderV3LenBytes
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = uint64(data.Len())

	out := make([]byte, 0, h.TileDataOffset+h.TileDataLength)
	out = append(out, pmtiles.SerializeHeader(h)...)
	out = append(out, root...)
	out = append(out, meta...)
	out = append(out, leaves...)
	return append(out, data.Bytes()...), nil
}

// header fills in the header fields that do not depend on the layout.
func header(spec archiveSpec, firstID, lastID uint64) pmtiles.HeaderV3 {
	minZ, _, _ := pmtiles.IDToZxy(firstID)
	maxZ, _, _ := pmtiles.IDToZxy(lastID)
	return pmtiles.HeaderV3{
		SpecVersion:         3,
		Clustered:           true,
		InternalCompression: pmtiles.Gzip,
		TileCompression:     spec.TileCompression,
		TileType:            spec.TileType,
		MinZoom:             minZ,
		MaxZoom:             maxZ,
		MinLonE7:            e7(spec.MinLon),
		MinLatE7:            e7(spec.MinLat),
		MaxLonE7:            e7(spec.MaxLon),
		MaxLatE7:            e7(spec.MaxLat),
		CenterZoom:          min(max(spec.CenterZoom, minZ), maxZ),
		CenterLonE7:         e7(spec.CenterLon),
		CenterLatE7:         e7(spec.CenterLat),
	}
}

// e7 is a degree value in the header's 1e-7 degree units.
func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }
