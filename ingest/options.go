package ingest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/twin"
)

// Defaults of Options.
const (
	DefaultBrokerURL = "tcp://127.0.0.1:1883"
	DefaultBatchSize = 512
)

// brokerSchemes are the URL schemes the MQTT client dials.
var brokerSchemes = []string{"tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss"}

// Options configure an Ingest. The zero value of each field is its default.
type Options struct {
	// Scene receives the changes; required.
	Scene *twin.Scene
	// SiteID is the {site} level of the topics; default Scene.SiteID().
	SiteID string
	// BrokerURL is the MQTT broker, "tcp://host:port"; default
	// DefaultBrokerURL.
	BrokerURL string
	// ClientID is the MQTT client id. Default "chemtwin-{site}-{random}"
	// with a clean session; an explicit id asks the broker for a persistent
	// session, so that QoS 1 messages published while chemtwin is
	// disconnected are queued for it.
	ClientID string
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
	// Clock is the receive time of messages; default time.Now.
	Clock func() time.Time
	// MaxPayload in bytes; default DefaultMaxPayload (64 KiB). Larger
	// payloads are rejected as oversize.
	MaxPayload int
	// MaxFutureSkew; default DefaultMaxFutureSkew (60 s). Timestamps
	// further ahead are rejected as future_timestamp.
	MaxFutureSkew time.Duration
	// MaxAge; default DefaultMaxAge (10 min). Older timestamps are rejected
	// as stale_timestamp.
	MaxAge time.Duration
	// MaxDistanceM; default DefaultMaxDistanceM (5,000 m). Fixes farther from
	// the site origin are rejected as far_from_site.
	MaxDistanceM float64
	// BatchSize is the most changes per Scene.Apply; default
	// DefaultBatchSize (512).
	BatchSize int
	// Locator solves RSSI reports into positions and filters position fixes
	// that carry an accuracy (geo/locate). Default: a solver with
	// Positioning's options on the map of Scene (its beacons, buildings and
	// walkways).
	Locator *locate.Solver
	// Positioning are the default Locator's options (site calibration:
	// path-loss exponent, shadowing, floor loss).
	Positioning locate.Options
	// OnAck receives the acknowledgements tags publish on
	// chemtwin/{site}/tags/{tag}/ack, on the MQTT client's goroutine: it
	// must not block. Nil: acknowledgements are rejected (unknown_entity).
	OnAck func(tag string, a Ack)
}

// Validate reports options that cannot work.
func (o Options) Validate() error {
	switch {
	case o.Scene == nil:
		return fmt.Errorf("%w: no scene", ErrOptions)
	case o.MaxPayload < 0 || o.MaxFutureSkew < 0 || o.MaxAge < 0 || o.MaxDistanceM < 0 || o.BatchSize < 0:
		return fmt.Errorf("%w: negative limit", ErrOptions)
	case o.SiteID != "" && checkSite(o.SiteID) != nil:
		return fmt.Errorf("%w: site id %q: %v", ErrOptions, o.SiteID, checkSite(o.SiteID))
	}
	if o.BrokerURL != "" {
		u, err := url.Parse(o.BrokerURL)
		if err != nil || !slices.Contains(brokerSchemes, u.Scheme) || u.Host == "" {
			return fmt.Errorf("%w: broker url %q: want tcp://host:port (or %v)", ErrOptions, o.BrokerURL, brokerSchemes[1:])
		}
	}
	return nil
}

// checkSite accepts a site id that can be one topic level.
func checkSite(site string) error {
	if strings.Contains(site, "/") {
		return fmt.Errorf("id holds a topic separator")
	}
	return checkID(site)
}

func withDefaults(o Options) Options {
	if o.SiteID == "" {
		o.SiteID = o.Scene.SiteID()
	}
	if o.BrokerURL == "" {
		o.BrokerURL = DefaultBrokerURL
	}
	if o.ClientID == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.ClientID = "chemtwin-" + o.SiteID + "-" + hex.EncodeToString(b[:])
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	return o
}
