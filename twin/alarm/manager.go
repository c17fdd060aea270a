package alarm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Store is the persistence the manager needs (store.Store satisfies it).
type Store interface {
	SaveAlarm(ctx context.Context, a Alarm) error
	Alarm(ctx context.Context, id string) (Alarm, error)
	Alarms(ctx context.Context, f Filter) ([]Alarm, error)
}

// Options configure a Manager. Zero values are the defaults.
type Options struct {
	Store      Store                 // required
	Clock      func() time.Time      // default time.Now
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // default: metrics not registered
	// Annotate, when set, may add to a Raise before it is applied — the
	// cameras that see the alarm's place, say. It gets a copy of Details
	// it may change, runs on the caller's goroutine before the manager's
	// lock is taken, and must be quick.
	Annotate func(r *Raise)
	// RetryMin and RetryMax bound the exponential backoff with which Run
	// retries failed writes; defaults 1 s and 30 s.
	RetryMin, RetryMax time.Duration
	// EventAfter is how long an alarm may stay uncleared before it becomes
	// an alarm event record; default DefaultEventAfter (30 s, AQ 3064.3).
	EventAfter time.Duration
	// EventEvery is how often Run looks for such alarms; default 1 s.
	EventEvery time.Duration
}

// retryTimeout bounds one retried write, so that a store that hangs does
// not hold the manager's lock for long.
const retryTimeout = 5 * time.Second

// Manager owns the alarm lifecycle: it deduplicates by condition key, keeps
// open alarms in memory, persists every step and tells observers. It is safe
// for concurrent use.
//
// Safety comes before bookkeeping: when the store fails, the alarm still
// goes to observers (the operator must see it) and the write is retried on
// the next lifecycle step and, with backoff, by Run.
type Manager struct {
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	open      map[string]*Alarm // by Key: alarms not cleared
	dirty     map[string]Alarm  // by ID: persisted state pending a retry
	observers []func(Event)
	silences  map[string]Silence // by ID (in memory: the store has no table for them)
	kick      chan struct{}      // capacity 1: a write failed, Run should retry
	unstored  atomic.Int64       // len(dirty), readable without mu

	raised     *prometheus.CounterVec
	storeErrs  prometheus.Counter
	openByType *prometheus.GaugeVec
}

// NewManager loads the open alarms from the store and returns the manager.
func NewManager(ctx context.Context, opts Options) (*Manager, error) {
	if opts.Store == nil {
		return nil, errors.New("alarm: manager needs a store")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 30 * time.Second
	}
	opts.RetryMax = max(opts.RetryMax, opts.RetryMin)
	if opts.EventAfter <= 0 {
		opts.EventAfter = DefaultEventAfter
	}
	if opts.EventEvery <= 0 {
		opts.EventEvery = time.Second
	}
	m := &Manager{
		opts:     opts,
		log:      opts.Logger.With("component", "alarm"),
		open:     make(map[string]*Alarm),
		dirty:    make(map[string]Alarm),
		silences: make(map[string]Silence),
		kick:     make(chan struct{}, 1),
		raised: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_alarms_raised_total", Help: "Alarms raised, by type.",
		}, []string{"type"}),
		storeErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_alarm_store_errors_total", Help: "Alarm writes that failed and were queued for retry.",
		}),
		openByType: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chemtwin_alarms_open", Help: "Alarms not cleared, by type.",
		}, []string{"type"}),
	}
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "chemtwin_alarms_unpersisted", Help: "Alarms whose latest state is not yet in the store (retrying).",
	}, func() float64 { return float64(m.Dirty()) })
	if r := opts.Registerer; r != nil {
		for _, c := range []prometheus.Collector{m.raised, m.storeErrs, m.openByType, pending} {
			if err := r.Register(c); err != nil {
				return nil, fmt.Errorf("alarm: metrics: %w", err)
			}
		}
	}
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// load reads every open alarm back, page by page.
func (m *Manager) load(ctx context.Context) error {
	for offset := 0; ; offset += 1000 {
		page, err := m.opts.Store.Alarms(ctx, Filter{Open: true, Limit: 1000, Offset: offset})
		if err != nil {
			return fmt.Errorf("alarm: load open alarms: %w", err)
		}
		for i := range page {
			a := page[i]
			m.open[a.Key] = &a
			m.openByType.WithLabelValues(string(a.Type)).Inc()
		}
		if len(page) < 1000 {
			return nil
		}
	}
}

