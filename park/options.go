package park

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin"
)

// MaxInterval is the longest allowed push interval: AQ 3064.3-2025 asks
// that positions reach the park platform at least every 30 s.
const MaxInterval = 30 * time.Second

// Defaults of Options.
const (
	DefaultMaxQueue     = 50000
	DefaultMaxBatch     = 10000
	DefaultRetryMin     = time.Second
	DefaultFlushTimeout = 5 * time.Second
	DefaultHTTPTimeout  = 15 * time.Second
)

// ErrOptions is wrapped by every error of Options.Validate.
var ErrOptions = errors.New("park: invalid options")

// Options configure an Uploader. The zero value of each field is its
// default; Endpoint and EnterpriseCode are required.
type Options struct {
	// Endpoint is the park platform's receiving URL. It must be https; http
	// is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1).
	Endpoint string
	// Token is sent as "Authorization: Bearer TOKEN"; empty sends none.
	Token string
	// EnterpriseCode is the enterprise's code (企业编码) the park assigned;
	// required.
	EnterpriseCode string
	// Interval between pushes; default and maximum MaxInterval (30 s).
	Interval time.Duration
	// HTTPClient posts the batches; default a client with DefaultHTTPTimeout,
	// TLS 1.2+ with verification on and CAFile's roots added.
	HTTPClient *http.Client
	// CAFile is an optional PEM file of extra root certificates (a park CA);
	// ignored when HTTPClient is set.
	CAFile string
	// Scene, when set, is read by Run for the first snapshot of the person
	// and zone tables and of positions.
	Scene *twin.Scene
	// Clock stamps sent_at and UPDATE_TIME; default time.Now.
	Clock func() time.Time
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; nil does not register them.
	Registerer prometheus.Registerer
	// MaxQueue bounds the records waiting (positions plus alarm records);
	// default DefaultMaxQueue. See the package documentation for overflow.
	MaxQueue int
	// MaxBatch bounds the records of one POST; default DefaultMaxBatch.
	MaxBatch int
	// RetryMin is the first backoff after a failed push, doubled on each
	// further failure up to Interval; default DefaultRetryMin. It is also the
	// shortest gap between pushes that new alarms bring forward.
	RetryMin time.Duration
	// FlushTimeout bounds the final push when Run's context ends; default
	// DefaultFlushTimeout.
	FlushTimeout time.Duration
}

// Validate checks the options and fills in defaults.
func (o *Options) Validate() error {
	if err := checkEndpoint(o.Endpoint); err != nil {
		return err
	}
	o.EnterpriseCode = strings.TrimSpace(o.EnterpriseCode)
	if o.EnterpriseCode == "" {
		return fmt.Errorf("%w: enterprise code (企业编码) is required", ErrOptions)
	}
	if strings.ContainsAny(o.Token, "\r\n") {
		return fmt.Errorf("%w: token contains a line break", ErrOptions)
	}
	switch {
	case o.Interval == 0:
		o.Interval = MaxInterval
	case o.Interval < 0:
		return fmt.Errorf("%w: interval %s is negative", ErrOptions, o.Interval)
	case o.Interval > MaxInterval:
		return fmt.Errorf("%w: interval %s exceeds %s (AQ 3064.3-2025: positions at least every 30 s)", ErrOptions, o.Interval, MaxInterval)
	}
	if o.MaxQueue < 0 || o.MaxBatch < 0 || o.RetryMin < 0 || o.FlushTimeout < 0 {
		return fmt.Errorf("%w: negative max queue, max batch, retry or flush timeout", ErrOptions)
	}
	if o.MaxQueue == 0 {
		o.MaxQueue = DefaultMaxQueue
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.RetryMin == 0 {
		o.RetryMin = min(DefaultRetryMin, o.Interval)
	}
	if o.FlushTimeout == 0 {
		o.FlushTimeout = DefaultFlushTimeout
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTPClient == nil {
		c, err := newClient(o.CAFile)
		if err != nil {
			return err
		}
		o.HTTPClient = c
	}
	return nil
}

// checkEndpoint accepts https URLs, and http ones only on loopback.
func checkEndpoint(raw string) error {
	if raw == "" {
		return fmt.Errorf("%w: endpoint URL is required", ErrOptions)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: endpoint: %v", ErrOptions, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%w: endpoint %q has no host", ErrOptions, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%w: endpoint must not carry credentials; use the token", ErrOptions)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%w: endpoint %q: plain http is allowed only for a loopback host; use https", ErrOptions, u.Redacted())
	}
	return fmt.Errorf("%w: endpoint scheme %q: want https", ErrOptions, u.Scheme)
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newClient builds the default client: timeouts on, TLS verification on,
// the system roots plus caFile's.
func newClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.ResponseHeaderTimeout = DefaultHTTPTimeout
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %v", ErrOptions, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrOptions, caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: DefaultHTTPTimeout}, nil
}
