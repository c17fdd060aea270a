// Package geo converts between the three coordinate systems chemtwin uses and
// holds the small geometry helpers the domain needs on top of orb.
//
//   - WGS84 geodetic [lon, lat, h] in degrees and metres (EPSG:4326 / OGC CRS84
//     axis order, the order of every public interface; CGCS2000 coincides at
//     plant precision).
//   - ECEF (earth-centred, earth-fixed) metres, which Cesium renders in.
//   - The plant frame: local east-north-up metres about a site origin, rotated
//     so that +y is "plant north" (the grid the drawings use).
//
// The plant frame is the one conversion boundary between lon/lat on the wire and
// metres inside models (positioning, dispersion, routing). Every function here is
// pure and safe for concurrent use.
package geo
