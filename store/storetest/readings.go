package storetest

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// reading is a %LEL reading of detector at base+d.
func reading(detector string, d time.Duration, v float64) store.Reading {
	return store.Reading{DetectorID: detector, At: at(d), Value: v, Unit: "%LEL"}
}

func (s suite) testReadings(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := errors.Join(st.AppendReadings(c, nil), st.AppendReadings(c, []store.Reading{})); err != nil {
		t.Errorf("AppendReadings(empty batch): %v", err)
	}
	sec := time.Second
	batch := []store.Reading{
		reading("gas-1", 3*sec, 12.5), reading("gas-1", 0, 0), reading("gas-10", sec, 99),
		reading("gas-1", 1*sec, 25), reading("gas-1", 2*sec, 30), reading("gas-1", 2*sec, 31), // equal times: append order
		{DetectorID: "gas-1", At: at(4 * sec), Value: -1, Unit: "", Fault: true}, // a fault without unit
		{DetectorID: "h2s-1", At: at(sec), Value: 3.5, Unit: "ppm"},
	}
	orig := slices.Clone(batch)
	if err := st.AppendReadings(c, batch); err != nil {
		t.Fatalf("AppendReadings: %v", err)
	}
	same(t, "caller's batch after AppendReadings", batch, orig)
	gas1 := []store.Reading{batch[1], batch[3], batch[4], batch[5], batch[0], batch[6]}
	cases := []struct {
		name     string
		from, to time.Time
		limit    int
		want     []store.Reading
	}{
		{"all", far[0], far[1], 0, gas1},
		{"bounds inclusive", at(sec), at(3 * sec), 0, gas1[1:5]},
		{"from = to", at(2 * sec), at(2 * sec), 0, gas1[2:4]},
		{"from after to", at(3 * sec), at(sec), 0, nil},
		{"limit takes the oldest", far[0], far[1], 2, gas1[:2]},
		{"limit -1 is the default", far[0], far[1], -1, gas1},
	}
	for _, tc := range cases {
		got, err := st.Readings(c, "gas-1", tc.from, tc.to, tc.limit)
		if err != nil {
			t.Errorf("%s: Readings: %v", tc.name, err)
			continue
		}
		same(t, tc.name, got, tc.want)
	}
	if _, err := st.Readings(c, "", far[0], far[1], 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Readings(empty id) error = %v, want store.ErrInvalid", err)
	}

	bad := map[string]func(*store.Reading){
		"empty detector id": func(r *store.Reading) { r.DetectorID = "" },
		"zero time":         func(r *store.Reading) { r.At = time.Time{} },
		"NaN value":         func(r *store.Reading) { r.Value = math.NaN() },
		"Inf value":         func(r *store.Reading) { r.Value = math.Inf(1) },
		"bad UTF-8 unit":    func(r *store.Reading) { r.Unit = "\xc3\x28" },
		"NUL in id":         func(r *store.Reading) { r.DetectorID = "gas\x00" },
	}
	for name, spoil := range bad {
		good, x := reading("gas-refused", 0, 1), reading("gas-refused", sec, 2)
		spoil(&x)
		err := st.AppendReadings(c, []store.Reading{good, x})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "reading 1") {
			t.Errorf("AppendReadings(%s) error = %v, want store.ErrInvalid naming reading 1", name, err)
		}
	}
	if got, err := st.Readings(c, "gas-refused", far[0], far[1], 0); err != nil || len(got) != 0 {
		t.Errorf("after refused batches: %d readings, %v; want none (a batch is all or none)", len(got), err)
	}
}

// rollup is a %LEL rollup of detector for the minute base+d.
func rollup(detector string, d time.Duration, lo, hi, sum float64, n int) store.Rollup {
	return store.Rollup{DetectorID: detector, Minute: at(d), Min: lo, Max: hi, Sum: sum, N: n, Unit: "%LEL"}
}

