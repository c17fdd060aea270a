package history

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/store"
)

// Default retention periods. AQ 3064.3-2025 asks for positioning data to be
// kept at least one year; 400 days leaves a margin for the yearly review.
const (
	DefaultKeepPositions = 400 * 24 * time.Hour
	DefaultKeepReadings  = 400 * 24 * time.Hour
	DefaultKeepRollups   = 3 * 365 * 24 * time.Hour
	minKeepPositions     = 365 * 24 * time.Hour // AQ 3064.3-2025: ≥ 1 year
)

// RetentionOptions configure a Retention. The zero value of each field is
// its default; Store is required.
type RetentionOptions struct {
	Store store.History // required
	// Positions, Readings and Rollups are how long rows of each kind are
	// kept; defaults DefaultKeep…; a negative period keeps them forever.
	Positions, Readings, Rollups time.Duration
	// Every is the time between purges; default 1 h.
	Every time.Duration
	// Timeout bounds one kind's purge; default 10 min.
	Timeout    time.Duration
	Clock      func() time.Time      // default time.Now
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // default: metrics not registered
}

// Retention deletes history older than its kind's period. It is safe for
// concurrent use.
type Retention struct {
	opts   RetentionOptions
	log    *slog.Logger
	purged *prometheus.CounterVec
	errs   *prometheus.CounterVec
}

// NewRetention returns a retention job for opts.Store.
func NewRetention(opts RetentionOptions) (*Retention, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("%w: Store is required", ErrOptions)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&opts.Positions, DefaultKeepPositions)
	def(&opts.Readings, DefaultKeepReadings)
	def(&opts.Rollups, DefaultKeepRollups)
	if opts.Every <= 0 {
		opts.Every = time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Retention{
		opts: opts, log: opts.Logger.With("component", "retention"),
		purged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_history_purged_rows_total", Help: "History rows deleted by the retention job, by kind.",
		}, []string{"kind"}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_history_purge_errors_total", Help: "Retention purges that failed, by kind.",
		}, []string{"kind"}),
	}
	if reg := opts.Registerer; reg != nil {
		for _, c := range []prometheus.Collector{r.purged, r.errs} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("history: retention metrics: %w", err)
			}
		}
	}
	if p := opts.Positions; p > 0 && p < minKeepPositions {
		r.log.Warn("positions kept for less than the year AQ 3064.3-2025 requires", "keep", p)
	}
	return r, nil
}

// Periods returns the period of each kind (negative: kept forever).
func (r *Retention) Periods() map[string]time.Duration {
	return map[string]time.Duration{
		store.KindPositions: r.opts.Positions, store.KindReadings: r.opts.Readings, store.KindRollups: r.opts.Rollups,
	}
}

// Run purges at once and then every Options.Every until ctx ends.
// Failures are logged and counted, and retried on the next round.
func (r *Retention) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.Every)
	defer t.Stop()
	for {
		if _, err := r.PurgeAll(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("retention purge incomplete; next round retries", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PurgeAll deletes, for every kind with a period, the rows older than it,
// and returns how many rows each kind lost.
func (r *Retention) PurgeAll(ctx context.Context) (map[string]int64, error) {
	now := r.opts.Clock()
	out := make(map[string]int64, 3)
	var errs []error
	for _, kind := range []string{store.KindPositions, store.KindReadings, store.KindRollups} {
		keep := r.Periods()[kind]
		if keep < 0 {
			continue
		}
		n, err := r.Purge(ctx, kind, now.Add(-keep))
		out[kind] = n
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Purge deletes the rows of one kind older than before.
func (r *Retention) Purge(ctx context.Context, kind string, before time.Time) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	start := time.Now()
	n, err := r.opts.Store.Purge(ctx, kind, before)
	if err != nil {
		r.errs.WithLabelValues(kind).Inc()
		return n, fmt.Errorf("history: purge %s: %w", kind, err)
	}
	r.purged.WithLabelValues(kind).Add(float64(n))
	if n > 0 {
		r.log.Info("history purged", "kind", kind, "rows", n, "before", before.UTC().Format(time.RFC3339), "took", time.Since(start).Round(time.Millisecond))
	}
	return n, nil
}
