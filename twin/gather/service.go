package gather

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarms is the part of the alarm manager the service uses
// (*alarm.Manager satisfies it).
type Alarms = alarm.Raiser

// Options configure a Service. Zero values are the defaults.
type Options struct {
	Scene  *twin.Scene // required: tags, areas and (by default) the frame
	Frame  *geo.Frame  // default Scene.Frame(); one of them is required
	Alarms Alarms      // required
	// Notify receives member notifications (publish them on
	// chemtwin/{site}/tags/{tag}/notify and /ws). It runs on the service's
	// goroutine and must be quick; nil drops them.
	Notify func(Notify)
	Config Config
	Logger *slog.Logger
	// Clock advances sample time when no fixes arrive (so that a group
	// whose tags went quiet still times out); default time.Now. Detection
	// itself runs on fix times.
	Clock func() time.Time
	// TickEvery is how often time advances without fixes; default 1 s.
	TickEvery time.Duration
	// Queue is how many batches may wait; default 1024. A full queue makes
	// Observe wait (backpressure), it never drops.
	Queue int
}

type move struct {
	id     string
	remove bool
	p      orb.Point
	floor  int
	at     time.Time
}

// Service runs gathering detection on the scene's person fixes in its own
// goroutine and drives the gathering alarms. Observe, ObserveAlarm,
// Confirm and Gatherings are safe for concurrent use; Run must be called
// once.
type Service struct {
	opts  Options
	log   *slog.Logger
	frame *geo.Frame
	in    chan []move

	gasMu   sync.Mutex
	gasNext []alarm.Event
	gasKick chan struct{}

	mu       sync.Mutex // held by a step: detector and alarm calls stay in order
	det      *Detector
	sample   time.Time // latest sample time applied
	sampleAt time.Time // Clock() when it was applied
	rejected atomic.Int64
}

// New returns a service; register Observe with Scene.Observe and
// ObserveAlarm with the alarm manager's Observe, then start Run.
func New(opts Options) (*Service, error) {
	if opts.Scene == nil || opts.Alarms == nil {
		return nil, errors.New("gather: service needs a scene and alarms")
	}
	if opts.Frame == nil {
		opts.Frame = opts.Scene.Frame()
	}
	if opts.Frame == nil {
		return nil, errors.New("gather: service needs a plant frame")
	}
	det, err := NewDetector(opts.Config)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.TickEvery <= 0 {
		opts.TickEvery = time.Second
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	return &Service{
		opts: opts, log: opts.Logger.With("component", "gather"), frame: opts.Frame, det: det,
		in: make(chan []move, opts.Queue), gasKick: make(chan struct{}, 1),
	}, nil
}

// Observe queues the person moves and removals of a scene result.
func (s *Service) Observe(r twin.Result) {
	var ms []move
	for _, d := range r.Deltas {
		if d.Kind != twin.KindPerson {
			continue
		}
		switch d.Op {
		case twin.OpMove:
			ms = append(ms, move{id: d.ID, p: d.Fix.Point, floor: d.Fix.Floor, at: d.Fix.At})
		case twin.OpRemove:
			ms = append(ms, move{id: d.ID, remove: true})
		}
	}
	if len(ms) > 0 {
		s.in <- ms
	}
}

// ObserveAlarm takes gas alarm events (gas_level1, gas_level2) as
// escalation inputs; other types are ignored. It never blocks, so it may be
// registered with alarm.Manager.Observe.
func (s *Service) ObserveAlarm(e alarm.Event) {
	if e.Alarm.Type != alarm.GasLevel1 && e.Alarm.Type != alarm.GasLevel2 {
		return
	}
	s.gasMu.Lock()
	s.gasNext = append(s.gasNext, e)
	s.gasMu.Unlock()
	select {
	case s.gasKick <- struct{}{}:
	default:
	}
}

// Rejected returns how many fixes were refused as bad input.
func (s *Service) Rejected() int64 { return s.rejected.Load() }

// Gatherings returns the tracked gatherings (forming and raised).
func (s *Service) Gatherings() []Gathering {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.det.Gatherings()
}

// Run evaluates queued fixes and gas alarms until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(s.opts.TickEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ms := <-s.in:
			s.apply(ctx, ms)
		case <-s.gasKick:
			s.gas(ctx)
		case <-tick.C:
			s.mu.Lock()
			s.stepLocked(ctx, s.now())
			s.mu.Unlock()
		}
	}
}

// now is sample time advanced by the clock since the last fix; zero
// before any fix.
func (s *Service) now() time.Time {
	if s.sample.IsZero() {
		return time.Time{}
	}
	return s.sample.Add(max(0, s.opts.Clock().Sub(s.sampleAt)))
}

