package fence

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// t0 is a Wednesday, 10:00 in Asia/Shanghai.
var t0 = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

var frame = func() *geo.Frame {
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		panic(err)
	}
	return f
}()

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// square is an axis-aligned square fence of side w metres with its
// south-west corner at plant (x, y).
func square(x, y, w float64) orb.Polygon {
	return frame.ToGeometry(orb.Polygon{{{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}, {x, y}}}).(orb.Polygon)
}

func fenceEntity(id string, rule Rule, g orb.Geometry, props map[string]any) *twin.Entity {
	p := map[string]any{"rule": string(rule)}
	for k, v := range props {
		p[k] = v
	}
	return &twin.Entity{ID: id, Kind: twin.KindFence, Name: id, Geometry: g, Props: p}
}

// rig drives an engine on plant-metre positions and records transitions.
type rig struct {
	t      *testing.T
	e      *Engine
	log    []Transition
	anchor map[string]orb.Point
}

func newRig(t *testing.T, cfg Config, fences ...*twin.Entity) *rig {
	t.Helper()
	r := &rig{t: t, anchor: map[string]orb.Point{}}
	set, err := Compile(fences, r.anchorAt, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Location == nil {
		cfg.Location = shanghai
	}
	if r.e, err = NewEngine(set, cfg); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) anchorAt(id string) (orb.Point, bool) { p, ok := r.anchor[id]; return p, ok }

func (r *rig) subject(id string, kind twin.Kind, identity, dept, post string) {
	r.log = r.e.SetSubject(r.log, Subject{ID: id, Name: id, Kind: kind, IdentityType: identity, Department: dept, Post: post}, t0)
}

// at places id at plant (x, y) at t0+s seconds.
func (r *rig) at(id string, s, x, y float64, mod ...func(*twin.Fix)) {
	r.t.Helper()
	fix := twin.Fix{Point: frame.Point(x, y), At: t0.Add(time.Duration(s * float64(time.Second)))}
	for _, m := range mod {
		m(&fix)
	}
	var err error
	if r.log, err = r.e.Update(r.log, id, fix); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) tick(s float64) {
	r.log = r.e.Tick(r.log, t0.Add(time.Duration(s*float64(time.Second))))
}

// walk reports id at (x, y) every 2 s from s0 to s1 (inclusive), ticking
// every second in between.
func (r *rig) walk(id string, s0, s1 float64, pos func(s float64) (x, y float64)) {
	for s := s0; s <= s1; s++ {
		if int(s-s0)%2 == 0 {
			x, y := pos(s)
			r.at(id, s, x, y)
		}
		r.tick(s)
	}
}

func floor(n int) func(*twin.Fix)       { return func(f *twin.Fix) { f.Floor = n } }
func height(z float64) func(*twin.Fix)  { return func(f *twin.Fix) { f.Z = z } }
func speed(kmh float64) func(*twin.Fix) { return func(f *twin.Fix) { f.SpeedMS = kmh / 3.6 } }

// events renders the transitions as "raise KEY @s" / "clear KEY @s".
func (r *rig) events() []string {
	var out []string
	for _, tr := range r.log {
		op := "raise"
		if tr.Clear {
			op = "clear"
		}
		out = append(out, fmt.Sprintf("%s %s @%g", op, tr.Raise.Key, tr.Raise.At.Sub(t0).Seconds()))
	}
	return out
}

func (r *rig) expect(want ...string) {
	r.t.Helper()
	got := r.events()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		r.t.Fatalf("transitions:\n got  %q\n want %q", got, want)
	}
}

// keys returns the sorted raise keys.
func (r *rig) raised() []string {
	var out []string
	for _, tr := range r.log {
		if !tr.Clear {
			out = append(out, tr.Raise.Key)
		}
	}
	sort.Strings(out)
	return out
}
