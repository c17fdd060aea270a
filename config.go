package chemtwin

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/sim"
)

// Config is the whole configuration of a chemtwin service: one documented
// struct whose zero value means every default. The `chemtwin serve` flags
// map one to one onto its fields.
type Config struct {
	// Addr is the HTTP listen address; default 127.0.0.1:8080.
	Addr string
	// Scene is a scene folder, or "demo" for the embedded demo plant;
	// default "demo".
	Scene string
	// Data is the data folder (SQLite database, later tiles); default
	// "./data". Created when missing.
	Data string
	// DB is "sqlite:PATH" or a postgres:// (postgresql://) URL of a
	// PostgreSQL server with PostGIS; default sqlite:<Data>/chemtwin.db.
	DB string
	// MQTT is "embedded" (default: run the broker in-process) or the
	// tcp://host:port of an external broker.
	MQTT string
	// MQTTListen is the embedded broker's address; default 127.0.0.1:1883.
	// When the default is taken (another broker runs on the machine), a free
	// port is used instead; an address given explicitly must be free.
	MQTTListen string
	// Simulate runs the plant simulator, which publishes over MQTT like real
	// devices.
	Simulate bool
	// SimSeed seeds the simulator; default 1.
	SimSeed uint64
	// SimBLEShare is the share (0–1) of the simulated people whose tags
	// report BLE beacons (rssi, solved by geo/locate) instead of positions;
	// default 0.3 (sim.DefaultBLEShare), negative none.
	SimBLEShare float64
	// Scenario plays a named scripted gas release in the simulator
	// ("ammonia-leak", "methanol-leak"; sim.ScenarioNames), starting
	// ScenarioStart after the simulator starts (default 30 s, time to open
	// the viewer). Needs Simulate; the releases' sources are the demo
	// plant's.
	Scenario      string
	ScenarioStart time.Duration
	// Demo is --scene demo --simulate plus the demo login users (password
	// "demo"; never created otherwise).
	Demo bool
	// WebDir serves the viewer from this folder instead of the embedded
	// copy (development).
	WebDir string
	// HistoryBuffer is the most history rows (per kind: positions,
	// readings, rollups) held in memory while the database is slow or
	// unreachable; default 200,000 (history.Options.Buffer). Beyond it the
	// oldest rows are dropped and a history_overflow alarm is raised.
	HistoryBuffer int
	// KeepPositions, KeepReadings and KeepRollups are the retention periods
	// of the history; defaults 400 days, 400 days and 3 years; negative
	// keeps forever. AQ 3064.3-2025 asks for positions to be kept ≥ 1 year.
	KeepPositions, KeepReadings, KeepRollups time.Duration
	// ParkURL is the park platform's receiving URL (园区平台, AQ 3064.3
	// Annex B upload); empty: no upload. ParkEnterprise is the enterprise
	// code the park assigned (required with ParkURL), ParkToken the bearer
	// token, ParkInterval the push period (default and at most 30 s),
	// ParkCA an optional PEM file of the park's CA.
	ParkURL, ParkEnterprise, ParkToken, ParkCA string
	ParkInterval                               time.Duration
	// ShutdownTimeout bounds a graceful stop; default 10 s.
	ShutdownTimeout time.Duration
	// Logger receives the service's logs; default slog.Default().
	Logger *slog.Logger
	// Clock is the time source of the domain; default time.Now.
	Clock func() time.Time
}

const defaultMQTTListen = "127.0.0.1:1883"

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Demo {
		if c.Scene == "" {
			c.Scene = "demo"
		}
		c.Simulate = true
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Addr, "127.0.0.1:8080")
	def(&c.Scene, "demo")
	def(&c.Data, "data")
	def(&c.DB, "sqlite:"+filepath.Join(c.Data, "chemtwin.db"))
	def(&c.MQTT, "embedded")
	if c.SimSeed == 0 {
		c.SimSeed = 1
	}
	if c.ScenarioStart == 0 {
		c.ScenarioStart = 30 * time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// Validate reports every configuration error at once.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
	}
	if c.MQTTListen != "" {
		if _, _, err := net.SplitHostPort(c.MQTTListen); err != nil {
			errs = append(errs, fmt.Errorf("mqtt-listen %q: %w", c.MQTTListen, err))
		}
	}
	if c.MQTT != "embedded" && !strings.HasPrefix(c.MQTT, "tcp://") {
		errs = append(errs, fmt.Errorf("mqtt %q: want \"embedded\" or tcp://host:port", c.MQTT))
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, fmt.Errorf("db %q: want sqlite:PATH or postgres://…", c.DB))
	}
	if math.IsNaN(c.SimBLEShare) || c.SimBLEShare > 1 {
		errs = append(errs, fmt.Errorf("sim-ble-share %v: want 0–1", c.SimBLEShare))
	}
	if c.ParkURL != "" && c.ParkEnterprise == "" {
		errs = append(errs, errors.New("park upload: --park-enterprise (the enterprise code) is required with --park-url"))
	}
	if c.Scenario != "" {
		if !c.Simulate {
			errs = append(errs, fmt.Errorf("scenario %q: needs the simulator (--simulate or --demo)", c.Scenario))
		}
		if _, err := sim.Scenario(c.Scenario, 0); err != nil {
			errs = append(errs, fmt.Errorf("scenario: %w", err))
		}
		if c.ScenarioStart < 0 {
			errs = append(errs, fmt.Errorf("scenario start %v: want ≥ 0", c.ScenarioStart))
		}
	}
	if c.HistoryBuffer < 0 {
		errs = append(errs, fmt.Errorf("history buffer %d: want ≥ 0", c.HistoryBuffer))
	}
	return errors.Join(errs...)
}