// point is an expected series bucket starting at base+d. The suite's sums
// are small integers, so every backend computes them exactly.
func point(d time.Duration, lo, hi, sum float64, n int) store.SeriesPoint {
	return store.SeriesPoint{At: at(d), Min: lo, Max: hi, Avg: sum / float64(n), N: n}
}

func (s suite) testRollups(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	m := time.Minute
	if err := errors.Join(st.AppendRollups(c, nil), st.AppendRollups(c, []store.Rollup{})); err != nil {
		t.Errorf("AppendRollups(empty batch): %v", err)
	}
	first := []store.Rollup{
		rollup("gas-1", 0, 1, 3, 4, 2),
		rollup("gas-1", 1*m, 2, 2, 2, 1),
		rollup("gas-1", 3*m, 0, 10, 20, 4),
		rollup("gas-1", 4*m, 5, 6, 11, 2),
		rollup("gas-1", 5*m, 7, 7, 7, 1),
		rollup("gas-1", 5*m, 9, 9, 9, 1), // the same minute twice in one batch: merged
		rollup("gas-1", 30*m, 1, 1, 1, 1),
		rollup("gas-1", 62*m, 3, 5, 8, 2),
		rollup("gas-2", 0, 100, 900, 1000, 2), // another detector
	}
	if err := st.AppendRollups(c, first); err != nil {
		t.Fatalf("AppendRollups: %v", err)
	}
	// 08:04 written again (a restart): merged into the stored minute.
	if err := st.AppendRollups(c, []store.Rollup{rollup("gas-1", 4*m, 4, 5, 9, 2)}); err != nil {
		t.Fatalf("AppendRollups(same minute again): %v", err)
	}
	perMinute := []store.SeriesPoint{
		point(0, 1, 3, 4, 2), point(1*m, 2, 2, 2, 1), point(3*m, 0, 10, 20, 4),
		point(4*m, 4, 6, 20, 4), point(5*m, 7, 9, 16, 2), point(30*m, 1, 1, 1, 1), point(62*m, 3, 5, 8, 2),
	}
	cases := []struct {
		name     string
		from, to time.Time
		step     time.Duration
		want     []store.SeriesPoint
	}{
		{"1 min: merged minutes, empty minutes left out", far[0], far[1], m, perMinute},
		{"5 min", far[0], far[1], 5 * m, []store.SeriesPoint{
			point(0, 0, 10, 46, 11), point(5*m, 7, 9, 16, 2), point(30*m, 1, 1, 1, 1), point(60*m, 3, 5, 8, 2)}},
		{"60 min", far[0], far[1], 60 * m, []store.SeriesPoint{point(0, 0, 10, 63, 14), point(60*m, 3, 5, 8, 2)}},
		// 2026-07-01 is a whole number of 90 min from the epoch; 08:00 is not.
		{"90 min: aligned to the epoch, not to from", base, far[1], 90 * m, []store.SeriesPoint{
			point(-30*m, 0, 10, 63, 14), point(60*m, 3, 5, 8, 2)}},
		{"window inside a bucket: only rollups in the window", at(4 * m), at(30 * m), 5 * m, []store.SeriesPoint{
			point(0, 4, 6, 20, 4), point(5*m, 7, 9, 16, 2), point(30*m, 1, 1, 1, 1)}},
		{"bounds inclusive", at(1 * m), at(3 * m), m, perMinute[1:3]},
		{"from = to", at(1 * m), at(1 * m), m, perMinute[1:2]},
		{"from after to", at(3 * m), at(1 * m), m, nil},
	}
	for _, tc := range cases {
		got, err := st.Series(c, "gas-1", tc.from, tc.to, tc.step)
		if err != nil {
			t.Errorf("%s: Series: %v", tc.name, err)
			continue
		}
		same(t, tc.name, got, tc.want)
	}
	s.testSeriesBefore1970(t, st)
	s.testBadSeries(t, st)
	s.testBadRollups(t, st)
}

