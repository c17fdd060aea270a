package api

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// ErrQuery is wrapped by every query-parameter parse error.
var ErrQuery = errors.New("api: bad query parameter")

// ParseBBox parses an OGC API bbox parameter: "minLon,minLat,maxLon,maxLat"
// or, with heights, "minLon,minLat,minH,maxLon,maxLat,maxH" (OGC 17-069r4
// §7.15.3), in CRS84 degrees. Heights are checked and dropped: the twin
// filters in two dimensions. A bbox crossing the antimeridian (minLon >
// maxLon) is refused: no plant spans it.
func ParseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, fmt.Errorf("%w: bbox needs 4 or 6 comma-separated numbers, got %d", ErrQuery, len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, fmt.Errorf("%w: bbox value %d (%q) is not a finite number", ErrQuery, i+1, p)
		}
		v[i] = f
	}
	if len(v) == 6 {
		if v[2] > v[5] {
			return orb.Bound{}, fmt.Errorf("%w: bbox minimum height %g exceeds maximum %g", ErrQuery, v[2], v[5])
		}
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	for _, p := range []orb.Point{b.Min, b.Max} {
		if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return orb.Bound{}, fmt.Errorf("%w: bbox corner %v is outside lon [-180,180], lat [-90,90]", ErrQuery, p)
		}
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return orb.Bound{}, fmt.Errorf("%w: bbox minimum %v exceeds maximum %v", ErrQuery, b.Min, b.Max)
	}
	return b, nil
}

// Interval is a closed time interval; a zero Start or End leaves that side
// open.
type Interval struct {
	Start, End time.Time
}

// Contains reports whether t lies in the interval.
func (iv Interval) Contains(t time.Time) bool {
	return (iv.Start.IsZero() || !t.Before(iv.Start)) && (iv.End.IsZero() || !t.After(iv.End))
}

// ParseDatetime parses an OGC API datetime parameter (OGC 17-069r4 §7.15.4):
// an instant ("2026-07-01T08:00:00Z"), a closed interval ("a/b") or a
// half-bounded one ("../b", "a/..", "a/", "/b"). Date-times are RFC 3339; a
// bare date ("2026-07-01") stands for that whole UTC day.
func ParseDatetime(s string) (Interval, error) {
	if s == "" {
		return Interval{}, fmt.Errorf("%w: empty datetime", ErrQuery)
	}
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		a, b, err := parseInstant(s)
		return Interval{Start: a, End: b}, err
	}
	if strings.Contains(end, "/") {
		return Interval{}, fmt.Errorf("%w: datetime %q has more than one '/'", ErrQuery, s)
	}
	open := func(v string) bool { return v == "" || v == ".." }
	if open(start) && open(end) {
		return Interval{}, fmt.Errorf("%w: datetime %q is open at both ends", ErrQuery, s)
	}
	var iv Interval
	var err error
	if !open(start) {
		if iv.Start, _, err = parseInstant(start); err != nil {
			return Interval{}, err
		}
	}
	if !open(end) {
		if _, iv.End, err = parseInstant(end); err != nil {
			return Interval{}, err
		}
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
		return Interval{}, fmt.Errorf("%w: datetime %q starts after it ends", ErrQuery, s)
	}
	return iv, nil
}

// parseInstant parses an RFC 3339 date-time (first == last) or a full date
// (the day's first and last instants, UTC).
func parseInstant(s string) (first, last time.Time, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return checkYear(t, s)
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if _, _, err := checkYear(d, s); err != nil {
			return time.Time{}, time.Time{}, err
		}
		return d, d.Add(24*time.Hour - time.Nanosecond), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w: datetime %q is not an RFC 3339 date-time or date", ErrQuery, s)
}

// checkYear refuses years outside 1–9999, which RFC 3339 cannot write back,
// and the zero instant, which Interval uses for an open side.
func checkYear(t time.Time, s string) (time.Time, time.Time, error) {
	if y := t.UTC().Year(); y < 1 || y > 9999 || t.IsZero() {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: datetime %q is out of range", ErrQuery, s)
	}
	return t, t, nil
}

// ParseLimit parses an OGC API limit: an integer ≥ 1, clamped to max (OGC
// 17-069r4 §7.15.2 lets a server cap it); def when s is empty.
func ParseLimit(s string, def, max int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: limit %q must be an integer ≥ 1", ErrQuery, s)
	}
	return min(n, max), nil
}
