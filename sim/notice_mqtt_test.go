package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	gevac "github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/ingest/broker"
)

// stepClock is a Run clock that advances by step at each call (each
// tick): simulated time runs fast and does not depend on the machine's
// speed.
type stepClock struct {
	start time.Time
	step  time.Duration
	n     atomic.Int64
}

func (c *stepClock) now() time.Time { return c.start.Add(time.Duration(c.n.Add(1)) * c.step) }

// last returns the time of the latest tick.
func (c *stepClock) last() time.Time { return c.start.Add(time.Duration(c.n.Load()) * c.step) }

// An evacuation order through the embedded broker: the tag acknowledges
// it on its ack topic and its positions move to the muster point.
func TestEvacuationThroughBroker(t *testing.T) {
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	site := fmt.Sprintf("evac%d", time.Now().UnixNano())
	const tag = "T0001"
	got := subscribe(t, b.URL(), "chemtwin/"+site+"/tags/"+tag+"/#")
	sc := musterScene(t)
	reg := prometheus.NewRegistry()
	clock := &stepClock{start: testStart, step: 2 * time.Second} // 40 × at 50 ms ticks
	sim, err := New(sc, Options{SiteID: site, Seed: 5, Start: testStart, Tick: 50 * time.Millisecond,
		Clock: clock.now, Registerer: reg, Notices: true})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := NewMQTTPublisher(b.URL(), site+"-sim", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx, pub) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	}()

	// chemtwin's side: a client that publishes notices as ingest does.
	server := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID(site + "-server"))
	if tok := server.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer server.Disconnect(100)
	notify := ingest.NotifyTopic(site, tag)
	send := func(payload []byte) {
		if tok := server.Publish(notify, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}
	// Once a notice of another kind is counted, the simulator listens.
	deadline := time.Now().Add(20 * time.Second)
	for counterValueOf(t, reg, "chemtwin_sim_notices_total", "result", "ignored") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the simulator never heard a notice")
		}
		send([]byte(`{"kind":"gathering","gathering_id":"G-1"}`))
		time.Sleep(50 * time.Millisecond)
	}

	// Plan from the tag's last reported position, as the server would.
	var fix [2]float64
	var floor int
	for seen := false; !seen; {
		select {
		case m := <-got:
			if top, err := ingest.ParseTopic(site, m.Topic()); err == nil && top.Kind == ingest.KindPosition {
				p, err := ingest.ParsePosition(m.Payload(), ingest.Env{Now: clock.last()})
				if err != nil {
					t.Fatal(err)
				}
				fix, floor, seen = plantPoint(sc.Frame(), p.Fix.Point), p.Fix.Floor, true
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no position from " + tag)
		}
	}
	g, err := route.FromScene(sc)
	if err != nil {
		t.Fatal(err)
	}
	planner, err := gevac.NewPlanner(g, gevac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := testMusters[0]
	plan, err := planner.Plan(context.Background(), gevac.Input{
		Musters: []gevac.MusterPoint{{ID: m.id, P: m.p, RadiusM: m.r}},
		People:  []gevac.Person{{ID: tag, P: fix, Floor: floor}},
	})
	if err != nil || plan.Routes[0].Reason != "" {
		t.Fatalf("plan: %v %+v", err, plan.Routes)
	}
	send(writeNotice(t, sc.Frame(), clock.last(), "EVO-MQTT", plan, 0, false, testMusterAt))

	start := dist(fix, m.p)
	acked, arrived := false, false
	timeout := time.After(60 * time.Second)
	for !acked || !arrived {
		select {
		case msg := <-got:
			top, err := ingest.ParseTopic(site, msg.Topic())
			if err != nil {
				continue // the notify topic
			}
			switch top.Kind {
			case ingest.KindAck:
				a, err := ingest.ParseAck(msg.Payload(), ingest.Env{Now: clock.last()})
				if err != nil || a.Ref != "EVO-MQTT" {
					t.Fatalf("ack %s: %+v %v", msg.Payload(), a, err)
				}
				acked = true
			case ingest.KindPosition:
				p, err := ingest.ParsePosition(msg.Payload(), ingest.Env{Now: clock.last()})
				if err != nil {
					t.Fatal(err)
				}
				if d := dist(plantPoint(sc.Frame(), p.Fix.Point), m.p); d <= m.r {
					arrived = true
				}
			}
		case <-timeout:
			t.Fatalf("after 60 s: acknowledged %v, arrived %v (from %.0f m away)", acked, arrived, start)
		}
	}
	if n := counterValueOf(t, reg, "chemtwin_sim_notices_total", "result", "evacuation"); n != 1 {
		t.Errorf("%v evacuation notices counted", n)
	}
	if n := counterValueOf(t, reg, "chemtwin_sim_messages_total", "kind", "ack"); n != 1 {
		t.Errorf("%v acks counted", n)
	}
}

// fakeSubscriber is a Publisher and Subscriber in memory: the I/O
// boundary of Run.
type fakeSubscriber struct {
	mu      sync.Mutex
	handle  func(topic string, payload []byte)
	filter  string
	stopped bool
	sent    []Message
}

func (f *fakeSubscriber) Publish(_ context.Context, m Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeSubscriber) Subscribe(filter string, handle func(string, []byte)) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filter, f.handle = filter, handle
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.stopped = true
	}, nil
}

