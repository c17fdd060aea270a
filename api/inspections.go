package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// Inspections is the inspection service (*inspect.Service satisfies it).
type Inspections interface {
	Location() *time.Location
	Points() []*inspect.Point
	Point(id string) (*inspect.Point, bool)
	Routes(ctx context.Context) ([]inspect.Route, error)
	Route(ctx context.Context, id string) (inspect.Route, error)
	PutRoute(ctx context.Context, r inspect.Route) error
	DeleteRoute(ctx context.Context, id string) error
	Plans(ctx context.Context) ([]inspect.Plan, error)
	Plan(ctx context.Context, id string) (inspect.Plan, error)
	PutPlan(ctx context.Context, p inspect.Plan) error
	DeletePlan(ctx context.Context, id string) error
	Tasks(ctx context.Context, f inspect.TaskFilter) ([]inspect.Task, error)
	Task(ctx context.Context, id string) (inspect.Task, error)
	CheckIn(ctx context.Context, q inspect.CheckInRequest) (inspect.CheckIn, error)
	CheckIns(ctx context.Context, person, point string, from, to time.Time, limit int) ([]inspect.CheckIn, error)
	Attempts(ctx context.Context, person, point string, from, to time.Time, limit int) ([]inspect.Attempt, error)
	Stats(ctx context.Context, from, to time.Time, by string) ([]inspect.Row, error)
	Progress() []inspect.Progress
	PutPhoto(ctx context.Context, contentType string, data []byte, by string) (string, error)
	Photo(ctx context.Context, id string) (store.Blob, error)
	Dangers(ctx context.Context, statuses []string, limit int) ([]inspect.Danger, error)
	Danger(ctx context.Context, id string) (inspect.Danger, error)
	DangerStep(ctx context.Context, id, action, by, note string, photos []string) (inspect.Danger, error)
	Report(ctx context.Context, d inspect.Danger) (inspect.Danger, error)
}

var errInspectionsUnavailable = errorf(http.StatusServiceUnavailable, codeUnavailable, "the inspection service is not running")

// Who may do what (W7): everyone bound to a person may check in and
// report; managers edit routes, plans and points and accept rectified
// dangers.
var (
	inspectRoles = []string{roleAdmin, roleManager, roleEmergency, roleInspector, roleOperator}
	planRoles    = []string{roleAdmin, roleManager}
)

// inspectionRoutes registers the inspection and hidden-danger routes.
func (s *Server) inspectionRoutes() {
	s.handleFunc("GET /api/v1/inspections/points", s.inspections(s.pointList))
	s.routesAndPlans()
	s.handleFunc("GET /api/v1/inspections/tasks", s.taskList)
	s.handleFunc("GET /api/v1/inspections/tasks/{id}", s.inspections(s.taskGet))
	s.handleFunc("POST /api/v1/inspections/checkins", s.authed(s.inspectionsAuthed(s.checkIn), inspectRoles...))
	s.handleFunc("GET /api/v1/inspections/checkins", s.inspections(s.checkInList))
	s.handleFunc("GET /api/v1/inspections/attempts", s.authed(s.inspectionsAuthed(s.attemptList), planRoles...))
	s.handleFunc("POST /api/v1/inspections/photos", s.authed(s.inspectionsAuthed(s.photoPut), inspectRoles...))
	s.handleFunc("GET /api/v1/inspections/photos/{id}", s.inspections(s.photoGet))
	s.handleFunc("GET /api/v1/inspections/stats", s.inspections(s.inspectionStats))
	s.handleFunc("GET /api/v1/inspections/progress", s.inspections(s.inspectionProgress))
	s.handleFunc("GET /api/v1/hidden-dangers", s.inspections(s.dangerList))
	s.handleFunc("GET /api/v1/hidden-dangers/{id}", s.inspections(s.dangerGet))
	s.handleFunc("POST /api/v1/hidden-dangers", s.authed(s.inspectionsAuthed(s.dangerReport), inspectRoles...))
	s.handleFunc("POST /api/v1/hidden-dangers/{id}/rectify", s.authed(s.inspectionsAuthed(s.dangerStep("rectify")), inspectRoles...))
	s.handleFunc("POST /api/v1/hidden-dangers/{id}/accept", s.authed(s.inspectionsAuthed(s.dangerStep("accept")), planRoles...))
	s.handleFunc("POST /api/v1/hidden-dangers/{id}/reject", s.authed(s.inspectionsAuthed(s.dangerStep("reject")), planRoles...))
}

