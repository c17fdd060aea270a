package plume

import (
	"errors"
	"math"
	"testing"
)

// stackFor returns a stack with buoyancy flux fb (m⁴/s³) for d = 2 m,
// v = 10 m/s, Ta = 293 K.
func stackFor(fb float64) Stack {
	// fb = g v d² (Ts − Ta)/(4 Ts)  ⇒  Ts = Ta / (1 − 4 fb/(g v d²))
	ta := 293.0
	return Stack{DiameterM: 4, ExitVelocityMS: 10, AmbientTempK: ta,
		ExitTempK: ta / (1 - 4*fb/(isc3Gravity*10*16))}
}

func TestBriggsRise(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   Stack
		u    float64
		s    Stability
		want float64
	}{
		{"neutral-low-flux", stackFor(20), 5, D, 21.425 * math.Pow(20, 0.75) / 5},
		{"neutral-high-flux", stackFor(100), 5, C, 38.71 * math.Pow(100, 0.6) / 5},
		{"stable-e", stackFor(20), 3, E, 2.6 * math.Cbrt(20/(3*isc3Gravity*0.020/293))},
		// Cold jet: no buoyancy, momentum rise 3 d v/u.
		{"cold-jet-neutral", Stack{DiameterM: 0.5, ExitVelocityMS: 20, ExitTempK: 293, AmbientTempK: 293}, 4, B, 3 * 0.5 * 20 / 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BriggsRiseM(tc.st, tc.u, tc.s)
			if err != nil || !within(got, tc.want, 1e-9) {
				t.Errorf("got %g, %v; want %g", got, err, tc.want)
			}
		})
	}
	// The two buoyancy laws meet at F = 55 to within 1.5 % (a typo check).
	lo, _ := BriggsRiseM(stackFor(54.999), 5, D)
	hi, _ := BriggsRiseM(stackFor(55), 5, D)
	if !within(hi, lo, 0.015) {
		t.Errorf("rise jumps from %g to %g at F = 55", lo, hi)
	}
	// ISC3's crossover ΔTc = 0.0297 Ts v^{1/3}/d^{2/3} (F < 55) is where the
	// buoyant and momentum rises are equal.
	d, v, ts := 1.0, 5.0, 400.0
	dtc := 0.0297 * ts * math.Cbrt(v) / math.Pow(d, 2.0/3)
	fb := isc3Gravity * v * d * d * dtc / (4 * ts)
	if buoy, jet := 21.425*math.Pow(fb, 0.75), 3*d*v; !within(buoy, jet, 2e-3) {
		t.Errorf("at ΔTc buoyant %g vs momentum %g", buoy, jet)
	}
	for _, st := range []Stack{{}, {DiameterM: 1, ExitVelocityMS: math.NaN(), ExitTempK: 300, AmbientTempK: 290}} {
		if _, err := BriggsRiseM(st, 3, D); !errors.Is(err, ErrInput) {
			t.Errorf("%+v: %v", st, err)
		}
	}
	if _, err := BriggsRiseM(stackFor(10), 0, D); !errors.Is(err, ErrInput) {
		t.Errorf("zero wind: %v", err)
	}
}