// The subscription hands notices over a bounded queue: beyond it they are
// dropped and counted, never blocking the client.
func TestListenQueue(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := New(musterScene(t), Options{Start: testStart, Registerer: reg, Notices: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch, _ := s.listen(failingPublisher{}); ch != nil {
		t.Error("listening through a publisher that cannot subscribe")
	}
	var fs fakeSubscriber
	ch, stop := s.listen(&fs)
	if fs.filter != "chemtwin/plant/tags/+/notify" {
		t.Errorf("subscribed to %q", fs.filter)
	}
	const n = noticeQueue + 100
	for i := range n {
		fs.handle("chemtwin/plant/tags/T0000/notify", fmt.Appendf(nil, `{"kind":"evacuation","order_id":"EVO-%d","reason":"cut_off"}`, i))
	}
	fs.handle("chemtwin/plant/tags/T0000/notify", []byte(`{"kind":"evacuation"`))
	if len(ch) != noticeQueue {
		t.Errorf("%d queued, want %d", len(ch), noticeQueue)
	}
	if d := counterValueOf(t, reg, "chemtwin_sim_notices_total", "result", "dropped"); d != 100 {
		t.Errorf("%v dropped, want 100", d)
	}
	if d := counterValueOf(t, reg, "chemtwin_sim_notices_total", "result", "malformed"); d != 1 {
		t.Errorf("%v malformed, want 1", d)
	}
	stop()
	if !fs.stopped {
		t.Error("stop did not unsubscribe")
	}
	off, err := New(musterScene(t), Options{Start: testStart})
	if err != nil {
		t.Fatal(err)
	}
	var quiet fakeSubscriber
	if ch, _ := off.listen(&quiet); ch != nil || quiet.handle != nil {
		t.Error("listening without Options.Notices")
	}
}

// Run takes the notices its subscription hands over after each Step and
// publishes the acknowledgement; it ends the subscription when it returns.
func TestRunTakesNotices(t *testing.T) {
	clock := &stepClock{start: testStart, step: time.Second}
	s, err := New(musterScene(t), Options{Start: testStart, Tick: 5 * time.Millisecond, Clock: clock.now, Notices: true})
	if err != nil {
		t.Fatal(err)
	}
	var fs fakeSubscriber
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, &fs) }()
	acked := func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		for _, m := range fs.sent {
			if m.Topic == "chemtwin/plant/tags/T0005/ack" {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for !acked() {
		if time.Now().After(deadline) {
			t.Fatal("no acknowledgement published")
		}
		fs.mu.Lock()
		h := fs.handle
		fs.mu.Unlock()
		if h != nil {
			// Repeats of one order are one order: acknowledged once.
			h("chemtwin/plant/tags/T0005/notify", []byte(`{"kind":"evacuation","order_id":"EVO-RUN","reason":"no_safe_muster"}`))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.stopped {
		t.Error("Run left its subscription")
	}
}

// MQTTPublisher subscribes again after the broker comes back.
func TestSubscribeAfterReconnect(t *testing.T) {
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr, url := b.Addr(), b.URL()
	pub, err := NewMQTTPublisher(url, fmt.Sprintf("resub%d", time.Now().UnixNano()), nil)
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	defer pub.Close()
	got := make(chan string, 100)
	stop, err := pub.Subscribe("resub/+/notify", func(topic string, _ []byte) {
		select {
		case got <- topic:
		default:
		}
	})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	defer stop()
	b.Close()
	var b2 *broker.Broker
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if b2, err = broker.Start(broker.Options{Addr: addr}); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) || errors.Is(err, broker.ErrListen) {
			t.Skipf("the broker's port was not free again: %v", err)
		}
		t.Fatal(err)
	}
	defer b2.Close()
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("resubpub%d", time.Now().UnixNano())))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	for deadline := time.Now().Add(40 * time.Second); ; {
		c.Publish("resub/T1/notify", 1, false, []byte("{}"))
		select {
		case topic := <-got:
			if topic != "resub/T1/notify" {
				t.Fatalf("got %q", topic)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no message after the broker came back")
		}
	}
}
