package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

// Options configure a Server. The zero value of each field is its default.
type Options struct {
	// Dir holds archives served by name: Dir/NAME.pmtiles is NAME. A
	// missing folder serves none; "" reads no folder.
	Dir string
	// Embedded are archives held in memory, by name (e.g. "demo": Demo());
	// empty ones are skipped. An archive in Dir of the same name replaces
	// one of these.
	Embedded map[string][]byte
	// PublicURL is the absolute URL the server is mounted at (e.g.
	// "https://plant.example/tiles"); TileJSON tile URLs start with it.
	// Default: built from each request's scheme, host and mount point.
	PublicURL string
	// MaxAge is the Cache-Control max-age of tiles; default 1 h. TileJSON
	// and the index are always revalidated (no-cache, with an ETag).
	MaxAge     time.Duration
	Logger     *slog.Logger          // default: discard
	Registerer prometheus.Registerer // default: metrics not registered
}

// ErrOptions is returned by NewServer for unusable options.
var ErrOptions = errors.New("tiles: bad options")

// cacheMB is the size of go-pmtiles' directory cache.
const cacheMB = 64

// Server serves PMTiles archives over HTTP: tiles, TileJSON and an index.
// It is an http.Handler for the paths of path.go (mount it with the mount
// point stripped) and safe for concurrent use. Tiles are looked up by
// go-pmtiles' server over an in-process bucket of the archives.
type Server struct {
	log       *slog.Logger
	pm        *pmtiles.Server
	bucket    *bucket
	archives  map[string]*archive
	publicURL string
	tileCache string // Cache-Control of tiles
	metrics   *metrics
}

// archive is one served archive.
type archive struct {
	name   string
	info   *Info
	src    *source
	warned atomic.Bool // the change on disk was logged
}

// NewServer opens the embedded archives and every NAME.pmtiles in
// opts.Dir, checks each (Inspect), and starts go-pmtiles' server over them.
// A bad embedded archive is an error; a bad file in Dir is logged and
// skipped. Close closes the archive files.
//
// go-pmtiles' server runs one directory-cache goroutine that has no way to
// stop: make one Server per process.
func NewServer(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxAge < 0 {
		return nil, fmt.Errorf("%w: negative MaxAge %v", ErrOptions, opts.MaxAge)
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = time.Hour
	}
	publicURL, err := checkPublicURL(opts.PublicURL)
	if err != nil {
		return nil, err
	}
	s := &Server{
		log:       opts.Logger.With("component", "tiles"),
		bucket:    &bucket{sources: map[string]*source{}},
		archives:  map[string]*archive{},
		publicURL: publicURL,
		tileCache: fmt.Sprintf("public, max-age=%d", int(opts.MaxAge.Seconds())),
	}
	if err := s.addEmbedded(opts.Embedded); err != nil {
		return nil, err
	}
	if err := s.addDir(ctx, opts.Dir); err != nil {
		s.bucket.Close()
		return nil, err
	}
	if s.metrics, err = newMetrics(opts.Registerer); err != nil {
		s.bucket.Close()
		return nil, err
	}
	pmLog := log.New(logWriter{s.log}, "", 0)
	s.pm, err = pmtiles.NewServerWithBucket(s.bucket, "", pmLog, cacheMB, "")
	if err != nil {
		s.bucket.Close()
		return nil, fmt.Errorf("tiles: %w", err)
	}
	s.pm.Start()
	s.log.Info("tiles ready", "archives", s.Names(), "dir", opts.Dir)
	return s, nil
}

func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: PublicURL %q is not an absolute http(s) URL", ErrOptions, s)
	}
	return strings.TrimSuffix(s, "/"), nil
}

// addEmbedded adds the in-memory archives.
func (s *Server) addEmbedded(embedded map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(embedded)) {
		if !validName(name) {
			return fmt.Errorf("%w: embedded archive name %q", ErrOptions, name)
		}
		if len(embedded[name]) == 0 {
			continue
		}
		src := memorySource(embedded[name])
		info, err := Inspect(src, src.size)
		if err != nil {
			return fmt.Errorf("tiles: embedded archive %s: %w", name, err)
		}
		s.add(&archive{name: name, info: info, src: src})
	}
	return nil
}

// addDir adds Dir/NAME.pmtiles, skipping (and logging) unusable files.
func (s *Server) addDir(ctx context.Context, dir string) error {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Debug("no tiles folder", "dir", dir)
		return nil
	}
	if err != nil {
		return fmt.Errorf("tiles: %w", err)
	}
	for _, de := range entries {
		name, ok := strings.CutSuffix(de.Name(), ".pmtiles")
		if !ok || de.IsDir() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		path := filepath.Join(dir, de.Name())
		if !validName(name) {
			s.log.Warn("archive skipped", "path", path, "reason", "name is not 1-64 letters, digits, '_' or '-'")
			continue
		}
		a, err := openArchive(name, path)
		if err != nil {
			s.log.Warn("archive skipped", "path", path, "err", err)
			continue
		}
		if _, dup := s.archives[name]; dup {
			s.log.Info("archive file replaces embedded archive", "name", name, "path", path)
		}
		s.add(a)
	}
	return nil
}

// openArchive opens and checks one archive file.
func openArchive(name, path string) (*archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	src, err := fileSource(f)
	if err == nil {
		var info *Info
		if info, err = Inspect(src, src.size); err == nil {
			return &archive{name: name, info: info, src: src}, nil
		}
	}
	f.Close()
	return nil, err
}

func (s *Server) add(a *archive) {
	if old := s.archives[a.name]; old != nil && old.src.file != nil {
		old.src.file.Close()
	}
	s.archives[a.name] = a
	s.bucket.sources[a.name+".pmtiles"] = a.src
}

// Names returns the names of the served archives, sorted.
func (s *Server) Names() []string {
	return slices.Sorted(maps.Keys(s.archives))
}

// Close closes the archive files; requests after Close fail. go-pmtiles'
// cache goroutine is not stopped (it has no way to stop; it idles).
func (s *Server) Close() error {
	return s.bucket.Close()
}

// logWriter turns go-pmtiles' log lines into debug records.
type logWriter struct{ l *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Debug("pmtiles", "line", string(bytes.TrimSpace(p)))
	return len(p), nil
}
