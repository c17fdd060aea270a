package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// TestHistoryQueryPlans pins the plans the history's speed rests on: every
// query is a range of a primary key or a covering index, never a scan of a
// table that holds a year of positions, nor a sort of one.
func TestHistoryQueryPlans(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	cases := map[string]struct {
		q    string
		args []any
		want []string // each must be a line of the plan
	}{
		"track":    {trackQuery, []any{"p", 0, 1, 10}, []string{"SEARCH positions USING PRIMARY KEY (entity_id=? AND at>? AND at<?)"}},
		"readings": {readingsQuery, []any{"d", 0, 1, 10}, []string{"SEARCH readings USING PRIMARY KEY (detector_id=? AND at>? AND at<?)"}},
		"presence": {presenceQuery, []any{0, 1, 0, 1, 0, 1}, []string{"SEARCH positions USING COVERING INDEX positions_at (at>? AND at<?)"}},
		"series":   {seriesQuery, []any{60000, "d", 0, 1}, []string{"SEARCH rollups USING PRIMARY KEY (detector_id=? AND minute>? AND minute<?)"}},
		"purge positions": {purgeQueries[store.KindPositions], []any{0, 10}, []string{
			"SEARCH positions USING PRIMARY KEY (entity_id=? AND at=? AND seq=?)",
			"SEARCH positions USING COVERING INDEX positions_at (at<?)"}},
		"purge readings": {purgeQueries[store.KindReadings], []any{0, 10}, []string{
			"SEARCH readings USING PRIMARY KEY (detector_id=? AND at=? AND seq=?)",
			"SEARCH readings USING COVERING INDEX readings_at (at<?)"}},
		"purge rollups": {purgeQueries[store.KindRollups], []any{0, 10}, []string{
			"SEARCH rollups USING PRIMARY KEY (detector_id=? AND minute=?)",
			"SEARCH rollups USING COVERING INDEX rollups_minute (minute<?)"}},
	}
	for name, tc := range cases {
		plan := queryPlan(t, db, tc.q, tc.args)
		for _, w := range tc.want {
			if !strings.Contains(plan, "\n"+w+"\n") {
				t.Errorf("%s: plan lacks %q:\n%s", name, w, plan)
			}
		}
		if strings.Contains(plan, "SCAN ") || strings.Contains(plan, "FOR ORDER BY") {
			t.Errorf("%s: plan scans or sorts:\n%s", name, plan)
		}
	}
}

