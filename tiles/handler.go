package tiles

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

type metrics struct {
	requests *prometheus.CounterVec // archive, code
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chemtwin_tiles_requests_total",
		Help: `Tile, TileJSON and index requests by archive ("" for none or an unknown one) and HTTP status code.`,
	}, []string{"archive", "code"})}
	if reg != nil {
		if err := reg.Register(m.requests); err != nil {
			return nil, fmt.Errorf("tiles: metrics: %w", err)
		}
	}
	return m, nil
}

// ServeHTTP answers GET and HEAD for the index, TileJSON and tiles.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code, name := s.serve(w, r)
	s.metrics.requests.WithLabelValues(name, strconv.Itoa(code)).Inc()
}

// serve answers one request and returns its status and archive name (only
// names of served archives, so the metric's labels stay bounded).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (int, string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return fail(w, r, http.StatusMethodNotAllowed, "method not allowed"), ""
	}
	req, err := parsePath(r.URL.Path)
	if err != nil {
		code := http.StatusNotFound
		if errors.Is(err, errBadTile) {
			code = http.StatusBadRequest
		}
		return fail(w, r, code, err.Error()), ""
	}
	if req.route == routeIndex {
		return s.index(w, r), ""
	}
	a := s.archives[req.name]
	if a == nil {
		return fail(w, r, http.StatusNotFound, "tiles: no archive "+req.name), ""
	}
	if req.route == routeTileJSON {
		return s.tileJSON(w, r, a), a.name
	}
	return s.tile(w, r, a, req), a.name
}

// tile answers one tile through go-pmtiles: 200 with the tile, 204 for a
// tile the archive does not hold, 404 outside its zoom range.
func (s *Server) tile(w http.ResponseWriter, r *http.Request, a *archive, req request) int {
	ext := tileExt(a.info.Header.TileType)
	if alias, ok := extAliases[req.ext]; ok {
		req.ext = alias
	}
	if req.ext != ext {
		return fail(w, r, http.StatusBadRequest, fmt.Sprintf("tiles: archive %s holds .%s tiles", a.name, ext))
	}
	if err := a.src.check(); err != nil {
		if !a.warned.Swap(true) {
			s.log.Warn("archive unreadable", "archive", a.name, "err", err)
		}
		return fail(w, r, http.StatusServiceUnavailable, "tiles: archive "+a.name+" changed on disk; restart the service to serve the new file")
	}
	code, headers, body := s.pm.Get(r.Context(), req.String())
	switch code {
	case http.StatusOK:
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Cache-Control", s.tileCache)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		return respond(w, r, headers["ETag"], body)
	case http.StatusNoContent:
		w.Header().Set("Cache-Control", s.tileCache)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(code)
		return code
	}
	return fail(w, r, code, "tiles: "+strings.ToLower(string(body)))
}

// tileJSON answers the archive's TileJSON 3.0.0, its tile URL under the
// public URL or the request's own.
func (s *Server) tileJSON(w http.ResponseWriter, r *http.Request, a *archive) int {
	body, err := pmtiles.CreateTileJSON(a.info.Header, a.info.Metadata, s.base(r)+"/"+a.name)
	if err != nil {
		s.log.Error("tilejson failed", "archive", a.name, "err", err)
		return fail(w, r, http.StatusInternalServerError, "tiles: cannot make TileJSON")
	}
	return s.writeJSON(w, r, body)
}

// indexEntry is one archive in the index.
type indexEntry struct {
	Name     string    `json:"name"`
	TileJSON string    `json:"tilejson"`
	Format   string    `json:"format"`
	MinZoom  uint8     `json:"minzoom"`
	MaxZoom  uint8     `json:"maxzoom"`
	Bounds   []float64 `json:"bounds"`
}

// index lists the archives with their TileJSON URLs.
func (s *Server) index(w http.ResponseWriter, r *http.Request) int {
	list := []indexEntry{}
	base := s.base(r)
	for _, name := range s.Names() {
		h := s.archives[name].info.Header
		list = append(list, indexEntry{name, base + "/" + name + ".json", tileExt(h.TileType), h.MinZoom, h.MaxZoom,
			[]float64{float64(h.MinLonE7) / 1e7, float64(h.MinLatE7) / 1e7, float64(h.MaxLonE7) / 1e7, float64(h.MaxLatE7) / 1e7}})
	}
	body, _ := json.Marshal(map[string]any{"archives": list})
	return s.writeJSON(w, r, body)
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, body []byte) int {
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	return respond(w, r, `"`+hex.EncodeToString(sum[:8])+`"`, body)
}

// base is the URL the server is mounted at: PublicURL, or the request's
// scheme and host and the prefix a mounting mux stripped from the path.
func (s *Server) base(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	mount := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		mount, _ = strings.CutSuffix(u.EscapedPath(), r.URL.EscapedPath())
	}
	return scheme + "://" + r.Host + mount
}

// respond writes a 200 with body and ETag, or 304 when the request's
// If-None-Match holds the ETag; HEAD gets the headers only.
func respond(w http.ResponseWriter, r *http.Request, etag string, body []byte) int {
	w.Header().Set("ETag", etag)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		for _, k := range []string{"Content-Type", "Content-Encoding", "Content-Length"} {
			w.Header().Del(k)
		}
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return http.StatusOK
}

// etagMatch implements If-None-Match's weak comparison (RFC 9110 §13.1.2):
// "*" or any listed tag equal to etag, ignoring W/ prefixes.
func etagMatch(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	etag = strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// fail writes a plain-text error that is not cached.
func fail(w http.ResponseWriter, r *http.Request, code int, msg string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		fmt.Fprintln(w, msg)
	}
	return code
}
