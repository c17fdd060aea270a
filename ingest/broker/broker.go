// Package broker runs chemtwin's embedded MQTT broker (MQTT 3.1.1 and 5 on
// github.com/mochi-mqtt/server/v2), so that `chemtwin serve` needs no
// external broker. Gateways, detectors and cameras publish to it; the ingest
// package subscribes to it like to any other broker.
//
// # Security
//
// The broker allows every client to connect anonymously and to publish and
// subscribe to every topic (mochi's auth.AllowHook). That is acceptable only
// on a loopback or otherwise trusted network, which is why the default
// address is 127.0.0.1:1883. Production plants that expose MQTT to a site
// network should run an external broker with authentication and TLS and
// point chemtwin at it with `--mqtt tcp://host:port`.
//
// # Concurrency
//
// A Broker is safe for concurrent use; Close may be called more than once.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// DefaultAddr is the address the broker listens on when Options.Addr is
// empty: the MQTT port (IANA 1883) on loopback only.
const DefaultAddr = "127.0.0.1:1883"

// fallbackAddr is where the broker listens when Addr is taken and
// Options.FallbackToFreePort is set: any free loopback port.
const fallbackAddr = "127.0.0.1:0"

// ErrListen is wrapped by Start when the broker cannot listen.
var ErrListen = errors.New("broker: cannot listen")

// Options configure the embedded broker. The zero value of each field is its
// default.
type Options struct {
	// Addr is the TCP address to listen on; default DefaultAddr.
	Addr string
	// Logger receives the broker's warnings and errors (mochi is chatty below
	// warn level, so lower levels are dropped); default slog.Default().
	Logger *slog.Logger
	// FallbackToFreePort makes Start listen on a free loopback port when Addr
	// is already in use (another broker on the machine), logging a warning.
	FallbackToFreePort bool
}

// Broker is a running embedded MQTT broker.
type Broker struct {
	srv       *mqtt.Server
	addr      string
	closeOnce sync.Once
}

// Start starts the broker; it is listening when Start returns.
func Start(opts Options) (*Broker, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "broker")
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(minLevel{slog.LevelWarn, log.Handler()})})
	// Anonymous access to every topic: see the package documentation.
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return nil, fmt.Errorf("broker: add auth hook: %w", err)
	}
	l, err := listen(srv, opts.Addr)
	if err != nil && opts.FallbackToFreePort && errors.Is(err, syscall.EADDRINUSE) {
		log.Warn("mqtt address in use, listening on a free port", "addr", opts.Addr, "error", err)
		l, err = listen(srv, fallbackAddr)
	}
	if err != nil {
		return nil, err
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("broker: serve: %w", err)
	}
	b := &Broker{srv: srv, addr: l.Address()}
	log.Info("mqtt broker listening", "addr", b.addr)
	return b, nil
}

func listen(srv *mqtt.Server, addr string) (*listeners.TCP, error) {
	l := listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "tcp", Address: addr})
	if err := srv.AddListener(l); err != nil {
		return nil, fmt.Errorf("%w on %s: %w", ErrListen, addr, err)
	}
	return l, nil
}

// Addr returns the host:port the broker listens on.
func (b *Broker) Addr() string { return b.addr }

// URL returns the broker's address as an MQTT URL, "tcp://host:port".
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close disconnects every client, stops listening and waits for the client
// connections to end.
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() { err = b.srv.Close() })
	return err
}

// minLevel drops records below min before they reach the wrapped handler.
type minLevel struct {
	min slog.Level
	h   slog.Handler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{m.min, m.h.WithAttrs(as)}
}

func (m minLevel) WithGroup(name string) slog.Handler { return minLevel{m.min, m.h.WithGroup(name)} }
