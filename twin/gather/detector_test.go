package gather

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// sim drives a detector: people report every 2 s and the detector ticks
// every second, all on sample time.
type sim struct {
	t      *testing.T
	d      *Detector
	now    time.Time
	pos    map[string]Fix
	steps  []Step
	ticked bool // s.now has been ticked
}

func newSim(t *testing.T, cfg Config) *sim {
	t.Helper()
	d, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, d: d, now: t0, pos: map[string]Fix{}}
}

func (s *sim) put(id string, x, y float64, floor int) {
	s.pos[id] = Fix{PersonID: id, X: x, Y: y, Floor: floor}
}

// run ticks at the current time (once) and then every second for dur.
func (s *sim) run(dur time.Duration) {
	for end := s.now.Add(dur); ; s.now, s.ticked = s.now.Add(time.Second), false {
		if !s.ticked {
			s.step()
		}
		if !s.now.Before(end) {
			return
		}
	}
}

func (s *sim) step() {
	if s.now.Sub(t0)%(2*time.Second) == 0 {
		for _, f := range s.pos {
			f.At = s.now
			if err := s.d.Update(f); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	s.steps = append(s.steps, s.d.Tick(s.now))
	s.ticked = true
}

func (s *sim) raised() []Gathering {
	var out []Gathering
	for _, st := range s.steps {
		out = append(out, st.Raised...)
	}
	return out
}

func (s *sim) cleared() []Gathering {
	var out []Gathering
	for _, st := range s.steps {
		out = append(out, st.Cleared...)
	}
	return out
}

func (s *sim) notified() []Notify {
	var out []Notify
	for _, st := range s.steps {
		out = append(out, st.Notify...)
	}
	return out
}

// ring puts n people on a circle of radius r around (cx, cy).
func (s *sim) ring(prefix string, n int, cx, cy, r float64, floor int) {
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		s.put(fmt.Sprintf("%s%d", prefix, i), cx+r*math.Cos(a), cy+r*math.Sin(a), floor)
	}
}

func TestMustAndMustNot(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		layout func(s *sim)
		dur    time.Duration
		want   int // head count of the one raised gathering; 0 = none
	}{
		{"3 within 15 m for 61 s", Config{}, func(s *sim) {
			s.put("a", 0, 0, 0)
			s.put("b", 10, 0, 0)
			s.put("c", 0, 10, 0)
		}, 61 * time.Second, 3},
		{"3 within 15 m for 59 s", Config{}, func(s *sim) {
			s.put("a", 0, 0, 0)
			s.put("b", 10, 0, 0)
			s.put("c", 0, 10, 0)
		}, 59 * time.Second, 0},
		{"3 people 40 m apart", Config{}, func(s *sim) {
			s.put("a", 0, 0, 0)
			s.put("b", 40, 0, 0)
			s.put("c", 0, 40, 0)
		}, 3 * time.Minute, 0},
		{"3 in a 29 m triangle: no 15 m disc holds them", Config{}, func(s *sim) {
			s.ring("p", 3, 0, 0, 16.7, 0) // equilateral, side 28.9 m
		}, 3 * time.Minute, 0},
		{"same spot, different floors", Config{}, func(s *sim) {
			s.put("a", 0, 0, 1)
			s.put("b", 1, 0, 2)
			s.put("c", 0, 1, 3)
			s.put("d", 1, 1, 1)
		}, 3 * time.Minute, 0},
		{"two per floor are not a gathering", Config{}, func(s *sim) {
			s.put("a", 0, 0, 1)
			s.put("b", 1, 0, 1)
			s.put("c", 0, 1, 2)
			s.put("d", 1, 1, 2)
		}, 3 * time.Minute, 0},
		// AQ 3064.3 Annex A: radius 15 m, threshold 6.
		{"annex A must: centre + 5 on 12 m", Config{MinPersons: 6}, func(s *sim) {
			s.put("c", 0, 0, 0)
			s.ring("r", 5, 0, 0, 12, 0)
		}, 61 * time.Second, 6},
		{"annex A must not: centre + 4 on 12 m + 1 at 18 m", Config{MinPersons: 6}, func(s *sim) {
			s.put("c", 0, 0, 0)
			s.ring("r", 4, 0, 0, 12, 0)
			s.put("far", 0, 18.01, 0) // between two ring people: the worst case
		}, 3 * time.Minute, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, tc.cfg)
			tc.layout(s)
			s.run(tc.dur)
			r := s.raised()
			if tc.want == 0 {
				if len(r) != 0 {
					t.Fatalf("raised %+v", r)
				}
				return
			}
			if len(r) != 1 || r[0].Count != tc.want || r[0].RadiusM > 15 {
				t.Fatalf("raised %+v, want one of %d", r, tc.want)
			}
			if n := s.notified(); len(n) != tc.want || n[0].Kind != "gathering" || n[0].Message == "" || n[0].MessageEn == "" {
				t.Fatalf("notified %+v", n)
			}
		})
	}
}

