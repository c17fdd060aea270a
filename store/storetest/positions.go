package storetest

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
)

// grid returns the WGS84 point x, y grid units east and north of
// (121.5, 31.25), one unit being 1/1024 degree (about 100 m by 110 m).
// Every coordinate the suite builds from small multiples of 1/4 is exact in
// binary, so a point put on an edge or a vertex is exactly on it in every
// backend.
func grid(x, y float64) orb.Point { return orb.Point{121.5 + x/1024, 31.25 + y/1024} }

// fix is a position of entity at base+d on grid point (x, y).
func fix(entity string, d time.Duration, x, y float64) store.Position {
	p := grid(x, y)
	return store.Position{EntityID: entity, At: at(d), Lon: p[0], Lat: p[1], Z: 1.5, Floor: 1, AreaID: "area-1"}
}

// track returns the fixes of entity in ps, oldest first, equal times in
// slice order: what Track must return for ps appended in slice order.
func track(ps []store.Position, entity string) []store.Position {
	var out []store.Position
	for _, p := range ps {
		if p.EntityID == entity {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b store.Position) int { return a.At.Compare(b.At) })
	return out
}

// far is a window wider than any time the suite stores.
var far = [2]time.Time{at(-100 * 365 * 24 * time.Hour), at(100 * 365 * 24 * time.Hour)}

func (s suite) testPositions(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := errors.Join(st.AppendPositions(c, nil), st.AppendPositions(c, []store.Position{})); err != nil {
		t.Errorf("AppendPositions(empty batch): %v", err)
	}

	// p-1 every 2 s for 20 s, appended out of time order and interleaved
	// with p-10 (whose id has p-1 as a prefix) and p-2.
	var batch []store.Position
	for _, i := range []int{5, 0, 9, 3, 1, 8, 2, 7, 4, 6} {
		batch = append(batch, fix("p-1", time.Duration(i)*2*time.Second, float64(i), 1))
		batch = append(batch, fix("p-10", time.Duration(i)*2*time.Second, 1, float64(i)))
	}
	batch[4].Z, batch[4].Floor, batch[4].AreaID = -3.25, -1, "" // a basement, outside all areas
	batch = append(batch, fix("p-2", 0, 2, 2), fix("张伟", time.Second, 3, 3))
	orig := slices.Clone(batch)
	if err := st.AppendPositions(c, batch); err != nil {
		t.Fatalf("AppendPositions: %v", err)
	}
	same(t, "caller's batch after AppendPositions", batch, orig)

	for _, e := range []string{"p-1", "p-10", "p-2", "张伟"} {
		got, err := st.Track(c, e, far[0], far[1], 0)
		if err != nil {
			t.Fatalf("Track(%s): %v", e, err)
		}
		same(t, "Track("+e+")", got, track(batch, e))
	}
	p1 := track(batch, "p-1")
	trackCase := func(name string, from, to time.Time, limit int, want []store.Position) {
		t.Helper()
		got, err := st.Track(c, "p-1", from, to, limit)
		if err != nil {
			t.Errorf("%s: Track: %v", name, err)
			return
		}
		same(t, name, got, want)
	}
	trackCase("bounds inclusive", at(4*time.Second), at(10*time.Second), 0, p1[2:6])
	trackCase("from = to", at(6*time.Second), at(6*time.Second), 0, p1[3:4])
	trackCase("between fixes", at(4*time.Second+time.Millisecond), at(6*time.Second-time.Millisecond), 0, nil)
	trackCase("from after to", at(10*time.Second), at(4*time.Second), 0, nil)
	trackCase("limit takes the oldest", far[0], far[1], 3, p1[:3])
	trackCase("limit in a window", at(4*time.Second), far[1], 2, p1[2:4])
	trackCase("limit above count", far[0], far[1], 11, p1)
	trackCase("limit -1 is the default", far[0], far[1], -1, p1)
	if got, err := st.Track(c, "nobody", far[0], far[1], 0); err != nil || len(got) != 0 {
		t.Errorf("Track(unknown entity) = %v, %v; want none", got, err)
	}
	if _, err := st.Track(c, "", far[0], far[1], 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Track(empty id) error = %v, want store.ErrInvalid", err)
	}
	s.testPositionTimes(t, st)
	s.testPositionTies(t, st)
	s.testBadPositions(t, st)
}

