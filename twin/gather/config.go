package gather

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults from the 2023 gathering-risk guide and AQ 3064.3—2025 §3.5,
// §5.2.3 (REFERENCE.md §2): people within a 15 m radius of any point for
// more than one minute; 3 people is the yellow level.
const (
	DefaultRadiusM    = 15
	DefaultDuration   = 60 * time.Second
	DefaultMinPersons = 3
	// Levels by head count (same guide): yellow 3, orange 4–6, red > 6.
	OrangeFrom = 4
	RedFrom    = 7
	// DefaultGasDistanceM is how close an active gas alarm must be to
	// escalate a gathering to evacuation.
	DefaultGasDistanceM = 50
	// DefaultOffDelay is how long a group must stay apart before it counts
	// as dispersed (GPS/BLE drift must not clear and re-raise it).
	DefaultOffDelay = 10 * time.Second
	// DefaultMarginM: a member stays in a group until this much beyond the
	// radius, so that positioning noise does not break a real gathering.
	// It stays below the 3 m by which the AQ 3064.3-2025 Annex A "must not"
	// layout's sixth person (18 m from the centre) lies outside the radius,
	// as the fences' exit deadband does (fence.DefaultMarginM).
	DefaultMarginM = 2.0
	// DefaultStaleAfter drops a person whose tag has not reported for this
	// long (the tag_offline default).
	DefaultStaleAfter = 60 * time.Second
)

// Config tunes the detector. The zero value of each field is its default.
type Config struct {
	RadiusM    float64       // disc radius; default 15 m (site setting gathering_radius_m)
	Duration   time.Duration // a group must persist longer than this; default 60 s (gathering_duration_s)
	MinPersons int           // smallest gathering (yellow); default 3 (gathering_min_persons)
	// OffDelay: a group apart this long is dispersed; default 10 s. It also
	// bridges one member flickering out of a forming group.
	OffDelay     time.Duration
	GasDistanceM float64 // escalation distance to an active gas alarm; default 50 m
	// MarginM is the hysteresis: a member leaves a group only when more
	// than RadiusM + MarginM away; default DefaultMarginM, negative none.
	MarginM    float64
	StaleAfter time.Duration // forget people silent this long; default 60 s
}

// ErrConfig is returned for an invalid configuration.
var ErrConfig = errors.New("gather: invalid config")

func (c Config) withDefaults() Config {
	if c.RadiusM == 0 {
		c.RadiusM = DefaultRadiusM
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.MinPersons == 0 {
		c.MinPersons = DefaultMinPersons
	}
	if c.OffDelay == 0 {
		c.OffDelay = DefaultOffDelay
	}
	if c.GasDistanceM == 0 {
		c.GasDistanceM = DefaultGasDistanceM
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	if c.MarginM == 0 {
		c.MarginM = DefaultMarginM
	}
	c.MarginM = max(c.MarginM, 0)
	return c
}

// Validate checks the configuration after defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.RadiusM >= 1 && c.RadiusM <= 1000):
		return fmt.Errorf("%w: radius %v m (1–1000)", ErrConfig, c.RadiusM)
	case c.Duration < 0 || c.OffDelay < 0 || c.StaleAfter < 0:
		return fmt.Errorf("%w: negative duration", ErrConfig)
	case c.MinPersons < 2:
		return fmt.Errorf("%w: min persons %d < 2", ErrConfig, c.MinPersons)
	case c.MarginM > c.RadiusM:
		return fmt.Errorf("%w: margin %v m above the radius", ErrConfig, c.MarginM)
	case !(c.GasDistanceM > 0) || math.IsInf(c.GasDistanceM, 0):
		return fmt.Errorf("%w: gas distance %v m", ErrConfig, c.GasDistanceM)
	}
	return nil
}

// ConfigFromSettings reads the site settings gathering_radius_m,
// gathering_duration_s and gathering_min_persons (scenes.Site.Settings);
// missing keys keep their defaults.
func ConfigFromSettings(s map[string]any) (Config, error) {
	var c Config
	num := func(key string) (float64, bool, error) {
		v, ok := s[key]
		if !ok {
			return 0, false, nil
		}
		f, ok := v.(float64)
		if n, isInt := v.(int); isInt {
			f, ok = float64(n), true
		}
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			return 0, false, fmt.Errorf("%w: setting %s = %v", ErrConfig, key, v)
		}
		return f, true, nil
	}
	var errs []error
	if f, ok, err := num("gathering_radius_m"); ok {
		c.RadiusM = f
	} else if err != nil {
		errs = append(errs, err)
	}
	if f, ok, err := num("gathering_duration_s"); ok {
		c.Duration = time.Duration(f * float64(time.Second))
	} else if err != nil {
		errs = append(errs, err)
	}
	if f, ok, err := num("gathering_min_persons"); ok {
		c.MinPersons = int(f)
	} else if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Level returns the alarm level (1 yellow, 2 orange, 3 red) for a head
// count.
func Level(count int) int {
	switch {
	case count >= RedFrom:
		return 3
	case count >= OrangeFrom:
		return 2
	}
	return 1
}

// Colour names a level: "yellow", "orange" or "red".
func Colour(level int) string {
	switch level {
	case 3:
		return "red"
	case 2:
		return "orange"
	}
	return "yellow"
}

var colourZh = map[string]string{"yellow": "黄色", "orange": "橙色", "red": "红色"}
