package broker

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// syncBuffer is a bytes.Buffer safe for the broker's goroutines to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func connect(t *testing.T, url, id string) paho.Client {
	t.Helper()
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(id).SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", url, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// roundTrip publishes one message through the broker and waits for it.
func roundTrip(t *testing.T, url string) {
	t.Helper()
	got := make(chan string, 1)
	sub := connect(t, url, "sub")
	tok := sub.Subscribe("test/+/x", 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	pub := connect(t, url, "pub")
	if tok := pub.Publish("test/a/x", 1, false, "hello"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case p := <-got:
		if p != "hello" {
			t.Fatalf("payload %q, want hello", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("message never arrived")
	}
}

func TestStartRoundTrip(t *testing.T) {
	var logs syncBuffer
	b, err := Start(Options{Addr: "127.0.0.1:0", Logger: debugLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if strings.HasSuffix(b.Addr(), ":0") || b.URL() != "tcp://"+b.Addr() {
		t.Fatalf("addr %q url %q", b.Addr(), b.URL())
	}
	roundTrip(t, b.URL())
	// mochi's info and debug chatter ("attached listener", "added hook") is
	// filtered; our own info line is kept.
	out := logs.String()
	if strings.Contains(out, "attached listener") || strings.Contains(out, "added hook") {
		t.Errorf("mochi below-warn logs leaked:\n%s", out)
	}
	if !strings.Contains(out, "mqtt broker listening") || !strings.Contains(out, "component=broker") {
		t.Errorf("missing the broker's own log line:\n%s", out)
	}
}

func busyPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func TestFallbackToFreePort(t *testing.T) {
	busy := busyPort(t)
	var logs syncBuffer
	b, err := Start(Options{Addr: busy, Logger: debugLogger(&logs), FallbackToFreePort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Addr() == busy || !strings.HasPrefix(b.Addr(), "127.0.0.1:") {
		t.Fatalf("fell back to %q (busy %q)", b.Addr(), busy)
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"mqtt address in use") {
		t.Errorf("no warning about the fallback:\n%s", logs.String())
	}
	roundTrip(t, b.URL())
}

func TestBusyWithoutFallback(t *testing.T) {
	busy := busyPort(t)
	b, err := Start(Options{Addr: busy, Logger: debugLogger(new(syncBuffer))})
	if err == nil {
		b.Close()
		t.Fatal("started on a busy port")
	}
	if !errors.Is(err, ErrListen) || !strings.Contains(err.Error(), busy) {
		t.Fatalf("error %v: want ErrListen naming %s", err, busy)
	}
}

// TestDefaultPortFallback exercises the real default: on a machine where
// 1883 is taken (by mosquitto, here) the broker still starts.
func TestDefaultPortFallback(t *testing.T) {
	b, err := Start(Options{Logger: debugLogger(new(syncBuffer)), FallbackToFreePort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	roundTrip(t, b.URL())
}

func TestCloseDisconnectsAndIsIdempotent(t *testing.T) {
	b, err := Start(Options{Addr: "127.0.0.1:0", Logger: debugLogger(new(syncBuffer))})
	if err != nil {
		t.Fatal(err)
	}
	lost := make(chan error, 1)
	opts := paho.NewClientOptions().AddBroker(b.URL()).SetClientID("c").SetAutoReconnect(false).
		SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err })
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	select {
	case <-lost:
	case <-time.After(10 * time.Second):
		t.Fatal("client still connected after Close")
	}
	if conn, err := net.DialTimeout("tcp", b.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after Close", b.Addr())
	}
}

func ExampleStart() {
	b, err := Start(Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	fmt.Println(strings.HasPrefix(b.URL(), "tcp://127.0.0.1:"))
	// Output: true
}
