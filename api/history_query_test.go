package api

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestParseStep(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", time.Minute, true}, {"raw", 0, true}, {"0", 0, true}, {"1m", time.Minute, true},
		{"15m", 15 * time.Minute, true}, {"2h", 2 * time.Hour, true}, {"120s", 2 * time.Minute, true}, {"24h", 24 * time.Hour, true},
		{"30s", 0, false}, {"90s", 0, false}, {"25h", 0, false}, {"-5m", 0, false}, {"5", 0, false}, {"PT5M", 0, false}, {"1m1ns", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseStep(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseStep(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err == nil && tc.in != "" && tc.in != "0" {
			if back, _ := ParseStep(formatStep(got)); back != got {
				t.Errorf("formatStep(%v) = %q does not parse back", got, formatStep(got))
			}
		}
	}
}

func TestParseWindowDefaults(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	w, err := parseWindow(url.Values{}, now, 8*time.Hour, false)
	if err != nil || !w.to.Equal(now) || !w.from.Equal(now.Add(-8*time.Hour)) {
		t.Fatalf("default window %v %v", w, err)
	}
	w, err = parseWindow(url.Values{"to": {"2026-11-01T12:00:00+08:00"}}, now, time.Hour, false)
	if err != nil || !w.to.Equal(time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC)) || w.to.Sub(w.from) != time.Hour {
		t.Fatalf("window before a given end %v %v", w, err)
	}
	if _, err := parseWindow(url.Values{"from": {"2026-11-01T00:00:00Z"}}, now, 0, true); err == nil {
		t.Fatal("a required window without to was accepted")
	}
}

func FuzzParseStep(f *testing.F) {
	for _, s := range []string{"", "raw", "0", "1m", "90s", "24h", "25h", "-1m", "1e3m", "9223372036854775807ns", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseStep(s)
		if err != nil {
			if !errors.Is(err, ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
			return
		}
		if d != 0 && (d < time.Minute || d > 24*time.Hour || d%time.Minute != 0) {
			t.Fatalf("accepted step %v from %q", d, s)
		}
	})
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range [][2]string{
		{"2026-11-28T00:00:00Z", "2026-11-28T08:00:00Z"}, {"", ""}, {"2026-11-28", "2026-11-28"}, {"2026-11-28T08:00:00Z", "2026-11-28T00:00:00Z"},
		{"2026-01-01", "2026-03-01"}, {"0000-01-01T00:00:00Z", ""}, {"", "9999-12-31T23:59:59.999Z"}, {"yesterday", "now"}, {"2026-11-28T08:00:00.123456789+14:00", ""},
	} {
		f.Add(s[0], s[1], true)
		f.Add(s[0], s[1], false)
	}
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string, required bool) {
		q := url.Values{}
		if from != "" {
			q.Set("from", from)
		}
		if to != "" {
			q.Set("to", to)
		}
		w, err := parseWindow(q, now, 8*time.Hour, required)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if w.from.After(w.to) || w.to.Sub(w.from) > maxHistoryWindow || w.from.IsZero() || w.to.IsZero() {
			t.Fatalf("accepted window %v – %v from %q, %q", w.from, w.to, from, to)
		}
	})
}
