package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// testEdits: scene edits round-trip byte for byte, one per id (the latest
// replaces), ordered by At then ID; bad edits are refused.
func (s suite) testEdits(t *testing.T) {
	st := s.fresh(t)
	c := ctx(t)
	if es, err := st.SceneEdits(c); err != nil || len(es) != 0 {
		t.Fatalf("empty store: %v, %v", es, err)
	}
	f1 := []byte(`{"type":"Feature","properties":{"id":"FN-NEW","kind":"fence","rule":"forbidden","name":"检修区"},"geometry":{"type":"Polygon","coordinates":[[[106.6,38.1],[106.601,38.1],[106.601,38.101],[106.6,38.1]]]}}`)
	edits := []store.Edit{
		{ID: "FN-NEW", Kind: "fence", Feature: f1, At: at(2 * time.Second), By: "manager"},
		{ID: "FN-DIKE", Kind: "fence", Removed: true, At: at(time.Second), By: "admin"},
		{ID: "FN-A", Kind: "fence", Feature: []byte(`{"type":"Feature"}`), At: at(2*time.Second + 300*time.Microsecond), By: "admin"},
	}
	for _, e := range edits {
		if err := st.PutEdit(c, e); err != nil {
			t.Fatalf("PutEdit %s: %v", e.ID, err)
		}
	}
	got, err := st.SceneEdits(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Edit{edits[1], edits[2], edits[0]} // by At, then ID
	want[1].At = want[1].At.Truncate(time.Millisecond)
	same(t, "edits", got, want)

	// The latest edit of an id replaces the earlier one.
	moved := store.Edit{ID: "FN-NEW", Kind: "fence", Removed: true, At: at(time.Minute), By: "manager"}
	if err := st.PutEdit(c, moved); err != nil {
		t.Fatal(err)
	}
	got, _ = st.SceneEdits(c)
	if len(got) != 3 || got[2].ID != "FN-NEW" || !got[2].Removed || got[2].Feature != nil {
		t.Fatalf("after replacing: %+v", got)
	}

	for name, e := range map[string]store.Edit{
		"no id":               {Kind: "fence", Feature: f1},
		"no kind":             {ID: "X", Feature: f1},
		"removal with a body": {ID: "X", Kind: "fence", Removed: true, Feature: f1},
		"change without body": {ID: "X", Kind: "fence"},
		"not JSON":            {ID: "X", Kind: "fence", Feature: []byte("{nope")},
		"NUL in the id":       {ID: "X\x00", Kind: "fence", Feature: f1},
		"bad UTF-8":           {ID: "X", Kind: "fence", Feature: f1, By: "\xff"},
	} {
		if err := st.PutEdit(c, e); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if got, _ := st.SceneEdits(c); len(got) != 3 {
		t.Errorf("refused edits were written: %d edits", len(got))
	}
}
