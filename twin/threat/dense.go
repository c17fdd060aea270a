package threat

import (
	"errors"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Dense clouds (ALOHA's heavy-gas choice, REFERENCE §8). A release whose
// gas is denser than the air and passes Britter and McQuaid's criterion
// ((g₀′q₀/u³D)^⅓ ≥ 0.15, geo/plume.DenseRelease) slumps and spreads along
// the ground instead of mixing as a Gaussian plume does: the reach of each
// level of concern comes from the workbook's correlations
// (geo/plume.DenseCurve), and beyond the curves' last ratio (Cm/C₀ =
// 0.002, i.e. 2,000 ppm for a pure gas) the cloud is passive and the
// Gaussian carries on from there (a virtual source: the Gaussian's own run
// from that concentration to the level of concern is added to the
// workbook's distance). The zone's shape is the Gaussian isopleth stretched
// along the wind to that reach; its width is the Gaussian's (the workbook's
// width correlation is disputed and not used), and the zone says so
// (WarnDenseModel).
//
// The release is taken as isothermal at the ambient temperature (the
// detectors do not tell the release temperature) at DenseAmbientC. A gas
// the library flags as forming dense clouds that is not denser than air as
// a gas at that temperature (ammonia: a cold, two-phase cloud of a
// liquefied release) is run as Gaussian with WarnDenseGas, as ALOHA warns.

// DenseAmbientC is the ambient (and release) temperature of the dense-gas
// check, °C: the reference of the Chinese OELs (GBZ 2.1, 20 °C).
const DenseAmbientC = 20.0

// WarnDenseModel: the zones' reach is Britter–McQuaid's (a dense cloud).
const WarnDenseModel = "dense_gas_model"

// atmospherePa is the standard atmosphere, Pa.
const atmospherePa = 101325.0

// How a release is modelled (denseCurve).
const (
	passive    = iota // Gaussian: the gas is not denser than air, or the release too small to slump
	dense             // Britter–McQuaid
	unmodelled        // dense, but not as the workbook can model it: Gaussian with WarnDenseGas
)

// denseCurve returns the Britter–McQuaid curve of a continuous release of
// sub at rateGS in wind u and how the release is to be modelled.
func denseCurve(sub *substance.Substance, rateGS, u float64) (plume.DenseCurve, int) {
	t := DenseAmbientC + substance.ZeroCelsiusK
	rho, err1 := plume.GasDensityKgM3(sub.MolarMass(), t, atmospherePa)
	air, err2 := plume.GasDensityKgM3(plume.AirMolarMassGMol, t, atmospherePa)
	switch {
	case err1 != nil || err2 != nil:
		return plume.DenseCurve{}, passive
	case !(rho > air) && sub.DenseGas:
		return plume.DenseCurve{}, unmodelled // a cold or two-phase cloud
	case !(rho > air):
		return plume.DenseCurve{}, passive
	}
	r := plume.DenseRelease{RateM3S: rateGS / 1000 / rho, DensityKgM3: rho, AmbientDensityKgM3: air, WindMS: u}
	if ok, _, err := r.Criterion(); err != nil || !ok {
		return plume.DenseCurve{}, passive
	}
	c, err := r.Curve()
	if err != nil {
		return c, unmodelled
	}
	return c, dense
}

// denseReachM is the downwind reach, m, of the level of concern locPPM of
// a dense release with curve c, handing over to the Gaussian p beyond the
// curve (see the package comment above).
func denseReachM(c plume.DenseCurve, p plume.Plume, sub *substance.Substance, locPPM float64) (float64, error) {
	frac := locPPM * 1e-6
	switch {
	case frac > c.HighFraction:
		return c.NearM, nil // the level lies within the curve's start
	case frac >= c.LowFraction:
		return c.DistanceM(min(frac, c.HighFraction))
	}
	toGM3 := func(f float64) float64 {
		return substance.PPMToGM3(f*1e6, sub.MolarMass(), substance.MolarVolume(DenseAmbientC))
	}
	from, err := p.Zone(toGM3(c.LowFraction))
	if err != nil {
		return 0, err
	}
	to, err := p.Zone(toGM3(frac))
	if err != nil {
		return 0, err
	}
	if !to.Reached {
		return 0, nil
	}
	return c.FarM + max(0, to.FarM-from.FarM), nil
}

// stretch scales the downwind part of a zone polygon (metres east/north of
// the source) by k along the wind blowing from fromDeg.
func stretch(p orb.Polygon, fromDeg, k float64) orb.Polygon {
	d := plume.Downwind(fromDeg)
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		ring := make(orb.Ring, len(r))
		for j, q := range r {
			a := q[0]*d[0] + q[1]*d[1]
			if a > 0 {
				q = orb.Point{q[0] + (k-1)*a*d[0], q[1] + (k-1)*a*d[1]}
			}
			ring[j] = q
		}
		out[i] = ring
	}
	return out
}

// errNoDense is returned by denseZone for a level the dense model leaves
// to the Gaussian.
var errNoDense = errors.New("threat: not a dense level")

// denseZone applies a dense reach to one level's Gaussian shape: the
// polygon and confidence region stretched to reach, the flags redone.
func denseZone(shape plume.ZoneShape, fromDeg, reachM float64) (plume.ZoneShape, error) {
	if !shape.Zone.Reached || !(shape.Zone.FarM > 0) || !(reachM > 0) || len(shape.Polygon) == 0 {
		return shape, errNoDense
	}
	k := reachM / shape.Zone.FarM
	shape.Polygon = stretch(shape.Polygon, fromDeg, k)
	if len(shape.Confidence) > 0 {
		shape.Confidence = stretch(shape.Confidence, fromDeg, k)
	}
	shape.Zone.FarM = math.Min(reachM, plume.ZoneMaxM)
	shape.Zone.TooShort, shape.Zone.TooLong = reachM < plume.ZoneMinM, reachM > plume.ZoneMaxM
	return shape, nil
}
