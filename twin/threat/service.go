package threat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Errors of the package.
var (
	// ErrConfig reports unusable Options.
	ErrConfig = errors.New("threat: bad options")
	// ErrNoWeather reports an incident with no station wind to run on.
	ErrNoWeather = errors.New("threat: no weather")
)

// Options configure a Service. The zero value of every optional field is
// its default.
type Options struct {
	Scene *twin.Scene // required, with a frame (Scene.Frame)
	// Library resolves detector and source substances; default
	// substance.Default().
	Library    *substance.Library
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // nil: metrics not registered
	Clock      func() time.Time      // default time.Now
	// MinInterval is the least time between two recomputes; default 1 s
	// (threat zones refresh at most at 1 Hz).
	MinInterval time.Duration
	// WindWindow is the span of the rolling wind average; default 10 min.
	WindWindow time.Duration
	// Lat and Lon are the site position for the sun, degrees; both zero
	// means the scene frame's origin.
	Lat, Lon float64
	// RadiusM is how far from an alarming detector other detectors and
	// release sources join its incident; default 1000 m.
	RadiusM float64
	// DetectionLimitPPM is the detection limit of the readings; readings
	// below it count as "less than the limit"; default 1 ppm. Readings of
	// %LEL and %VOL detectors below one unit of their scale are left out
	// (their limit is far above 1 ppm).
	DetectionLimitPPM float64
	// ActiveAlarms, if set, lists the alarms open when the service starts
	// (alarm.Manager.Active): gas alarms restored from the store then have
	// zones without waiting for their next lifecycle step.
	ActiveAlarms func() []alarm.Alarm
	// Alarms receives an evacuation alarm per threat zone that holds
	// people; nil raises none.
	Alarms Alarms
	// Notify receives the evacuation notice to each person in a zone
	// (publish it on their tag's notify topic and /ws). It runs on Run's
	// goroutine and must be quick; nil sends none.
	Notify func(Notice)
	// GridStepM is the free-grid spacing of the source estimation; default
	// 10 m (geo/plume's), < 0 for release sources only.
	GridStepM float64
}

func (o Options) withDefaults() (Options, error) {
	if o.Scene == nil || o.Scene.Frame() == nil {
		return o, fmt.Errorf("%w: a scene with a frame is required", ErrConfig)
	}
	if o.Library == nil {
		lib, err := substance.Load()
		if err != nil {
			return o, fmt.Errorf("threat: %w", err)
		}
		o.Library = lib
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.MinInterval == 0 {
		o.MinInterval = time.Second
	}
	if o.WindWindow == 0 {
		o.WindWindow = 10 * time.Minute
	}
	if o.Lat == 0 && o.Lon == 0 {
		origin, _ := o.Scene.Frame().Origin()
		o.Lon, o.Lat = origin[0], origin[1]
	}
	if o.RadiusM == 0 {
		o.RadiusM = 1000
	}
	if o.DetectionLimitPPM == 0 {
		o.DetectionLimitPPM = 1
	}
	if o.MinInterval < 0 || o.WindWindow < 0 || !(o.RadiusM > 0) || !(o.DetectionLimitPPM > 0) ||
		o.Lat < -90 || o.Lat > 90 || o.Lon < -180 || o.Lon > 180 {
		return o, fmt.Errorf("%w: interval %s, window %s, radius %g m, detection limit %g ppm, site %g,%g",
			ErrConfig, o.MinInterval, o.WindWindow, o.RadiusM, o.DetectionLimitPPM, o.Lat, o.Lon)
	}
	return o, nil
}

// What a change calls for.
const (
	dirtyModel  = 1 << iota // readings, wind or alarms changed: estimate and zones
	dirtyPeople             // people moved: recount the people in the zones
)

// Service keeps the scene's threat zones in step with the gas alarms, the
// readings and the wind. ObserveScene, ObserveAlarm and Incidents are safe
// for concurrent use; Run must be called once.
type Service struct {
	opts  Options
	log   *slog.Logger
	frame *geo.Frame
	m     metrics
	kick  chan struct{}

	mu     sync.Mutex // guards the fields below, copied by Run
	dirty  int
	alarms map[string]string // open gas alarm key → detector id
	winds  map[string]*windWindow

	// Owned by Run.
	last    time.Time              // when the last recompute ran (Clock)
	runs    int                    // recomputes done
	current map[string]*incident   // by substance id
	written map[string]bool        // threat_zone ids this service wrote
	people  map[string]whereabouts // the people the zones hold, by id
	told    map[string]int         // person → zone level they were told to leave
	raised  map[string]string      // open evacuation alarm key → level and people

	outMu sync.Mutex
	out   []Incident
}

// New returns a service; register ObserveScene with Scene.Observe and
// ObserveAlarm with the alarm manager's Observe, then start Run.
func New(opts Options) (*Service, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{opts: opts, log: opts.Logger.With("component", "threat"), frame: opts.Scene.Frame(),
		kick: make(chan struct{}, 1), alarms: map[string]string{}, winds: map[string]*windWindow{},
		current: map[string]*incident{}, written: map[string]bool{},
		people: map[string]whereabouts{}, told: map[string]int{}, raised: map[string]string{}}
	s.m = newMetrics(func() float64 { return float64(len(s.Incidents())) })
	if err := s.m.register(opts.Registerer); err != nil {
		return nil, err
	}
	opts.Scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindThreatZone, func(e *twin.Entity) bool {
			if e.String("origin") == zoneOrigin {
				s.written[e.ID] = true // left by an earlier run: removed unless still due
			}
			return true
		})
		tx.Kind(twin.KindWeatherStation, func(e *twin.Entity) bool { s.addWind(e); return true })
	})
	if opts.ActiveAlarms != nil {
		for _, a := range opts.ActiveAlarms() {
			s.ObserveAlarm(alarm.Event{Action: alarm.ActionRaised, Alarm: a})
			if a.Type == alarm.Evacuation && opts.Alarms != nil {
				s.raised[a.Key] = "" // an earlier run's: updated if still due, else cleared
			}
		}
	}
	if len(s.written) > 0 || len(s.raised) > 0 {
		s.dirty |= dirtyModel
	}
	return s, nil
}

