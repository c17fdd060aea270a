package sim

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Publisher sends messages to an MQTT broker. MQTTPublisher is the real
// one; Publish must be safe to call from Run's goroutine while Close runs
// elsewhere.
type Publisher interface {
	Publish(ctx context.Context, m Message) error
}

// Run ticks the wall clock every Options.Tick, steps the simulation to
// Options.Clock's time and publishes what Step returns, until ctx is done;
// it then returns nil. A message the publisher refuses is counted and logged (at
// most every 10 s) and dropped: the simulated devices, like real ones, do
// not buffer while the broker is away. With Options.Notices and a
// publisher that is a Subscriber, Run also listens to the tags' notify
// topics and, after each Step, hands the simulation the notices that came
// (see listen and Notice); the subscription ends with Run.
func (s *Sim) Run(ctx context.Context, pub Publisher) error {
	tick := time.NewTicker(s.opts.Tick)
	defer tick.Stop()
	inbox, stop := s.listen(pub)
	defer stop()
	var lastLog time.Time
	failed := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			now := s.opts.Clock()
			msgs := s.Step(now)
			s.takeNotices(inbox)
			for _, m := range msgs {
				err := pub.Publish(ctx, m)
				if ctx.Err() != nil {
					return nil
				}
				if err == nil {
					s.metrics.messages.WithLabelValues(kindOf(m.Topic)).Inc()
					continue
				}
				s.metrics.errors.Inc()
				if failed++; now.Sub(lastLog) >= 10*time.Second {
					s.log.Warn("publish failed", "topic", m.Topic, "failures", failed, "error", err)
					lastLog, failed = now, 0
				}
			}
		}
	}
}

// kindOf names a topic's message kind for the metrics.
func kindOf(topic string) string {
	switch {
	case strings.HasSuffix(topic, "/position"):
		return "position"
	case strings.HasSuffix(topic, "/rssi"):
		return "rssi"
	case strings.HasSuffix(topic, "/reading"):
		return "reading"
	case strings.HasSuffix(topic, "/events"):
		return "camera"
	case strings.HasSuffix(topic, "/ack"):
		return "ack"
	}
	return "weather"
}

type metrics struct {
	messages *prometheus.CounterVec
	errors   prometheus.Counter
	notices  *prometheus.CounterVec
}

// newMetrics creates Run's metrics and registers them with reg (none when
// reg is nil).
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_sim_messages_total",
			Help: "Messages the plant simulator published, by kind (position, rssi, reading, weather, camera, ack).",
		}, []string{"kind"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chemtwin_sim_publish_errors_total",
			Help: "Messages the plant simulator failed to publish.",
		}),
		notices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chemtwin_sim_notices_total",
			Help: "Notices to simulated tags the plant simulator received, by result (evacuation, evacuation_end, ignored, malformed, dropped).",
		}, []string{"result"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.messages, m.errors, m.notices} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
