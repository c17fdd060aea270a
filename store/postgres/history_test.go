package postgres

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
)

var day0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// pos is a fix of entity at t, somewhere in the plant.
func pos(entity string, t time.Time, i int) store.Position {
	return store.Position{EntityID: entity, At: t, Lon: 121.5 + float64(i%100)*1e-5, Lat: 31.25 + float64(i%77)*1e-5,
		Z: 1.5, Floor: 1, AreaID: "area-1"}
}

// partitionRows returns table's partitions with their row counts, as
// "name:count" words in name order.
func partitionRows(t *testing.T, c *pgx.Conn, table string) string {
	t.Helper()
	ctx := t.Context()
	rows, _ := c.Query(ctx, `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass ORDER BY 1`, table)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, name := range names {
		var n int64
		if err := c.QueryRow(ctx, "SELECT count(*) FROM "+name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		words = append(words, fmt.Sprintf("%s:%d", name, n))
	}
	return strings.Join(words, " ")
}

// TestPartitions writes positions and readings over three days, checks
// that each day got its partition (and DEFAULT nothing), then purges.
func TestPartitions(t *testing.T) {
	db := openFresh(t)
	c := raw(t, db)
	ctx := t.Context()
	times := []time.Time{
		day0.Add(-time.Millisecond), day0, day0.Add(12 * time.Hour), // 30 June 23:59:59.999, 1 July
		day0.Add(24 * time.Hour), day0.Add(30 * time.Hour), day0.Add(36 * time.Hour), // 2 July
	}
	var ps []store.Position
	var rs []store.Reading
	for i, at := range times {
		ps = append(ps, pos("p-1", at, i))
		rs = append(rs, store.Reading{DetectorID: "gas-1", At: at, Value: float64(i), Unit: "%LEL"})
	}
	if err := errors.Join(db.AppendPositions(ctx, ps), db.AppendReadings(ctx, rs)); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"positions", "readings"} {
		want := table + "_default:0 " + table + "_p20260630:1 " + table + "_p20260701:2 " + table + "_p20260702:3"
		if got := partitionRows(t, c, table); got != want {
			t.Errorf("%s partitions:\n got %s\nwant %s", table, got, want)
		}
	}

	// 30 June and 1 July end by 2 July 06:00 and go whole; 2 July loses one row.
	before := day0.Add(30 * time.Hour)
	for _, kind := range []string{store.KindPositions, store.KindReadings} {
		if n, err := db.Purge(ctx, kind, before); err != nil || n != 4 {
			t.Errorf("Purge(%s) = %d, %v; want 4", kind, n, err)
		}
		want := kind + "_default:0 " + kind + "_p20260702:2"
		if got := partitionRows(t, c, kind); got != want {
			t.Errorf("%s partitions after purge:\n got %s\nwant %s", kind, got, want)
		}
	}
	if got, err := db.Track(ctx, "p-1", times[0], times[5], 0); err != nil || len(got) != 2 || !got[0].At.Equal(before) {
		t.Errorf("Track after purge = %v, %v; want the fixes from %v", got, err, before)
	}

	// A day purged is made again when written again.
	if err := db.AppendPositions(ctx, ps[:1]); err != nil {
		t.Fatal(err)
	}
	if got := partitionRows(t, c, "positions"); !strings.Contains(got, "positions_p20260630:1") {
		t.Errorf("partitions after writing a purged day again: %s", got)
	}
}

