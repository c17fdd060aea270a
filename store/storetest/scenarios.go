package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// testScenarios: scenarios round-trip (the document byte for byte, times to
// the millisecond), one per id (the latest replaces every field), listed
// newest first without documents and up to a limit; a removed one is gone
// and a second removal is ErrNotFound; bad scenarios are refused.
func (s suite) testScenarios(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if got, err := st.ListScenarios(c, 0); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	if _, err := st.GetScenario(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetScenario(nope): %v", err)
	}
	doc := []byte(`{"name": "液氨泄漏演练", "zones": {"type": "FeatureCollection", "features": []},  "rate_g_s": 100.5}`)
	put := []store.Scenario{
		{ID: "SC-b", Name: "液氨泄漏演练", By: "emergency", CreatedAt: at(time.Hour + 300*time.Microsecond), Doc: doc},
		{ID: "SC-a", Name: "tie", By: "manager", CreatedAt: at(time.Hour), Doc: []byte(`{}`)},
		{ID: "SC-c", Name: "older", By: "manager", CreatedAt: at(0), Doc: []byte(`[1]`)},
		{ID: "SC-d", Name: "replaced", By: "manager", CreatedAt: at(2 * time.Hour), Doc: []byte(`{"v":1}`)},
	}
	for _, sc := range put {
		if err := st.PutScenario(c, sc); err != nil {
			t.Fatalf("PutScenario %s: %v", sc.ID, err)
		}
	}
	// The latest put replaces every field.
	put[3] = store.Scenario{ID: "SC-d", Name: "newer", By: "admin", CreatedAt: at(-time.Hour), Doc: []byte(`{"v":2}`)}
	if err := st.PutScenario(c, put[3]); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetScenario(c, "SC-b")
	if err != nil || got.Name != put[0].Name || got.By != "emergency" || !got.CreatedAt.Equal(at(time.Hour)) || string(got.Doc) != string(doc) {
		t.Fatalf("GetScenario SC-b: %+v (%s), %v", got, got.Doc, err)
	}
	list, err := st.ListScenarios(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sc := range list {
		ids = append(ids, sc.ID)
		if sc.Doc != nil {
			t.Errorf("%s listed with its document", sc.ID)
		}
	}
	// SC-b and SC-a share the millisecond: ID breaks the tie.
	if want := []string{"SC-a", "SC-b", "SC-c", "SC-d"}; !slices.Equal(ids, want) {
		t.Errorf("list %v, want %v", ids, want)
	}
	if list, _ := st.ListScenarios(c, 2); len(list) != 2 || list[0].ID != "SC-a" {
		t.Errorf("limit 2: %+v", list)
	}
	if d, _ := st.GetScenario(c, "SC-d"); d.Name != "newer" || d.By != "admin" || string(d.Doc) != `{"v":2}` {
		t.Errorf("replaced: %+v", d)
	}
	if err := st.DeleteScenario(c, "SC-c"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteScenario(c, "SC-c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := st.GetScenario(c, "SC-c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted: %v", err)
	}
	for name, sc := range map[string]store.Scenario{
		"no id":          {By: "x", CreatedAt: base, Doc: []byte(`{}`)},
		"no author":      {ID: "X", CreatedAt: base, Doc: []byte(`{}`)},
		"no time":        {ID: "X", By: "x", Doc: []byte(`{}`)},
		"not JSON":       {ID: "X", By: "x", CreatedAt: base, Doc: []byte(`{`)},
		"no document":    {ID: "X", By: "x", CreatedAt: base},
		"NUL in name":    {ID: "X", Name: "a\x00b", By: "x", CreatedAt: base, Doc: []byte(`{}`)},
		"bad UTF-8 id":   {ID: "\xff", By: "x", CreatedAt: base, Doc: []byte(`{}`)},
		"bad UTF-8 user": {ID: "X", By: "\xfe", CreatedAt: base, Doc: []byte(`{}`)},
	} {
		if err := st.PutScenario(c, sc); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := st.GetScenario(c, "\xff"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetScenario(bad UTF-8): %v", err)
	}
	cancelled, cancel := context.WithCancel(c)
	cancel()
	if err := st.PutScenario(cancelled, put[1]); err == nil {
		t.Error("PutScenario(cancelled context) = nil, want an error")
	}
	if _, err := st.ListScenarios(cancelled, 0); err == nil {
		t.Error("ListScenarios(cancelled context) = nil, want an error")
	}
}
