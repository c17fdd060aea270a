package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// plant is a real twin with one area (plant x, y in [0, 100] m), two people,
// a vehicle and two gas detectors.
type plant struct {
	t     *testing.T
	frame *geo.Frame
	scene *twin.Scene
}

func newPlant(t *testing.T) *plant {
	t.Helper()
	frame, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &plant{t: t, frame: frame, scene: twin.New(twin.Options{SiteID: "site", Frame: frame, Clock: func() time.Time { return t0 }})}
	area := frame.ToGeometry(orb.Polygon{{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}})
	up := func(e *twin.Entity) twin.Change { return twin.Upsert{Entity: e} }
	p.must(p.scene.Apply(
		up(&twin.Entity{ID: "A-1", Kind: twin.KindArea, Parent: "site", Geometry: area}),
		up(&twin.Entity{ID: "P-1", Kind: twin.KindPerson, Parent: "site", Mobile: &twin.Mobile{Tag: "T-1", Battery: math.NaN()}}),
		up(&twin.Entity{ID: "P-2", Kind: twin.KindPerson, Parent: "site", Mobile: &twin.Mobile{Tag: "T-2", Battery: math.NaN()}}),
		up(&twin.Entity{ID: "V-1", Kind: twin.KindVehicle, Parent: "site", Mobile: &twin.Mobile{Tag: "VT-1", Battery: math.NaN()}}),
		up(&twin.Entity{ID: "GD-1", Kind: twin.KindGasDetector, Parent: "A-1", Geometry: frame.Point(50, 50)}),
		up(&twin.Entity{ID: "GD-2", Kind: twin.KindGasDetector, Parent: "A-1", Geometry: frame.Point(60, 50)}),
	))
	return p
}

func (p *plant) must(res twin.Result) {
	p.t.Helper()
	if err := res.Err(); err != nil {
		p.t.Fatal(err)
	}
}

// move applies a fix at plant (x, y) at t0+dt.
func (p *plant) move(id string, x, y float64, dt time.Duration) {
	p.t.Helper()
	p.must(p.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: p.frame.Point(x, y), At: t0.Add(dt)}, Battery: math.NaN()}))
}

