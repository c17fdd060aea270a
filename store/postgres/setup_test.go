package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chemtwin/chemtwin/store"
)

// migrationRows returns schema_migrations as "version@applied_at" words.
func migrationRows(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	rows, _ := c.Query(t.Context(), "SELECT version, applied_at FROM schema_migrations ORDER BY version")
	words, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var v int
		var at time.Time
		err := r.Scan(&v, &at)
		return fmt.Sprintf("%d@%s", v, at.Format(time.RFC3339Nano)), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(words, " ")
}

func TestMigrationsRerun(t *testing.T) {
	schema := newSchema(t)
	db := openSchema(t, schema)
	c := raw(t, db)
	first := migrationRows(t, c)
	if n := strings.Count(first, "@"); n != len(migrations) {
		t.Errorf("schema_migrations has %d rows, want %d: %s", n, len(migrations), first)
	}
	if err := db.migrate(t.Context(), migrations); err != nil {
		t.Errorf("migrating again: %v", err)
	}
	if again := migrationRows(t, c); again != first {
		t.Errorf("migrating again changed schema_migrations: %s → %s", first, again)
	}
	db.Close()
	db = openSchema(t, schema)
	defer db.Close()
	if again := migrationRows(t, c); again != first {
		t.Errorf("reopening changed schema_migrations: %s → %s", first, again)
	}
}

func TestFutureSchemaRefused(t *testing.T) {
	schema := newSchema(t)
	db := openSchema(t, schema)
	if _, err := raw(t, db).Exec(t.Context(), "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := Open(t.Context(), testURL(t), Options{Logger: quietLog, Schema: schema})
	if err == nil {
		db.Close()
		t.Fatal("Open of a schema at version 9999 succeeded")
	}
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("Open error = %v, want ErrSchemaTooNew naming version 9999", err)
	}
}

func TestSchemaAndPostGIS(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	var path, version, tableSchema string
	err := db.conn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT current_setting('search_path'), postgis_lib_version(),
			(SELECT table_schema FROM information_schema.tables WHERE table_name = 'positions' AND table_schema = current_schema())`).
			Scan(&path, &version, &tableSchema)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"` + db.Schema() + `", "public"`; path != want {
		t.Errorf("search_path = %s, want %s", path, want)
	}
	if tableSchema != db.Schema() {
		t.Errorf("positions lives in %q, want %q", tableSchema, db.Schema())
	}
	t.Logf("PostGIS %s", version)
}

// TestPostGISCreated opens a new database without PostGIS, first as a role
// that may not create the extension (a clear ErrNoPostGIS), then as the
// test role, which creates it.
func TestPostGISCreated(t *testing.T) {
	u, err := url.Parse(testURL(t))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skip("needs " + envURL + " as a postgres:// URL")
	}
	ctx := t.Context()
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	name := newSchema(t) // a fresh name; used for a role and a database
	for _, q := range []string{"CREATE ROLE %s LOGIN", "CREATE DATABASE %s OWNER %[1]s"} {
		if _, err := admin.Exec(ctx, fmt.Sprintf(q, name)); err != nil {
			t.Skipf("cannot make a test database: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, u.String())
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer admin.Close(ctx)
		for _, q := range []string{"DROP DATABASE IF EXISTS %s WITH (FORCE)", "DROP ROLE IF EXISTS %s"} {
			if _, err := admin.Exec(ctx, fmt.Sprintf(q, name)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	weak := *u
	weak.User, weak.Path = url.User(name), "/"+name
	db, err := Open(ctx, weak.String(), Options{Logger: quietLog})
	if err == nil {
		db.Close()
		t.Fatal("Open as a role that may not create postgis succeeded")
	}
	if !errors.Is(err, ErrNoPostGIS) || !strings.Contains(err.Error(), "may not create it") {
		t.Errorf("Open error = %v, want ErrNoPostGIS saying the role may not create it", err)
	}

	strong := *u
	strong.Path = "/" + name
	db, err = Open(ctx, strong.String(), Options{Logger: quietLog, Schema: "plant"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ext string
	if err := db.conn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'").Scan(&ext)
	}); err != nil || ext != "public" {
		t.Errorf("postgis extension in schema %q, %v; want public", ext, err)
	}
	if err := db.AppendPositions(ctx, []store.Position{{EntityID: "p-1", At: time.Now(), Lon: 121.5, Lat: 31.25}}); err != nil {
		t.Errorf("AppendPositions in the new database: %v", err)
	}
}

func TestAuditAppendOnly(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	for i := range 2 {
		if err := db.AppendAudit(ctx, store.AuditEntry{Actor: "admin", Action: "alarm.ack", Target: fmt.Sprint("al-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.Audit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	c := raw(t, db)
	for stmt, code := range map[string]string{
		"UPDATE audit SET actor = 'mallory'": "23001",
		"DELETE FROM audit":                  "23001",
		"TRUNCATE audit":                     "23001",
		"INSERT INTO audit (id, at, actor, action, target, remote) VALUES (1, now(), 'm', 'x', '', '')": "428C9", // GENERATED ALWAYS
		`INSERT INTO audit (id, at, actor, action, target, remote) OVERRIDING SYSTEM VALUE VALUES (1, now(), 'm', 'x', '', '')
			ON CONFLICT (id) DO UPDATE SET actor = 'm'`: "23001",
	} {
		_, err := c.Exec(ctx, stmt)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: error %v, want SQLSTATE %s", stmt, err, code)
		}
	}
	after, err := db.Audit(ctx, store.AuditFilter{})
	if err != nil || fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("audit after refused statements:\n got %v, %v\nwant %v", after, err, before)
	}
}

func TestJSONWithNUL(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	for name, detail := range map[string]map[string]any{
		"NUL in a value": {"note": "a\x00b"}, "NUL in a key": {"k\x00": 1},
	} {
		err := db.AppendAudit(ctx, store.AuditEntry{Actor: "a", Action: "b", Detail: detail})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AppendAudit(%s) error = %v, want store.ErrInvalid", name, err)
		}
	}
	text := map[string]any{"note": `the text \u0000 is no NUL`}
	if err := db.AppendAudit(ctx, store.AuditEntry{Actor: "a", Action: "b", Detail: text}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Audit(ctx, store.AuditFilter{})
	if err != nil || len(got) != 1 || got[0].Detail["note"] != text["note"] {
		t.Errorf("Audit = %v, %v; want the one entry with %v", got, err, text)
	}
}

func TestClosed(t *testing.T) {
	db := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err1 := db.Users(ctx)
	err2 := db.AppendPositions(ctx, []store.Position{{EntityID: "p", At: time.Now()}})
	_, err3 := db.Purge(ctx, store.KindPositions, time.Now())
	for i, err := range []error{db.Ping(ctx), err1, err2, err3} {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("call %d after Close: error %v, want store.ErrClosed", i, err)
		}
	}
}

// TestBrokenConnection ends the server side of the pool's connection; the
// store must recover by the second call (the first may fail, as it would
// with pgxpool).
func TestBrokenConnection(t *testing.T) {
	db := openFresh(t)
	ctx := t.Context()
	var pid uint32
	if err := db.conn(ctx, func(c *pgx.Conn) error { pid = c.PgConn().PID(); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := raw(t, db).Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	_ = db.Ping(ctx)
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after the connection broke and was dropped: %v", err)
	}
}
