package sim

import (
	"math"
	"math/rand/v2"
)

// positionPeriodMS is the upload period of a positioning tag.
// AQ 3064.3-2025: tags upload at least 30 times a minute (every 2 s).
const positionPeriodMS = 2000

// Positioning error. UWB/BLE fixes in a plant err by about a metre, and the
// error is correlated over tens of seconds (multipath changes slowly as a
// person walks), so it is modelled as a slow Ornstein–Uhlenbeck bias plus a
// white jitter per fix, each axis independently. People: bias σ 0.5 m over
// 20 s and jitter σ 0.4 m, 0.64 m per axis and 0.9 m rms in the plane
// (well inside AQ 3064.3-2025's 3 m static / 5 m moving accuracy at the
// 68.27 % point); vehicles (GNSS/UWB on the roof) 0.3 m and 0.3 m. Draws
// are clipped at 3σ.
const (
	personBiasM   = 0.5
	personJitterM = 0.4
	vehicleBiasM  = 0.3
	vehicleJitM   = 0.3
	biasTauS      = 20.0
)

// Battery. A tag uploading every 2 s lasts about a week on its cell: it
// drains 0.5–1.2 %/h, and below 5 % it is swapped or charged (reported as a
// fresh 95–100 %). Reports are whole percent. The seed's low-battery alarm
// fires below 20 %.
const (
	minDrainPctH = 0.5
	maxDrainPctH = 1.2
	swapBelowPct = 5.0
	lowBattery   = 20.0
)

// tag is the positioning tag an agent carries.
type tag struct {
	id, topic string
	r         *rand.Rand
	biasM     float64 // σ of the correlated error
	jitterM   float64 // σ of the white error
	bx, by    float64 // current correlated error, metres
	lastT     float64 // simulation seconds of the last fix
	battery   float64 // percent
	drainPerS float64 // percent per second
	sos       []window
}

// window is a time span in simulation seconds, [from, to).
type window struct{ from, to float64 }

func newTag(id, topic string, r *rand.Rand, vehicle bool) tag {
	t := tag{id: id, topic: topic, r: r, biasM: personBiasM, jitterM: personJitterM}
	if vehicle {
		t.biasM, t.jitterM = vehicleBiasM, vehicleJitM
	}
	t.battery = uniform(r, 55, 100)
	t.drainPerS = uniform(r, minDrainPctH, maxDrainPctH) / 3600
	t.bx, t.by = normal(r, t.biasM), normal(r, t.biasM)
	return t
}

// fix advances the tag to simulation time t and returns the measured
// position of the true point p and the battery reading.
func (t *tag) fix(p [2]float64, at float64) ([2]float64, float64) {
	dt := at - t.lastT
	t.bx = ou(t.r, t.bx, dt, biasTauS, t.biasM)
	t.by = ou(t.r, t.by, dt, biasTauS, t.biasM)
	batt := t.drain(at)
	return [2]float64{
		p[0] + t.bx + normal(t.r, t.jitterM),
		p[1] + t.by + normal(t.r, t.jitterM),
	}, batt
}

// drain advances the battery to simulation time at and returns its
// reading.
func (t *tag) drain(at float64) float64 {
	t.battery -= t.drainPerS * math.Max(0, at-t.lastT)
	t.lastT = at
	if t.battery < swapBelowPct {
		t.battery = uniform(t.r, 95, 100)
	}
	return math.Floor(t.battery)
}

// sosAt reports whether the SOS button is held at t, dropping windows that
// are over.
func (t *tag) sosAt(at float64) bool {
	for len(t.sos) > 0 && t.sos[0].to <= at {
		t.sos = t.sos[1:]
	}
	return len(t.sos) > 0 && t.sos[0].from <= at
}

// positionPayload writes the DESIGN.md position message.
func (m *model) positionPayload(p [2]float64, z float64, floor int, battery float64, sos bool, speed float64, ms int64) []byte {
	ll := m.frame.FastPoint(p[0], p[1])
	o := newObj(128)
	o.num("lon", ll[0], 7) // 1e-7° ≈ 1 cm
	o.num("lat", ll[1], 7)
	o.num("z", z, 2)
	o.int("floor", int64(floor))
	o.num("battery", battery, 0)
	o.bool("sos", sos)
	o.num("speed", speed, 2)
	o.int("ts", ms)
	return o.done()
}
