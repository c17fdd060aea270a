package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoPostGIS is returned by Open when the database lacks the postgis
// extension and it cannot be created.
var ErrNoPostGIS = errors.New("postgres: postgis extension unavailable")

// setupLock is the advisory lock key that serialises the database-wide
// setup (extension, schemas) of chemtwin processes opening one database.
const setupLock = "chemtwin.setup"

// prepare makes sure that the database has PostGIS and the store's schema,
// over a connection of its own, and returns the schema and the search_path
// for the store's connections: the schema, then the extension's.
func prepare(ctx context.Context, cfg *pgx.ConnConfig, schema string) (string, string, error) {
	if strings.ContainsRune(schema, 0) {
		return "", "", fmt.Errorf("postgres: open: schema name %q holds NUL", schema)
	}
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", "", fmt.Errorf("postgres: open: %w", err)
	}
	defer closeConn(c)
	var ext string
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", setupLock); err != nil {
			return err
		}
		if ext, err = ensurePostGIS(ctx, tx, cfg); err != nil {
			return err
		}
		if schema != "" {
			_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
			return err
		}
		var cur *string
		if err := tx.QueryRow(ctx, "SELECT current_schema()").Scan(&cur); err != nil {
			return err
		}
		if cur == nil {
			return errors.New("no schema of the search_path exists: set Options.Schema")
		}
		schema = *cur
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNoPostGIS) {
			return "", "", err
		}
		return "", "", fmt.Errorf("postgres: open: %w", err)
	}
	path := pgx.Identifier{schema}.Sanitize()
	if ext != schema {
		path += ", " + pgx.Identifier{ext}.Sanitize()
	}
	return schema, path, nil
}

// ensurePostGIS creates the postgis extension in schema public unless the
// database has it, and returns the schema that holds it.
func ensurePostGIS(ctx context.Context, tx pgx.Tx, cfg *pgx.ConnConfig) (string, error) {
	const find = `SELECT n.nspname FROM pg_extension e
		JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'`
	var ext string
	err := tx.QueryRow(ctx, find).Scan(&ext)
	if err == nil {
		return ext, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public"); err != nil {
		return "", postgisError(err, cfg)
	}
	return "public", nil
}

// postgisError explains why the extension could not be created.
func postgisError(err error, cfg *pgx.ConnConfig) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42501": // insufficient_privilege
			return fmt.Errorf("%w: database %q has no postgis extension and role %q may not create it; "+
				"have a superuser run CREATE EXTENSION postgis SCHEMA public; in it: %w",
				ErrNoPostGIS, cfg.Database, cfg.User, err)
		case "58P01", "0A000": // undefined_file, feature_not_supported: no control file
			return fmt.Errorf("%w: PostGIS is not installed on the server "+
				"(Debian: apt-get install postgresql-15-postgis-3): %w", ErrNoPostGIS, err)
		}
	}
	return fmt.Errorf("%w: %w", ErrNoPostGIS, err)
}

// closeConn closes a connection of its own, bounded so that a dead server
// cannot hold Open up.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.Close(ctx)
}
