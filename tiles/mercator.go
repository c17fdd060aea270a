package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// Web Mercator (EPSG:3857) on the unit square: x runs east from 0 at 180°W to
// 1 at 180°E, y runs south from 0 at 85.05°N to 1 at 85.05°S. At zoom z the
// world is 2^z tiles of TileSize pixels across (the XYZ / slippy-map scheme
// that PMTiles, TileJSON and CesiumJS's WebMercatorTilingScheme share).

// maxMercatorLat is the latitude at which Web Mercator's square ends,
// atan(sinh(π)) in degrees.
const maxMercatorLat = 85.05112877980659

// earthRadiusM is the sphere radius of EPSG:3857 (the WGS84 semi-major axis).
const earthRadiusM = 6378137.0

// mercator projects [lon, lat] degrees onto the unit square.
func mercator(p orb.Point) orb.Point {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return orb.Point{(p[0] + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)}
}

// unmercator is the inverse of mercator.
func unmercator(p orb.Point) orb.Point {
	lat := math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi
	return orb.Point{p[0]*360 - 180, lat}
}

// tileRange is the inclusive range of tiles at one zoom.
type tileRange struct {
	Z          uint8
	MinX, MinY uint32
	MaxX, MaxY uint32
}

// count is the number of tiles in the range.
func (r tileRange) count() int {
	return int(r.MaxX-r.MinX+1) * int(r.MaxY-r.MinY+1)
}

// rangeAt returns the tiles at zoom z that a lon/lat bound touches.
func rangeAt(b orb.Bound, z uint8) tileRange {
	n := float64(uint64(1) << z)
	lo, hi := mercator(orb.Point{b.Min[0], b.Max[1]}), mercator(orb.Point{b.Max[0], b.Min[1]})
	clampTile := func(v float64) uint32 {
		return uint32(math.Max(0, math.Min(n-1, math.Floor(v*n))))
	}
	return tileRange{Z: z, MinX: clampTile(lo[0]), MinY: clampTile(lo[1]), MaxX: clampTile(hi[0]), MaxY: clampTile(hi[1])}
}

// pixelsPerMetre is the scale of zoom z at latitude lat for tiles of size
// pixels: Web Mercator stretches distances by 1/cos(lat).
func pixelsPerMetre(z uint8, size int, lat float64) float64 {
	world := float64(size) * float64(uint64(1)<<z)
	return world / (2 * math.Pi * earthRadiusM * math.Cos(lat*math.Pi/180))
}
