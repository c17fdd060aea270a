package geo

import "math"

// WGS84 ellipsoid (NIMA TR8350.2).
const (
	WGS84A  = 6378137.0             // semi-major axis, metres
	WGS84F  = 1 / 298.257223563     // flattening
	wgs84E2 = WGS84F * (2 - WGS84F) // first eccentricity squared
	wgs84B  = WGS84A * (1 - WGS84F) // semi-minor axis, metres
)

const deg = math.Pi / 180

// ECEF is an earth-centred, earth-fixed position in metres: X through
// (lat 0, lon 0), Y through (lat 0, lon 90°E), Z through the north pole.
type ECEF [3]float64

// ToECEF converts geodetic lon/lat in degrees and h in metres above the
// ellipsoid to ECEF.
func ToECEF(lon, lat, h float64) ECEF {
	sinLat, cosLat := math.Sincos(lat * deg)
	sinLon, cosLon := math.Sincos(lon * deg)
	n := WGS84A / math.Sqrt(1-wgs84E2*sinLat*sinLat) // prime vertical radius
	return ECEF{
		(n + h) * cosLat * cosLon,
		(n + h) * cosLat * sinLon,
		(n*(1-wgs84E2) + h) * sinLat,
	}
}

// FromECEF converts ECEF metres to geodetic lon/lat in degrees and h in metres.
// It uses Bowring's initial value with two Newton refinements, which is exact
// to well under a millimetre for any point near the earth's surface.
func FromECEF(e ECEF) (lon, lat, h float64) {
	x, y, z := e[0], e[1], e[2]
	p := math.Hypot(x, y)
	lon = math.Atan2(y, x)
	if p < 1e-9 { // on the polar axis
		lat = math.Copysign(math.Pi/2, z)
		return lon / deg, lat / deg, math.Abs(z) - wgs84B
	}
	ep2 := (WGS84A*WGS84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
	theta := math.Atan2(z*WGS84A, p*wgs84B)
	st, ct := math.Sincos(theta)
	phi := math.Atan2(z+ep2*wgs84B*st*st*st, p-wgs84E2*WGS84A*ct*ct*ct)
	for i := 0; i < 2; i++ {
		sinPhi := math.Sin(phi)
		n := WGS84A / math.Sqrt(1-wgs84E2*sinPhi*sinPhi)
		h = p/math.Cos(phi) - n
		phi = math.Atan2(z, p*(1-wgs84E2*n/(n+h)))
	}
	sinPhi, cosPhi := math.Sincos(phi)
	n := WGS84A / math.Sqrt(1-wgs84E2*sinPhi*sinPhi)
	if math.Abs(cosPhi) > 1e-3 {
		h = p/cosPhi - n
	} else {
		h = z/sinPhi - n*(1-wgs84E2)
	}
	return lon / deg, phi / deg, h
}

// MetresPerDegree returns the length in metres of one degree of longitude and
// of latitude at latitude lat (degrees), from the ellipsoid's radii of
// curvature. Over a plant (a few km) the error of this local scale is far below
// positioning accuracy.
func MetresPerDegree(lat float64) (lonM, latM float64) {
	s, c := math.Sincos(lat * deg)
	w := 1 - wgs84E2*s*s
	n := WGS84A / math.Sqrt(w)                       // prime vertical
	m := WGS84A * (1 - wgs84E2) / (w * math.Sqrt(w)) // meridian
	return n * c * deg, m * deg
}
