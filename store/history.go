package store

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// History is the time-series part of a Store: positions, detector
// readings and their per-minute rollups, kept for the retention periods
// (AQ 3064.3-2025: positioning data ≥ 1 year). Writes come in batches from
// the history recorder, never from the ingest hot path. Implementations are
// safe for concurrent use.
type History interface {
	// AppendPositions adds position rows in one batch (all or none).
	AppendPositions(ctx context.Context, ps []Position) error
	// Track returns one entity's positions with At in [from, to], oldest
	// first, at most limit rows (≤ 0: DefaultTrackLimit).
	Track(ctx context.Context, entityID string, from, to time.Time, limit int) ([]Position, error)
	// Presence returns who was inside an area during [from, to]: every
	// entity with at least one position inside q.Area (boundary included)
	// in that window, ordered by entity id.
	Presence(ctx context.Context, q PresenceQuery) ([]Presence, error)

	// AppendReadings adds raw detector readings in one batch.
	AppendReadings(ctx context.Context, rs []Reading) error
	// Readings returns one detector's raw readings with At in [from, to],
	// oldest first, at most limit rows (≤ 0: DefaultSeriesLimit).
	Readings(ctx context.Context, detectorID string, from, to time.Time, limit int) ([]Reading, error)
	// AppendRollups adds per-minute rollups; a rollup for a (detector,
	// minute) already stored is merged into it (min of mins, max of maxes,
	// sums and counts added), so a minute written twice — across a restart —
	// stays correct.
	AppendRollups(ctx context.Context, rs []Rollup) error
	// Series aggregates one detector's rollups into buckets of step (a
	// whole number of minutes, ≥ 1 min) over [from, to], oldest first;
	// buckets without data are left out.
	Series(ctx context.Context, detectorID string, from, to time.Time, step time.Duration) ([]SeriesPoint, error)

	// Purge deletes the rows of one kind older than before and reports how
	// many went. Kinds: "positions", "readings", "rollups".
	Purge(ctx context.Context, kind string, before time.Time) (int64, error)
}

// Limits of the history queries.
const (
	DefaultTrackLimit  = 100000 // 8 h at 2 s is 14,400 fixes
	DefaultSeriesLimit = 100000
	MaxPresenceEntries = 100000
)

// History kinds for Purge.
const (
	KindPositions = "positions"
	KindReadings  = "readings"
	KindRollups   = "rollups"
)

// Position is one kept fix of a person or vehicle.
type Position struct {
	EntityID string
	At       time.Time // measurement time, stored to the millisecond
	Lon, Lat float64   // WGS84 degrees
	Z        float64   // metres above ground
	Floor    int
	AreaID   string // the area containing the fix, "" outside all
}

// Reading is one raw detector reading.
type Reading struct {
	DetectorID string
	At         time.Time
	Value      float64
	Unit       string
	Fault      bool
}

// Rollup aggregates one detector's readings over one minute.
type Rollup struct {
	DetectorID string
	Minute     time.Time // start of the minute, UTC
	Min, Max   float64
	Sum        float64
	N          int
	Unit       string
}

// SeriesPoint is one bucket of a series.
type SeriesPoint struct {
	At       time.Time // start of the bucket
	Min, Max float64
	Avg      float64
	N        int // readings in the bucket
}

// PresenceQuery selects an area and a time window.
type PresenceQuery struct {
	// Area is a Polygon, MultiPolygon or Bound in WGS84.
	Area     orb.Geometry
	From, To time.Time
}

// Presence is one entity seen inside the area.
type Presence struct {
	EntityID    string
	First, Last time.Time // first and last fix inside the area in the window
	Fixes       int       // positions inside the area in the window
}
