// Package cesium serves the 3D one-map viewer (一张图): our app (index.html,
// js/, css/, i18n/), the inspector's phone page (m/, W7) and the CesiumJS,
// Leaflet and jsQR builds vendored from npm into vendor/ by `make web`. Everything ships in the binary through embed.FS; a
// development folder on disk can replace it so that edits show on reload
// without a rebuild.
package cesium

import (
	"embed"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

//go:embed index.html js css i18n m all:vendor
var assets embed.FS

// Handler serves the viewer: from dir when it is set (development), else
// from the copy embedded in the binary. Our own files are revalidated on
// every load; the vendored Cesium build is immutable per version and may be
// cached for a day.
func Handler(dir string) http.Handler {
	var fsys fs.FS = assets
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=86400")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// Bundled reports whether the CesiumJS build is embedded (false on a
// checkout where `make web` has not run: the page then says so).
func Bundled() bool {
	_, err := fs.Stat(assets, "vendor/cesium/Cesium.js")
	return err == nil
}
