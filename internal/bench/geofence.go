package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/fence"
)

// GeofenceOptions size the in-process part of `chemtwin bench geofence`;
// zero values are the defaults.
type GeofenceOptions struct {
	Seed     uint64        // default 1
	Tags     int           // default 10,000 (one in ten a vehicle)
	Fences   int           // default 500, every rule, one in ten moving with a vehicle
	RateHz   float64       // fixes per tag per second of sample time; default 0.5
	Duration time.Duration // measuring time of the main workload; default 3 s
	// The reference workload (Tile38's published geofence benchmark shape):
	// RefIDs ids × RefUpdates updates each against RefFences polygon fences
	// detecting enter/exit. Defaults 5,000 × 20 and 200.
	RefIDs, RefUpdates, RefFences int
	RefRounds                     int // repetitions, best taken; default 5
}

// GeofenceResult is what `chemtwin bench geofence` prints for the
// in-process part (the lead adds the MQTT end-to-end figures).
type GeofenceResult struct {
	Tags          int            `json:"tags"`
	Fences        int            `json:"fences"`
	MovingFences  int            `json:"moving_fences"`
	FencesByRule  map[string]int `json:"fences_by_rule"`
	RateHz        float64        `json:"rate_hz"`
	Updates       int            `json:"updates"`
	UpdatesPerS   float64        `json:"updates_per_s"` // fixes through every rule, ticks included
	UpdateNs      float64        `json:"update_ns"`
	SampleSeconds float64        `json:"sample_seconds"` // simulated plant time covered
	Transitions   int            `json:"transitions"`
	AlarmsByType  map[string]int `json:"alarms_by_type"` // raises, to show the rules did work

	RefIDs         int     `json:"ref_ids"`
	RefUpdatesEach int     `json:"ref_updates_each"`
	RefFences      int     `json:"ref_fences"`
	RefUpdates     int     `json:"ref_updates"`
	RefUpdatesPerS float64 `json:"ref_updates_per_s"`
	RefEvents      int     `json:"ref_events"` // enter + exit events of the best round
}

func (o GeofenceOptions) withDefaults() GeofenceOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Tags, 10000)
	def(&o.Fences, 500)
	def(&o.RefIDs, 5000)
	def(&o.RefUpdates, 20)
	def(&o.RefFences, 200)
	def(&o.RefRounds, 5)
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.RateHz <= 0 {
		o.RateHz = 0.5
	}
	if o.Duration <= 0 {
		o.Duration = 3 * time.Second
	}
	return o
}

// Geofence measures the fence engine in-process: Tags tags reporting at
// RateHz among Fences fences of all seven rules (a tenth of them moving
// with vehicles), Tick once per simulated second, for Duration; then the
// reference enter/exit workload.
func Geofence(ctx context.Context, o GeofenceOptions) (GeofenceResult, error) {
	o = o.withDefaults()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		return GeofenceResult{}, err
	}
	w := newFenceWorld(f, o)
	r := GeofenceResult{Tags: o.Tags, Fences: o.Fences, RateHz: o.RateHz, FencesByRule: map[string]int{}, AlarmsByType: map[string]int{}}
	set, err := fence.Compile(w.fences, w.anchor, 0)
	if err != nil {
		return r, fmt.Errorf("bench: geofence fences: %w", err)
	}
	for _, fe := range set.Fences() {
		r.FencesByRule[string(fe.Rule)]++
		if fe.Moving() {
			r.MovingFences++
		}
	}
	if err := w.run(ctx, set, o, &r); err != nil {
		return r, err
	}
	return r, geofenceRef(ctx, f, o, &r)
}

// fenceWorld is the main workload: subjects walking in a 1 km² plant.
type fenceWorld struct {
	f        *geo.Frame
	rng      *rand.Rand
	subjects []fence.Subject
	pos, vel []orb.Point // plant metres, m/s
	fences   []*twin.Entity
	start    map[string]orb.Point
}

var (
	benchIdentities  = []string{"internal", "contractor", "visitor"}
	benchDepartments = []string{"甲醇车间", "储运部", "安全环保部", "机修车间", "综合办公室"}
	benchPosts       = []string{"内操", "外操", "电工", "门卫", "焊工", "装卸工"}
)

