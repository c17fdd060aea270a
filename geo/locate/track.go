package locate

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Track settings.
const (
	firstFixSigmaM  = 10.0 // prior of a first fix about the beacons' centroid
	firstSnapM      = 15.0 // how far a first fix looks for a walkway to start from
	priorInflateM   = 5.0  // added to the prediction's σ when it regularises a solve
	gateNIS         = 16.0 // χ²(2) at p ≈ 3·10⁻⁴: beyond it a fix is down-weighted
	maxOutliers     = 3    // gated fixes in a row that restart the track
	handoverReports = 2    // reports in a row to enter or leave a building
	insideMarginM   = 0.5  // how far inside a footprint counts as inside
	nearBuildingM   = 10.0 // how far outside a footprint a tag voted upstairs may be
	wallSigmaM      = 0.2  // the footprint constraint's softness
)

// entry holds a tag's track; its mutex serialises the tag's reports.
type entry struct {
	mu sync.Mutex
	t  track
}

// track is one tag's state.
type track struct {
	last     time.Time
	started  bool
	f        imm
	at       place
	floors   floorTrack
	handover int   // reports in a row suggesting another place
	pending  int32 // the building they suggest (−1 outdoors)
	outliers int
	info     sym2 // the last report's information about the position (1/m²)
}

// advance checks the report time against the last and returns the time
// step in seconds; a first report or one after maxGap restarts the track.
func (t *track) advance(at time.Time, maxGap time.Duration) (float64, error) {
	if t.started && !at.After(t.last) {
		return 0, fmt.Errorf("%w: %s not after %s", ErrOutOfOrder, at.Format(time.RFC3339Nano), t.last.Format(time.RFC3339Nano))
	}
	dt := at.Sub(t.last)
	if !t.started || dt > maxGap {
		*t = track{at: outdoors, pending: -1}
		dt = 0
	}
	t.last = at
	return dt.Seconds(), nil
}

// solveRSSI runs one report through the least squares, the floor tracking,
// the filter and the map constraint.
func (t *track) solveRSSI(s *Solver, hs []heard, dt float64) Fix {
	l := lsq{m: s.pl, obs: hs, th: s.o.TagHeightM}
	var ft fit
	if !t.started {
		ft = t.first(s, &l)
	} else {
		t.f.predict(dt, s.mo)
		e := t.f.estimate()
		cov := sym2{e.p[0][0], e.p[0][1], e.p[1][1]}.add(sym2{xx: priorInflateM * priorInflateM, yy: priorInflateM * priorInflateM})
		info, _ := cov.inv()
		l.pr = prior{xy: [2]float64{e.x[0], e.x[1]}, info: info}
		l.zt = s.tagZ(t.at)
		alt := centroid(hs, s.pl)
		l.obs = nearest(hs, l.pr.xy, l.zt, s.o.MaxBeacons)
		ft = l.robust(l.pr.xy, alt)
		if t.at.bld >= 0 && s.m.buildings[t.at.bld].Floors > 1 {
			ft = t.trackFloor(s, &l, ft)
		}
		t.measure(s, meas{z: ft.xy, info: ft.info, bias: l.pr.bias(ft.xy)})
	}
	t.info = ft.info
	t.place(s, &l)
	t.constrain(s)
	f := t.fix(s)
	f.Beacons = ft.used
	return f
}

// first places a new track: a solve from the beacons' centroid at the
// height the beacon vote suggests, then, inside a building, the best of its
// floors. A row of beacons along a walkway or corridor leaves a mirror
// ambiguity across it, so each solve starts from the nearest walkway point
// (within firstSnapM) of the centroid: the side people walk on.
func (t *track) first(s *Solver, l *lsq) fit {
	t.started = true
	guess := vote(l.obs, s.pl)
	c := centroid(l.obs, s.pl)
	start := s.walkStart(c, guess)
	l.pr = prior{xy: start, info: sym2{xx: 1 / (firstFixSigmaM * firstFixSigmaM), yy: 1 / (firstFixSigmaM * firstFixSigmaM)}}
	l.zt = s.tagZ(guess)
	ft := l.robust(start, c)
	t.at = outdoors
	if b := s.candidate(ft.xy, -1, guess); b >= 0 {
		t.at = t.bestFloor(s, l, b, ft.xy, guess)
		l.zt = s.tagZ(t.at)
		ft = l.robust(s.walkStart(ft.xy, t.at), ft.xy)
	}
	cov, ok := ft.info.add(l.pr.info).inv()
	if !ok {
		cov = sym2{xx: firstFixSigmaM * firstFixSigmaM, yy: firstFixSigmaM * firstFixSigmaM}
	}
	t.f.init(ft.xy, cov, s.mo)
	return ft
}

// measure folds a measurement into the filter, down-weighting one that the
// filter finds implausible and restarting after several in a row.
func (t *track) measure(s *Solver, m meas) {
	e := t.f.estimate()
	k := kalman{x: e.x, p: e.p}
	_, nis := k.update(m)
	if nis > gateNIS {
		t.outliers++
		if t.outliers >= maxOutliers {
			cov, ok := m.info.add(sym2{xx: 1e-4, yy: 1e-4}).inv()
			if ok {
				t.f.init(m.z, cov, s.mo)
				t.outliers = 0
				return
			}
		}
		w := gateNIS / nis
		m.info, m.bias = m.info.scale(w), [2]float64{m.bias[0] * w, m.bias[1] * w}
	} else {
		t.outliers = 0
	}
	t.f.update(m)
}

// solvePosition runs an external fix through the filter.
func (t *track) solvePosition(s *Solver, xy [2]float64, floor int, sigmaM, dt float64) Fix {
	v := 1 / (sigmaM * sigmaM)
	info := sym2{xx: v, yy: v}
	t.info = info
	if !t.started {
		t.started = true
		t.f.init(xy, sym2{xx: sigmaM * sigmaM, yy: sigmaM * sigmaM}, s.mo)
	} else {
		t.f.predict(dt, s.mo)
		t.measure(s, meas{z: xy, info: info})
	}
	b := int32(s.m.buildingAt(xy))
	switch {
	case b < 0:
		t.at = place{bld: -1, floor: max(floor, 0)}
	case floor != 0:
		t.at = place{bld: b, floor: min(floor, s.m.buildings[b].Floors)}
	case t.at.bld != b:
		t.at = place{bld: b, floor: 1}
	}
	t.handover, t.pending = 0, t.at.bld
	t.constrain(s)
	return t.fix(s)
}

// fix returns the filter's estimate as a Fix.
func (t *track) fix(s *Solver) Fix {
	e := t.f.estimate()
	xy := [2]float64{e.x[0], e.x[1]}
	f := Fix{XY: xy, Point: s.m.frame.FastPoint(xy[0], xy[1]), Z: s.tagZ(t.at), Floor: t.at.floor,
		SpeedMS: math.Hypot(e.x[2], e.x[3]), AccuracyM: math.Sqrt(e.p[0][0] + e.p[1][1]), At: t.last}
	if t.at.bld >= 0 {
		f.Building = s.m.buildings[t.at.bld].ID
	}
	return f
}

// check returns f, or ErrDiverged (and a restart) if it is not finite.
func (t *track) check(f Fix) (Fix, error) {
	if finite(f.XY[0]) && finite(f.XY[1]) && finite(f.AccuracyM) && finite(f.SpeedMS) {
		return f, nil
	}
	t.started = false
	return Fix{}, fmt.Errorf("%w: %v", ErrDiverged, f.XY)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
