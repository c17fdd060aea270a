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
