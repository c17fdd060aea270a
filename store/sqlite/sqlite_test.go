package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/storetest"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

var quiet = Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

// openTemp opens a new database in t's temporary directory. The caller
// closes it.
func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "chemtwin.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// mustOpen opens path; the caller closes it.
func mustOpen(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.RunDurable(t,
		func(t *testing.T) store.Store { return openTemp(t) },
		func(t *testing.T, closed store.Store) store.Store { return mustOpen(t, closed.(*DB).Path()) })
}

func TestPragmas(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000"}
	for name, pool := range map[string]*sql.DB{"write": db.w, "read": db.r} {
		for pragma, v := range want {
			var got string
			if err := pool.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
				t.Fatalf("%s pool: PRAGMA %s: %v", name, pragma, err)
			}
			if got != v {
				t.Errorf("%s pool: %s = %s, want %s", name, pragma, got, v)
			}
		}
	}
	var cache int
	if err := db.w.QueryRow("PRAGMA cache_size").Scan(&cache); err != nil || cache != -writeCacheKiB {
		t.Errorf("write pool: cache_size = %d, %v; want %d", cache, err, -writeCacheKiB)
	}
	var qo string
	if err := db.r.QueryRow("PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("read pool: query_only = %s, %v; want 1", qo, err)
	}
	if _, err := db.r.Exec("INSERT INTO audit (at, actor, action, target, remote) VALUES (0, 'a', 'b', '', '')"); err == nil {
		t.Error("read pool accepted a write")
	}
}

func TestMigrationsReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chemtwin.db")
	versions := func(db *DB) string {
		rows, err := db.r.Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var v, at int64
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			b.WriteString(strings.Join([]string{strconv.FormatInt(v, 10), strconv.FormatInt(at, 10)}, "@") + " ")
		}
		return b.String()
	}
	db := mustOpen(t, path)
	first := versions(db)
	if n := strings.Count(first, "@"); n != len(migrations) {
		t.Errorf("schema_migrations has %d rows, want %d: %s", n, len(migrations), first)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, path)
	defer db.Close()
	if again := versions(db); again != first {
		t.Errorf("reopen changed schema_migrations: %s → %s", first, again)
	}
	if err := db.migrate(t.Context(), migrations); err != nil {
		t.Errorf("migrating again: %v", err)
	}
	if again := versions(db); again != first {
		t.Errorf("migrating again changed schema_migrations: %s → %s", first, again)
	}
}

func TestFutureSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chemtwin.db")
	db := mustOpen(t, path)
	if _, err := db.w.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.Context(), path, quiet)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database from a newer binary succeeded")
	}
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("Open error = %v, want ErrSchemaTooNew naming version 9999", err)
	}
}

