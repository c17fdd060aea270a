package park

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRunRetriesAndFlushes runs the loop: it backs off through 503s, then
// delivers everything in order; on cancel a final push sends what is left.
func TestRunRetriesAndFlushes(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Interval = 20 * time.Millisecond; o.RetryMin = 2 * time.Millisecond })
	m := alarms(t, r.clk, r.u)
	r.recv.setFail(5, http.StatusBadGateway)
	var want []string
	for i := range 4 {
		a, _, err := m.Raise(context.Background(), alarm.Raise{Type: alarm.SOS, EntityID: "P1", Key: fmt.Sprint("k", i), Level: 3})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a.ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.u.Run(ctx) }()

	var got []received
	waitFor(t, "the alarms after the outage", func() bool {
		got = append(got, r.recv.take()...)
		return len(records(got, TablePersonAlarm)) >= len(want)
	})
	var ids []string
	for _, rec := range records(got, TablePersonAlarm) {
		ids = append(ids, rec["ID"].(string))
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("alarms = %v, want %v once each, in order", ids, want)
	}
	if n := counter(t, r.reg, "chemtwin_park_batches_failed_total", TablePerson); n != 5 {
		t.Errorf("failed person batches = %v, want 5 (one per retry)", n)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestRunFinalFlush: what is queued when the context ends goes out in the
// final push, not at the next interval.
func TestRunFinalFlush(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Interval = MaxInterval })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.u.Run(ctx) }()
	waitFor(t, "the first snapshot", func() bool { return r.u.Queued() == 0 && len(r.recv.take()) > 0 })
	move(t, r.scene, "P2", 106.7, 38.2, t0.Add(time.Minute))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	pos := records(r.recv.take(), TablePosition)
	if len(pos) != 1 || pos[0]["PERSON_ID"] != "P2" {
		t.Errorf("final push sent positions %v, want P2", pos)
	}
}
