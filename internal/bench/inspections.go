package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// InspectionsOptions size `chemtwin bench inspections`; zero values are
// the defaults: a large site (W7).
type InspectionsOptions struct {
	Seed   uint64  // default 1
	Points int     // inspection points; default 1,000
	People int     // tags reporting; default 2,000
	PlantM float64 // side of the square plant; default 1,500 m
	Fixes  int     // fixes fed to the dwell tracker; default 1,000,000
	Plans  int     // plans whose day of windows is computed; default 200
}

// Targets: the dwell tracker takes every fix of the site (2,000 tags every
// 2 s is 1,000 fixes/s; AQ 3064.3), with a wide margin.
const dwellTargetPerS = 100_000

func (o InspectionsOptions) withDefaults() InspectionsOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Points, 1000)
	def(&o.People, 2000)
	def(&o.Fixes, 1_000_000)
	def(&o.Plans, 200)
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.PlantM <= 0 {
		o.PlantM = 1500
	}
	return o
}

// InspectionsResult is what `chemtwin bench inspections` prints.
type InspectionsResult struct {
	Points int `json:"points"`
	People int `json:"people"`
	// The dwell tracker: fixes per second through Dwell.Observe (which
	// points each tag is within and since when).
	DwellFixesPerS  float64 `json:"dwell_fixes_per_s"`
	DwellTargetPerS float64 `json:"dwell_target_per_s"`
	// One check-in's verification (position, dwell, code, checklist), µs.
	VerifyUS float64 `json:"verify_us"`
	// A day of task windows for Plans hourly shift plans, ms.
	Plans     int     `json:"plans"`
	WindowsMS float64 `json:"windows_ms"`
	Windows   int     `json:"windows"`
}

// Inspections measures the inspection hot paths: the dwell tracker fed
// random-walk fixes, check-in verification, and task windows.
func Inspections(ctx context.Context, o InspectionsOptions) (InspectionsResult, error) {
	o = o.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	frame, err := geo.NewFrame(orb.Point{106.6, 38.1}, o.PlantM, 0)
	if err != nil {
		return InspectionsResult{}, err
	}
	limit := 100.0
	points := make([]*inspect.Point, o.Points)
	for i := range points {
		points[i] = &inspect.Point{ID: fmt.Sprintf("IP-%04d", i), Code: fmt.Sprintf("C-%04d", i), Location: frame.Point(rng.Float64()*o.PlantM, rng.Float64()*o.PlantM),
			RadiusM: 15, MinDwellS: 20, Checklist: []inspect.Item{{Key: "t", Zh: "温度", Kind: inspect.ItemNumber, Max: &limit, Required: true}}}
	}
	var d inspect.Dwell
	if err := d.SetPoints(points); err != nil {
		return InspectionsResult{}, err
	}
	type walker struct{ x, y float64 }
	people := make([]walker, o.People)
	for i := range people {
		people[i] = walker{rng.Float64() * o.PlantM, rng.Float64() * o.PlantM}
	}
	ids := make([]string, o.People)
	for i := range ids {
		ids[i] = fmt.Sprintf("P-%05d", i)
	}
	locs := make([]orb.Point, o.Fixes)
	for i := range locs { // 1.2 m/s walks, a fix every 2 s
		w := &people[i%o.People]
		w.x += (rng.Float64() - 0.5) * 4.8
		w.y += (rng.Float64() - 0.5) * 4.8
		locs[i] = frame.Point(w.x, w.y)
	}
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	start := time.Now()
	for i, loc := range locs {
		if i%4096 == 0 && ctx.Err() != nil {
			return InspectionsResult{}, ctx.Err()
		}
		d.Observe(ids[i%o.People], t0.Add(time.Duration(i/o.People)*2*time.Second), loc)
	}
	elapsed := time.Since(start).Seconds()
	// Verification of a passing check-in, many times.
	v := 60.0
	p := points[0]
	visit := inspect.Visit{Point: p, Code: p.Code, Fix: &inspect.Fix{Location: p.Location, At: t0}, InsideSince: t0.Add(-30 * time.Second),
		Now: t0.Add(time.Second), Results: []inspect.Result{{Key: "t", Value: &v}}, Person: "P-00000"}
	const verifies = 100_000
	vstart := time.Now()
	for range verifies {
		if _, err := inspect.Verify(visit); err != nil {
			return InspectionsResult{}, err
		}
	}
	verifyUS := float64(time.Since(vstart).Microseconds()) / verifies
	// A day of windows of hourly shift plans.
	cst := time.FixedZone("CST", 8*3600)
	wstart := time.Now()
	n := 0
	for i := range o.Plans {
		pl := &inspect.Plan{ID: fmt.Sprintf("PL-%d", i), Name: "x", Route: "r", Every: 1 + i%4, Unit: inspect.UnitHour,
			Windows: []string{"08:00-20:00", "20:00-08:00"}, Days: inspect.DaysAll, Assignee: "a", GraceMin: 30, From: "2026-01-01", Enabled: true}
		ws, err := inspect.Windows(pl, t0, t0.Add(24*time.Hour), cst, func(time.Time) bool { return true })
		if err != nil {
			return InspectionsResult{}, err
		}
		n += len(ws)
	}
	return InspectionsResult{Points: o.Points, People: o.People, DwellFixesPerS: float64(o.Fixes) / elapsed, DwellTargetPerS: dwellTargetPerS,
		VerifyUS: verifyUS, Plans: o.Plans, WindowsMS: float64(time.Since(wstart).Microseconds()) / 1000, Windows: n}, nil
}
