package fence

import (
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

func TestWindowOpen(t *testing.T) {
	// 18:00–08:00 on Monday–Friday; the after-midnight part belongs to the
	// day the window opened.
	night := Window{From: 18 * 60, To: 8 * 60, Days: 0b0011111, Set: true}
	day := Window{From: 8 * 60, To: 17*60 + 30, Set: true}
	whole := Window{From: 0, To: 0, Days: 1 << 6, Set: true} // Sundays
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, shanghai) }
	cases := []struct {
		name string
		w    Window
		at   time.Time
		want bool
	}{
		{"unset is always open", Window{}, at(28, 3, 0), true},
		{"Friday evening", night, at(27, 23, 0), true},
		{"Friday 18:00 opens", night, at(27, 18, 0), true},
		{"Friday 17:59 closed", night, at(27, 17, 59), false},
		{"Saturday small hours belong to Friday", night, at(28, 2, 0), true},
		{"Saturday 08:00 closes", night, at(28, 8, 0), false},
		{"Saturday evening not a window day", night, at(28, 23, 0), false},
		{"Monday small hours belong to Sunday", night, at(30, 2, 0), false},
		{"Tuesday small hours belong to Monday", night, at(24, 7, 59), true},
		{"day window inside", day, at(25, 12, 0), true},
		{"day window end is exclusive", day, at(25, 17, 30), false},
		{"day window before", day, at(25, 7, 59), false},
		{"from == to is the whole day", whole, at(29, 0, 0), true},
		{"from == to other day", whole, at(28, 12, 0), false},
		{"converted to the site timezone", night, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), true}, // 20:00 Friday in Shanghai
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.w.Open(c.at, shanghai); got != c.want {
				t.Fatalf("Open(%s) = %v, want %v", c.at, got, c.want)
			}
		})
	}
}