// TestDefaultPartition puts a row of a day without a partition into
// DEFAULT behind the store's back: the day's partition cannot be made any
// more, and the store keeps writing that day to DEFAULT, reads and purges
// it.
func TestDefaultPartition(t *testing.T) {
	db := openFresh(t)
	c := raw(t, db)
	ctx := t.Context()
	if _, err := c.Exec(ctx, `INSERT INTO positions (entity_id, at, lon, lat, z, floor, area_id)
		VALUES ('p-1', '2026-07-01 08:00:00+00', 121.5, 31.25, 0, 0, '')`); err != nil {
		t.Fatal(err)
	}
	later := pos("p-1", day0.Add(9*time.Hour), 1)
	if err := db.AppendPositions(ctx, []store.Position{later}); err != nil {
		t.Fatalf("AppendPositions on a day held by DEFAULT: %v", err)
	}
	if got, want := partitionRows(t, c, "positions"), "positions_default:2"; got != want {
		t.Errorf("partitions: %s, want %s", got, want)
	}
	got, err := db.Track(ctx, "p-1", day0, day0.Add(day), 0)
	if err != nil || len(got) != 2 || got[1] != later {
		t.Errorf("Track = %v, %v; want the row in DEFAULT, then %v", got, err, later)
	}
	if n, err := db.Purge(ctx, store.KindPositions, later.At); err != nil || n != 1 {
		t.Errorf("Purge = %d, %v; want 1", n, err)
	}
}

// TestCopyBatches writes batches of 10,000 positions and readings, and a
// batch the server refuses at its last row: nothing of it may stay.
func TestCopyBatches(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	const n = 10000
	ps := make([]store.Position, n)
	rs := make([]store.Reading, n)
	for i := range n {
		at := day0.Add(23*time.Hour + time.Duration(i)*time.Second) // crosses midnight
		ps[i] = pos(fmt.Sprintf("p-%d", i%300), at, i)
		rs[i] = store.Reading{DetectorID: fmt.Sprintf("gas-%d", i%50), At: at, Value: float64(i), Unit: "ppm", Fault: i%7 == 0}
	}
	if err := errors.Join(db.AppendPositions(ctx, ps), db.AppendReadings(ctx, rs)); err != nil {
		t.Fatal(err)
	}
	c := raw(t, db)
	for _, table := range []string{"positions", "readings"} {
		var got int
		if err := c.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&got); err != nil || got != n {
			t.Errorf("%s: %d rows, %v; want %d", table, got, err, n)
		}
	}
	var want []store.Position
	for _, p := range ps {
		if p.EntityID == "p-7" {
			want = append(want, p)
		}
	}
	if got, err := db.Track(ctx, "p-7", day0, day0.Add(2*day), 0); err != nil || !slices.Equal(got, want) {
		t.Errorf("Track(p-7) = %d fixes, %v; want %d in order", len(got), err, len(want))
	}
	if got, err := db.Readings(ctx, "gas-3", day0, day0.Add(2*day), 5); err != nil || len(got) != 5 || got[4] != rs[4*50+3] {
		t.Errorf("Readings(gas-3, limit 5) = %v, %v", got, err)
	}

	// Year 5000 BC is valid in Go, out of range for timestamptz: the server
	// refuses the last row, after it has taken all the others.
	bad := slices.Clone(ps)
	for i := range bad {
		bad[i].EntityID = "refused"
	}
	bad[n-1].At = time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := db.AppendPositions(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("AppendPositions(a row out of timestamptz range) error = %v, want store.ErrInvalid", err)
	}
	if got, err := db.Track(ctx, "refused", time.Time{}, day0.Add(2*day), 0); err != nil || len(got) != 0 {
		t.Errorf("after the refused batch: %d fixes, %v; want none", len(got), err)
	}
}

