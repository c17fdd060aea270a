package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Errors of New, Run and PublishAlarm.
var (
	ErrOptions        = errors.New("ingest: bad options")
	ErrRunning        = errors.New("ingest: Run already called")
	ErrNotConnected   = errors.New("ingest: not connected to the broker")
	ErrPublishTimeout = errors.New("ingest: publish not acknowledged in time")
)

// Timing of the MQTT client.
const (
	connectTimeout    = 5 * time.Second
	retryInterval     = time.Second
	maxReconnectDelay = 10 * time.Second
	keepAlive         = 30 * time.Second
	subscribeTimeout  = 10 * time.Second
	publishTimeout    = 5 * time.Second
	disconnectQuiesce = 250 // milliseconds
	connectWarnAfter  = 15 * time.Second
)

// Ingest subscribes to the contract's topics, validates every message and
// applies the accepted ones to the scene. It is safe for concurrent use.
type Ingest struct {
	opts   Options
	site   string
	env    Env // limits, frame and origin; Now is set per message
	log    *slog.Logger
	client paho.Client
	m      *metrics
	rejLog *rejectLog

	running    atomic.Bool
	stopping   atomic.Bool
	subscribed atomic.Bool

	// qmu guards closing queue: the MQTT callback sends under the read lock,
	// Run closes under the write lock once the client is disconnected.
	qmu    sync.RWMutex
	closed bool
	queue  chan item

	// loc solves RSSI reports and filters fixes with an accuracy; nil for
	// a scene without a plant frame (RSSI reports are then rejected). Only
	// the applier uses it, so each tag's reports reach it in order.
	loc       *locate.Solver
	lastPrune time.Time

	// The alarm events EnqueueAlarm queued for Run's publisher.
	aq              sync.Mutex
	alarmQ          []alarm.Event
	alarmDropWarned bool
	alarmKick       chan struct{}
}

// item is a parsed message waiting for the applier.
type item struct {
	topic Topic
	msg   any // Position, RSSI, Reading, Weather or CameraEvent
}

// New returns an Ingest; Run connects it.
func New(opts Options) (*Ingest, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	in := &Ingest{opts: withDefaults(opts)}
	in.site = in.opts.SiteID
	if err := checkSite(in.site); err != nil {
		return nil, fmt.Errorf("%w: site id %q: %v", ErrOptions, in.site, err)
	}
	in.log = in.opts.Logger.With("component", "ingest")
	in.rejLog = newRejectLog(in.log)
	in.queue = make(chan item, 8*in.opts.BatchSize)
	in.alarmKick = make(chan struct{}, 1)
	in.env = Env{
		MaxPayload: in.opts.MaxPayload, MaxFutureSkew: in.opts.MaxFutureSkew,
		MaxAge: in.opts.MaxAge, MaxDistanceM: in.opts.MaxDistanceM,
		Frame: in.opts.Scene.Frame(), Origin: siteOrigin(in.opts.Scene),
	}.withDefaults()
	var err error
	in.m, err = newMetrics(in.opts.Registerer,
		func() float64 { return float64(len(in.queue)) },
		func() float64 { return boolFloat(in.Connected()) })
	if err != nil {
		return nil, fmt.Errorf("ingest: register metrics: %w", err)
	}
	if in.loc = in.opts.Locator; in.loc == nil && in.opts.Scene.Frame() != nil {
		m, err := locate.NewMap(in.opts.Scene, nil)
		if m == nil {
			return nil, fmt.Errorf("ingest: positioning map: %w", err)
		}
		if err != nil {
			in.log.Warn("positioning map: features skipped", "err", err)
		}
		if in.loc, err = locate.NewSolver(m, in.opts.Positioning); err != nil {
			return nil, fmt.Errorf("ingest: positioning solver: %w", err)
		}
	}
	in.client = paho.NewClient(in.clientOptions(opts.ClientID != ""))
	return in, nil
}

// siteOrigin is the reference point of the far_from_site check: the plant
// frame's origin, else the site root's representative point, else none.
func siteOrigin(s *twin.Scene) *orb.Point {
	if f := s.Frame(); f != nil {
		p, _ := f.Origin()
		return &p
	}
	if e, ok := s.Get(s.SiteID()); ok && e.Placed() {
		p := e.Point()
		return &p
	}
	return nil
}

func (in *Ingest) clientOptions(persistent bool) *paho.ClientOptions {
	return paho.NewClientOptions().
		AddBroker(in.opts.BrokerURL).
		SetClientID(in.opts.ClientID).
		SetCleanSession(!persistent).
		SetOrderMatters(true). // the callback blocks when the queue is full: backpressure
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(retryInterval).
		SetMaxReconnectInterval(maxReconnectDelay).
		SetConnectTimeout(connectTimeout).
		SetKeepAlive(keepAlive).
		SetDefaultPublishHandler(in.onMessage). // queued messages of a persistent session
		SetOnConnectHandler(in.onConnect).
		SetConnectionLostHandler(in.onConnectionLost)
}

