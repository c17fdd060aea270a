package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
)

// The history benchmarks model a plant of 300 tagged people reporting every
// 2 s (AQ 3064.3-2025: tags upload ≥ 30 times a minute), spread over a
// square of 1000 × 1000 grid steps of 1e-5° (about 1 km by 1.1 km).
const (
	benchPeople   = 300
	benchInterval = 2 * time.Second
	benchGrid     = 1e-5
)

var benchOrigin = orb.Point{121.5, 31.25}

// benchPosition is fix n of the plant's stream: person n % 300 at
// benchBase + (n / 300) · 2 s, at a pseudo-random spot (the same formula as
// fillHistory's SQL).
func benchPosition(n int) store.Position {
	x, y := (n*7919)%1000, (n*104729)%1000
	return store.Position{
		EntityID: fmt.Sprintf("p-%03d", n%benchPeople), At: benchBase.Add(time.Duration(n/benchPeople) * benchInterval),
		Lon: benchOrigin[0] + float64(x)*benchGrid, Lat: benchOrigin[1] + float64(y)*benchGrid,
		Z: 1.5, Floor: 1, AreaID: "area-1",
	}
}

// BenchmarkAppendPositions appends batches of 5000 positions (17 s of the
// plant's stream) to a growing table and reports rows/s; the target on a
// 2-core machine is ≥ 20 000.
func BenchmarkAppendPositions(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	const size = 5000
	batch := make([]store.Position, size)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			batch[i] = benchPosition(n)
			n++
		}
		if err := db.AppendPositions(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkAppendReadings appends batches of 5000 readings of 500 detectors
// and reports rows/s.
func BenchmarkAppendReadings(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	const size, detectors = 5000, 500
	batch := make([]store.Reading, size)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			batch[i] = store.Reading{DetectorID: fmt.Sprintf("gas-%03d", n%detectors),
				At: benchBase.Add(time.Duration(n/detectors) * time.Second), Value: float64(n%100) / 4, Unit: "%LEL"}
			n++
		}
		if err := db.AppendReadings(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// benchHours is the span of the shared history: one shift.
const benchHours = 8

var benchHistory struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// historyDB opens the shared benchmark history: 300 people × 8 h at 2 s,
// 4.32 million positions, built once per process (about half a minute)
// and removed by TestMain. The caller closes the DB.
func historyDB(b *testing.B) *DB {
	h := &benchHistory
	h.once.Do(func() {
		if h.dir, h.err = os.MkdirTemp("", "chemtwin-bench"); h.err != nil {
			return
		}
		h.path = filepath.Join(h.dir, "history.db")
		h.err = fillHistory(b, h.path)
	})
	if h.err != nil {
		b.Fatal(h.err)
	}
	return mustOpen(b, h.path)
}

// fillHistory writes the shared history with one INSERT … SELECT (the rows
// benchPosition(0…) would give, 20× faster than through AppendPositions).
func fillHistory(b *testing.B, path string) error {
	db := mustOpen(b, path)
	defer db.Close()
	rows := benchPeople * benchHours * 3600 / int(benchInterval/time.Second)
	const fill = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
		INSERT INTO positions (entity_id, at, seq, lon, lat, z, floor, area_id)
		SELECT printf('p-%03d', i % ?2), ?3 + (i / ?2) * ?4, i + 1,
			?5 + ((i * 7919) % 1000) * ?7, ?6 + ((i * 104729) % 1000) * ?7, 1.5, 1, 'area-1' FROM n`
	_, err := db.w.ExecContext(b.Context(), fill, rows, benchPeople, millis(benchBase), benchInterval.Milliseconds(),
		benchOrigin[0], benchOrigin[1], benchGrid)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(b.Context(), "UPDATE history_seq SET next = ? WHERE kind = 'positions'", rows+1)
	return err
}

// BenchmarkTrack8h reads one person's 8 h trajectory (14 400 fixes) out of
// 300 people's: AQ 3064.3-2025 asks for it within 3 s.
func BenchmarkTrack8h(b *testing.B) {
	db := historyDB(b)
	defer db.Close()
	const fixes = benchHours * 3600 / 2
	want := benchPosition(137)
	b.ReportAllocs()
	for b.Loop() {
		ps, err := db.Track(b.Context(), "p-137", benchBase, benchBase.Add(benchHours*time.Hour), 0)
		if err != nil || len(ps) != fixes || ps[0] != want {
			b.Fatalf("%d fixes, %v; want %d from %+v", len(ps), err, fixes, want)
		}
	}
}

// BenchmarkPresence asks who was inside an area of the plant over the last
// 15 min, 1 h and 8 h of the shared history: a 100 m square, and a concave
// 300 m polygon (an L whose bounding box holds a quarter more candidates
// than the polygon).
func BenchmarkPresence(b *testing.B) {
	db := historyDB(b)
	defer db.Close()
	at := func(x, y float64) orb.Point {
		return orb.Point{benchOrigin[0] + x*benchGrid, benchOrigin[1] + y*benchGrid}
	}
	areas := map[string]orb.Geometry{
		"square 100 m": orb.Bound{Min: at(400, 400), Max: at(500, 500)},
		"L 300 m": orb.Polygon{{at(200, 200), at(500, 200), at(500, 350), at(350, 350),
			at(350, 500), at(200, 500), at(200, 200)}},
	}
	end := benchBase.Add(benchHours * time.Hour)
	for name, area := range areas {
		for _, window := range []time.Duration{15 * time.Minute, time.Hour, benchHours * time.Hour} {
			b.Run(fmt.Sprintf("%s/%v", name, window), func(b *testing.B) {
				q := store.PresenceQuery{Area: area, From: end.Add(-window), To: end}
				var got []store.Presence
				for b.Loop() {
					var err error
					if got, err = db.Presence(b.Context(), q); err != nil || len(got) == 0 {
						b.Fatalf("%d entries, %v", len(got), err)
					}
				}
				fixes := 0
				for _, p := range got {
					fixes += p.Fixes
				}
				b.ReportMetric(float64(fixes), "fixes")
				b.ReportMetric(geo.AreaM2(area), "m2")
			})
		}
	}
}
