package threat

import (
	"math"
	"time"
)

// yamartinoK is the coefficient of ε³ in the Yamartino (1984) estimator of
// the standard deviation of wind direction, 2/√3 − 1 = 0.1547
// (R. J. Yamartino, "A comparison of several 'single-pass' estimators of
// the standard deviation of wind direction", J. Clim. Appl. Meteor. 23:1362–
// 1366, 1984, eq. 8; EPA-454/R-99-005 eq. 6.2.8).
var yamartinoK = 2/math.Sqrt(3) - 1

// windSample is one station report: speed m/s at 10 m and the direction the
// wind blows from, degrees clockwise from north.
type windSample struct {
	at      time.Time
	speedMS float64
	fromDeg float64
}

// windStats is a station's wind over its window.
type windStats struct {
	SpeedMS       float64 // vector-mean speed, m/s
	FromDeg       float64 // vector-mean direction the wind blows from, degrees [0, 360)
	SigmaThetaDeg float64 // Yamartino σθ, degrees; 0 with fewer than two samples
	Samples       int
}

// meanWind returns the vector-mean wind of the samples and their direction
// spread. The mean wind is the mean of the wind vectors (each sample's speed
// along its direction); σθ is Yamartino's single-pass estimator over the
// unit direction vectors: with sa and ca the means of sin θ and cos θ,
// ε = √(1 − (sa² + ca²)) and σθ = arcsin(ε)·(1 + 0.1547 ε³). It is zero for
// fewer than two samples, where a spread means nothing.
func meanWind(samples []windSample) windStats {
	n := len(samples)
	if n == 0 {
		return windStats{}
	}
	var ue, un, sa, ca float64
	for _, s := range samples {
		sin, cos := math.Sincos(s.fromDeg * math.Pi / 180)
		ue += s.speedMS * sin // the "from" vector; its mean has the same direction
		un += s.speedMS * cos
		sa += sin
		ca += cos
	}
	fn := float64(n)
	ue, un, sa, ca = ue/fn, un/fn, sa/fn, ca/fn
	st := windStats{SpeedMS: math.Hypot(ue, un), Samples: n}
	st.FromDeg = math.Mod(math.Atan2(ue, un)*180/math.Pi+360, 360)
	if st.SpeedMS == 0 { // calm: keep the latest direction
		st.FromDeg = samples[n-1].fromDeg
	}
	if n >= 2 {
		eps := math.Sqrt(math.Max(0, 1-(sa*sa+ca*ca)))
		st.SigmaThetaDeg = math.Asin(math.Min(1, eps)) * (1 + yamartinoK*eps*eps*eps) * 180 / math.Pi
	}
	return st
}

// windWindow is one station's samples, oldest first, spanning at most the
// window before the newest.
type windWindow struct {
	samples []windSample
}

// add appends a report unless it repeats the last one's time, and drops
// the samples older than window before the newest.
func (w *windWindow) add(s windSample, window time.Duration) bool {
	if n := len(w.samples); n > 0 && !s.at.After(w.samples[n-1].at) {
		return false
	}
	w.samples = append(w.samples, s)
	cut := s.at.Add(-window)
	i := 0
	for i < len(w.samples) && w.samples[i].at.Before(cut) {
		i++
	}
	if i > 0 {
		w.samples = append(w.samples[:0], w.samples[i:]...)
	}
	return true
}
