package inspect

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Store is the part of the store the service keeps its records and
// photos in (store.Store satisfies it).
type Store interface {
	store.Records
	store.Blobs
}

// The collections of store.Records the service keeps.
const (
	colRoutes   = "inspection_routes"
	colPlans    = "inspection_plans"
	colTasks    = "inspection_tasks"
	colCheckins = "inspection_checkins"
	colAttempts = "inspection_attempts"
	colDangers  = "hidden_dangers"
)

// Seed is what the scene's inspections.json defines: stored when the
// store does not hold a route or plan of the same id yet (REST edits win
// from then on).
type Seed struct {
	Routes []Route
	Plans  []Plan
}

// Options configure a Service. Zero values are the defaults.
type Options struct {
	Store  Store       // required
	Scene  *twin.Scene // required: the points, the inspectors' positions, the layers
	Alarms alarm.Raiser
	Clock  func() time.Time
	Logger *slog.Logger
	// Location is the site's time zone (plans' days and windows); default
	// UTC+8.
	Location *time.Location
	// Workday reports whether a day (midnight in Location) is a working
	// day; default Monday to Friday.
	Workday func(day time.Time) bool
	Seed    Seed
	// Lookahead is how far ahead tasks are generated; default 24 h.
	Lookahead time.Duration
}

// Service keeps the inspections: routes and plans, the tasks generated
// from them, check-ins verified against the inspector's tag, the missed
// points of closed tasks (inspection_missed), the hidden dangers, and the
// status of each inspection point on the map. Safe for concurrent use.
type Service struct {
	opts  Options
	log   *slog.Logger
	dwell *Dwell

	mu       sync.Mutex
	points   map[string]*Point
	dirty    atomic.Bool          // the scene's points changed: reload them
	open     map[string]*Task     // tasks not closed yet
	known    map[string]time.Time // task ids stored (recent windows) → their start
	statuses map[string]string    // point → "status|task" last published
	loaded   bool
}

// NewService returns a service; Run starts its loop.
func NewService(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Scene == nil {
		return nil, errors.New("inspect: a store and a scene are required")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("CST", 8*3600)
	}
	if opts.Workday == nil {
		opts.Workday = func(d time.Time) bool { wd := d.Weekday(); return wd != time.Saturday && wd != time.Sunday }
	}
	if opts.Lookahead <= 0 {
		opts.Lookahead = 24 * time.Hour
	}
	s := &Service{opts: opts, log: opts.Logger.With("component", "inspect"), dwell: &Dwell{},
		open: map[string]*Task{}, known: map[string]time.Time{}, statuses: map[string]string{}}
	s.dirty.Store(true)
	return s, nil
}

// Location is the site's time zone.
func (s *Service) Location() *time.Location { return s.opts.Location }

// Observe feeds the twin's results to the service: people's fixes to the
// dwell tracker; a changed inspection point marks the points for reload.
// Register it with Scene.Observe.
func (s *Service) Observe(r twin.Result) {
	for _, d := range r.Deltas {
		switch {
		case d.Op == twin.OpMove && d.Kind == twin.KindPerson:
			s.dwell.Observe(d.ID, d.Fix.At, d.Fix.Point)
		case d.Kind == twin.KindInspectionPoint && d.Op != twin.OpMove:
			s.dirty.Store(true) // no lock: the service's own Apply calls land here
		}
	}
}

// tick is how often Run generates and closes tasks, takes auto check-ins
// and updates the points' status.
const tick = 5 * time.Second

