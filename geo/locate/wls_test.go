package locate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// grid12 returns beacons on a 12 m grid around the origin, 3 m up, with the
// noiseless RSSI a tag at truth (height 1.2 m) receives.
func grid12(m PathLoss, truth [2]float64) []heard {
	var hs []heard
	for x := -24.0; x <= 24; x += 12 {
		for y := -24.0; y <= 24; y += 12 {
			d := math.Sqrt((x-truth[0])*(x-truth[0]) + (y-truth[1])*(y-truth[1]) + 1.8*1.8)
			hs = append(hs, heard{xy: [2]float64{x, y}, z: 3, rssi1m: -59, rssi: m.RSSI(-59, d), bld: -1})
		}
	}
	return hs
}

func weakPrior(at [2]float64) prior {
	return prior{xy: at, info: sym2{xx: 1e-4, yy: 1e-4}}
}

func TestLSQNoiseless(t *testing.T) {
	m := NewPathLoss(2.2, 4)
	for _, truth := range [][2]float64{{0, 0}, {3.3, -7.1}, {10, 10}, {-17, 4}} {
		l := lsq{m: m, obs: grid12(m, truth), zt: 1.2, pr: weakPrior([2]float64{0, 0})}
		f := l.robust([2]float64{5, 5}, [2]float64{0, 0})
		if e := dist(f.xy, truth); e > 0.01 {
			t.Errorf("truth %v: solved %v, error %.3f m", truth, f.xy, e)
		}
		if f.used != 25 || f.cost > 1e-4 || f.info.xx <= 0 || f.info.det() <= 0 {
			t.Errorf("truth %v: used %d cost %g info %+v", truth, f.used, f.cost, f.info)
		}
	}
}

func TestLSQOutliers(t *testing.T) {
	m := NewPathLoss(2.2, 4)
	truth := [2]float64{4, -3}
	obs := grid12(m, truth)
	// a beacon moved (reads 25 dB strong) and one behind a steel tank
	// (30 dB weak): far beyond 4σ.
	obs[0].rssi += 25
	obs[24].rssi -= 30
	l := lsq{m: m, obs: obs, zt: 1.2, pr: weakPrior([2]float64{0, 0})}
	f := l.robust([2]float64{0, 0}, [2]float64{0, 0})
	if e := dist(f.xy, truth); e > 0.05 {
		t.Errorf("solved %v, error %.2f m", f.xy, e)
	}
	if !obs[0].rejected || !obs[24].rejected || f.used != 23 {
		t.Errorf("outliers not rejected: used %d, flags %v %v", f.used, obs[0].rejected, obs[24].rejected)
	}
	// Without robust weights (plain least squares from the same start) the
	// outliers drag the solution metres away: the robustness is doing work.
	plain := 0.0
	for i := range obs {
		obs[i].rejected = false
	}
	l2 := lsq{m: m, obs: obs, zt: 1.2, pr: weakPrior([2]float64{0, 0})}
	p := l2.solve([2]float64{0, 0}, wlsIters) // Huber only, no rejection
	plain = dist(p, truth)
	if plain < 0.2 {
		t.Errorf("Huber-only solution %.2f m off: the outliers are too mild to test rejection", plain)
	}
}

func TestLSQNoiseIsUnbiased(t *testing.T) {
	// Maximum likelihood in the dB domain: over many noisy reports the mean
	// error stays small against the per-report spread.
	m := NewPathLoss(2.2, 4)
	truth := [2]float64{2, 5}
	rng := rand.New(rand.NewPCG(3, 4))
	var sx, sy, s2 float64
	const n = 400
	for range n {
		obs := grid12(m, truth)
		for i := range obs {
			obs[i].rssi += rng.NormFloat64() * 4
		}
		l := lsq{m: m, obs: obs, zt: 1.2, pr: weakPrior(truth)}
		f := l.robust(truth, truth)
		sx += f.xy[0] - truth[0]
		sy += f.xy[1] - truth[1]
		s2 += math.Pow(dist(f.xy, truth), 2)
	}
	bias, rms := math.Hypot(sx/n, sy/n), math.Sqrt(s2/n)
	if bias > 0.3 || rms > 4 {
		t.Errorf("bias %.2f m, rms %.2f m", bias, rms)
	}
}

func TestInsertStrongestAndNearest(t *testing.T) {
	var buf [4]heard
	hs := buf[:0]
	for i, r := range []float64{-80, -60, -90, -70, -65, -95} {
		hs = insertStrongest(hs, heard{rssi: r, rssi1m: -59, floor: i})
	}
	want := []float64{-60, -65, -70, -80}
	for i, h := range hs {
		if h.rssi != want[i] {
			t.Fatalf("strongest = %+v", hs)
		}
	}
	var pts []heard
	for i := range 10 {
		pts = append(pts, heard{xy: [2]float64{float64(i * 10), 0}, floor: i})
	}
	near := nearest(pts, [2]float64{42, 0}, 0, 3)
	got := map[int]bool{}
	for _, h := range near {
		got[h.floor] = true
	}
	if len(near) != 3 || !got[3] || !got[4] || !got[5] {
		t.Errorf("nearest to 42 = %+v", near)
	}
}
