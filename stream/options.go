package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Options configure a Hub. The zero value of each field is its default.
type Options struct {
	// Scene is the twin the hub serves snapshots from; required.
	Scene *twin.Scene
	// Logger receives the hub's logs; default: discarded.
	Logger *slog.Logger
	// Registerer receives the chemtwin_ws_* metrics; nil: not registered.
	Registerer prometheus.Registerer
	// FlushInterval is the batching window of live frames; default 20ms.
	FlushInterval time.Duration
	// QueueFrames is each client's live frame queue; default 8. A client
	// whose queue is full loses its queued frames and gets a fresh snapshot.
	QueueFrames int
	// AlarmQueue is each client's alarm queue; default 1024. Alarms are
	// never dropped: a client whose alarm queue overflows is disconnected
	// (close code 1013) and gets the active alarms when it reconnects.
	AlarmQueue int
	// WriteTimeout bounds every write to a client; default 5s.
	WriteTimeout time.Duration
	// PingInterval is the keepalive period; default 20s. A client that
	// sends nothing (not even a pong) for 2.5 intervals is disconnected.
	PingInterval time.Duration
	// MaxMessageBytes limits inbound messages (after decompression);
	// default 64 KiB. A larger message closes the connection with 1009.
	MaxMessageBytes int64
	// SendBuffer is the kernel send buffer of each connection in bytes;
	// default 64 KiB, so that stale frames cannot hide in the kernel while
	// a slow client falls behind. Negative leaves the system default.
	SendBuffer int
	// Authorize checks a client's token (from ?token= or the subscribe
	// message); nil: open.
	Authorize func(ctx context.Context, token string) error
	// ActiveAlarms returns the open alarms included in every snapshot of a
	// client subscribed to the alarms layer; nil: none.
	ActiveAlarms func() []alarm.Alarm
	// CheckOrigin decides cross-origin upgrades; nil: same origin only.
	CheckOrigin func(r *http.Request) bool
	// Clock stamps frames (ts); default time.Now.
	Clock func() time.Time
}

// ErrOptions is wrapped by Options.Validate errors.
var ErrOptions = errors.New("stream: invalid options")

// Validate reports options New cannot work with: no scene, or negative
// sizes and durations (zero means the default).
func (o Options) Validate() error {
	switch {
	case o.Scene == nil:
		return fmt.Errorf("%w: Scene is required", ErrOptions)
	case o.FlushInterval < 0, o.WriteTimeout < 0, o.PingInterval < 0:
		return fmt.Errorf("%w: negative duration", ErrOptions)
	case o.QueueFrames < 0, o.AlarmQueue < 0, o.MaxMessageBytes < 0:
		return fmt.Errorf("%w: negative queue or message size", ErrOptions)
	}
	return nil
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 20 * time.Millisecond
	}
	if o.QueueFrames <= 0 {
		o.QueueFrames = 8
	}
	if o.AlarmQueue <= 0 {
		o.AlarmQueue = 1024
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 20 * time.Second
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 10
	}
	if o.SendBuffer == 0 {
		o.SendBuffer = 64 << 10
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}
