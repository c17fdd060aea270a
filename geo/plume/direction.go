package plume

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Default standard deviation of the wind direction σθ (degrees) by class,
// used for the confidence lines when no measured σθ is given: the lower bound
// of each class's σθ range in the wind-fluctuation stability criteria of
// EPA-454/R-99-005, Meteorological Monitoring Guidance for Regulatory
// Modeling Applications (2000) §6.4.4 (A ≥ 22.5°, B 17.5°, C 12.5°, D 7.5°,
// E 3.8°), and for F the lower bound of its range in U.S. NRC Regulatory
// Guide 1.23 (1972) Table 1 (F 2.1–3.8°, below 2.1° is G). The lower bound is
// the value a class guarantees; a measured σθ (Weather's 10-min spread) is
// always better.
var defaultSigmaThetaDeg = [7]float64{A: 22.5, B: 17.5, C: 12.5, D: 7.5, E: 3.8, F: 2.1}

// ConfidenceSigmas is the half-width of the wind-direction confidence sector
// in σθ: the mean direction stays within ±2σθ about 95 % of the time (95.4 %
// for a normal spread), ALOHA's "~95 %" confidence lines (REFERENCE §8).
const ConfidenceSigmas = 2

// CircleBelowWindMS is the wind speed under which the wind direction is taken
// as unknown and a threat zone is drawn as a circle around the source, as
// ALOHA does at very low wind: 1 m/s, ALOHA's lower limit for the Gaussian
// model (REFERENCE §8 "wind ≥ 1 m/s at 10 m").
const CircleBelowWindMS = 1.0

// DefaultSigmaThetaDeg returns the default σθ, degrees, for a class (see
// defaultSigmaThetaDeg for the source).
func DefaultSigmaThetaDeg(s Stability) (float64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	return defaultSigmaThetaDeg[s], nil
}

// Downwind returns the unit vector, east and north components, the wind
// blows towards when it blows from fromDeg (meteorological convention:
// degrees clockwise from north, 270 = a west wind blowing east).
func Downwind(fromDeg float64) orb.Point {
	s, c := math.Sincos((fromDeg + 180) * math.Pi / 180)
	return orb.Point{s, c}
}

// wind is the rotation between the plant frame (east, north) and the
// dispersion frame (x downwind, y crosswind to the left).
type wind struct{ de, dn float64 }

func newWind(fromDeg float64) (wind, error) {
	if !finite(fromDeg) {
		return wind{}, fmt.Errorf("%w: wind direction %g°", ErrInput, fromDeg)
	}
	d := Downwind(fromDeg)
	return wind{d[0], d[1]}, nil
}

// toPlume maps plant offsets (east, north) to (x downwind, y left).
func (w wind) toPlume(e, n float64) (x, y float64) { return e*w.de + n*w.dn, -e*w.dn + n*w.de }

// toPlant maps (x downwind, y left) to plant offsets (east, north).
func (w wind) toPlant(x, y float64) (e, n float64) { return x*w.de - y*w.dn, x*w.dn + y*w.de }
