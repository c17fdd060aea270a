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

// BatchStore is a Store that saves several alarms in one transaction, in
// order, all or none (store.Store does). The manager uses it when it can:
// an alarm storm is written in a few transactions, not one per step.
type BatchStore interface {
	Store
	SaveAlarms(ctx context.Context, as []Alarm) error
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
	// Gather is how long Run's writer lets steps gather after the first
	// before it writes them, in one transaction: a burst of alarms (a
	// crowd crossing a fence line) costs a few transactions, not one each.
	// Observers hear every step at once regardless; only the store lags,
	// and Ack and Close wait for it. Default 10 ms; negative: none.
	Gather time.Duration
}

// retryTimeout bounds one retried write, so that a store that hangs does
// not hold the manager's lock for long.
const retryTimeout = 5 * time.Second

// Manager owns the alarm lifecycle: it deduplicates by condition key, keeps
// open alarms in memory, persists every step and tells observers. It is safe
// for concurrent use.
//
// Safety comes before bookkeeping: observers (the viewers, MQTT) get every
// step at once, and persistence follows. While Run runs, the steps of
// rules (Raise, Clear, alarm events) are written behind by Run's writer —
// whatever accumulated since its last write, in one transaction — so that
// an alarm storm (hundreds of fence crossings a second) neither waits on
// the disk nor holds up detection. The steps people take (Ack, Close)
// return only once written. Without Run every step is written before its
// call returns. When the store fails, nothing is lost from memory: the
// writes are retried with backoff until they succeed.
type Manager struct {
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	open      map[string]*Alarm  // by Key: alarms not cleared
	dirty     map[string]pending // by ID: the latest state not yet written
	seq       uint64             // commits so far
	stored    uint64             // every commit up to this one is written
	storedCh  chan struct{}      // closed (and replaced) when stored advances
	behind    bool               // Run's writer persists (write-behind)
	observers []func(Event)
	silences  map[string]Silence // by ID; written through to a SilenceStore (silence.go)
	silenceMu sync.Mutex         // serialises AddSilence and RemoveSilence; taken before mu
	kick      chan struct{}      // capacity 1: Run's writer has work
	unstored  atomic.Int64       // len(dirty), readable without mu
	failing   atomic.Bool        // the last write failed

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
	switch {
	case opts.Gather == 0:
		opts.Gather = 10 * time.Millisecond
	case opts.Gather < 0:
		opts.Gather = 0
	}
	m := &Manager{
		opts:     opts,
		log:      opts.Logger.With("component", "alarm"),
		open:     make(map[string]*Alarm),
		dirty:    make(map[string]pending),
		storedCh: make(chan struct{}),
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
	if err := m.loadSilences(ctx); err != nil {
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

// Raiser is what a detector raises and clears its alarms through; the
// fence, gathering and threat services take one (*Manager satisfies it).
type Raiser interface {
	Raise(ctx context.Context, r Raise) (Alarm, bool, error)
	Clear(ctx context.Context, key string, at time.Time) (Alarm, bool, error)
}

var _ Raiser = (*Manager)(nil)

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
		_, err := m.commit(ctx, ActionUpdated, *a)
		return *a, false, err
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
	_, err := m.commit(ctx, ActionRaised, *a)
	return *a, true, err
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
	_, err := m.commit(ctx, ActionCleared, *a)
	return *a, true, err
}

// Ack records that the named person confirmed the alarm. An open alarm
// becomes acknowledged; a cleared one keeps its state and gains the
// acknowledgement. Acknowledging twice is ErrState. It returns once the
// acknowledgement is written (an error when it is not yet: it stays
// queued and is retried).
func (m *Manager) Ack(ctx context.Context, id, by, note string) (Alarm, error) {
	a, seq, err := m.ack(ctx, id, by, note)
	if err != nil {
		return a, err
	}
	return a, m.waitStored(ctx, seq)
}

func (m *Manager) ack(ctx context.Context, id, by, note string) (Alarm, uint64, error) {
	if by == "" {
		return Alarm{}, 0, fmt.Errorf("%w: acknowledgement needs a name", ErrState)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.openByID(id)
	if a == nil {
		stored, err := m.storedAlarm(ctx, id)
		if err != nil {
			return Alarm{}, 0, err
		}
		a = &stored
	}
	if a.AckedAt != nil {
		return *a, 0, fmt.Errorf("%w: %s was acknowledged by %s", ErrState, id, a.AckedBy)
	}
	now := m.opts.Clock()
	a.AckedAt, a.AckedBy, a.AckNote, a.UpdatedAt = &now, by, note, now
	if a.State == Active {
		a.State = Acknowledged
	}
	seq, err := m.commit(ctx, ActionAcked, *a)
	return *a, seq, err
}

// storedAlarm returns a cleared alarm: its latest state if not yet
// written, else the store's. The caller holds mu.
func (m *Manager) storedAlarm(ctx context.Context, id string) (Alarm, error) {
	if p, ok := m.dirty[id]; ok {
		return p.a, nil
	}
	a, err := m.opts.Store.Alarm(ctx, id)
	if err != nil {
		return Alarm{}, fmt.Errorf("%w: %s (%v)", ErrNotFound, id, err)
	}
	return a, nil
}

func (m *Manager) openByID(id string) *Alarm {
	for _, a := range m.open {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// pending is a state waiting to be written and the commit that made it.
type pending struct {
	a   Alarm
	seq uint64
}

// commit records a lifecycle step: it tells observers and queues the state
// for writing. Without Run's writer it writes it (and any earlier failed
// ones) before returning; with it, it wakes the writer. It returns the
// step's sequence number (for waitStored) and, when it wrote, the error.
// The caller holds mu.
func (m *Manager) commit(ctx context.Context, act Action, a Alarm) (uint64, error) {
	m.seq++
	seq := m.seq
	m.dirty[a.ID] = pending{a, seq} // an older unwritten state is superseded
	m.unstored.Store(int64(len(m.dirty)))
	ev := Event{Action: act, Alarm: a, enc: &encoding{}}
	for _, fn := range m.observers {
		fn(ev)
	}
	if m.behind {
		m.wake()
		return seq, nil
	}
	if err := m.writeLocked(ctx); err != nil {
		return seq, fmt.Errorf("alarm: persist %s: %w", a.ID, err)
	}
	return seq, nil
}

func (m *Manager) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// batch returns the unwritten states in commit order. The caller holds mu.
func (m *Manager) batch() []pending {
	out := make([]pending, 0, len(m.dirty))
	for _, p := range m.dirty {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// save writes a batch — in one transaction when the store can — and
// returns the states it wrote. When the batch fails each state is tried on
// its own, so that one the store refuses (bad text, say) cannot hold the
// others back; err is then the first failure.
func (m *Manager) save(ctx context.Context, ps []pending) ([]pending, error) {
	ctx, cancel := context.WithTimeout(ctx, retryTimeout)
	defer cancel()
	if bs, ok := m.opts.Store.(BatchStore); ok {
		as := make([]Alarm, len(ps))
		for i, p := range ps {
			as[i] = p.a
		}
		err := bs.SaveAlarms(ctx, as)
		if err == nil || len(ps) == 1 || ctx.Err() != nil {
			if err != nil {
				return nil, err
			}
			return ps, nil
		}
	}
	var done []pending
	var first error
	for _, p := range ps {
		if err := m.opts.Store.SaveAlarm(ctx, p.a); err != nil {
			if first == nil {
				first = err
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		done = append(done, p)
	}
	return done, first
}

// written drops the written states from the queue — unless a newer state
// of the same alarm came meanwhile — and advances stored: every commit
// below the oldest state still queued is in the store (a superseded state
// counts as written once its successor is). The caller holds mu.
func (m *Manager) written(done []pending) {
	for _, w := range done {
		if p, ok := m.dirty[w.a.ID]; ok && p.seq == w.seq {
			delete(m.dirty, w.a.ID)
		}
	}
	m.unstored.Store(int64(len(m.dirty)))
	upto := m.seq
	for _, p := range m.dirty {
		upto = min(upto, p.seq-1)
	}
	if upto > m.stored {
		m.stored = upto
		close(m.storedCh)
		m.storedCh = make(chan struct{})
	}
}

// outcome counts and logs how a write went.
func (m *Manager) outcome(tried, wrote int, err error) error {
	if err == nil {
		if m.failing.Swap(false) {
			m.log.Info("alarms persisted after a failed write", "alarms", wrote)
		}
		return nil
	}
	m.storeErrs.Inc()
	if !m.failing.Swap(true) {
		m.log.Error("alarms not persisted; retrying", "alarms", tried-wrote, "err", err)
	}
	return err
}

// writeLocked writes every unwritten state while holding mu (no writer
// runs). The caller holds mu.
func (m *Manager) writeLocked(ctx context.Context) error {
	if len(m.dirty) == 0 {
		return nil
	}
	as := m.batch()
	done, err := m.save(ctx, as)
	m.written(done)
	return m.outcome(len(as), len(done), err)
}

// writeBehind is one round of Run's writer: it takes the unwritten states
// and writes them without holding mu, so that steps keep coming while the
// disk works. Only the writer writes while it runs, so writes land in
// commit order.
func (m *Manager) writeBehind(ctx context.Context) error {
	m.mu.Lock()
	if len(m.dirty) == 0 {
		m.mu.Unlock()
		return nil
	}
	as := m.batch()
	m.mu.Unlock()
	done, err := m.save(ctx, as)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written(done)
	return m.outcome(len(as), len(done), err)
}

// waitStored waits until commit seq is written (at once without Run's
// writer: commit wrote it), or ctx ends.
func (m *Manager) waitStored(ctx context.Context, seq uint64) error {
	for {
		m.mu.Lock()
		if m.stored >= seq {
			m.mu.Unlock()
			return nil
		}
		if !m.behind {
			err := m.writeLocked(ctx)
			m.mu.Unlock()
			return err
		}
		ch := m.storedCh
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return fmt.Errorf("alarm: not yet persisted: %w", ctx.Err())
		case <-ch:
		}
	}
}

// Run writes the alarm steps behind (see Manager) until ctx ends, retrying
// failed writes with exponential backoff (RetryMin … RetryMax), and every
// EventEvery records alarm events (RecordEvents). When ctx ends it writes
// what is left and returns nil.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.behind {
		m.mu.Unlock()
		return errors.New("alarm: Run already running")
	}
	m.behind = true
	m.mu.Unlock()
	m.wake() // steps committed before Run
	tick := time.NewTicker(m.opts.EventEvery)
	defer tick.Stop()
	defer m.finalFlush()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			m.recordEvents(ctx)
			continue
		case <-m.kick:
		}
		if m.opts.Gather > 0 && !m.sleep(ctx, tick.C, m.opts.Gather) {
			return nil
		}
		for wait := m.opts.RetryMin; m.writeBehind(ctx) != nil; wait = min(2*wait, m.opts.RetryMax) {
			if !m.sleep(ctx, tick.C, wait) {
				return nil
			}
		}
	}
}

// finalFlush ends write-behind and writes what is left.
func (m *Manager) finalFlush() {
	ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
	defer cancel()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.behind = false
	if err := m.writeLocked(ctx); err != nil {
		m.log.Error("alarms not persisted at shutdown", "alarms", len(m.dirty), "err", err)
	}
	// Wake anyone waiting for a write: they now write themselves.
	close(m.storedCh)
	m.storedCh = make(chan struct{})
}

// Dirty returns how many alarms have a state not yet in the store (a
// moment's worth while Run writes behind). It does not wait for a write in
// progress.
func (m *Manager) Dirty() int { return int(m.unstored.Load()) }

// Failing reports whether the last write of alarms failed (they are
// retried; see Run).
func (m *Manager) Failing() bool { return m.failing.Load() }

// Get returns one alarm (open ones from memory, others from the store).
func (m *Manager) Get(ctx context.Context, id string) (Alarm, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a := m.openByID(id); a != nil {
		return *a, nil
	}
	return m.storedAlarm(ctx, id)
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
