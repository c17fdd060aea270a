package plume

import (
	"math"
	"slices"

	"github.com/paulmach/orb/planar"
)

// fitter evaluates candidates against one set of readings, reusing its
// scratch slices; it is not safe for concurrent use.
type fitter struct {
	o    EstimateOptions
	w    wind
	a, b []float64 // ln C − ln f (detected), ln limit − ln f (censored)
}

// fit computes the best log rate, the sum of squared log errors of
// candidate c and the number of terms in it (detections plus censored
// readings predicted above the limit). It reports false when c cannot explain a detection (the
// detector is upwind of c, or so far off the plume that f underflows).
func (f *fitter) fit(c Candidate, lnQ, sse *float64, terms *int) (bool, error) {
	p := f.o.Plume
	p.HeightM = c.HeightM
	lnLimit := math.Log(f.o.DetectionLimitGM3)
	f.a, f.b = f.a[:0], f.b[:0]
	for _, r := range f.o.Readings {
		detected := r.ConcentrationGM3 >= f.o.DetectionLimitGM3
		x, y := f.w.toPlume(r.At[0]-c.At[0], r.At[1]-c.At[1])
		u := 0.0
		if x > 0 {
			s, err := p.Section(x)
			if err != nil {
				return false, err
			}
			u = s.At(y, r.ZM)
		}
		switch {
		case u > 0 && detected:
			f.a = append(f.a, math.Log(r.ConcentrationGM3)-math.Log(u))
		case u > 0:
			f.b = append(f.b, lnLimit-math.Log(u))
		case detected:
			return false, nil
		}
	}
	*lnQ, *sse, *terms = fitLogRate(f.a, f.b)
	return true, nil
}

// fitLogRate minimises, over L = ln Q,
//
//	S(L) = Σ_k (L − a_k)² + Σ_k max(0, L − b_k)²
//
// where a_k = ln C_k − ln f_k for the detected readings and b_k = ln(limit)
// − ln f_k for the censored ones (a censored reading costs only when the
// predicted Q·f_k exceeds the limit). S is convex and piecewise quadratic;
// its minimum is the mean of the a_k and of the b_k below it, found by
// adding the censored terms in ascending b until the mean stops below the
// next one. It returns L, S(L) and the number of terms that are not zero
// by construction (len(a) plus the censored ones above L). len(a) > 0; b is
// sorted in place.
func fitLogRate(a, b []float64) (lnQ, sse float64, terms int) {
	slices.Sort(b)
	sum := 0.0
	for _, v := range a {
		sum += v
	}
	n, m := float64(len(a)), 0
	lnQ = sum / n
	for m < len(b) && b[m] < lnQ {
		sum += b[m]
		m++
		lnQ = sum / (n + float64(m))
	}
	for _, v := range a {
		sse += (lnQ - v) * (lnQ - v)
	}
	for _, v := range b[:m] {
		sse += (lnQ - v) * (lnQ - v)
	}
	return lnQ, sse, len(a) + m
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
