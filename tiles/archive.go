package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// ErrArchive is returned (wrapped) for a file that is not a usable PMTiles
// version 3 archive.
var ErrArchive = errors.New("tiles: not a usable pmtiles archive")

// Limits on what Inspect accepts. go-pmtiles decodes directories without
// checking them (a corrupt one makes it panic or allocate without bound), so
// every archive is checked here before it is served.
const (
	// rootLimit: the header and the root directory lie in the first 16 KiB
	// (PMTiles v3 specification, "Root Directory").
	rootLimit = 16384
	// maxZoom: Hilbert tile ids of zoom 31 and above overflow go-pmtiles'
	// arithmetic.
	maxZoom = 30
	// maxDepth is how many leaf levels below the root go-pmtiles follows.
	maxDepth     = 3
	maxDirBytes  = 64 << 20 // one decompressed directory
	maxMetaBytes = 16 << 20 // decompressed JSON metadata
)

// Info describes an archive: its header, its metadata and what its
// directories address, as counted by walking them.
type Info struct {
	Header pmtiles.HeaderV3
	// Metadata is the archive's JSON metadata, decompressed ("{}" when
	// empty).
	Metadata json.RawMessage
	// TilesPerZoom[z] is the number of tiles addressed at zoom z.
	TilesPerZoom [maxZoom + 1]uint64
	// Entries are tile entries (runs count once), Contents distinct tile
	// contents (offsets), Leaves leaf directories.
	Entries, Contents uint64
	Leaves            int
}

// Tiles is the number of addressed tiles.
func (in *Info) Tiles() uint64 {
	var n uint64
	for _, c := range in.TilesPerZoom {
		n += c
	}
	return n
}

// Inspect checks that r (size bytes) is a PMTiles v3 archive that can be
// served safely: a sound header, sections inside the file, a root directory
// in the first 16 KiB, decodable directories whose entries point inside the
// tile data, and JSON metadata. It reads every directory.
func Inspect(r io.ReaderAt, size int64) (*Info, error) {
	if size < pmtiles.HeaderV3LenBytes {
		return nil, fmt.Errorf("%w: %d bytes is shorter than a header", ErrArchive, size)
	}
	head, err := readSection(r, 0, uint64(min(size, rootLimit)))
	if err != nil {
		return nil, err
	}
	h, err := pmtiles.DeserializeHeader(head[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArchive, err)
	}
	if err := checkHeader(h, uint64(size)); err != nil {
		return nil, err
	}
	in := &Info{Header: h}
	if in.Metadata, err = readMetadata(r, h); err != nil {
		return nil, err
	}
	w := walker{r: r, h: h, in: in, leaves: map[uint64]bool{}, contents: map[uint64]bool{}}
	if err := w.dir(head[h.RootOffset:h.RootOffset+h.RootLength], 0); err != nil {
		return nil, err
	}
	in.Contents = uint64(len(w.contents))
	return in, nil
}

// checkHeader checks the header's fields and sections against the file size.
func checkHeader(h pmtiles.HeaderV3, size uint64) error {
	switch {
	case h.SpecVersion != 3:
		return fmt.Errorf("%w: spec version %d (only version 3 is served)", ErrArchive, h.SpecVersion)
	case h.InternalCompression != pmtiles.NoCompression && h.InternalCompression != pmtiles.Gzip:
		return fmt.Errorf("%w: internal compression %d (none or gzip are read)", ErrArchive, h.InternalCompression)
	case tileExt(h.TileType) == "":
		return fmt.Errorf("%w: unknown tile type %d", ErrArchive, h.TileType)
	case h.MinZoom > h.MaxZoom || h.MaxZoom > maxZoom:
		return fmt.Errorf("%w: zoom range %d–%d", ErrArchive, h.MinZoom, h.MaxZoom)
	case h.RootOffset < pmtiles.HeaderV3LenBytes || h.RootLength == 0 || !inside(h.RootOffset, h.RootLength, min(size, rootLimit)):
		return fmt.Errorf("%w: root directory at %d+%d is not within the first %d bytes", ErrArchive, h.RootOffset, h.RootLength, rootLimit)
	}
	for _, s := range []struct {
		name        string
		off, length uint64
	}{
		{"metadata", h.MetadataOffset, h.MetadataLength},
		{"leaf directories", h.LeafDirectoryOffset, h.LeafDirectoryLength},
		{"tile data", h.TileDataOffset, h.TileDataLength},
	} {
		if !inside(s.off, s.length, size) {
			return fmt.Errorf("%w: %s at %d+%d beyond the end of the file (%d bytes)", ErrArchive, s.name, s.off, s.length, size)
		}
	}
	return nil
}

// inside reports whether off+length lies within size bytes, without
// overflowing.
func inside(off, length, size uint64) bool {
	return off <= size && length <= size-off
}

// readSection reads length bytes at off.
func readSection(r io.ReaderAt, off, length uint64) ([]byte, error) {
	if off > math.MaxInt64 || length > math.MaxInt32 {
		return nil, fmt.Errorf("%w: section %d+%d too large", ErrArchive, off, length)
	}
	b := make([]byte, length)
	n, err := r.ReadAt(b, int64(off))
	if n == len(b) {
		return b, nil
	}
	return nil, fmt.Errorf("tiles: read %d bytes at %d: %w", length, off, err)
}

// decompress undoes the archive's internal compression, refusing more than
// limit bytes of output.
func decompress(b []byte, c pmtiles.Compression, limit int64) ([]byte, error) {
	if c == pmtiles.NoCompression {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArchive, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArchive, err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: section decompresses to more than %d bytes", ErrArchive, limit)
	}
	return out, nil
}

// readMetadata reads and decompresses the JSON metadata.
func readMetadata(r io.ReaderAt, h pmtiles.HeaderV3) (json.RawMessage, error) {
	if h.MetadataLength == 0 {
		return json.RawMessage("{}"), nil
	}
	b, err := readSection(r, h.MetadataOffset, h.MetadataLength)
	if err != nil {
		return nil, err
	}
	if b, err = decompress(b, h.InternalCompression, maxMetaBytes); err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("%w: metadata is not a JSON object: %v", ErrArchive, err)
	}
	return json.RawMessage(b), nil
}
