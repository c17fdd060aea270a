package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// ErrConnect is returned by NewMQTTPublisher when the broker cannot be
// reached.
var ErrConnect = errors.New("sim: cannot connect to the mqtt broker")

// connectTimeout bounds the first connection attempt.
const connectTimeout = 10 * time.Second

// MQTTPublisher publishes over a paho MQTT client, as a gateway would. It
// reconnects by itself after a lost connection, and subscribes again to
// what Subscribe asked for. It is safe for concurrent use.
type MQTTPublisher struct {
	c    mqtt.Client
	log  *slog.Logger
	mu   sync.Mutex
	subs map[string]mqtt.MessageHandler // filter → handler
}

// NewMQTTPublisher connects to brokerURL (tcp://host:port) as clientID.
// logger (nil: slog.Default()) hears of lost and restored connections.
func NewMQTTPublisher(brokerURL, clientID string, logger *slog.Logger) (*MQTTPublisher, error) {
	if logger == nil {
		logger = slog.Default()
	}
	log := logger.With("component", "sim", "broker", brokerURL)
	p := &MQTTPublisher{log: log, subs: map[string]mqtt.MessageHandler{}}
	// Order matters: notices to one tag (an order, its update, its
	// all-clear) are handled in the order they came; the handlers do not
	// block (Sim.listen).
	o := mqtt.NewClientOptions().AddBroker(brokerURL).SetClientID(clientID).
		SetCleanSession(true).SetAutoReconnect(true).SetOrderMatters(true).
		SetConnectTimeout(connectTimeout).SetKeepAlive(30 * time.Second).
		SetMaxReconnectInterval(10 * time.Second)
	o.SetConnectionLostHandler(func(_ mqtt.Client, err error) { log.Warn("mqtt connection lost", "error", err) })
	o.SetReconnectingHandler(func(mqtt.Client, *mqtt.ClientOptions) { log.Info("mqtt reconnecting") })
	o.SetOnConnectHandler(p.resubscribe)
	c := mqtt.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(connectTimeout + time.Second) {
		c.Disconnect(0)
		return nil, fmt.Errorf("%w: %s: timed out", ErrConnect, brokerURL)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConnect, brokerURL, err)
	}
	p.c = c
	return p, nil
}

// Publish sends m and waits until the client has handed it to the network
// (QoS 0) or the broker has acknowledged it (QoS 1), or ctx is done.
func (p *MQTTPublisher) Publish(ctx context.Context, m Message) error {
	tok := p.c.Publish(m.Topic, m.QoS, false, m.Payload)
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close disconnects, giving queued messages a quarter of a second to leave.
func (p *MQTTPublisher) Close() { p.c.Disconnect(250) }

// subscribeTimeout bounds the wait for the broker's answer to a
// subscription.
const subscribeTimeout = 10 * time.Second

// Subscribe subscribes to filter with QoS 1 and calls handle, on the
// client's goroutine, with each message's topic and payload, in the order
// they come; handle must not block. The subscription is made again after
// every reconnection (the session is clean). It returns an error when the
// broker does not grant it now (it is still tried again on reconnection);
// unsubscribe ends it.
func (p *MQTTPublisher) Subscribe(filter string, handle func(topic string, payload []byte)) (func(), error) {
	h := func(_ mqtt.Client, m mqtt.Message) { handle(m.Topic(), m.Payload()) }
	p.mu.Lock()
	p.subs[filter] = h
	p.mu.Unlock()
	err := wait(p.c.Subscribe(filter, 1, h), subscribeTimeout)
	unsubscribe := func() {
		p.mu.Lock()
		delete(p.subs, filter)
		p.mu.Unlock()
		_ = wait(p.c.Unsubscribe(filter), time.Second) // Close ends it anyway
	}
	if err != nil {
		return unsubscribe, fmt.Errorf("sim: subscribe %s: %w", filter, err)
	}
	return unsubscribe, nil
}

// resubscribe makes the subscriptions again on a (re)connection; paho
// calls it on a goroutine of its own.
func (p *MQTTPublisher) resubscribe(c mqtt.Client) {
	p.mu.Lock()
	subs := make(map[string]mqtt.MessageHandler, len(p.subs))
	for f, h := range p.subs {
		subs[f] = h
	}
	p.mu.Unlock()
	for f, h := range subs {
		if err := wait(c.Subscribe(f, 1, h), subscribeTimeout); err != nil {
			p.log.Warn("mqtt subscription not renewed", "filter", f, "error", err)
		}
	}
}

// wait waits for tok at most d.
func wait(tok mqtt.Token, d time.Duration) error {
	if !tok.WaitTimeout(d) {
		return errors.New("timed out")
	}
	return tok.Error()
}
