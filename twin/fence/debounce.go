package fence

import (
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Transition is one alarm edge the engine decided: raise Raise, or (Clear)
// clear the alarm with Raise.Key at Raise.At.
type Transition struct {
	Clear bool
	Raise alarm.Raise
}

// debounce is the on/off-delay state machine of one condition, stepped on
// sample time: a condition must hold for the on-delay before it raises and
// be absent for the off-delay before it clears; a sample that contradicts a
// pending change cancels it.
type debounce struct {
	on, pend bool
	since    time.Time // first sample of the pending change
	onset    time.Time // first sample of the condition that raised
}

// step feeds one sample and returns +1 when the alarm raises, −1 when it
// clears, 0 otherwise.
func (d *debounce) step(cond bool, at time.Time, onDelay, offDelay time.Duration) int {
	if cond == d.on {
		d.pend = false
		return 0
	}
	if !d.pend {
		d.pend, d.since = true, at
	}
	delay := offDelay
	if cond {
		delay = onDelay
	}
	if at.Sub(d.since) < delay {
		return 0
	}
	d.on, d.pend = cond, false
	if cond {
		d.onset = d.since
		return 1
	}
	return -1
}