// inspections answers 503 while the service is missing.
func (s *Server) inspections(h http.HandlerFunc) http.HandlerFunc {
	return s.serving(s.opts.Inspections == nil, errInspectionsUnavailable, h)
}

func (s *Server) inspectionsAuthed(h authedFunc) authedFunc {
	return s.servingAuthed(s.opts.Inspections == nil, errInspectionsUnavailable, h)
}

// authedFunc is a handler that runs after authentication.
type authedFunc = func(http.ResponseWriter, *http.Request, principal)

// serving answers err (a 503) instead of running h when the service h
// needs is missing (options are fixed at New).
func (s *Server) serving(missing bool, err error, h http.HandlerFunc) http.HandlerFunc {
	if !missing {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, err) }
}

// servingAuthed is serving after authentication (a 401 or 403 first).
func (s *Server) servingAuthed(missing bool, err error, h authedFunc) authedFunc {
	if !missing {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request, _ principal) { s.writeError(w, r, err) }
}

// inspectError maps the inspection service's refusals: a check-in the
// position, dwell, code, order or task refuses 422 with its details; a
// malformed request 400; unknown points and tasks 404; a state conflict
// 409.
func inspectError(err error) error {
	var e *inspect.Error
	if errors.As(err, &e) {
		status := http.StatusUnprocessableEntity
		switch e.Code {
		case inspect.CodeResultsInvalid, inspect.CodeInvalidInput, inspect.CodeNoteRequired, inspect.CodeByRequired, inspect.CodeInvalidTime:
			status = http.StatusBadRequest
		case inspect.CodePointNotFound, inspect.CodeTaskNotFound:
			status = http.StatusNotFound
		case inspect.CodeInUse, inspect.CodeInvalidState, inspect.CodeSamePerson:
			status = http.StatusConflict
		}
		ae := errorf(status, e.Code, "%s", e.Msg)
		ae.details = e.Details
		return ae
	}
	if errors.Is(err, inspect.ErrInvalid) {
		return errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	return err
}

// ---- points, routes, plans ----

func (s *Server) pointList(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"points": s.opts.Inspections.Points()})
}

// resource is a collection of documents the inspection service keeps by
// id (routes, plans): list, get, create (POST, 201; an existing id 409),
// replace (PUT, 200; an unknown id 404) and delete (204), edits audited.
type resource[T any] struct {
	plural, noun, prefix string
	list                 func(ctx context.Context) ([]T, error)
	get                  func(ctx context.Context, id string) (T, error)
	put                  func(ctx context.Context, v T) error
	del                  func(ctx context.Context, id string) error
	id                   func(v *T) *string
	detail               func(v T) map[string]any
}

