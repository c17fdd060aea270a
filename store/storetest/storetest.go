// Package storetest is the conformance suite every store.Store backend
// passes (store/sqlite; store/postgres with W3). It only uses the
// store.Store interface, so the same tests hold every backend to the same
// contract, including what store.go leaves implicit:
//
//   - Times round-trip exactly to the millisecond: the sub-millisecond part
//     is truncated towards the past (also before 1970) and times come back
//     in UTC (Location() == time.UTC). The zero time round-trips as zero.
//   - Maps (Alarm.Details, Event.Data, AuditEntry.Detail) round-trip as
//     encoding/json does: numbers come back as float64, nested maps as
//     map[string]any, arrays as []any. A nil or empty map may come back as
//     either.
//   - Text must be valid UTF-8 without NUL bytes; other text, an empty key,
//     an unknown alarm state or a NaN/infinite coordinate is refused with an
//     error and nothing is written.
//   - Not found is store.ErrNotFound (User, Session, DeleteSession, Alarm,
//     and PutSession for a username with no user); a session token hash
//     stored twice is store.ErrConflict.
//   - PutUser and SaveAlarm replace every field of an existing record.
//   - Users are listed by username in byte (code-point) order — PostgreSQL
//     needs COLLATE "C" for that.
//   - PurgeSessions(t) deletes sessions with ExpiresAt strictly before t.
//   - Alarms: From/To inclusive on RaisedAt; newest raised first, ties by
//     greater id first; Limit ≤ 0 means 100, capped at 1000; a negative
//     Offset counts as 0; Open combines with the other fields by AND.
//   - Events and Audit: From/To inclusive on At; oldest first, ties by
//     smaller id; Limit ≤ 0 means 1000. The store assigns ids, increasing
//     in append order and across reopen; input IDs are ignored and the
//     caller's slice is not modified. AppendEvents is all-or-none; an empty
//     batch is a no-op. AppendAudit stamps a zero At with the current time.
//   - Calls with a cancelled context fail; Close may be called twice.
//   - Scene edits: one per ID, PutEdit replacing every field; SceneEdits
//     by At then ID; Feature reads back byte for byte (nil for a removal).
//   - Alarm silences: one per ID, PutSilence replacing every field;
//     ActiveSilences(t) returns those with To strictly after t (upcoming
//     ones too), by From then ID, empty Types and AreaIDs as nil;
//     DeleteSilence of an unknown id is store.ErrNotFound. Refused: an
//     empty ID or By, a zero From or To, To not after From, an empty type
//     or area id, bad text.
//
// History (store.History), on top of the rules above:
//
//   - AppendPositions, AppendReadings and AppendRollups are all-or-none per
//     batch; an empty or nil batch is a no-op; the caller's slice is not
//     modified. A refused row makes the error wrap store.ErrInvalid and name
//     the row's index in the batch, counted from 0, as "position N",
//     "reading N" or "rollup N".
//   - Refused positions: empty EntityID, zero At, Lon outside [-180, 180] or
//     Lat outside [-90, 90] (NaN and ±Inf included; the extremes are kept),
//     non-finite Z, bad text. Refused readings: empty DetectorID, zero At,
//     non-finite Value, bad text. Refused rollups: empty DetectorID, Minute
//     zero or not the start of a minute (seconds or sub-seconds set), a
//     non-finite Min, Max or Sum, Min > Max, N < 1, bad text. An empty
//     AreaID or Unit is fine.
//   - Every field of a position or reading reads back as written, At in UTC
//     truncated to the millisecond. Positions of one entity with the same
//     At are all kept (no deduplication), and so are readings.
//   - Time windows [from, to] are inclusive at both ends, after truncating
//     both bounds to the millisecond (towards the past), like stored times.
//     Zero times are ordinary instants, not "unbounded"; from after to
//     selects nothing and is not an error.
//   - Track and Readings: oldest first; rows with equal At in append order,
//     across batches and across reopen (PostgreSQL: ORDER BY at, id with a
//     bigserial id); at most limit rows, the oldest; limit ≤ 0 means
//     store.DefaultTrackLimit or store.DefaultSeriesLimit, with no upper
//     cap. An empty id is store.ErrInvalid; an unknown id gives no rows.
//   - Presence: a position counts when its At is in [From, To] and its point
//     is inside q.Area as geo.Contains says — the boundary (edges and
//     vertices) is inside, like PostGIS ST_Intersects(area, point); an
//     orb.Bound is the closed box. One entry per entity with at least one
//     such position: First and Last are the earliest and latest of those
//     positions' times, Fixes their count (equal-time duplicates counted).
//     Entries are ordered by EntityID in byte order (COLLATE "C"), at most
//     store.MaxPresenceEntries. The area must be an orb.Polygon or
//     orb.MultiPolygon of closed rings (first point = last) of at least 4
//     finite points, or an orb.Bound with finite Min ≤ Max; anything else
//     (nil, a point, a line, an empty multipolygon …) is store.ErrInvalid.
//   - Rollups are keyed by (DetectorID, Minute). A rollup for a key already
//     stored, or earlier in the same batch, merges into it: min of the
//     mins, max of the maxes, Sum and N added. Concurrent merges into one
//     key lose nothing.
//   - Series(id, from, to, step): step must be a whole number of minutes,
//     at least 1 (else store.ErrInvalid). The rollups with Minute in
//     [from, to] are grouped into buckets aligned to the Unix epoch: bucket
//     start = floor(unixMillis(Minute) / stepMillis) · stepMillis, a floor
//     also before 1970. So the first bucket may start before from, holding
//     only the rollups inside the window. Each point: At = bucket start (UTC),
//     Min and Max the extremes, N the sum of N, Avg = (sum of Sum) / N.
//     Buckets without rollups are left out; oldest first; no row limit.
//   - Purge(kind, before) deletes the rows of that kind whose At (rollups:
//     Minute) is strictly before before, truncated to the millisecond —
//     rows at before stay — and returns how many went; other kinds are
//     untouched. Kinds are store.KindPositions, KindReadings, KindRollups;
//     any other string (also "" or a different case) is store.ErrInvalid.
//
// The suite runs its groups in parallel, each on a fresh store from open;
// it closes every store it gets.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// Run runs the conformance suite. open returns a new, empty store for the
// test t (tie any files to t, e.g. with t.TempDir); the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	s := suite{open: open}
	t.Run("Users", s.testUsers)
	t.Run("Sessions", s.testSessions)
	t.Run("Alarms", s.testAlarms)
	t.Run("AlarmFilters", s.testAlarmFilters)
	t.Run("AlarmLimits", s.testAlarmLimits)
	t.Run("Events", s.testEvents)
	t.Run("EventFilters", s.testEventFilters)
	t.Run("Audit", s.testAudit)
	t.Run("TimePrecision", s.testTimePrecision)
	t.Run("Concurrency", s.testConcurrency)
	t.Run("Ping", s.testPing)
	t.Run("Positions", s.testPositions)
	t.Run("Presence", s.testPresence)
	t.Run("Readings", s.testReadings)
	t.Run("Rollups", s.testRollups)
	t.Run("HistoryPurge", s.testHistoryPurge)
	t.Run("HistoryConcurrency", s.testHistoryConcurrency)
	t.Run("Edits", s.testEdits)
	t.Run("Silences", s.testSilences)
	t.Run("Scenarios", s.testScenarios)
	t.Run("Permits", s.testPermits)
	t.Run("SaveAlarms", s.testSaveAlarms)
	t.Run("Records", s.testRecords)
	t.Run("RecordFilters", s.testRecordFilters)
	t.Run("RecordsInvalid", s.testRecordsInvalid)
	t.Run("PutRecords", s.testPutRecords)
	t.Run("Blobs", s.testBlobs)
	t.Run("RecordsConcurrency", s.testRecordsConcurrency)
}