func TestSelectorMatch(t *testing.T) {
	elec := &Subject{ID: "P1", IdentityType: "internal", Department: "电仪车间", Post: "电工"}
	contractor := &Subject{ID: "P2", IdentityType: "contractor", Department: "电仪车间", Post: "电工"}
	cases := []struct {
		name string
		s    Selector
		sub  *Subject
		want bool
	}{
		{"empty authorises nobody", Selector{}, elec, false},
		{"one category", Selector{Posts: []string{"电工", "仪表工"}}, elec, true},
		{"categories are ANDed", Selector{IdentityTypes: []string{"internal"}, Posts: []string{"电工"}}, contractor, false},
		{"values are ORed", Selector{IdentityTypes: []string{"internal", "contractor"}, Posts: []string{"电工"}}, contractor, true},
		{"persons list selects", Selector{IdentityTypes: []string{"internal"}, Persons: []string{"P2"}}, contractor, true},
		{"persons only, not listed", Selector{Persons: []string{"P9"}}, elec, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Match(c.sub); got != c.want {
				t.Fatalf("Match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	sq := square(0, 0, 20)
	good := []struct {
		name  string
		props map[string]any
		check func(*Fence) bool
	}{
		{"forbidden with selector and window", map[string]any{"rule": "forbidden", "level": 3.0,
			"authorized":  map[string]any{"posts": []any{"电工"}, "identity_types": []any{"internal"}},
			"time_window": map[string]any{"from": "18:00", "to": "08:00", "days": []any{1.0, 7.0}}},
			func(f *Fence) bool {
				return f.Level == 3 && f.Window.From == 18*60 && f.Window.To == 8*60 && f.Window.Days == 0b1000001 &&
					len(f.Authorized.Posts) == 1 && f.AppliesTo == nil
			}},
		{"floor", map[string]any{"rule": "forbidden", "floor": 5.0}, func(f *Fence) bool { return f.HasFloor && f.Floor == 5 && !f.HasZ }},
		{"z band from strings", map[string]any{"rule": "forbidden", "z_min": "15", "z_max": 30.0}, func(f *Fence) bool { return f.HasZ && f.ZMin == 15 && f.ZMax == 30 }},
		{"headcount", map[string]any{"rule": "headcount", "max_persons": 12.0, "min_persons": 2.0, "required": []any{"PS-1"}},
			func(f *Fence) bool { return f.MaxPersons == 12 && f.MinPersons == 2 && f.Required[0] == "PS-1" }},
		{"post with comma list", map[string]any{"rule": "post", "required": "PS-1, PS-2", "dwell_s": 300.0},
			func(f *Fence) bool { return len(f.Required) == 2 && f.Dwell == 5*time.Minute }},
		{"speed", map[string]any{"rule": "speed", "speed_limit_kmh": 10.0}, func(f *Fence) bool { return f.SpeedLimitKmh == 10 }},
		{"moving", map[string]any{"rule": "forbidden", "attached_to": "VH-1"}, func(f *Fence) bool { return f.Moving() && f.AttachedTo == "VH-1" }},
		{"applies_to present", map[string]any{"rule": "keep_in", "applies_to": map[string]any{"identity_types": []string{"visitor"}}},
			func(f *Fence) bool { return f.AppliesTo != nil && f.AppliesTo.IdentityTypes[0] == "visitor" }},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(fenceEntity("F", "", sq, c.props), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(f) {
				t.Fatalf("parsed %+v", f)
			}
		})
	}
	bad := []struct {
		name  string
		props map[string]any
		geom  orb.Geometry
	}{
		{"unknown rule", map[string]any{"rule": "teleport"}, sq},
		{"no rule", map[string]any{}, sq},
		{"headcount without limits", map[string]any{"rule": "headcount"}, sq},
		{"min above max", map[string]any{"rule": "headcount", "max_persons": 2.0, "min_persons": 3.0}, sq},
		{"static without static_s", map[string]any{"rule": "static"}, sq},
		{"lingering without dwell", map[string]any{"rule": "lingering"}, sq},
		{"post without people", map[string]any{"rule": "post", "dwell_s": 60.0}, sq},
		{"speed without limit", map[string]any{"rule": "speed"}, sq},
		{"negative dwell", map[string]any{"rule": "lingering", "dwell_s": -5.0}, sq},
		{"NaN level", map[string]any{"rule": "forbidden", "level": "NaN"}, sq},
		{"level 4", map[string]any{"rule": "forbidden", "level": 4.0}, sq},
		{"z band upside down", map[string]any{"rule": "forbidden", "z_min": 30.0, "z_max": 15.0}, sq},
		{"bad window time", map[string]any{"rule": "forbidden", "time_window": map[string]any{"from": "25:00", "to": "08:00"}}, sq},
		{"bad weekday", map[string]any{"rule": "forbidden", "time_window": map[string]any{"from": "18:00", "to": "08:00", "days": []any{8.0}}}, sq},
		{"selector not an object", map[string]any{"rule": "forbidden", "authorized": "everyone"}, sq},
		{"selector list of numbers", map[string]any{"rule": "forbidden", "authorized": map[string]any{"posts": []any{1.0}}}, sq},
		{"point geometry", map[string]any{"rule": "forbidden"}, orb.Point{106.6, 38.1}},
		{"no geometry", map[string]any{"rule": "forbidden"}, nil},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(fenceEntity("F", "", c.geom, c.props), nil); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestCompileSkipsBadFences(t *testing.T) {
	ents := []*twin.Entity{
		fenceEntity("A", Forbidden, square(0, 0, 10), nil),
		fenceEntity("B", "nonsense", square(0, 0, 10), nil),
		{ID: "P", Kind: twin.KindPerson},
	}
	set, err := Compile(ents, nil, 0)
	if !errors.Is(err, ErrInvalid) || set == nil || set.Len() != 1 || set.Get("A") == nil {
		t.Fatalf("set %v, err %v", set, err)
	}
}