// TestConcurrentWriters has 8 goroutines write positions, readings and
// rollups of the same three new days at once: the partitions are made once,
// nothing goes to DEFAULT, every row is there.
func TestConcurrentWriters(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	const writers, batches, size = 8, 6, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			entity := fmt.Sprintf("w-%d", g)
			for b := range batches {
				ps := make([]store.Position, size)
				rs := make([]store.Reading, size)
				for i := range size {
					at := day0.Add(time.Duration(b)*12*time.Hour + time.Duration(i)*time.Second)
					ps[i] = pos(entity, at, i)
					rs[i] = store.Reading{DetectorID: entity, At: at, Value: 1, Unit: "ppm"}
				}
				ru := store.Rollup{DetectorID: "shared", Minute: day0, Min: float64(g), Max: float64(g), Sum: 1, N: 1}
				err := errors.Join(db.AppendPositions(ctx, ps), db.AppendReadings(ctx, rs), db.AppendRollups(ctx, []store.Rollup{ru}))
				if err != nil {
					t.Errorf("%s batch %d: %v", entity, b, err)
					return
				}
			}
		})
	}
	wg.Wait()
	c := raw(t, db)
	for _, table := range []string{"positions", "readings"} {
		want := fmt.Sprintf("%[1]s_default:0 %[1]s_p20260701:%d %[1]s_p20260702:%d %[1]s_p20260703:%d",
			table, 2*writers*size, 2*writers*size, 2*writers*size)
		if got := partitionRows(t, c, table); got != want {
			t.Errorf("%s partitions:\n got %s\nwant %s", table, got, want)
		}
	}
	got, err := db.Series(ctx, "shared", day0, day0, time.Minute)
	want := []store.SeriesPoint{{At: day0, Min: 0, Max: writers - 1, Avg: 1, N: writers * batches}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("shared rollup = %v, %v; want %v", got, err, want)
	}
}

// TestSeriesBeforeEpoch checks the bucket alignment of date_bin against
// floor(minute / step)·step, across 1970 where a truncating division
// would differ.
func TestSeriesBeforeEpoch(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	epoch := time.Unix(0, 0).UTC()
	var rs []store.Rollup
	for m := -13; m <= 13; m++ {
		rs = append(rs, store.Rollup{DetectorID: "d", Minute: epoch.Add(time.Duration(m) * time.Minute), Min: float64(m), Max: float64(m), Sum: float64(m), N: 1})
	}
	if err := db.AppendRollups(ctx, rs); err != nil {
		t.Fatal(err)
	}
	got, err := db.Series(ctx, "d", rs[0].Minute, rs[len(rs)-1].Minute, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.SeriesPoint
	for b := -15; b <= 10; b += 5 {
		lo, hi := max(b, -13), min(b+4, 13)
		n := hi - lo + 1
		want = append(want, store.SeriesPoint{At: epoch.Add(time.Duration(b) * time.Minute),
			Min: float64(lo), Max: float64(hi), Avg: float64(lo+hi) / 2, N: n})
	}
	if !slices.Equal(got, want) {
		t.Errorf("Series across 1970:\n got %v\nwant %v", got, want)
	}
}

// presenceData is 300 people walking a 2 km square for two days, a fix
// every 20 min, some on grid points that are the corners of test areas.
func presenceData() []store.Position {
	rnd := rand.New(rand.NewPCG(1, 2))
	var ps []store.Position
	for i := range 300 {
		for k := range 144 {
			lon, lat := 121.5+rnd.Float64()*0.02, 31.25+rnd.Float64()*0.02
			if k%10 == 0 { // on the 1/256° grid: vertices and edges of the areas
				lon, lat = 121.5+float64(rnd.IntN(6))/256, 31.25+float64(rnd.IntN(6))/256
			}
			ps = append(ps, store.Position{EntityID: fmt.Sprintf("p-%03d", i), Lon: lon, Lat: lat,
				At: day0.Add(time.Duration(k)*20*time.Minute + time.Duration(i)*time.Second)})
		}
	}
	return ps
}

// presenceRef is what Presence must return, computed with geo.Contains as
// the SQLite store does — except on the edge of a hole, which PostGIS (and
// the topology of a polygon) counts as inside, geo.Contains (orb's
// planar.PolygonContains) as outside.
func presenceRef(ps []store.Position, q store.PresenceQuery) []store.Presence {
	byID := map[string]*store.Presence{}
	for _, p := range ps {
		pt := orb.Point{p.Lon, p.Lat}
		if p.At.Before(q.From) || p.At.After(q.To) || !(geo.Contains(q.Area, pt) || onHoleEdge(q.Area, pt)) {
			continue
		}
		e := byID[p.EntityID]
		if e == nil {
			byID[p.EntityID] = &store.Presence{EntityID: p.EntityID, First: p.At, Last: p.At, Fixes: 1}
			continue
		}
		e.First, e.Last, e.Fixes = minTime(e.First, p.At), maxTime(e.Last, p.At), e.Fixes+1
	}
	var out []store.Presence
	for _, e := range byID {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b store.Presence) int { return strings.Compare(a.EntityID, b.EntityID) })
	return out
}