// RunDurable runs Run and then the durability tests: records written,
// the store closed, and reopen(t, closed) — a new store over the same data
// as the closed one — must return every record unchanged (positions,
// readings, rollups and silences included) and keep assigning greater
// ids; after reopen, equal-time positions still come in append order and
// rollups still merge into the minutes stored before. The suite closes
// the reopened store too.
func RunDurable(t *testing.T, open func(t *testing.T) store.Store, reopen func(t *testing.T, closed store.Store) store.Store) {
	t.Helper()
	Run(t, open)
	s := suite{open: open, reopen: reopen}
	t.Run("Durable", s.testDurable)
	t.Run("RecordsDurable", s.testRecordsDurable)
}

type suite struct {
	open   func(t *testing.T) store.Store
	reopen func(t *testing.T, closed store.Store) store.Store
}

// base is the suite's reference time: AQ 3064.1/.2/.3-2025 take effect.
var base = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// fresh opens a new store for t and closes it when t ends.
func (s suite) fresh(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() { closeStore(t, st) })
	return st
}

func closeStore(t *testing.T, st store.Store) {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// ctx is the context of one test: cancelled when the test ends.
func ctx(t *testing.T) context.Context { return t.Context() }

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// ptr returns a pointer to t.
func ptr(t time.Time) *time.Time { return &t }

// normJSON returns m as it reads back through JSON: float64 numbers, []any
// arrays, map[string]any objects. An empty map becomes nil.
func normJSON(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("test data: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("test data: %v", err)
	}
	return out
}

// emptyNil returns nil for an empty map, so that nil and empty compare equal.
func emptyNil(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// same reports a difference between got and want, printed as JSON.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// page returns xs[off:off+n], clipped to xs.
func page[T any](xs []T, off, n int) []T {
	if off >= len(xs) {
		return nil
	}
	return xs[off:min(off+n, len(xs))]
}