// register mounts the resource at path (reads open, edits for roles).
func (res resource[T]) register(s *Server, path string, roles ...string) {
	s.handleFunc("GET "+path, s.inspections(func(w http.ResponseWriter, r *http.Request) {
		vs, err := res.list(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{res.plural: vs})
	}))
	s.handleFunc("GET "+path+"/{id}", s.inspections(func(w http.ResponseWriter, r *http.Request) {
		v, err := res.get(r.Context(), r.PathValue("id"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, typeJSON, v)
	}))
	put := s.authed(s.inspectionsAuthed(func(w http.ResponseWriter, r *http.Request, p principal) {
		var v T
		if err := decodeJSON(w, r, &v, false); err != nil {
			s.writeError(w, r, err)
			return
		}
		exists := func(id string) bool { _, err := res.get(r.Context(), id); return err == nil }
		status, ok := s.putID(w, r, res.id(&v), res.prefix, exists)
		if !ok {
			return
		}
		if err := res.put(r.Context(), v); err != nil {
			s.writeError(w, r, inspectError(err))
			return
		}
		s.audit(r, p.user.Username, "inspection."+res.noun+".put", *res.id(&v), res.detail(v))
		s.writeJSON(w, r, status, typeJSON, v)
	}), roles...)
	s.handleFunc("POST "+path, put)
	s.handleFunc("PUT "+path+"/{id}", put)
	s.handleFunc("DELETE "+path+"/{id}", s.authed(s.inspectionsAuthed(func(w http.ResponseWriter, r *http.Request, p principal) {
		id := r.PathValue("id")
		if err := res.del(r.Context(), id); err != nil {
			s.writeError(w, r, inspectError(err))
			return
		}
		s.audit(r, p.user.Username, "inspection."+res.noun+".delete", id, nil)
		w.WriteHeader(http.StatusNoContent)
	}), roles...))
}

// putID settles the id of a POST (from the body or assigned; 409 when it
// exists) or a PUT (the path's; 404 when it does not exist), writing the
// error itself; it returns the status to answer with.
func (s *Server) putID(w http.ResponseWriter, r *http.Request, id *string, prefix string, exists func(string) bool) (int, bool) {
	path := r.PathValue("id")
	switch {
	case path != "" && *id != "" && *id != path:
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "id %q is not %q of the path", *id, path))
		return 0, false
	case path != "":
		if !exists(path) {
			s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no %q", path))
			return 0, false
		}
		*id = path
		return http.StatusOK, true
	case *id == "":
		*id = newEditID(prefix + "-")
	case exists(*id):
		s.writeError(w, r, errorf(http.StatusConflict, codeConflict, "%s exists: PUT replaces it", *id))
		return 0, false
	}
	return http.StatusCreated, true
}

// routesAndPlans mounts the inspection routes and plans.
func (s *Server) routesAndPlans() {
	in := func() Inspections { return s.opts.Inspections }
	resource[inspect.Route]{plural: "routes", noun: "route", prefix: "RT",
		list: func(ctx context.Context) ([]inspect.Route, error) { return in().Routes(ctx) },
		get:  func(ctx context.Context, id string) (inspect.Route, error) { return in().Route(ctx, id) },
		put:  func(ctx context.Context, v inspect.Route) error { return in().PutRoute(ctx, v) },
		del:  func(ctx context.Context, id string) error { return in().DeleteRoute(ctx, id) },
		id:   func(v *inspect.Route) *string { return &v.ID },
		detail: func(v inspect.Route) map[string]any {
			return map[string]any{"name": v.Name, "points": v.Points}
		}}.register(s, "/api/v1/inspections/routes", planRoles...)
	resource[inspect.Plan]{plural: "plans", noun: "plan", prefix: "PL",
		list: func(ctx context.Context) ([]inspect.Plan, error) { return in().Plans(ctx) },
		get:  func(ctx context.Context, id string) (inspect.Plan, error) { return in().Plan(ctx, id) },
		put:  func(ctx context.Context, v inspect.Plan) error { return in().PutPlan(ctx, v) },
		del:  func(ctx context.Context, id string) error { return in().DeletePlan(ctx, id) },
		id:   func(v *inspect.Plan) *string { return &v.ID },
		detail: func(v inspect.Plan) map[string]any {
			return map[string]any{"name": v.Name, "route": v.Route, "enabled": v.Enabled}
		}}.register(s, "/api/v1/inspections/plans", planRoles...)
}

// ---- tasks ----

// taskPointView is a task's point with what the phone needs to walk to
// it and fill its checklist (never its code).
type taskPointView struct {
	inspect.TaskPoint
	Name      string         `json:"name,omitempty"`
	NameEn    string         `json:"name_en,omitempty"`
	Location  *orb.Point     `json:"location,omitempty"`
	RadiusM   float64        `json:"radius_m,omitempty"`
	MinDwellS float64        `json:"min_dwell_s,omitempty"`
	Equipment string         `json:"equipment,omitempty"`
	Auto      bool           `json:"auto_checkin,omitempty"`
	Checklist []inspect.Item `json:"checklist,omitempty"`
}

