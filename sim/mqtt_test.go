package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/ingest/broker"
)

// Every message the simulator makes is accepted by the real ingest
// parsers: the DESIGN.md contract from the consumer's side.
func TestIngestAcceptsEverything(t *testing.T) {
	msgs := runFor(t, newTestSim(t, blePlant, Options{Seed: 12, Episodes: true}), 20*time.Minute, time.Second)
	kinds := map[ingest.Kind]int{}
	for _, s := range msgs {
		top, err := ingest.ParseTopic("plant", s.msg.Topic)
		if err != nil {
			t.Fatalf("topic: %v", err)
		}
		if _, err := ingest.Parse(top.Kind, s.msg.Payload, ingest.Env{Now: s.at}); err != nil {
			t.Fatalf("%s %s: %v", s.msg.Topic, s.msg.Payload, err)
		}
		kinds[top.Kind]++
	}
	for _, k := range []ingest.Kind{ingest.KindPosition, ingest.KindRSSI, ingest.KindReading, ingest.KindWeather, ingest.KindCamera} {
		if kinds[k] == 0 {
			t.Errorf("no %s messages", k)
		}
	}
}

// TestPublishThroughBrokers runs the simulator against the embedded broker
// and, where one listens on 127.0.0.1:1883, mosquitto (required with
// CHEMTWIN_REQUIRE_MOSQUITTO=1), with a subscriber on the other side.
func TestPublishThroughBrokers(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		publishThrough(t, b.URL())
	})
	t.Run("mosquitto", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:1883", time.Second)
		if err != nil {
			if os.Getenv("CHEMTWIN_REQUIRE_MOSQUITTO") == "1" {
				t.Fatalf("mosquitto required but unreachable: %v", err)
			}
			t.Skipf("no broker on 127.0.0.1:1883 (%v); set CHEMTWIN_REQUIRE_MOSQUITTO=1 to require it", err)
		}
		c.Close()
		publishThrough(t, "tcp://127.0.0.1:1883")
	})
}

func publishThrough(t *testing.T, url string) {
	site := fmt.Sprintf("simtest%d", time.Now().UnixNano())
	got := subscribe(t, url, "chemtwin/"+site+"/#")
	reg := prometheus.NewRegistry()
	sim, err := New(blePlant.build(t), Options{
		SiteID: site, Seed: 1, Tick: 50 * time.Millisecond, Registerer: reg,
		Start: time.Now().Add(-15 * time.Second), // so that a weather report is due at once
	})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := NewMQTTPublisher(url, site+"-sim", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx, pub) }()

	kinds := map[ingest.Kind]int{}
	deadline := time.After(20 * time.Second)
	for kinds[ingest.KindPosition] < blePlant.people || kinds[ingest.KindRSSI] < sim.Counts().BLE || kinds[ingest.KindReading] < blePlant.detectors || kinds[ingest.KindWeather] == 0 {
		select {
		case m := <-got:
			top, err := ingest.ParseTopic(site, m.Topic())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ingest.Parse(top.Kind, m.Payload(), ingest.Env{Now: time.Now()}); err != nil {
				t.Fatalf("%s %s: %v", m.Topic(), m.Payload(), err)
			}
			kinds[top.Kind]++
		case <-deadline:
			t.Fatalf("after 20 s the subscriber has %v", kinds)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	if n := counterSum(t, reg, "chemtwin_sim_messages_total"); n < float64(blePlant.people) {
		t.Errorf("chemtwin_sim_messages_total = %v", n)
	}
	if n := counterValue(t, reg, "chemtwin_sim_messages_total", "rssi"); n == 0 {
		t.Error("no rssi messages counted")
	}
}

// subscribe connects a subscriber to url and returns its messages.
func subscribe(t *testing.T, url, filter string) <-chan mqtt.Message {
	ch := make(chan mqtt.Message, 10000)
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("sub%d", time.Now().UnixNano())))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscriber connect: %v", tok.Error())
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { c.Disconnect(100) }) })
	tok := c.Subscribe(filter, 0, func(_ mqtt.Client, m mqtt.Message) {
		select {
		case ch <- m:
		default: // the test has what it needs
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return ch
}

func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// counterValue returns the value of the counter name with label kind.
func counterValue(t *testing.T, reg *prometheus.Registry, name, kind string) float64 {
	return counterValueOf(t, reg, name, "kind", kind)
}

func TestMQTTPublisherUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	if _, err := NewMQTTPublisher("tcp://"+addr, "x", nil); !errors.Is(err, ErrConnect) {
		t.Fatalf("err = %v, want ErrConnect", err)
	}
}

// failingPublisher refuses everything: a broker that is down.
type failingPublisher struct{}

func (failingPublisher) Publish(context.Context, Message) error { return errors.New("broker down") }

func TestRunCountsFailures(t *testing.T) {
	reg := prometheus.NewRegistry()
	quiet := slog.New(slog.DiscardHandler)
	sim, err := New(smallPlant.build(t), Options{Seed: 1, Tick: 20 * time.Millisecond, Registerer: reg, Logger: quiet, Start: time.Now().Add(-5 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := sim.Run(ctx, failingPublisher{}); err != nil {
		t.Fatal(err)
	}
	if n := counterSum(t, reg, "chemtwin_sim_publish_errors_total"); n == 0 {
		t.Error("no publish errors counted")
	}
	if _, err := New(smallPlant.build(t), Options{Registerer: reg}); err == nil {
		t.Error("registering the metrics twice went unnoticed")
	}
}
