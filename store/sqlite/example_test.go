package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
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

func ExampleDB_Presence() {
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

	start := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	fix := func(person string, min int, lon, lat float64) store.Position {
		return store.Position{EntityID: person, At: start.Add(time.Duration(min) * time.Minute), Lon: lon, Lat: lat}
	}
	err = db.AppendPositions(ctx, []store.Position{
		fix("p-7", 0, 121.4990, 31.2500), // outside
		fix("p-7", 1, 121.5005, 31.2505), // inside
		fix("p-7", 2, 121.5008, 31.2502), // inside
		fix("p-9", 1, 121.5010, 31.2510), // on the corner: inside
		fix("p-3", 9, 121.5005, 31.2505), // inside, after the window
	})
	if err != nil {
		log.Fatal(err)
	}
	tankFarm := orb.Bound{Min: orb.Point{121.5000, 31.2500}, Max: orb.Point{121.5010, 31.2510}}
	who, err := db.Presence(ctx, store.PresenceQuery{Area: tankFarm, From: start, To: start.Add(5 * time.Minute)})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range who {
		fmt.Println(p.EntityID, p.First.Format("15:04"), p.Last.Format("15:04"), p.Fixes)
	}
	// Output:
	// p-7 08:01 08:02 2
	// p-9 08:01 08:01 1
}
