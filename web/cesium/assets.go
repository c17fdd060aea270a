// Package cesium serves the 3D one-map viewer (一张图). The assets ship in
// the binary through embed.FS; a development folder on disk can replace them
// so that edits show on reload without a rebuild.
package cesium

import (
	"embed"
	"io/fs"
	"net/http"
	"os"
)

//go:embed index.html app.js
var assets embed.FS

// Handler serves the viewer: from dir when it is set (development), else
// from the copy embedded in the binary.
func Handler(dir string) http.Handler {
	var fsys fs.FS = assets
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
