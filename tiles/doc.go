// Package tiles will serve the plant's PMTiles basemaps
// (github.com/protomaps/go-pmtiles) at /tiles/{name}/{z}/{x}/{y}.{ext} with
// TileJSON, and bake the scene's site plan into a raster archive
// (`chemtwin tiles bake`). It arrives with the 3D viewer (W2); until then the
// viewer has no basemap and this package holds no code.
package tiles