func TestGrowthKeepsOneAlarm(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(61 * time.Second)
	s.ring("b", 2, 0, 0, 8, 0)
	s.run(2 * time.Second)
	s.ring("c", 2, 0, 0, 11, 0)
	s.run(2 * time.Second)
	r := s.raised()
	if len(r) != 3 {
		t.Fatalf("raised %+v", r)
	}
	for i, want := range []struct {
		n      int
		colour string
	}{{3, "yellow"}, {5, "orange"}, {7, "red"}} {
		if r[i].ID != r[0].ID || r[i].Count != want.n || r[i].Colour != want.colour || r[i].Level != i+1 {
			t.Fatalf("step %d: %+v", i, r[i])
		}
	}
	// 3 at the raise, everyone again at each level change.
	if n := len(s.notified()); n != 3+5+7 {
		t.Fatalf("%d notifications", n)
	}
}

func TestYellowClearsAfterDispersal(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(61 * time.Second)
	id := s.raised()[0].ID
	s.put("a0", 200, 0, 0)
	s.run(5 * time.Second)
	if len(s.cleared()) != 0 {
		t.Fatal("cleared before the off-delay")
	}
	s.run(10 * time.Second)
	if c := s.cleared(); len(c) != 1 || c[0].ID != id {
		t.Fatalf("cleared %+v", c)
	}
	if len(s.d.Gatherings()) != 0 {
		t.Fatal("gathering still tracked")
	}
}

func TestOrangeNeedsConfirmation(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 4, 0, 0, 5, 0)
	s.run(61 * time.Second)
	g := s.raised()[0]
	if g.Colour != "orange" || !g.NeedsConfirm {
		t.Fatalf("raised %+v", g)
	}
	if _, err := s.d.Confirm(g.ID, "safety", s.now); !errors.Is(err, ErrStillGathered) {
		t.Fatalf("confirm while gathered: %v", err)
	}
	if _, err := s.d.Confirm(g.ID, "", s.now); !errors.Is(err, ErrNoConfirmer) {
		t.Fatalf("nameless confirm: %v", err)
	}
	if _, err := s.d.Confirm("G-nope", "safety", s.now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown confirm: %v", err)
	}
	s.ring("a", 4, 0, 0, 100, 0) // everyone walks off
	s.run(3 * time.Second)
	if _, err := s.d.Confirm(g.ID, "safety", s.now); !errors.Is(err, ErrStillGathered) {
		t.Fatalf("confirm within the off-delay: %v", err)
	}
	s.run(time.Minute)
	if len(s.cleared()) != 0 {
		t.Fatal("orange cleared without confirmation")
	}
	last := s.raised()[len(s.raised())-1]
	if !last.Dispersed || last.ID != g.ID {
		t.Fatalf("last update %+v", last)
	}
	done, err := s.d.Confirm(g.ID, "safety", s.now)
	if err != nil || done.ConfirmedBy != "safety" || !done.ConfirmedAt.Equal(s.now) || done.Count != 4 {
		t.Fatalf("confirm = %+v %v", done, err)
	}
	if len(s.d.Gatherings()) != 0 {
		t.Fatal("confirmed gathering still tracked")
	}
}

