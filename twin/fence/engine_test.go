package fence

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// in20 places a walker inside the 20 m square at (0, 0) while inside(s),
// else 10 m west of it.
func in20(inside func(s float64) bool) func(s float64) (float64, float64) {
	return func(s float64) (float64, float64) {
		if inside(s) {
			return 5, 10
		}
		return -10, 10
	}
}

func between(a, b float64) func(float64) bool { return func(s float64) bool { return s >= a && s < b } }

func TestForbidden(t *testing.T) {
	sub := square(0, 0, 20)
	fence := func() *twin.Entity {
		return fenceEntity("F", Forbidden, sub, map[string]any{"authorized": map[string]any{"posts": []any{"电工"}}})
	}
	t.Run("raises after the on-delay and clears after the off-delay", func(t *testing.T) {
		r := newRig(t, Config{}, fence())
		r.subject("P", twin.KindPerson, "contractor", "", "焊工")
		r.walk("P", 0, 30, in20(between(2, 10)))
		// crossing fix at 2 s; alarm at 5 s: within the 5 s of AQ 3064.3.
		r.expect("raise fence_intrusion:P:F @5", "clear fence_intrusion:P:F @16")
		raise := r.log[0].Raise
		if raise.Type != alarm.FenceIntrusion || raise.Level != alarm.LevelMedium || raise.Message == "" || raise.MessageEn == "" {
			t.Fatalf("raise %+v", raise)
		}
		pos, _ := raise.Details["position"].(map[string]any)
		if pos["lon"] != raise.Lon || raise.Details["since"] != "2026-11-25T02:00:02Z" {
			t.Fatalf("details %v", raise.Details)
		}
	})
	t.Run("authorized person", func(t *testing.T) {
		r := newRig(t, Config{}, fence())
		r.subject("E", twin.KindPerson, "internal", "电仪车间", "电工")
		r.walk("E", 0, 30, in20(between(2, 10)))
		r.expect()
	})
	t.Run("one stray fix does not alarm", func(t *testing.T) {
		r := newRig(t, Config{}, fence())
		r.walk("P", 0, 30, in20(between(2, 4)))
		r.expect()
	})
	t.Run("vehicles are not authorised by default", func(t *testing.T) {
		r := newRig(t, Config{}, fence())
		r.subject("V", twin.KindVehicle, "", "", "")
		r.walk("V", 0, 8, in20(between(0, 100)))
		r.expect("raise fence_intrusion:V:F @3")
	})
}

func TestDriftAtTheEdgeDoesNotChatter(t *testing.T) {
	// A tag parked on the west edge, its fixes alternating 1 m inside and
	// 1 m outside (GPS/BLE drift) for two minutes.
	drift := func(s float64) (float64, float64) {
		if int(s/2)%2 == 1 {
			return 1, 10
		}
		return -1, 10
	}
	fence := fenceEntity("F", Forbidden, square(0, 0, 20), nil)
	r := newRig(t, Config{}, fence)
	r.walk("P", 0, 120, drift)
	r.expect("raise fence_intrusion:P:F @5")

	// Without deadband and delays the same walk chatters: the guard above
	// is what the deadband and delays buy.
	set, _ := Compile([]*twin.Entity{fence}, nil, -1)
	e, err := NewEngine(set, Config{OnDelay: -1, OffDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	r.e, r.log = e, nil
	r.walk("P", 0, 120, drift)
	if n := len(r.log); n < 50 {
		t.Fatalf("without deadband: %d transitions, want chatter", n)
	}
}

func TestKeepIn(t *testing.T) {
	fence := fenceEntity("V", KeepIn, square(0, 0, 20), map[string]any{"applies_to": map[string]any{"identity_types": []any{"visitor"}}})
	// out puts the walker 3 m east of the east edge (AQ 3064.3 Annex A:
	// a tag outside must alarm).
	out := func(inside func(float64) bool) func(float64) (float64, float64) {
		return func(s float64) (float64, float64) {
			if inside(s) {
				return 10, 10
			}
			return 23, 10
		}
	}
	cases := []struct {
		name, identity string
		inside         func(float64) bool
		want           []string
	}{
		{"visitor leaves and returns", "visitor", func(s float64) bool { return s < 12 || s >= 30 },
			[]string{"raise fence_exit:W:V @15", "clear fence_exit:W:V @36"}},
		{"staff are not watched", "internal", func(s float64) bool { return s < 12 }, nil},
		{"never inside, never left", "visitor", func(float64) bool { return false }, nil},
		{"3 m inside stays quiet", "visitor", func(float64) bool { return true }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, Config{}, fence)
			r.subject("W", twin.KindPerson, c.identity, "", "")
			r.walk("W", 0, 50, out(c.inside))
			r.expect(c.want...)
		})
	}
}

