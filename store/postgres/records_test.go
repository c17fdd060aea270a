package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// benchRecord is task n of a year's inspection tasks of a large plant (as
// store/sqlite's benchmark): one every 5 min 15 s (274 a day), assigned in
// turn to 200 inspectors (1.4 a day each) on 500 routes.
func benchRecord(n int) store.Record {
	at := benchStart.Add(time.Duration(n) * 315 * time.Second)
	return store.Record{
		Collection: "inspection_tasks", ID: fmt.Sprintf("task-%06d", n),
		Status: []string{"open", "done", "done", "overdue"}[n%4],
		Owner:  fmt.Sprintf("inspector-%03d", n%200), Ref: fmt.Sprintf("route-%03d", n%500),
		At: at, UpdatedAt: at.Add(time.Hour),
		Doc: fmt.Appendf(nil, `{"id":"task-%06d","window":[%q,%q],"points":[{"n":1,"name":"罐区 T-101 呼吸阀"},{"n":2,"name":"泵房 P-3 机封"}]}`,
			n, at.Format(time.RFC3339), at.Add(2*time.Hour).Format(time.RFC3339)),
	}
}

// BenchmarkListRecords lists one inspector's tasks of a day and of a week
// out of 100 000, all tasks of a day, and the newest 20 of a route.
func BenchmarkListRecords(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	start := time.Now()
	const records = 100_000
	batch := make([]store.Record, 0, 1000)
	for i := range records {
		if batch = append(batch, benchRecord(i)); len(batch) == cap(batch) {
			if err := db.PutRecords(b.Context(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("filled %d records in %v (%.0f records/s)", records, time.Since(start).Round(time.Millisecond),
		records/time.Since(start).Seconds())
	day := benchStart.Add(100 * 24 * time.Hour)
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
