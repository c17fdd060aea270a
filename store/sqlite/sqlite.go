// Package sqlite is chemtwin's embedded store: one SQLite file, through the
// pure-Go driver modernc.org/sqlite, implementing store.Store.
//
// # Schema and migrations
//
// The schema is a list of versioned SQL files embedded in the binary
// (migrations/0001_init.sql, …). Open applies the ones a database lacks, in
// order, each in its own transaction together with its row in
// schema_migrations(version, applied_at). A database that records a version
// this binary does not know was written by a newer chemtwin and is refused
// with ErrSchemaTooNew rather than half-understood.
//
// # Time
//
// Times are stored as INTEGER unix milliseconds UTC. A time round-trips
// exactly to the millisecond: the sub-millisecond part is truncated (towards
// the past, also before 1970), the zone is dropped and every time read back
// is in UTC. The zero time.Time round-trips as the zero time. Filters on
// time ranges compare at millisecond precision and are inclusive at both
// ends.
//
// # Concurrency
//
// A DB is safe for concurrent use. It keeps two connection pools on the same
// file. All writes go through one connection, so concurrent writers queue in
// Go — honouring their contexts — instead of failing with SQLITE_BUSY; reads
// use a pool of query-only connections that, in WAL mode, see a consistent
// snapshot without waiting for the writer or each other. A busy timeout
// (Options.BusyTimeout) covers other processes sharing the file.
//
// # History
//
// Positions and readings live in WITHOUT ROWID tables clustered on (id, at,
// seq), so one entity's trajectory is a contiguous range however the fixes
// of many arrived; seq comes from the table history_seq and orders rows
// with equal times by append. Appends are one transaction per batch with
// multi-row INSERTs on the write connection. Presence selects candidates by
// window and bounding box from a covering index on (at, lon, lat) and tests
// each with geo.Contains. Rollups are one row per (detector, minute),
// merged by upsert. Purge deletes in chunks of purgeChunk rows, each its
// own transaction. Deleted pages are reused, not returned to the file
// system (no VACUUM).
//
// # Durability
//
// The journal is a WAL with synchronous=NORMAL: a committed transaction
// survives a crash of the process; a power failure may lose the last
// transactions committed since the WAL was last synced, but never leaves
// the database corrupt (https://www.sqlite.org/pragma.html#pragma_synchronous).
// Close checkpoints the WAL into the main file. The file is created with
// mode 0600: it holds password and session-token hashes.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/chemtwin/chemtwin/store"
)

var _ store.Store = (*DB)(nil)

// ErrClosed is returned by every call made after Close.
var ErrClosed = store.ErrClosed

// ErrInvalid is returned for a record the store refuses to keep: a missing
// key, an unknown alarm state, a coordinate that is NaN or infinite, text
// that is not valid UTF-8 or holds a NUL byte.
var ErrInvalid = store.ErrInvalid

// Options configure a DB. The zero value of each field is its default.
type Options struct {
	// Logger receives the store's logs; default slog.Default().
	Logger *slog.Logger
	// BusyTimeout is how long a connection waits for a lock held by another
	// connection (in practice: another process) before giving up; default 5 s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool; default GOMAXPROCS, at least 4.
	ReadConns int
}

const defaultBusyTimeout = 5 * time.Second

// writeCacheKiB is the page cache of the write connection.
const writeCacheKiB = 32 << 10

// DB is a SQLite-backed store.Store. It is safe for concurrent use.
type DB struct {
	path string
	log  *slog.Logger
	w    *sql.DB // one connection: every write
	r    *sql.DB // query-only connections: every read

	purgeChunk int // rows per purge transaction: purgeChunk, smaller in tests

	// mu is held shared by every call in progress and exclusively by Close,
	// so that Close waits for outstanding calls and later calls see closed.
	mu     sync.RWMutex
	closed bool

	// stmts caches the writer's hot statements, prepared once on its one
	// connection (see writeStmt).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// maxWriteStmts bounds the writer's statement cache.
const maxWriteStmts = 64

// prepared returns query prepared once for the writer's connection, for
// every later transaction to take with tx.StmtContext (which, on the one
// connection, reuses it): parsing and planning a 32-row upsert cost as much
// as executing it. Call it outside a transaction — preparing waits for the
// one connection. Beyond maxWriteStmts it returns nil: prepare in the
// transaction.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	if len(db.stmts) >= maxWriteStmts {
		return nil, nil
	}
	st, err := db.w.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = make(map[string]*sql.Stmt)
	}
	db.stmts[query] = st
	return st, nil
}

