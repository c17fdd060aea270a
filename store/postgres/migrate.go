package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrSchemaTooNew is returned by Open for a database that records a schema
// version this binary does not know: a newer chemtwin wrote it.
var ErrSchemaTooNew = errors.New("postgres: database schema is newer than this binary")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations are the embedded schema steps, in version order.
var migrations = mustLoadMigrations(migrationFiles, "migrations")

// migration is one schema step: migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err) // the embedded files are part of the binary
	}
	return ms
}

// loadMigrations reads the *.sql files of dir, named NNNN_name.sql with a
// positive version NNNN, and returns them sorted by version. Versions must be
// unique.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: want NNNN_name.sql with NNNN > 0", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// lockSchema takes the transaction-scoped advisory lock that serialises
// migrations of the current schema across processes.
const lockSchema = "SELECT pg_advisory_xact_lock(hashtextextended('chemtwin.migrate:' || current_schema(), 0))"

// migrate refuses a database newer than ms and applies the steps of ms it
// lacks, each in its own transaction together with its schema_migrations
// row. Running it again is a no-op.
func (db *DB) migrate(ctx context.Context, ms []migration) error {
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	known, latest := map[int]bool{}, 0
	for _, m := range ms {
		known[m.version], latest = true, max(latest, m.version)
	}
	for _, v := range applied {
		if !known[v] {
			return fmt.Errorf("%w: schema %s has version %d, this binary knows up to %d; use a newer chemtwin",
				ErrSchemaTooNew, db.schema, v, latest)
		}
	}
	for _, m := range ms {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// appliedVersions creates schema_migrations if needed and lists its
// versions.
func (db *DB) appliedVersions(ctx context.Context) ([]int, error) {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL
	)`
	var vs []int
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSchema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, create); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
		var err error
		vs, err = collect(rows, pgx.RowTo[int])
		return err
	})
	return vs, err
}

// apply runs m unless it is already recorded.
func (db *DB) apply(ctx context.Context, m migration) error {
	done := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSchema); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", m.version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())", m.version)
		done = err == nil
		return err
	})
	if err == nil && done {
		db.log.Info("schema migration applied", "version", m.version, "name", m.name)
	}
	return err
}
