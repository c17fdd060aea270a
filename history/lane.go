package history

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// lane buffers and writes the rows of one kind. Rows are pushed under the
// recorder's mutex; one goroutine (run, then finish) takes batches out and
// writes them, keeping a failed batch until it is written.
type lane[T any] struct {
	kind  string
	opts  *Options
	log   *slog.Logger
	mu    *sync.Mutex // the recorder's
	write func(context.Context, []T) error
	kick  chan struct{} // capacity 1: "there is something to write"
	m     laneMetrics

	// Guarded by mu.
	ring     ring[T]
	inflight int // rows of batch not yet written
	drops    int // rows dropped since the last overflow report
	stats    KindStatus

	batch []T // owned by the writing goroutine
}

func newLane[T any](kind string, r *Recorder, write func(context.Context, []T) error) *lane[T] {
	return &lane[T]{
		kind: kind, opts: &r.opts, log: r.log.With("kind", kind), mu: &r.mu, write: write,
		kick: make(chan struct{}, 1), m: r.metrics.lane(kind), ring: newRing[T](r.opts.Buffer),
	}
}

// push appends a row, dropping the oldest when the buffer is full. The
// caller holds mu.
func (l *lane[T]) push(v T) {
	if l.ring.push(v) {
		l.drops++
		l.stats.Dropped++
		l.m.dropped.Inc()
	}
	if l.ring.len() >= l.opts.Batch {
		l.wake()
	}
}

// wake tells the writer there is work, without waiting.
func (l *lane[T]) wake() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// run writes whenever woken until ctx ends. A batch that fails stays in
// l.batch for finish.
func (l *lane[T]) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
		}
		l.drain(ctx)
	}
}

// drain writes batches until the buffer is empty or ctx ends, retrying a
// failed batch with exponential backoff.
func (l *lane[T]) drain(ctx context.Context) {
	wait := l.opts.RetryMin
	for ctx.Err() == nil {
		if len(l.batch) == 0 && !l.next() {
			l.caughtUp()
			return
		}
		err := l.flush(ctx)
		if err == nil {
			wait = l.opts.RetryMin
			continue
		}
		if ctx.Err() != nil {
			return
		}
		l.failed(err, wait)
		sleep(ctx, wait)
		wait = min(2*wait, l.opts.RetryMax)
	}
}

// next takes the next batch out of the buffer.
func (l *lane[T]) next() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batch = l.ring.take(l.batch[:0], l.opts.Batch)
	l.inflight = len(l.batch)
	return len(l.batch) > 0
}

// flush writes l.batch, keeping what was not written.
func (l *lane[T]) flush(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, l.opts.WriteTimeout)
	n, err := l.writeSome(wctx, l.batch)
	cancel()
	if n > 0 {
		l.batch = append(l.batch[:0], l.batch[n:]...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight = len(l.batch)
	if err == nil {
		l.stats.Retrying = false
	}
	return err
}

// caughtUp marks the end of an outage: the buffer was emptied.
func (l *lane[T]) caughtUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stats.CatchingUp {
		l.stats.CatchingUp, l.stats.LastError = false, ""
		l.log.Info("history writes recovered; backlog written", "written", l.stats.Written)
	}
}

// writeSome writes rows and reports how many leading rows are done
// (written, or rejected as invalid). A batch the store refuses as invalid is
// bisected down to the offending rows, which are dropped and counted.
func (l *lane[T]) writeSome(ctx context.Context, rows []T) (int, error) {
	err := l.write(ctx, rows)
	switch {
	case err == nil:
		l.m.rows.Add(float64(len(rows)))
		l.count(func(s *KindStatus) { s.Written += int64(len(rows)) })
		return len(rows), nil
	case !errors.Is(err, store.ErrInvalid):
		return 0, err
	case len(rows) == 1:
		l.m.rejected.Inc()
		l.count(func(s *KindStatus) { s.Rejected++ })
		l.log.Warn("invalid history row dropped", "row", rows[0], "err", err)
		return 1, nil
	}
	half := len(rows) / 2
	n, err := l.writeSome(ctx, rows[:half])
	if err != nil {
		return n, err
	}
	m, err := l.writeSome(ctx, rows[half:])
	return n + m, err
}

func (l *lane[T]) count(fn func(*KindStatus)) {
	l.mu.Lock()
	fn(&l.stats)
	l.mu.Unlock()
}

// failed records a failed write: counted, logged (as an error when a streak
// starts), and the lane marked retrying.
func (l *lane[T]) failed(err error, wait time.Duration) {
	l.m.errors.Inc()
	l.mu.Lock()
	first := !l.stats.Retrying
	l.stats.Retrying, l.stats.CatchingUp, l.stats.LastError = true, true, err.Error()
	backlog := l.ring.len() + l.inflight
	l.mu.Unlock()
	level := slog.LevelWarn
	if first {
		level = slog.LevelError
	}
	l.log.Log(context.Background(), level, "history batch not written; will retry",
		"rows", len(l.batch), "backlog", backlog, "retry_in", wait, "err", err)
}

// finish writes what is left within ctx (the shutdown flush) and returns
// how many rows could not be written.
func (l *lane[T]) finish(ctx context.Context) int {
	l.drain(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ring.len() + len(l.batch)
}

// report returns and resets the rows dropped since the last report.
func (l *lane[T]) report() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.drops
	l.drops = 0
	return l.kind, n
}

// status returns the lane's figures. The caller holds mu.
func (l *lane[T]) status() KindStatus {
	s := l.stats
	s.Backlog = l.ring.len() + l.inflight
	return s
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
