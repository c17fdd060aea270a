package sqlite

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// crashEnv names the database a crash child writes to.
const crashEnv = "CHEMTWIN_SQLITE_CRASH_DB"

const crashBatches, crashBatchSize = 20, 100

var crashBase = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// TestCrashChild is the child of TestCrashSafety: it writes, never closes,
// and kills itself with SIGKILL — no deferred function, no checkpoint, no
// Close. Without crashEnv it does nothing.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("runs as the child of TestCrashSafety")
	}
	db := mustOpen(t, path)
	ctx := t.Context()
	for b := range crashBatches {
		evs := make([]store.Event, crashBatchSize)
		for i := range evs {
			n := b*crashBatchSize + i
			evs[i] = store.Event{Type: "crash", EntityID: "p-1", At: crashBase.Add(time.Duration(n) * time.Millisecond), Data: map[string]any{"n": n}}
		}
		if err := db.AppendEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	a := alarm.Alarm{ID: "crash-1", Type: alarm.SOS, Level: alarm.LevelHigh, State: alarm.Acknowledged,
		RaisedAt: crashBase, UpdatedAt: crashBase, AckedAt: &crashBase, AckedBy: "张伟"}
	if err := db.SaveAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, store.AuditEntry{At: crashBase, Actor: "张伟", Action: "alarm.ack", Target: "crash-1"}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("written")
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Minute) // the signal ends the process first
}

// TestCrashSafety kills a process that wrote without closing, then checks
// that every committed write is there when the database is opened again
// (recovered from the WAL the killed process left behind).
func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("child")
	}
	path := filepath.Join(t.TempDir(), "chemtwin.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL; output:\n%s", err, out)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the killed child left no WAL (%v): the test would not exercise recovery", err)
	}

	db := mustOpen(t, path)
	defer db.Close()
	ctx := t.Context()
	evs, err := db.Events(ctx, store.EventFilter{Type: "crash", Limit: crashBatches * crashBatchSize})
	if err != nil || len(evs) != crashBatches*crashBatchSize {
		t.Fatalf("after the crash: %d events, %v; want %d", len(evs), err, crashBatches*crashBatchSize)
	}
	for i, e := range evs {
		if e.Data["n"] != float64(i) {
			t.Fatalf("event %d has n = %v", i, e.Data["n"])
		}
	}
	a, err := db.Alarm(ctx, "crash-1")
	if err != nil || a.State != alarm.Acknowledged || a.AckedBy != "张伟" || !a.AckedAt.Equal(crashBase) {
		t.Errorf("alarm after the crash: %+v, %v", a, err)
	}
	if es, err := db.Audit(ctx, store.AuditFilter{Target: "crash-1"}); err != nil || len(es) != 1 {
		t.Errorf("audit after the crash: %v, %v; want one entry", es, err)
	}
}

// TestTwoProcessesShareFile writes from two DBs on one file at once, as two
// processes would: the busy timeout makes each wait for the other's write
// lock instead of failing with SQLITE_BUSY.
func TestTwoProcessesShareFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chemtwin.db")
	dbs := []*DB{mustOpen(t, path), mustOpen(t, path)}
	const writes = 100
	errs := make(chan error, len(dbs))
	for i, db := range dbs {
		go func() {
			for n := range writes {
				id := fmt.Sprintf("db%d-%d", i, n)
				a := alarm.Alarm{ID: id, Type: alarm.SOS, State: alarm.Active, RaisedAt: crashBase}
				if err := db.SaveAlarm(t.Context(), a); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range dbs {
		if err := <-errs; err != nil {
			t.Errorf("write: %v", err)
		}
	}
	for _, db := range dbs {
		as, err := db.Alarms(t.Context(), alarm.Filter{Limit: 1000})
		if err != nil || len(as) != 2*writes {
			t.Errorf("%d alarms, %v; want %d", len(as), err, 2*writes)
		}
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
}