// taskView is a task with its route's name and its points spelled out.
type taskView struct {
	inspect.Task
	RouteName   string          `json:"route_name"`
	RouteNameEn string          `json:"route_name_en,omitempty"`
	Points      []taskPointView `json:"points"`
}

func (s *Server) taskView(t inspect.Task, routes map[string]inspect.Route) taskView {
	rt := routes[t.Route]
	v := taskView{Task: t, RouteName: rt.Name, RouteNameEn: rt.NameEn, Points: make([]taskPointView, len(t.Points))}
	for i, tp := range t.Points {
		pv := taskPointView{TaskPoint: tp}
		if p, ok := s.opts.Inspections.Point(tp.Point); ok {
			loc := p.Location
			pv.Name, pv.NameEn, pv.Location, pv.RadiusM, pv.MinDwellS = p.Name, p.NameEn, &loc, p.RadiusM, p.MinDwellS
			pv.Equipment, pv.Auto, pv.Checklist = p.Equipment, p.Auto, p.Checklist
		}
		v.Points[i] = pv
	}
	return v
}

func (s *Server) routesByID(ctx context.Context) map[string]inspect.Route {
	names := map[string]inspect.Route{}
	if rs, err := s.opts.Inspections.Routes(ctx); err == nil {
		for _, rt := range rs {
			names[rt.ID] = rt
		}
	}
	return names
}

// taskList answers GET /api/v1/inspections/tasks?date=&assignee=&team=&status=&route=&mine=1
// (mine: the caller's own and their team's tasks; it needs a token).
func (s *Server) taskList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Inspections == nil {
		s.writeError(w, r, errInspectionsUnavailable)
		return
	}
	q := r.URL.Query()
	if err := checkParams(q, "date", "assignee", "team", "status", "route", "mine"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f := inspect.TaskFilter{Assignee: q.Get("assignee"), Team: q.Get("team"), Route: q.Get("route")}
	if st := q.Get("status"); st != "" {
		f.Status = strings.Split(st, ",")
		for _, v := range f.Status {
			if !slices.Contains([]string{inspect.TaskOpen, inspect.TaskDone, inspect.TaskPartial, inspect.TaskMissed}, v) {
				s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "status %q: want open, done, partial or missed", v))
				return
			}
		}
	}
	loc := s.opts.Inspections.Location()
	if d := q.Get("date"); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, loc)
		if err != nil {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "date %q: want YYYY-MM-DD", d))
			return
		}
		f.Day = day
	}
	if m := q.Get("mine"); m != "" {
		if m != "1" && m != "true" {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "mine %q: want 1", m))
			return
		}
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.user.PersonID == "" {
			s.writeError(w, r, errorf(http.StatusForbidden, "no_person", "user %s is bound to no person", p.user.Username))
			return
		}
		f.Assignee, f.Team = p.user.PersonID, ""
		if e, ok := s.opts.Scene.Get(p.user.PersonID); ok {
			f.Team = e.String("department")
		}
		if f.Day.IsZero() {
			f.Day = s.opts.Clock()
		}
	}
	ts, err := s.opts.Inspections.Tasks(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	names := s.routesByID(r.Context())
	out := make([]taskView, len(ts))
	for i, t := range ts {
		out[i] = s.taskView(t, names)
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"tasks": out})
}

func (s *Server) taskGet(w http.ResponseWriter, r *http.Request) {
	t, err := s.opts.Inspections.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, s.taskView(t, s.routesByID(r.Context())))
}

// ---- check-ins ----

// checkInBody is POST /api/v1/inspections/checkins.
type checkInBody struct {
	TaskID  string           `json:"task_id"`
	PointID string           `json:"point_id"`
	Code    string           `json:"code"`
	Results []inspect.Result `json:"results"`
	Note    string           `json:"note"`
	Photos  []string         `json:"photos"`
}

