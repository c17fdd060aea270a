package tiles

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The server's routes, below its mount point:
//
//	/                       index of the archives (JSON)
//	/{name}.json            TileJSON 3.0.0 of one archive
//	/{name}/{z}/{x}/{y}.{ext}  one tile
//
// Names are 1–64 letters, digits, '_' or '-' (the file name of
// data/tiles/NAME.pmtiles); z is 0–30 and x, y are below 2^z, in plain
// decimal without signs or leading zeros.

// Errors of parsePath: errNoRoute is answered 404, errBadTile 400.
var (
	errNoRoute = errors.New("tiles: no such path")
	errBadTile = errors.New("tiles: bad tile address")
)

type route int

const (
	routeIndex route = iota
	routeTileJSON
	routeTile
)

// request is a parsed path.
type request struct {
	route route
	name  string
	z     uint8
	x, y  uint32
	ext   string // as written, lower case letters
}

// String formats r back into its path.
func (r request) String() string {
	switch r.route {
	case routeTileJSON:
		return "/" + r.name + ".json"
	case routeTile:
		return fmt.Sprintf("/%s/%d/%d/%d.%s", r.name, r.z, r.x, r.y, r.ext)
	}
	return "/"
}

// parsePath parses a request path (already stripped of the mount point).
func parsePath(p string) (request, error) {
	if p == "/" || p == "" {
		return request{route: routeIndex}, nil
	}
	rest, ok := strings.CutPrefix(p, "/")
	if !ok || len(rest) > 256 {
		return request{}, errNoRoute
	}
	parts := strings.Split(rest, "/")
	switch len(parts) {
	case 1:
		name, ok := strings.CutSuffix(rest, ".json")
		if !ok || !validName(name) {
			return request{}, errNoRoute
		}
		return request{route: routeTileJSON, name: name}, nil
	case 4:
		return parseTile(parts)
	}
	return request{}, errNoRoute
}

// parseTile parses name, z, x and "y.ext".
func parseTile(parts []string) (request, error) {
	if !validName(parts[0]) {
		return request{}, errNoRoute
	}
	yPart, ext, ok := strings.Cut(parts[3], ".")
	if !ok || !validExt(ext) {
		return request{}, errNoRoute
	}
	z, errZ := decimal(parts[1], maxZoom)
	if errZ != nil {
		return request{}, fmt.Errorf("%w: zoom %q is not 0–%d", errBadTile, parts[1], maxZoom)
	}
	limit := uint64(1)<<z - 1
	x, errX := decimal(parts[2], limit)
	y, errY := decimal(yPart, limit)
	if errX != nil || errY != nil {
		return request{}, fmt.Errorf("%w: x and y of zoom %d are 0–%d", errBadTile, z, limit)
	}
	return request{route: routeTile, name: parts[0], z: uint8(z), x: uint32(x), y: uint32(y), ext: ext}, nil
}

// decimal parses a plain decimal number no larger than limit.
func decimal(s string, limit uint64) (uint64, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, errBadTile
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errBadTile
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > limit {
		return 0, errBadTile
	}
	return v, nil
}

// validName reports whether s can name an archive.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validExt reports whether s looks like a tile extension: 1–5 lower-case
// letters.
func validExt(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
