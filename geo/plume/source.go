package plume

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Candidate is a possible release point in the plant frame.
type Candidate struct {
	ID      string    // the release source's id (equipment); "" for a free-grid point
	At      orb.Point // metres east/north of the plant origin
	HeightM float64   // release height, m, ≥ 0
}

// Reading is one detector's concentration at one time.
type Reading struct {
	At orb.Point // metres east/north of the plant origin
	ZM float64   // detector height above ground, m, ≥ 0
	// ConcentrationGM3 is the reading, g/m³; a value below the detection
	// limit (zero included) says only "less than the limit" (censored).
	ConcentrationGM3 float64
	// Saturated marks a reading at the top of the detector's range: the
	// concentration is at least ConcentrationGM3.
	Saturated bool
}

// EstimateOptions describe a source estimation. The zero value of every
// optional field is its default.
type EstimateOptions struct {
	// Plume gives the wind speed, stability class, σ set and duration; its
	// RateGS and HeightM are ignored (the rate is fitted, the height is
	// the candidate's).
	Plume Plume
	// WindFromDeg is the direction the wind blows from, degrees clockwise
	// from north.
	WindFromDeg float64
	// Readings are the detectors' readings; at least one at or above the
	// detection limit.
	Readings []Reading
	// DetectionLimitGM3 is the detectors' detection limit, g/m³, > 0.
	DetectionLimitGM3 float64
	// Candidates are the known release sources (scene equipment).
	Candidates []Candidate
	// GridStepM is the spacing of the free grid of candidates laid over the
	// detectors' bounding box widened by GridMarginM; default 10 m, < 0
	// for no free grid.
	GridStepM float64
	// GridMarginM widens the free grid beyond the detectors; default 100 m.
	GridMarginM float64
	// GridHeightM is the release height of the free-grid candidates, m.
	GridHeightM float64
	// RadiusM is the radius of the confidence region about the estimate;
	// default twice the grid step (20 m without a grid).
	RadiusM float64
	// SourceSigmaYM and SourceSigmaZM are the candidates' initial spread,
	// m: a leak in a process unit is a volume source (see Widened); 0 is
	// a point source.
	SourceSigmaYM, SourceSigmaZM float64
	// DirectionSigmaDeg is the uncertainty of the wind direction the
	// readings are held against, degrees (0–45; see Widened): readings of
	// the moment against a 10-min mean direction.
	DirectionSigmaDeg float64
	// LogSigmaFloor is the smallest standard deviation of the log error
	// the confidence assumes (a perfect fit is not infinitely sure);
	// default 0.1 (10 %).
	LogSigmaFloor float64
}

// Estimate is the best-fitting source.
type Estimate struct {
	Source Candidate // the best candidate
	RateGS float64   // the fitted rate, g/s
	// ResidualLog is the RMS of the natural-log error, ln(predicted/
	// measured), over the detected readings and the censored readings
	// predicted above the detection limit (for those, ln(predicted/limit));
	// censored readings predicted below the limit agree and are not counted.
	ResidualLog float64
	// Confidence is the posterior probability, 0–1, that the source lies
	// within RadiusM of Source: with log errors normal of standard deviation
	// σ = max(ResidualLog, LogSigmaFloor) and every candidate equally likely
	// beforehand, candidate i has likelihood ∝ exp(−SSE_i / 2σ²), and
	// Confidence is the share of the candidates within RadiusM.
	Confidence float64
	RadiusM    float64
	// RunnerUp is the best candidate farther than RadiusM from Source, and
	// RunnerUpResidualLog its residual; nil and 0 when there is none.
	RunnerUp            *Candidate
	RunnerUpResidualLog float64
	// Candidates is the number of candidates evaluated (given plus grid),
	// Feasible those consistent with every detection (a detection upwind of
	// a candidate rules it out).
	Candidates, Feasible int
	Detected, Censored   int // readings at/above and below the limit
	// RateLowerBound is set when every detection the best candidate
	// explains is saturated (Reading.Saturated): the rate is at least
	// RateGS, and zones drawn with it are the least the release can be.
	RateLowerBound bool
}

// EstimateSource fits the plume to the readings: for each candidate the
// unit-rate concentrations f_k at the detectors are computed; the rate
// follows in closed form from least squares on log concentration,
// ln C_k = ln Q + ln f_k, with censored readings penalised one-sidedly
// where the predicted Q·f_k exceeds the detection limit (see fitLogRate);
// the candidate with the smallest sum of squared log errors wins.
func EstimateSource(o EstimateOptions) (Estimate, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Estimate{}, err
	}
	w, err := newWind(o.WindFromDeg)
	if err != nil {
		return Estimate{}, err
	}
	cands := append(slices.Clip(o.Candidates), freeGrid(o)...)
	est := Estimate{Candidates: len(cands), RadiusM: o.RadiusM}
	for _, r := range o.Readings {
		if r.ConcentrationGM3 >= o.DetectionLimitGM3 {
			est.Detected++
		} else {
			est.Censored++
		}
	}
	if est.Detected == 0 {
		return est, fmt.Errorf("%w: no reading at or above the detection limit %g g/m³", ErrNoFit, o.DetectionLimitGM3)
	}
	f := fitter{o: o, w: w, a: make([]float64, 0, est.Detected), b: make([]float64, 0, est.Censored)}
	sse := make([]float64, len(cands))
	lnQ := make([]float64, len(cands))
	terms := make([]int, len(cands))
	best := -1
	for i, c := range cands {
		ok, err := f.fit(c, &lnQ[i], &sse[i], &terms[i])
		if err != nil {
			return est, err
		}
		if !ok {
			sse[i] = math.Inf(1)
			continue
		}
		est.Feasible++
		if best < 0 || sse[i] < sse[best] {
			best = i
		}
	}
	if best < 0 {
		return est, fmt.Errorf("%w: every candidate is downwind of a detection", ErrNoFit)
	}
	est.Source, est.RateGS = cands[best], math.Exp(lnQ[best])
	if _, err := f.fit(cands[best], &lnQ[best], &sse[best], &terms[best]); err != nil {
		return est, err
	}
	est.RateLowerBound = len(f.a) == 0
	est.ResidualLog = math.Sqrt(sse[best] / float64(terms[best]))
	est.Confidence, est.RunnerUp, est.RunnerUpResidualLog = confidence(cands, sse, terms, best, o, est.ResidualLog)
	return est, nil
}

