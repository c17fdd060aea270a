package rules

import (
	"math"
	"time"
)

// flatTrack remembers the value a flat stretch began with and when. A
// reading more than eps away from it starts a new stretch, so a slow ramp
// of tiny steps still counts as change once it has moved eps in total.
type flatTrack struct {
	ref   float64
	since time.Time
}

func (f flatTrack) add(v float64, at time.Time, eps float64) flatTrack {
	if f.since.IsZero() || math.Abs(v-f.ref) > eps {
		f.ref, f.since = v, at
	}
	return f
}

// stuckRaw is the raw stuck condition. A healthy sensor in clean air is
// flat too: transmitters suppress readings near zero (the "capture band"
// or zero suppression of catalytic and electrochemical heads) and round
// to their resolution, so 0 %LEL or 20.9 %VOL can hold for days. A flat
// stretch within the zero band of the clean-air baseline is therefore
// stuck only after StuckAtZeroAfter (default never); anywhere else — a
// sensor frozen at 12 %LEL hides both a leak and its end — after
// StuckAfter.
func stuckRaw(f flatTrack, at time.Time, l Limits, c DetectorConfig) bool {
	need := c.StuckAfter
	if math.Abs(f.ref-l.baseline()) <= c.ZeroBand*l.span() {
		need = c.StuckAtZeroAfter
	}
	return need > 0 && !f.since.IsZero() && at.Sub(f.since) >= need
}

// zeroBuckets is how many buckets the drift window is tracked in: the
// window's minimum and maximum cost 24 pairs, not a day of samples.
const zeroBuckets = 24

// bucket is the lowest and highest reading in one slice of the window.
type bucket struct {
	k      int64 // slice number: sample time / width
	lo, hi float64
	used   bool
}

// zeroTrack keeps the minimum and maximum over the drift window in a ring
// of zeroBuckets buckets of window/zeroBuckets each.
type zeroTrack struct {
	width time.Duration
	b     [zeroBuckets]bucket
}

func (z *zeroTrack) add(v float64, at time.Time, window time.Duration) {
	if window <= 0 {
		return
	}
	if w := window / zeroBuckets; w != z.width {
		*z = zeroTrack{width: max(w, 1)}
	}
	k := z.slice(at)
	s := &z.b[mod(k, zeroBuckets)]
	if !s.used || s.k != k {
		*s = bucket{k: k, lo: v, hi: v, used: true}
		return
	}
	s.lo, s.hi = min(s.lo, v), max(s.hi, v)
}

func (z *zeroTrack) slice(at time.Time) int64 {
	return floorDiv(at.UnixNano(), int64(z.width))
}

// window returns the lowest and highest reading of the buckets covering
// the window up to at; ok only when every bucket has a reading, so a
// detector back from a long fault needs a full window again.
func (z *zeroTrack) window(at time.Time) (lo, hi float64, ok bool) {
	if z.width <= 0 {
		return 0, 0, false
	}
	k := z.slice(at)
	lo, hi = math.Inf(1), math.Inf(-1)
	n := 0
	for _, s := range z.b {
		if s.used && s.k > k-zeroBuckets && s.k <= k {
			lo, hi = min(lo, s.lo), max(hi, s.hi)
			n++
		}
	}
	return lo, hi, n == zeroBuckets
}

// driftRaw is the raw drift condition: over a full window the readings
// never came back to zero — the minimum stayed more than DriftFraction of
// the level-1 setpoint above the baseline, or the maximum that far below
// it. It clears a deadband (at most half the threshold) inside. Oxygen
// cells have no zero in service (they read 20.9 %VOL in air, and both
// directions are alarms of their own), so they are not checked.
func driftRaw(z *zeroTrack, at time.Time, was, wasHigh bool, l Limits, c DetectorConfig) (drift, high bool) {
	if l.Oxygen || c.DriftWindow <= 0 {
		return false, false
	}
	lo, hi, ok := z.window(at)
	if !ok {
		return false, false
	}
	base := l.baseline()
	on := c.DriftFraction * math.Abs(l.Alarm1-base)
	off := on - min(l.Deadband, on/2)
	switch {
	case lo-base > on || was && wasHigh && lo-base > off:
		return true, true
	case base-hi > on || was && !wasHigh && base-hi > off:
		return true, false
	}
	return false, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func mod(a, n int64) int64 {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}