// checkIn answers POST /api/v1/inspections/checkins: 201 the verified
// check record, or 422 with the refusal's code and details (every
// refusal is kept as an attempt).
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, p principal) {
	var b checkInBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.PointID == "" {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "point_id is required"))
		return
	}
	if p.user.PersonID == "" {
		s.writeError(w, r, errorf(http.StatusForbidden, "no_person", "user %s is bound to no person with a tag: a check-in is proven by the tag", p.user.Username))
		return
	}
	for i := range b.Results {
		if b.Results[i].Pass {
			b.Results[i].Pass = false // the server judges
		}
	}
	c, err := s.opts.Inspections.CheckIn(r.Context(), inspect.CheckInRequest{Task: b.TaskID, Point: b.PointID, Code: b.Code,
		Results: b.Results, Note: b.Note, Photos: b.Photos, User: p.user.Username, Person: p.user.PersonID})
	if err != nil {
		var e *inspect.Error
		if errors.As(err, &e) {
			s.audit(r, p.user.Username, "inspection.checkin.refused", b.PointID, map[string]any{"code": e.Code, "task": b.TaskID})
		}
		s.writeError(w, r, inspectError(err))
		return
	}
	s.audit(r, p.user.Username, "inspection.checkin", c.ID, map[string]any{"point": c.Point, "task": c.Task, "status": c.Status, "late": c.Late})
	s.writeJSON(w, r, http.StatusCreated, typeJSON, c)
}

// timeRange reads from and to (RFC 3339 or YYYY-MM-DD in the site zone).
func timeRange(q map[string][]string, loc *time.Location) (from, to time.Time, err error) {
	parse := func(name string) (time.Time, error) {
		v := ""
		if vs := q[name]; len(vs) > 0 {
			v = vs[0]
		}
		if v == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return time.Time{}, errorf(http.StatusBadRequest, codeBadParameter, "%s %q: want RFC 3339 or YYYY-MM-DD", name, v)
		}
		return t, nil
	}
	if from, err = parse("from"); err != nil {
		return
	}
	to, err = parse("to")
	return
}

func limitParam(v string) (int, error) {
	if v == "" {
		return 500, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, errorf(http.StatusBadRequest, codeBadLimit, "limit %q: want 1–10000", v)
	}
	return n, nil
}

func (s *Server) checkInList(w http.ResponseWriter, r *http.Request) {
	recordList(s, w, r, "checkins", s.opts.Inspections.CheckIns)
}

func (s *Server) attemptList(w http.ResponseWriter, r *http.Request, _ principal) {
	recordList(s, w, r, "attempts", s.opts.Inspections.Attempts)
}

// recordList answers a list of check records or attempts:
// ?person=&point=&from=&to=&limit=, newest first.
func recordList[T any](s *Server, w http.ResponseWriter, r *http.Request, plural string,
	list func(ctx context.Context, person, point string, from, to time.Time, limit int) ([]T, error)) {
	q := r.URL.Query()
	if err := checkParams(q, "person", "point", "from", "to", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to, err := timeRange(q, s.opts.Inspections.Location())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vs, err := list(r.Context(), q.Get("person"), q.Get("point"), from, to, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{plural: vs})
}

// ---- photos ----

// photoTypes are the image types a photo may be.
var photoTypes = []string{"image/jpeg", "image/png", "image/webp"}

// photoPut answers POST /api/v1/inspections/photos: the body is the image
// (JPEG, PNG or WebP, at most 8 MiB) → 201 {"id"}.
func (s *Server) photoPut(w http.ResponseWriter, r *http.Request, p principal) {
	ct := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	if !slices.Contains(photoTypes, ct) {
		s.writeError(w, r, errorf(http.StatusUnsupportedMediaType, codeMediaType, "a photo is image/jpeg, image/png or image/webp, got %q", ct))
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, store.MaxBlobBytes))
	if err != nil {
		s.writeError(w, r, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "a photo is at most %d bytes", store.MaxBlobBytes))
		return
	}
	id, err := s.opts.Inspections.PutPhoto(r.Context(), ct, data, p.user.Username)
	if errors.Is(err, store.ErrInvalid) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "%v", err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "inspection.photo", id, map[string]any{"bytes": len(data), "type": ct})
	w.Header().Set("Location", "/api/v1/inspections/photos/"+id)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, map[string]string{"id": id})
}

