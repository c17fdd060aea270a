package inspect

import (
	"crypto/subtle"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

// Limits on what a check-in carries.
const (
	MaxTextBytes  = 2000 // a text answer or the note
	MaxPhotoBytes = 256  // a photo's blob id
	MaxPhotos     = 20
)

// Fix is a position of the inspector's tag.
type Fix struct {
	Location orb.Point `json:"location"` // lon/lat
	At       time.Time `json:"at"`
}

// Visit is a check-in as the phone and the position path report it: who,
// at which point, what code was scanned, the tag's last fix and since
// when the tag has been within the point's radius (Dwell.Inside), the
// checklist's answers, at Now.
type Visit struct {
	Point *Point
	// Code as scanned (QR or NFC); surrounding spaces are ignored, case
	// is not. Unused when Auto.
	Code string
	// Auto: a check-in by trajectory (Dwell.Due) at an auto point; no code
	// is scanned and no result given.
	Auto bool
	// Fix is the tag's last fix, nil when it has none.
	Fix *Fix
	// InsideSince is when the tag's current stay within the point's radius
	// began; zero when it is not within it.
	InsideSince time.Time
	Now         time.Time
	Results     []Result
	Photos      []string
	Note        string
	// Task is the task the check-in is for, nil for none (an ad-hoc
	// check). Verify only reads it; Task.Apply records the check-in.
	Task              *Task
	Person, User, Tag string
	// InTeam reports whether person belongs to team, for team tasks; nil:
	// any person may do a team task.
	InTeam func(person, team string) bool
}

// Verify checks a visit and returns the verified check record, or an
// *Error with the first refusal (every refusal's Details also carries the
// distance_m, fix_age_s and dwell_s measured, for the attempt log).
//
// The checks run in this order:
//
//  1. the request itself — the task (not_in_task, task_not_open,
//     task_closed, already_checked, not_assignee), the answers
//     (results_invalid) and the task's order (out_of_sequence): these
//     depend only on what the phone sent and the task, which the
//     inspector's task list shows anyway, so refusing them first reveals
//     nothing and spares an inspector at the wrong point the dwell wait;
//  2. the position (no_position, stale_position, too_far), then the dwell
//     (too_short): the physical proof that the tag is there;
//  3. the code (code_mismatch) last. Were the code checked before the
//     position, anyone away from the point could try codes and tell a
//     right one by the error turning from code_mismatch into too_far:
//     the code would leak from the error order. Checked last, a code
//     answer is only given to a tag that has stood at the point for the
//     dwell, where the code is printed anyway.
func Verify(v Visit) (CheckIn, error) {
	p := v.Point
	if p == nil {
		return CheckIn{}, invalid("check-in without a point")
	}
	c := CheckIn{Point: p.ID, Person: v.Person, User: v.User, Tag: v.Tag, At: v.Now, Auto: v.Auto,
		Code: strings.TrimSpace(v.Code), Note: v.Note, Photos: slices.Clone(v.Photos), Results: []Result{}}
	m := measure(p, &v)
	if t := v.Task; t != nil {
		c.Task, c.Route, c.Late = t.ID, t.Route, v.Now.After(t.End)
	}
	if err := checkTask(&v, m); err != nil {
		return CheckIn{}, err
	}
	results, err := judge(p, &v, m)
	if err != nil {
		return CheckIn{}, err
	}
	if err := checkSequence(&v, m); err != nil {
		return CheckIn{}, err
	}
	if err := checkPlace(p, &v, m); err != nil {
		return CheckIn{}, err
	}
	if !v.Auto && subtle.ConstantTimeCompare([]byte(c.Code), []byte(strings.TrimSpace(p.Code))) != 1 {
		return CheckIn{}, refuse(CodeCodeMismatch, m.details(), "the scanned code is not point %s's", p.ID)
	}
	c.Lon, c.Lat, c.DistanceM, c.FixAgeS, c.DwellS = v.Fix.Location[0], v.Fix.Location[1], m.distanceM, m.fixAgeS, m.dwellS
	c.Results = results
	for _, r := range results {
		if r.Photo != "" && !slices.Contains(c.Photos, r.Photo) {
			c.Photos = append(c.Photos, r.Photo)
		}
		if !r.Pass {
			c.Status = RecordHazard
		}
	}
	return c, nil
}

// measured is what the position path says about a visit; a negative
// field is unknown.
type measured struct{ distanceM, fixAgeS, dwellS float64 }

func measure(p *Point, v *Visit) measured {
	m := measured{-1, -1, 0}
	if v.Fix != nil && geo.ValidLonLat(v.Fix.Location) {
		m.distanceM = math.Round(geo.DistanceM(v.Fix.Location, p.Location)*10) / 10
		m.fixAgeS = v.Now.Sub(v.Fix.At).Seconds()
		// The dwell is what the fixes show: from the stay's start to the
		// last fix, not extrapolated to now.
		if !v.InsideSince.IsZero() {
			m.dwellS = max(0, earlier(v.Fix.At, v.Now).Sub(v.InsideSince).Seconds())
		}
	}
	return m
}

func (m measured) details() map[string]any {
	d := map[string]any{"dwell_s": m.dwellS}
	if m.distanceM >= 0 {
		d["distance_m"], d["fix_age_s"] = m.distanceM, m.fixAgeS
	}
	return d
}

// with adds key = value to m's details.
func (m measured) with(kv ...any) map[string]any {
	d := m.details()
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return d
}

func checkTask(v *Visit, m measured) error {
	t := v.Task
	if t == nil {
		return nil
	}
	i := t.index(v.Point.ID)
	switch {
	case i < 0:
		return refuse(CodeNotInTask, m.with("task", t.ID), "point %s is not in task %s", v.Point.ID, t.ID)
	case v.Now.Before(t.Start):
		return refuse(CodeTaskNotOpen, m.with("task", t.ID, "start", t.Start), "task %s opens at %s", t.ID, t.Start.Format(time.RFC3339))
	case t.Status != TaskOpen:
		return refuse(CodeTaskClosed, m.with("task", t.ID, "status", t.Status), "task %s is %s", t.ID, t.Status)
	case v.Now.After(t.Close):
		return refuse(CodeTaskClosed, m.with("task", t.ID, "close", t.Close), "task %s closed at %s", t.ID, t.Close.Format(time.RFC3339))
	case t.Points[i].Status != PointDue:
		return refuse(CodeAlreadyChecked, m.with("task", t.ID, "checkin", t.Points[i].CheckIn), "point %s was checked in task %s already", v.Point.ID, t.ID)
	case !mayDo(t, v.Person, v.InTeam):
		return refuse(CodeNotAssignee, m.with("task", t.ID), "person %q may not do task %s", v.Person, t.ID)
	}
	return nil
}

// mayDo: the assignee, or a member of the team, may do a task.
func mayDo(t *Task, person string, inTeam func(person, team string) bool) bool {
	switch {
	case t.Assignee == "" && t.Team == "":
		return true
	case t.Assignee != "" && person == t.Assignee:
		return true
	case t.Team != "" && inTeam != nil:
		return inTeam(person, t.Team)
	}
	return t.Assignee == "" // a team task, membership unknown
}

func checkSequence(v *Visit, m measured) error {
	t := v.Task
	if t == nil || !t.Sequence {
		return nil
	}
	var due []string
	for _, tp := range t.Points[:t.index(v.Point.ID)] {
		if tp.Status == PointDue {
			due = append(due, tp.Point)
		}
	}
	if len(due) > 0 {
		return refuse(CodeOutOfSequence, m.with("due", due, "next", due[0]),
			"point %s comes first on route %s (%d earlier points due)", due[0], t.Route, len(due))
	}
	return nil
}

// checkPlace checks the position and the dwell.
func checkPlace(p *Point, v *Visit, m measured) error {
	maxAge := MaxFixAge.Seconds()
	switch {
	case m.distanceM < 0:
		return refuse(CodeNoPosition, m.details(), "the tag has no position")
	case m.fixAgeS > maxAge:
		return refuse(CodeStalePosition, m.with("max_fix_age_s", maxAge), "the tag's position is %.0f s old (at most %.0f s)", m.fixAgeS, maxAge)
	case m.fixAgeS < -maxAge:
		return refuse(CodeStalePosition, m.with("max_fix_age_s", maxAge), "the tag's position is %.0f s in the future", -m.fixAgeS)
	case m.distanceM > p.RadiusM:
		return refuse(CodeTooFar, m.with("radius_m", p.RadiusM), "the tag is %.1f m from point %s (at most %.0f m)", m.distanceM, p.ID, p.RadiusM)
	case m.dwellS < p.MinDwellS:
		return refuse(CodeTooShort, m.with("min_dwell_s", p.MinDwellS), "the tag has been at point %s for %.0f s (at least %.0f s)", p.ID, m.dwellS, p.MinDwellS)
	}
	return nil
}

// judge checks the answers against the checklist and returns them in the
// checklist's order with Pass set: a bool passes on true, a number within
// Min … Max inclusive, a photo or a text answered passes.
func judge(p *Point, v *Visit, m measured) ([]Result, error) {
	bad := func(key, reason string) error {
		return refuse(CodeResultsInvalid, m.with("item", key, "reason", reason), "result %q: %s", key, reason)
	}
	if v.Auto && (!p.Auto || len(v.Results) > 0) {
		return nil, bad("", "auto check-in is for auto points, without results")
	}
	if len(v.Note) > MaxTextBytes || !utf8.ValidString(v.Note) {
		return nil, bad("note", "note too long or not UTF-8")
	}
	if len(v.Photos) > MaxPhotos {
		return nil, bad("photos", "too many photos")
	}
	given := map[string]Result{}
	for _, r := range v.Results {
		i := slices.IndexFunc(p.Checklist, func(it Item) bool { return it.Key == r.Key })
		if i < 0 {
			return nil, bad(r.Key, "unknown item")
		}
		if _, dup := given[r.Key]; dup {
			return nil, bad(r.Key, "answered twice")
		}
		if reason := answer(p.Checklist[i], &r); reason != "" {
			return nil, bad(r.Key, reason)
		}
		given[r.Key] = r
	}
	out := []Result{}
	for _, it := range p.Checklist {
		r, ok := given[it.Key]
		if !ok {
			if it.Required || it.Kind == ItemPhoto {
				return nil, bad(it.Key, "required, not answered")
			}
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// answer checks r against item it and sets r.Pass; it returns why the
// answer is malformed, "" when it is not.
func answer(it Item, r *Result) string {
	other := func(b bool, v bool, photo bool, text bool) bool {
		return !b && r.Bool != nil || !v && r.Value != nil || !photo && r.Photo != "" || !text && r.Text != ""
	}
	switch it.Kind {
	case ItemBool:
		if r.Bool == nil || other(true, false, false, true) {
			return "a bool item takes a bool (and a text remark)"
		}
		r.Pass = *r.Bool
	case ItemNumber:
		if r.Value == nil || other(false, true, false, true) {
			return "a reading takes a number (and a text remark)"
		}
		x := *r.Value
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "the number is not finite"
		}
		r.Pass = (it.Min == nil || x >= *it.Min) && (it.Max == nil || x <= *it.Max)
	case ItemPhoto:
		if r.Photo == "" || other(false, false, true, true) {
			return "a photo item takes a photo id"
		}
		r.Pass = true
	case ItemText:
		if other(false, false, false, true) || it.Required && strings.TrimSpace(r.Text) == "" {
			return "a text item takes a text"
		}
		r.Pass = true
	}
	switch {
	case len(r.Text) > MaxTextBytes || !utf8.ValidString(r.Text):
		return "text too long or not UTF-8"
	case len(r.Photo) > MaxPhotoBytes:
		return "photo id too long"
	}
	return ""
}

// index is the position of point in the task, -1 when it is none of its.
func (t *Task) index(point string) int {
	return slices.IndexFunc(t.Points, func(tp TaskPoint) bool { return tp.Point == point })
}

// Apply records a verified check-in on the task: its point becomes done,
// or late for a late check-in. When every point is checked the task is
// done. It reports whether anything changed: a check-in for another task,
// a point not in it or checked already, a "not checked" record or a
// closed task change nothing.
func (t *Task) Apply(c CheckIn) bool {
	i := t.index(c.Point)
	if t.Status != TaskOpen || c.Task != t.ID || c.Status == RecordNotChecked || i < 0 || t.Points[i].Status != PointDue {
		return false
	}
	at := c.At
	tp := &t.Points[i]
	tp.Status, tp.CheckIn, tp.At, tp.By = PointDone, c.ID, &at, c.Person
	if c.Late {
		tp.Status = PointLate
	}
	if !slices.ContainsFunc(t.Points, func(tp TaskPoint) bool { return tp.Status == PointDue }) {
		t.Status = TaskDone
	}
	return true
}

// CloseAt closes an open task once now is after its Close: the points
// still due are missed (and returned, in route order), and the task is
// done (all checked), partial (some missed) or missed (none checked).
// Before Close, or on a closed task, it does nothing and returns nil.
func (t *Task) CloseAt(now time.Time) []string {
	if t.Status != TaskOpen || !now.After(t.Close) {
		return nil
	}
	var missed []string
	for i := range t.Points {
		if t.Points[i].Status == PointDue {
			t.Points[i].Status = PointMissed
			missed = append(missed, t.Points[i].Point)
		}
	}
	switch len(missed) {
	case 0:
		t.Status = TaskDone
	case len(t.Points):
		t.Status = TaskMissed
	default:
		t.Status = TaskPartial
	}
	return missed
}

// NotChecked is the check record of a point a task missed: status 2
// (未检查, AQ 3064.1), at the task's close, by no one. The caller gives
// it an id.
func NotChecked(t *Task, point string) CheckIn {
	return CheckIn{Task: t.ID, Route: t.Route, Point: point, At: t.Close, Status: RecordNotChecked, Results: []Result{}}
}