// testPositionTimes checks that At comes back truncated to the millisecond
// in UTC, and that window bounds are truncated the same way.
func (s suite) testPositionTimes(t *testing.T, st store.Store) {
	c := ctx(t)
	cst := time.FixedZone("CST", 8*3600)
	in := time.Date(2026, 7, 1, 16, 0, 1, 123_456_789, cst)
	want := time.Date(2026, 7, 1, 8, 0, 1, 123_000_000, time.UTC)
	p := fix("p-time", 0, 0, 0)
	p.At = in
	if err := st.AppendPositions(c, []store.Position{p}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Track(c, "p-time", in, in, 0) // bounds truncate to .123 too
	if err != nil || len(got) != 1 {
		t.Fatalf("Track(from = to = the stored sub-ms time) = %v, %v; want the fix", got, err)
	}
	if !got[0].At.Equal(want) || got[0].At.Location() != time.UTC {
		t.Errorf("At = %v (%v), want %v in UTC", got[0].At, got[0].At.Location(), want)
	}
}

// testPositionTies checks that fixes of one entity with the same At are all
// kept and come back in append order, within a batch and across batches.
func (s suite) testPositionTies(t *testing.T, st store.Store) {
	c := ctx(t)
	a, b, d := fix("p-tie", time.Minute, 1, 1), fix("p-tie", time.Minute, 2, 2), fix("p-tie", time.Minute, 3, 3)
	early := fix("p-tie", 0, 4, 4)
	if err := st.AppendPositions(c, []store.Position{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendPositions(c, []store.Position{d, early}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Track(c, "p-tie", far[0], far[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Track with equal times", got, []store.Position{early, a, b, d})
}

// testBadPositions checks that a batch with one bad position is refused
// with store.ErrInvalid naming its index, and that nothing of it is kept.
func (s suite) testBadPositions(t *testing.T, st store.Store) {
	c := ctx(t)
	bad := map[string]func(*store.Position){
		"empty entity id": func(p *store.Position) { p.EntityID = "" },
		"zero time":       func(p *store.Position) { p.At = time.Time{} },
		"NaN lon":         func(p *store.Position) { p.Lon = math.NaN() },
		"Inf lat":         func(p *store.Position) { p.Lat = math.Inf(-1) },
		"lon above 180":   func(p *store.Position) { p.Lon = 180.5 },
		"lat below -90":   func(p *store.Position) { p.Lat = -90.25 },
		"NaN z":           func(p *store.Position) { p.Z = math.NaN() },
		"Inf z":           func(p *store.Position) { p.Z = math.Inf(1) },
		"bad UTF-8 id":    func(p *store.Position) { p.EntityID = "p\xff" },
		"NUL in area":     func(p *store.Position) { p.AreaID = "area\x00" },
	}
	for name, spoil := range bad {
		good, x := fix("p-refused", 0, 1, 1), fix("p-refused", time.Second, 1, 1)
		spoil(&x)
		err := st.AppendPositions(c, []store.Position{good, x})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "position 1") {
			t.Errorf("AppendPositions(%s) error = %v, want store.ErrInvalid naming position 1", name, err)
		}
	}
	if got, err := st.Track(c, "p-refused", far[0], far[1], 0); err != nil || len(got) != 0 {
		t.Errorf("after refused batches: Track = %d fixes, %v; want none (a batch is all or none)", len(got), err)
	}
	// The extremes of the valid range are kept.
	edge := []store.Position{fix("p-edge", 0, 0, 0), fix("p-edge", time.Second, 0, 0)}
	edge[0].Lon, edge[0].Lat, edge[1].Lon, edge[1].Lat = -180, -90, 180, 90
	if err := st.AppendPositions(c, edge); err != nil {
		t.Errorf("AppendPositions(lon ±180, lat ±90): %v", err)
	}
}
