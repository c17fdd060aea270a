package inspect

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"08:00-16:00", "20:00-08:00", " 00:00 - 00:00 ", "23:59-00:00", "8:00-9:00",
		"24:00-01:00", "08:00", "-", "08:00-16:00-20:00", "08:60-09:00", "０８:００-16:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, err := ParseWindow(s)
		if err != nil {
			return
		}
		if start < 0 || start >= 24*time.Hour || end <= start || end > start+24*time.Hour ||
			start%time.Minute != 0 || end%time.Minute != 0 {
			t.Fatalf("%q: %v – %v", s, start, end)
		}
		// The canonical form reads back the same.
		hm := func(d time.Duration) string {
			d %= 24 * time.Hour
			return fmt.Sprintf("%02d:%02d", d/time.Hour, d%time.Hour/time.Minute)
		}
		s2, e2, err := ParseWindow(hm(start) + "-" + hm(end))
		if err != nil || s2 != start || e2 != end {
			t.Fatalf("%q: canonical %s-%s reads %v %v %v", s, hm(start), hm(end), s2, e2, err)
		}
	})
}

var fuzzZones = []string{"Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"}

func FuzzWindows(f *testing.F) {
	f.Add(uint8(0), 2, "08:30-16:30", uint8(0), 10, uint16(48), uint8(1))
	f.Add(uint8(1), 1, "20:00-08:00", uint8(1), 60, uint16(200), uint8(1))
	f.Add(uint8(2), 3, "", uint8(2), 400, uint16(2000), uint8(0))
	f.Add(uint8(3), 1, "", uint8(1), -30, uint16(9000), uint8(3))
	f.Add(uint8(0), 1, "01:30-02:30", uint8(0), 67, uint16(30), uint8(1))
	f.Fuzz(func(t *testing.T, unit uint8, every int, shift string, days uint8, fromDay int, spanH uint16, zone uint8) {
		units := []string{UnitHour, UnitDay, UnitWeek, UnitMonth}
		p := testPlan(units[int(unit)%4], every)
		if shift != "" {
			p.Windows = []string{shift, "12:00-13:00"}
		}
		p.Days = []string{DaysAll, DaysWorkdays, DaysRestDays}[int(days)%3]
		p.Until = "2027-12-31"
		if p.Validate(nil) != nil {
			return
		}
		loc := mustLoc(t, fuzzZones[int(zone)%len(fuzzZones)])
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, fromDay%1000)
		to := from.Add(time.Duration(spanH) * time.Hour)
		ws, err := Windows(p, from, to, loc, testCalendar)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatal(err)
			}
			return
		}
		lo := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
		for i, w := range ws {
			if w.Start.Before(from) || !w.Start.Before(to) || w.Start.Before(lo) || !w.End.After(w.Start) ||
				!w.Close.Equal(w.End.Add(30*time.Minute)) {
				t.Fatalf("window %d %v–%v outside [%v, %v) or empty", i, w.Start, w.End, from, to)
			}
			if i > 0 && (!ws[i-1].Start.Before(w.Start) || TaskID(p.ID, ws[i-1].Start) == TaskID(p.ID, w.Start)) {
				t.Fatalf("windows %d and %d out of order or one id", i-1, i)
			}
		}
	})
}

func FuzzVerifyResults(f *testing.F) {
	f.Add("pressure", 1.0, "", "", true)
	f.Add("valve", math.NaN(), "x", "blob", false)
	f.Add("remark", math.Inf(-1), "\xff", "", true)
	f.Fuzz(func(t *testing.T, key string, x float64, text, photo string, b bool) {
		v := goodVisit()
		r := Result{Key: key, Text: text, Photo: photo}
		if b {
			r.Value = &x
		} else {
			r.Bool = &b
		}
		v.Results = append([]Result{}, v.Results...)
		for i := range v.Results {
			if v.Results[i].Key == key {
				v.Results[i] = r
			}
		}
		if key != "valve" && key != "pressure" && key != "photo" {
			v.Results = append(v.Results, r)
		}
		c, err := Verify(v)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeResultsInvalid {
				t.Fatalf("%v", err)
			}
			return
		}
		if key == "pressure" {
			if want := x >= 0.2 && x <= 1.6; c.Results[1].Pass != want {
				t.Fatalf("pressure %v pass %v", x, c.Results[1].Pass)
			}
		}
	})
}
