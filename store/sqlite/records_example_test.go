package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/sqlite"
)

// An inspection service keeps its tasks as records and lists an
// inspector's open tasks of a day.
func ExampleDB_ListRecords() {
	dir, err := os.MkdirTemp("", "chemtwin")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "chemtwin.db"), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	task := func(id, status string, h int) store.Record {
		at := day.Add(time.Duration(h) * time.Hour)
		return store.Record{Collection: "inspection_tasks", ID: id, Status: status, Owner: "zhang.wei",
			Ref: "route-tank-farm", At: at, UpdatedAt: at, Doc: []byte(`{"route": "罐区日常巡检"}`)}
	}
	err = db.PutRecords(ctx, []store.Record{task("t-2", "open", 14), task("t-1", "open", 8), task("t-0", "done", 2)})
	if err != nil {
		log.Fatal(err)
	}
	open, err := db.ListRecords(ctx, store.RecordFilter{Collection: "inspection_tasks",
		Owner: "zhang.wei", Status: []string{"open"}, From: day, To: day.Add(24 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range open {
		fmt.Println(r.ID, r.At.Format(time.RFC3339), string(r.Doc))
	}
	// Output:
	// t-1 2026-07-01T00:00:00Z {"route": "罐区日常巡检"}
	// t-2 2026-07-01T06:00:00Z {"route": "罐区日常巡检"}
}
