package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/storetest"
)

// envURL names the variable with the URL of the test server, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. The role must
// be able to create schemas (and the postgis extension, unless the
// database has it).
const envURL = "CHEMTWIN_TEST_POSTGRES"

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// testURL returns the test server's URL, or skips t without one.
func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		t.Skip(envURL + " not set: skipping the PostgreSQL tests (set it to the URL of a server with PostGIS, " +
			"e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return url
}

// newSchema returns the name of a schema of t's own, dropped with
// everything in it when t ends (after the stores t closes).
func newSchema(t testing.TB) string {
	t.Helper()
	url := testURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "chemtwin_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openSchema opens the store in schema; the caller closes it.
func openSchema(t testing.TB, schema string) *DB {
	t.Helper()
	db, err := Open(t.Context(), testURL(t), Options{Logger: quietLog, MaxConns: 4, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// openTemp opens a store in a new schema of t's own; the caller closes it.
func openTemp(t testing.TB) *DB {
	t.Helper()
	return openSchema(t, newSchema(t))
}

// openFresh opens a store in a new schema, closed when t ends.
func openFresh(t testing.TB) *DB {
	t.Helper()
	db := openTemp(t)
	t.Cleanup(func() { db.Close() })
	return db
}

// raw returns a connection into db's schema for statements the store does
// not offer, closed when t ends.
func raw(t testing.TB, db *DB) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{db.Schema()}.Sanitize() + ", public"
	c, err := pgx.ConnectConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.RunDurable(t,
		func(t *testing.T) store.Store { return openTemp(t) },
		func(t *testing.T, closed store.Store) store.Store { return openSchema(t, closed.(*DB).Schema()) })
}
