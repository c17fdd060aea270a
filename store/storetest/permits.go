package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// permit is a valid permit of the suite, from base+from for span.
func permit(id, typ, status string, from, span time.Duration) store.PermitRecord {
	return store.PermitRecord{ID: id, Type: typ, Level: "2", Status: status, Start: at(from), End: at(from + span),
		UpdatedAt: at(from), Doc: []byte(`{"id": "` + id + `", "log": []}`)}
}

// testPermits: permits round-trip (the document byte for byte, times to
// the millisecond), one per id (the latest replaces every field), listed
// by start then id and filtered by status, type and the day their window
// overlaps; bad permits are refused.
func (s suite) testPermits(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if got, err := st.ListPermits(c, store.PermitFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	if _, err := st.GetPermit(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetPermit(nope): %v", err)
	}
	put := []store.PermitRecord{
		permit("PTW-b", "hot_work", "in_progress", time.Hour+300*time.Microsecond, 8*time.Hour),
		permit("PTW-a", "hot_work", "approved", time.Hour, 2*time.Hour),           // same start ms: id breaks the tie
		permit("PTW-c", "height", "booked", 30*time.Hour, 48*time.Hour),           // the next day on
		permit("PTW-d", "confined_space", "accepted", -20*time.Hour, 4*time.Hour), // the day before
	}
	put[0].Doc = []byte(`{"id": "PTW-b",  "measures": [{"n": 1, "zh": "清除动火点附近易燃物"}], "log": [{"hash": "ab"}]}`)
	for _, p := range put {
		if err := st.PutPermit(c, p); err != nil {
			t.Fatalf("PutPermit %s: %v", p.ID, err)
		}
	}
	got, err := st.GetPermit(c, "PTW-b")
	if err != nil || got.Status != "in_progress" || !got.Start.Equal(at(time.Hour)) || !got.End.Equal(at(9*time.Hour)) || string(got.Doc) != string(put[0].Doc) {
		t.Fatalf("GetPermit PTW-b: %+v (%s), %v", got, got.Doc, err)
	}
	ids := func(f store.PermitFilter) []string {
		t.Helper()
		ps, err := st.ListPermits(c, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	day := base.Truncate(24 * time.Hour)
	for name, c := range map[string]struct {
		f    store.PermitFilter
		want []string
	}{
		"all":             {store.PermitFilter{}, []string{"PTW-d", "PTW-a", "PTW-b", "PTW-c"}},
		"status":          {store.PermitFilter{Status: "approved"}, []string{"PTW-a"}},
		"type":            {store.PermitFilter{Type: "hot_work"}, []string{"PTW-a", "PTW-b"}},
		"type and status": {store.PermitFilter{Type: "hot_work", Status: "booked"}, nil},
		// base is 08:00 on 1 July: PTW-d ran 12:00–16:00 the day before,
		// PTW-c starts at 14:00 the day after.
		"base's day":     {store.PermitFilter{Day: day}, []string{"PTW-a", "PTW-b"}},
		"the day before": {store.PermitFilter{Day: day.Add(-24 * time.Hour)}, []string{"PTW-d"}},
		"limit":          {store.PermitFilter{Limit: 2}, []string{"PTW-d", "PTW-a"}},
		"unknown status": {store.PermitFilter{Status: "\xff"}, nil},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	// The latest put replaces every field.
	repl := permit("PTW-a", "hot_work", "cancelled", 2*time.Hour, time.Hour)
	repl.Level, repl.Doc = "1", []byte(`{"v": 2}`)
	if err := st.PutPermit(c, repl); err != nil {
		t.Fatal(err)
	}
	if g, _ := st.GetPermit(c, "PTW-a"); g.Status != "cancelled" || g.Level != "1" || !g.Start.Equal(at(2*time.Hour)) || string(g.Doc) != `{"v": 2}` {
		t.Errorf("replaced: %+v", g)
	}
	for name, p := range map[string]store.PermitRecord{
		"no id":        func() store.PermitRecord { p := permit("", "x", "booked", 0, time.Hour); return p }(),
		"no status":    permit("X", "hot_work", "", 0, time.Hour),
		"empty window": permit("X", "hot_work", "booked", 0, 0),
		"no update": func() store.PermitRecord {
			p := permit("X", "hot_work", "booked", 0, time.Hour)
			p.UpdatedAt = time.Time{}
			return p
		}(),
		"not JSON": func() store.PermitRecord {
			p := permit("X", "hot_work", "booked", 0, time.Hour)
			p.Doc = []byte("{")
			return p
		}(),
		"bad UTF-8 type": permit("X", "\xff", "booked", 0, time.Hour),
	} {
		if err := st.PutPermit(c, p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	cancelled, cancel := context.WithCancel(c)
	cancel()
	if _, err := st.ListPermits(cancelled, store.PermitFilter{}); err == nil {
		t.Error("ListPermits(cancelled context) = nil, want an error")
	}
}
