package inspect

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func statTasks(sh *time.Location) []Task {
	pts := func(spec ...string) []TaskPoint {
		var out []TaskPoint
		for i, s := range spec {
			status, by, _ := strings.Cut(s, ":")
			out = append(out, TaskPoint{Point: fmt.Sprintf("P%d", i), Status: status, By: by})
		}
		return out
	}
	return []Task{
		{ID: "T1", Route: "r1", Assignee: "alice", Start: at(sh, 2026, 3, 2, 8, 0), Status: TaskPartial,
			Points: pts("done:alice", "late:alice", "missed")},
		{ID: "T2", Route: "r2", Assignee: "alice", Start: at(sh, 2026, 3, 2, 20, 0), Status: TaskOpen,
			Points: pts("due", "due")},
		// A team task; 00:30 in Shanghai is the day before in UTC.
		{ID: "T3", Route: "r1", Team: "ops", Start: at(sh, 2026, 3, 3, 0, 30), Status: TaskPartial,
			Points: pts("done:bob", "late:carol", "missed")},
		{ID: "T4", Route: "r2", Assignee: "dan", Team: "ops", Start: at(sh, 2026, 3, 2, 10, 0), Status: TaskMissed,
			Points: pts("missed", "missed")},
	}
}

// row renders a row as "key tasks points done/late/missed/due completion timeliness".
func row(r Row) string {
	f := func(x *float64) string {
		if x == nil {
			return "null"
		}
		return fmt.Sprintf("%.4g", *x)
	}
	return fmt.Sprintf("%s %d %d %d/%d/%d/%d %s %s", r.Key, r.Tasks, r.Points, r.Done, r.Late, r.Missed, r.Due, f(r.Completion), f(r.Timeliness))
}

func TestStats(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	tasks := statTasks(sh)
	for _, tc := range []struct {
		by   string
		loc  *time.Location
		want []string
	}{
		{ByPerson, nil, []string{
			"alice 2 5 1/1/1/2 0.6667 0.5",
			"bob 1 1 1/0/0/0 1 1", // a team task's checked point counts for who checked it
			"carol 1 1 0/1/0/0 1 0",
			"dan 1 2 0/0/2/0 0 null", // nothing checked: timeliness has no data
		}},
		{ByTeam, nil, []string{"ops 2 5 1/1/3/0 0.4 0.5"}},
		{ByRoute, nil, []string{"r1 2 6 2/2/2/0 0.6667 0.5", "r2 2 4 0/0/2/2 0 null"}},
		{ByDay, sh, []string{"2026-03-02 3 7 1/1/3/2 0.4 0.5", "2026-03-03 1 3 1/1/1/0 0.6667 0.5"}},
		{ByDay, time.UTC, []string{"2026-03-02 4 10 2/2/4/2 0.5 0.5"}},
	} {
		t.Run(tc.by, func(t *testing.T) {
			rows, err := Stats(tasks, tc.by, tc.loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, row(r))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestStatsEdges(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	rows, err := Stats(statTasks(sh), ByRoute, nil, func(k string) string { return "路线 " + k })
	if err != nil || rows[0].Name != "路线 r1" {
		t.Fatalf("%+v %v", rows, err)
	}
	// Only open points: both rates are null in JSON, not 0.
	rows, err = Stats(statTasks(sh)[1:2], ByRoute, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rows[0])
	if !strings.Contains(string(b), `"completion":null`) || !strings.Contains(string(b), `"timeliness":null`) {
		t.Errorf("json %s", b)
	}
	if rows, err := Stats(nil, ByPerson, nil, nil); err != nil || len(rows) != 0 {
		t.Errorf("no tasks: %v %v", rows, err)
	}
	if _, err := Stats(nil, "month", nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("by month: %v", err)
	}
	if _, err := Stats(nil, ByDay, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("by day without a zone: %v", err)
	}
}
