package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Edit is a change made to the scene at run time over the API — a fence
// drawn on the map, moved or deleted — kept so that it survives a restart:
// the service applies the stored edits over the scene files at start.
// One edit per feature id: the latest replaces the earlier ones.
type Edit struct {
	ID   string // the feature's id
	Kind string // its entity kind (fence, …)
	// Feature is the feature as a GeoJSON Feature document; empty for a
	// removal.
	Feature []byte
	Removed bool
	At      time.Time // when it was made
	By      string    // who made it (a username)
}

// Edits keeps the run-time scene edits. It is part of Store.
type Edits interface {
	// PutEdit stores e, replacing the edit of the same ID. An empty ID or
	// Kind, a removal with a Feature or a change without one, Feature that
	// is not JSON text, or bad text is ErrInvalid.
	PutEdit(ctx context.Context, e Edit) error
	// SceneEdits returns every edit, oldest At first (ties by ID).
	SceneEdits(ctx context.Context) ([]Edit, error)
}

// CheckEdit applies the rules of PutEdit that do not depend on the
// backend; both stores call it.
func CheckEdit(e Edit) error {
	switch {
	case e.ID == "" || e.Kind == "":
		return fmt.Errorf("%w: edit without id or kind", ErrInvalid)
	case e.Removed && len(e.Feature) > 0:
		return fmt.Errorf("%w: edit %s: a removal with a feature", ErrInvalid, e.ID)
	case !e.Removed && !json.Valid(e.Feature):
		return fmt.Errorf("%w: edit %s: the feature is not a JSON document", ErrInvalid, e.ID)
	}
	return nil
}