func (s *Server) photoGet(w http.ResponseWriter, r *http.Request) {
	b, err := s.opts.Inspections.Photo(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	s.writeBytes(w, r, http.StatusOK, b.ContentType, b.Data)
}

// ---- stats and progress ----

// inspectionStats answers GET /api/v1/inspections/stats?from=&to=&by=person|team|route|day
// (from … to: the tasks whose window starts then; default today).
func (s *Server) inspectionStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "from", "to", "by"); err != nil {
		s.writeError(w, r, err)
		return
	}
	loc := s.opts.Inspections.Location()
	from, to, err := timeRange(q, loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.opts.Clock().In(loc)
	if from.IsZero() {
		from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, 1)
	} else if len(q.Get("to")) == len(time.DateOnly) {
		to = to.AddDate(0, 0, 1) // a date "to" includes its day
	}
	by := q.Get("by")
	if by == "" {
		by = inspect.ByPerson
	}
	rows, err := s.opts.Inspections.Stats(r.Context(), from, to, by)
	if err != nil {
		if strings.Contains(err.Error(), "by") {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "by %q: want person, team, route or day", by))
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"from": from, "to": to, "by": by, "rows": rows})
}

func (s *Server) inspectionProgress(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"progress": s.opts.Inspections.Progress()})
}

// ---- hidden dangers ----

func (s *Server) dangerList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "status", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var statuses []string
	if st := q.Get("status"); st != "" {
		statuses = strings.Split(st, ",")
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.opts.Inspections.Dangers(r.Context(), statuses, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"hidden_dangers": ds})
}

func (s *Server) dangerGet(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Inspections.Danger(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, d)
}

// dangerBody is a hidden-danger report or step.
type dangerBody struct {
	Description string     `json:"description"`
	Lon         float64    `json:"lon"`
	Lat         float64    `json:"lat"`
	Point       string     `json:"point"`
	Level       string     `json:"level"`
	Fix         string     `json:"fix"`
	Deadline    *time.Time `json:"deadline"`
	Note        string     `json:"note"`
	Photos      []string   `json:"photos"`
}

// dangerReport answers POST /api/v1/hidden-dangers: a hidden danger seen
// outside a checklist, at a place or a point (201).
func (s *Server) dangerReport(w http.ResponseWriter, r *http.Request, p principal) {
	var b dangerBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	d := inspect.Danger{Description: b.Description, Lon: b.Lon, Lat: b.Lat, Point: b.Point, Level: b.Level, Fix: b.Fix,
		Deadline: b.Deadline, Photos: b.Photos, FoundBy: p.user.Username}
	if b.Point != "" {
		pt, ok := s.opts.Inspections.Point(b.Point)
		if !ok {
			s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no inspection point %q", b.Point))
			return
		}
		d.Lon, d.Lat = pt.Location[0], pt.Location[1]
	}
	d, err := s.opts.Inspections.Report(r.Context(), d)
	if err != nil {
		s.writeError(w, r, inspectError(err))
		return
	}
	s.audit(r, p.user.Username, "hidden_danger.report", d.ID, map[string]any{"level": d.Level, "fix": d.Fix})
	w.Header().Set("Location", "/api/v1/hidden-dangers/"+d.ID)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, d)
}

// dangerStep answers POST /api/v1/hidden-dangers/{id}/rectify|accept|reject
// ({"note", "photos"}).
func (s *Server) dangerStep(action string) func(http.ResponseWriter, *http.Request, principal) {
	return func(w http.ResponseWriter, r *http.Request, p principal) {
		var b struct {
			Note   string   `json:"note"`
			Photos []string `json:"photos"`
		}
		if err := decodeJSON(w, r, &b, true); err != nil {
			s.writeError(w, r, err)
			return
		}
		id := r.PathValue("id")
		d, err := s.opts.Inspections.DangerStep(r.Context(), id, action, p.user.Username, b.Note, b.Photos)
		if err != nil {
			s.writeError(w, r, inspectError(err))
			return
		}
		s.audit(r, p.user.Username, "hidden_danger."+action, id, map[string]any{"status": d.Status})
		s.writeJSON(w, r, http.StatusOK, typeJSON, d)
	}
}
