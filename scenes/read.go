package scenes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/paulmach/orb"
)

// MaxFileBytes is the largest scene file read; bigger files are refused.
const MaxFileBytes = 64 << 20

var errTooBig = fmt.Errorf("file is over the %d MiB limit", MaxFileBytes>>20)

// readFile reads one scene file, refusing files over MaxFileBytes whether or
// not their size is known up front.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileBytes {
		return nil, errTooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, errTooBig
	}
	// Windows editors (Notepad) may start UTF-8 files with a byte-order mark.
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}

// jsonReason describes a decoding error, with the byte offset (from the start
// of the file: base is where the decoded value starts) when the decoder
// knows it.
func jsonReason(err error, base int64) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", base+syn.Offset, syn)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "value"
		}
		return fmt.Sprintf("malformed JSON at byte %d: %s: want %s, got %s", base+typ.Offset, where, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "malformed JSON: unexpected end of file"
	}
	return "malformed JSON: " + err.Error()
}

// streamReason describes an error of a json.Decoder reading data. The
// decoder's syntax-error offsets are relative to its buffer, so the offset
// is taken from a full scan of data instead.
func streamReason(data []byte, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		var raw json.RawMessage
		if full := json.Unmarshal(data, &raw); full != nil {
			return jsonReason(full, 0)
		}
	}
	return jsonReason(err, 0)
}

// decodeGeometry decodes a GeoJSON geometry object; it returns nil, nil for
// an absent or null geometry. Single-part multi-geometries, as QGIS writes
// them, become their single-part type. GeometryCollections are refused.
func decodeGeometry(raw json.RawMessage, base int64) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var doc struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, errors.New(jsonReason(err, base))
	}
	var g orb.Geometry
	switch doc.Type {
	case "Point":
		g = &orb.Point{}
	case "MultiPoint":
		g = &orb.MultiPoint{}
	case "LineString":
		g = &orb.LineString{}
	case "MultiLineString":
		g = &orb.MultiLineString{}
	case "Polygon":
		g = &orb.Polygon{}
	case "MultiPolygon":
		g = &orb.MultiPolygon{}
	default:
		return nil, fmt.Errorf("unsupported geometry type %q", clip(doc.Type))
	}
	if len(doc.Coordinates) == 0 {
		return nil, fmt.Errorf("%s without coordinates", doc.Type)
	}
	if err := json.Unmarshal(doc.Coordinates, g); err != nil {
		off := base + int64(max(0, bytes.Index(raw, doc.Coordinates)))
		return nil, errors.New(jsonReason(err, off))
	}
	return singlePart(deref(g)), nil
}

// deref returns the geometry a pointer decoded into.
func deref(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case *orb.Point:
		return *g
	case *orb.MultiPoint:
		return *g
	case *orb.LineString:
		return *g
	case *orb.MultiLineString:
		return *g
	case *orb.Polygon:
		return *g
	case *orb.MultiPolygon:
		return *g
	}
	return g
}

// singlePart turns one-part multi-geometries into their single-part type.
func singlePart(g orb.Geometry) orb.Geometry {
	switch m := g.(type) {
	case orb.MultiPoint:
		if len(m) == 1 {
			return m[0]
		}
	case orb.MultiLineString:
		if len(m) == 1 {
			return m[0]
		}
	case orb.MultiPolygon:
		if len(m) == 1 {
			return m[0]
		}
	}
	return g
}
