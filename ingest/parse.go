package ingest

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

// Defaults of the validation limits.
const (
	DefaultMaxPayload    = 64 << 10 // bytes
	DefaultMaxFutureSkew = 60 * time.Second
	DefaultMaxAge        = 10 * time.Minute
	DefaultMaxDistanceM  = 5000.0
)

// maxEpochMS bounds epoch-millisecond timestamps (year 5138) so that the
// conversion to time.Time cannot overflow; the age checks reject far less.
const maxEpochMS = 1e14

// Env is what the parsers need besides the payload. Parsers are pure
// functions of (payload, Env): they read no clock and no scene.
type Env struct {
	// Now is the receive time: it stamps messages without ts and anchors
	// the timestamp checks.
	Now time.Time
	// MaxPayload is the largest payload in bytes; 0 means DefaultMaxPayload.
	MaxPayload int
	// MaxFutureSkew is how far ts may lie ahead of Now; 0 means
	// DefaultMaxFutureSkew.
	MaxFutureSkew time.Duration
	// MaxAge is how far ts may lie behind Now; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// MaxDistanceM is how far (metres) a position may lie from Origin; 0
	// means DefaultMaxDistanceM.
	MaxDistanceM float64
	// Frame converts plant-frame x/y; nil refuses x/y positions.
	Frame *geo.Frame
	// Origin is the site origin [lon, lat] for the far_from_site check; nil
	// skips the check.
	Origin *orb.Point
}

func (e Env) withDefaults() Env {
	if e.MaxPayload <= 0 {
		e.MaxPayload = DefaultMaxPayload
	}
	if e.MaxFutureSkew <= 0 {
		e.MaxFutureSkew = DefaultMaxFutureSkew
	}
	if e.MaxAge <= 0 {
		e.MaxAge = DefaultMaxAge
	}
	if e.MaxDistanceM <= 0 {
		e.MaxDistanceM = DefaultMaxDistanceM
	}
	return e
}

// number returns a finite number in [min, max]; ok is false when absent.
func (o object) number(key string, min, max float64) (v float64, ok bool, err error) {
	r := o.raw(key)
	if r == nil {
		return 0, false, nil
	}
	if c := r[0]; c != '-' && (c < '0' || c > '9') {
		return 0, false, fmt.Errorf("%w: %s: not a number", ErrBadField, key)
	}
	v, err = strconv.ParseFloat(string(r), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, fmt.Errorf("%w: %s: %s is not a finite number", ErrBadField, key, clip(r))
	}
	if v < min || v > max {
		return 0, false, fmt.Errorf("%w: %s: %v outside [%v, %v]", ErrBadField, key, v, min, max)
	}
	return v, true, nil
}

// required is number for a field that must be present.
func (o object) required(key string, min, max float64) (float64, error) {
	v, ok, err := o.number(key, min, max)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s: missing", ErrBadField, key)
	}
	return v, err
}

// integer returns an integral number in [min, max].
func (o object) integer(key string, min, max int) (v int, ok bool, err error) {
	f, ok, err := o.number(key, float64(min), float64(max))
	if err != nil || !ok {
		return 0, ok, err
	}
	if f != math.Trunc(f) {
		return 0, false, fmt.Errorf("%w: %s: %v is not an integer", ErrBadField, key, f)
	}
	return int(f), true, nil
}

// boolean returns a JSON true or false.
func (o object) boolean(key string) (v, ok bool, err error) {
	switch string(o.raw(key)) {
	case "":
		return false, false, nil
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, fmt.Errorf("%w: %s: not a boolean", ErrBadField, key)
}

// str returns a JSON string of at most maxLen bytes.
func (o object) str(key string, maxLen int) (s string, ok bool, err error) {
	r := o.raw(key)
	if r == nil {
		return "", false, nil
	}
	if r[0] != '"' {
		return "", false, fmt.Errorf("%w: %s: not a string", ErrBadField, key)
	}
	s = string(unquote(r))
	if len(s) > maxLen {
		return "", false, fmt.Errorf("%w: %s: longer than %d bytes", ErrBadField, key, maxLen)
	}
	return s, true, nil
}

// battery returns the optional battery percentage, NaN when absent.
func (o object) battery() (float64, error) {
	v, ok, err := o.number("battery", 0, 100)
	if !ok {
		v = math.NaN()
	}
	return v, err
}

// sos returns the optional SOS flag, nil when absent.
func (o object) sos() (*bool, error) {
	v, ok, err := o.boolean("sos")
	if !ok {
		return nil, err
	}
	return &v, nil
}

// ts returns the message's measurement time: `ts` as RFC 3339 or epoch
// milliseconds, Env.Now when absent; refused when it lies beyond the skew
// into the future or beyond the age into the past.
func (o object) ts(env Env) (time.Time, error) {
	r := o.raw("ts")
	var t time.Time
	switch {
	case r == nil:
		return env.Now, nil
	case r[0] == '"':
		var err error
		if t, err = time.Parse(time.RFC3339Nano, string(unquote(r))); err != nil {
			return t, fmt.Errorf("%w: ts: %q is not RFC 3339", ErrBadField, clip(r))
		}
	default:
		ms, ok, err := o.number("ts", 0, maxEpochMS)
		if err != nil || !ok {
			return t, fmt.Errorf("%w: ts: want RFC 3339 or epoch milliseconds: %v", ErrBadField, err)
		}
		t = time.UnixMilli(int64(ms)).Add(time.Duration((ms - math.Trunc(ms)) * float64(time.Millisecond)))
	}
	switch {
	case t.After(env.Now.Add(env.MaxFutureSkew)):
		return t, fmt.Errorf("%w: ts %s is more than %s ahead of %s", ErrFutureTimestamp, t.Format(time.RFC3339Nano), env.MaxFutureSkew, env.Now.Format(time.RFC3339Nano))
	case t.Before(env.Now.Add(-env.MaxAge)):
		return t, fmt.Errorf("%w: ts %s is more than %s before %s", ErrStaleTimestamp, t.Format(time.RFC3339Nano), env.MaxAge, env.Now.Format(time.RFC3339Nano))
	}
	return t, nil
}

// clip shortens a raw value for an error message.
func clip(r []byte) string {
	const n = 40
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