func TestHeadcount(t *testing.T) {
	t.Run("AQ 3064.3 Annex A over-staffing", func(t *testing.T) {
		// 15 m square; four tags each 3 m inside an edge must alarm, three
		// inside and one 3 m outside must not. max_persons is the most
		// allowed, so the Annex's alarm threshold of 4 is max_persons 3.
		fence := fenceEntity("H", Headcount, square(0, 0, 15), map[string]any{"max_persons": 3.0})
		inside := [][2]float64{{3, 7.5}, {12, 7.5}, {7.5, 3}, {7.5, 12}}
		for _, c := range []struct {
			name   string
			fourth [2]float64
			want   []string
		}{
			{"four inside", inside[3], []string{"raise overcrowding:H @3"}},
			{"three inside, one outside", [2]float64{18, 7.5}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := newRig(t, Config{}, fence)
				pos := append(inside[:3:3], c.fourth)
				for s := 0.0; s <= 20; s++ {
					if int(s)%2 == 0 {
						for i, p := range pos {
							r.at(string(rune('A'+i)), s, p[0], p[1])
						}
					}
					r.tick(s)
				}
				r.expect(c.want...)
				if len(c.want) > 0 && r.log[0].Raise.Details["count"] != 4 {
					t.Fatalf("details %v", r.log[0].Raise.Details)
				}
			})
		}
	})
	t.Run("required person absent, then present", func(t *testing.T) {
		fence := fenceEntity("H", Headcount, square(0, 0, 20), map[string]any{"min_persons": 2.0, "required": []any{"R"}})
		r := newRig(t, Config{HeadcountGrace: -1}, fence)
		for s := 0.0; s <= 30; s++ {
			if int(s)%2 == 0 {
				r.at("A", s, 5, 5)
				r.at("B", s, 6, 6)
				if s < 10 {
					r.at("R", s, 50, 50)
				} else {
					r.at("R", s, 7, 7)
				}
			}
			r.tick(s)
		}
		r.expect("raise understaffing:H @3", "clear understaffing:H @16")
		if m, _ := r.log[0].Raise.Details["missing"].([]string); len(m) != 1 || m[0] != "R" {
			t.Fatalf("details %v", r.log[0].Raise.Details)
		}
	})
	t.Run("understaffing waits for the grace", func(t *testing.T) {
		fence := fenceEntity("H", Headcount, square(0, 0, 20), map[string]any{"min_persons": 2.0})
		r := newRig(t, Config{}, fence) // grace 60 s
		r.walk("A", 0, 80, func(float64) (float64, float64) { return 5, 5 })
		r.expect("raise understaffing:H @63")
	})
}

func TestStatic(t *testing.T) {
	fence := fenceEntity("S", Static, square(0, 0, 40), map[string]any{"static_s": 60.0})
	jitter := func(s float64) float64 { return []float64{0, 0.5, -0.4, 0.3}[int(s/2)%4] }
	t.Run("man down, then up", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 100, func(s float64) (float64, float64) {
			if s >= 80 {
				return 20 + (s-80)*1.2, 10
			}
			return 10 + jitter(s), 10 + jitter(s+2)
		})
		// up at 80 s: the smoothed position leaves the 3 m circle at 82 s.
		r.expect("raise static_timeout:P:S @60", "clear static_timeout:P:S @88")
	})
	t.Run("man down under positioning noise", func(t *testing.T) {
		// σ = 1.5 m per axis: about the AQ 3064.3 static accuracy (68 %
		// within 3 m). Raw fixes jump 2 m between samples; the rule must
		// still see a person who does not move.
		rng := rand.New(rand.NewPCG(3, 3064))
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 100, func(float64) (float64, float64) { return 20 + 1.5*rng.NormFloat64(), 20 + 1.5*rng.NormFloat64() })
		r.expect("raise static_timeout:P:S @60")
	})
	t.Run("walking person", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 100, func(s float64) (float64, float64) { return 5 + 0.3*s, 10 })
		r.expect()
	})
	t.Run("standing still outside", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 100, func(s float64) (float64, float64) { return 60, 10 })
		r.expect()
	})
}

func TestLingering(t *testing.T) {
	fence := fenceEntity("L", Lingering, square(0, 0, 20), map[string]any{"dwell_s": 30.0, "authorized": map[string]any{"posts": []any{"装卸工"}}})
	cases := []struct {
		name, post string
		inside     func(float64) bool
		want       []string
	}{
		{"stays too long", "焊工", between(2, 50), []string{"raise lingering:P:L @32", "clear lingering:P:L @56"}},
		{"authorized", "装卸工", between(2, 50), nil},
		{"leaves in time", "焊工", between(2, 30), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, Config{}, fence)
			r.subject("P", twin.KindPerson, "contractor", "", c.post)
			r.walk("P", 0, 70, in20(c.inside))
			r.expect(c.want...)
		})
	}
}