func (o EstimateOptions) withDefaults() (EstimateOptions, error) {
	o.Plume.RateGS, o.Plume.HeightM = 1, 0
	if err := o.Plume.Validate(); err != nil {
		return o, err
	}
	if o.SourceSigmaYM != 0 || o.SourceSigmaZM != 0 || o.DirectionSigmaDeg != 0 {
		w := Widened{Base: o.Plume.Sigma, Y0M: o.SourceSigmaYM, Z0M: o.SourceSigmaZM, ThetaDeg: o.DirectionSigmaDeg}
		if err := w.check(); err != nil {
			return o, err
		}
		o.Plume.Sigma = w
	}
	if o.GridStepM == 0 {
		o.GridStepM = 10
	}
	if o.GridMarginM == 0 {
		o.GridMarginM = 100
	}
	if o.RadiusM == 0 {
		o.RadiusM = 2 * max(o.GridStepM, 10)
	}
	if o.LogSigmaFloor == 0 {
		o.LogSigmaFloor = 0.1
	}
	switch {
	case !(o.DetectionLimitGM3 > 0) || math.IsInf(o.DetectionLimitGM3, 1):
		return o, fmt.Errorf("%w: detection limit %g g/m³ (want > 0, finite)", ErrInput, o.DetectionLimitGM3)
	case len(o.Readings) == 0:
		return o, fmt.Errorf("%w: no readings", ErrInput)
	case !finite(o.GridStepM) || !(o.GridMarginM >= 0) || math.IsInf(o.GridMarginM, 1) || !(o.GridHeightM >= 0) || math.IsInf(o.GridHeightM, 1):
		return o, fmt.Errorf("%w: grid step %g m, margin %g m, height %g m", ErrInput, o.GridStepM, o.GridMarginM, o.GridHeightM)
	case !(o.RadiusM > 0) || math.IsInf(o.RadiusM, 1) || !(o.LogSigmaFloor > 0) || math.IsInf(o.LogSigmaFloor, 1):
		return o, fmt.Errorf("%w: radius %g m, log σ floor %g", ErrInput, o.RadiusM, o.LogSigmaFloor)
	}
	for i, r := range o.Readings {
		if !finite(r.At[0]) || !finite(r.At[1]) || !(r.ZM >= 0) || math.IsInf(r.ZM, 1) ||
			!(r.ConcentrationGM3 >= 0) || math.IsInf(r.ConcentrationGM3, 1) {
			return o, fmt.Errorf("%w: reading %d: %+v", ErrInput, i, r)
		}
	}
	for i, c := range o.Candidates {
		if !finite(c.At[0]) || !finite(c.At[1]) || !(c.HeightM >= 0) || math.IsInf(c.HeightM, 1) {
			return o, fmt.Errorf("%w: candidate %d: %+v", ErrInput, i, c)
		}
	}
	return o, nil
}

// maxGridCandidates bounds the free grid (a 2 km square at 2 m).
const maxGridCandidates = 1 << 20

// freeGrid lays candidates every GridStepM over the detectors' bounding box
// widened by GridMarginM, or none when GridStepM < 0.
func freeGrid(o EstimateOptions) []Candidate {
	if o.GridStepM < 0 {
		return nil
	}
	var box orb.Bound
	for i, r := range o.Readings {
		if i == 0 {
			box = r.At.Bound()
		}
		box = box.Extend(r.At)
	}
	box = box.Pad(o.GridMarginM)
	// Nodes sit on multiples of the step, so the grid does not shift when a
	// detector is added; a grid too fine for maxGridCandidates is coarsened.
	step := o.GridStepM
	var x0, y0 float64
	var nx, ny int
	for {
		x0, y0 = math.Floor(box.Min[0]/step)*step, math.Floor(box.Min[1]/step)*step
		nx = int(math.Floor((box.Max[0]-x0)/step)) + 1
		ny = int(math.Floor((box.Max[1]-y0)/step)) + 1
		if nx <= maxGridCandidates/ny {
			break
		}
		step *= 2
	}
	out := make([]Candidate, 0, nx*ny)
	for j := range ny {
		for i := range nx {
			out = append(out, Candidate{At: orb.Point{x0 + float64(i)*step, y0 + float64(j)*step}, HeightM: o.GridHeightM})
		}
	}
	return out
}