// reading applies a detector reading at t0+dt, then the derived state as
// the rules engine writes it (same time, only "state").
func (p *plant) reading(id string, v float64, dt time.Duration, fault bool) {
	p.t.Helper()
	at := t0.Add(dt)
	p.must(p.scene.Apply(twin.SetState{ID: id, At: at, State: map[string]any{"value": v, "unit": "%LEL", "fault": fault}}))
	p.must(p.scene.Apply(twin.SetState{ID: id, At: at, State: map[string]any{"state": fmt.Sprintf("s%v", v)}}))
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// start runs rec until the test ends (or stop is called) and returns stop,
// which cancels Run and returns its error.
func start(t *testing.T, rec *Recorder) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRecorderPositions(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	rec, err := NewRecorder(Options{Store: fs, Scene: p.scene, Logger: quiet(), FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, rec)
	// P-1 walks east at 0.4 m per 2 s fix from outside the area into it,
	// then stands still; P-2 stands still; V-1 drives 20 m per fix.
	for i := range 30 {
		dt := time.Duration(2*i) * time.Second
		x := -1.8 + 0.4*float64(min(i, 20))
		p.move("P-1", x, 50, dt)
		p.move("P-2", 10, 10, dt)
		p.move("V-1", 20*float64(i), 150, dt)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ps, _, _ := fs.snapshot()
	byID := map[string][]store.Position{}
	for _, q := range ps {
		byID[q.EntityID] = append(byID[q.EntityID], q)
	}
	type kept struct {
		second int
		area   string
	}
	check := func(id string, want []kept) {
		t.Helper()
		var got []kept
		for _, q := range byID[id] {
			got = append(got, kept{int(q.At.Sub(t0) / time.Second), q.AreaID})
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s kept %v\nwant %v", id, got, want)
		}
	}
	// P-1: first fix; 1.2 m later (6 s); entering A-1 (10 s, 0.8 m after
	// the last kept fix); then every 1.2 m; still from 40 s on: every 10 s.
	check("P-1", []kept{{0, ""}, {6, ""}, {10, "A-1"}, {16, "A-1"}, {22, "A-1"}, {28, "A-1"}, {34, "A-1"}, {40, "A-1"}, {50, "A-1"}})
	check("P-2", []kept{{0, "A-1"}, {10, "A-1"}, {20, "A-1"}, {30, "A-1"}, {40, "A-1"}, {50, "A-1"}})
	if n := len(byID["V-1"]); n != 30 {
		t.Errorf("vehicle kept %d of 30 fixes 20 m apart", n)
	}
	if got := testutil.ToFloat64(rec.metrics.skipped); got != float64(90-len(ps)) {
		t.Errorf("skipped = %v, want %d", got, 90-len(ps))
	}
}

func TestRecorderReadingsAndRollups(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	clk := &clock{t: t0}
	rec, err := NewRecorder(Options{Store: fs, Scene: p.scene, Logger: quiet(), Clock: clk.Now, FlushInterval: 5 * time.Millisecond, RollupGrace: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, rec)
	for i, v := range []float64{3, 5, 4, 4} { // GD-1 at 0, 15, 30, 45 s of minute 0
		p.reading("GD-1", v, time.Duration(15*i)*time.Second, false)
	}
	p.reading("GD-2", 0, 10*time.Second, true) // faulted: raw only
	p.reading("GD-2", 8, 20*time.Second, false)
	p.reading("GD-1", 9, 65*time.Second, false) // minute 1 closes minute 0 of GD-1
	eventually(t, "GD-1 minute 0", func() bool { _, _, ru := fs.snapshot(); return len(ru) == 1 })
	clk.Set(t0.Add(70 * time.Second)) // past minute 0 + grace: GD-2's minute closes
	eventually(t, "GD-2 minute 0", func() bool { _, _, ru := fs.snapshot(); return len(ru) == 2 })
	if err := stop(); err != nil { // shutdown emits GD-1's minute 1
		t.Fatal(err)
	}
	_, rs, ru := fs.snapshot()
	if len(rs) != 7 {
		t.Fatalf("%d raw readings, want 7 (state-only upserts skipped): %+v", len(rs), rs)
	}
	if !rs[4].Fault || rs[4].DetectorID != "GD-2" {
		t.Errorf("faulted reading recorded as %+v", rs[4])
	}
	sortRollups(ru)
	m := func(k int) time.Time { return t0.Add(time.Duration(k) * time.Minute) }
	want := []store.Rollup{
		{DetectorID: "GD-1", Minute: m(0), Min: 3, Max: 5, Sum: 16, N: 4, Unit: "%LEL"},
		{DetectorID: "GD-1", Minute: m(1), Min: 9, Max: 9, Sum: 9, N: 1, Unit: "%LEL"},
		{DetectorID: "GD-2", Minute: m(0), Min: 8, Max: 8, Sum: 8, N: 1, Unit: "%LEL"},
	}
	if !slices.Equal(ru, want) {
		t.Fatalf("rollups\n got %+v\nwant %+v", ru, want)
	}
}

func TestRecorderRetriesUntilTheStoreRecovers(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	fs.setDown(true)
	reg := prometheus.NewRegistry()
	var recovered atomic.Int32
	rec, err := NewRecorder(Options{
		Store: fs, Scene: p.scene, Logger: quiet(), Registerer: reg, KeepMoveM: -1, Batch: 7,
		FlushInterval: 5 * time.Millisecond, RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond,
		OnRecover: func() { recovered.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	start(t, rec)
	for i := range 50 {
		p.move("P-1", float64(i), 50, time.Duration(i)*time.Second)
	}
	eventually(t, "retries", func() bool { fs.mu.Lock(); defer fs.mu.Unlock(); return fs.attempts >= 5 })
	st := rec.Status()
	if ks := st.Kinds[store.KindPositions]; st.Healthy || !ks.Retrying || !ks.CatchingUp || ks.LastError == "" || len(st.Reasons) == 0 {
		t.Fatalf("status while the store is down: %+v", st)
	}
	if st.Kinds[store.KindPositions].Backlog != 50 {
		t.Fatalf("backlog %d, want 50", st.Kinds[store.KindPositions].Backlog)
	}
	fs.setDown(false)
	eventually(t, "all rows written", func() bool { ps, _, _ := fs.snapshot(); return len(ps) == 50 })
	eventually(t, "caught up", func() bool { return rec.Status().Healthy })
	if n := recovered.Load(); n != 0 {
		t.Errorf("OnRecover called %d times after an outage that dropped nothing", n)
	}
	ps, _, _ := fs.snapshot()
	for i, q := range ps { // in order, each once
		if q.At != t0.Add(time.Duration(i)*time.Second) {
			t.Fatalf("row %d at %v: rows out of order or duplicated", i, q.At)
		}
	}
	if st := rec.Status(); !st.Healthy || st.Kinds[store.KindPositions].Written != 50 || st.Kinds[store.KindPositions].CatchingUp {
		t.Fatalf("status after recovery: %+v", st)
	}
	if n := testutil.ToFloat64(rec.metrics.errors.WithLabelValues(store.KindPositions)); n < 5 {
		t.Errorf("write errors counted %v, want ≥ 5", n)
	}
	if n := testutil.ToFloat64(rec.metrics.rows.WithLabelValues(store.KindPositions)); n != 50 {
		t.Errorf("rows counted %v, want 50", n)
	}
}

func TestRecorderOverflowDropsOldest(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	fs.setDown(true)
	var mu sync.Mutex
	reported := map[string]int{}
	var recovered atomic.Int32
	rec, err := NewRecorder(Options{
		Store: fs, Scene: p.scene, Logger: quiet(), KeepMoveM: -1, Buffer: 20, Batch: 5,
		FlushInterval: 5 * time.Millisecond, RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond,
		OnOverflow: func(kind string, n int) { mu.Lock(); reported[kind] += n; mu.Unlock() },
		OnRecover:  func() { recovered.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	start(t, rec)
	// The writer takes the first fix as its batch and keeps retrying it;
	// the next 100 fixes overflow the buffer of 20.
	p.move("P-1", 0, 0, 0)
	eventually(t, "first batch taken", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.positions.inflight == 1
	})
	for i := 1; i <= 100; i++ {
		p.move("P-1", float64(i), 50, time.Duration(i)*time.Second)
	}
	eventually(t, "overflow reported", func() bool { mu.Lock(); defer mu.Unlock(); return reported[store.KindPositions] == 80 })
	st := rec.Status()
	if ks := st.Kinds[store.KindPositions]; ks.Dropped != 80 || ks.Backlog != 21 || st.Healthy {
		t.Fatalf("status during overflow: %+v", st)
	}
	if got := testutil.ToFloat64(rec.metrics.dropped.WithLabelValues(store.KindPositions)); got != 80 {
		t.Fatalf("dropped metric %v, want 80", got)
	}
	fs.setDown(false)
	eventually(t, "buffer written", func() bool { return rec.Status().Kinds[store.KindPositions].Backlog == 0 })
	eventually(t, "recovery reported", func() bool { return recovered.Load() == 1 })
	ps, _, _ := fs.snapshot()
	var got []int
	for _, q := range ps {
		got = append(got, int(q.At.Sub(t0)/time.Second))
	}
	// The batch in flight (fix 0) and the 20 newest fixes survive, in order.
	if want := append([]int{0}, seq(81, 101)...); !slices.Equal(got, want) {
		t.Fatalf("written %v\nwant    %v", got, want)
	}
}

func TestRecorderDropsOnlyInvalidRows(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	fs.invalid = func(row any) bool { q, ok := row.(store.Position); return ok && q.At.Sub(t0)%(7*time.Second) == 0 }
	rec, err := NewRecorder(Options{Store: fs, Scene: p.scene, Logger: quiet(), KeepMoveM: -1, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, rec)
	for i := 1; i <= 40; i++ {
		p.move("P-1", float64(i), 50, time.Duration(i)*time.Second)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ps, _, _ := fs.snapshot()
	if len(ps) != 40-5 { // 7, 14, 21, 28, 35 refused
		t.Fatalf("%d rows written, want 35", len(ps))
	}
	if st := rec.Status().Kinds[store.KindPositions]; st.Rejected != 5 || st.Retrying {
		t.Fatalf("status %+v, want 5 rejected and no retry", st)
	}
}

func TestRecorderFlushTimeoutAtShutdown(t *testing.T) {
	p := newPlant(t)
	fs := newFakeStore()
	fs.setDown(true)
	rec, err := NewRecorder(Options{Store: fs, Scene: p.scene, Logger: quiet(), KeepMoveM: -1,
		RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, FlushTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, rec)
	for i := range 3 {
		p.move("P-1", float64(i), 50, time.Duration(i)*time.Second)
	}
	if err := stop(); !errors.Is(err, ErrUnflushed) {
		t.Fatalf("Run = %v, want ErrUnflushed", err)
	}
	if err := rec.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run = %v, want ErrRunning", err)
	}
}

func TestNewRecorderNeedsAStore(t *testing.T) {
	if _, err := NewRecorder(Options{}); !errors.Is(err, ErrOptions) {
		t.Fatalf("err = %v, want ErrOptions", err)
	}
}

// BenchmarkObserve measures the recorder's share of the publishing path:
// one result of 256 moves (as ingest batches them) of moving tags.
func BenchmarkObserve(b *testing.B) {
	rec, err := NewRecorder(Options{Store: newFakeStore(), Logger: quiet(), Buffer: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	res := twin.Result{Deltas: make([]twin.Delta, 256)}
	for j := range res.Deltas {
		res.Deltas[j] = twin.Delta{Op: twin.OpMove, ID: fmt.Sprintf("P-%d", j), Kind: twin.KindPerson}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range res.Deltas { // 1.1 m per fix: every fix is kept
			res.Deltas[j].Fix = twin.Fix{Point: orb.Point{106.6 + float64(i%100)*1.25e-5, 38.1}, At: t0.Add(time.Duration(i) * 2 * time.Second)}
		}
		rec.Observe(res)
		if i%100 == 99 {
			rec.mu.Lock()
			rec.positions.ring.take(nil, 1<<20)
			rec.mu.Unlock()
		}
	}
}
