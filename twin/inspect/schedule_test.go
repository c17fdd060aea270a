package inspect

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func testPlan(unit string, every int, shifts ...string) *Plan {
	return &Plan{ID: "p1", Name: "plan", Route: "r1", Every: every, Unit: unit, Windows: shifts,
		Days: DaysAll, Assignee: "alice", GraceMin: 30, From: "2026-03-01", Enabled: true}
}

// spans renders windows as "01-02 15:04-01-02 15:04" in loc.
func spans(ws []Window, loc *time.Location) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Start.In(loc).Format("01-02 15:04") + "/" + w.End.In(loc).Format("01-02 15:04")
	}
	return out
}

func at(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// testCalendar is a made-up holiday calendar in the Chinese style: Oct 1–7
// off, with Sunday Sep 27 and Saturday Oct 10 made workdays (调休).
func testCalendar(d time.Time) bool {
	switch d.Format(time.DateOnly) {
	case "2026-09-27", "2026-10-10":
		return true
	}
	if d.Month() == time.October && d.Day() <= 7 {
		return false
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

func TestWindows(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	tests := []struct {
		name     string
		plan     func(p *Plan)
		from, to time.Time
		want     []string
	}{
		{"hour every 4", func(p *Plan) { p.Unit, p.Every = UnitHour, 4 }, at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0),
			[]string{"03-02 00:00/03-02 04:00", "03-02 04:00/03-02 08:00", "03-02 08:00/03-02 12:00",
				"03-02 12:00/03-02 16:00", "03-02 16:00/03-02 20:00", "03-02 20:00/03-03 00:00"}},
		{"hour every 5 counts on from the From day", func(p *Plan) { p.Unit, p.Every = UnitHour, 5 }, at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0),
			// 03-01 00:00 + 25 h = 03-02 01:00, then every 5 h.
			[]string{"03-02 01:00/03-02 06:00", "03-02 06:00/03-02 11:00", "03-02 11:00/03-02 16:00",
				"03-02 16:00/03-02 21:00", "03-02 21:00/03-03 02:00"}},
		{"hour slots clipped to a shift", func(p *Plan) { p.Unit, p.Every, p.Windows = UnitHour, 2, []string{"08:30-16:30"} },
			at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0),
			[]string{"03-02 08:30/03-02 10:00", "03-02 10:00/03-02 12:00", "03-02 12:00/03-02 14:00",
				"03-02 14:00/03-02 16:00", "03-02 16:00/03-02 16:30"}},
		{"hour slots in a night shift", func(p *Plan) { p.Unit, p.Every, p.Windows = UnitHour, 4, []string{"20:00-08:00"} },
			at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0),
			// the morning slots belong to the shift of 03-01.
			[]string{"03-02 00:00/03-02 04:00", "03-02 04:00/03-02 08:00", "03-02 20:00/03-03 00:00"}},
		{"a query starting mid-slot sees the slot start after it only", func(p *Plan) { p.Unit, p.Every = UnitHour, 4 },
			at(sh, 2026, 3, 2, 5, 0), at(sh, 2026, 3, 2, 12, 0),
			[]string{"03-02 08:00/03-02 12:00"}},
		{"day, whole day", func(p *Plan) {}, at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 4, 0, 0),
			[]string{"03-02 00:00/03-03 00:00", "03-03 00:00/03-04 00:00"}},
		{"day, two shifts, the night one past midnight", func(p *Plan) { p.Windows = []string{"08:00-20:00", "20:00-08:00"} },
			at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0),
			[]string{"03-02 08:00/03-02 20:00", "03-02 20:00/03-03 08:00"}},
		{"day every 3 anchored on From", func(p *Plan) { p.Every = 3 }, at(sh, 2026, 3, 5, 0, 0), at(sh, 2026, 3, 14, 0, 0),
			[]string{"03-07 00:00/03-08 00:00", "03-10 00:00/03-11 00:00", "03-13 00:00/03-14 00:00"}},
		{"week every 2 from the week of From, first one clipped", func(p *Plan) { p.Unit, p.Every, p.From = UnitWeek, 2, "2026-03-04" },
			at(sh, 2026, 3, 1, 0, 0), at(sh, 2026, 4, 6, 0, 0),
			[]string{"03-04 00:00/03-09 00:00", "03-16 00:00/03-23 00:00", "03-30 00:00/04-06 00:00"}},
		{"month from Jan 31", func(p *Plan) { p.Unit, p.From = UnitMonth, "2026-01-31" },
			at(sh, 2026, 1, 1, 0, 0), at(sh, 2026, 4, 1, 0, 0),
			[]string{"01-31 00:00/02-01 00:00", "02-01 00:00/03-01 00:00", "03-01 00:00/04-01 00:00"}},
		{"month every 3", func(p *Plan) { p.Unit, p.Every, p.From = UnitMonth, 3, "2026-11-15" },
			at(sh, 2027, 1, 1, 0, 0), at(sh, 2027, 12, 31, 0, 0),
			[]string{"02-01 00:00/03-01 00:00", "05-01 00:00/06-01 00:00", "08-01 00:00/09-01 00:00", "11-01 00:00/12-01 00:00"}},
		{"From and Until, inclusive; the night window of the last day runs past it", func(p *Plan) {
			p.From, p.Until, p.Windows = "2026-03-02", "2026-03-03", []string{"20:00-08:00"}
		}, at(sh, 2026, 2, 1, 0, 0), at(sh, 2026, 4, 1, 0, 0),
			[]string{"03-02 20:00/03-03 08:00", "03-03 20:00/03-04 08:00"}},
		{"Until clips a month", func(p *Plan) { p.Unit, p.Until = UnitMonth, "2026-04-10" },
			at(sh, 2026, 3, 15, 0, 0), at(sh, 2026, 12, 1, 0, 0),
			[]string{"04-01 00:00/04-11 00:00"}},
		{"before From: nothing", func(p *Plan) {}, at(sh, 2026, 2, 1, 0, 0), at(sh, 2026, 3, 1, 0, 0), nil},
		{"empty range", func(p *Plan) {}, at(sh, 2026, 3, 5, 0, 0), at(sh, 2026, 3, 5, 0, 0), nil},
		{"reversed range", func(p *Plan) {}, at(sh, 2026, 3, 6, 0, 0), at(sh, 2026, 3, 5, 0, 0), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlan(UnitDay, 1)
			tc.plan(p)
			ws, err := Windows(p, tc.from, tc.to, sh, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := spans(ws, sh)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
			for _, w := range ws {
				if !w.Close.Equal(w.End.Add(30 * time.Minute)) {
					t.Errorf("close %v, want end + 30 min", w.Close)
				}
			}
		})
	}
}

