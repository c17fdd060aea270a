package ingest

import (
	"fmt"
	"slices"
	"time"
)

// CameraEventTypes are the video-analytics events chemtwin knows. Others
// are accepted (and counted) so that new analytics need no release.
var CameraEventTypes = []string{"no_helmet", "smoking", "intrusion", "smoke_fire", "fall", "phone"}

// CameraEvent is a parsed video-analytics event.
type CameraEvent struct {
	Type       string  // a lowercase identifier, e.g. "no_helmet"
	Confidence float64 // 0–1
	Known      bool    // Type is one of CameraEventTypes
	At         time.Time
}

// State returns the live state an event sets on the camera entity.
func (c CameraEvent) State() map[string]any {
	return map[string]any{
		"last_event": c.Type,
		"confidence": c.Confidence,
		"event_ts":   c.At.UTC().Format(time.RFC3339Nano),
	}
}

// ParseCameraEvent parses the payload of chemtwin/{site}/cameras/{id}/events:
// `type` (a lowercase identifier of at most 32 bytes: [a-z][a-z0-9_]*),
// `confidence` 0–1, optional `ts`.
func ParseCameraEvent(payload []byte, env Env) (CameraEvent, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return CameraEvent{}, err
	}
	typ, ok, errT := o.str("type", maxCameraEvent)
	if errT == nil && !identifier(typ) {
		errT = fmt.Errorf("%w: type: %q is not a lowercase identifier", ErrBadField, typ)
		if !ok {
			errT = fmt.Errorf("%w: type: missing", ErrBadField)
		}
	}
	conf, errC := o.required("confidence", 0, 1)
	if err := firstErr(errT, errC); err != nil {
		return CameraEvent{}, err
	}
	at, err := o.ts(env)
	if err != nil {
		return CameraEvent{}, err
	}
	return CameraEvent{Type: typ, Confidence: conf, Known: slices.Contains(CameraEventTypes, typ), At: at}, nil
}

// identifier reports whether s matches [a-z][a-z0-9_]*.
func identifier(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