// Observe registers fn to receive every lifecycle event, in order. fn runs
// under the manager's lock: it must be quick and must not call the manager.
func (m *Manager) Observe(fn func(Event)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observers = append(m.observers, fn)
}

// Raise describes a condition to alarm on.
type Raise struct {
	Key       string // condition identity; default Type + ":" + EntityID
	Type      Type
	Level     int
	EntityID  string
	AreaID    string
	Lon, Lat  float64
	At        time.Time // when the condition was detected; default the clock
	Message   string    // zh-CN
	MessageEn string
	Details   map[string]any
}

// Raise opens an alarm for the condition, or updates the open one with the
// same key (new level, message or details) — a persisting condition is one
// alarm, not one per sample. It reports whether a new alarm was opened.
func (m *Manager) Raise(ctx context.Context, r Raise) (Alarm, bool, error) {
	if !r.Type.Valid() {
		return Alarm{}, false, fmt.Errorf("alarm: unknown type %q", r.Type)
	}
	if r.Key == "" {
		r.Key = string(r.Type) + ":" + r.EntityID
	}
	if r.At.IsZero() {
		r.At = m.opts.Clock()
	}
	if m.opts.Annotate != nil {
		r.Details = maps.Clone(r.Details)
		if r.Details == nil {
			r.Details = map[string]any{}
		}
		m.opts.Annotate(&r)
	}
	r.Level = max(LevelLow, min(LevelHigh, r.Level))
	r.Details = finiteDetails(r.Details)
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.open[r.Key]; ok {
		if a.Level == r.Level && a.Message == r.Message && sameCondition(a.Details, r.Details) {
			return *a, false, nil
		}
		a.Level, a.Message, a.MessageEn, a.UpdatedAt = r.Level, r.Message, r.MessageEn, r.At
		a.Details = m.stamp(a, a.Details, r.Details, r.At)
		return *a, false, m.commit(ctx, ActionUpdated, *a)
	}
	a := &Alarm{
		ID: newID(r.At), Type: r.Type, Level: r.Level, State: Active, Key: r.Key,
		EntityID: r.EntityID, AreaID: r.AreaID, Lon: r.Lon, Lat: r.Lat,
		RaisedAt: r.At, UpdatedAt: r.At, Message: r.Message, MessageEn: r.MessageEn,
	}
	a.Details = m.stamp(a, nil, r.Details, r.At)
	m.open[r.Key] = a
	m.raised.WithLabelValues(string(a.Type)).Inc()
	m.openByType.WithLabelValues(string(a.Type)).Inc()
	return *a, true, m.commit(ctx, ActionRaised, *a)
}

