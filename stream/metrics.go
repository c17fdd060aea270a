package stream

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Label values of the hub's metrics.
const (
	// dropped_frames_total{reason}
	dropQueueFull = "queue_full" // live frames thrown away when a client's queue overflowed
	dropStale     = "stale"      // live frames a newer snapshot already covered
	dropReplies   = "replies"    // error replies beyond a client's reply queue

	// disconnects_total{reason}
	byeClientClosed  = "client_closed"
	byeReadError     = "read_error"
	byePongTimeout   = "pong_timeout"
	byeWriteTimeout  = "write_timeout"
	byeWriteError    = "write_error"
	byeOversize      = "oversize"
	byeAlarmOverflow = "alarm_overflow"
	byeUnauthorized  = "unauthorized"
	byeShutdown      = "shutdown"
)

// metrics are the hub's Prometheus collectors.
type metrics struct {
	clients      prometheus.Gauge
	frames       *prometheus.CounterVec // {type}
	dropped      *prometheus.CounterVec // {reason}
	rejected     *prometheus.CounterVec // {reason}
	resyncs      prometheus.Counter
	disconnects  *prometheus.CounterVec // {reason}
	encodeErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chemtwin_ws_clients", Help: "Connected websocket clients.",
		}),
		frames: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ws_frames_total", Help: "Frames written to websocket clients, by frame type.",
		}, []string{"type"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ws_dropped_frames_total", Help: "Live frames not delivered (superseded by a snapshot), by reason.",
		}, []string{"reason"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ws_rejected_total", Help: "Rejected websocket requests and client messages, by reason.",
		}, []string{"reason"}),
		resyncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_ws_resyncs_total", Help: "Fresh snapshots forced by a full queue or asked for by a client.",
		}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_ws_disconnects_total", Help: "Closed websocket connections, by reason.",
		}, []string{"reason"}),
		encodeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_ws_encode_errors_total", Help: "Features that could not be encoded as JSON and were left out of a frame.",
		}),
	}
	if reg == nil {
		return m
	}
	m.clients = register(reg, m.clients)
	m.frames = register(reg, m.frames)
	m.dropped = register(reg, m.dropped)
	m.rejected = register(reg, m.rejected)
	m.resyncs = register(reg, m.resyncs)
	m.disconnects = register(reg, m.disconnects)
	m.encodeErrors = register(reg, m.encodeErrors)
	return m
}

// register registers c, or returns the collector already registered under
// the same description (a second hub on one registry shares the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}
