package ingest

import (
	"fmt"
	"slices"
	"time"
)

// Units a detector reading may carry (GB/T 50493-2019: combustible gases in
// %LEL, toxic gases in ppm or mg/m³, oxygen in %VOL).
var Units = []string{"%LEL", "ppm", "mg/m3", "%VOL"}

const (
	maxReadingAbs  = 1e9 // sanity bound on a reading's magnitude
	maxFaultCode   = 64  // bytes
	maxCameraEvent = 32  // bytes of an event type
)

// Reading is a parsed gas-detector reading.
type Reading struct {
	Value     float64 // in Unit; may be slightly negative (zero drift)
	Unit      string  // one of Units
	Fault     bool    // the detector reports a fault
	FaultCode string  // the device's fault code when it sent one as a string
	At        time.Time
}

// State returns the live state a reading sets on the detector entity.
func (r Reading) State() map[string]any {
	st := map[string]any{
		"value":      r.Value,
		"unit":       r.Unit,
		"fault":      r.Fault,
		"fault_code": nil, // nil deletes a previous code
		"reading_ts": r.At.UTC().Format(time.RFC3339Nano),
	}
	if r.FaultCode != "" {
		st["fault_code"] = r.FaultCode
	}
	return st
}

// ParseReading parses the payload of chemtwin/{site}/detectors/{id}/reading:
// `value` (a finite number), `unit` (%LEL, ppm, mg/m3 or %VOL), optional
// `fault` (a boolean, or a string fault code where "" means no fault), `ts`.
func ParseReading(payload []byte, env Env) (Reading, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return Reading{}, err
	}
	var r Reading
	value, errV := o.required("value", -maxReadingAbs, maxReadingAbs)
	unit, ok, errU := o.str("unit", 16)
	if errU == nil && !slices.Contains(Units, unit) {
		errU = fmt.Errorf("%w: unit: %q is not one of %v", ErrBadField, unit, Units)
		if !ok {
			errU = fmt.Errorf("%w: unit: missing", ErrBadField)
		}
	}
	if err := firstErr(errV, errU); err != nil {
		return Reading{}, err
	}
	if r.Fault, r.FaultCode, err = o.fault(); err != nil {
		return Reading{}, err
	}
	if r.At, err = o.ts(env); err != nil {
		return Reading{}, err
	}
	r.Value, r.Unit = value, unit
	return r, nil
}

// fault reads `fault`: a boolean or a string code ("" is no fault).
func (o object) fault() (bool, string, error) {
	r := o.raw("fault")
	if r == nil {
		return false, "", nil
	}
	if r[0] == '"' {
		code, _, err := o.str("fault", maxFaultCode)
		return code != "", code, err
	}
	f, _, err := o.boolean("fault")
	if err != nil {
		err = fmt.Errorf("%w: fault: want a boolean or a string code", ErrBadField)
	}
	return f, "", err
}