// ObserveScene takes note of new wind samples, readings and moves; it is
// quick and never blocks on the computation.
func (s *Service) ObserveScene(r twin.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.dirty
	for _, d := range r.Deltas {
		switch {
		case d.Kind == twin.KindWeatherStation && d.Op == twin.OpUpsert:
			if s.addWind(d.Entity) && len(s.alarms) > 0 {
				s.dirty |= dirtyModel
			}
		case d.Kind == twin.KindGasDetector && len(s.alarms) > 0:
			s.dirty |= dirtyModel
		case d.Kind == twin.KindPerson && len(s.alarms) > 0:
			s.dirty |= dirtyPeople
		}
	}
	if s.dirty != before {
		s.wake()
	}
}

// addWind records a station's wind sample; s.mu is held.
func (s *Service) addWind(e *twin.Entity) bool {
	speed, from, ok := windOf(e)
	if !ok {
		return false
	}
	w := s.winds[e.ID]
	if w == nil {
		w = &windWindow{}
		s.winds[e.ID] = w
	}
	return w.add(windSample{at: reported(e), speedMS: speed, fromDeg: from}, s.opts.WindWindow)
}

// ObserveAlarm follows the gas_level1 and gas_level2 alarms; it is quick
// and never blocks.
func (s *Service) ObserveAlarm(ev alarm.Event) {
	a := ev.Alarm
	if a.Type != alarm.GasLevel1 && a.Type != alarm.GasLevel2 || a.EntityID == "" {
		return
	}
	key := a.Key
	if key == "" {
		key = string(a.Type) + ":" + a.EntityID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, was := s.alarms[key]
	open := a.Open() && ev.Action != alarm.ActionCleared && ev.Action != alarm.ActionClosed
	switch {
	case open && !was:
		s.alarms[key] = a.EntityID
	case !open && was:
		delete(s.alarms, key)
	default:
		return
	}
	s.dirty |= dirtyModel
	s.wake()
}

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run recomputes the zones whenever something changed, at most once per
// MinInterval, until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var due <-chan time.Time
		if wait := s.step(); wait > 0 {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.kick:
		case <-due:
		}
	}
}

// step recomputes if something is pending and MinInterval has passed since
// the last recompute; otherwise it returns how long to wait.
func (s *Service) step() time.Duration {
	now := s.opts.Clock()
	if since := now.Sub(s.last); !s.last.IsZero() && since < s.opts.MinInterval {
		s.mu.Lock()
		pending := s.dirty != 0
		s.mu.Unlock()
		if pending {
			return s.opts.MinInterval - since
		}
		return 0
	}
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = 0
	alarms := make([]string, 0, len(s.alarms))
	for _, id := range s.alarms {
		alarms = append(alarms, id)
	}
	winds := s.windsLocked()
	s.mu.Unlock()
	if dirty == 0 {
		return 0
	}
	s.last = now
	s.runs++
	start := time.Now()
	if dirty&dirtyModel != 0 {
		s.recompute(now, alarms, winds)
		s.m.recomputes.WithLabelValues("model").Inc()
	} else {
		s.recount()
		s.m.recomputes.WithLabelValues("people").Inc()
	}
	s.m.seconds.Observe(time.Since(start).Seconds())
	return 0
}

// Incidents returns the incidents in force, by substance: a copy.
func (s *Service) Incidents() []Incident {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	out := make([]Incident, len(s.out))
	for i, in := range s.out {
		out[i] = in.clone()
	}
	return out
}

type metrics struct {
	recomputes *prometheus.CounterVec
	errors     prometheus.Counter
	seconds    prometheus.Histogram
	incidents  prometheus.GaugeFunc
}

func newMetrics(incidents func() float64) metrics {
	return metrics{
		recomputes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_threat_recomputes_total", Help: "Threat-zone recomputes, by what was redone (model, people)."}, []string{"what"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_threat_errors_total", Help: "Incidents whose source estimate or zones could not be computed."}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "chemtwin_threat_recompute_seconds", Help: "Time of one threat-zone recompute.",
			Buckets: prometheus.ExponentialBuckets(1e-4, 4, 10)}),
		incidents: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chemtwin_threat_incidents", Help: "Gas incidents with threat zones in force."}, incidents),
	}
}

func (m metrics) register(r prometheus.Registerer) error {
	if r == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.recomputes, m.errors, m.seconds, m.incidents} {
		if err := r.Register(c); err != nil {
			return fmt.Errorf("threat: metrics: %w", err)
		}
	}
	return nil
}

// windsLocked copies every station's wind window; s.mu is held.
func (s *Service) windsLocked() map[string][]windSample {
	winds := make(map[string][]windSample, len(s.winds))
	for id, w := range s.winds {
		winds[id] = slices.Clone(w.samples)
	}
	return winds
}
