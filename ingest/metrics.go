package ingest

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// warnEvery is how often one rejection reason may be logged at warn level;
// every rejection is logged at debug.
const warnEvery = 10 * time.Second

// metrics are the ingest's Prometheus collectors.
type metrics struct {
	messages       *prometheus.CounterVec // kind
	rejected       *prometheus.CounterVec // kind, reason
	unregistered   prometheus.Counter
	unknownBeacons prometheus.Counter
	unknownEvents  prometheus.Counter
	applySeconds   prometheus.Histogram
	batchSize      prometheus.Histogram
	alarms         *prometheus.CounterVec // result
	notifies       *prometheus.CounterVec // result
}

func newMetrics(reg prometheus.Registerer, queueLen, connected func() float64) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ingest_messages_total",
			Help: "MQTT messages accepted and applied to the twin, by kind.",
		}, []string{"kind"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ingest_rejected_total",
			Help: "MQTT messages rejected, by kind and reason.",
		}, []string{"kind", "reason"}),
		unregistered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_ingest_unregistered_tags_total",
			Help: "Tags not in the registry that were registered as unregistered people.",
		}),
		unknownBeacons: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_ingest_unknown_beacons_total",
			Help: "Beacon entries of RSSI messages skipped because the scene has no such beacon.",
		}),
		unknownEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_ingest_unknown_camera_events_total",
			Help: "Camera events accepted with a type outside the known vocabulary.",
		}),
		applySeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chemtwin_ingest_apply_seconds",
			Help:    "Duration of one Scene.Apply of an ingest batch.",
			Buckets: prometheus.ExponentialBuckets(25e-6, 2, 14), // 25 µs … 0.2 s
		}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chemtwin_ingest_batch_size",
			Help:    "Changes per Scene.Apply of an ingest batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11), // 1 … 1024
		}),
		alarms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ingest_alarms_published_total",
			Help: "Alarm events published on chemtwin/{site}/alarms, by result (ok, error).",
		}, []string{"result"}),
		notifies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ingest_notifies_published_total",
			Help: "Messages to tags published on chemtwin/{site}/tags/{tag}/notify, by result (ok, error).",
		}, []string{"result"}),
	}
	for _, k := range Kinds {
		m.messages.WithLabelValues(string(k))
	}
	if reg == nil {
		return m, nil
	}
	cs := []prometheus.Collector{m.messages, m.rejected, m.unregistered, m.unknownBeacons,
		m.unknownEvents, m.applySeconds, m.batchSize, m.alarms, m.notifies,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chemtwin_ingest_queue_length",
			Help: "Parsed messages waiting for the applier.",
		}, queueLen),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "chemtwin_ingest_connected",
			Help: "1 while connected and subscribed to the MQTT broker.",
		}, connected),
	}
	var errs []error
	for _, c := range cs {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}

// rejectLog logs rejections at debug, and at warn at most once per reason
// every warnEvery. It is safe for concurrent use.
type rejectLog struct {
	log        *slog.Logger
	mu         sync.Mutex
	last       map[Reason]time.Time
	suppressed map[Reason]int
}

func newRejectLog(log *slog.Logger) *rejectLog {
	return &rejectLog{log: log, last: make(map[Reason]time.Time), suppressed: make(map[Reason]int)}
}

func (l *rejectLog) add(kind Kind, id string, reason Reason, err error) {
	now := time.Now() // log pacing is about wall time, not the domain clock
	l.mu.Lock()
	warn := now.Sub(l.last[reason]) >= warnEvery
	n := l.suppressed[reason]
	if warn {
		l.last[reason], l.suppressed[reason] = now, 0
	} else {
		l.suppressed[reason]++
	}
	l.mu.Unlock()
	if warn {
		l.log.Warn("message rejected", "kind", kind, "id", id, "reason", reason, "error", err, "suppressed", n)
		return
	}
	l.log.Debug("message rejected", "kind", kind, "id", id, "reason", reason, "error", err)
}
