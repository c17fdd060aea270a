package plume

import (
	"fmt"
	"math"
	"time"
)

const deg = math.Pi / 180

// SolarElevationDeg returns the geometric elevation of the sun's centre above
// the horizon, in degrees, at latitude latDeg (north positive), longitude
// lonDeg (east positive) and instant t. It follows the NOAA Solar Calculator
// (NOAA Global Monitoring Laboratory, after J. Meeus, Astronomical
// Algorithms, 1991, ch. 25 and 28), accurate to about 0.01° for 1800–2100,
// without the atmospheric-refraction correction (< 0.6°, only near the
// horizon, immaterial for Turner's 15°/35°/60° limits).
func SolarElevationDeg(latDeg, lonDeg float64, t time.Time) (float64, error) {
	if math.IsNaN(latDeg) || latDeg < -90 || latDeg > 90 || math.IsNaN(lonDeg) || math.IsInf(lonDeg, 0) {
		return 0, fmt.Errorf("%w: position lat %g lon %g", ErrInput, latDeg, lonDeg)
	}
	t = t.UTC()
	jd := float64(t.UnixNano())/86400e9 + 2440587.5 // Julian day
	jc := (jd - 2451545) / 36525                    // Julian centuries since J2000.0
	l0 := math.Mod(280.46646+jc*(36000.76983+jc*0.0003032), 360) * deg
	m := (357.52911 + jc*(35999.05029-0.0001537*jc)) * deg
	e := 0.016708634 - jc*(0.000042037+0.0000001267*jc)
	ctr := math.Sin(m)*(1.914602-jc*(0.004817+0.000014*jc)) +
		math.Sin(2*m)*(0.019993-0.000101*jc) + math.Sin(3*m)*0.000289
	omega := (125.04 - 1934.136*jc) * deg
	appLong := l0 + (ctr-0.00569-0.00478*math.Sin(omega))*deg
	obliq0 := 23 + (26+(21.448-jc*(46.815+jc*(0.00059-jc*0.001813)))/60)/60
	obliq := (obliq0 + 0.00256*math.Cos(omega)) * deg
	decl := math.Asin(math.Sin(obliq) * math.Sin(appLong))
	y := math.Tan(obliq/2) * math.Tan(obliq/2)
	eqTimeMin := 4 / deg * (y*math.Sin(2*l0) - 2*e*math.Sin(m) +
		4*e*y*math.Sin(m)*math.Cos(2*l0) - 0.5*y*y*math.Sin(4*l0) - 1.25*e*e*math.Sin(2*m))
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	minutes := t.Sub(midnight).Minutes()
	trueSolarMin := math.Mod(minutes+eqTimeMin+4*lonDeg, 1440)
	hourAngle := (trueSolarMin/4 - 180) * deg
	lat := latDeg * deg
	cosZen := math.Sin(lat)*math.Sin(decl) + math.Cos(lat)*math.Cos(decl)*math.Cos(hourAngle)
	return 90 - math.Acos(math.Max(-1, math.Min(1, cosZen)))/deg, nil
}

// Sky is the cloud observation used with the sun's elevation.
type Sky struct {
	// CloudOctas is the total cloud cover in eighths, 0..8.
	CloudOctas int
	// CeilingM is the cloud ceiling height, m. Zero means unknown and is
	// treated as a low ceiling (< 7000 ft), the conservative choice.
	CeilingM float64
}

// Turner's (1964) limits: solar altitude for insolation class numbers 4, 3, 2
// (Turner, J. Appl. Meteor. 3:83–91, Table 2; EPA-454/R-99-005 Table 6-5), and
// cloud-ceiling limits 7000 ft and 16000 ft converted to metres.
const (
	turnerStrongDeg   = 60
	turnerModerateDeg = 35
	turnerSlightDeg   = 15
	turnerLowCeilM    = 7000 * 0.3048
	turnerMidCeilM    = 16000 * 0.3048
)

// ConditionsFromSun builds the Pasquill-table conditions from the 10 m wind,
// the sun's elevation and the sky, by Turner's (1964) net-radiation rules
// (as restated in EPA-454/R-99-005 §6.4.4), with cloud cover in octas
// instead of tenths (5/10 ≈ 4/8, 4/10 ≈ 3/8):
//
//   - 8/8 cloud with a ceiling below 7000 ft → overcast (class D), day or night.
//   - Sun at or below the horizon → night; the cloud cover picks the column.
//     (Turner counts the hour around sunrise and sunset as night; this uses
//     the geometric horizon.)
//   - Day: insolation class number 4 (> 60°), 3 (35°–60°], 2 (15°–35°],
//     1 (≤ 15°). With more than 4/8 cloud it is reduced by 2 for a ceiling
//     below 7000 ft, by 1 for 7000–16000 ft, and by 1 more for 8/8 cloud,
//     and not below 1. Number 4 → Strong, 3 → Moderate, 2 and 1 → Slight.
func ConditionsFromSun(windMS, sunElevationDeg float64, sky Sky) (Conditions, error) {
	if math.IsNaN(sunElevationDeg) || sunElevationDeg < -90 || sunElevationDeg > 90 {
		return Conditions{}, fmt.Errorf("%w: sun elevation %g°", ErrInput, sunElevationDeg)
	}
	if sky.CloudOctas < 0 || sky.CloudOctas > 8 || !(sky.CeilingM >= 0) {
		return Conditions{}, fmt.Errorf("%w: cloud %d octas, ceiling %g m", ErrInput, sky.CloudOctas, sky.CeilingM)
	}
	c := Conditions{WindMS: windMS, CloudOctas: sky.CloudOctas}
	lowCeiling := sky.CeilingM < turnerLowCeilM
	switch {
	case sky.CloudOctas == 8 && lowCeiling:
		c.Overcast = true
	case sunElevationDeg <= 0:
		c.Night = true
	default:
		c.Insolation = turnerInsolation(sunElevationDeg, sky, lowCeiling)
	}
	return c, nil
}

func turnerInsolation(elevDeg float64, sky Sky, lowCeiling bool) Insolation {
	n := 1
	switch {
	case elevDeg > turnerStrongDeg:
		n = 4
	case elevDeg > turnerModerateDeg:
		n = 3
	case elevDeg > turnerSlightDeg:
		n = 2
	}
	if sky.CloudOctas > 4 {
		switch {
		case lowCeiling:
			n -= 2
		case sky.CeilingM < turnerMidCeilM:
			n--
		}
		if sky.CloudOctas == 8 {
			n--
		}
	}
	switch {
	case n >= 4:
		return Strong
	case n == 3:
		return Moderate
	default:
		return Slight
	}
}
