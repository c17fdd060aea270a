package locate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// feed runs position measurements with noise sigma through a fresh filter,
// every 2 s, and returns the filter after each step.
func walkFilter(t *testing.T, truth func(s float64) [2]float64, steps int, sigma float64, check func(k int, f *imm, truth [2]float64)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var f imm
	info := sym2{xx: 1 / (sigma * sigma), yy: 1 / (sigma * sigma)}
	for k := range steps {
		tr := truth(float64(k) * 2)
		z := [2]float64{tr[0] + rng.NormFloat64()*sigma, tr[1] + rng.NormFloat64()*sigma}
		if k == 0 {
			f.init(z, sym2{xx: sigma * sigma, yy: sigma * sigma}, defaultMotion)
		} else {
			f.predict(2, defaultMotion)
			f.update(meas{z: z, info: info})
		}
		check(k, &f, tr)
	}
}

// Raw noise of 2 m per axis: 2.8 m rms, 3.0 m at the 68.27 % point.
func TestFilterStraightWalk(t *testing.T) {
	var sq, speed, walking float64
	n := 0
	walkFilter(t, func(s float64) [2]float64 { return [2]float64{1.2 * s * 0.6, 1.2 * s * 0.8} }, 80, 2,
		func(k int, f *imm, tr [2]float64) {
			if k < 20 {
				return
			}
			e := f.estimate()
			sq += math.Pow(dist([2]float64{e.x[0], e.x[1]}, tr), 2)
			speed += math.Hypot(e.x[2], e.x[3])
			walking += f.mu[walk]
			n++
		})
	rms, speed, walking := math.Sqrt(sq/float64(n)), speed/float64(n), walking/float64(n)
	if rms > 2 || math.Abs(speed-1.2) > 0.3 || walking < 0.6 {
		t.Errorf("rms error %.2f m, mean speed %.2f m/s, mean walking probability %.2f", rms, speed, walking)
	}
}

func TestFilterStop(t *testing.T) {
	stop := [2]float64{24, 0}
	var last imm
	var errs []float64
	walkFilter(t, func(s float64) [2]float64 { return [2]float64{math.Min(1.2*s, stop[0]), 0} }, 80, 2,
		func(k int, f *imm, tr [2]float64) {
			last = *f
			if k >= 40 {
				e := f.estimate()
				errs = append(errs, dist([2]float64{e.x[0], e.x[1]}, tr))
			}
		})
	e := last.estimate()
	if last.mu[still] < 0.8 || math.Hypot(e.x[2], e.x[3]) > 0.3 {
		t.Errorf("after 40 reports at rest: still %.2f, speed %.2f", last.mu[still], math.Hypot(e.x[2], e.x[3]))
	}
	// standing still, the filter averages the 3 m (p68) noise down
	if p := p68(errs); p > 1.5 {
		t.Errorf("p68 at rest %.2f m", p)
	}
}

func TestFilterSingularMeasurement(t *testing.T) {
	var f imm
	f.init([2]float64{0, 0}, sym2{xx: 4, yy: 4}, defaultMotion)
	// information only along x: y must not move
	f.update(meas{z: [2]float64{3, 5}, info: sym2{xx: 1}})
	e := f.estimate()
	if e.x[0] <= 1 || e.x[0] >= 3 || math.Abs(e.x[1]) > 1e-9 {
		t.Errorf("estimate %v", e.x)
	}
	if e.p[1][1] < 3.99 || e.p[0][0] > 1 {
		t.Errorf("covariance %v", e.p)
	}
}

func TestConstrain(t *testing.T) {
	var k kalman
	k.x = [4]float64{3, 4, 1, 1}
	k.p[0][0], k.p[1][1], k.p[2][2], k.p[3][3] = 4, 4, 1, 1
	// the line y = 0, tight: y moves to ≈ 0, x stays
	k.constrain([4]float64{0, 1, 0, 0}, 0, 0.01)
	if math.Abs(k.x[1]) > 0.01 || k.x[0] != 3 || k.p[1][1] > 0.001 {
		t.Errorf("state %v cov %v", k.x, k.p)
	}
}
