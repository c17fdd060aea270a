package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// ErrConnect is returned by NewMQTTPublisher when the broker cannot be
// reached.
var ErrConnect = errors.New("sim: cannot connect to the mqtt broker")

// connectTimeout bounds the first connection attempt.
const connectTimeout = 10 * time.Second

// MQTTPublisher publishes over a paho MQTT client, as a gateway would. It
// reconnects by itself after a lost connection. It is safe for concurrent
// use.
type MQTTPublisher struct {
	c mqtt.Client
}

// NewMQTTPublisher connects to brokerURL (tcp://host:port) as clientID.
// logger (nil: slog.Default()) hears of lost and restored connections.
func NewMQTTPublisher(brokerURL, clientID string, logger *slog.Logger) (*MQTTPublisher, error) {
	if logger == nil {
		logger = slog.Default()
	}
	log := logger.With("component", "sim", "broker", brokerURL)
	o := mqtt.NewClientOptions().AddBroker(brokerURL).SetClientID(clientID).
		SetCleanSession(true).SetAutoReconnect(true).SetOrderMatters(false).
		SetConnectTimeout(connectTimeout).SetKeepAlive(30 * time.Second).
		SetMaxReconnectInterval(10 * time.Second)
	o.SetConnectionLostHandler(func(_ mqtt.Client, err error) { log.Warn("mqtt connection lost", "error", err) })
	o.SetReconnectingHandler(func(mqtt.Client, *mqtt.ClientOptions) { log.Info("mqtt reconnecting") })
	c := mqtt.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(connectTimeout + time.Second) {
		c.Disconnect(0)
		return nil, fmt.Errorf("%w: %s: timed out", ErrConnect, brokerURL)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConnect, brokerURL, err)
	}
	return &MQTTPublisher{c: c}, nil
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
