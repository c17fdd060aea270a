package postgres_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/postgres"
)

// Open a store on a PostgreSQL server with PostGIS, keep a fix and read one
// person's track back. (Not run: it needs a server.)
func ExampleOpen() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, "postgres://chemtwin@127.0.0.1:5432/plant?sslmode=disable",
		postgres.Options{Schema: "chemtwin"})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	fix := store.Position{EntityID: "p-1", At: now, Lon: 121.4737, Lat: 31.2304, Z: 1.5, Floor: 1}
	if err := db.AppendPositions(ctx, []store.Position{fix}); err != nil {
		log.Fatal(err)
	}
	track, err := db.Track(ctx, "p-1", now.Add(-8*time.Hour), now, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(track), "fixes")
}
