package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PermitRecord is a special-work permit as the store keeps it: the fields
// lists are filtered by, and the whole permit (twin/permit.Permit, its
// hash-chained log included) as a JSON document the store does not read.
type PermitRecord struct {
	ID        string
	Type      string
	Level     string
	Status    string
	Start     time.Time
	End       time.Time
	UpdatedAt time.Time
	Doc       []byte // JSON text
}

// PermitFilter selects permits. Zero fields do not filter.
type PermitFilter struct {
	Status, Type string
	// Day selects the permits whose window [Start, End) overlaps
	// [Day, Day + 24 h) — the day's work.
	Day time.Time
	// Limit bounds the answer (≤ 0: all).
	Limit int
}

// Permits keeps the special-work permits (W6). It is part of Store.
type Permits interface {
	// PutPermit stores p, replacing the permit of the same ID. An empty
	// ID, Type or Status, a zero Start or End, End not after Start, a zero
	// UpdatedAt, a Doc that is not JSON, or bad text is ErrInvalid.
	PutPermit(ctx context.Context, p PermitRecord) error
	// GetPermit returns the permit with id; ErrNotFound if none.
	GetPermit(ctx context.Context, id string) (PermitRecord, error)
	// ListPermits returns the permits f selects, by Start then ID, with
	// their documents.
	ListPermits(ctx context.Context, f PermitFilter) ([]PermitRecord, error)
}

// CheckPermit applies the rules of PutPermit that do not depend on the
// backend (text is each backend's check); both stores call it.
func CheckPermit(p PermitRecord) error {
	switch {
	case p.ID == "" || p.Type == "" || p.Status == "":
		return fmt.Errorf("%w: permit without id, type or status", ErrInvalid)
	case p.Start.IsZero() || p.End.IsZero() || !p.End.After(p.Start):
		return fmt.Errorf("%w: permit %s: window %v … %v", ErrInvalid, p.ID, p.Start, p.End)
	case p.UpdatedAt.IsZero():
		return fmt.Errorf("%w: permit %s without an update time", ErrInvalid, p.ID)
	case !json.Valid(p.Doc):
		return fmt.Errorf("%w: permit %s: the document is not JSON", ErrInvalid, p.ID)
	}
	return nil
}
