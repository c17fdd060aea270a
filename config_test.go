package chemtwin

import (
	"math"
	"strings"
	"testing"
)

// TestConfigValidate: the simulator's BLE share is a fraction; every
// error is reported at once.
func TestConfigValidate(t *testing.T) {
	for _, share := range []float64{0, 0.3, 1, -1} {
		if err := (Config{SimBLEShare: share}).Validate(); err != nil {
			t.Errorf("share %v: %v", share, err)
		}
	}
	for _, share := range []float64{math.NaN(), 1.5} {
		if err := (Config{SimBLEShare: share}).Validate(); err == nil || !strings.Contains(err.Error(), "sim-ble-share") {
			t.Errorf("share %v: %v, want a sim-ble-share error", share, err)
		}
	}
	err := Config{SimBLEShare: 2, MQTT: "udp://x"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "sim-ble-share") || !strings.Contains(err.Error(), "mqtt") {
		t.Errorf("two errors at once: %v", err)
	}
}

// TestConfigScenario: a scenario needs the simulator and a known name.
func TestConfigScenario(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Demo: true, Scenario: "ammonia-leak"}, ""},
		{Config{Simulate: true, Scenario: "methanol-leak", ScenarioStart: -1}, "scenario start"},
		{Config{Scenario: "ammonia-leak"}, "needs the simulator"},
		{Config{Demo: true, Scenario: "chlorine-leak"}, "ammonia-leak, methanol-leak"},
	} {
		err := c.cfg.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}
