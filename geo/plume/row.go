package plume

import "math"

// Row fills dst with the concentrations, g/m³, at height zM and crosswind
// offsets y0M + i·dyM, i = 0 … len(dst)−1. It uses the separable form
// C(y, z) = Vertical(z) · exp(−y²/2σy²): the vertical factor is computed once,
// so each receptor costs one exponential. It does not allocate.
func (s Section) Row(dst []float64, y0M, dyM, zM float64) {
	v := s.Vertical(zM)
	for i := range dst {
		y := y0M + float64(i)*dyM
		dst[i] = v * math.Exp(-y*y*s.ky)
	}
}
