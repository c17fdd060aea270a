package sim

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/chemtwin/chemtwin/twin"
)

// readingPeriodMS: gas detectors report once a second.
const readingPeriodMS = 1000

// Detector types, units and defaults. GB/T 50493-2019 §5.5.2 sets level 1
// at ≤ 25 %LEL and level 2 at ≤ 50 %LEL for combustible gas, and an oxygen
// detector alarms at 19.5 %VOL (deficiency) and 23.5 %VOL (enrichment);
// typical ranges are 0–100 %LEL and 0–25 %VOL. A toxic detector without
// setpoints is taken as H₂S 0–100 ppm with 10/20 ppm (its OEL, MAC 10
// mg/m³ ≈ 7 ppm, rounded to the common vendor setting).
const (
	typeCombustible = "combustible"
	typeToxic       = "toxic"
	typeOxygen      = "oxygen"
)

// Quiet readings. A combustible sensor at clean air reads 0–2 %LEL (zero
// offset, slow drift, noise); a toxic electrochemical cell a few percent of
// its range; an oxygen cell 20.9 ± 0.1 %VOL. Each detector draws a zero
// offset once; a drift wanders about it (an Ornstein–Uhlenbeck process with
// a 30 min correlation time), and each reading adds white noise. Without an
// episode a reading never reaches 40 % of the level-1 setpoint.
const (
	driftTauS    = 1800.0
	quietFracA1  = 0.4
	o2Normal     = 20.9
	o2QuietSwing = 0.2 // %VOL either side of 20.9
)

// detector is one gas detector.
type detector struct {
	id, topic, unit, typ string
	r                    *rand.Rand
	lo, hi               float64 // measuring range
	a1, a2               float64 // alarm setpoints
	res                  float64 // resolution of the readings
	prec                 int     // decimals printed
	zero                 float64 // zero offset
	drift                float64
	sigmaDrift, sigmaN   float64
	quietLo, quietHi     float64
	p                    [2]float64 // plant metres
	floor                int
	lastT                float64
	leaks                []leak
	releases             []*exposure // scripted releases it can smell
	m                    *model
}

func (s *Sim) buildDetectors(es []*twin.Entity) []*detector {
	var out []*detector
	for _, e := range es {
		if !topicLevel(e.ID) {
			s.skipped++
			continue
		}
		d := newDetector(e, newRand(s.m.seed, "detector/"+e.ID))
		d.m, d.topic = s.m, s.m.site+"detectors/"+e.ID+"/reading"
		d.releases = exposures(e, s.releases)
		if e.Geometry != nil {
			d.p = plantPoint(s.m.frame, e.Point())
		}
		out = append(out, d)
	}
	return out
}

// newDetector reads a detector's type, unit, range and setpoints, filling
// gaps with the defaults above, and draws its quiet behaviour.
func newDetector(e *twin.Entity, r *rand.Rand) *detector {
	d := &detector{id: e.ID, typ: e.String("detector_type"), unit: e.String("unit"), r: r}
	d.floor = int(e.Float("floor", 0))
	switch d.typ {
	case typeCombustible, typeToxic, typeOxygen:
	default:
		d.typ = typeCombustible
		if e.String("unit") == "ppm" || e.String("unit") == "mg/m3" {
			d.typ = typeToxic
		}
	}
	def := map[string][5]float64{ // lo, hi, a1, a2
		typeCombustible: {0, 100, 25, 50},
		typeToxic:       {0, 100, 10, 20},
		typeOxygen:      {0, 25, 19.5, 23.5},
	}[d.typ]
	d.lo, d.hi = def[0], def[1]
	if lo, hi, ok := e.Range("range"); ok && hi-lo < 1e9 {
		d.lo, d.hi = lo, hi
	}
	d.a1, d.a2 = e.Float("alarm1", def[2]), e.Float("alarm2", def[3])
	if !slices.Contains(unitsOf[d.typ], d.unit) {
		d.unit = unitsOf[d.typ][0]
	}
	d.res = resolution(d.hi - d.lo)
	d.prec = decimals(d.res)
	d.quiet()
	return d
}

var unitsOf = map[string][]string{
	typeCombustible: {"%LEL"},
	typeToxic:       {"ppm", "mg/m3"},
	typeOxygen:      {"%VOL"},
}

// resolution of a sensor with the given span: three significant digits of
// the span, at most 1 unit and at least 10⁻⁶ (0–100 %LEL → 1, 0–25 %VOL →
// 0.1, 0–10 ppm → 0.1, 0–1 ppm → 0.01).
func resolution(span float64) float64 {
	return math.Max(1e-6, math.Min(1, math.Pow(10, math.Floor(math.Log10(span))-2)))
}

// quiet draws the detector's clean-air behaviour.
func (d *detector) quiet() {
	span := d.hi - d.lo
	switch d.typ {
	case typeOxygen:
		d.zero = o2Normal + uniform(d.r, -0.03, 0.03)
		d.sigmaDrift, d.sigmaN = 0.04, 0.03
		d.quietLo, d.quietHi = o2Normal-o2QuietSwing, o2Normal+o2QuietSwing
	case typeToxic:
		d.zero = d.lo + span*uniform(d.r, 0.005, 0.03)
		d.sigmaDrift, d.sigmaN = span*0.004, span*0.004
		d.quietLo, d.quietHi = d.lo, d.lo+span*0.05
	default:
		d.zero = d.lo + uniform(d.r, 0, 1.0)*span/100
		d.sigmaDrift, d.sigmaN = 0.3*span/100, 0.3*span/100
		d.quietLo, d.quietHi = d.lo, d.lo+2*span/100
	}
	if d.typ != typeOxygen && d.a1 > d.lo {
		d.quietHi = math.Min(d.quietHi, d.lo+quietFracA1*(d.a1-d.lo))
	}
	d.drift = normal(d.r, d.sigmaDrift)
}

// emit publishes the reading at ms.
func (d *detector) emit(ms int64) (Message, bool, int64) {
	t := d.m.sec(ms)
	v := d.value(ms, t)
	o := newObj(64)
	o.num("value", v, d.prec)
	o.str("unit", d.unit)
	o.int("ts", ms)
	return Message{Topic: d.topic, Payload: o.done()}, true, ms + readingPeriodMS
}

// value is the reading at epoch ms, simulation time t: the quiet signal
// clamped to its band, plus any leak and release, clamped to the range and
// rounded to the resolution.
func (d *detector) value(ms int64, t float64) float64 {
	d.drift = ou(d.r, d.drift, t-d.lastT, driftTauS, d.sigmaDrift)
	d.lastT = t
	v := d.zero + d.drift + normal(d.r, d.sigmaN)
	v = math.Max(d.quietLo, math.Min(d.quietHi, v))
	d.leaks = slices.DeleteFunc(d.leaks, func(l leak) bool { return l.over(t) })
	for _, l := range d.leaks {
		v += l.at(t)
	}
	for _, x := range d.releases {
		v += x.at(ms, t, d.p, d)
	}
	v = math.Max(d.lo, math.Min(d.hi, v))
	return math.Round(v/d.res) * d.res
}