// onHoleEdge reports whether p lies on the edge of a hole of area.
func onHoleEdge(area orb.Geometry, p orb.Point) bool {
	var polys []orb.Polygon
	switch a := area.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{a}
	case orb.MultiPolygon:
		polys = a
	}
	for _, poly := range polys {
		for _, hole := range poly[1:] {
			for i := 1; i < len(hole); i++ {
				if onSegment(p, hole[i-1], hole[i]) {
					return true
				}
			}
		}
	}
	return false
}

// onSegment reports whether p lies on the segment ab (exact for the grid
// coordinates of the test, whose products are exact in float64).
func onSegment(p, a, b orb.Point) bool {
	cross := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
	return cross == 0 && min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestPresence compares Presence with the reference on 43,200 fixes over
// two days, and checks with EXPLAIN that the GiST index serves it.
func TestPresence(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	ps := presenceData()
	if err := db.AppendPositions(ctx, ps); err != nil {
		t.Fatal(err)
	}
	c := raw(t, db)
	if _, err := c.Exec(ctx, "ANALYZE positions"); err != nil {
		t.Fatal(err)
	}
	g := func(x, y float64) orb.Point { return orb.Point{121.5 + x/256, 31.25 + y/256} }
	tri := orb.Polygon{{g(0, 0), g(4, 0), g(0, 4), g(0, 0)}} // a sloped edge through grid points
	holed := orb.Polygon{{g(0, 0), g(5, 0), g(5, 5), g(0, 5), g(0, 0)}, {g(1, 1), g(1, 2), g(2, 2), g(2, 1), g(1, 1)}}
	areas := map[string]orb.Geometry{
		"triangle":     tri,
		"holed square": holed,
		"multipolygon": orb.MultiPolygon{tri, {{g(3, 3), g(5, 3), g(5, 5), g(3, 3)}}},
		"bound":        orb.Bound{Min: g(1, 1), Max: g(3, 4)},
		"bound line":   orb.Bound{Min: g(2, 0), Max: g(2, 5)},
	}
	windows := [][2]time.Time{{day0, day0.Add(2 * day)}, {day0.Add(10 * time.Hour), day0.Add(30 * time.Hour)}, {ps[0].At, ps[0].At}}
	for name, area := range areas {
		for _, w := range windows {
			q := store.PresenceQuery{Area: area, From: w[0], To: w[1]}
			got, err := db.Presence(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want := presenceRef(ps, q); !slices.Equal(got, want) {
				t.Errorf("%s %v: Presence differs from the reference: %s", name, w, presenceDiff(got, want))
			}
		}
	}
	explainPresence(t, c, store.PresenceQuery{Area: areas["bound"], From: day0, To: day0.Add(2 * day)})
}

// presenceDiff describes the first difference of got from want.
func presenceDiff(got, want []store.Presence) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("entry %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d entries, want %d", len(got), len(want))
}

// explainPresence checks that the plan of Presence scans the GiST index of
// each day's partition.
func explainPresence(t *testing.T, c *pgx.Conn, q store.PresenceQuery) {
	t.Helper()
	sql, args, err := presenceSQL(q)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := c.Query(t.Context(), "EXPLAIN "+sql, args...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	for _, index := range []string{"positions_p20260701_geom_idx", "positions_p20260702_geom_idx"} {
		if !strings.Contains(plan, index) {
			t.Errorf("Presence does not use %s:\n%s", index, plan)
		}
	}
	t.Logf("plan:\n%s", plan)
}
