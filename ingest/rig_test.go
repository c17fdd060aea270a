package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/ingest/broker"
	"github.com/chemtwin/chemtwin/twin"
)

// waitFor is how long end-to-end tests wait for a message to be applied; it
// bounds a hang, it is not a timing assertion.
const waitFor = 20 * time.Second

// rig is a running pipeline: scene ← ingest ← broker ← publisher.
type rig struct {
	t      *testing.T
	site   string
	scene  *twin.Scene
	reg    *prometheus.Registry
	in     *Ingest
	pub    paho.Client
	runErr chan error
}

func randomID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func quietLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}

// embeddedBroker starts a broker on a free loopback port for one test.
func embeddedBroker(t testing.TB) *broker.Broker {
	t.Helper()
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// newRig builds the test scene, runs an ingest against url and connects a
// publisher. edit may adjust the options before New.
func newRig(t *testing.T, url string, edit func(*Options)) *rig {
	t.Helper()
	site := randomID("t")
	r := &rig{t: t, site: site, scene: testScene(t, site), reg: prometheus.NewRegistry(), runErr: make(chan error, 1)}
	opts := Options{Scene: r.scene, BrokerURL: url, Logger: quietLogger(), Registerer: r.reg,
		Clock: func() time.Time { return t0 }}
	if edit != nil {
		edit(&opts)
	}
	in, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.in = in
	ctx, cancel := context.WithCancel(context.Background())
	go func() { r.runErr <- in.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.runErr:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Error("Run did not return after cancel")
		}
	})
	r.eventually("ingest connected", in.Connected)
	r.pub = connectClient(t, url, randomID("pub-"))
	return r
}

func connectClient(t testing.TB, url, id string) paho.Client {
	t.Helper()
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(id).SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(waitFor) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", url, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// publish sends one message with QoS 1 and waits for the broker's ack.
func (r *rig) publish(topic, payload string) {
	r.t.Helper()
	if tok := r.pub.Publish(topic, 1, false, payload); !tok.WaitTimeout(waitFor) || tok.Error() != nil {
		r.t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

func (r *rig) topic(k Kind, id string) string { return Topic{Kind: k, ID: id}.String(r.site) }

// eventually polls cond until it holds, failing the test after waitFor.
func (r *rig) eventually(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// metric returns the value of a counter or gauge with exactly the given
// labels (0 when absent).
func (r *rig) metric(name string, labels ...string) float64 {
	r.t.Helper()
	return gathered(r.t, r.reg, name, labels...)
}

// gathered reads one counter or gauge from a registry.
func gathered(t testing.TB, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel())*2 != len(labels) {
				continue
			}
			for i, lp := range m.GetLabel() {
				if lp.GetName() != labels[2*i] || lp.GetValue() != labels[2*i+1] {
					continue metrics
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

func (r *rig) rejected(k Kind, reason Reason) float64 {
	return r.metric("chemtwin_ingest_rejected_total", "kind", string(k), "reason", string(reason))
}

func (r *rig) accepted(k Kind) float64 {
	return r.metric("chemtwin_ingest_messages_total", "kind", string(k))
}
