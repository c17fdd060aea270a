package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/video"
)

// Alarms is what the API needs from the alarm engine.
type Alarms interface {
	List(ctx context.Context, f alarm.Filter) ([]alarm.Alarm, error)
	Get(ctx context.Context, id string) (alarm.Alarm, error)
	Ack(ctx context.Context, id, by, note string) (alarm.Alarm, error)
	Close(ctx context.Context, id, by, note string) (alarm.Alarm, error)
	AddSilence(s alarm.Silence) (alarm.Silence, error)
	RemoveSilence(id string) error
	Silences() []alarm.Silence
}

// Options configure a Server. The zero value of each field is its default;
// Scene and Store are required.
type Options struct {
	Scene  *twin.Scene
	Store  store.Store
	Alarms Alarms // nil: alarm routes answer 503
	// Gatherings lists gatherings and confirms their dispersal; nil:
	// /api/v1/gatherings answers 503.
	Gatherings Gatherings
	// Video answers which cameras see a place; nil: the camera routes
	// answer 503.
	Video *video.Linker
	// Permits is the special-work permit service; nil: the permit routes
	// answer 503.
	Permits Permits
	// Inspections is the inspection service (W7); nil: the inspection and
	// hidden-danger routes answer 503.
	Inspections Inspections
	// Evacuation is the emergency service (W8); nil: the evacuation and
	// muster routes answer 503.
	Evacuation Evacuation
	// EnterpriseCode is the enterprise's unified social credit code (GB
	// 32100-2015) the permit export carries; "" leaves it out.
	EnterpriseCode string
	// Threats gives the live threat zones and computes what-if scenarios;
	// nil: /api/v1/threats and POST /api/v1/scenarios answer 503.
	Threats Threats

	Stream http.Handler // mounted at GET /ws; nil: not mounted
	Viewer http.Handler // mounted at GET /; nil: / answers a small page linking /ogc
	// Tiles is mounted at /tiles/ with the "/tiles" prefix stripped (it sees
	// "/name/z/x/y.mvt"); nil: not mounted.
	Tiles http.Handler

	Logger     *slog.Logger          // default: discard
	Registerer prometheus.Registerer // default: a private registry
	// Gatherer is served at /metrics; default: Registerer when it is a
	// Gatherer (a *prometheus.Registry), else the private registry.
	Gatherer prometheus.Gatherer
	Clock    func() time.Time // default time.Now; stamps sessions, audit, timeStamp
	TokenTTL time.Duration    // session lifetime; default 12h
	// Health adds facts to /healthz (mqtt connected, …); it must be quick.
	Health  func(ctx context.Context) map[string]any
	Version string // reported by /healthz; default "dev"
	// TagOffline and LowBatteryPct are the headcount's limits: a tag silent
	// this long is offline (default 60 s, AQ 3064.3 tags report every 2 s),
	// a battery below this is low (default 20 %, the seed's).
	TagOffline    time.Duration
	LowBatteryPct float64
}

// ErrOptions is returned by New for unusable options.
var ErrOptions = errors.New("api: bad options")

// Server is the HTTP API; it is an http.Handler and safe for concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux
	routes   map[string]bool // registered patterns, the route label values
	metrics  *metrics
	gatherer prometheus.Gatherer
	started  time.Time
	limiter  *limiter
}

// New returns a Server for opts.
func New(opts Options) (*Server, error) {
	if opts.Scene == nil || opts.Store == nil {
		return nil, fmt.Errorf("%w: Scene and Store are required", ErrOptions)
	}
	if opts.TokenTTL < 0 {
		return nil, fmt.Errorf("%w: negative TokenTTL %v", ErrOptions, opts.TokenTTL)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 12 * time.Hour
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.TagOffline <= 0 {
		opts.TagOffline = time.Minute
	}
	if opts.LowBatteryPct <= 0 {
		opts.LowBatteryPct = 20
	}
	gatherer := opts.Gatherer
	if opts.Registerer == nil {
		reg := prometheus.NewRegistry()
		opts.Registerer = reg
		if gatherer == nil {
			gatherer = reg
		}
	}
	if g, ok := opts.Registerer.(prometheus.Gatherer); ok && gatherer == nil {
		gatherer = g
	}
	if gatherer == nil {
		return nil, fmt.Errorf("%w: Gatherer is required with a Registerer that does not gather", ErrOptions)
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("api: register metrics: %w", err)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger.With("component", "api"),
		mux:      http.NewServeMux(),
		routes:   make(map[string]bool),
		metrics:  m,
		gatherer: gatherer,
		started:  opts.Clock(),
		limiter:  newLimiter(loginFailures, loginWindow),
	}
	s.register()
	return s, nil
}

// handle registers h for pattern and remembers the pattern as a route label.
func (s *Server) handle(pattern string, h http.Handler) {
	s.routes[pattern] = true
	s.mux.Handle(pattern, h)
}

func (s *Server) handleFunc(pattern string, h http.HandlerFunc) { s.handle(pattern, h) }

// ServeHTTP routes r, answers unrouted requests with a JSON 404 or 405, adds
// CORS headers for the OGC API and records the request metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	if r.URL.Path == "/ogc" || strings.HasPrefix(r.URL.Path, "/ogc/") {
		setCORS(sw.Header())
	}
	h, pattern := s.mux.Handler(r)
	route := pattern
	if !s.routes[pattern] {
		route = "unmatched"
	}
	if pattern == "" {
		s.unrouted(sw, r, h)
	} else {
		s.mux.ServeHTTP(sw, r)
	}
	s.metrics.requests.WithLabelValues(route, fmt.Sprint(sw.status())).Inc()
	s.metrics.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

// unrouted answers a request no pattern matched: the mux's own answer (404,
// or 405 with Allow) re-issued as a JSON error.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, codeMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
		return
	}
	s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no route for %s", r.URL.Path))
}

func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
}
