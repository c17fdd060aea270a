package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// weatherPeriodMS: a weather station reports every 10 s.
const weatherPeriodMS = 10_000

// Ningdong (宁东, 38.1°N 106.6°E, 1,150 m) climate, after the Yinchuan
// station normals: a continental, arid climate whose prevailing wind blows
// from the north-west at 2–5 m/s, slightly stronger in the afternoon. The
// direction meanders (an Ornstein–Uhlenbeck deviation, σ 25° over 20 min,
// plus 6° of report-to-report jitter); the speed varies about its daily
// course (σ 0.7 m/s over 10 min), and 6 % of reports catch a gust of
// 1.3–1.6 times the mean. Temperature follows the season (monthly means
// −8 °C in January to 24 °C in July) and a day that is warmest at 16:00
// Beijing time (15:00 solar) and 13 °C warmer than the night, with a
// weather deviation of σ 1 °C over 2 h. Cloud averages 3 octas (σ 2 over
// 3 h). Several stations share the regional weather and differ by a few
// percent of speed, a few degrees of direction and a few tenths of a
// degree.
const (
	prevailingFromDeg = 315.0
	meanWindMS        = 3.5
	diurnalWindMS     = 0.8
	windSigmaMS       = 0.7
	windTauS          = 600.0
	dirSigmaDeg       = 25.0
	dirTauS           = 1200.0
	dirJitterDeg      = 6.0
	gustChance        = 0.06
	annualMeanC       = 8.3
	seasonalAmpC      = 16.0
	warmestDay        = 200 // day of the year (mid-July)
	diurnalAmpC       = 6.5
	warmestHour       = 16.0 // local
	tempSigmaC        = 1.0
	tempTauS          = 7200.0
	meanCloudOctas    = 3.0
	cloudSigmaOctas   = 2.0
	cloudTauS         = 10800.0
)

// climate is the regional weather the stations sample.
type climate struct {
	r                      *rand.Rand
	t                      float64 // simulation seconds of the last update
	dir, wind, temp, cloud float64 // deviations from the climatology
	loc                    *time.Location
	lat, lon               float64 // site, degrees
}

func (c *climate) advance(t float64) {
	dt := t - c.t
	c.t = t
	c.dir = ou(c.r, c.dir, dt, dirTauS, dirSigmaDeg)
	c.wind = ou(c.r, c.wind, dt, windTauS, windSigmaMS)
	c.temp = ou(c.r, c.temp, dt, tempTauS, tempSigmaC)
	c.cloud = ou(c.r, c.cloud, dt, cloudTauS, cloudSigmaOctas)
}

// station is one weather station.
type station struct {
	topic                    string
	r                        *rand.Rand
	c                        *climate
	m                        *model
	speedF, dirOff, tempOffC float64
}

// newClimate draws the regional weather's starting deviations.
func (s *Sim) newClimate() *climate {
	origin, _ := s.m.frame.Origin()
	c := &climate{r: newRand(s.m.seed, "weather"), loc: s.opts.Location, lat: origin[1], lon: origin[0]}
	c.dir, c.wind = normal(c.r, dirSigmaDeg), normal(c.r, windSigmaMS)
	c.temp, c.cloud = normal(c.r, tempSigmaC), normal(c.r, cloudSigmaOctas)
	return c
}

func (s *Sim) buildStations(es []*twin.Entity, c *climate) []*station {
	var out []*station
	for _, e := range es {
		if !topicLevel(e.ID) {
			s.skipped++
			continue
		}
		r := newRand(s.m.seed, "station/"+e.ID)
		out = append(out, &station{
			topic: s.m.site + "weather/" + e.ID, r: r, c: c, m: s.m,
			speedF: uniform(r, 0.95, 1.05), dirOff: uniform(r, -4, 4), tempOffC: uniform(r, -0.3, 0.3),
		})
	}
	return out
}

// meanWind is the regional wind at epoch ms as the climate stands (no
// advance): the speed without a station's bias or gusts, m/s, and the
// direction it blows from without a station's offset or jitter, degrees.
func (c *climate) meanWind(ms int64) (speedMS, fromDeg float64) {
	speed := meanWindMS + diurnalWindMS*math.Cos(2*math.Pi/24*(c.hour(ms)-15)) + c.wind
	return math.Max(0.3, math.Min(15, speed)), math.Mod(prevailingFromDeg+c.dir+720, 360)
}