// txStmt returns st (from prepared) in tx, or query prepared in tx when st
// is nil. The statement ends with the transaction.
func txStmt(ctx context.Context, tx *sql.Tx, st *sql.Stmt, query string) (*sql.Stmt, error) {
	if st == nil {
		return tx.PrepareContext(ctx, query)
	}
	return tx.StmtContext(ctx, st), nil
}

// Open opens the database file at path, creating it (and its directory) if
// needed, and brings its schema up to date. The path is a file name, not a
// URI; ":memory:" is refused because the read and write pools must share one
// database.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" || path == ":memory:" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want a plain file path", path)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = defaultBusyTimeout
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	if err := createFile(path); err != nil {
		return nil, err
	}
	db := &DB{path: path, log: opts.Logger.With("component", "store", "db", path), purgeChunk: purgeChunk}
	var err error
	if db.w, err = openPool(ctx, path, opts.BusyTimeout, false, 1); err != nil {
		return nil, err
	}
	if db.r, err = openPool(ctx, path, opts.BusyTimeout, true, opts.ReadConns); err != nil {
		db.w.Close()
		return nil, err
	}
	if err := db.migrate(ctx, migrations); err != nil {
		db.r.Close()
		db.w.Close()
		return nil, err
	}
	return db, nil
}

// createFile makes the directory and an empty database file with mode 0600,
// so that SQLite (which gives the WAL and shared-memory files the mode of the
// database) never creates a world-readable file.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return f.Close()
}

// openPool opens a connection pool on path. The writer's transactions begin
// IMMEDIATE, taking the write lock up front, so that a transaction never has
// to upgrade a read lock (which fails with SQLITE_BUSY instead of waiting).
func openPool(ctx context.Context, path string, busy time.Duration, readOnly bool, conns int) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// 32 MiB of page cache for the one writer (default 2 MiB): the
		// history tables take 300 people's interleaved fixes into 300
		// places of one B-tree; measured 40k → 60k positions/s at 2 M rows.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writeCacheKiB))
		q.Set("_txlock", "immediate")
		// Checkpoint the WAL every 4,000 pages (16 MiB; default 1,000): a
		// page rewritten by many commits is copied back once per
		// checkpoint, and each checkpoint costs two fsyncs. Measured on
		// BenchmarkSaveAlarms 15.4k → 17.7k steps/s, BenchmarkAppendEvents
		// 17k → 23k events/s.
		q.Add("_pragma", "wal_autocheckpoint(4000)")
		// The writer's statement journals (a multi-row upsert's undo within
		// its transaction) in memory: in a temporary file every journalled
		// page was a write system call, a fifth of a batched alarm write's
		// time. Readers keep their large sorts on disk.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	pool, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return pool, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

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

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	var one int
	if err := db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close waits for the calls in progress, checkpoints the WAL into the
// database file (which truncates the WAL) and closes it. Calls made after Close fail with ErrClosed;
// closing again does nothing and returns nil.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.mu.Unlock()

	rerr := db.r.Close()
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	// optimize refreshes the planner's statistics where they are stale, as
	// SQLite advises before closing a connection.
	for _, pragma := range []string{"optimize", "wal_checkpoint(TRUNCATE)"} {
		if _, err := db.w.Exec("PRAGMA " + pragma); err != nil {
			db.log.Warn("close pragma failed", "pragma", pragma, "err", err)
		}
	}
	werr := db.w.Close()
	if err := errors.Join(rerr, werr); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", db.path, err)
	}
	return nil
}