func TestMigrationOrderAndRollback(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	steps := append(migrations[:len(migrations):len(migrations)],
		migration{version: 900, name: "0900_a.sql", sql: "CREATE TABLE extra (x INTEGER) STRICT"},
		migration{version: 901, name: "0901_bad.sql", sql: "CREATE TABLE half (x INTEGER); SELECT no_such_function()"},
	)
	if err := db.migrate(t.Context(), steps); err == nil || !strings.Contains(err.Error(), "0901_bad.sql") {
		t.Fatalf("migrate with a failing step: %v, want an error naming 0901_bad.sql", err)
	}
	var n int
	db.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('extra', 'half')").Scan(&n)
	if n != 1 {
		t.Errorf("%d of the tables extra, half exist; want only extra (a failed step rolls back)", n)
	}
	db.r.QueryRow("SELECT count(*) FROM schema_migrations WHERE version IN (900, 901)").Scan(&n)
	if n != 1 {
		t.Errorf("%d of versions 900, 901 recorded; want 1", n)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := map[string]struct {
		fs   fstest.MapFS
		want string // versions in order, or "error"
	}{
		"sorted":    {fstest.MapFS{"m/0002_b.sql": file("b"), "m/0001_a.sql": file("a"), "m/README": file("")}, "1 2"},
		"numeric":   {fstest.MapFS{"m/10_b.sql": file("b"), "m/9_a.sql": file("a")}, "9 10"},
		"no number": {fstest.MapFS{"m/init.sql": file("a")}, "error"},
		"zero":      {fstest.MapFS{"m/0000_a.sql": file("a")}, "error"},
		"duplicate": {fstest.MapFS{"m/0001_a.sql": file("a"), "m/1_b.sql": file("b")}, "error"},
		"no dir":    {fstest.MapFS{}, "error"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ms, err := loadMigrations(tc.fs, "m")
			got := "error"
			if err == nil {
				var vs []string
				for _, m := range ms {
					vs = append(vs, strconv.Itoa(m.version))
				}
				got = strings.Join(vs, " ")
			}
			if got != tc.want {
				t.Errorf("loadMigrations = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestAuditAppendOnly(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := t.Context()
	if err := db.AppendAudit(ctx, store.AuditEntry{Actor: "admin", Action: "alarm.ack", Target: "al-1"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE audit SET actor = 'mallory'",
		"DELETE FROM audit",
		"DELETE FROM audit WHERE id = 1",
		"INSERT OR REPLACE INTO audit (id, at, actor, action, target, remote) VALUES (1, 0, 'mallory', 'x', '', '')",
		"REPLACE INTO audit (id, at, actor, action, target, remote) VALUES (1, 0, 'mallory', 'x', '', '')",
		"INSERT INTO audit (id, at, actor, action, target, remote) VALUES (1, 0, 'm', 'x', '', '') ON CONFLICT (id) DO UPDATE SET actor = 'm'",
	} {
		if _, err := db.w.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want the append-only refusal", q, err)
		}
	}
	es, err := db.Audit(ctx, store.AuditFilter{})
	if err != nil || len(es) != 1 || es[0].Actor != "admin" {
		t.Errorf("audit after tampering attempts = %+v, %v; want the one entry unchanged", es, err)
	}
}

func TestOpenRefusesPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if db, err := Open(t.Context(), p, quiet); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "chemtwin.db")
	db := mustOpen(t, path)
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("database file mode %o, want 600 (it holds password hashes)", m)
	}
}

func TestClose(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	if err := db.AppendAudit(ctx, store.AuditEntry{Actor: "a", Action: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := db.Ping(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close: %v, want ErrClosed", err)
	}
	if _, err := db.Alarms(ctx, alarm.Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Alarms after Close: %v, want ErrClosed", err)
	}
	if fi, err := os.Stat(db.Path() + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("WAL holds %d bytes after Close, want it checkpointed", fi.Size())
	}
}

// jsonRoundTrip returns m as it reads back through JSON.
func jsonRoundTrip(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteStatementCache: the writer's statements are prepared once and
// reused across transactions, the cache is bounded (a statement beyond it
// is prepared in its transaction and still works), and Close releases them.
func TestWriteStatementCache(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	save := func(ids ...string) {
		t.Helper()
		var as []alarm.Alarm
		for _, id := range ids {
			as = append(as, alarm.Alarm{ID: id, Type: alarm.SOS, Level: 1, State: alarm.Active, RaisedAt: time.Unix(1, 0), UpdatedAt: time.Unix(1, 0)})
		}
		if err := db.SaveAlarms(ctx, as); err != nil {
			t.Fatal(err)
		}
	}
	save("a-1")
	save("a-2")
	if n := len(db.stmts); n != 1 {
		t.Fatalf("%d statements cached after two one-alarm saves, want 1 (reused)", n)
	}
	first := db.stmts[alarmUpserts[1]]
	save("a-3")
	if db.stmts[alarmUpserts[1]] != first {
		t.Fatal("the one-alarm upsert was prepared again")
	}
	// Fill the cache to its bound; the next statement is not cached.
	for k := 2; len(db.stmts) < maxWriteStmts; k++ {
		if _, err := db.prepared(ctx, fmt.Sprintf("SELECT %d", k)); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = fmt.Sprintf("b-%d", i)
	}
	save(ids...)
	if _, ok := db.stmts[alarmUpserts[5]]; ok || len(db.stmts) != maxWriteStmts {
		t.Fatalf("cache grew past its bound: %d statements", len(db.stmts))
	}
	if _, err := db.Alarm(ctx, "b-4"); err != nil {
		t.Fatalf("an alarm saved with an uncached statement: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db.stmts != nil {
		t.Fatal("Close kept the statements")
	}
}
