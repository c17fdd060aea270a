package inspect

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Groupings of Stats.
const (
	ByPerson = "person"
	ByTeam   = "team"
	ByRoute  = "route"
	ByDay    = "day" // the task's start date in the site's zone
)

// Row is one group's inspection figures, counted in task points.
// Completion is (done + late) / (done + late + missed): of the points whose
// outcome is known, the share checked — points still due in open tasks
// count in Due only. Timeliness is done / (done + late): of the points
// checked, the share checked in their window. A rate with nothing to
// count is nil (JSON null, "no data"), never 0, which would read as
// "all missed".
type Row struct {
	Key        string   `json:"key"`
	Name       string   `json:"name,omitempty"`
	Tasks      int      `json:"tasks"`
	Points     int      `json:"points"`
	Done       int      `json:"done"`
	Late       int      `json:"late"`
	Missed     int      `json:"missed"`
	Due        int      `json:"due"`
	Completion *float64 `json:"completion"`
	Timeliness *float64 `json:"timeliness"`
}

// Stats sums tasks by person, team, route or day (in zone loc), sorted by
// key; names, when given, names each key.
//
// By person, a task with an assignee counts wholly for the assignee. A
// team task (no assignee) has no one person answerable for it: each
// checked point counts for whoever checked it (TaskPoint.By), and its
// missed and due points count for no person — they show by team. A task
// counts in a person's Tasks when any of its points counts for them. By
// team, tasks without a team are left out.
func Stats(tasks []Task, by string, loc *time.Location, names func(key string) string) ([]Row, error) {
	key, err := grouping(by, loc)
	if err != nil {
		return nil, err
	}
	rows := map[string]*Row{}
	counted := map[[2]string]bool{} // (key, task id)
	for i := range tasks {
		t := &tasks[i]
		for _, tp := range t.Points {
			k, ok := key(t, &tp)
			if !ok {
				continue
			}
			r := rows[k]
			if r == nil {
				r = &Row{Key: k}
				rows[k] = r
			}
			if !counted[[2]string{k, t.ID}] {
				counted[[2]string{k, t.ID}] = true
				r.Tasks++
			}
			r.add(tp.Status)
		}
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		r.Completion = ratio(r.Done+r.Late, r.Done+r.Late+r.Missed)
		r.Timeliness = ratio(r.Done, r.Done+r.Late)
		if names != nil {
			r.Name = names(r.Key)
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Row) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// grouping returns the key a task point counts under, false for none.
func grouping(by string, loc *time.Location) (func(t *Task, tp *TaskPoint) (string, bool), error) {
	switch by {
	case ByPerson:
		return func(t *Task, tp *TaskPoint) (string, bool) {
			if t.Assignee != "" {
				return t.Assignee, true
			}
			return tp.By, tp.By != "" && (tp.Status == PointDone || tp.Status == PointLate)
		}, nil
	case ByTeam:
		return func(t *Task, _ *TaskPoint) (string, bool) { return t.Team, t.Team != "" }, nil
	case ByRoute:
		return func(t *Task, _ *TaskPoint) (string, bool) { return t.Route, true }, nil
	case ByDay:
		if loc == nil {
			return nil, invalid("stats by day need the site's time zone")
		}
		return func(t *Task, _ *TaskPoint) (string, bool) { return t.Start.In(loc).Format(time.DateOnly), true }, nil
	}
	return nil, invalid("stats by %q (want person, team, route or day)", by)
}

func (r *Row) add(status string) {
	r.Points++
	switch status {
	case PointDone:
		r.Done++
	case PointLate:
		r.Late++
	case PointMissed:
		r.Missed++
	default:
		r.Due++
	}
}

// ratio is a / b to four decimals, nil when b is 0.
func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	x := math.Round(float64(a)/float64(b)*1e4) / 1e4
	return &x
}
