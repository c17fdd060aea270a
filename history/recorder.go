package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

// Options configure a Recorder. The zero value of each field is its
// default; Store is required.
type Options struct {
	Store store.History // required
	// Scene, when set, is observed: NewRecorder calls Scene.Observe(Observe).
	Scene      *twin.Scene
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // default: metrics not registered
	// Clock closes rollup minutes; default time.Now.
	Clock func() time.Time

	// KeepMoveM keeps a fix farther than this from the entity's last kept
	// fix; default 1 m. KeepEvery keeps a fix this long after it; default
	// 10 s. A negative value of either keeps every fix.
	KeepMoveM float64
	KeepEvery time.Duration

	// Buffer is the most rows held per kind while they wait to be written
	// (plus the batch being written); default 200,000 — over ten minutes
	// of the demo plant's load. When full, the oldest rows are dropped.
	Buffer int
	// Batch is the most rows per store write; default 5,000.
	Batch int
	// FlushInterval is the longest a row waits while the store is up;
	// default 1 s.
	FlushInterval time.Duration
	// RetryMin and RetryMax bound the exponential backoff between attempts
	// to write a failed batch; defaults 500 ms and 30 s.
	RetryMin, RetryMax time.Duration
	// WriteTimeout bounds one batch write; default 30 s.
	WriteTimeout time.Duration
	// FlushTimeout bounds the flush when Run's context ends; default 10 s.
	FlushTimeout time.Duration
	// RollupGrace is how long past a minute's end its rollup waits for late
	// readings before it is emitted; default 10 s.
	RollupGrace time.Duration

	// OnOverflow is told how many rows of a kind were dropped since its
	// last call. It runs on Run's goroutine, at most once per FlushInterval
	// and kind, outside every lock: it may do I/O (raise an alarm).
	OnOverflow func(kind string, dropped int)
	// OnRecover is called, like OnOverflow, once after rows were dropped,
	// when the recorder keeps up again: no kind is retrying or writing an
	// outage's backlog, and no row was dropped since the last flush tick.
	OnRecover func()
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.KeepMoveM == 0 {
		o.KeepMoveM = 1
	}
	if o.KeepEvery == 0 {
		o.KeepEvery = 10 * time.Second
	}
	defDur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defDur(&o.FlushInterval, time.Second)
	defDur(&o.RetryMin, 500*time.Millisecond)
	defDur(&o.RetryMax, 30*time.Second)
	defDur(&o.WriteTimeout, 30*time.Second)
	defDur(&o.FlushTimeout, 10*time.Second)
	defDur(&o.RollupGrace, 10*time.Second)
	if o.Buffer <= 0 {
		o.Buffer = 200000
	}
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	o.Batch = min(o.Batch, o.Buffer)
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	return o
}

// Errors of the recorder.
var (
	ErrOptions   = errors.New("history: bad options")
	ErrRunning   = errors.New("history: Run called twice")
	ErrUnflushed = errors.New("history: rows not written at shutdown")
)

// Recorder records positions, readings and rollups from the twin's results
// into a store.History. It is safe for concurrent use.
type Recorder struct {
	opts    Options
	log     *slog.Logger
	metrics *metrics
	sample  sampling
	running atomic.Bool

	mu        sync.Mutex
	mobiles   map[string]*mobile
	detectors map[string]detector
	agg       aggregator
	emit      func(store.Rollup) // pushes to rollups; caller holds mu

	positions *lane[store.Position]
	readings  *lane[store.Reading]
	rollups   *lane[store.Rollup]
	lanes     []writer

	overflowed bool // rows were dropped and OnRecover not yet called (Run's goroutine only)
}

// writer is a lane seen without its row type.
type writer interface {
	run(ctx context.Context)
	finish(ctx context.Context) int
	report() (kind string, dropped int)
	status() KindStatus // the caller holds the recorder's mutex
	wake()
	name() string
}

func (l *lane[T]) name() string { return l.kind }

// NewRecorder returns a recorder writing to opts.Store.
func NewRecorder(opts Options) (*Recorder, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("%w: Store is required", ErrOptions)
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	r := &Recorder{
		opts: opts, log: opts.Logger.With("component", "history"), metrics: m,
		sample:  sampling{moveM: opts.KeepMoveM, every: opts.KeepEvery},
		mobiles: make(map[string]*mobile), detectors: make(map[string]detector), agg: newAggregator(),
	}
	r.positions = newLane(store.KindPositions, r, opts.Store.AppendPositions)
	r.readings = newLane(store.KindReadings, r, opts.Store.AppendReadings)
	r.rollups = newLane(store.KindRollups, r, opts.Store.AppendRollups)
	r.lanes = []writer{r.positions, r.readings, r.rollups}
	r.emit = r.rollups.push
	if opts.Scene != nil {
		opts.Scene.Observe(r.Observe)
	}
	return r, nil
}

