package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// The suite's collections.
const (
	tasks = "inspection_tasks"
	plans = "inspection_plans"
)

// rec is a valid record of the suite at base+d, updated a minute later.
func rec(coll, id, status, owner, ref string, d time.Duration) store.Record {
	return store.Record{Collection: coll, ID: id, Status: status, Owner: owner, Ref: ref,
		At: at(d), UpdatedAt: at(d + time.Minute), Doc: []byte(`{"id": "` + id + `"}`)}
}

// stored is r as it reads back: times truncated to the millisecond, in UTC.
func stored(r store.Record) store.Record {
	r.At, r.UpdatedAt = r.At.Truncate(time.Millisecond).UTC(), r.UpdatedAt.Truncate(time.Millisecond).UTC()
	return r
}

// sameRecord reports the fields in which got differs from want (times by
// instant and location UTC, the document byte for byte).
func sameRecord(t *testing.T, what string, got, want store.Record) {
	t.Helper()
	if got.Collection != want.Collection || got.ID != want.ID || got.Status != want.Status ||
		got.Owner != want.Owner || got.Ref != want.Ref || !bytes.Equal(got.Doc, want.Doc) ||
		!got.At.Equal(want.At) || got.At.Location() != time.UTC ||
		!got.UpdatedAt.Equal(want.UpdatedAt) || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("%s:\n got %+v (doc %.80s)\nwant %+v (doc %.80s)", what, got, got.Doc, want, want.Doc)
	}
}

