package fence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarms is what the service raises and clears its alarms through
// (*alarm.Manager satisfies it).
type Alarms = alarm.Raiser

// ServiceOptions configure a Service. Zero values are the defaults.
type ServiceOptions struct {
	Scene  *twin.Scene // required: people, vehicles, fences, anchors, site settings
	Alarms Alarms      // required
	// Config tunes the engine. A zero Location is the site's timezone and
	// a zero AlarmDelay the site setting fence_alarm_delay_s.
	Config Config
	// MarginM is the exit deadband in metres (default DefaultMarginM).
	MarginM    float64
	Logger     *slog.Logger
	Registerer prometheus.Registerer // default: metrics not registered
	// Clock drives Tick (default time.Now); the engine itself runs on
	// sample time.
	Clock func() time.Time
	// Queue is how many results may wait; default 1024. A full queue makes
	// Observe wait (backpressure), it never drops a fix.
	Queue int
}

// Service runs the fence engine on the twin's results: Observe queues,
// Run evaluates in its own goroutine (the engine's only owner) and raises
// and clears alarms. Observe, Replace and Set are safe for concurrent use;
// Run must be called once.
type Service struct {
	opts    ServiceOptions
	log     *slog.Logger
	eng     *Engine
	in      chan twin.Result
	kick    chan struct{}
	pending atomic.Pointer[Set]
	current atomic.Pointer[Set]
	fences  map[string]*twin.Entity // fence entities by id, owned by Run
	dirty   bool
	buf     []Transition
	m       metrics
	// areas caches the area of a fixed fence's alarms (by fence id; ""
	// when none contains it), so that an alarm storm does not take the
	// scene's read lock once per alarm. Owned by Run; reset with the set.
	areas map[string]string
}

// NewService reads the scene (site timezone and settings, people and
// vehicles, fences and their anchors) and returns the service; register
// Observe with Scene.Observe and start Run.
func NewService(opts ServiceOptions) (*Service, error) {
	if opts.Scene == nil || opts.Alarms == nil {
		return nil, errors.New("fence: service needs a scene and an alarm sink")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	s := &Service{opts: opts, log: opts.Logger.With("component", "fence"), in: make(chan twin.Result, opts.Queue),
		kick: make(chan struct{}, 1), fences: make(map[string]*twin.Entity)}
	var subjects []Subject
	opts.Scene.View(func(tx twin.Tx) {
		s.siteConfig(tx.Get(opts.Scene.SiteID()))
		tx.Kind(twin.KindFence, func(e *twin.Entity) bool { s.fences[e.ID] = e.Clone(); return true })
		for _, k := range []twin.Kind{twin.KindPerson, twin.KindVehicle} {
			tx.Kind(k, func(e *twin.Entity) bool { subjects = append(subjects, SubjectOf(e)); return true })
		}
	})
	s.m = newMetrics(func() float64 {
		if set := s.Set(); set != nil {
			return float64(set.Len())
		}
		return 0
	})
	if err := s.m.register(opts.Registerer); err != nil {
		return nil, err
	}
	set := s.compile()
	eng, err := NewEngine(set, s.opts.Config)
	if err != nil {
		return nil, err
	}
	s.eng = eng
	s.current.Store(set)
	s.areas = nil
	sort.Slice(subjects, func(i, j int) bool { return subjects[i].ID < subjects[j].ID })
	for _, sub := range subjects {
		s.eng.SetSubject(nil, sub, time.Time{})
	}
	return s, nil
}

// siteConfig takes the timezone and fence_alarm_delay_s from the site root.
func (s *Service) siteConfig(site *twin.Entity) {
	if site == nil {
		return
	}
	c := &s.opts.Config
	if tz := site.String("timezone"); c.Location == nil && tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			c.Location = loc
		} else {
			s.log.Warn("bad site timezone", "timezone", tz, "err", err)
		}
	}
	settings, _ := site.Props["settings"].(map[string]any)
	if d, ok := twin.AsFloat(settings["fence_alarm_delay_s"]); ok && d > 0 && c.AlarmDelay == 0 {
		c.AlarmDelay = time.Duration(d * float64(time.Second))
	}
}

// compile builds a Set from the fence entities, anchored at the scene's
// current positions; bad fences are logged, counted and left out.
func (s *Service) compile() *Set {
	ents := make([]*twin.Entity, 0, len(s.fences))
	for _, e := range s.fences {
		ents = append(ents, e)
	}
	anchor := func(id string) (orb.Point, bool) {
		e, ok := s.opts.Scene.Get(id)
		if !ok || !e.Placed() {
			return orb.Point{}, false
		}
		return e.Point(), true
	}
	set, err := Compile(ents, anchor, s.opts.MarginM)
	if err != nil {
		s.log.Error("bad fences left out", "err", err)
		s.m.badFence.Add(float64(countJoined(err)))
	}
	return set
}

func countJoined(err error) int {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return len(j.Unwrap())
	}
	return 1
}

// Set returns the fence set in force.
func (s *Service) Set() *Set { return s.current.Load() }

// Replace swaps the fence set; Run installs it before its next result.
func (s *Service) Replace(set *Set) {
	if set == nil {
		return
	}
	s.pending.Store(set)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Observe queues a result that moves, adds or removes people, vehicles,
// fences or fence anchors.
func (s *Service) Observe(r twin.Result) {
	for _, d := range r.Deltas {
		if d.Kind.Mobile() || d.Kind == twin.KindFence || (d.Op != twin.OpMove && s.isAnchor(d.ID)) {
			s.in <- r
			return
		}
	}
}

// isAnchor reports whether a moving fence of the current set follows id.
func (s *Service) isAnchor(id string) bool {
	for _, f := range s.Set().moving {
		if f.AttachedTo == id {
			return true
		}
	}
	return false
}

// Run evaluates queued results and ticks the time-based rules every
// Config.TickEvery until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(s.eng.Config().TickEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-s.in:
			s.evaluate(ctx, r)
		case <-s.kick:
			if set := s.pending.Swap(nil); set != nil {
				s.install(ctx, set)
			}
		case <-tick.C:
			s.emit(ctx, s.eng.Tick(s.buf[:0], s.opts.Clock()))
		}
	}
}