// Observe takes the rows of one twin result: kept fixes of people and
// vehicles, new detector readings and their rollups. It only touches
// memory and never waits for the store; register it with Scene.Observe.
func (r *Recorder) Observe(res twin.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := res.Deltas
	for i := range ds {
		d := &ds[i]
		switch {
		case d.Op == twin.OpMove && d.Kind.Mobile():
			var follow *twin.Delta
			if i+1 < len(ds) {
				follow = &ds[i+1]
			}
			r.move(d, follow)
		case d.Op == twin.OpUpsert && d.Kind.Mobile() && d.Entity != nil && d.Entity.Mobile != nil:
			r.mobile(d.ID).area = d.Entity.Mobile.AreaID
		case d.Op == twin.OpUpsert && d.Kind == twin.KindGasDetector:
			r.reading(d.Entity)
		case d.Op == twin.OpRemove:
			delete(r.mobiles, d.ID)
			delete(r.detectors, d.ID)
			r.agg.closeDetector(d.ID, r.emit)
		}
	}
}

func (r *Recorder) mobile(id string) *mobile {
	m, ok := r.mobiles[id]
	if !ok {
		m = &mobile{}
		r.mobiles[id] = m
	}
	return m
}

// move keeps a fix if the down-sampling rule says so. A move that changed
// the containing area is followed by an upsert of the same entity and
// revision, which carries the new area.
func (r *Recorder) move(d, follow *twin.Delta) {
	m := r.mobile(d.ID)
	if f := follow; f != nil && f.Op == twin.OpUpsert && f.ID == d.ID && f.Rev == d.Rev && f.Entity != nil && f.Entity.Mobile != nil {
		m.area = f.Entity.Mobile.AreaID
	}
	p := store.Position{EntityID: d.ID, At: d.Fix.At, Lon: d.Fix.Point[0], Lat: d.Fix.Point[1], Z: d.Fix.Z, Floor: d.Fix.Floor, AreaID: m.area}
	if !r.sample.keep(m.last, m.kept, p) {
		r.metrics.skipped.Inc()
		return
	}
	m.last, m.kept = p, true
	r.positions.push(p)
}

// reading records a detector's new reading and folds it into its minute
// (faulted readings are not concentrations and stay out of the rollups).
func (r *Recorder) reading(e *twin.Entity) {
	rd, ok := readingOf(e)
	if !ok {
		return
	}
	if last, seen := r.detectors[e.ID]; seen && !last.isNew(rd) {
		return
	}
	r.detectors[e.ID] = detector{at: rd.At, value: rd.Value, unit: rd.Unit, fault: rd.Fault}
	r.readings.push(rd)
	if !rd.Fault {
		r.agg.add(rd, r.emit)
	}
}

// Run writes the buffered rows until ctx ends, then closes the open
// rollup minutes and flushes everything within Options.FlushTimeout. It
// returns ErrUnflushed (wrapped, with counts) when rows were left unwritten.
func (r *Recorder) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	var wg sync.WaitGroup
	for _, l := range r.lanes {
		wg.Go(func() { l.run(ctx) })
	}
	wg.Go(func() { r.tick(ctx) })
	wg.Wait()
	return r.shutdown()
}

func (r *Recorder) tick(ctx context.Context) {
	t := time.NewTicker(r.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.step()
		}
	}
}

// step closes finished rollup minutes, wakes the writers, reports overflow
// and a recovery, and updates the backlog gauge.
func (r *Recorder) step() {
	r.mu.Lock()
	r.agg.closeBefore(r.opts.Clock().Add(-r.opts.RollupGrace), r.emit)
	r.mu.Unlock()
	dropped := false
	for _, l := range r.lanes {
		l.wake()
		dropped = r.overflow(l) || dropped
	}
	st := r.Status()
	// Recovery is judged on the outage flags, not on the backlog: right
	// after the wake-up a lane holds a tick's worth of rows, which with a
	// small buffer is above the backlog threshold of Status in normal
	// running.
	busy := false
	for _, k := range st.Kinds {
		busy = busy || k.Retrying || k.CatchingUp
	}
	if dropped {
		r.overflowed = true
	} else if r.overflowed && !busy {
		r.overflowed = false
		if r.opts.OnRecover != nil {
			r.opts.OnRecover()
		}
	}
}

// overflow logs and reports the rows a lane dropped since the last report;
// it returns whether there were any.
func (r *Recorder) overflow(l writer) bool {
	kind, n := l.report()
	if n == 0 {
		return false
	}
	r.log.Error("history buffer full; oldest rows dropped", "kind", kind, "dropped", n, "buffer", r.opts.Buffer)
	if r.opts.OnOverflow != nil {
		r.opts.OnOverflow(kind, n)
	}
	return true
}

// shutdown emits the open rollup minutes and writes what is left.
func (r *Recorder) shutdown() error {
	r.mu.Lock()
	r.agg.closeAll(r.emit)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), r.opts.FlushTimeout)
	defer cancel()
	left := make([]int, len(r.lanes))
	var wg sync.WaitGroup
	for i, l := range r.lanes {
		wg.Go(func() { left[i] = l.finish(ctx) })
	}
	wg.Wait()
	var errs []error
	for i, l := range r.lanes {
		if kind, n := l.report(); n > 0 { // too late for OnOverflow: only logged
			r.log.Error("history buffer full; oldest rows dropped", "kind", kind, "dropped", n, "buffer", r.opts.Buffer)
		}
		if left[i] > 0 {
			r.log.Error("history rows not written at shutdown", "kind", l.name(), "rows", left[i])
			errs = append(errs, fmt.Errorf("%w: %d %s", ErrUnflushed, left[i], l.name()))
		}
	}
	r.Status() // final gauges
	return errors.Join(errs...)
}
