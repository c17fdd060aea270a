package twin

import (
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Change is one mutation handed to Scene.Apply: Upsert, Remove, Move or
// SetState.
type Change interface{ change() }

// Upsert adds an entity or replaces its static part (kind, parent, name,
// geometry, height, props). The live state of an existing entity (Mobile,
// State) is kept unless the new entity carries its own. The scene takes
// ownership of Entity.
type Upsert struct{ Entity *Entity }

// Remove deletes an entity. An entity with children can only be removed
// together with all of them in one Apply.
type Remove struct{ ID string }

// Move applies a position fix to a person or vehicle, addressed by entity ID
// or, when ID is empty, by Tag through the registry. A fix for a tag nobody
// holds creates an unregistered person (flagged, so it can be acted on).
type Move struct {
	ID      string
	Tag     string
	Fix     Fix
	Battery float64 // percent; NaN when not reported
	SOS     *bool   // nil when not reported
}

// SetState merges live attributes into an entity's State (nil values delete
// keys). At is the measurement time; a SetState older than the entity's last
// update is refused as stale.
type SetState struct {
	ID    string
	At    time.Time
	State map[string]any
}

func (Upsert) change()   {}
func (Remove) change()   {}
func (Move) change()     {}
func (SetState) change() {}

// Errors of Apply, per change.
var (
	ErrNotFound       = errors.New("twin: entity not found")
	ErrInvalid        = errors.New("twin: invalid entity")
	ErrDanglingParent = errors.New("twin: parent does not exist")
	ErrHasChildren    = errors.New("twin: entity has children")
	ErrTagTaken       = errors.New("twin: tag bound to another entity")
	ErrNotMobile      = errors.New("twin: entity does not move")
	ErrStale          = errors.New("twin: update older than the current state")
	ErrUnknownTag     = errors.New("twin: unknown tag")
)

// ChangeError is the error of one change of a batch.
type ChangeError struct {
	Index int // position in the batch
	Err   error
}

func (e ChangeError) Error() string { return fmt.Sprintf("change %d: %v", e.Index, e.Err) }
func (e ChangeError) Unwrap() error { return e.Err }

// Op is what a Delta did.
type Op uint8

// Delta operations.
const (
	OpUpsert Op = iota + 1 // entity added or changed: Entity holds a snapshot
	OpRemove               // entity removed
	OpMove                 // a mobile entity moved: Fix holds the new fix
)

func (o Op) String() string {
	switch o {
	case OpUpsert:
		return "upsert"
	case OpRemove:
		return "remove"
	case OpMove:
		return "move"
	}
	return "op?"
}

// Delta is one change Apply made, for the stream, the store and the rules.
// A move that also changed other live properties (area, battery, SOS) yields
// an OpMove and an OpUpsert.
type Delta struct {
	Op    Op
	Rev   uint64
	ID    string
	Kind  Kind
	Layer Layer
	// Entity is an immutable snapshot after the change (OpUpsert), or before
	// it (OpRemove).
	Entity *Entity
	// Fix is the new fix (OpMove); Prev the previous position, to tell a
	// subscriber whose bbox the entity just left.
	Fix  Fix
	Prev orb.Point
	// HadPrev reports whether Prev holds a position.
	HadPrev bool
}

// EventType names a domain event recorded in the event log.
type EventType string

// Events Apply emits.
const (
	EventAreaEnter       EventType = "area_enter"
	EventAreaExit        EventType = "area_exit"
	EventUnregisteredTag EventType = "unregistered_tag"
)

// Event is a domain event: something happened to an entity at a time.
type Event struct {
	Type     EventType
	EntityID string
	AreaID   string
	At       time.Time
	Point    orb.Point
}

// Result is what one Apply did.
type Result struct {
	Rev    uint64 // scene revision after the batch
	Deltas []Delta
	Events []Event
	Errs   []ChangeError
}

// Err returns the batch's errors joined, or nil.
func (r Result) Err() error {
	if len(r.Errs) == 0 {
		return nil
	}
	errs := make([]error, len(r.Errs))
	for i, e := range r.Errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}
