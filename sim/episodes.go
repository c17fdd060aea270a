package sim

import (
	"math"
	"math/rand/v2"
)

// Scripted episodes (Options.Episodes), so that a demo plant shows alarms.
// Each kind draws from its own random stream, on a schedule fixed by the
// seed alone:
//
//   - a small leak every 8–20 min (the first 2–5 min after the start): one
//     combustible or toxic detector rises over 15–30 s to 15–60 % above its
//     level-1 setpoint (never past 80 % of the way to level 2), holds for
//     50–100 s and falls back over 20–40 s — above level 1 for a minute or
//     two; detectors of the same type within 20 m on the same floor see a
//     fainter rise that stays under their level 1;
//   - an SOS press every 25–60 min (the first 6–12 min after the start):
//     one person stops where they are and holds SOS for 60 s;
//   - about 2 % of the tags (at least one) start with a low battery,
//     12–19 %;
//   - a video-analytics event every 3–10 min (see cameras);
//   - a gathering of 4–5 people every 20–40 min (see crowd).
const (
	leakNeighbourM = 20.0
	sosLengthS     = 60.0
)

// leak is one leak episode's contribution to a detector: a smooth rise, a
// plateau of peak above the quiet reading, a smooth fall.
type leak struct{ from, rise, hold, fall, peak float64 }

func (l leak) at(t float64) float64 {
	smooth := func(x float64) float64 { return x * x * (3 - 2*x) }
	switch x := t - l.from; {
	case x < 0:
		return 0
	case x < l.rise:
		return l.peak * smooth(x/l.rise)
	case x < l.rise+l.hold:
		return l.peak
	case x < l.rise+l.hold+l.fall:
		return l.peak * (1 - smooth((x-l.rise-l.hold)/l.fall))
	}
	return 0
}

func (l leak) over(t float64) bool { return t >= l.from+l.rise+l.hold+l.fall }

// episodes schedules leaks and SOS presses.
type episodes struct {
	on                bool
	leakR, sosR       *rand.Rand
	nextLeak, nextSOS float64 // simulation seconds
	targets           []*detector
	all               []*detector
	callers           []*person
}

func newEpisodes(m *model, on bool, people []*person, dets []*detector) *episodes {
	e := &episodes{on: on, all: dets}
	e.leakR, e.sosR = newRand(m.seed, "episodes/leak"), newRand(m.seed, "episodes/sos")
	e.nextLeak = uniform(e.leakR, 120, 300)
	e.nextSOS = uniform(e.sosR, 360, 720)
	for _, d := range dets {
		if d.typ != typeOxygen && d.a1 > d.lo && d.a1 < d.hi {
			e.targets = append(e.targets, d)
		}
	}
	for _, p := range people {
		if p.escort == nil {
			e.callers = append(e.callers, p)
		}
	}
	return e
}

// schedule starts every episode due by simulation time t. Episodes that
// began more than staleS ago (after a stall) are long over and only
// advance the schedule.
func (e *episodes) schedule(t float64) {
	if !e.on {
		return
	}
	const staleS = 600
	for ; e.nextLeak <= t; e.nextLeak += uniform(e.leakR, 480, 1200) {
		if len(e.targets) > 0 && e.nextLeak > t-staleS {
			e.leak(e.nextLeak)
		}
	}
	for ; e.nextSOS <= t; e.nextSOS += uniform(e.sosR, 1500, 3600) {
		if len(e.callers) > 0 && e.nextSOS > t-staleS {
			p := e.callers[e.sosR.IntN(len(e.callers))]
			w := window{from: e.nextSOS, to: e.nextSOS + sosLengthS}
			p.holds = append(p.holds, w)
			p.tag.sos = append(p.tag.sos, w)
		}
	}
}

// leak starts a leak at one target detector at time t.
func (e *episodes) leak(t float64) {
	r := e.leakR
	d := e.targets[r.IntN(len(e.targets))]
	target := d.a1 + (d.a1-d.lo)*uniform(r, 0.15, 0.6)
	if d.a2 > d.a1 {
		target = math.Min(target, d.a1+0.8*(d.a2-d.a1))
	}
	target = math.Min(target, d.lo+0.95*(d.hi-d.lo))
	shape := leak{from: t, rise: uniform(r, 15, 30), hold: uniform(r, 50, 100), fall: uniform(r, 20, 40)}
	l := shape
	l.peak = target - d.quietLo
	d.leaks = append(d.leaks, l)
	for _, n := range e.all {
		dist := math.Hypot(n.p[0]-d.p[0], n.p[1]-d.p[1])
		if n == d || n.typ != d.typ || n.floor != d.floor || dist > leakNeighbourM || n.a1 <= n.lo {
			continue
		}
		l := shape
		l.peak = 0.5 * (n.a1 - n.lo) * math.Exp(-dist/8)
		n.leaks = append(n.leaks, l)
	}
}

// lowBatteries gives about 2 % of the people's tags (at least one) a
// battery of 12–19 % at the start.
func lowBatteries(m *model, people []*person) {
	if len(people) == 0 {
		return
	}
	r := newRand(m.seed, "episodes/battery")
	k := max(1, int(math.Round(0.02*float64(len(people)))))
	for _, i := range r.Perm(len(people))[:k] {
		people[i].tag.battery = uniform(r, 12, 19.9)
	}
}
