package plume

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Threat-zone limits (REFERENCE §8 "Limits to enforce", after ALOHA): zones
// are not drawn under 10 m or beyond 10 km.
const (
	ZoneMinM = 10
	ZoneMaxM = 10000
)

// The centreline search samples C(x) on a logarithmic grid from 1 m (the
// Gaussian model is meaningless closer) to ZoneMaxM, 40 samples per decade,
// then bisects each crossing to zoneTolM.
const (
	zoneSearchMinM    = 1
	zoneSamplesPerDec = 40
	zoneTolM          = 0.01
)

// Zone is the stretch of the ground-level centreline (y = 0, z = 0) where the
// concentration is at least the level of concern.
type Zone struct {
	LOCGM3 float64 // level of concern, g/m³
	// Reached is false when the centreline stays below the LOC everywhere
	// between 1 m and ZoneMaxM; the other fields are then zero.
	Reached bool
	// NearM and FarM bound the zone along the centreline, m. A ground release
	// starts at the source (NearM = 0, as does any release already at the
	// LOC 1 m downwind, where the search starts); an elevated one touches down at
	// NearM > 0. If the centreline crossed the LOC more than twice (jumps
	// between the ranges of a piecewise σ set), the interval runs from the
	// first crossing to the last.
	NearM, FarM float64
	// TooShort flags FarM < ZoneMinM: the zone is too small to draw.
	TooShort bool
	// TooLong flags a zone reaching past ZoneMaxM: FarM is then ZoneMaxM
	// and the zone is to be reported as "> 10 km", not drawn beyond.
	TooLong bool
}

// Zone finds the centreline extent of the region where the ground-level
// concentration is at least locGM3.
func (p Plume) Zone(locGM3 float64) (Zone, error) {
	if !(locGM3 > 0) || math.IsInf(locGM3, 1) {
		return Zone{}, fmt.Errorf("%w: level of concern %g g/m³ (want > 0, finite)", ErrInput, locGM3)
	}
	if err := p.Validate(); err != nil {
		return Zone{}, err
	}
	above := func(x float64) (bool, error) {
		s, err := p.Section(x)
		return err == nil && s.Centreline() >= locGM3, err
	}
	n := int(math.Round(zoneSamplesPerDec * math.Log10(ZoneMaxM/zoneSearchMinM)))
	step := math.Pow(ZoneMaxM/zoneSearchMinM, 1/float64(n))
	z := Zone{LOCGM3: locGM3}
	first, last := -1, -1
	for i := 0; i <= n; i++ {
		in, err := above(zoneSearchMinM * math.Pow(step, float64(i)))
		if err != nil {
			return Zone{}, err
		}
		if in {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return z, nil
	}
	z.Reached = true
	xAt := func(i int) float64 { return zoneSearchMinM * math.Pow(step, float64(i)) }
	if first > 0 {
		z.NearM = bisect(above, xAt(first-1), xAt(first))
	}
	if last == n {
		z.FarM, z.TooLong = ZoneMaxM, true
	} else {
		z.FarM = bisect(above, xAt(last), xAt(last+1))
	}
	z.TooShort = z.FarM < ZoneMinM
	return z, nil
}

// bisect narrows [lo, hi], where above changes value, to zoneTolM and returns
// the point where the concentration is still at least the LOC.
func bisect(above func(float64) (bool, error), lo, hi float64) float64 {
	loIn, _ := above(lo)
	for hi-lo > zoneTolM {
		mid := (lo + hi) / 2
		if in, _ := above(mid); in == loIn {
			lo = mid
		} else {
			hi = mid
		}
	}
	if loIn {
		return lo
	}
	return hi
}

// HalfWidthM returns the crosswind half-width, m, of the ground-level region
// where the concentration is at least locGM3, at downwind distance xM.
func (p Plume) HalfWidthM(xM, locGM3 float64) (float64, error) {
	if !(locGM3 > 0) || math.IsInf(locGM3, 1) {
		return 0, fmt.Errorf("%w: level of concern %g g/m³ (want > 0, finite)", ErrInput, locGM3)
	}
	s, err := p.Section(xM)
	if err != nil {
		return 0, err
	}
	return s.HalfWidthM(locGM3), nil
}

// Footprint returns the ground footprint of zone z as a closed ring in the
// dispersion frame (orb.Point{x downwind, y crosswind}, metres), sampled at
// n ≥ 2 evenly spaced stations from NearM to FarM, counter-clockwise (RFC
// 7946 exterior order): the right edge outwards, the left edge back. A zone cut at ZoneMaxM ends in a straight edge. An
// unreached zone gives an empty ring.
func (p Plume) Footprint(z Zone, n int) (orb.Ring, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w: %d stations (want ≥ 2)", ErrInput, n)
	}
	if !z.Reached {
		return nil, nil
	}
	half := make([]float64, n)
	xs := make([]float64, n)
	for i := range n {
		xs[i] = z.NearM + (z.FarM-z.NearM)*float64(i)/float64(n-1)
		if xs[i] <= 0 {
			continue // the source point itself
		}
		w, err := p.HalfWidthM(xs[i], z.LOCGM3)
		if err != nil {
			return nil, err
		}
		half[i] = w
	}
	ring := make(orb.Ring, 0, 2*n+1)
	for i := range n { // out along the right edge (y < 0)
		y := 0.0
		if half[i] > 0 {
			y = -half[i]
		}
		ring = append(ring, orb.Point{xs[i], y})
	}
	for i := n - 1; i >= 0; i-- { // back along the left edge
		if half[i] > 0 {
			ring = append(ring, orb.Point{xs[i], half[i]})
		}
	}
	return append(ring, ring[0]), nil
}
