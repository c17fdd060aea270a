package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/rules"
)

// TestDetectorConfigFromSettings: site settings tune the detector state
// machine; bad ones are all reported.
func TestDetectorConfigFromSettings(t *testing.T) {
	c, err := rules.DetectorConfigFromSettings(map[string]any{"gas_alarm_on_delay_s": 5.0, "gas_alarm_off_delay_s": 10,
		"detector_stuck_after_s": -1.0, "detector_drift_window_h": 12.0, "detector_drift_fraction": 0.2, "other": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Level.On != 5*time.Second || c.Level.Off != 10*time.Second || c.StuckAfter >= 0 || c.DriftWindow != 12*time.Hour || c.DriftFraction != 0.2 {
		t.Errorf("config %+v", c)
	}
	if c, err := rules.DetectorConfigFromSettings(nil); err != nil || c != (rules.DetectorConfig{}) {
		t.Errorf("no settings: %+v, %v", c, err)
	}
	_, err = rules.DetectorConfigFromSettings(map[string]any{"gas_alarm_on_delay_s": -1.0, "detector_drift_fraction": 1.5, "gas_alarm_off_delay_s": "soon"})
	if !errors.Is(err, rules.ErrConfig) || strings.Count(err.Error(), "setting") != 3 {
		t.Errorf("bad settings: %v", err)
	}
}
