package history

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

// sampling is the down-sampling rule for position fixes.
type sampling struct {
	moveM float64       // keep a fix farther than this from the last kept one
	every time.Duration // keep a fix this long after the last kept one
}

// keep reports whether next is kept after last, the previous kept fix of
// the same entity (ok false: there is none). A change of floor or area is
// always kept, so that the track and presence queries see it.
func (s sampling) keep(last store.Position, ok bool, next store.Position) bool {
	switch {
	case !ok, s.moveM < 0, s.every < 0:
		return true
	case next.Floor != last.Floor, next.AreaID != last.AreaID:
		return true
	case next.At.Sub(last.At) >= s.every:
		return true
	}
	return geo.DistanceM(orb.Point{last.Lon, last.Lat}, orb.Point{next.Lon, next.Lat}) > s.moveM
}

// mobile is what the recorder remembers of one person or vehicle.
type mobile struct {
	area string         // containing area per the twin's last upsert
	last store.Position // last kept fix
	kept bool           // last holds a fix
}

// detector is what the recorder remembers of one gas detector: its last
// recorded reading, to tell a new reading from an upsert that only changed
// the derived state.
type detector struct {
	at    time.Time
	value float64
	unit  string
	fault bool
}

// readingOf extracts the reading an upserted detector snapshot carries:
// value (a finite number), unit, fault, measured at e.Reported.
func readingOf(e *twin.Entity) (store.Reading, bool) {
	if e == nil || e.Reported.IsZero() {
		return store.Reading{}, false
	}
	v, ok := twin.AsFloat(e.State["value"])
	if !ok {
		return store.Reading{}, false
	}
	unit, _ := e.State["unit"].(string)
	f := e.State["fault"]
	fault := f != nil && f != false // as twin/rules reads it
	return store.Reading{DetectorID: e.ID, At: e.Reported, Value: v, Unit: unit, Fault: fault}, true
}

// isNew reports whether rd is a reading not recorded yet for d: later than
// the last one, or at the same instant with a different value, unit or
// fault.
func (d detector) isNew(rd store.Reading) bool {
	if rd.At.After(d.at) {
		return true
	}
	return rd.At.Equal(d.at) && (rd.Value != d.value || rd.Unit != d.unit || rd.Fault != d.fault)
}