// hour is the local hour of the day at epoch ms.
func (c *climate) hour(ms int64) float64 {
	local := time.UnixMilli(ms).In(c.loc)
	return float64(local.Hour()) + float64(local.Minute())/60
}

// octas is the cloud cover as the climate stands.
func (c *climate) octas() int {
	return int(math.Max(0, math.Min(8, math.Round(meanCloudOctas+c.cloud))))
}

func (st *station) emit(ms int64) (Message, bool, int64) {
	c := st.c
	c.advance(st.m.sec(ms))
	local := time.UnixMilli(ms).In(c.loc)
	hour := c.hour(ms)
	day := 2 * math.Pi / 24
	wind := (meanWindMS + diurnalWindMS*math.Cos(day*(hour-15)) + c.wind) * st.speedF
	if st.r.Float64() < gustChance {
		wind *= uniform(st.r, 1.3, 1.6)
	}
	wind = math.Max(0.3, math.Min(15, wind))
	from := math.Mod(prevailingFromDeg+c.dir+st.dirOff+normal(st.r, dirJitterDeg)+720, 360)
	season := 2 * math.Pi * float64(local.YearDay()-warmestDay) / 365.25
	temp := annualMeanC + seasonalAmpC*math.Cos(season) + diurnalAmpC*math.Cos(day*(hour-warmestHour)) + c.temp + st.tempOffC
	cloud := c.octas()
	o := newObj(128)
	o.num("wind_speed", wind, 1)
	o.num("wind_from", math.Round(from), 0)
	o.num("temp_c", temp, 1)
	o.int("cloud_octas", int64(cloud))
	o.str("stability", pasquill(wind, cloud, solarElevationDeg(ms, c.lat, c.lon)))
	o.int("ts", ms)
	return Message{Topic: st.topic, Payload: o.done()}, true, ms + weatherPeriodMS
}

// pasquill returns the Pasquill–Gifford stability class from the 10 m wind
// speed, the cloud cover and the sun's elevation, by the key of Turner's
// Workbook of Atmospheric Dispersion Estimates (1970), Table 1: by day the
// insolation is strong above 60° of sun, moderate above 35°, slight below
// (Turner 1964's elevation classes), one class weaker under 5/8 cloud or
// more; by night the class depends on cloud (≥ 4/8 or ≤ 3/8), the blank
// calm-night cells taken as E and F; overcast (8/8) is neutral D by day and
// night. Where the key gives two classes (A–B, …) the more stable one is
// taken, the conservative choice for a plume's reach.
func pasquill(windMS float64, octas int, sunDeg float64) string {
	row := 4
	switch {
	case windMS < 2:
		row = 0
	case windMS < 3:
		row = 1
	case windMS < 5:
		row = 2
	case windMS < 6:
		row = 3
	}
	if octas >= 8 {
		return "D"
	}
	if sunDeg > 0 {
		ins := 2 // slight
		switch {
		case sunDeg > 60:
			ins = 0 // strong
		case sunDeg > 35:
			ins = 1 // moderate
		}
		if octas >= 5 && ins < 2 {
			ins++
		}
		return [5][3]string{
			{"A", "B", "B"}, {"B", "B", "C"}, {"B", "C", "C"}, {"C", "D", "D"}, {"C", "D", "D"},
		}[row][ins]
	}
	col := 1 // clear night
	if octas >= 4 {
		col = 0
	}
	return [5][2]string{{"E", "F"}, {"E", "F"}, {"D", "E"}, {"D", "D"}, {"D", "D"}}[row][col]
}

// solarElevationDeg returns the sun's elevation in degrees at epoch
// milliseconds ms over lat/lon degrees: Cooper's declination and the hour
// angle of local solar time, the equation of time neglected (≤ 16 min,
// a few degrees of elevation at most).
func solarElevationDeg(ms int64, lat, lon float64) float64 {
	t := time.UnixMilli(ms).UTC()
	const rad = math.Pi / 180
	decl := 23.44 * math.Sin(2*math.Pi*float64(284+t.YearDay())/365) * rad
	hours := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	ha := 15 * (hours + lon/15 - 12) * rad
	phi := lat * rad
	return math.Asin(math.Sin(phi)*math.Sin(decl)+math.Cos(phi)*math.Cos(decl)*math.Cos(ha)) / rad
}
