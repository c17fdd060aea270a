package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Silences keeps the alarm silencing windows (报警静默, alarm.Silence) so
// that a restart does not lose them: the alarm manager writes every add
// and removal through and loads the silences still in force at start. It
// is part of Store, and it is the alarm package's SilenceStore.
type Silences interface {
	// PutSilence stores s, replacing every field of the silence with the
	// same ID. An empty ID or By, a zero From or To, To not after From,
	// an empty type or area id, or bad text is ErrInvalid.
	PutSilence(ctx context.Context, s alarm.Silence) error
	// DeleteSilence removes the silence with id; ErrNotFound if none.
	DeleteSilence(ctx context.Context, id string) error
	// ActiveSilences returns the silences not ended at t (To after t),
	// upcoming ones included, earliest From first (ties by ID).
	ActiveSilences(ctx context.Context, t time.Time) ([]alarm.Silence, error)
}

// CheckSilence applies the rules of PutSilence that do not depend on the
// backend (text is each backend's check); both stores call it.
func CheckSilence(s alarm.Silence) error {
	switch {
	case s.ID == "" || s.By == "":
		return fmt.Errorf("%w: silence without id or author", ErrInvalid)
	case s.From.IsZero() || s.To.IsZero() || !s.To.After(s.From):
		return fmt.Errorf("%w: silence %s: empty window %v … %v", ErrInvalid, s.ID, s.From, s.To)
	}
	for _, t := range s.Types {
		if t == "" {
			return fmt.Errorf("%w: silence %s: empty alarm type", ErrInvalid, s.ID)
		}
	}
	for _, a := range s.AreaIDs {
		if a == "" {
			return fmt.Errorf("%w: silence %s: empty area id", ErrInvalid, s.ID)
		}
	}
	return nil
}

// A Store keeps the alarm manager's silences.
var _ alarm.SilenceStore = Store(nil)
