// Package pipeline runs the real position path for tests of the domain
// services: a paho publisher → an MQTT broker (the embedded one or
// mosquitto) → ingest → the scene, on an injected clock. Fixes and
// readings are published stamped at the clock and waited for until the
// scene holds them (a bounded wait, not a timing assertion).
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/ingest/broker"
	"github.com/chemtwin/chemtwin/twin"
)

// Wait bounds each wait for a published message to reach the scene.
const Wait = 20 * time.Second

// Clock is a settable clock safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Add moves the clock on by d and returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Embedded starts the embedded broker on a free loopback port for one
// test and returns its URL.
func Embedded(t testing.TB) string {
	t.Helper()
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.URL()
}

// Pipe is a running position path into a scene.
type Pipe struct {
	t     testing.TB
	Scene *twin.Scene
	Clock *Clock
	Site  string
	pub   paho.Client
}

// RandomSite is a site id of its own, so that tests sharing mosquitto do
// not hear each other.
func RandomSite(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Start runs ingest from the broker at url into scene (whose site id is
// the topics') on clk, with a publisher; run starts a goroutine the test
// owns and stops at its end.
func Start(t testing.TB, url string, scene *twin.Scene, clk *Clock, run func(func(context.Context) error)) *Pipe {
	t.Helper()
	in, err := ingest.New(ingest.Options{Scene: scene, BrokerURL: url, Logger: slog.New(slog.DiscardHandler), Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	run(in.Run)
	p := &Pipe{t: t, Scene: scene, Clock: clk, Site: scene.SiteID()}
	p.Eventually("ingest connected", in.Connected)
	p.pub = paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("pub-" + RandomSite(p.Site)).SetConnectTimeout(5 * time.Second))
	if tok := p.pub.Connect(); !tok.WaitTimeout(Wait) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", url, tok.Error())
	}
	t.Cleanup(func() { p.pub.Disconnect(100) })
	return p
}

// Runner returns a run function for Start whose goroutines stop when the
// test ends (each must return after its context is cancelled).
func Runner(t testing.TB) func(func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	var done []chan error
	t.Cleanup(func() {
		cancel()
		for _, d := range done {
			select {
			case err := <-d:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(Wait):
				t.Error("Run did not return after cancel")
			}
		}
	})
	return func(f func(context.Context) error) {
		d := make(chan error, 1)
		done = append(done, d)
		go func() { d <- f(ctx) }()
	}
}

// Eventually polls cond until it holds, failing the test after Wait.
func (p *Pipe) Eventually(what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(Wait)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Publish publishes payload to the topic of kind and id (QoS 1).
func (p *Pipe) Publish(k ingest.Kind, id, payload string) {
	p.t.Helper()
	topic := ingest.Topic{Kind: k, ID: id}.String(p.Site)
	if tok := p.pub.Publish(topic, 1, false, payload); !tok.WaitTimeout(Wait) || tok.Error() != nil {
		p.t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// Place publishes tag's position at plant (x, y) stamped a millisecond on
// from the clock (each fix newer than the last) and waits until the scene
// holds it; it returns the fix's time.
func (p *Pipe) Place(tag string, x, y float64) time.Time {
	p.t.Helper()
	at := p.Clock.Add(time.Millisecond)
	p.Publish(ingest.KindPosition, tag, fmt.Sprintf(`{"x":%g,"y":%g,"battery":90,"ts":%q}`, x, y, at.Format(time.RFC3339Nano)))
	p.Eventually(fmt.Sprintf("%s at %g,%g", tag, x, y), func() bool {
		e, ok := p.Scene.ByTag(tag)
		return ok && e.Mobile != nil && e.Mobile.Fix.At.Equal(at)
	})
	return at
}

// Read publishes a detector reading stamped a millisecond on and waits
// until the scene holds it; with state set, also until the detector's
// state is that (the rules engine steps it).
func (p *Pipe) Read(id string, value float64, unit, state string) {
	p.t.Helper()
	at := p.Clock.Add(time.Millisecond)
	p.Publish(ingest.KindReading, id, fmt.Sprintf(`{"value":%g,"unit":%q,"ts":%q}`, value, unit, at.Format(time.RFC3339Nano)))
	p.Eventually(fmt.Sprintf("%s reads %g %s (state %q)", id, value, unit, state), func() bool {
		e, ok := p.Scene.Get(id)
		return ok && e.State["reading_ts"] == at.UTC().Format(time.RFC3339Nano) && (state == "" || e.State["state"] == state)
	})
}