func TestWindowsDayTypes(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	from, to := at(sh, 2026, 9, 26, 0, 0), at(sh, 2026, 10, 12, 0, 0)
	days := func(days string, unit string) []string {
		t.Helper()
		p := testPlan(unit, 1)
		p.Days, p.From = days, "2026-09-01"
		ws, err := Windows(p, from, to, sh, testCalendar)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range ws {
			out = append(out, w.Start.In(sh).Format("01-02"))
		}
		return out
	}
	// Sep 26 Sat, 27 Sun (调休 workday), 28–30 Mon–Wed, Oct 1–7 holiday,
	// 8 Thu, 9 Fri, 10 Sat (调休 workday), 11 Sun.
	work := []string{"09-27", "09-28", "09-29", "09-30", "10-08", "10-09", "10-10"}
	rest := []string{"09-26", "10-01", "10-02", "10-03", "10-04", "10-05", "10-06", "10-07", "10-11"}
	if got := days(DaysWorkdays, UnitDay); fmt.Sprint(got) != fmt.Sprint(work) {
		t.Errorf("workdays %v, want %v", got, work)
	}
	if got := days(DaysRestDays, UnitDay); fmt.Sprint(got) != fmt.Sprint(rest) {
		t.Errorf("rest days %v, want %v", got, rest)
	}
	if got := days(DaysAll, UnitDay); len(got) != 16 {
		t.Errorf("all days: %d windows, want 16", len(got))
	}
	// A monthly workday plan starts October on its first workday.
	if got := days(DaysWorkdays, UnitMonth); fmt.Sprint(got) != "[10-08]" {
		t.Errorf("monthly on workdays %v, want [10-08]", got)
	}
	// A weekly rest-day plan: the week of Sep 21 starts on Saturday, that
	// of Sep 28 on the holiday Oct 1, that of Oct 5 on Monday (a holiday).
	if got := days(DaysRestDays, UnitWeek); fmt.Sprint(got) != "[09-26 10-01 10-05]" {
		t.Errorf("weekly on rest days %v, want [09-26 10-01 10-05]", got)
	}
}

