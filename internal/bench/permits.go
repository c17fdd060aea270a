package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// PermitsOptions size `chemtwin bench permits`; zero values are the
// defaults: a large plant's busy day (W6).
type PermitsOptions struct {
	Seed      uint64  // default 1
	Permits   int     // permits in progress; default 200
	People    int     // people with fresh fixes; default 2,000
	Detectors int     // gas detectors; default 400
	PlantM    float64 // side of the square plant; default 1,000 m
	Rounds    int     // watch rounds timed; default 50
}

// permitsWatchTargetMS is the most one watch round may take: the watch
// runs once a second and must leave the second to the rest.
const permitsWatchTargetMS = 50

func (o PermitsOptions) withDefaults() PermitsOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Permits, 200)
	def(&o.People, 2000)
	def(&o.Detectors, 400)
	def(&o.Rounds, 50)
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.PlantM <= 0 {
		o.PlantM = 1000
	}
	return o
}

// PermitsResult is what `chemtwin bench permits` prints.
type PermitsResult struct {
	Permits   int `json:"permits"`
	People    int `json:"people"`
	Detectors int `json:"detectors"`
	// One round of the live watch over every permit in progress (guardian,
	// headcount, detectors at the work, the analyses' clock): median, p99
	// and the target.
	WatchP50MS    float64 `json:"watch_p50_ms"`
	WatchP99MS    float64 `json:"watch_p99_ms"`
	WatchTargetMS float64 `json:"watch_target_ms"`
	// One permit's live view (GET /api/v1/permits/{id}: live), median.
	LiveP50US float64 `json:"live_p50_us"`
	// Alarms the last round held open (strangers in the fences and the
	// like: the layout is random).
	OpenAlarms int `json:"open_alarms"`
}

// Permits measures the permit watch: o.Permits jobs in progress spread
// over the plant, each with a worker and its guardian at the work, among
// o.People others walking about and o.Detectors gas detectors reading
// clean air, in a real SQLite store with a real alarm manager.
func Permits(ctx context.Context, o PermitsOptions) (PermitsResult, error) {
	o = o.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 6))
	dir, err := os.MkdirTemp("", "chemtwin-bench-permits-")
	if err != nil {
		return PermitsResult{}, err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		return PermitsResult{}, err
	}
	defer db.Close()
	frame, err := geo.NewFrame(orb.Point{106.6, 38.1}, o.PlantM, 0)
	if err != nil {
		return PermitsResult{}, err
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) // a Monday morning
	clock := func() time.Time { return now }
	scene := twin.New(twin.Options{SiteID: "bench", Frame: frame, Clock: clock})
	pt := func() (float64, float64) { return rng.Float64() * o.PlantM, rng.Float64() * o.PlantM }
	var changes []twin.Change
	person := func(id string, x, y float64) {
		changes = append(changes,
			twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "T" + id, Battery: math.NaN()}}},
			twin.Move{ID: id, Fix: twin.Fix{Point: frame.Point(x, y), At: now.Add(-time.Second)}, Battery: math.NaN()})
	}
	for i := range o.People {
		x, y := pt()
		person(fmt.Sprintf("P-%05d", i), x, y)
	}
	for i := range o.Detectors {
		x, y := pt()
		changes = append(changes,
			twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("GD-%04d", i), Kind: twin.KindGasDetector, Geometry: frame.Point(x, y),
				Props: map[string]any{"gas": "CH4", "unit": "%LEL", "range": []any{0.0, 100.0}}}},
			twin.SetState{ID: fmt.Sprintf("GD-%04d", i), At: now.Add(-time.Second), State: map[string]any{"value": 0.0, "unit": "%LEL", "state": "normal"}})
	}
	rules := permit.Default()
	types := []string{"height", "blind_plate", "lifting", "excavation", "road_break"} // no gas analyses to keep fresh
	levels := map[string]string{"height": "2", "blind_plate": "pull", "lifting": "3", "excavation": "", "road_break": ""}
	var ids []string
	for i := range o.Permits {
		x, y := pt()
		w, gd := fmt.Sprintf("W-%04d", i), fmt.Sprintf("G-%04d", i)
		person(w, x, y)
		person(gd, x+3, y)
		ty := types[i%len(types)]
		p, err := rules.New(permit.Request{ID: fmt.Sprintf("PTW-B-%04d", i), Type: ty, Level: levels[ty], Start: now.Add(-time.Hour),
			End: now.Add(6 * time.Hour), Workers: []string{w}, Guardian: gd, Approvers: []string{"a"}})
		if err != nil {
			return PermitsResult{}, err
		}
		p.Geometry = geojson.NewGeometry(frame.Point(x, y))
		p.Status = "in_progress"
		if _, err := p.Record("bench", "create", nil, now.Add(-time.Hour)); err != nil {
			return PermitsResult{}, err
		}
		doc, err := json.Marshal(p)
		if err != nil {
			return PermitsResult{}, err
		}
		if err := db.PutPermit(ctx, store.PermitRecord{ID: p.ID, Type: p.Type, Level: p.Level, Status: p.Status, Start: p.Start, End: p.End,
			UpdatedAt: now, Doc: doc}); err != nil {
			return PermitsResult{}, err
		}
		ids = append(ids, p.ID)
	}
	if err := scene.Apply(changes...).Err(); err != nil {
		return PermitsResult{}, err
	}
	alarms, err := alarm.NewManager(ctx, alarm.Options{Store: db, Clock: clock, Logger: quiet})
	if err != nil {
		return PermitsResult{}, err
	}
	svc, err := permit.NewService(permit.Options{Store: db, Scene: scene, Alarms: alarms, Clock: clock, Logger: quiet})
	if err != nil {
		return PermitsResult{}, err
	}
	if err := svc.Watch(ctx); err != nil { // loads the open permits
		return PermitsResult{}, err
	}
	rounds := make([]float64, o.Rounds)
	for i := range rounds {
		t0 := time.Now()
		if err := svc.Watch(ctx); err != nil {
			return PermitsResult{}, err
		}
		rounds[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	lives := make([]float64, 0, len(ids))
	for _, id := range ids {
		p, err := svc.Get(ctx, id)
		if err != nil {
			return PermitsResult{}, err
		}
		t0 := time.Now()
		if svc.LiveOf(p) == nil {
			return PermitsResult{}, fmt.Errorf("bench permits: no live view of %s", id)
		}
		lives = append(lives, float64(time.Since(t0).Nanoseconds())/1000)
	}
	slices.Sort(rounds)
	slices.Sort(lives)
	return PermitsResult{Permits: o.Permits, People: o.People + 2*o.Permits, Detectors: o.Detectors,
		WatchP50MS: rounds[len(rounds)/2], WatchP99MS: rounds[min(len(rounds)-1, len(rounds)*99/100)], WatchTargetMS: permitsWatchTargetMS,
		LiveP50US: lives[len(lives)/2], OpenAlarms: len(alarms.Active())}, nil
}