// recordIDs lists the ids of the records f selects.
func recordIDs(t *testing.T, st store.Store, f store.RecordFilter) []string {
	t.Helper()
	rs, err := st.ListRecords(ctx(t), f)
	if err != nil {
		t.Fatalf("ListRecords(%+v): %v", f, err)
	}
	var ids []string
	for _, r := range rs {
		if r.Collection != f.Collection {
			t.Errorf("ListRecords(%s) returned a record of %s", f.Collection, r.Collection)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// testRecords: records round-trip (every field; the document byte for
// byte; times to the millisecond, in UTC), one per (collection, id) — the
// latest put replaces every field, the same id in another collection is
// another record — and delete removes one; unknown ones are ErrNotFound.
func (s suite) testRecords(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if got, err := st.ListRecords(c, store.RecordFilter{Collection: tasks}); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	if _, err := st.GetRecord(c, tasks, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord(nope) = %v, want ErrNotFound", err)
	}
	if err := st.DeleteRecord(c, tasks, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteRecord(nope) = %v, want ErrNotFound", err)
	}
	cst := time.FixedZone("CST", 8*3600)
	task := rec(tasks, "task-1", "assigned", "zhang.wei", "route-7", 0)
	task.At = time.Date(2026, 7, 1, 16, 0, 0, 123_456_789, cst) // base + 123.456789 ms
	task.UpdatedAt = task.At.Add(time.Hour)
	task.Doc = []byte(`{"id": "task-1",  "points": [{"n": 1, "zh": "罐区 T-101 巡检点", "ok": null}], "esc": "\u0000\"\\"}`)
	plan := rec(plans, "task-1", "", "", "", -time.Hour) // the same id in another collection
	for _, r := range []store.Record{task, plan} {
		if err := st.PutRecord(c, r); err != nil {
			t.Fatalf("PutRecord %s/%s: %v", r.Collection, r.ID, err)
		}
	}
	got, err := st.GetRecord(c, tasks, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, "GetRecord task-1", got, stored(task))
	if !got.At.Equal(at(123 * time.Millisecond)) {
		t.Errorf("At = %v, want %v (truncated to the millisecond)", got.At, at(123*time.Millisecond))
	}
	if got, err := st.GetRecord(c, plans, "task-1"); err != nil {
		t.Error(err)
	} else {
		sameRecord(t, "GetRecord plans/task-1", got, stored(plan))
	}

	// The latest put replaces every field.
	repl := rec(tasks, "task-1", "done", "li.na", "route-8", 5*time.Hour)
	repl.Doc = []byte(`{"v":2}`)
	if err := st.PutRecord(c, repl); err != nil {
		t.Fatal(err)
	}
	if got, err := st.GetRecord(c, tasks, "task-1"); err != nil {
		t.Error(err)
	} else {
		sameRecord(t, "replaced", got, stored(repl))
	}
	if ids := recordIDs(t, st, store.RecordFilter{Collection: tasks}); !slices.Equal(ids, []string{"task-1"}) {
		t.Errorf("after replace: %v, want one record", ids)
	}

	if err := st.DeleteRecord(c, tasks, "task-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetRecord(c, tasks, "task-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord after delete = %v, want ErrNotFound", err)
	}
	if err := st.DeleteRecord(c, tasks, "task-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteRecord twice = %v, want ErrNotFound", err)
	}
	if _, err := st.GetRecord(c, plans, "task-1"); err != nil {
		t.Errorf("the other collection's record after delete: %v", err)
	}
	for _, id := range []string{"\xff", "a\x00b"} { // no record can have it
		if _, err := st.GetRecord(c, tasks, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetRecord(%q) = %v, want ErrNotFound", id, err)
		}
		if err := st.DeleteRecord(c, tasks, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteRecord(%q) = %v, want ErrNotFound", id, err)
		}
	}
	for _, coll := range []string{"", "Inspection_tasks", "a-b", strings.Repeat("a", 65)} {
		if _, err := st.GetRecord(c, coll, "x"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("GetRecord(collection %q) = %v, want ErrInvalid", coll, err)
		}
		if err := st.DeleteRecord(c, coll, "x"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("DeleteRecord(collection %q) = %v, want ErrInvalid", coll, err)
		}
	}
	cancelled, cancel := context.WithCancel(c)
	cancel()
	if _, err := st.ListRecords(cancelled, store.RecordFilter{Collection: tasks}); err == nil {
		t.Error("ListRecords(cancelled context) = nil, want an error")
	}
	if err := st.PutRecord(cancelled, rec(tasks, "late", "", "", "", 0)); err == nil {
		t.Error("PutRecord(cancelled context) = nil, want an error")
	}
}

// testRecordFilters: every filter of ListRecords alone and combined; order
// by At then ID in byte order, Desc its exact reverse; Limit.
func (s suite) testRecordFilters(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	const h = time.Hour
	put := []store.Record{
		rec(tasks, "t-a", "open", "alice", "route-1", 0),
		rec(tasks, "t-b", "open", "bob", "route-1", h),
		rec(tasks, "t-c", "done", "alice", "route-2", h),
		rec(tasks, "T-f", "done", "alice", "route-1", h),                        // "T" < "t" in byte order
		rec(tasks, "t-ü", "overdue", "bob", "route-2", h),                       // 0xC3 > "c"
		rec(tasks, "t-g", "open", "alice", "route-1", 2*h+300*time.Microsecond), // stored at 2 h: after t-d by id
		rec(tasks, "t-d", "overdue", "bob", "route-2", 2*h),
		rec(tasks, "t-e", "", "", "", 3*h),
		rec(plans, "t-a", "open", "alice", "route-1", 0), // another collection
	}
	if err := st.PutRecords(ctx(t), put); err != nil {
		t.Fatal(err)
	}
	all := []string{"t-a", "T-f", "t-b", "t-c", "t-ü", "t-d", "t-g", "t-e"}
	type F = store.RecordFilter
	for _, tc := range []struct {
		name string
		f    F
		want []string
	}{
		{"all", F{}, all},
		{"status any of", F{Status: []string{"done", "overdue"}}, []string{"T-f", "t-c", "t-ü", "t-d"}},
		{"status empty", F{Status: []string{""}}, []string{"t-e"}},
		{"status unknown", F{Status: []string{"nope"}}, nil},
		{"status bad text", F{Status: []string{"\xff"}}, nil},
		{"status bad text or done", F{Status: []string{"\xff", "done"}}, []string{"T-f", "t-c"}},
		{"owner", F{Owner: "alice"}, []string{"t-a", "T-f", "t-c", "t-g"}},
		{"owner bad text", F{Owner: "\xff"}, nil},
		{"ref", F{Ref: "route-2"}, []string{"t-c", "t-ü", "t-d"}},
		{"owner and ref", F{Owner: "alice", Ref: "route-1"}, []string{"t-a", "T-f", "t-g"}},
		{"owner and status", F{Owner: "bob", Status: []string{"overdue"}}, []string{"t-ü", "t-d"}},
		{"from inclusive", F{From: at(h)}, all[1:]},
		{"from a ms later", F{From: at(h + time.Millisecond)}, []string{"t-d", "t-g", "t-e"}},
		{"to exclusive", F{To: at(2 * h)}, all[:5]},
		{"to a ms later", F{To: at(2*h + time.Millisecond)}, all[:7]},
		{"from to", F{From: at(h), To: at(2 * h)}, []string{"T-f", "t-b", "t-c", "t-ü"}},
		{"from = to", F{From: at(h), To: at(h)}, nil},
		{"from after to", F{From: at(2 * h), To: at(h)}, nil},
		// Bounds are truncated to the millisecond like stored times: t-g
		// put at 2 h + 300 µs is found from its own At and not before it.
		{"from sub-ms", F{From: at(2*h + 300*time.Microsecond)}, []string{"t-d", "t-g", "t-e"}},
		{"to sub-ms", F{To: at(2*h + 300*time.Microsecond)}, all[:5]},
		{"limit", F{Limit: 3}, all[:3]},
		{"limit negative", F{Limit: -1}, all},
		{"limit beyond", F{Limit: 100}, all},
		{"desc", F{Desc: true}, []string{"t-e", "t-g", "t-d", "t-ü", "t-c", "t-b", "T-f", "t-a"}},
		{"desc limit", F{Desc: true, Limit: 3}, []string{"t-e", "t-g", "t-d"}},
		{"desc owner from", F{Desc: true, Owner: "alice", From: at(h)}, []string{"t-g", "t-c", "T-f"}},
		{"combined", F{Status: []string{"open"}, Ref: "route-1", From: at(0), To: at(3 * h), Desc: true, Limit: 2}, []string{"t-g", "t-b"}},
	} {
		tc.f.Collection = tasks
		if got := recordIDs(t, st, tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := recordIDs(t, st, F{Collection: plans, Owner: "alice"}); !slices.Equal(got, []string{"t-a"}) {
		t.Errorf("plans: %q, want [t-a]", got)
	}
	if got := recordIDs(t, st, F{Collection: "hidden_dangers"}); got != nil {
		t.Errorf("an empty collection: %q", got)
	}
	rs, err := st.ListRecords(ctx(t), F{Collection: tasks, Owner: "bob", Desc: true})
	if err != nil || len(rs) != 3 {
		t.Fatalf("bob's: %d, %v", len(rs), err)
	}
	sameRecord(t, "listed t-d", rs[0], stored(put[6]))
	for _, coll := range []string{"", "Inspection_tasks", "a-b", "a b", "ä", strings.Repeat("a", 65)} {
		if _, err := st.ListRecords(ctx(t), F{Collection: coll}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListRecords(collection %q) = %v, want ErrInvalid", coll, err)
		}
	}
}

// testRecordsInvalid: PutRecord and PutRecords refuse bad records with
// ErrInvalid and write nothing; the limits themselves are accepted.
func (s suite) testRecordsInvalid(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	with := func(f func(r *store.Record)) store.Record {
		r := rec(tasks, "bad", "open", "alice", "route-1", 0)
		f(&r)
		return r
	}
	bigDoc := []byte(`"` + strings.Repeat("a", store.MaxRecordDocBytes-1) + `"`) // 1 MiB + 1 byte
	for name, r := range map[string]store.Record{
		"empty collection":     with(func(r *store.Record) { r.Collection = "" }),
		"upper-case":           with(func(r *store.Record) { r.Collection = "Inspection_tasks" }),
		"dash in collection":   with(func(r *store.Record) { r.Collection = "inspection-tasks" }),
		"long collection":      with(func(r *store.Record) { r.Collection = strings.Repeat("a", 65) }),
		"empty id":             with(func(r *store.Record) { r.ID = "" }),
		"long id":              with(func(r *store.Record) { r.ID = strings.Repeat("i", 201) }),
		"long owner":           with(func(r *store.Record) { r.Owner = strings.Repeat("o", 201) }),
		"long status":          with(func(r *store.Record) { r.Status = strings.Repeat("s", 201) }),
		"long ref":             with(func(r *store.Record) { r.Ref = strings.Repeat("r", 201) }),
		"zero at":              with(func(r *store.Record) { r.At = time.Time{} }),
		"zero updated":         with(func(r *store.Record) { r.UpdatedAt = time.Time{} }),
		"year 10000":           with(func(r *store.Record) { r.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }),
		"not JSON":             with(func(r *store.Record) { r.Doc = []byte(`{"a":`) }),
		"two JSON values":      with(func(r *store.Record) { r.Doc = []byte(`{} {}`) }),
		"no doc":               with(func(r *store.Record) { r.Doc = nil }),
		"doc over 1 MiB":       with(func(r *store.Record) { r.Doc = bigDoc }),
		"bad UTF-8 in doc":     with(func(r *store.Record) { r.Doc = []byte("{\"a\": \"\xff\"}") }),
		"bad UTF-8 id":         with(func(r *store.Record) { r.ID = "\xff" }),
		"bad UTF-8 status":     with(func(r *store.Record) { r.Status = "op\xc3" }),
		"NUL in owner":         with(func(r *store.Record) { r.Owner = "a\x00" }),
		"NUL in ref":           with(func(r *store.Record) { r.Ref = "\x00" }),
		"surrogate half in id": with(func(r *store.Record) { r.ID = "\xed\xa0\x80" }),
	} {
		if err := st.PutRecord(c, r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutRecord %s: %v, want ErrInvalid", name, err)
		}
		if err := st.PutRecords(c, []store.Record{rec(tasks, "good", "", "", "", 0), r}); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "record 1") {
			t.Errorf("PutRecords with %s: %v, want ErrInvalid naming record 1", name, err)
		}
	}
	for _, coll := range []string{tasks, "a"} {
		if ids := recordIDs(t, st, store.RecordFilter{Collection: coll}); ids != nil {
			t.Errorf("refused records were written to %s: %q", coll, ids)
		}
	}

	// The limits themselves.
	edge := rec(strings.Repeat("z", 64), strings.Repeat("é", 100), strings.Repeat("s", 200), strings.Repeat("o", 200), strings.Repeat("r", 200), 0)
	edge.Doc = []byte(`"` + strings.Repeat("a", store.MaxRecordDocBytes-2) + `"`) // exactly 1 MiB
	if err := st.PutRecord(c, edge); err != nil {
		t.Fatalf("a record at every limit: %v", err)
	}
	if got, err := st.GetRecord(c, edge.Collection, edge.ID); err != nil {
		t.Error(err)
	} else {
		sameRecord(t, "a record at every limit", got, stored(edge))
	}
}

// testPutRecords: a batch is stored in order (a later record of the same
// key wins) in one transaction — one refused record and none is stored.
func (s suite) testPutRecords(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := st.PutRecords(c, nil); err != nil {
		t.Errorf("PutRecords(nil) = %v", err)
	}
	first := rec(tasks, "t-1", "open", "alice", "", 0)
	if err := st.PutRecord(c, first); err != nil {
		t.Fatal(err)
	}
	bad := rec(tasks, "t-3", "open", "", "", time.Hour)
	bad.At = time.Time{}
	batch := []store.Record{
		rec(tasks, "t-2", "open", "bob", "", time.Hour),
		rec(tasks, "t-1", "done", "alice", "", 0), // replaces the stored one
		rec(plans, "p-1", "", "", "", 0),
		bad,
	}
	keep := slices.Clone(batch)
	err := st.PutRecords(c, batch)
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "record 3") {
		t.Errorf("PutRecords with record 3 refused: %v, want ErrInvalid naming record 3", err)
	}
	if !slices.EqualFunc(batch, keep, func(a, b store.Record) bool { return a.ID == b.ID && a.Collection == b.Collection }) {
		t.Error("PutRecords modified the caller's slice")
	}
	if got, err := st.GetRecord(c, tasks, "t-1"); err != nil || got.Status != "open" {
		t.Errorf("t-1 after the refused batch: %+v, %v; want it unchanged (open)", got, err)
	}
	for _, k := range [][2]string{{tasks, "t-2"}, {plans, "p-1"}} {
		if _, err := st.GetRecord(c, k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s/%s after the refused batch: %v, want ErrNotFound", k[0], k[1], err)
		}
	}

	// Without the refused record the batch is stored, in order.
	batch = append(batch[:3], rec(tasks, "t-2", "late", "carol", "", 2*time.Hour))
	if err := st.PutRecords(c, batch); err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]store.Record{
		{tasks, "t-1"}: batch[1], {tasks, "t-2"}: batch[3], {plans, "p-1"}: batch[2],
	}
	for k, w := range want {
		if got, err := st.GetRecord(c, k[0], k[1]); err != nil {
			t.Error(err)
		} else {
			sameRecord(t, k[0]+"/"+k[1], got, stored(w))
		}
	}
}

// jpegOf returns n bytes of a JPEG: the SOI and APP0 markers, then every
// byte value in turn (NUL, 0xFF and invalid UTF-8 among them).
func jpegOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	copy(b, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	return b
}

// testBlobs: blobs round-trip byte for byte, are immutable (a second put
// of an id is ErrConflict and keeps the first), and bad ones are refused.
func (s suite) testBlobs(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if _, err := st.GetBlob(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetBlob(nope) = %v, want ErrNotFound", err)
	}
	cst := time.FixedZone("CST", 8*3600)
	png := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, "\x00\x00\x00\rIHDR\xff\xfe"...)
	webp := []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x00\xff")
	blobs := []store.Blob{
		{ID: "photo/hd-1.jpg", ContentType: "image/jpeg", Data: jpegOf(300_001), CreatedAt: time.Date(2026, 7, 1, 16, 0, 0, 999_999, cst), By: "zhang.wei"},
		{ID: "照片-2", ContentType: "image/png", Data: png, CreatedAt: at(time.Second), By: "li.na"},
		{ID: "p3", ContentType: "image/webp", Data: webp, CreatedAt: at(2 * time.Second), By: "li.na"},
		{ID: "max", ContentType: "image/jpeg", Data: jpegOf(store.MaxBlobBytes), CreatedAt: at(0), By: "li.na"},
	}
	for _, b := range blobs {
		if err := st.PutBlob(c, b); err != nil {
			t.Fatalf("PutBlob %s: %v", b.ID, err)
		}
	}
	for _, b := range blobs {
		got, err := st.GetBlob(c, b.ID)
		if err != nil {
			t.Errorf("GetBlob %s: %v", b.ID, err)
			continue
		}
		want := b.CreatedAt.Truncate(time.Millisecond)
		if got.ID != b.ID || got.ContentType != b.ContentType || got.By != b.By ||
			!got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("GetBlob %s: %q %q %q %v, want %q %q %q %v in UTC", b.ID, got.ID, got.ContentType, got.By, got.CreatedAt,
				b.ID, b.ContentType, b.By, want)
		}
		if !bytes.Equal(got.Data, b.Data) {
			t.Errorf("GetBlob %s: %d bytes differ from the %d stored", b.ID, len(got.Data), len(b.Data))
		}
	}

	// Immutable: the second put of an id is a conflict and changes nothing.
	again := blobs[1]
	again.Data, again.ContentType, again.By = jpegOf(10), "image/jpeg", "mallory"
	if err := st.PutBlob(c, again); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutBlob of a stored id = %v, want ErrConflict", err)
	}
	if err := st.PutBlob(c, blobs[1]); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutBlob of the same blob again = %v, want ErrConflict", err)
	}
	if got, err := st.GetBlob(c, blobs[1].ID); err != nil || !bytes.Equal(got.Data, png) || got.By != "li.na" {
		t.Errorf("after a refused overwrite: %q by %s, %v; want the first", got.Data, got.By, err)
	}

	with := func(f func(b *store.Blob)) store.Blob {
		b := store.Blob{ID: "bad", ContentType: "image/jpeg", Data: jpegOf(100), CreatedAt: at(0), By: "li.na"}
		f(&b)
		return b
	}
	for name, b := range map[string]store.Blob{
		"over 8 MiB":       with(func(b *store.Blob) { b.Data = jpegOf(store.MaxBlobBytes + 1) }),
		"empty id":         with(func(b *store.Blob) { b.ID = "" }),
		"long id":          with(func(b *store.Blob) { b.ID = strings.Repeat("b", 201) }),
		"bad UTF-8 id":     with(func(b *store.Blob) { b.ID = "bad\xff" }),
		"NUL in id":        with(func(b *store.Blob) { b.ID = "bad\x00" }),
		"gif":              with(func(b *store.Blob) { b.ContentType, b.Data = "image/gif", []byte("GIF89a....") }),
		"html":             with(func(b *store.Blob) { b.ContentType, b.Data = "text/html", []byte("<script>") }),
		"upper-case type":  with(func(b *store.Blob) { b.ContentType = "IMAGE/JPEG" }),
		"no type":          with(func(b *store.Blob) { b.ContentType = "" }),
		"png called jpeg":  with(func(b *store.Blob) { b.Data = png }),
		"jpeg called png":  with(func(b *store.Blob) { b.ContentType = "image/png" }),
		"webp header only": with(func(b *store.Blob) { b.ContentType, b.Data = "image/webp", []byte("RIFF\x24\x00\x00") }),
		"riff not webp":    with(func(b *store.Blob) { b.ContentType, b.Data = "image/webp", []byte("RIFF\x24\x00\x00\x00WAVEfmt ") }),
		"no data":          with(func(b *store.Blob) { b.Data = nil }),
		"zero time":        with(func(b *store.Blob) { b.CreatedAt = time.Time{} }),
		"no author":        with(func(b *store.Blob) { b.By = "" }),
		"bad UTF-8 author": with(func(b *store.Blob) { b.By = "\xc3" }),
	} {
		if err := st.PutBlob(c, b); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutBlob %s: %v, want ErrInvalid", name, err)
		}
	}
	for _, id := range []string{"bad", "bad\xff", "\x00"} {
		if _, err := st.GetBlob(c, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetBlob(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

// testRecordsConcurrency: writers put records of their own, upsert shared
// ones — singly and in batches that list the shared keys in opposite
// orders — while readers list: nothing is lost, nothing fails.
func (s suite) testRecordsConcurrency(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	writers, writes := 8, 100
	if testing.Short() || raceEnabled {
		writes = 30
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := range 2 {
		wg.Go(func() {
			for range 100 {
				select {
				case <-done:
					return
				default:
				}
				if _, err := st.ListRecords(c, store.RecordFilter{Collection: tasks, Owner: fmt.Sprintf("w%d", r), Desc: true, Limit: 10}); err != nil {
					t.Errorf("concurrent list: %v", err)
					return
				}
			}
		})
	}
	var writing sync.WaitGroup
	for g := range writers {
		writing.Go(func() {
			owner := fmt.Sprintf("w%d", g)
			for i := range writes {
				mine := rec(tasks, fmt.Sprintf("%s-%03d", owner, i), "open", owner, "", time.Duration(i)*time.Second)
				shared := rec(tasks, "shared", "open", "", "", time.Duration(i)*time.Second)
				shared.Doc = fmt.Appendf(nil, `{"by": %q, "i": %d}`, owner, i)
				pair := []store.Record{rec(plans, "a", "", owner, "", 0), rec(plans, "b", "", owner, "", 0)}
				if g%2 == 1 {
					slices.Reverse(pair)
				}
				if err := errors.Join(st.PutRecord(c, mine), st.PutRecord(c, shared), st.PutRecords(c, pair)); err != nil {
					t.Errorf("%s write %d: %v", owner, i, err)
					return
				}
			}
		})
	}
	writing.Wait()
	close(done)
	wg.Wait()
	for g := range writers {
		owner := fmt.Sprintf("w%d", g)
		rs, err := st.ListRecords(c, store.RecordFilter{Collection: tasks, Owner: owner})
		if err != nil || len(rs) != writes {
			t.Errorf("%s: %d records, %v; want %d", owner, len(rs), err, writes)
			continue
		}
		for i, r := range rs {
			if r.ID != fmt.Sprintf("%s-%03d", owner, i) {
				t.Errorf("%s: record %d is %s", owner, i, r.ID)
				break
			}
		}
	}
	got, err := st.GetRecord(c, tasks, "shared")
	var doc struct {
		By string
		I  int
	}
	if err != nil || json.Unmarshal(got.Doc, &doc) != nil || !strings.HasPrefix(doc.By, "w") || !got.At.Equal(at(time.Duration(doc.I)*time.Second)) {
		t.Errorf("shared: %+v (%s), %v; want one writer's whole record", got, got.Doc, err)
	}
	a, errA := st.GetRecord(c, plans, "a")
	b, errB := st.GetRecord(c, plans, "b")
	if errA != nil || errB != nil || a.Owner == "" || b.Owner == "" {
		t.Errorf("plans a, b: %+v %v, %+v %v", a, errA, b, errB)
	}
}

// testRecordsDurable: records and blobs survive closing and reopening the
// store unchanged.
func (s suite) testRecordsDurable(t *testing.T) {
	t.Parallel()
	st := s.open(t)
	c := ctx(t)
	rs := []store.Record{
		rec(tasks, "t-1", "open", "alice", "route-1", 0),
		rec(tasks, "t-2", "done", "bob", "route-1", time.Hour+999*time.Microsecond),
	}
	blob := store.Blob{ID: "photo-1", ContentType: "image/jpeg", Data: jpegOf(70_000), CreatedAt: at(time.Minute), By: "alice"}
	if err := errors.Join(st.PutRecords(c, rs), st.PutBlob(c, blob)); err != nil {
		closeStore(t, st)
		t.Fatal(err)
	}
	closeStore(t, st)
	st = s.reopen(t, st)
	defer closeStore(t, st)
	got, err := st.ListRecords(c, store.RecordFilter{Collection: tasks})
	if err != nil || len(got) != len(rs) {
		t.Fatalf("after reopen: %d records, %v", len(got), err)
	}
	for i := range rs {
		sameRecord(t, "after reopen", got[i], stored(rs[i]))
	}
	if b, err := st.GetBlob(c, blob.ID); err != nil || !bytes.Equal(b.Data, blob.Data) || !b.CreatedAt.Equal(blob.CreatedAt) {
		t.Errorf("blob after reopen: %d bytes, %v", len(b.Data), err)
	}
}
