package park

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the uploader's Prometheus collectors.
type metrics struct {
	sent, failed, rejected *prometheus.CounterVec // batches, by table
	records, dropped       *prometheus.CounterVec // records, by table
	ignored                prometheus.Counter     // alarm records that could not be encoded
	lastOK                 prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, queue func() float64) (*metrics, error) {
	byTable := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"table"})
	}
	m := &metrics{
		sent:     byTable("chemtwin_park_batches_sent_total", "Batches the park platform accepted, by table."),
		failed:   byTable("chemtwin_park_batches_failed_total", "Batches that failed and will be retried, by table."),
		rejected: byTable("chemtwin_park_batches_rejected_total", "Batches the park platform refused as malformed (400, 413, 422) and dropped, by table."),
		records:  byTable("chemtwin_park_records_sent_total", "Records the park platform accepted, by table."),
		dropped:  byTable("chemtwin_park_records_dropped_total", "Records dropped because the queue was full or the batch was refused, by table."),
		ignored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_park_encode_errors_total", Help: "Alarm records that could not be encoded.",
		}),
		lastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chemtwin_park_last_success_timestamp_seconds", Help: "Unix time of the last push the park platform fully accepted.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	q := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "chemtwin_park_queue_records", Help: "Records waiting to be pushed (positions and alarm records).",
	}, queue)
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.rejected, m.records, m.dropped, m.ignored, m.lastOK, q} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("park: metrics: %w", err)
		}
	}
	return m, nil
}