func TestPost(t *testing.T) {
	fences := []*twin.Entity{
		fenceEntity("CCR", Post, square(0, 0, 20), map[string]any{"dwell_s": 60.0, "applies_to": map[string]any{"posts": []any{"内操"}}}),
		fenceEntity("GATE", Post, square(100, 0, 20), map[string]any{"dwell_s": 60.0, "required": []any{"G"}}),
	}
	t.Run("off post, then back", func(t *testing.T) {
		r := newRig(t, Config{}, fences...)
		r.subject("O", twin.KindPerson, "internal", "", "内操")
		r.walk("O", 0, 120, func(s float64) (float64, float64) {
			if s >= 22 && s < 100 {
				return 50, 10 // between the posts
			}
			return 10, 10
		})
		// last seen inside at the 21 s tick; away 60 s at 81 s.
		r.expect("raise off_post:O:CCR @81", "clear off_post:O:CCR @106")
		if r.log[0].Raise.Details["kind"] != "off_post" {
			t.Fatalf("details %v", r.log[0].Raise.Details)
		}
	})
	t.Run("post hopping", func(t *testing.T) {
		r := newRig(t, Config{}, fences...)
		r.subject("O", twin.KindPerson, "internal", "", "内操")
		r.subject("G", twin.KindPerson, "internal", "", "门卫")
		r.walk("O", 0, 90, func(s float64) (float64, float64) {
			if s >= 22 {
				return 110, 10 // at the gate, not their post
			}
			return 10, 10
		})
		got := r.raised()
		want := []string{"off_post:O:CCR", "off_post:O:GATE:post_hopping"}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("raised %v, want %v", got, want)
		}
		for _, tr := range r.log {
			if tr.Raise.Key == want[1] && (tr.Raise.Details["kind"] != "post_hopping" || tr.Raise.Type != alarm.OffPost) {
				t.Fatalf("hopping alarm %+v", tr.Raise)
			}
		}
	})
	t.Run("people with no post are not hopping", func(t *testing.T) {
		r := newRig(t, Config{}, fences...)
		r.subject("V", twin.KindPerson, "visitor", "", "")
		r.walk("V", 0, 90, func(float64) (float64, float64) { return 110, 10 })
		r.expect()
	})
}

func TestSpeed(t *testing.T) {
	fence := fenceEntity("SP", Speed, square(0, 0, 400), map[string]any{"speed_limit_kmh": 10.0})
	t.Run("reported speed with deadband", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.subject("V", twin.KindVehicle, "", "", "")
		kmh := func(s float64) float64 {
			switch {
			case s < 10:
				return 20
			case s < 20:
				return 9.5 // inside the 10 % deadband: stays raised
			}
			return 5
		}
		for s := 0.0; s <= 30; s++ {
			if int(s)%2 == 0 {
				r.at("V", s, 10+s, 10, speed(kmh(s)))
			}
			r.tick(s)
		}
		r.expect("raise overspeed:V:SP @3", "clear overspeed:V:SP @26")
	})
	t.Run("speed from consecutive fixes", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.subject("V", twin.KindVehicle, "", "", "")
		r.walk("V", 0, 10, func(s float64) (float64, float64) { return 10 + 5*s, 10 }) // 18 km/h
		r.expect("raise overspeed:V:SP @5")
	})
	t.Run("people do not speed", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 10, func(s float64) (float64, float64) { return 10 + 5*s, 10 })
		r.expect()
	})
}

func TestTimeWindowArmsAndDisarms(t *testing.T) {
	// t0 is 10:00 in Shanghai; the fence is armed 10:01–10:02.
	fence := fenceEntity("W", Forbidden, square(0, 0, 20), map[string]any{"time_window": map[string]any{"from": "10:01", "to": "10:02"}})
	r := newRig(t, Config{}, fence)
	r.walk("P", 0, 140, in20(func(float64) bool { return true }))
	r.expect("raise fence_intrusion:P:W @63", "clear fence_intrusion:P:W @126")
}