func newFenceWorld(f *geo.Frame, o GeofenceOptions) *fenceWorld {
	w := &fenceWorld{f: f, rng: rand.New(rand.NewPCG(o.Seed, 2026)), start: map[string]orb.Point{}}
	rng := w.rng
	vehicles := o.Tags / 10
	for i := 0; i < o.Tags; i++ {
		s := fence.Subject{ID: fmt.Sprintf("P%05d", i), Kind: twin.KindPerson, IdentityType: benchIdentities[rng.IntN(3)],
			Department: benchDepartments[rng.IntN(len(benchDepartments))], Post: benchPosts[rng.IntN(len(benchPosts))]}
		if i >= o.Tags-vehicles {
			s.ID, s.Kind = fmt.Sprintf("V%05d", i), twin.KindVehicle
		}
		p := orb.Point{rng.Float64()*1000 - 500, rng.Float64()*1000 - 500}
		w.subjects, w.pos, w.vel = append(w.subjects, s), append(w.pos, p), append(w.vel, orb.Point{})
		if s.Kind == twin.KindVehicle {
			w.start[s.ID] = f.Point(p[0], p[1])
		}
	}
	rules := fence.Rules
	for i := 0; i < o.Fences; i++ {
		side := 20 + rng.Float64()*40
		x, y := rng.Float64()*(1000-side)-500, rng.Float64()*(1000-side)-500
		props := map[string]any{"rule": string(rules[i%len(rules)])}
		if vehicles > 0 && i%10 == 9 {
			v := o.Tags - vehicles + rng.IntN(vehicles)
			props["attached_to"] = w.subjects[v].ID
			x, y = w.pos[v][0]-side/2, w.pos[v][1]-side/2
		}
		props["authorized"] = map[string]any{"posts": []any{benchPosts[rng.IntN(len(benchPosts))]}}
		switch rules[i%len(rules)] {
		case fence.KeepIn:
			props["applies_to"] = map[string]any{"identity_types": []any{"visitor"}}
		case fence.Headcount:
			props["max_persons"], props["min_persons"] = 3.0, 1.0
		case fence.Static:
			props["static_s"] = 60.0
		case fence.Lingering:
			props["dwell_s"] = 120.0
		case fence.Post:
			// A post is held by a handful of named people (a control room's
			// shift), so that a person has at most about one post.
			props["dwell_s"] = 300.0
			var req []any
			for range 8 {
				req = append(req, w.subjects[rng.IntN(o.Tags-vehicles)].ID)
			}
			props["required"] = req
		case fence.Speed:
			props["speed_limit_kmh"] = 10.0
		}
		if i%7 == 3 {
			props["time_window"] = map[string]any{"from": "18:00", "to": "08:00"}
		}
		if i%11 == 5 {
			props["floor"] = 1.0
		}
		poly := f.ToGeometry(orb.Polygon{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}})
		w.fences = append(w.fences, &twin.Entity{ID: fmt.Sprintf("F%04d", i), Kind: twin.KindFence, Name: fmt.Sprintf("F%04d", i), Geometry: poly, Props: props})
	}
	return w
}

func (w *fenceWorld) anchor(id string) (orb.Point, bool) { p, ok := w.start[id]; return p, ok }

// step moves subject i by dt seconds and returns its fix at t.
func (w *fenceWorld) step(i int, dt float64, t time.Time) twin.Fix {
	rng := w.rng
	v := &w.vel[i]
	if rng.IntN(8) == 0 {
		sp := 1.2
		if w.subjects[i].Kind == twin.KindVehicle {
			sp = 8 * rng.Float64()
		}
		if rng.IntN(3) == 0 {
			sp = 0
		}
		s, c := math.Sincos(rng.Float64() * 2 * math.Pi)
		*v = orb.Point{sp * c, sp * s}
	}
	p := &w.pos[i]
	p[0] = math.Max(-500, math.Min(500, p[0]+v[0]*dt))
	p[1] = math.Max(-500, math.Min(500, p[1]+v[1]*dt))
	n := rng.NormFloat64()
	return twin.Fix{Point: w.f.FastPoint(p[0]+n, p[1]-n), Floor: i % 3, At: t}
}

