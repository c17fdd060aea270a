package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Scenario is a saved what-if release (POST /api/v1/scenarios): who made
// it, when, and the document (request and computed zones) as the API
// returns it. The store does not read the document.
type Scenario struct {
	ID        string
	Name      string
	By        string // a username
	CreatedAt time.Time
	Doc       []byte // JSON text
}

// Scenarios keeps the what-if scenarios emergency staff save (ALOHA's
// saved scenarios), newest first. It is part of Store.
type Scenarios interface {
	// PutScenario stores sc, replacing the scenario of the same ID. An
	// empty ID or By, a zero CreatedAt, a Doc that is not JSON text, or
	// bad text is ErrInvalid.
	PutScenario(ctx context.Context, sc Scenario) error
	// GetScenario returns the scenario with id; ErrNotFound if none.
	GetScenario(ctx context.Context, id string) (Scenario, error)
	// ListScenarios returns up to limit scenarios (all when limit ≤ 0),
	// newest CreatedAt first (ties by ID), without their documents.
	ListScenarios(ctx context.Context, limit int) ([]Scenario, error)
	// DeleteScenario removes the scenario with id; ErrNotFound if none.
	DeleteScenario(ctx context.Context, id string) error
}

// CheckScenario applies the rules of PutScenario that do not depend on the
// backend (text is each backend's check); both stores call it.
func CheckScenario(sc Scenario) error {
	switch {
	case sc.ID == "" || sc.By == "":
		return fmt.Errorf("%w: scenario without id or author", ErrInvalid)
	case sc.CreatedAt.IsZero():
		return fmt.Errorf("%w: scenario %s without a time", ErrInvalid, sc.ID)
	case !json.Valid(sc.Doc):
		return fmt.Errorf("%w: scenario %s: the document is not JSON", ErrInvalid, sc.ID)
	}
	return nil
}