func TestThreeDimensionalFences(t *testing.T) {
	floor5 := fenceEntity("F5", Forbidden, square(0, 0, 20), map[string]any{"floor": 5.0})
	band := fenceEntity("Z", Forbidden, square(0, 0, 20), map[string]any{"z_min": 15.0, "z_max": 30.0})
	cases := []struct {
		name  string
		fence *twin.Entity
		mod   func(*twin.Fix)
		want  []string
	}{
		{"same floor", floor5, floor(5), []string{"raise fence_intrusion:P:F5 @3"}},
		{"floor below", floor5, floor(4), nil},
		{"in the band", band, height(20), []string{"raise fence_intrusion:P:Z @3"}},
		{"below the band", band, height(10), nil},
		{"above the band", band, height(31.5), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, Config{}, c.fence)
			for s := 0.0; s <= 10; s++ {
				if int(s)%2 == 0 {
					r.at("P", s, 5, 5, c.mod)
				}
				r.tick(s)
			}
			r.expect(c.want...)
		})
	}
}

func TestMovingFence(t *testing.T) {
	// A 20 m keep-away square drawn about a tanker parked at (10, 10).
	fence := fenceEntity("M", Forbidden, square(0, 0, 20), map[string]any{"attached_to": "VH"})
	t.Run("follows its anchor", func(t *testing.T) {
		r := newRig(t, Config{}, nil...)
		r.anchor["VH"] = frame.Point(10, 10)
		set, err := Compile([]*twin.Entity{fence}, r.anchorAt, 0)
		if err != nil {
			t.Fatal(err)
		}
		r.log = r.e.Replace(nil, set, t0)
		r.subject("VH", twin.KindVehicle, "", "", "")
		for s := 0.0; s <= 10; s++ {
			if int(s)%2 == 0 {
				r.at("VH", s, 110, 10) // the tanker moved 100 m east
				r.at("P", s, 105, 12)  // beside it now
				r.at("Q", s, 5, 12)    // where it was
			}
			r.tick(s)
		}
		r.expect("raise fence_intrusion:P:M @3")
	})
	t.Run("unplaced anchor: centred on it from its first fix", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.walk("P", 0, 6, func(float64) (float64, float64) { return 5, 12 }) // the drawn place: inactive
		r.at("VH", 7, 200, 200)
		r.walk("P", 8, 14, func(float64) (float64, float64) { return 205, 205 })
		r.expect("raise fence_intrusion:P:M @11")
	})
	t.Run("a removed anchor takes its fence and alarms", func(t *testing.T) {
		r := newRig(t, Config{}, fence)
		r.at("VH", 0, 200, 200)
		r.walk("P", 0, 6, func(float64) (float64, float64) { return 205, 205 })
		r.log = r.e.Remove(r.log, "VH", t0.Add(7e9))
		r.walk("P", 8, 20, func(float64) (float64, float64) { return 205, 205 })
		r.expect("raise fence_intrusion:P:M @3", "clear fence_intrusion:P:M @7")
	})
}

func TestReplace(t *testing.T) {
	a := fenceEntity("A", Forbidden, square(0, 0, 20), nil)
	b := fenceEntity("B", Forbidden, square(0, 0, 20), nil)
	r := newRig(t, Config{}, a, b)
	r.walk("P", 0, 6, func(float64) (float64, float64) { return 5, 5 })
	set, _ := Compile([]*twin.Entity{a, fenceEntity("C", Forbidden, square(0, 0, 20), nil)}, nil, 0)
	r.log = r.e.Replace(r.log, set, t0.Add(7e9))
	r.walk("P", 8, 14, func(float64) (float64, float64) { return 5, 5 })
	// A keeps its open alarm (no second raise), B's clears, C is new.
	sort.Slice(r.log[:2], func(i, j int) bool { return r.log[i].Raise.Key < r.log[j].Raise.Key })
	r.expect("raise fence_intrusion:P:A @3", "raise fence_intrusion:P:B @3", "clear fence_intrusion:P:B @7", "raise fence_intrusion:P:C @11")
}

func TestUpdateRejectsBadFixes(t *testing.T) {
	r := newRig(t, Config{}, fenceEntity("A", Forbidden, square(0, 0, 20), nil))
	for _, fix := range []twin.Fix{
		{Point: orb.Point{200, 0}, At: t0},
		{Point: frame.Point(1, 1)},
	} {
		if _, err := r.e.Update(nil, "P", fix); err == nil {
			t.Fatalf("fix %+v accepted", fix)
		}
	}
	r.at("P", 2, 1, 1)
	if _, err := r.e.Update(nil, "P", twin.Fix{Point: frame.Point(1, 1), At: t0.Add(time.Second)}); err == nil {
		t.Fatal("stale fix accepted")
	}
}

func TestConfigBudget(t *testing.T) {
	if _, err := NewEngine(nil, Config{OnDelay: 5e9}); err == nil {
		t.Fatal("an on-delay of 5 s plus a 1 s tick exceeds the AQ 3064.3 5 s budget and must be refused")
	}
}
