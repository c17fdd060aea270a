package sqlite

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// The record benchmarks model a year's inspection tasks of a large plant:
// 100 000 tasks, one every 5 min 15 s (274 a day), assigned in turn to 200
// inspectors (1.4 a day each) on 500 routes, a quarter of them open.
const (
	benchRecords   = 100_000
	benchInspector = 200
	benchRoutes    = 500
	benchEvery     = 315 * time.Second
)

// benchRecord is task n of the benchmark year.
func benchRecord(n int) store.Record {
	at := benchBase.Add(time.Duration(n) * benchEvery)
	return store.Record{
		Collection: "inspection_tasks", ID: fmt.Sprintf("task-%06d", n),
		Status: []string{"open", "done", "done", "overdue"}[n%4],
		Owner:  fmt.Sprintf("inspector-%03d", n%benchInspector), Ref: fmt.Sprintf("route-%03d", n%benchRoutes),
		At: at, UpdatedAt: at.Add(time.Hour),
		Doc: fmt.Appendf(nil, `{"id":"task-%06d","window":[%q,%q],"points":[{"n":1,"name":"罐区 T-101 呼吸阀"},{"n":2,"name":"泵房 P-3 机封"}]}`,
			n, at.Format(time.RFC3339), at.Add(2*time.Hour).Format(time.RFC3339)),
	}
}

// fillRecords stores tasks 0 … n-1 in batches of 1000.
func fillRecords(tb testing.TB, db *DB, n int) {
	tb.Helper()
	batch := make([]store.Record, 0, 1000)
	for i := range n {
		batch = append(batch, benchRecord(i))
		if len(batch) == cap(batch) || i == n-1 {
			if err := db.PutRecords(tb.Context(), batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// BenchmarkListRecords lists one inspector's tasks of a day and of a week
// out of 100 000, all tasks of a day, and the newest 20 of a route.
func BenchmarkListRecords(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	start := time.Now()
	fillRecords(b, db, benchRecords)
	b.Logf("filled %d records in %v (%.0f records/s)", benchRecords, time.Since(start).Round(time.Millisecond),
		benchRecords/time.Since(start).Seconds())
	day := benchBase.Add(100 * 24 * time.Hour)
	for _, bc := range []struct {
		name string
		f    store.RecordFilter
	}{
		{"owner-day", store.RecordFilter{Owner: "inspector-042", From: day, To: day.Add(24 * time.Hour)}},
		{"owner-week", store.RecordFilter{Owner: "inspector-042", From: day, To: day.Add(7 * 24 * time.Hour)}},
		{"day", store.RecordFilter{From: day, To: day.Add(24 * time.Hour)}},
		{"ref-newest-20", store.RecordFilter{Ref: "route-007", Desc: true, Limit: 20}},
	} {
		bc.f.Collection = "inspection_tasks"
		b.Run(bc.name, func(b *testing.B) {
			var n int
			b.ReportAllocs()
			for b.Loop() {
				rs, err := db.ListRecords(b.Context(), bc.f)
				if err != nil || len(rs) == 0 {
					b.Fatalf("%d records, %v", len(rs), err)
				}
				n = len(rs)
			}
			b.ReportMetric(float64(n), "records/op")
		})
	}
}

// TestRecordsQueryPlan: ListRecords by owner, ref or time reads an index
// in (at, id) order — no full scan, no sort — either way; by status, one
// index range per status.
func TestRecordsQueryPlan(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	fillRecords(t, db, 2000)
	from, to := benchBase, benchBase.Add(24*time.Hour)
	for _, analyze := range []bool{false, true} {
		if analyze {
			if _, err := db.w.Exec("ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			f     store.RecordFilter
			index string // "": any
		}{
			{store.RecordFilter{Owner: "inspector-001", From: from, To: to}, "records_owner"},
			{store.RecordFilter{Owner: "inspector-001", From: from}, "records_owner"},
			{store.RecordFilter{Ref: "route-001", Limit: 20}, "records_ref"},
			{store.RecordFilter{From: from, To: to}, "records_at"},
			{store.RecordFilter{}, "records_at"},
			{store.RecordFilter{Status: []string{"open"}, From: from}, "records_status"},
			// Two statuses: two ranges of records_status then a sort, or
			// the window of records_at — either is fine.
			{store.RecordFilter{Status: []string{"open", "overdue"}, From: from}, ""},
		} {
			for _, desc := range []bool{false, true} {
				tc.f.Collection, tc.f.Desc = "inspection_tasks", desc
				q, args := listRecords(tc.f)
				plan := queryPlan(t, db, "SELECT "+recordColumns+" FROM records"+q, args)
				if !strings.Contains(plan, "INDEX "+tc.index) || strings.Contains(plan, "SCAN") ||
					tc.index != "" && strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("analyze %v, %+v: plan %q, want %s without a sort", analyze, tc.f, plan, tc.index)
				}
			}
		}
	}
}
