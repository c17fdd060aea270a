package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WriterOptions configure a Writer. Zero values are the defaults.
type WriterOptions struct {
	Batch      int           // events per transaction; default 500
	Interval   time.Duration // longest an event waits; default 1 s
	Queue      int           // events buffered; default 16384
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Writer appends events to a Store in batches from its own goroutine, so
// that the scene's observers never wait on disk. Add blocks only when the
// queue is full (backpressure, never loss). Safe for concurrent use; Run
// must be called once.
type Writer struct {
	st      Store
	opts    WriterOptions
	log     *slog.Logger
	in      chan Event
	written prometheus.Counter
	failed  prometheus.Counter
	invalid prometheus.Counter
}

// NewWriter returns a writer for st.
func NewWriter(st Store, opts WriterOptions) *Writer {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Queue <= 0 {
		opts.Queue = 16384
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	w := &Writer{
		st: st, opts: opts, log: opts.Logger.With("component", "eventlog"),
		in: make(chan Event, opts.Queue),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_events_written_total", Help: "Events appended to the event log.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_events_write_errors_total", Help: "Event batches that failed and were retried.",
		}),
		invalid: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_events_rejected_total", Help: "Events the store refused as invalid (dropped).",
		}),
	}
	if r := opts.Registerer; r != nil {
		r.MustRegister(w.written, w.failed, w.invalid)
	}
	return w
}

// Add queues events for writing.
func (w *Writer) Add(evs ...Event) {
	for _, e := range evs {
		w.in <- e
	}
}

// Run writes batches until ctx is done, then writes what is queued and
// returns.
func (w *Writer) Run(ctx context.Context) error {
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	batch := make([]Event, 0, w.opts.Batch)
	for {
		select {
		case e := <-w.in:
			if batch = append(batch, e); len(batch) >= w.opts.Batch {
				batch = w.flush(ctx, batch)
			}
		case <-tick.C:
			batch = w.flush(ctx, batch)
		case <-ctx.Done():
			return w.drain(batch)
		}
	}
}

// flush writes batch; on failure it keeps the batch for the next attempt
// (bounded: beyond ten batches' worth the oldest are dropped and logged —
// an event log must not take the service down with a dead disk).
func (w *Writer) flush(ctx context.Context, batch []Event) []Event {
	if len(batch) == 0 {
		return batch
	}
	err := w.st.AppendEvents(ctx, batch)
	if errors.Is(err, ErrInvalid) {
		return w.oneByOne(ctx, batch)
	}
	if err != nil {
		w.failed.Inc()
		w.log.Error("event batch not written; will retry", "events", len(batch), "err", err)
		if over := len(batch) - 10*w.opts.Batch; over > 0 {
			w.log.Error("event log backlog too long; oldest events dropped", "dropped", over)
			batch = append(batch[:0], batch[over:]...)
		}
		return batch
	}
	w.written.Add(float64(len(batch)))
	return batch[:0]
}

// oneByOne writes a batch that holds an invalid event event by event, so
// that only the invalid ones are dropped (and counted); the good ones are
// kept, and a failure of another kind keeps the rest for a retry.
func (w *Writer) oneByOne(ctx context.Context, batch []Event) []Event {
	for i, e := range batch {
		err := w.st.AppendEvents(ctx, []Event{e})
		switch {
		case errors.Is(err, ErrInvalid):
			w.invalid.Inc()
			w.log.Warn("invalid event dropped", "type", e.Type, "entity", e.EntityID, "err", err)
		case err != nil:
			w.failed.Inc()
			return append(batch[:0], batch[i:]...)
		default:
			w.written.Inc()
		}
	}
	return batch[:0]
}

// drain writes everything still queued with a fresh deadline.
func (w *Writer) drain(batch []Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case e := <-w.in:
			batch = append(batch, e)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return nil
	}
	if rest := w.flush(ctx, batch); len(rest) > 0 {
		return fmt.Errorf("store: %d events not written at shutdown", len(rest))
	}
	return nil
}