// queryPlan returns the EXPLAIN QUERY PLAN lines of q, one per line, with a
// newline before and after each.
func queryPlan(t *testing.T, db *DB, q string, args []any) string {
	t.Helper()
	rows, err := db.w.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	plan := "\n"
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestPurgeChunks purges in chunks of 7 rows: every chunk is counted and
// the rows at or after before stay.
func TestPurgeChunks(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	db.purgeChunk = 7
	ctx := t.Context()
	var ps []store.Position
	var rs []store.Reading
	var ru []store.Rollup
	for i := range 40 {
		d := time.Duration(i-30) * time.Minute // 30 before benchBase, 10 from it on
		ps = append(ps, store.Position{EntityID: "p-1", At: benchBase.Add(d), Lon: 121.5, Lat: 31.25})
		rs = append(rs, store.Reading{DetectorID: "gas-1", At: benchBase.Add(d), Value: 1})
		ru = append(ru, store.Rollup{DetectorID: "gas-1", Minute: benchBase.Add(d), Min: 1, Max: 1, Sum: 1, N: 1})
	}
	if err := errors.Join(db.AppendPositions(ctx, ps), db.AppendReadings(ctx, rs), db.AppendRollups(ctx, ru)); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{store.KindPositions, store.KindReadings, store.KindRollups} {
		if n, err := db.Purge(ctx, kind, benchBase); err != nil || n != 30 {
			t.Errorf("Purge(%s) = %d, %v; want 30 in chunks of 7", kind, n, err)
		}
	}
	far := benchBase.Add(time.Hour)
	got, err1 := db.Track(ctx, "p-1", benchBase.Add(-time.Hour), far, 0)
	reads, err2 := db.Readings(ctx, "gas-1", benchBase.Add(-time.Hour), far, 0)
	series, err3 := db.Series(ctx, "gas-1", benchBase.Add(-time.Hour), far, time.Minute)
	if err := errors.Join(err1, err2, err3); err != nil || len(got) != 10 || len(reads) != 10 || len(series) != 10 {
		t.Errorf("after purge: %d positions, %d readings, %d rollups, %v; want 10 of each", len(got), len(reads), len(series), err)
	}
}

// TestPurgeCancelled stops a purge between chunks: what went is counted,
// what stays is intact.
func TestPurgeCancelled(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	db.purgeChunk = 1
	ps := make([]store.Position, 5)
	for i := range ps {
		ps[i] = store.Position{EntityID: "p-1", At: benchBase.Add(time.Duration(i) * time.Second), Lon: 121.5, Lat: 31.25}
	}
	if err := db.AppendPositions(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	n, err := db.Purge(cancelled, store.KindPositions, benchBase.Add(time.Hour))
	if err == nil || n != 0 {
		t.Errorf("Purge(cancelled) = %d, %v; want 0 and an error", n, err)
	}
	if got, _ := db.Track(t.Context(), "p-1", benchBase, benchBase.Add(time.Hour), 0); len(got) != 5 {
		t.Errorf("after a cancelled purge: %d positions, want 5", len(got))
	}
}

// FuzzPositionRoundTrip stores one position built from fuzzed text and
// numbers: it is refused with ErrInvalid, or it reads back exactly, At
// truncated to the millisecond.
func FuzzPositionRoundTrip(f *testing.F) {
	f.Add("p-1", "area-1", 121.47, 31.23, 1.5, 2, int64(1782892800123))
	f.Add("", "", 0.0, 0.0, 0.0, 0, int64(0))
	f.Add("张伟", "罐区", -180.0, 90.0, -3.0, -1, int64(-1))
	f.Add("p\xff", "a\x00", math.NaN(), math.Inf(1), math.Inf(-1), math.MaxInt32, int64(-62135596800000))
	f.Add("p", "a", 180.0000001, -90.0, 1e308, math.MinInt32, int64(1<<50))
	db := openTemp(f)
	defer db.Close()
	f.Fuzz(func(t *testing.T, entity, area string, lon, lat, z float64, floor int, ms int64) {
		p := store.Position{EntityID: entity, At: time.UnixMilli(ms).UTC(), Lon: lon, Lat: lat, Z: z, Floor: floor, AreaID: area}
		if err := db.AppendPositions(t.Context(), []store.Position{p}); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("AppendPositions: %v, want nil or ErrInvalid", err)
			}
			return
		}
		got, err := db.Track(t.Context(), entity, p.At, p.At, 0)
		if err != nil || len(got) == 0 {
			t.Fatalf("Track: %v, %v", got, err)
		}
		if last := got[len(got)-1]; last != p {
			t.Fatalf("read back %+v, want %+v", last, p)
		}
	})
}

// TestPresenceCap keeps the store.MaxPresenceEntries smallest entity ids.
func TestPresenceCap(t *testing.T) {
	seen := map[string]*store.Presence{}
	for i := range store.MaxPresenceEntries + 10 {
		id := fmt.Sprintf("p-%07d", store.MaxPresenceEntries+10-i)
		seen[id] = &store.Presence{EntityID: id, Fixes: 1}
	}
	got := sortPresence(seen)
	if len(got) != store.MaxPresenceEntries || got[0].EntityID != "p-0000001" ||
		got[len(got)-1].EntityID != fmt.Sprintf("p-%07d", store.MaxPresenceEntries) {
		t.Errorf("sortPresence kept %d entries, %s … %s; want the %d smallest ids",
			len(got), got[0].EntityID, got[len(got)-1].EntityID, store.MaxPresenceEntries)
	}
}
