package history

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the recorder's Prometheus series, labelled by kind.
type metrics struct {
	rows, errors, dropped, rejected *prometheus.CounterVec
	backlog                         *prometheus.GaugeVec
	skipped                         prometheus.Counter
}

// laneMetrics are one kind's counters.
type laneMetrics struct {
	rows, errors, dropped, rejected prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"kind"})
	}
	m := &metrics{
		rows:     counter("chemtwin_history_rows_total", "History rows written to the store, by kind."),
		errors:   counter("chemtwin_history_write_errors_total", "History batch writes that failed and were retried, by kind."),
		dropped:  counter("chemtwin_history_dropped_total", "History rows dropped because the write buffer was full, by kind."),
		rejected: counter("chemtwin_history_rejected_total", "History rows the store refused as invalid (dropped), by kind."),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chemtwin_history_backlog_rows", Help: "History rows held in memory, not yet written, by kind.",
		}, []string{"kind"}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_history_fixes_skipped_total", Help: "Position fixes not kept by the down-sampling rule.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.rows, m.errors, m.dropped, m.rejected, m.backlog, m.skipped} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("history: metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) lane(kind string) laneMetrics {
	return laneMetrics{
		rows: m.rows.WithLabelValues(kind), errors: m.errors.WithLabelValues(kind),
		dropped: m.dropped.WithLabelValues(kind), rejected: m.rejected.WithLabelValues(kind),
	}
}
