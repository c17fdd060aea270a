package api

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in   string
		want orb.Bound
		err  string
	}{
		{in: "116.1,39.9,116.2,40", want: orb.Bound{Min: orb.Point{116.1, 39.9}, Max: orb.Point{116.2, 40}}},
		{in: " 116.1 , 39.9 ,116.2,40 ", want: orb.Bound{Min: orb.Point{116.1, 39.9}, Max: orb.Point{116.2, 40}}},
		{in: "-180,-90,180,90", want: orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}},
		{in: "116.1,39.9,-5,116.2,40,30", want: orb.Bound{Min: orb.Point{116.1, 39.9}, Max: orb.Point{116.2, 40}}},
		{in: "1,1,1,1", want: orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{1, 1}}},
		{in: "", err: "4 or 6"},
		{in: "1,2,3", err: "4 or 6"},
		{in: "1,2,3,4,5", err: "4 or 6"},
		{in: "1,2,3,4,5,6,7", err: "4 or 6"},
		{in: "NaN,1,2,3", err: "finite"},
		{in: "1,Inf,2,3", err: "finite"},
		{in: "1,2,x,3", err: "finite"},
		{in: "1,2,,3", err: "finite"},
		{in: "181,0,182,1", err: "outside"},
		{in: "0,-91,1,1", err: "outside"},
		{in: "2,0,1,1", err: "exceeds"},
		{in: "0,2,1,1", err: "exceeds"},
		{in: "0,0,10,1,1,5", err: "height"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBBox(tt.in)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseBBox(%q) = %v, %v; want error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseBBox(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDatetime(t *testing.T) {
	t1 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 7, 2, 8, 0, 0, 0, time.UTC)
	day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want Interval
		err  string
	}{
		{in: "2026-07-01T08:00:00Z", want: Interval{t1, t1}},
		{in: "2026-07-01T16:00:00+08:00", want: Interval{t1, t1}},
		{in: "2026-07-01T08:00:00Z/2026-07-02T08:00:00Z", want: Interval{t1, t2}},
		{in: "../2026-07-02T08:00:00Z", want: Interval{End: t2}},
		{in: "/2026-07-02T08:00:00Z", want: Interval{End: t2}},
		{in: "2026-07-01T08:00:00Z/..", want: Interval{Start: t1}},
		{in: "2026-07-01T08:00:00Z/", want: Interval{Start: t1}},
		{in: "2026-07-01", want: Interval{day, day.Add(24*time.Hour - time.Nanosecond)}},
		{in: "2026-07-01/2026-07-01", want: Interval{day, day.Add(24*time.Hour - time.Nanosecond)}},
		{in: "", err: "empty"},
		{in: "../..", err: "both ends"},
		{in: "/", err: "both ends"},
		{in: "a/b/c", err: "more than one"},
		{in: "a/2026-07-01", err: "RFC 3339"},
		{in: "2026-07-01T08:00:00Z/2026-07-01T08:00:00Z/", err: "more than one"},
		{in: "2026-07-02T08:00:00Z/2026-07-01T08:00:00Z", err: "starts after"},
		{in: "yesterday", err: "RFC 3339"},
		{in: "2026-13-01T00:00:00Z", err: "RFC 3339"},
		{in: "0001-01-01T00:00:00Z", err: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDatetime(tt.in)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseDatetime(%q) = %v, %v; want error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
				t.Fatalf("ParseDatetime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestIntervalContains(t *testing.T) {
	t1 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	iv := Interval{Start: t1, End: t1.Add(time.Hour)}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{t1, true}, {t1.Add(time.Hour), true}, {t1.Add(-time.Nanosecond), false}, {t1.Add(time.Hour + 1), false}} {
		if got := iv.Contains(c.at); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	if !(Interval{}).Contains(t1) {
		t.Error("open interval must contain everything")
	}
}

func TestParseLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{{"", 100, true}, {"1", 1, true}, {"10000", 10000, true}, {"20000", 10000, true}, {"0", 0, false}, {"-1", 0, false}, {"1.5", 0, false}, {"x", 0, false}, {"99999999999999999999", 0, false}} {
		got, err := ParseLimit(c.in, 100, 10000)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseLimit(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzBBox(f *testing.F) {
	for _, s := range []string{"116.1,39.9,116.2,40", "1,2,3,4,5,6", "NaN,0,1,1", "", ",,,", "-180,-90,180,90", "1e308,1,1e309,2", "0x1p-2,0,1,1", "2,0,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox(s)
		if err != nil {
			if !errors.Is(err, ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
			return
		}
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite bbox %v from %q", b, s)
			}
		}
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
			t.Fatalf("accepted bad bbox %v from %q", b, s)
		}
	})
}

func FuzzDatetime(f *testing.F) {
	for _, s := range []string{"2026-07-01T08:00:00Z", "2026-07-01T08:00:00Z/2026-07-02T08:00:00Z", "../2026-07-02T08:00:00Z", "2026-07-01T08:00:00.123456789+08:00/..", "2026-07-01", "../..", "/", "a/b/c", "9999-12-31T23:59:59Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseDatetime(s)
		if err != nil {
			if !errors.Is(err, ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
			return
		}
		if iv.Start.IsZero() && iv.End.IsZero() {
			t.Fatalf("accepted an interval open at both ends from %q", s)
		}
		if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
			t.Fatalf("accepted a reversed interval %v from %q", iv, s)
		}
		if !iv.Start.IsZero() && !iv.Contains(iv.Start) {
			t.Fatalf("interval %v does not contain its start", iv)
		}
	})
}
