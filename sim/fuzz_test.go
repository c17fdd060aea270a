package sim

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/chemtwin/chemtwin/twin"
)

// FuzzDetectorProps feeds arbitrary detector properties from a scene file
// (type, unit, range, setpoints) to the detector model, with and without a
// leak: no panic, and every reading is a finite number inside the range it
// chose, in a valid JSON payload.
func FuzzDetectorProps(f *testing.F) {
	f.Add("combustible", "%LEL", 0.0, 100.0, 25.0, 50.0)
	f.Add("toxic", "ppm", 0.0, 10.0, 1.0, 2.0)
	f.Add("oxygen", "%VOL", 0.0, 25.0, 19.5, 23.5)
	f.Add("toxic", "mg/m3", 5.0, 5.000001, 7.0, -3.0)
	f.Add("", "", -1e12, 1e12, math.Inf(1), math.NaN())
	f.Add("gas", "ppm", 100.0, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, typ, unit string, lo, hi, a1, a2 float64) {
		e := &twin.Entity{ID: "gd", Kind: twin.KindGasDetector, Props: map[string]any{
			"detector_type": typ, "unit": unit, "range": []any{lo, hi}, "alarm1": a1, "alarm2": a2,
		}}
		d := newDetector(e, newRand(1, "fuzz"))
		d.m = &model{}
		d.leaks = []leak{{from: 5, rise: 3, hold: 5, fall: 3, peak: (d.a1 - d.lo) * 2}}
		for ms := int64(0); ms < 20_000; ms += 1000 {
			msg, _, _ := d.emit(ms)
			var r struct {
				Value float64
				Unit  string
			}
			if err := json.Unmarshal(msg.Payload, &r); err != nil {
				t.Fatalf("payload %s: %v", msg.Payload, err)
			}
			if math.IsNaN(r.Value) || r.Value < d.lo-d.res || r.Value > d.hi+d.res {
				t.Fatalf("reading %v outside [%v, %v]", r.Value, d.lo, d.hi)
			}
		}
	})
}