func TestWindowsNightShiftKeepsItsDayType(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	p := testPlan(UnitHour, 4, "20:00-08:00")
	p.Days = DaysWorkdays
	// Friday 2026-03-06 night shift runs into Saturday: its slots after
	// midnight are the Friday shift's, a workday's.
	ws, err := Windows(p, at(sh, 2026, 3, 6, 12, 0), at(sh, 2026, 3, 8, 12, 0), sh, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"03-06 20:00/03-07 00:00", "03-07 00:00/03-07 04:00", "03-07 04:00/03-07 08:00"}
	if got := spans(ws, sh); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestWindowsDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	for _, tc := range []struct {
		name    string
		day     int
		m       time.Month
		hours   time.Duration
		nHourly int
	}{
		{"spring forward", 8, time.March, 23, 23},
		{"fall back", 1, time.November, 25, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := at(ny, 2026, tc.m, tc.day, 0, 0), at(ny, 2026, tc.m, tc.day+1, 0, 0)
			p := testPlan(UnitDay, 1)
			ws, err := Windows(p, from, to, ny, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != 1 || ws[0].End.Sub(ws[0].Start) != tc.hours*time.Hour {
				t.Fatalf("daily window %v, want one of %d h", spans(ws, ny), tc.hours)
			}
			p = testPlan(UnitHour, 1)
			ws, err = Windows(p, from, to, ny, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != tc.nHourly {
				t.Fatalf("%d hourly windows, want %d: %q", len(ws), tc.nHourly, spans(ws, ny))
			}
			// The hourly slots tile the day: no gap, no overlap.
			for i, w := range ws {
				if !w.End.After(w.Start) {
					t.Errorf("empty slot %v", w)
				}
				if i > 0 && !ws[i-1].End.Equal(w.Start) {
					t.Errorf("slot %d starts %v, previous ends %v", i, w.Start, ws[i-1].End)
				}
			}
			if !ws[0].Start.Equal(from) || !ws[len(ws)-1].End.Equal(to) {
				t.Errorf("slots span %v – %v, want the day", ws[0].Start, ws[len(ws)-1].End)
			}
		})
	}
	// A shift starting in the spring-forward gap starts when the clock
	// resumes, 02:30 → 03:30 EDT; a night shift over it is 11 h.
	p := testPlan(UnitDay, 1, "02:30-10:00", "20:00-08:00")
	ws, err := Windows(p, at(ny, 2026, 3, 7, 12, 0), at(ny, 2026, 3, 9, 0, 0), ny, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"03-07 20:00/03-08 08:00", "03-08 03:30/03-08 10:00", "03-08 20:00/03-09 08:00"}
	if got := spans(ws, ny); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if d := ws[0].End.Sub(ws[0].Start); d != 11*time.Hour {
		t.Errorf("night shift over the change is %v, want 11h", d)
	}
	// Weekly windows start Monday 00:00 local on both sides of a change.
	p = testPlan(UnitWeek, 1)
	ws, err = Windows(p, at(ny, 2026, 3, 2, 0, 0), at(ny, 2026, 3, 17, 0, 0), ny, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if l := w.Start.In(ny); l.Weekday() != time.Monday || l.Hour() != 0 {
			t.Errorf("weekly window starts %v", l)
		}
	}
	// 2026-03-08, the change, is the Sunday of the first week.
	if len(ws) != 3 || ws[0].End.Sub(ws[0].Start) != 7*24*time.Hour-time.Hour || ws[1].End.Sub(ws[1].Start) != 7*24*time.Hour {
		t.Errorf("weeks %q", spans(ws, ny))
	}
}

func TestWindowsMonthLengths(t *testing.T) {
	utc := time.UTC
	p := testPlan(UnitMonth, 1)
	p.From = "2028-01-01"
	ws, err := Windows(p, at(utc, 2028, 1, 1, 0, 0), at(utc, 2029, 1, 1, 0, 0), utc, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if len(ws) != 12 {
		t.Fatalf("%d months", len(ws))
	}
	for i, w := range ws {
		if d := int(w.End.Sub(w.Start).Hours() / 24); d != want[i] {
			t.Errorf("month %d: %d days, want %d", i+1, d, want[i])
		}
	}
}

func TestWindowsRefuses(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	from, to := at(sh, 2026, 3, 1, 0, 0), at(sh, 2026, 4, 1, 0, 0)
	if _, err := Windows(nil, from, to, sh, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil plan: %v", err)
	}
	if _, err := Windows(testPlan(UnitDay, 1), from, to, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil zone: %v", err)
	}
	bad := testPlan(UnitDay, 0)
	if _, err := Windows(bad, from, to, sh, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("every 0: %v", err)
	}
	bad = testPlan(UnitDay, 1, "8:00")
	if _, err := Windows(bad, from, to, sh, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad shift: %v", err)
	}
	_, err := Windows(testPlan(UnitHour, 1), from, at(sh, 2050, 1, 1, 0, 0), sh, nil)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "range too long") {
		t.Errorf("24 years of hourly slots: %v", err)
	}
	// A far range of a plan with few windows is fine.
	ws, err := Windows(testPlan(UnitMonth, 1), from, at(sh, 2100, 1, 1, 0, 0), sh, nil)
	if err != nil || len(ws) != 12*74-2 {
		t.Errorf("monthly to 2100: %d windows, %v", len(ws), err)
	}
}

func TestWindowsOverlappingShiftsOneTaskPerStart(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	p := testPlan(UnitHour, 2, "08:00-12:00", "08:00-10:00")
	ws, err := Windows(p, at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0), sh, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, w := range ws {
		id := TaskID(p.ID, w.Start)
		if seen[id] {
			t.Errorf("task id %s twice", id)
		}
		seen[id] = true
	}
	if len(ws) != 2 {
		t.Errorf("got %q", spans(ws, sh))
	}
}

func TestNewTask(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	p := testPlan(UnitDay, 1, "08:00-16:00")
	p.Team = "ops"
	r := &Route{ID: "r1", Name: "route", Points: []string{"a", "b", "c"}, Sequence: true}
	ws, err := Windows(p, at(sh, 2026, 3, 2, 0, 0), at(sh, 2026, 3, 3, 0, 0), sh, nil)
	if err != nil || len(ws) != 1 {
		t.Fatal(ws, err)
	}
	task := NewTask(p, r, ws[0])
	if task.ID != "p1@20260302T0000" { // 08:00 CST = 00:00 UTC
		t.Errorf("id %s", task.ID)
	}
	if task.Status != TaskOpen || !task.Sequence || task.Assignee != "alice" || task.Team != "ops" || task.Route != "r1" {
		t.Errorf("task %+v", task)
	}
	if len(task.Points) != 3 || task.Points[1].Point != "b" || task.Points[2].Status != PointDue {
		t.Errorf("points %+v", task.Points)
	}
	if !task.Close.Equal(at(sh, 2026, 3, 2, 16, 30)) {
		t.Errorf("close %v", task.Close)
	}
}

// Span is long enough: the windows still open at now (closing after it)
// are the same whether Windows looks back Span or the longest window
// there is (a month and a day's grace), for every unit, shift windows
// past midnight, DST zones and random nows.
func TestPlanSpan(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	rng := rand.New(rand.NewPCG(7, 8))
	open := func(ws []Window, now time.Time) []string {
		var out []string
		for _, w := range ws {
			if w.Close.After(now) {
				out = append(out, w.Start.String()+"/"+w.Close.String())
			}
		}
		return out
	}
	plans := []*Plan{testPlan(UnitHour, 1), testPlan(UnitHour, 5, "08:30-16:30"), testPlan(UnitDay, 1),
		testPlan(UnitDay, 2, "20:00-08:00", "08:00-20:00"), testPlan(UnitWeek, 1), testPlan(UnitMonth, 1), testPlan(UnitMonth, 2)}
	for _, p := range plans {
		p.GraceMin = float64(rng.IntN(24 * 60))
		for range 200 {
			now := at(ny, 2026, 3, 1, 0, 0).Add(time.Duration(rng.Int64N(int64(400 * 24 * time.Hour))))
			to := now.Add(24 * time.Hour)
			all, err := Windows(p, now.Add(-33*24*time.Hour), to, ny, nil)
			if err != nil {
				t.Fatal(err)
			}
			near, err := Windows(p, now.Add(-p.Span()), to, ny, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := open(all, now), open(near, now); !slices.Equal(a, b) {
				t.Fatalf("plan %s/%d %v at %v: open windows %v looking back a month, %v looking back Span %v", p.Unit, p.Every, p.Windows, now, a, b, p.Span())
			}
		}
	}
}