// Clear closes the open alarm with key, if any, at time at.
func (m *Manager) Clear(ctx context.Context, key string, at time.Time) (Alarm, bool, error) {
	if at.IsZero() {
		at = m.opts.Clock()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.open[key]
	if !ok {
		return Alarm{}, false, nil
	}
	delete(m.open, key)
	m.openByType.WithLabelValues(string(a.Type)).Dec()
	a.State, a.ClearedAt, a.UpdatedAt = Cleared, &at, at
	return *a, true, m.commit(ctx, ActionCleared, *a)
}

// Ack records that the named person confirmed the alarm. An open alarm
// becomes acknowledged; a cleared one keeps its state and gains the
// acknowledgement. Acknowledging twice is ErrState.
func (m *Manager) Ack(ctx context.Context, id, by, note string) (Alarm, error) {
	if by == "" {
		return Alarm{}, fmt.Errorf("%w: acknowledgement needs a name", ErrState)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.openByID(id)
	if a == nil {
		stored, err := m.opts.Store.Alarm(ctx, id)
		if err != nil {
			return Alarm{}, fmt.Errorf("%w: %s (%v)", ErrNotFound, id, err)
		}
		a = &stored
	}
	if a.AckedAt != nil {
		return *a, fmt.Errorf("%w: %s was acknowledged by %s", ErrState, id, a.AckedBy)
	}
	now := m.opts.Clock()
	a.AckedAt, a.AckedBy, a.AckNote, a.UpdatedAt = &now, by, note, now
	if a.State == Active {
		a.State = Acknowledged
	}
	return *a, m.commit(ctx, ActionAcked, *a)
}

func (m *Manager) openByID(id string) *Alarm {
	for _, a := range m.open {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// commit persists a (retrying earlier failures first) and tells observers.
// The caller holds mu.
func (m *Manager) commit(ctx context.Context, act Action, a Alarm) error {
	m.flushDirty(ctx)
	err := m.opts.Store.SaveAlarm(ctx, a)
	if err != nil {
		m.dirty[a.ID] = a
		m.storeErrs.Inc()
		m.log.Error("alarm not persisted; will retry", "id", a.ID, "type", a.Type, "err", err)
		err = fmt.Errorf("alarm: persist %s: %w", a.ID, err)
		select {
		case m.kick <- struct{}{}:
		default:
		}
	} else {
		delete(m.dirty, a.ID) // an older state that failed is superseded
	}
	m.unstored.Store(int64(len(m.dirty)))
	for _, fn := range m.observers {
		fn(Event{Action: act, Alarm: a})
	}
	return err
}

// flushDirty writes the alarms whose last write failed, oldest update
// first, and stops at the first failure: the store is likely still down,
// and the next attempt comes soon. The caller holds mu.
func (m *Manager) flushDirty(ctx context.Context) {
	if len(m.dirty) == 0 {
		return
	}
	pending := make([]Alarm, 0, len(m.dirty))
	for _, a := range m.dirty {
		pending = append(pending, a)
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].UpdatedAt.Before(pending[j].UpdatedAt) })
	for _, a := range pending {
		wctx, cancel := context.WithTimeout(ctx, retryTimeout)
		err := m.opts.Store.SaveAlarm(wctx, a)
		cancel()
		if err != nil {
			return
		}
		delete(m.dirty, a.ID)
		m.unstored.Store(int64(len(m.dirty)))
		m.log.Info("alarm persisted after retry", "id", a.ID, "type", a.Type, "state", a.State)
	}
}

// Run retries failed alarm writes until ctx ends: after a write fails it
// tries the pending ones again with exponential backoff (RetryMin …
// RetryMax) until all are stored, so that after a store outage every
// lifecycle step reaches the store even when no new alarm comes. Every
// EventEvery it records alarm events (RecordEvents). When ctx ends it
// tries once more and returns nil.
func (m *Manager) Run(ctx context.Context) error {
	tick := time.NewTicker(m.opts.EventEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			m.finalFlush()
			return nil
		case <-tick.C:
			m.recordEvents(ctx)
			continue
		case <-m.kick:
		}
		for wait := m.opts.RetryMin; m.Dirty() > 0; wait = min(2*wait, m.opts.RetryMax) {
			if !m.sleep(ctx, tick.C, wait) {
				m.finalFlush()
				return nil
			}
			m.mu.Lock()
			m.flushDirty(ctx)
			m.mu.Unlock()
		}
	}
}

func (m *Manager) finalFlush() {
	ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
	defer cancel()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.flushDirty(ctx)
	if n := len(m.dirty); n > 0 {
		m.log.Error("alarms not persisted at shutdown", "alarms", n)
	}
}

// Dirty returns how many alarms have a state not yet in the store. It
// does not wait for a write in progress.
func (m *Manager) Dirty() int { return int(m.unstored.Load()) }

// Get returns one alarm (open ones from memory, others from the store).
func (m *Manager) Get(ctx context.Context, id string) (Alarm, error) {
	m.mu.Lock()
	if a := m.openByID(id); a != nil {
		defer m.mu.Unlock()
		return *a, nil
	}
	m.mu.Unlock()
	a, err := m.opts.Store.Alarm(ctx, id)
	if err != nil {
		return Alarm{}, fmt.Errorf("%w: %s (%v)", ErrNotFound, id, err)
	}
	return a, nil
}

// List returns alarms from the store.
func (m *Manager) List(ctx context.Context, f Filter) ([]Alarm, error) {
	return m.opts.Store.Alarms(ctx, f)
}

// Active returns the open alarms, newest first.
func (m *Manager) Active() []Alarm {
	m.mu.Lock()
	out := make([]Alarm, 0, len(m.open))
	for _, a := range m.open {
		out = append(out, *a)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RaisedAt.Equal(out[j].RaisedAt) {
			return out[i].RaisedAt.After(out[j].RaisedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// IsOpen reports whether an alarm with key is open.
func (m *Manager) IsOpen(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.open[key]
	return ok
}

// finiteDetails replaces NaN and ±Inf numbers (which JSON cannot carry) with
// nil, so that a reading gone wild cannot keep its alarm from being stored.
func finiteDetails(d map[string]any) map[string]any {
	for k, v := range d {
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			d[k] = nil
		}
	}
	return d
}

// newID returns a sortable, unique alarm id: AL-<UTC time>-<random>.
func newID(at time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "AL-" + at.UTC().Format("20060102T150405.000") + "-" + hex.EncodeToString(b[:])
}