func (s *Service) install(ctx context.Context, set *Set) {
	s.emit(ctx, s.eng.Replace(s.buf[:0], set, s.opts.Clock()))
	s.current.Store(set)
	s.areas = nil
}

// evaluate feeds one result to the engine and sends its transitions.
func (s *Service) evaluate(ctx context.Context, r twin.Result) {
	start := time.Now()
	out := s.buf[:0]
	for _, d := range r.Deltas {
		out = s.delta(out, d)
	}
	if s.dirty {
		s.dirty = false
		set := s.compile()
		out = s.eng.Replace(out, set, s.opts.Clock())
		s.current.Store(set)
		s.areas = nil
	}
	s.emit(ctx, out)
	s.m.eval.Observe(time.Since(start).Seconds())
}

func (s *Service) delta(out []Transition, d twin.Delta) []Transition {
	switch {
	case d.Op == twin.OpMove && d.Kind.Mobile():
		var err error
		out, err = s.eng.Update(out, d.ID, d.Fix)
		s.m.fixes.Inc()
		switch {
		case errors.Is(err, ErrBadFix):
			s.m.rejected.WithLabelValues("bad_fix").Inc()
		case errors.Is(err, ErrStale):
			s.m.rejected.WithLabelValues("stale").Inc()
		}
	case d.Op == twin.OpUpsert && d.Kind == twin.KindFence:
		s.fences[d.ID], s.dirty = d.Entity, true
	case d.Op == twin.OpRemove && d.Kind == twin.KindFence:
		delete(s.fences, d.ID)
		s.dirty = true
	case d.Op == twin.OpRemove:
		out = s.eng.Remove(out, d.ID, s.opts.Clock())
	case d.Op == twin.OpUpsert && d.Kind.Mobile():
		out = s.eng.SetSubject(out, SubjectOf(d.Entity), d.Entity.Updated)
	case d.Op == twin.OpUpsert && d.Entity != nil && d.Entity.Placed():
		out = s.eng.MoveAnchor(out, d.ID, d.Entity.Point(), d.Entity.Updated)
	}
	return out
}

// emit raises and clears the alarms of the transitions.
func (s *Service) emit(ctx context.Context, ts []Transition) {
	for i := range ts {
		t := &ts[i]
		var err error
		if t.Clear {
			_, _, err = s.opts.Alarms.Clear(ctx, t.Raise.Key, t.Raise.At)
			s.m.transitions.WithLabelValues("cleared").Inc()
		} else {
			s.fillArea(&t.Raise)
			_, _, err = s.opts.Alarms.Raise(ctx, t.Raise)
			s.m.transitions.WithLabelValues("raised").Inc()
		}
		if err != nil {
			s.m.alarmErrs.Inc()
			s.log.Error("fence alarm", "key", t.Raise.Key, "clear", t.Clear, "err", fmt.Errorf("fence: %w", err))
		}
		ts[i] = Transition{}
	}
	s.buf = ts[:0]
}

// fillArea names the area an alarm happened in when its fence has no parent.
func (s *Service) fillArea(r *alarm.Raise) {
	if r.AreaID != "" {
		return
	}
	id, _ := r.Details["fence_id"].(string)
	f := s.Set().Get(id)
	if f != nil && !f.Moving() {
		if area, ok := s.areas[id]; ok {
			r.AreaID = area
			return
		}
	}
	p := orb.Point{r.Lon, r.Lat}
	if f != nil && !f.Moving() {
		p = f.Anchor() // a fixed fence's alarms all take the area its middle lies in
	}
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Containing(p, func(e *twin.Entity) bool {
			if e.Kind == twin.KindArea {
				r.AreaID = e.ID
				return false
			}
			return true
		})
	})
	if f != nil && !f.Moving() {
		if s.areas == nil {
			s.areas = make(map[string]string)
		}
		s.areas[id] = r.AreaID
	}
}

type metrics struct {
	fixes       prometheus.Counter
	rejected    *prometheus.CounterVec
	badFence    prometheus.Counter
	transitions *prometheus.CounterVec
	alarmErrs   prometheus.Counter
	eval        prometheus.Histogram
	fences      prometheus.GaugeFunc
}

func newMetrics(fences func() float64) metrics {
	return metrics{
		fixes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_fence_fixes_total", Help: "Position fixes evaluated against the fences."}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_fence_rejected_total", Help: "Fixes the fence engine refused, by reason."}, []string{"reason"}),
		badFence: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_fence_invalid_total", Help: "Fence features left out because they did not compile."}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_fence_transitions_total", Help: "Fence alarm edges, by action (raised, cleared)."}, []string{"action"}),
		alarmErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_fence_alarm_errors_total", Help: "Fence alarm raises or clears the alarm manager refused."}),
		eval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "chemtwin_fence_eval_seconds", Help: "Time to evaluate one twin result against the fences.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10)}),
		fences: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chemtwin_fences", Help: "Fences in force."}, fences),
	}
}

func (m metrics) register(r prometheus.Registerer) error {
	if r == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.fixes, m.rejected, m.badFence, m.transitions, m.alarmErrs, m.eval, m.fences} {
		if err := r.Register(c); err != nil {
			return fmt.Errorf("fence: metrics: %w", err)
		}
	}
	return nil
}