func TestDispersedGroupReformsAsSameGathering(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 4, 0, 0, 5, 0)
	s.run(61 * time.Second)
	id := s.raised()[0].ID
	s.ring("a", 4, 0, 0, 100, 0)
	s.run(20 * time.Second)
	s.ring("a", 4, 0, 0, 5, 0)
	s.run(2 * time.Second)
	last := s.raised()[len(s.raised())-1]
	if last.ID != id || last.Dispersed {
		t.Fatalf("re-formed as %+v", last)
	}
}

func TestOneFlickeringMemberKeepsTheClock(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(30 * time.Second)
	s.put("a1", 60, 0, 0) // a bad fix for one member
	s.run(4 * time.Second)
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(27 * time.Second)
	if r := s.raised(); len(r) != 1 || !r[0].Since.Equal(t0) {
		t.Fatalf("raised %+v", r)
	}
}

func TestGasNearbyEscalates(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(61 * time.Second)
	s.d.GasAlarm("GD-far", 80, 0, true)
	s.run(2 * time.Second)
	if r := s.raised(); len(r) != 1 {
		t.Fatalf("far gas escalated: %+v", r)
	}
	s.d.GasAlarm("GD-near", 30, 0, true)
	s.run(time.Second)
	r := s.raised()
	g := r[len(r)-1]
	if len(r) != 2 || !g.Evacuate || g.Level != 3 || !g.NeedsConfirm {
		t.Fatalf("escalation %+v", r)
	}
	if zh, _ := AlarmMessage(g, Config{}); !contains(zh, "立即疏散") {
		t.Fatalf("message %q", zh)
	}
	n := s.steps[len(s.steps)-1].Notify
	if len(n) != 3 || !n[0].Evacuate || n[0].Level != 3 {
		t.Fatalf("notify %+v", n)
	}
	s.d.GasAlarm("GD-near", 0, 0, false)
	s.run(time.Second)
	if g := s.raised()[len(s.raised())-1]; g.Evacuate || g.Level != 1 || !g.NeedsConfirm {
		t.Fatalf("after gas cleared %+v", g)
	}
}

func TestSilentTagsAreForgotten(t *testing.T) {
	s := newSim(t, Config{})
	s.ring("a", 3, 0, 0, 5, 0)
	s.run(61 * time.Second)
	s.pos = map[string]Fix{} // every tag stops reporting
	s.run(2 * time.Minute)
	if c := s.cleared(); len(c) != 1 || s.d.Len() != 0 {
		t.Fatalf("cleared %+v, %d people left", c, s.d.Len())
	}
}

func TestBadFixes(t *testing.T) {
	d, _ := NewDetector(Config{})
	for _, f := range []Fix{
		{X: 1, Y: 1, At: t0},
		{PersonID: "a", X: math.NaN(), Y: 1, At: t0},
		{PersonID: "a", X: 1, Y: math.Inf(1), At: t0},
		{PersonID: "a", X: 1, Y: 1},
		{PersonID: "a", X: 2e6, Y: 1, At: t0},
	} {
		if err := d.Update(f); !errors.Is(err, ErrBadFix) {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if _, err := NewDetector(Config{RadiusM: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative radius: %v", err)
	}
}

func TestConfigFromSettings(t *testing.T) {
	c, err := ConfigFromSettings(map[string]any{"gathering_radius_m": 12.0, "gathering_duration_s": 30, "gathering_min_persons": 4.0, "other": "x"})
	if err != nil || c.RadiusM != 12 || c.Duration != 30*time.Second || c.MinPersons != 4 {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := ConfigFromSettings(map[string]any{"gathering_radius_m": "wide"}); !errors.Is(err, ErrConfig) {
		t.Fatalf("bad setting: %v", err)
	}
	if c, err := ConfigFromSettings(nil); err != nil || c.withDefaults().RadiusM != 15 {
		t.Fatalf("defaults %+v %v", c, err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