func (s *Service) apply(ctx context.Context, ms []move) {
	s.opts.Scene.View(func(tx twin.Tx) {
		for i := range ms {
			if !ms[i].remove && geo.ValidLonLat(ms[i].p) && Exempt(tx, ms[i].p) {
				ms[i].remove = true // not watched here: out of the detector
			}
		}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	var latest time.Time
	for _, m := range ms {
		if m.remove {
			s.det.Remove(m.id)
			continue
		}
		if !geo.ValidLonLat(m.p) {
			s.reject(m, "bad position")
			continue
		}
		x, y := s.frame.FastLocal(m.p)
		if err := s.det.Update(Fix{PersonID: m.id, X: x, Y: y, Floor: m.floor, At: m.at}); err != nil {
			s.reject(m, err.Error())
			continue
		}
		if m.at.After(latest) {
			latest = m.at
		}
	}
	if latest.After(s.sample) {
		s.sample, s.sampleAt = latest, s.opts.Clock()
	}
	s.stepLocked(ctx, s.now())
}

func (s *Service) reject(m move, why string) {
	s.rejected.Add(1)
	s.log.Debug("fix rejected", "person", m.id, "reason", why)
}

func (s *Service) gas(ctx context.Context) {
	s.gasMu.Lock()
	evs := s.gasNext
	s.gasNext = nil
	s.gasMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range evs {
		a := e.Alarm
		p := orb.Point{a.Lon, a.Lat}
		if !geo.ValidLonLat(p) || (a.Lon == 0 && a.Lat == 0) {
			continue // no place: it cannot be near anyone
		}
		x, y := s.frame.FastLocal(p)
		s.det.GasAlarm(a.ID, x, y, a.Open())
	}
	s.stepLocked(ctx, s.now())
}

// stepLocked ticks the detector and carries out its decisions:
// notifications first (the 5 s budget), then alarms. The caller holds mu.
func (s *Service) stepLocked(ctx context.Context, now time.Time) {
	if now.IsZero() {
		return
	}
	st := s.det.Tick(now)
	if len(st.Notify) > 0 && s.opts.Notify != nil {
		tags := s.tags(st.Notify)
		for _, n := range st.Notify {
			n.Tag = tags[n.PersonID]
			s.opts.Notify(n)
		}
	}
	for _, g := range st.Raised {
		if _, _, err := s.opts.Alarms.Raise(ctx, s.raise(g, nil)); err != nil {
			s.log.Error("gathering alarm not raised", "gathering", g.ID, "err", err)
		}
	}
	for _, g := range st.Cleared {
		if _, _, err := s.opts.Alarms.Clear(ctx, Key(g.ID), now); err != nil {
			s.log.Error("gathering alarm not cleared", "gathering", g.ID, "err", err)
		}
	}
}

// Confirm records that the named person confirmed the dispersal of
// gathering id (the alarm's entity_id) and clears its alarm; the
// confirmation (who, when, members, place) is kept in the alarm's
// details. It is refused with ErrStillGathered while the group is
// together.
func (s *Service) Confirm(ctx context.Context, id, by string, at time.Time) (Gathering, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.det.Confirm(id, by, at)
	if err != nil {
		return g, err
	}
	extra := map[string]any{"confirmed_by": by, "confirmed_at": at.UTC().Format(time.RFC3339Nano)}
	_, _, rerr := s.opts.Alarms.Raise(ctx, s.raise(g, extra))
	_, _, cerr := s.opts.Alarms.Clear(ctx, Key(g.ID), at)
	if err := errors.Join(rerr, cerr); err != nil {
		return g, fmt.Errorf("gather: confirm %s: %w", id, err)
	}
	return g, nil
}

// Key is the alarm key of gathering id.
func Key(id string) string { return string(alarm.Gathering) + ":" + id }

// raise builds the alarm for g.
func (s *Service) raise(g Gathering, extra map[string]any) alarm.Raise {
	centre := s.frame.FastPoint(g.X, g.Y)
	zh, en := AlarmMessage(g, s.det.Config())
	d := map[string]any{
		"members": g.Members, "count": g.Count, "colour": g.Colour, "floor": g.Floor,
		"centre_lon": centre[0], "centre_lat": centre[1], "radius_m": g.RadiusM,
		"since": g.Since.UTC().Format(time.RFC3339Nano), "evacuate": g.Evacuate,
		"dispersed": g.Dispersed, "needs_confirmation": g.NeedsConfirm,
	}
	for k, v := range extra {
		d[k] = v
	}
	return alarm.Raise{
		Key: Key(g.ID), Type: alarm.Gathering, Level: g.Level, EntityID: g.ID, AreaID: s.area(g.Members),
		Lon: centre[0], Lat: centre[1], At: s.det.now, Message: zh, MessageEn: en, Details: d,
	}
}

// tags looks up the tags of the people to notify.
func (s *Service) tags(ns []Notify) map[string]string {
	out := make(map[string]string, len(ns))
	s.opts.Scene.View(func(tx twin.Tx) {
		for _, n := range ns {
			if e := tx.Get(n.PersonID); e != nil && e.Mobile != nil {
				out[n.PersonID] = e.Mobile.Tag
			}
		}
	})
	return out
}

// area returns the area most members are in ("" if none).
func (s *Service) area(members []string) string {
	count := map[string]int{}
	best := ""
	s.opts.Scene.View(func(tx twin.Tx) {
		for _, id := range members {
			if e := tx.Get(id); e != nil && e.Mobile != nil && e.Mobile.AreaID != "" {
				a := e.Mobile.AreaID
				count[a]++
				if count[a] > count[best] || (count[a] == count[best] && a < best) {
					best = a
				}
			}
		}
	})
	return best
}
