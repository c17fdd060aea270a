// Package bench holds the `chemtwin bench NAME` measurements: each builds
// its own workload, runs it for a fixed time and returns figures as a JSON
// object, so that a number in docs/benchmarks.md can be re-measured with
// one command.
package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// IndexOptions size the index benchmark; zero values are the defaults.
type IndexOptions struct {
	Tags     int           // default 10,000
	Fences   int           // default 500
	Duration time.Duration // per phase; default 2 s
	Batch    int           // moves per Apply, as ingest batches them; default 256
}

// IndexResult is what `chemtwin bench index` prints.
type IndexResult struct {
	Tags               int     `json:"tags"`
	Fences             int     `json:"fences"`
	Batch              int     `json:"batch"`
	UpdatesPerS        float64 `json:"updates_per_s"`         // position fixes through Scene.Apply (R-tree update, area lookup, deltas)
	UpdateNs           float64 `json:"update_ns"`             // per fix
	FenceQueriesPerS   float64 `json:"fence_queries_per_s"`   // "which fences contain this point": R-tree prefilter + exact test
	FenceQueryNs       float64 `json:"fence_query_ns"`        // per query
	AvgFencesPerQuery  float64 `json:"avg_fences_per_query"`  // hits, to show the query did real work
	NearestQueriesPerS float64 `json:"nearest_queries_per_s"` // 8 nearest entities
}

// Index measures the twin's spatial index: 10k tags moving among 500 fences
// in a 1 km² plant.
func Index(o IndexOptions) (IndexResult, error) {
	if o.Tags == 0 {
		o.Tags = 10000
	}
	if o.Fences == 0 {
		o.Fences = 500
	}
	if o.Duration == 0 {
		o.Duration = 2 * time.Second
	}
	if o.Batch == 0 {
		o.Batch = 256
	}
	s, pts, err := indexScene(o)
	if err != nil {
		return IndexResult{}, err
	}
	r := IndexResult{Tags: o.Tags, Fences: o.Fences, Batch: o.Batch}
	r.UpdatesPerS = measureUpdates(s, pts, o)
	r.UpdateNs = 1e9 / r.UpdatesPerS
	r.FenceQueriesPerS, r.AvgFencesPerQuery = measureContaining(s, pts, o.Duration)
	r.FenceQueryNs = 1e9 / r.FenceQueriesPerS
	r.NearestQueriesPerS = measureNearest(s, pts, o.Duration)
	return r, nil
}

func indexScene(o IndexOptions) (*twin.Scene, []orb.Point, error) {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		return nil, nil, err
	}
	s := twin.New(twin.Options{SiteID: "bench", Frame: f})
	rng := rand.New(rand.NewPCG(7, 11))
	var ch []twin.Change
	for i := 0; i < o.Fences; i++ {
		x, y, w := rng.Float64()*900-450, rng.Float64()*900-450, 20+rng.Float64()*40
		poly := f.ToGeometry(orb.Polygon{{{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}, {x, y}}})
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("F%04d", i), Kind: twin.KindFence, Geometry: poly, Props: map[string]any{"rule": "forbidden"}}})
	}
	for i := 0; i < o.Tags; i++ {
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("P%05d", i), Kind: twin.KindPerson,
			Mobile: &twin.Mobile{Tag: fmt.Sprintf("T%05d", i), Battery: math.NaN()}}})
	}
	if err := s.Apply(ch...).Err(); err != nil {
		return nil, nil, err
	}
	pts := make([]orb.Point, 1<<14)
	for i := range pts {
		pts[i] = f.Point(rng.Float64()*1000-500, rng.Float64()*1000-500)
	}
	return s, pts, nil
}

func measureUpdates(s *twin.Scene, pts []orb.Point, o IndexOptions) float64 {
	ids := make([]string, o.Tags)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%05d", i)
	}
	batch := make([]twin.Change, o.Batch)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n, k := 0, 0
	start := time.Now()
	for time.Since(start) < o.Duration {
		at = at.Add(time.Second)
		for j := range batch {
			batch[j] = twin.Move{ID: ids[k%o.Tags], Fix: twin.Fix{Point: pts[k%len(pts)], At: at}, Battery: math.NaN()}
			k++
		}
		s.Apply(batch...)
		n += len(batch)
	}
	return float64(n) / time.Since(start).Seconds()
}

func measureContaining(s *twin.Scene, pts []orb.Point, d time.Duration) (perS, avgHits float64) {
	n, hits := 0, 0
	start := time.Now()
	s.View(func(tx twin.Tx) {
		for time.Since(start) < d {
			for i := 0; i < 1000; i++ {
				tx.Containing(pts[(n+i)%len(pts)], func(e *twin.Entity) bool {
					if e.Kind == twin.KindFence {
						hits++
					}
					return true
				})
			}
			n += 1000
		}
	})
	return float64(n) / time.Since(start).Seconds(), float64(hits) / float64(n)
}

func measureNearest(s *twin.Scene, pts []orb.Point, d time.Duration) float64 {
	n := 0
	start := time.Now()
	s.View(func(tx twin.Tx) {
		for time.Since(start) < d {
			for i := 0; i < 100; i++ {
				k := 0
				tx.Nearest(pts[(n+i)%len(pts)], func(*twin.Entity, float64) bool { k++; return k < 8 })
			}
			n += 100
		}
	})
	return float64(n) / time.Since(start).Seconds()
}
