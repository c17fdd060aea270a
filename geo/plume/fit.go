package plume

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb/planar"
)

// fitter evaluates candidates against one set of readings, reusing its
// scratch slices; it is not safe for concurrent use.
type fitter struct {
	o       EstimateOptions
	w       wind
	a, b, c []float64 // ln C − ln f: detected, censored below the limit (b: ln limit − ln f), saturated
}

// fit computes the best log rate, the sum of squared log errors of
// candidate c and the number of terms in it (detections plus censored
// readings on the wrong side of their bound). It reports false when c
// cannot explain a detection (the detector is upwind of c, or so far off
// the plume that f underflows).
func (f *fitter) fit(c Candidate, lnQ, sse *float64, terms *int) (bool, error) {
	p := f.o.Plume
	p.HeightM = c.HeightM
	lnLimit := math.Log(f.o.DetectionLimitGM3)
	f.a, f.b, f.c = f.a[:0], f.b[:0], f.c[:0]
	for _, r := range f.o.Readings {
		detected := r.ConcentrationGM3 >= f.o.DetectionLimitGM3
		x, y := f.w.toPlume(r.At[0]-c.At[0], r.At[1]-c.At[1])
		u, err := p.Near(x, y, r.ZM)
		if err != nil {
			return false, err
		}
		switch {
		case u > 0 && detected && r.Saturated:
			f.c = append(f.c, math.Log(r.ConcentrationGM3)-math.Log(u))
		case u > 0 && detected:
			f.a = append(f.a, math.Log(r.ConcentrationGM3)-math.Log(u))
		case u > 0:
			f.b = append(f.b, lnLimit-math.Log(u))
		case detected:
			return false, nil
		}
	}
	*lnQ, *sse, *terms = fitLogRate(f.a, f.b, f.c)
	return true, nil
}

// fitLogRate minimises, over L = ln Q,
//
//	S(L) = Σ_k (L − a_k)² + Σ_k max(0, L − b_k)² + Σ_k max(0, c_k − L)²
//
// where a_k = ln C_k − ln f_k for the detected readings, b_k = ln(limit) −
// ln f_k for those below the detection limit (a censored reading costs
// only when the predicted Q·f_k exceeds the limit) and c_k = ln C_k − ln f_k
// for saturated ones (at the top of their range, costing only when the
// prediction falls short). S is convex and piecewise quadratic; its
// minimum is the mean of the a_k, the b_k below it and the c_k above it.
// The active sets only grow: starting from the mean of the a_k (or the
// largest c_k without detections), a b_k below the mean pulls it down and a
// c_k above it pulls it up, never past the value added, so each is added
// once in order (b ascending, c descending) until none is left on the
// wrong side. With saturated readings alone the minimum is a range of
// rates and L is its lower end: the rate is at least e^L. It returns L,
// S(L) and the number of terms not zero by construction. len(a)+len(c) > 0;
// b and c are sorted in place.
func fitLogRate(a, b, c []float64) (lnQ, sse float64, terms int) {
	slices.Sort(b)
	slices.SortFunc(c, func(x, y float64) int { return cmp.Compare(y, x) })
	sum, n := 0.0, 0
	for _, v := range a {
		sum += v
	}
	n = len(a)
	mb, mc := 0, 0
	if n == 0 {
		sum, n, mc = c[0], 1, 1
	}
	lnQ = sum / float64(n)
	for {
		moved := false
		for mb < len(b) && b[mb] < lnQ {
			sum += b[mb]
			mb++
			n++
			lnQ, moved = sum/float64(n), true
		}
		for mc < len(c) && c[mc] > lnQ {
			sum += c[mc]
			mc++
			n++
			lnQ, moved = sum/float64(n), true
		}
		if !moved {
			break
		}
	}
	for _, v := range a {
		sse += (lnQ - v) * (lnQ - v)
	}
	for _, v := range b[:mb] {
		sse += (lnQ - v) * (lnQ - v)
	}
	for _, v := range c[:mc] {
		sse += (lnQ - v) * (lnQ - v)
	}
	return lnQ, sse, n
}

// confidence returns the posterior share of the candidates within
// o.RadiusM of the best (see Estimate.Confidence) and the best candidate
// beyond that radius with its RMS log residual.
func confidence(cands []Candidate, sse []float64, terms []int, best int, o EstimateOptions, rms float64) (float64, *Candidate, float64) {
	sigma := max(rms, o.LogSigmaFloor)
	k := 1 / (2 * sigma * sigma)
	in, all, ru := 0.0, 0.0, -1
	for i, c := range cands {
		if math.IsInf(sse[i], 1) {
			continue
		}
		w := math.Exp(-(sse[i] - sse[best]) * k)
		all += w
		if planar.Distance(c.At, cands[best].At) <= o.RadiusM {
			in += w
		} else if ru < 0 || sse[i] < sse[ru] {
			ru = i
		}
	}
	if ru < 0 {
		return in / all, nil, 0
	}
	return in / all, &cands[ru], math.Sqrt(sse[ru] / float64(terms[ru]))
}