// Run seeds the scene's routes and plans (retrying while the store is
// down), then generates tasks, closes those past their grace (missed
// points, inspection_missed), takes auto check-ins and keeps the points'
// status on the map until ctx is done. It returns nil: store errors are
// logged and retried, never fatal.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	seeded := false
	for {
		// The store may be down (a database outage): the service waits
		// for it, it never stops the plant's other services.
		if !seeded {
			if err := s.seed(ctx); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("inspection routes and plans not seeded yet", "err", err)
				}
			} else {
				seeded = true
			}
		}
		if err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("inspection round", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step runs one round at the clock's time: points reloaded if changed,
// tasks generated up to the lookahead, due tasks closed, auto check-ins
// taken, the points' status published.
func (s *Service) Step(ctx context.Context) error {
	now := s.opts.Clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadLocked(ctx, now); err != nil {
		return err
	}
	s.refreshPointsLocked()
	errs := []error{s.generateLocked(ctx, now), s.closeLocked(ctx, now), s.autoLocked(ctx, now), s.overdueLocked(ctx, now)}
	s.publishLocked(now)
	return errors.Join(errs...)
}

// seed stores the scene's routes and plans the store lacks.
func (s *Service) seed(ctx context.Context) error {
	now := s.opts.Clock()
	for _, r := range s.opts.Seed.Routes {
		if _, err := s.opts.Store.GetRecord(ctx, colRoutes, r.ID); errors.Is(err, store.ErrNotFound) {
			if err := s.putRoute(ctx, r, now); err != nil {
				return fmt.Errorf("inspect: seed route %s: %w", r.ID, err)
			}
		} else if err != nil {
			return err
		}
	}
	for _, p := range s.opts.Seed.Plans {
		if _, err := s.opts.Store.GetRecord(ctx, colPlans, p.ID); errors.Is(err, store.ErrNotFound) {
			if err := s.putPlan(ctx, p, now); err != nil {
				return fmt.Errorf("inspect: seed plan %s: %w", p.ID, err)
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// maxWindow is the longest a task window runs (a month): tasks are
// looked up that far back.
const maxWindow = 32 * 24 * time.Hour

// loadLocked reads the open and recent tasks once.
func (s *Service) loadLocked(ctx context.Context, now time.Time) error {
	if s.loaded {
		return nil
	}
	recs, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colTasks, From: now.Add(-maxWindow)})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		s.known[rec.ID] = rec.At
	}
	open, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colTasks, Status: []string{TaskOpen}})
	if err != nil {
		return err
	}
	for _, rec := range open {
		var t Task
		if err := json.Unmarshal(rec.Doc, &t); err != nil {
			return fmt.Errorf("inspect: task %s: %w", rec.ID, err)
		}
		s.open[t.ID] = &t
		s.known[t.ID] = t.Start
	}
	s.loaded = true
	return nil
}

// refreshPointsLocked reloads the inspection points from the scene when
// they changed.
func (s *Service) refreshPointsLocked() {
	if !s.dirty.Swap(false) {
		return
	}
	points := map[string]*Point{}
	var list []*Point
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindInspectionPoint, func(e *twin.Entity) bool {
			p, err := PointFromEntity(e)
			if err != nil {
				s.log.Warn("inspection point skipped", "id", e.ID, "err", err)
				return true
			}
			points[p.ID] = p
			list = append(list, p)
			return true
		})
	})
	if err := s.dwell.SetPoints(list); err != nil {
		s.log.Error("inspection points not indexed", "err", err)
		s.dirty.Store(true)
		return
	}
	s.points = points
}

// Point returns an inspection point.
func (s *Service) Point(id string) (*Point, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshPointsLocked()
	p, ok := s.points[id]
	return p, ok
}

// Points returns the inspection points by id.
func (s *Service) Points() []*Point {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshPointsLocked()
	out := make([]*Point, 0, len(s.points))
	for _, p := range s.points {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Point) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// put stores v as a record.
func (s *Service) record(collection, id, status, owner, ref string, at, now time.Time, v any) (store.Record, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return store.Record{}, fmt.Errorf("inspect: encode %s %s: %w", collection, id, err)
	}
	return store.Record{Collection: collection, ID: id, Status: status, Owner: owner, Ref: ref, At: at, UpdatedAt: now, Doc: doc}, nil
}

// decodeAll decodes records' documents.
func decodeAll[T any](recs []store.Record) ([]T, error) {
	out := make([]T, len(recs))
	for i, rec := range recs {
		if err := json.Unmarshal(rec.Doc, &out[i]); err != nil {
			return nil, fmt.Errorf("inspect: %s %s: %w", rec.Collection, rec.ID, err)
		}
	}
	return out, nil
}

// listByID reads and decodes a whole collection, by record id (the store
// lists by time then id; routes and plans are all stamped when stored).
func listByID[T any](ctx context.Context, st Store, collection string) ([]T, error) {
	recs, err := st.ListRecords(ctx, store.RecordFilter{Collection: collection})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b store.Record) int { return strings.Compare(a.ID, b.ID) })
	return decodeAll[T](recs)
}

// get reads and decodes one record.
func get[T any](ctx context.Context, st Store, collection, id string) (T, error) {
	var v T
	rec, err := st.GetRecord(ctx, collection, id)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(rec.Doc, &v); err != nil {
		return v, fmt.Errorf("inspect: %s %s: %w", collection, id, err)
	}
	return v, nil
}

// ---- Routes and plans ----

// Routes returns the routes by id.
func (s *Service) Routes(ctx context.Context) ([]Route, error) {
	return listByID[Route](ctx, s.opts.Store, colRoutes)
}

// Route returns one route.
func (s *Service) Route(ctx context.Context, id string) (Route, error) {
	return get[Route](ctx, s.opts.Store, colRoutes, id)
}

// PutRoute stores a route after checking its points exist.
func (s *Service) PutRoute(ctx context.Context, r Route) error {
	s.mu.Lock()
	s.refreshPointsLocked()
	known := func(id string) bool { _, ok := s.points[id]; return ok }
	err := r.Validate(known)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.putRoute(ctx, r, s.opts.Clock())
}