// Run connects to the broker (retrying, and reconnecting and resubscribing
// whenever the connection drops) and applies messages until ctx is done.
// Then it disconnects, applies what was already received and returns nil.
// Run may be called once.
func (in *Ingest) Run(ctx context.Context) error {
	if !in.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	applied := make(chan struct{})
	go in.applyLoop(applied)
	published := make(chan struct{})
	go in.publishAlarms(ctx, published)
	in.log.Info("mqtt connecting", "broker", in.opts.BrokerURL, "client_id", in.opts.ClientID)
	in.client.Connect() // completes in the background: ConnectRetry
	in.waitWarning(ctx)
	<-published // the queued alarms go out before the client disconnects
	in.stopping.Store(true)
	in.client.Disconnect(disconnectQuiesce)
	in.subscribed.Store(false)
	in.qmu.Lock() // waits for callbacks blocked on a full queue: the applier still drains it
	in.closed = true
	close(in.queue)
	in.qmu.Unlock()
	<-applied
	in.log.Info("mqtt disconnected")
	return nil
}

// waitWarning waits for ctx, warning once if the client has not connected
// within connectWarnAfter (a wrong --mqtt address shows up in the log).
func (in *Ingest) waitWarning(ctx context.Context) {
	warn := time.NewTimer(connectWarnAfter)
	defer warn.Stop()
	select {
	case <-ctx.Done():
		return
	case <-warn.C:
		if !in.Connected() {
			in.log.Warn("mqtt not connected yet", "broker", in.opts.BrokerURL, "after", connectWarnAfter)
		}
	}
	<-ctx.Done()
}

// Connected reports whether the client is connected and subscribed.
func (in *Ingest) Connected() bool {
	return in.subscribed.Load() && in.client.IsConnectionOpen()
}

func (in *Ingest) onConnect(c paho.Client) {
	filters := make(map[string]byte)
	for _, f := range Filters(in.site) {
		filters[f] = 1 // QoS 1: the publisher's QoS caps each delivery
	}
	// No per-filter route: every message goes to the default handler
	// (onMessage, set in the options), which routes by topic itself —
	// paho would split the topic and every route for each message.
	tok := c.SubscribeMultiple(filters, nil)
	if !tok.WaitTimeout(subscribeTimeout) || tok.Error() != nil {
		if !in.stopping.Load() { // a subscribe cut short by shutdown is no error
			in.log.Error("mqtt subscribe failed", "error", tok.Error())
		}
		return
	}
	for f, q := range tok.(*paho.SubscribeToken).Result() {
		if q > 2 {
			in.log.Error("mqtt subscription refused", "filter", f, "code", q)
			return
		}
	}
	in.subscribed.Store(true)
	in.log.Info("mqtt subscribed", "broker", in.opts.BrokerURL, "filters", len(filters))
}

func (in *Ingest) onConnectionLost(_ paho.Client, err error) {
	in.subscribed.Store(false)
	in.log.Warn("mqtt connection lost", "error", err)
}

// onMessage is the MQTT callback: it parses and enqueues, blocking while the
// queue is full so that backpressure reaches the broker's TCP connection.
func (in *Ingest) onMessage(_ paho.Client, msg paho.Message) {
	it, err := in.parse(msg.Topic(), msg.Payload())
	if err != nil {
		in.reject(it.topic, err)
		return
	}
	if ack, ok := it.msg.(Ack); ok { // no scene change: straight to the listener
		in.ack(it.topic.ID, ack)
		return
	}
	in.qmu.RLock()
	defer in.qmu.RUnlock()
	if in.closed {
		in.log.Warn("message dropped at shutdown", "kind", it.topic.Kind, "id", it.topic.ID)
		return
	}
	in.queue <- it
}

// parse routes and parses one message; a panic in a parser (a bug) is
// recovered and reported as an internal rejection.
func (in *Ingest) parse(topic string, payload []byte) (it item, err error) {
	defer func() {
		if r := recover(); r != nil {
			in.log.Error("parser panic", "topic", topic, "panic", r)
			err = fmt.Errorf("%w: %v", ErrInternal, r)
		}
	}()
	if it.topic, err = ParseTopic(in.site, topic); err != nil {
		it.topic = Topic{Kind: KindUnknown, ID: topic}
		return it, err
	}
	env := in.env
	env.Now = in.opts.Clock()
	it.msg, err = Parse(it.topic.Kind, payload, env)
	return it, err
}

// Parse parses a payload of the given kind: the matching ParseX result.
func Parse(k Kind, payload []byte, env Env) (any, error) {
	switch k {
	case KindPosition:
		return ParsePosition(payload, env)
	case KindRSSI:
		return ParseRSSI(payload, env)
	case KindReading:
		return ParseReading(payload, env)
	case KindWeather:
		return ParseWeather(payload, env)
	case KindCamera:
		return ParseCameraEvent(payload, env)
	case KindAck:
		return ParseAck(payload, env)
	}
	return nil, fmt.Errorf("%w: kind %q", ErrUnknownTopic, k)
}

// reject counts and logs one rejected message.
func (in *Ingest) reject(t Topic, err error) {
	reason := ReasonOf(err)
	if reason == "" {
		reason = ReasonInternal
	}
	in.m.rejected.WithLabelValues(string(t.Kind), string(reason)).Inc()
	in.rejLog.add(t.Kind, t.ID, reason, err)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
