// Package postgres is chemtwin's production store: PostgreSQL with
// PostGIS, through github.com/jackc/pgx/v5, implementing store.Store.
//
// # Schema and migrations
//
// Open creates the postgis extension (in schema public) when the database
// lacks it, and the schema Options.Schema when it is set and missing; the
// store's tables live in that schema, found through the connections'
// search_path (the schema, then the extension's). The schema is a list of
// versioned SQL files embedded in the binary (migrations/0001_init.sql, …),
// applied in order, each in its own transaction together with its row in
// schema_migrations(version, applied_at). A database that records a
// version this binary does not know was written by a newer chemtwin and is
// refused with ErrSchemaTooNew. Two processes opening one database at once
// are serialised by advisory locks.
//
// # Time
//
// Times are timestamptz, truncated to the millisecond (towards the past,
// also before 1970) on the way in and read back in UTC; the zero time.Time
// round-trips as the zero time. Filters on time ranges compare at
// millisecond precision and are inclusive at both ends.
//
// # History
//
// positions and readings are partitioned by range on their time, one
// partition per UTC day, created on demand before the first write of a day
// and dropped whole by Purge; rows are written with COPY. See
// migrations/0002_history.sql and partitions.go.
//
// # Concurrency
//
// A DB is safe for concurrent use. It keeps a pool of connections
// (Options.MaxConns); each call uses one connection for its duration.
// Close waits for the calls in progress.
package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chemtwin/chemtwin/store"
)

var _ store.Store = (*DB)(nil)

// ErrClosed is returned by every call made after Close.
var ErrClosed = store.ErrClosed

// ErrInvalid is returned for a record the store refuses to keep: a missing
// key, an unknown alarm state, a number that is NaN or infinite, text that
// is not valid UTF-8 or holds a NUL byte (also inside a JSON document).
var ErrInvalid = store.ErrInvalid

// Options configure a DB. The zero value of each field is its default.
type Options struct {
	// Logger receives the store's logs; default slog.Default().
	Logger *slog.Logger
	// MaxConns is the most connections open at once; default GOMAXPROCS,
	// at least 4.
	MaxConns int32
	// Schema, when set, is the schema that holds the store's tables,
	// created if missing; default the connection's current schema (the
	// first existing one of the server's search_path, usually public).
	Schema string
}

// DB is a PostgreSQL-backed store.Store. It is safe for concurrent use.
type DB struct {
	schema string
	log    *slog.Logger
	pool   *pgxpool.Pool
	parts  *partitions

	// mu is held shared by every call in progress and exclusively by Close,
	// so that Close waits for outstanding calls and later calls see closed.
	mu     sync.RWMutex
	closed bool
}

// Open connects to the database at url (a postgres:// URL or a libpq
// key=value string), prepares PostGIS and the schema, and brings the
// schema up to date.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = int32(max(4, runtime.GOMAXPROCS(0)))
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	schema, searchPath, err := prepare(ctx, cfg, opts.Schema)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["search_path"] = searchPath
	cfg.RuntimeParams["timezone"] = "UTC"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "chemtwin"
	}
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pcfg.ConnConfig = cfg
	pcfg.MaxConns = opts.MaxConns
	// Connections the server or a firewall dropped are found before use.
	pcfg.HealthCheckPeriod = 15 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := &DB{
		schema: schema,
		log:    opts.Logger.With("component", "store", "db", cfg.Database, "schema", schema),
		pool:   pool,
	}
	db.parts = newPartitions(db.log)
	if err := db.migrate(ctx, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Schema returns the schema that holds the store's tables.
func (db *DB) Schema() string { return db.schema }

// enter marks a call in progress; it fails once the store is closed. Every
// exported method calls it first and defers db.leave.
func (db *DB) enter() error {
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (db *DB) leave() { db.mu.RUnlock() }

// conn runs f with a connection of the pool (pgxpool) for its sole use.
func (db *DB) conn(ctx context.Context, f func(*pgx.Conn) error) error {
	return db.pool.AcquireFunc(ctx, func(pc *pgxpool.Conn) error { return f(pc.Conn()) })
}

// tx runs f in a transaction, committed if f returns nil.
func (db *DB) tx(ctx context.Context, f func(pgx.Tx) error) error {
	return db.conn(ctx, func(c *pgx.Conn) error { return pgx.BeginFunc(ctx, c, f) })
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := db.conn(ctx, func(c *pgx.Conn) error { return c.Ping(ctx) }); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close waits for the calls in progress and closes the connections. Calls
// made after Close fail with ErrClosed; closing again does nothing and
// returns nil.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	db.pool.Close()
	return nil
}