func (s *Service) putRoute(ctx context.Context, r Route, now time.Time) error {
	rec, err := s.record(colRoutes, r.ID, "", "", "", now, now, r)
	if err != nil {
		return err
	}
	return s.opts.Store.PutRecord(ctx, rec)
}

// DeleteRoute removes a route no plan uses.
func (s *Service) DeleteRoute(ctx context.Context, id string) error {
	plans, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colPlans, Ref: id})
	if err != nil {
		return err
	}
	if len(plans) > 0 {
		return refuse(CodeInUse, nil, "route %s is walked by plan %s", id, plans[0].ID)
	}
	return s.opts.Store.DeleteRecord(ctx, colRoutes, id)
}

// Plans returns the plans by id.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	return listByID[Plan](ctx, s.opts.Store, colPlans)
}

// Plan returns one plan.
func (s *Service) Plan(ctx context.Context, id string) (Plan, error) {
	return get[Plan](ctx, s.opts.Store, colPlans, id)
}

// PutPlan stores a plan after checking its route, its assignee (a person
// of the scene) and its windows; tasks follow from the next round.
func (s *Service) PutPlan(ctx context.Context, p Plan) error {
	route := func(id string) bool {
		_, err := s.opts.Store.GetRecord(ctx, colRoutes, id)
		return err == nil
	}
	if err := p.Validate(route); err != nil {
		return err
	}
	if p.Assignee != "" {
		if e, ok := s.opts.Scene.Get(p.Assignee); !ok || e.Kind != twin.KindPerson {
			return invalid("plan %s: assignee %q is no person of the scene", p.ID, p.Assignee)
		}
	}
	return s.putPlan(ctx, p, s.opts.Clock())
}

func (s *Service) putPlan(ctx context.Context, p Plan, now time.Time) error {
	rec, err := s.record(colPlans, p.ID, map[bool]string{true: "enabled", false: "disabled"}[p.Enabled], p.Assignee, p.Route, now, now, p)
	if err != nil {
		return err
	}
	return s.opts.Store.PutRecord(ctx, rec)
}

// DeletePlan removes a plan; its tasks stay.
func (s *Service) DeletePlan(ctx context.Context, id string) error {
	return s.opts.Store.DeleteRecord(ctx, colPlans, id)
}

// ---- Tasks ----

// owner is how a task's assignee is indexed.
func owner(t *Task) string {
	if t.Assignee != "" {
		return t.Assignee
	}
	return "team:" + t.Team
}

// taskRecord is t as a record.
func (s *Service) taskRecord(t *Task, now time.Time) (store.Record, error) {
	return s.record(colTasks, t.ID, t.Status, owner(t), t.Plan, t.Start, now, t)
}