// run drives the engine for o.Duration of wall time.
func (w *fenceWorld) run(ctx context.Context, set *fence.Set, o GeofenceOptions, r *GeofenceResult) error {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e, err := fence.NewEngine(set, fence.Config{Location: loc})
	if err != nil {
		return err
	}
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) // 17:00 in the plant: windows open at 18:00
	var out []fence.Transition
	for _, s := range w.subjects {
		out = e.SetSubject(out, s, t0)
	}
	period := time.Duration(float64(time.Second) / o.RateHz)
	perSecond := max(1, int(float64(o.Tags)*o.RateHz)) // fixes per simulated second
	dt := period.Seconds()
	count := func(ts []fence.Transition) {
		for _, tr := range ts {
			r.Transitions++
			if !tr.Clear {
				r.AlarmsByType[string(tr.Raise.Type)]++
			}
		}
	}
	start := time.Now()
	next, sec := 0, 0
	for time.Since(start) < o.Duration {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := t0.Add(time.Duration(sec) * time.Second)
		for range perSecond {
			i := next % o.Tags
			next++
			out, err = e.Update(out[:0], w.subjects[i].ID, w.step(i, dt, now.Add(time.Duration(i%1000)*time.Millisecond)))
			if err != nil {
				return fmt.Errorf("bench: geofence update: %w", err)
			}
			count(out)
		}
		count(e.Tick(out[:0], now.Add(999*time.Millisecond)))
		sec++
	}
	el := time.Since(start)
	r.Updates, r.SampleSeconds = next, float64(sec)
	r.UpdatesPerS = float64(next) / el.Seconds()
	r.UpdateNs = float64(el.Nanoseconds()) / float64(next)
	return nil
}

// geofenceRef runs the reference workload: RefIDs ids × RefUpdates random
// fixes each against RefFences polygons, enter/exit as immediate events
// (no delays, no deadband: what a geofencing server reports).
func geofenceRef(ctx context.Context, f *geo.Frame, o GeofenceOptions, r *GeofenceResult) error {
	rng := rand.New(rand.NewPCG(o.Seed, 61))
	var ents []*twin.Entity
	for i := 0; i < o.RefFences; i++ {
		side := 30 + rng.Float64()*70
		x, y := rng.Float64()*(1000-side)-500, rng.Float64()*(1000-side)-500
		n := 5 + rng.IntN(8) // an irregular polygon of n vertices
		ring := make(orb.Ring, 0, n+1)
		for k := 0; k < n; k++ {
			s, c := math.Sincos(2 * math.Pi * float64(k) / float64(n))
			rad := side / 2 * (0.6 + 0.4*rng.Float64())
			ring = append(ring, orb.Point{x + side/2 + rad*c, y + side/2 + rad*s})
		}
		ring = append(ring, ring[0])
		ents = append(ents, &twin.Entity{ID: fmt.Sprintf("R%03d", i), Kind: twin.KindFence,
			Geometry: f.ToGeometry(orb.Polygon{ring}), Props: map[string]any{"rule": "forbidden"}})
	}
	set, err := fence.Compile(ents, nil, -1)
	if err != nil {
		return fmt.Errorf("bench: geofence reference fences: %w", err)
	}
	ids := make([]string, o.RefIDs)
	fixes := make([]twin.Fix, o.RefIDs*o.RefUpdates)
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for i := range ids {
		ids[i] = fmt.Sprintf("id%05d", i)
		p := orb.Point{rng.Float64()*1000 - 500, rng.Float64()*1000 - 500}
		for u := 0; u < o.RefUpdates; u++ {
			p = orb.Point{math.Max(-500, math.Min(500, p[0]+rng.NormFloat64()*15)), math.Max(-500, math.Min(500, p[1]+rng.NormFloat64()*15))}
			fixes[u*o.RefIDs+i] = twin.Fix{Point: f.FastPoint(p[0], p[1]), At: t0.Add(time.Duration(u) * time.Second)}
		}
	}
	best := time.Duration(math.MaxInt64)
	for range o.RefRounds {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e, err := fence.NewEngine(set, fence.Config{OnDelay: -1, OffDelay: -1})
		if err != nil {
			return err
		}
		var out []fence.Transition
		events := 0
		start := time.Now()
		for k := range fixes {
			out, err = e.Update(out[:0], ids[k%o.RefIDs], fixes[k])
			if err != nil {
				return fmt.Errorf("bench: geofence reference update: %w", err)
			}
			events += len(out)
		}
		if el := time.Since(start); el < best {
			best, r.RefEvents = el, events
		}
	}
	r.RefIDs, r.RefUpdatesEach, r.RefFences = o.RefIDs, o.RefUpdates, o.RefFences
	r.RefUpdates = len(fixes)
	r.RefUpdatesPerS = float64(len(fixes)) / best.Seconds()
	return nil
}
