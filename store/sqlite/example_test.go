package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

func ExampleOpen() {
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

	raised := time.Date(2026, 7, 1, 16, 0, 0, 123_456_789, time.FixedZone("CST", 8*3600))
	err = db.SaveAlarm(ctx, alarm.Alarm{
		ID: "al-1", Type: alarm.SOS, Level: alarm.LevelHigh, State: alarm.Active,
		EntityID: "p-7", RaisedAt: raised, UpdatedAt: raised,
		Message: "一键报警", MessageEn: "SOS",
	})
	if err != nil {
		log.Fatal(err)
	}
	open, err := db.Alarms(ctx, alarm.Filter{Open: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range open {
		fmt.Println(a.ID, a.Type, a.RaisedAt.Format(time.RFC3339Nano))
	}
	// Output: al-1 sos 2026-07-01T08:00:00.123Z
}
