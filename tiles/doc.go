// Package tiles serves the plant's PMTiles basemaps and bakes them.
//
// Serving: a Server holds the archives of a folder (data/tiles/NAME.pmtiles)
// and embedded ones (the demo plant's, Demo), and answers, below its mount
// point (the API mounts it at /tiles/):
//
//	GET /                          {"archives":[{name, tilejson, format, minzoom, maxzoom, bounds}]}
//	GET /{name}.json               TileJSON 3.0.0; tile URLs under Options.PublicURL or the request's host
//	GET /{name}/{z}/{x}/{y}.{ext}  a tile: 200 with its content type (image/png, image/jpeg,
//	                               image/webp, application/x-protobuf for .mvt/.pbf), ETag and
//	                               Cache-Control; 304 for a matching If-None-Match; 204 for a tile
//	                               the archive does not hold; 404 outside its zooms or for an
//	                               unknown archive; 400 for a bad address or extension
//
// Tiles are looked up by github.com/protomaps/go-pmtiles' server over a
// read-only in-process bucket. Every archive is checked first (Inspect):
// go-pmtiles trusts the directories it reads, and a corrupt one would crash
// its goroutine, so a bad file in the folder is logged and skipped. Requests
// are counted in chemtwin_tiles_requests_total{archive,code}. A Server is
// safe for concurrent use.
//
// Baking: Bake renders a scene's site plan (site boundary, areas coloured by
// area_type, roads and walkways at their width_m, process units, buildings,
// gates, tanks at radius_m, muster points, forbidden fences dashed, and
// names from zoom 16) with golang.org/x/image/vector into a raster archive
// of paletted PNG tiles, z14–z19 by default, written by this package's own
// clustered, deduplicated, run-length-encoded PMTiles v3 writer. Labels are
// English in the bundled Go font, or Chinese with a Noto Sans CJK font found
// on the system (BakeOptions.Lang, FontPath). The same scene and options give
// the same bytes; the committed demo.pmtiles is tested against a fresh bake.
// `chemtwin tiles bake` and `chemtwin tiles show` are the command-line face.
package tiles