// testSeriesBefore1970 checks that buckets floor, not truncate towards
// zero, for minutes before the epoch.
func (s suite) testSeriesBefore1970(t *testing.T, st store.Store) {
	c := ctx(t)
	epoch := time.Unix(0, 0).UTC()
	var rs []store.Rollup
	for _, d := range []time.Duration{-2 * time.Minute, -time.Minute, 0, time.Minute} {
		rs = append(rs, store.Rollup{DetectorID: "old", Minute: epoch.Add(d), Min: 1, Max: 1, Sum: 1, N: 1})
	}
	if err := st.AppendRollups(c, rs); err != nil {
		t.Fatal(err)
	}
	got, err := st.Series(c, "old", far[0], far[1], 5*time.Minute)
	want := []store.SeriesPoint{
		{At: epoch.Add(-5 * time.Minute), Min: 1, Max: 1, Avg: 1, N: 2},
		{At: epoch, Min: 1, Max: 1, Avg: 1, N: 2},
	}
	if err != nil {
		t.Fatalf("Series before 1970: %v", err)
	}
	same(t, "5 min buckets across 1970-01-01", got, want)
}

func (s suite) testBadSeries(t *testing.T, st store.Store) {
	c := ctx(t)
	for _, step := range []time.Duration{0, -time.Minute, 30 * time.Second, 90 * time.Second,
		time.Minute + time.Nanosecond, time.Minute + time.Millisecond} {
		if _, err := st.Series(c, "gas-1", far[0], far[1], step); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Series(step %v) error = %v, want store.ErrInvalid", step, err)
		}
	}
	if _, err := st.Series(c, "", far[0], far[1], time.Minute); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Series(empty id) error = %v, want store.ErrInvalid", err)
	}
	if got, err := st.Series(c, "nobody", far[0], far[1], time.Minute); err != nil || len(got) != 0 {
		t.Errorf("Series(unknown detector) = %v, %v; want none", got, err)
	}
}

func (s suite) testBadRollups(t *testing.T, st store.Store) {
	c := ctx(t)
	bad := map[string]func(*store.Rollup){
		"empty detector id":  func(r *store.Rollup) { r.DetectorID = "" },
		"zero minute":        func(r *store.Rollup) { r.Minute = time.Time{} },
		"minute at 30 s":     func(r *store.Rollup) { r.Minute = r.Minute.Add(30 * time.Second) },
		"minute at 1 ms":     func(r *store.Rollup) { r.Minute = r.Minute.Add(time.Millisecond) },
		"NaN min":            func(r *store.Rollup) { r.Min = math.NaN() },
		"Inf max":            func(r *store.Rollup) { r.Max = math.Inf(1) },
		"NaN sum":            func(r *store.Rollup) { r.Sum = math.NaN() },
		"min above max":      func(r *store.Rollup) { r.Min, r.Max = 5, 4 },
		"no readings":        func(r *store.Rollup) { r.N = 0 },
		"negative count":     func(r *store.Rollup) { r.N = -3 },
		"NUL in unit":        func(r *store.Rollup) { r.Unit = "ppm\x00" },
		"bad UTF-8 detector": func(r *store.Rollup) { r.DetectorID = "\xff" },
	}
	for name, spoil := range bad {
		good, x := rollup("gas-refused", 0, 1, 2, 3, 2), rollup("gas-refused", time.Minute, 1, 2, 3, 2)
		spoil(&x)
		err := st.AppendRollups(c, []store.Rollup{good, x})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "rollup 1") {
			t.Errorf("AppendRollups(%s) error = %v, want store.ErrInvalid naming rollup 1", name, err)
		}
	}
	if got, err := st.Series(c, "gas-refused", far[0], far[1], time.Minute); err != nil || len(got) != 0 {
		t.Errorf("after refused batches: Series = %v, %v; want none (a batch is all or none)", got, err)
	}
	// A minute given in another zone is the same instant.
	cst := rollup("gas-cst", 0, 1, 1, 1, 1)
	cst.Minute = cst.Minute.In(time.FixedZone("CST", 8*3600))
	if err := st.AppendRollups(c, []store.Rollup{cst}); err != nil {
		t.Errorf("AppendRollups(minute in UTC+8): %v", err)
	}
}