// generateLocked creates the tasks of the enabled plans whose windows
// start before now + Lookahead and have not closed yet.
func (s *Service) generateLocked(ctx context.Context, now time.Time) error {
	for id, start := range s.known { // windows this old are never generated again
		if start.Before(now.Add(-maxWindow)) {
			delete(s.known, id)
		}
	}
	plans, err := s.Plans(ctx)
	if err != nil {
		return err
	}
	routes := map[string]*Route{}
	var recs []store.Record
	var made []*Task
	for i := range plans {
		p := &plans[i]
		if !p.Enabled {
			continue
		}
		r, ok := routes[p.Route]
		if !ok {
			rt, err := s.Route(ctx, p.Route)
			if err != nil {
				s.log.Warn("plan without its route", "plan", p.ID, "route", p.Route, "err", err)
				continue
			}
			r, routes[p.Route] = &rt, &rt
		}
		ws, err := Windows(p, now.Add(-p.Span()), now.Add(s.opts.Lookahead), s.opts.Location, s.opts.Workday)
		if err != nil {
			s.log.Warn("plan windows", "plan", p.ID, "err", err)
			continue
		}
		for _, w := range ws {
			id := TaskID(p.ID, w.Start)
			if _, ok := s.known[id]; ok || !w.Close.After(now) {
				continue
			}
			t := NewTask(p, r, w)
			rec, err := s.taskRecord(&t, now)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
			made = append(made, &t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := s.opts.Store.PutRecords(ctx, recs); err != nil {
		return err
	}
	for _, t := range made {
		s.known[t.ID], s.open[t.ID] = t.Start, t
	}
	s.log.Info("inspection tasks generated", "tasks", len(made))
	return nil
}

// closeLocked closes the open tasks past their grace: each unvisited
// point gets a "not checked" record, and the task an inspection_missed
// alarm naming who and which points.
func (s *Service) closeLocked(ctx context.Context, now time.Time) error {
	var errs []error
	for _, id := range sortedKeys(s.open) {
		t := s.open[id]
		if !now.After(t.Close) { // Task.CloseAt's rule: after, not at, Close
			continue
		}
		missed := t.CloseAt(now)
		rec, err := s.taskRecord(t, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs := []store.Record{rec}
		for _, pid := range missed {
			c := NotChecked(t, pid)
			c.ID = "CK-" + t.ID + "-" + pid
			crec, err := s.record(colCheckins, c.ID, fmt.Sprint(c.Status), "", pid, c.At, now, c)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			recs = append(recs, crec)
		}
		if err := s.opts.Store.PutRecords(ctx, recs); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(s.open, id)
		s.publishClosedLocked(t, now)
		if len(missed) > 0 {
			s.missed(ctx, t, missed, now)
		}
	}
	return errors.Join(errs...)
}

// missed raises inspection_missed for a closed task's unvisited points.
func (s *Service) missed(ctx context.Context, t *Task, points []string, now time.Time) {
	if s.opts.Alarms == nil {
		return
	}
	who := t.Assignee
	if who == "" {
		who = t.Team
	}
	names := make([]any, len(points))
	ids := make([]any, len(points))
	var at orb.Point
	for i, pid := range points {
		ids[i], names[i] = pid, pid
		if p, ok := s.points[pid]; ok {
			names[i] = p.Name
			if i == 0 {
				at = p.Location
			}
		}
	}
	routeName := t.Route
	if r, err := s.Route(ctx, t.Route); err == nil {
		routeName = r.Name
	}
	_, _, err := s.opts.Alarms.Raise(ctx, alarm.Raise{Key: string(alarm.InspectionMissed) + ":" + t.ID, Type: alarm.InspectionMissed,
		Level: alarm.LevelMedium, EntityID: points[0], Lon: at[0], Lat: at[1], At: now,
		Message:   fmt.Sprintf("巡检漏检：%s（%s）%d 个巡检点未检", routeName, who, len(points)),
		MessageEn: fmt.Sprintf("Missed inspection: %s (%s), %d points not checked", routeName, who, len(points)),
		Details: map[string]any{"task_id": t.ID, "route": t.Route, "route_name": routeName, "plan": t.Plan, "assignee": t.Assignee,
			"team": t.Team, "points": ids, "point_names": names, "start": t.Start, "end": t.End}})
	if err != nil {
		s.log.Error("inspection_missed not raised", "task", t.ID, "err", err)
	}
}

// TaskFilter selects tasks.
type TaskFilter struct {
	Day      time.Time // the tasks whose window overlaps this day (site zone); zero: any
	Assignee string    // a person: their tasks and their team's (Team)
	Team     string
	Status   []string
	Route    string
}

// Tasks returns the tasks f selects, by window start.
func (s *Service) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	q := store.RecordFilter{Collection: colTasks, Status: f.Status}
	var day time.Time // the tasks ending after it (zero: all)
	if !f.Day.IsZero() {
		y, m, d := f.Day.In(s.opts.Location).Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, s.opts.Location)
		q.From, q.To = day.Add(-maxWindow), time.Date(y, m, d+1, 0, 0, 0, 0, s.opts.Location)
	}
	recs, err := s.opts.Store.ListRecords(ctx, q)
	if err != nil {
		return nil, err
	}
	ts, err := decodeAll[Task](recs)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ts, func(t Task) bool { return !t.End.After(day) || !f.match(&t) }), nil
}

func (f TaskFilter) match(t *Task) bool {
	switch {
	case f.Route != "" && t.Route != f.Route:
		return false
	case f.Assignee != "" && t.Assignee != f.Assignee && (t.Team == "" || t.Team != f.Team):
		return false
	case f.Assignee == "" && f.Team != "" && t.Team != f.Team:
		return false
	}
	return true
}

// Task returns one task (the open copy when it is open).
func (s *Service) Task(ctx context.Context, id string) (Task, error) {
	s.mu.Lock()
	if t, ok := s.open[id]; ok {
		c := *t
		c.Points = slices.Clone(t.Points)
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	return get[Task](ctx, s.opts.Store, colTasks, id)
}

// ---- Check-ins ----

// CheckInRequest is a check-in as the phone sends it.
type CheckInRequest struct {
	Task    string // "" : the open task of the person holding the point, else an ad-hoc check
	Point   string
	Code    string
	Results []Result
	Note    string
	Photos  []string
	// Who: the user, their person and its tag (the login's binding).
	User, Person string
}

// CheckIn verifies a check-in against the inspector's tag and stores it
// with the task's progress and the hidden dangers failed items raise; a
// refusal is stored as an attempt and returned as an *Error.
func (s *Service) CheckIn(ctx context.Context, q CheckInRequest) (CheckIn, error) {
	now := s.opts.Clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadLocked(ctx, now); err != nil {
		return CheckIn{}, err
	}
	s.refreshPointsLocked()
	p, ok := s.points[q.Point]
	if !ok {
		return CheckIn{}, refuse(CodePointNotFound, nil, "no inspection point %q", q.Point)
	}
	v := Visit{Point: p, Code: q.Code, Now: now, Results: q.Results, Photos: q.Photos, Note: q.Note, User: q.User, Person: q.Person,
		InTeam: s.inTeam}
	if e, ok := s.opts.Scene.Get(q.Person); ok && e.Mobile != nil {
		v.Tag = e.Mobile.Tag
		if !e.Mobile.Fix.At.IsZero() {
			v.Fix = &Fix{Location: e.Mobile.Fix.Point, At: e.Mobile.Fix.At}
		}
	}
	if since, ok := s.dwell.Inside(q.Person, p.ID, now); ok {
		v.InsideSince = since
	}
	switch {
	case q.Task != "":
		t, err := s.taskLocked(ctx, q.Task)
		if err != nil {
			return CheckIn{}, err
		}
		v.Task = t
	default:
		v.Task = s.taskFor(q.Person, p.ID)
	}
	c, err := Verify(v)
	if err == nil {
		err = s.photosExist(ctx, q.Photos, q.Results)
	}
	if err != nil {
		s.attempt(ctx, q, p, err, now)
		return CheckIn{}, err
	}
	return s.acceptLocked(ctx, c, v.Task, p, now)
}

// photosExist refuses a check-in or a danger's step naming a photo that
// was not uploaded.
func (s *Service) photosExist(ctx context.Context, photos []string, results []Result) error {
	ids := slices.Clone(photos)
	for _, r := range results {
		if r.Photo != "" {
			ids = append(ids, r.Photo)
		}
	}
	for _, id := range ids {
		if _, err := s.opts.Store.GetBlob(ctx, id); errors.Is(err, store.ErrNotFound) {
			return refuse(CodeResultsInvalid, map[string]any{"photo": id}, "photo %q was not uploaded", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// taskLocked returns the open task id, or the stored (closed) one.
func (s *Service) taskLocked(ctx context.Context, id string) (*Task, error) {
	if t, ok := s.open[id]; ok {
		return t, nil
	}
	t, err := get[Task](ctx, s.opts.Store, colTasks, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(CodeTaskNotFound, nil, "no task %q", id)
	}
	return &t, err
}

// taskFor is the open task of person (or their team) whose window is
// running and holds point due, the earliest to close first; nil if none.
func (s *Service) taskFor(person, point string) *Task {
	var best *Task
	now := s.opts.Clock()
	for _, t := range s.open {
		if now.Before(t.Start) || !mayDo(t, person, s.inTeam) {
			continue
		}
		i := t.index(point)
		if i < 0 || t.Points[i].Status != PointDue {
			continue
		}
		if best == nil || t.Close.Before(best.Close) || t.Close.Equal(best.Close) && t.ID < best.ID {
			best = t
		}
	}
	return best
}

// inTeam reports whether person belongs to team (their department).
func (s *Service) inTeam(person, team string) bool {
	e, ok := s.opts.Scene.Get(person)
	return ok && team != "" && e.String("department") == team
}

// acceptLocked stores a verified check-in, the task's progress and the
// dangers it raised.
func (s *Service) acceptLocked(ctx context.Context, c CheckIn, t *Task, p *Point, now time.Time) (CheckIn, error) {
	c.ID = newID("CK", now)
	by := c.User
	if by == "" {
		by = "system"
	}
	dangers := DangersFrom(c, p, now, by)
	for i := range dangers {
		dangers[i].ID = newID("HD", now)
		dangers[i].AreaID = s.areaOf(p.Location)
		c.Dangers = append(c.Dangers, dangers[i].ID)
	}
	var recs []store.Record
	rec, err := s.record(colCheckins, c.ID, fmt.Sprint(c.Status), c.Person, c.Point, c.At, now, c)
	if err != nil {
		return CheckIn{}, err
	}
	recs = append(recs, rec)
	var updated *Task
	if t != nil {
		cp := *t
		cp.Points = slices.Clone(t.Points)
		if cp.Apply(c) {
			trec, err := s.taskRecord(&cp, now)
			if err != nil {
				return CheckIn{}, err
			}
			recs = append(recs, trec)
			updated = &cp
		}
	}
	for i := range dangers {
		drec, err := s.dangerRecord(&dangers[i], now)
		if err != nil {
			return CheckIn{}, err
		}
		recs = append(recs, drec)
	}
	if err := s.opts.Store.PutRecords(ctx, recs); err != nil {
		return CheckIn{}, err
	}
	if updated != nil {
		if _, open := s.open[updated.ID]; open && updated.Status == TaskOpen {
			s.open[updated.ID] = updated
		} else {
			delete(s.open, updated.ID)
			s.publishClosedLocked(updated, now)
		}
	}
	for i := range dangers {
		s.mirrorDanger(&dangers[i], now)
	}
	s.publishLocked(now)
	return c, nil
}

// attempt stores a refused check-in.
func (s *Service) attempt(ctx context.Context, q CheckInRequest, p *Point, err error, now time.Time) {
	a := Attempt{ID: newID("AT", now), At: now, User: q.User, Person: q.Person, Point: p.ID, Message: err.Error()}
	var e *Error
	if errors.As(err, &e) {
		a.Code, a.Details = e.Code, e.Details
		if d, ok := e.Details["distance_m"].(float64); ok {
			a.DistanceM = &d
		}
	}
	rec, rerr := s.record(colAttempts, a.ID, a.Code, a.Person, a.Point, now, now, a)
	if rerr == nil {
		rerr = s.opts.Store.PutRecord(ctx, rec)
	}
	if rerr != nil {
		s.log.Error("refused check-in not recorded", "user", q.User, "point", p.ID, "code", a.Code, "err", rerr)
	}
}

// autoLocked takes the check-ins by trajectory: stays at auto points
// long enough, for a task of the person that holds the point due.
func (s *Service) autoLocked(ctx context.Context, now time.Time) error {
	var errs []error
	for _, st := range s.dwell.Due(now) {
		p, ok := s.points[st.Point]
		if !ok || !p.Auto {
			continue
		}
		t := s.taskFor(st.Person, p.ID)
		if t == nil {
			continue
		}
		v := st.Visit(p, t)
		v.InTeam = s.inTeam
		if e, ok := s.opts.Scene.Get(st.Person); ok && e.Mobile != nil {
			v.Tag = e.Mobile.Tag
		}
		c, err := Verify(v)
		if err != nil {
			continue // a stay that does not pass (the task closed meanwhile …) is no check
		}
		if _, err := s.acceptLocked(ctx, c, t, p, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// CheckIns returns check records: of a person, at a point, in [from,
// to), newest first.
func (s *Service) CheckIns(ctx context.Context, person, point string, from, to time.Time, limit int) ([]CheckIn, error) {
	return newest[CheckIn](ctx, s.opts.Store, colCheckins, person, point, from, to, limit)
}

// Attempts returns refused check-ins: of a person, at a point, in [from,
// to), newest first.
func (s *Service) Attempts(ctx context.Context, person, point string, from, to time.Time, limit int) ([]Attempt, error) {
	return newest[Attempt](ctx, s.opts.Store, colAttempts, person, point, from, to, limit)
}

// newest lists a collection's documents of owner and ref in [from, to),
// newest first.
func newest[T any](ctx context.Context, st Store, collection, owner, ref string, from, to time.Time, limit int) ([]T, error) {
	recs, err := st.ListRecords(ctx, store.RecordFilter{Collection: collection, Owner: owner, Ref: ref, From: from, To: to, Limit: limit, Desc: true})
	if err != nil {
		return nil, err
	}
	return decodeAll[T](recs)
}

// ---- The map ----

// publishLocked sets each inspection point's status for its current task
// — the running task holding it that closes first — as the entity's
// state (status due, done, late; task the task's id). A point no running
// task holds keeps the outcome its last task left (done, late, missed).
func (s *Service) publishLocked(now time.Time) {
	type current struct {
		status, task string
		close        time.Time
	}
	cur := map[string]current{}
	for _, t := range s.open {
		if now.Before(t.Start) {
			continue
		}
		for _, tp := range t.Points {
			if c, ok := cur[tp.Point]; !ok || t.Close.Before(c.close) {
				cur[tp.Point] = current{tp.Status, t.ID, t.Close}
			}
		}
	}
	var changes []twin.Change
	for _, id := range sortedKeys(s.points) {
		c, ok := cur[id]
		if !ok {
			continue
		}
		if key := c.status + "|" + c.task; s.statuses[id] != key {
			s.statuses[id] = key
			changes = append(changes, twin.SetState{ID: id, At: now, State: map[string]any{"status": c.status, "task": c.task}})
		}
	}
	if len(changes) == 0 {
		return
	}
	if err := s.opts.Scene.Apply(changes...).Err(); err != nil {
		s.log.Warn("inspection point status not set", "err", err)
	}
}

// publishClosedLocked marks a closed task's outcome on its points' map status.
func (s *Service) publishClosedLocked(t *Task, now time.Time) {
	var changes []twin.Change
	for _, tp := range t.Points {
		if _, ok := s.points[tp.Point]; !ok {
			continue
		}
		if key := tp.Status + "|" + t.ID; s.statuses[tp.Point] != key {
			s.statuses[tp.Point] = key
			changes = append(changes, twin.SetState{ID: tp.Point, At: now, State: map[string]any{"status": tp.Status, "task": t.ID}})
		}
	}
	if len(changes) > 0 {
		if err := s.opts.Scene.Apply(changes...).Err(); err != nil {
			s.log.Warn("inspection point status not set", "err", err)
		}
	}
}

// areaOf is the smallest area holding p.
func (s *Service) areaOf(p orb.Point) (area string) {
	s.opts.Scene.View(func(tx twin.Tx) { area = tx.AreaAt(p) })
	return area
}

// ---- Hidden dangers ----

func (s *Service) dangerRecord(d *Danger, now time.Time) (store.Record, error) {
	return s.record(colDangers, d.ID, d.Status, d.FoundBy, d.Point, d.FoundAt, now, d)
}

// saveDanger stores a hidden danger and puts it on the map.
func (s *Service) saveDanger(ctx context.Context, d *Danger, now time.Time) error {
	rec, err := s.dangerRecord(d, now)
	if err == nil {
		err = s.opts.Store.PutRecord(ctx, rec)
	}
	if err != nil {
		return err
	}
	s.mirrorDanger(d, now)
	return nil
}

// mirrorDanger puts a hidden danger on the map (layer hidden_dangers).
func (s *Service) mirrorDanger(d *Danger, now time.Time) {
	props := map[string]any{"status": d.Status, "level": d.Level, "fix": d.Fix, "description": d.Description,
		"point": d.Point, "found_by": d.FoundBy, "found_at": d.FoundAt.UTC().Format(time.RFC3339)}
	if d.DescriptionEn != "" {
		props["description_en"] = d.DescriptionEn
	}
	if d.Deadline != nil {
		props["deadline"] = d.Deadline.UTC().Format(time.RFC3339)
		props["overdue"] = d.Overdue(now)
	}
	e := &twin.Entity{ID: d.ID, Kind: twin.KindHiddenDanger, Name: d.Description, Geometry: orb.Point{d.Lon, d.Lat}, Updated: now, Props: props}
	if d.AreaID != "" {
		e.Parent = d.AreaID
	}
	if err := s.opts.Scene.Apply(twin.Upsert{Entity: e}).Err(); err != nil {
		s.log.Warn("hidden danger not mirrored", "id", d.ID, "err", err)
	}
}

// overdueLocked marks on the map the hidden dangers whose deadline has
// passed while they are still being rectified (the entity's overdue).
func (s *Service) overdueLocked(ctx context.Context, now time.Time) error {
	recs, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colDangers, Status: []string{DangerRectifying}})
	if err != nil {
		return err
	}
	ds, err := decodeAll[Danger](recs)
	if err != nil {
		return err
	}
	for i := range ds {
		d := &ds[i]
		if !d.Overdue(now) {
			continue
		}
		if e, ok := s.opts.Scene.Get(d.ID); ok && e.Props["overdue"] == true {
			continue
		}
		s.mirrorDanger(d, now)
	}
	return nil
}

// Dangers returns hidden dangers of the given statuses (all when none),
// newest first.
func (s *Service) Dangers(ctx context.Context, statuses []string, limit int) ([]Danger, error) {
	recs, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colDangers, Status: statuses, Limit: limit, Desc: true})
	if err != nil {
		return nil, err
	}
	return decodeAll[Danger](recs)
}

// Danger returns one hidden danger.
func (s *Service) Danger(ctx context.Context, id string) (Danger, error) {
	return get[Danger](ctx, s.opts.Store, colDangers, id)
}

// DangerStep applies a step to a hidden danger (rectify, accept, reject)
// and stores it.
func (s *Service) DangerStep(ctx context.Context, id, action, by, note string, photos []string) (Danger, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.Danger(ctx, id)
	if err != nil {
		return d, err
	}
	now := s.opts.Clock()
	if err := s.photosExist(ctx, photos, nil); err != nil {
		return d, err
	}
	switch action {
	case "rectify":
		err = d.Rectify(by, now, note, photos)
	case "accept":
		err = d.Accept(by, now, note)
	case "reject":
		err = d.Reject(by, now, note)
	default:
		err = refuse(CodeInvalidInput, nil, "no step %q", action)
	}
	if err != nil {
		return d, err
	}
	return d, s.saveDanger(ctx, &d, now)
}

// Report records a hidden danger found outside a checklist (a manual
// report at a place), rectifying from now.
func (s *Service) Report(ctx context.Context, d Danger) (Danger, error) {
	now := s.opts.Clock()
	switch {
	case strings.TrimSpace(d.Description) == "" || len(d.Description) > MaxTextBytes:
		return d, refuse(CodeInvalidInput, nil, "a description of 1–%d bytes is required", MaxTextBytes)
	case !geo.ValidLonLat(orb.Point{d.Lon, d.Lat}):
		return d, refuse(CodeInvalidInput, nil, "lon/lat %v, %v", d.Lon, d.Lat)
	case d.Level != DangerGeneral && d.Level != DangerMajor:
		return d, refuse(CodeInvalidInput, nil, "level %q (want general or major)", d.Level)
	case d.Fix != FixOnSpot && d.Fix != FixDeadline:
		return d, refuse(CodeInvalidInput, nil, "fix %q (want on_spot or deadline)", d.Fix)
	case d.Deadline != nil && !d.Deadline.After(now):
		return d, refuse(CodeInvalidInput, nil, "the deadline %s has passed", d.Deadline.Format(time.RFC3339))
	case d.Fix == FixDeadline && d.Deadline == nil:
		return d, refuse(CodeInvalidInput, nil, "a fix by deadline (限期整改) needs its deadline")
	}
	if d.Deadline == nil { // on the spot: the default of DangersFrom
		due := now.Add(DefaultOnSpotDeadline)
		d.Deadline = &due
	}
	if err := s.photosExist(ctx, d.Photos, nil); err != nil {
		return d, err
	}
	d.ID, d.Status, d.FoundAt = newID("HD", now), DangerRectifying, now
	d.AreaID = s.areaOf(orb.Point{d.Lon, d.Lat})
	d.Log = []DangerEvent{{Action: ActionFound, By: d.FoundBy, At: now, Note: d.Description, Photos: d.Photos}}
	return d, s.saveDanger(ctx, &d, now)
}

// ---- Stats and progress ----

// Stats returns completion and timeliness of the tasks whose window
// starts in [from, to), grouped by person, team, route or day.
func (s *Service) Stats(ctx context.Context, from, to time.Time, by string) ([]Row, error) {
	recs, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colTasks, From: from, To: to})
	if err != nil {
		return nil, err
	}
	ts, err := decodeAll[Task](recs)
	if err != nil {
		return nil, err
	}
	routes := map[string]string{}
	if rs, err := s.Routes(ctx); err == nil {
		for _, r := range rs {
			routes[r.ID] = r.Name
		}
	}
	names := func(key string) string {
		if n, ok := routes[key]; ok && by == ByRoute {
			return n
		}
		if e, ok := s.opts.Scene.Get(key); ok {
			return e.Name
		}
		return key
	}
	return Stats(ts, by, s.opts.Location, names)
}

// Progress is an inspector's open task and how far it got, for the
// manager's view.
type Progress struct {
	Task     string     `json:"task"`
	Route    string     `json:"route"`
	Assignee string     `json:"assignee,omitempty"`
	Team     string     `json:"team,omitempty"`
	Start    time.Time  `json:"start"`
	End      time.Time  `json:"end"`
	Points   int        `json:"points"`
	Done     int        `json:"done"`
	Late     int        `json:"late"`
	Next     string     `json:"next,omitempty"`
	LastAt   *time.Time `json:"last_at,omitempty"`
	LastBy   string     `json:"last_by,omitempty"`
}

// Progress lists the running tasks (window started, not closed) with
// their progress, by end.
func (s *Service) Progress() []Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock()
	var out []Progress
	for _, t := range s.open {
		if now.Before(t.Start) {
			continue
		}
		pr := Progress{Task: t.ID, Route: t.Route, Assignee: t.Assignee, Team: t.Team, Start: t.Start, End: t.End, Points: len(t.Points)}
		for _, tp := range t.Points {
			switch tp.Status {
			case PointDone:
				pr.Done++
			case PointLate:
				pr.Late++
			case PointDue:
				if pr.Next == "" {
					pr.Next = tp.Point
				}
			}
			if tp.At != nil && (pr.LastAt == nil || tp.At.After(*pr.LastAt)) {
				at := *tp.At
				pr.LastAt, pr.LastBy = &at, tp.By
			}
		}
		out = append(out, pr)
	}
	slices.SortFunc(out, func(a, b Progress) int {
		if c := a.End.Compare(b.End); c != 0 {
			return c
		}
		return strings.Compare(a.Task, b.Task)
	})
	return out
}

// ---- Photos ----

// PutPhoto stores a photo and returns its id.
func (s *Service) PutPhoto(ctx context.Context, contentType string, data []byte, by string) (string, error) {
	now := s.opts.Clock()
	id := newID("PH", now)
	return id, s.opts.Store.PutBlob(ctx, store.Blob{ID: id, ContentType: contentType, Data: data, CreatedAt: now, By: by})
}

// Photo returns a stored photo.
func (s *Service) Photo(ctx context.Context, id string) (store.Blob, error) {
	return s.opts.Store.GetBlob(ctx, id)
}

// newID is prefix, the UTC time and a random suffix.
func newID(prefix string, now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
