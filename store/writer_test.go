package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/sqlite"
)

func TestWriterBatchesAndDrains(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := store.NewWriter(db, store.WriterOptions{Batch: 64, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	at := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		w.Add(store.Event{Type: "area_enter", EntityID: fmt.Sprintf("P%03d", i%300), AreaID: "A-MEOH", At: at.Add(time.Duration(i) * time.Millisecond), Lon: 106.6, Lat: 38.1})
	}
	cancel() // the interval never fires: what is not a full batch is written by the drain
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(context.Background(), store.EventFilter{Limit: 5000})
	if err != nil || len(evs) != 1000 {
		t.Fatalf("%d events written (%v), want 1000", len(evs), err)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.Before(evs[i-1].At) {
			t.Fatal("events out of order")
		}
	}
}

func TestWriterDropsOnlyInvalidEvents(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := store.NewWriter(db, store.WriterOptions{Batch: 10, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	at := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		e := store.Event{Type: "area_enter", EntityID: fmt.Sprintf("P%d", i), At: at}
		if i == 4 {
			e.Type = "" // refused by the store
		}
		w.Add(e)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs, _ := db.Events(context.Background(), store.EventFilter{})
	if len(evs) != 9 {
		t.Fatalf("%d events kept, want the 9 valid ones", len(evs))
	}
}
