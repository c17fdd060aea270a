package plume

import (
	"math"

	"github.com/paulmach/orb"
)

// sweepBinDeg is the angular resolution of a swept outline: its far edge is
// placed within half a bin (0.125°, 2.2 m at 1 km) of the exact arc.
const sweepBinDeg = 0.25

// sweep returns the region a footprint ring (dispersion frame, the source at
// the origin) covers when the wind direction turns anywhere within
// ±halfDeg: in polar coordinates about the source, the farthest reach
// R(φ) of the footprint in each direction, widened to U(θ) = max R(θ−δ)
// over |δ| ≤ halfDeg, and filled from the source out. The region is bounded
// by two straight confidence lines from the source and the arc traced by the
// zone's far end, as ALOHA draws them. For a ground release this is exactly
// the union of the turned footprints (a footprint is star-shaped about its
// source); for an elevated one it also holds the short stretch between the
// source and the touchdown point, which only makes the region conservative.
// When the sweep covers every direction the result is the closed outline
// U(θ) all around the source.
func sweep(r orb.Ring, halfDeg float64) orb.Ring {
	nb := int(math.Round(360 / sweepBinDeg))
	binRad := 2 * math.Pi / float64(nb)
	reach := make([]float64, nb)
	add := func(p orb.Point) {
		d := math.Hypot(p[0], p[1])
		if d == 0 {
			return
		}
		k := int(math.Floor((math.Atan2(p[1], p[0]) + math.Pi) / binRad))
		k = min(max(k, 0), nb-1)
		reach[k] = max(reach[k], d)
	}
	for i := 0; i+1 < len(r); i++ { // every edge, cut finer than half a bin
		a, b := r[i], r[i+1]
		da := 0.0
		if (a != orb.Point{}) && (b != orb.Point{}) {
			da = math.Remainder(math.Atan2(b[1], b[0])-math.Atan2(a[1], a[0]), 2*math.Pi)
		}
		steps := max(1, int(math.Ceil(math.Abs(da)/(binRad/2))))
		for s := range steps {
			t := float64(s) / float64(steps)
			add(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		}
	}
	if len(r) > 0 {
		add(r[len(r)-1])
	}
	w := int(math.Round(halfDeg / sweepBinDeg))
	u := make([]float64, nb)
	if 2*w+1 >= nb {
		w = nb / 2
	}
	for j, d := range reach {
		if d == 0 {
			continue
		}
		for k := j - w; k <= j+w; k++ {
			m := ((k % nb) + nb) % nb
			u[m] = max(u[m], d)
		}
	}
	return fan(u, binRad)
}

// fan turns a reach per angular bin (bin k centred at −π + (k+½)·binRad) into
// a counter-clockwise ring: from the source out along the first reached
// bin, round the reached bins and back; all round the source when every bin
// is reached.
func fan(u []float64, binRad float64) orb.Ring {
	nb := len(u)
	at := func(k int) orb.Point {
		s, c := math.Sincos(-math.Pi + (float64(k)+0.5)*binRad)
		return orb.Point{u[k] * c, u[k] * s}
	}
	start := -1
	for k, d := range u {
		if d == 0 {
			start = k
			break
		}
	}
	var ring orb.Ring
	if start < 0 {
		for k := range nb {
			ring = append(ring, at(k))
		}
		return append(ring, ring[0])
	}
	ring = append(ring, orb.Point{})
	for s := 1; s <= nb; s++ {
		if k := (start + s) % nb; u[k] > 0 {
			ring = append(ring, at(k))
		}
	}
	if len(ring) == 1 {
		return nil
	}
	return append(ring, orb.Point{})
}
