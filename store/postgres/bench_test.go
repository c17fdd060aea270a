package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// benchStart is a minute before midnight, so that the first batches of a
// benchmark also make a day's partition.
var benchStart = time.Date(2026, 7, 1, 23, 59, 0, 0, time.UTC)

// plant generates the fixes of people walking a 2 km plant, one fix per
// person every 2 s (AQ 3064.3-2025: a tag uploads ≥ 30 times a minute).
type plant struct {
	people int
	ids    []string
	n      int // fixes made so far
}

func newPlant(people int) *plant {
	p := &plant{people: people}
	for i := range people {
		p.ids = append(p.ids, fmt.Sprintf("p-%03d", i))
	}
	return p
}

// next fills ps with the next fixes, person after person, tick after tick.
func (p *plant) next(ps []store.Position) {
	for i := range ps {
		who, tick := p.n%p.people, p.n/p.people
		step := float64(tick%600) * 2e-5 // walk a lap every 20 min
		ps[i] = store.Position{EntityID: p.ids[who], At: benchStart.Add(time.Duration(tick) * 2 * time.Second),
			Lon: 121.5 + float64(who%20)*1e-3 + step/4, Lat: 31.25 + float64(who/20)*1e-3 + step/7,
			Z: 1.5, Floor: 1 + who%3, AreaID: fmt.Sprintf("area-%d", who%12)}
		p.n++
	}
}

// BenchmarkAppendPositions appends batches of 5,000 fixes of 300 people
// with COPY. Target: ≥ 50,000 rows/s on 2 cores.
func BenchmarkAppendPositions(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	pl := newPlant(300)
	batch := make([]store.Position, 5000)
	b.ReportAllocs()
	for b.Loop() {
		pl.next(batch)
		if err := db.AppendPositions(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkAppendReadings appends batches of 5,000 readings of 200
// detectors with COPY.
func BenchmarkAppendReadings(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("gas-%03d", i)
	}
	batch := make([]store.Reading, 5000)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			batch[i] = store.Reading{DetectorID: ids[n%len(ids)], At: benchStart.Add(time.Duration(n/len(ids)) * time.Second),
				Value: float64(n%250) / 10, Unit: "%LEL", Fault: n%1000 == 0}
			n++
		}
		if err := db.AppendReadings(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkTrack8h reads one person's 8 h track (14,400 fixes) among 300
// people's: 4.32 million rows, loaded first. AQ 3064.3-2025 asks for the
// 8 h trajectory of one person within 3 s.
func BenchmarkTrack8h(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	const people, fixes = 300, 8 * 3600 / 2
	pl := newPlant(people)
	batch := make([]store.Position, 5000)
	load := time.Now()
	for pl.n < people*fixes { // 864 batches
		pl.next(batch)
		if err := db.AppendPositions(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d rows in %v (%.0f rows/s)", pl.n, time.Since(load).Round(time.Second),
		float64(pl.n)/time.Since(load).Seconds())
	if _, err := raw(b, db).Exec(b.Context(), "VACUUM ANALYZE positions"); err != nil {
		b.Fatal(err)
	}
	from, to := benchStart, benchStart.Add(8*time.Hour-time.Second)
	i := 0
	for b.Loop() {
		ps, err := db.Track(b.Context(), pl.ids[i%people], from, to, 0)
		if err != nil || len(ps) != fixes {
			b.Fatalf("Track = %d fixes, %v; want %d", len(ps), err, fixes)
		}
		i += 7
	}
}
