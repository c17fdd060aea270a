package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

func auditEntry(n int, actor, action, target string, t time.Time) store.AuditEntry {
	return store.AuditEntry{
		At: t, Actor: actor, Action: action, Target: target,
		Detail: map[string]any{"n": n}, Remote: "192.0.2.7:51234",
	}
}

// auditMarks lists the entries' Detail["n"], for comparing order and
// membership.
func auditMarks(es []store.AuditEntry) string {
	s := make([]any, len(es))
	for i, e := range es {
		s[i] = e.Detail["n"]
	}
	return fmt.Sprint(s)
}

// filterAudit is the reference: what Audit(f) must return from es appended
// in slice order.
func filterAudit(es []store.AuditEntry, f store.AuditFilter) []store.AuditEntry {
	var out []store.AuditEntry
	for _, e := range es {
		switch {
		case f.Actor != "" && e.Actor != f.Actor,
			f.Action != "" && e.Action != f.Action,
			f.Target != "" && e.Target != f.Target,
			!f.From.IsZero() && e.At.Before(f.From),
			!f.To.IsZero() && e.At.After(f.To):
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b store.AuditEntry) int { return a.At.Compare(b.At) })
	n := f.Limit
	if n <= 0 {
		n = 1000
	}
	return page(out, 0, n)
}

func (s suite) testAudit(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	actors := []string{"admin", "张伟", "system"}
	actions := []string{"auth.login", "alarm.ack", "fence.update", "auth.logout"}
	var all []store.AuditEntry
	for i := range 40 {
		e := auditEntry(i, actors[i%3], actions[i%4], fmt.Sprintf("al-%d", i%5), at(time.Duration((i*3)%17)*time.Second))
		e.ID = 12345 // ignored
		all = append(all, e)
	}
	all[7].Detail = map[string]any{"n": 7, "note": "已确认 confirmed", "before": map[string]any{"state": "active"}, "list": []any{1.5, "x"}}
	for _, e := range all {
		if err := st.AppendAudit(c, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}

	got, err := st.Audit(c, store.AuditFilter{})
	if err != nil || len(got) != len(all) {
		t.Fatalf("Audit = %d, %v; want %d", len(got), err, len(all))
	}
	want := filterAudit(all, store.AuditFilter{})
	byID := map[int64]bool{}
	for i := range want {
		byID[got[i].ID] = true
		want[i].ID = got[i].ID
		want[i].Detail = normJSON(t, want[i].Detail)
	}
	same(t, "Audit", got, want)
	if len(byID) != len(all) {
		t.Errorf("Audit ids are not unique: %d distinct of %d", len(byID), len(all))
	}

	from, to := at(3*time.Second), at(12*time.Second) // both are entry times
	cases := map[string]store.AuditFilter{
		"actor":          {Actor: "张伟"},
		"action":         {Action: "alarm.ack"},
		"target":         {Target: "al-3"},
		"from":           {From: from},
		"to":             {To: to},
		"from to":        {From: from, To: to},
		"combined":       {Actor: "admin", Action: "auth.login", From: from, To: to},
		"actor target":   {Actor: "system", Target: "al-2"},
		"limit":          {Limit: 6},
		"filter limit":   {Action: "fence.update", Limit: 2},
		"unknown action": {Action: "nope"},
	}
	for name, f := range cases {
		got, err := st.Audit(c, f)
		if err != nil {
			t.Errorf("%s: Audit: %v", name, err)
			continue
		}
		if want := filterAudit(all, f); auditMarks(got) != auditMarks(want) {
			t.Errorf("%s: Audit(%+v)\n got %s\nwant %s", name, f, auditMarks(got), auditMarks(want))
		}
	}
	s.testAuditStamp(t, st)
	s.testAuditRefused(t, st, len(all)+1)
}

// testAuditStamp checks that an entry without a time gets the current one.
func (s suite) testAuditStamp(t *testing.T, st store.Store) {
	c := ctx(t)
	before := time.Now().Truncate(time.Millisecond)
	if err := st.AppendAudit(c, store.AuditEntry{Actor: "system", Action: "store.stamp"}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, err := st.Audit(c, store.AuditFilter{Action: "store.stamp"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Audit(store.stamp) = %v, %v", got, err)
	}
	if at := got[0].At; at.Before(before) || at.After(after) {
		t.Errorf("zero At stamped %v, want within [%v, %v]", at, before, after)
	}
}

func (s suite) testAuditRefused(t *testing.T, st store.Store, want int) {
	c := ctx(t)
	for name, e := range map[string]store.AuditEntry{
		"no actor":    {Action: "x"},
		"no action":   {Actor: "x"},
		"bad UTF-8":   {Actor: "x", Action: "y", Target: "\xfe"},
		"NUL remote":  {Actor: "x", Action: "y", Remote: "\x00"},
		"bad details": {Actor: "x", Action: "y", Detail: map[string]any{"c": make(chan int)}},
	} {
		if err := st.AppendAudit(c, e); err == nil {
			t.Errorf("AppendAudit(%s) = nil, want an error", name)
		}
	}
	if got, _ := st.Audit(c, store.AuditFilter{}); len(got) != want {
		t.Errorf("after refused entries: %d entries, want %d", len(got), want)
	}
}
