package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/chemtwin/chemtwin/twin/evac"
)

// Evacuation is the emergency service (*evac.Service satisfies it).
type Evacuation interface {
	CreatePlan(ctx context.Context, req evac.Request, by string) (*evac.Plan, error)
	UpdatePlan(ctx context.Context, id string, req evac.Request, by string) (*evac.Plan, error)
	GetPlan(id string) (*evac.Plan, error)
	Plans() []*evac.Plan
	View(p *evac.Plan) evac.View
	Order(ctx context.Context, planID, message, messageEn, by string) (*evac.Order, error)
	EndOrder(ctx context.Context, id, by string) (*evac.Order, error)
	GetOrder(id string) (evac.OrderView, error)
	Orders() []evac.OrderView
	RollCall() evac.RollCall
	Location() *time.Location
}

var errEvacuationUnavailable = errorf(http.StatusServiceUnavailable, codeUnavailable, "the emergency service is not running")

// Who plans and orders evacuations (W8): emergency staff and managers.
var emergencyRoles = []string{roleAdmin, roleManager, roleEmergency}

// evacuationRoutes registers the evacuation plans, orders and the roll
// call.
func (s *Server) evacuationRoutes() {
	s.handleFunc("POST /api/v1/evacuation/plans", s.authed(s.evacAuthed(s.evacPlanCreate), emergencyRoles...))
	s.handleFunc("GET /api/v1/evacuation/plans", s.evac(s.evacPlanList))
	s.handleFunc("GET /api/v1/evacuation/plans/{id}", s.evac(s.evacPlanGet))
	s.handleFunc("PUT /api/v1/evacuation/plans/{id}", s.authed(s.evacAuthed(s.evacPlanUpdate), emergencyRoles...))
	s.handleFunc("POST /api/v1/evacuation/orders", s.authed(s.evacAuthed(s.evacOrder), emergencyRoles...))
	s.handleFunc("GET /api/v1/evacuation/orders", s.evac(s.evacOrderList))
	s.handleFunc("GET /api/v1/evacuation/orders/{id}", s.evac(s.evacOrderGet))
	s.handleFunc("POST /api/v1/evacuation/orders/{id}/end", s.authed(s.evacAuthed(s.evacOrderEnd), emergencyRoles...))
	s.handleFunc("GET /api/v1/muster", s.evac(s.muster))
}

func (s *Server) evac(h http.HandlerFunc) http.HandlerFunc {
	return s.serving(s.opts.Evacuation == nil, errEvacuationUnavailable, h)
}

func (s *Server) evacAuthed(h authedFunc) authedFunc {
	return s.servingAuthed(s.opts.Evacuation == nil, errEvacuationUnavailable, h)
}

// evacError maps the service's errors to HTTP.
func evacError(err error) error {
	switch {
	case errors.Is(err, evac.ErrRequest):
		return errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	case errors.Is(err, evac.ErrNotFound):
		return errorf(http.StatusNotFound, codeNotFound, "%v", err)
	case errors.Is(err, evac.ErrConflict):
		return errorf(http.StatusConflict, codeConflict, "%v", err)
	case errors.Is(err, evac.ErrNoNetwork):
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "%v", err)
	}
	return err
}

// readPlanRequest reads and checks a plan request body (evac.ParseRequest).
func (s *Server) readPlanRequest(w http.ResponseWriter, r *http.Request) (evac.Request, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !bytes.HasPrefix([]byte(ct), []byte("application/json")) && !bytes.HasPrefix([]byte(ct), []byte(typeGeoJSON)) {
		return evac.Request{}, errorf(http.StatusUnsupportedMediaType, codeMediaType, "send the plan as application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, evac.MaxRequestBytes))
	if err != nil {
		return evac.Request{}, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "plan request over %d bytes", evac.MaxRequestBytes)
	}
	req, err := evac.ParseRequest(body, s.opts.Scene.Frame())
	if err != nil {
		return evac.Request{}, evacError(err)
	}
	return req, nil
}

// evacPlanCreate answers POST /api/v1/evacuation/plans: 201 with the plan
// (routes, unreachable, muster points).
func (s *Server) evacPlanCreate(w http.ResponseWriter, r *http.Request, p principal) {
	req, err := s.readPlanRequest(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	plan, err := s.opts.Evacuation.CreatePlan(r.Context(), req, p.user.Username)
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	v := s.opts.Evacuation.View(plan)
	s.audit(r, p.user.Username, "evacuation.plan.create", plan.ID, map[string]any{"name": req.Name, "hazards": len(req.Hazards),
		"closures": len(req.Closures), "use_threat_zones": req.UseThreatZones, "routed": v.Routed, "unreachable": v.Unreachable})
	w.Header().Set("Location", "/api/v1/evacuation/plans/"+plan.ID)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, v)
}

// evacPlanUpdate answers PUT /api/v1/evacuation/plans/{id}: new hazards,
// closures or wind, re-planned.
func (s *Server) evacPlanUpdate(w http.ResponseWriter, r *http.Request, p principal) {
	req, err := s.readPlanRequest(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	plan, err := s.opts.Evacuation.UpdatePlan(r.Context(), r.PathValue("id"), req, p.user.Username)
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	v := s.opts.Evacuation.View(plan)
	s.audit(r, p.user.Username, "evacuation.plan.update", plan.ID, map[string]any{"hazards": len(req.Hazards),
		"closures": len(req.Closures), "use_threat_zones": req.UseThreatZones, "routed": v.Routed, "unreachable": v.Unreachable})
	s.writeJSON(w, r, http.StatusOK, typeJSON, v)
}

func (s *Server) evacPlanList(w http.ResponseWriter, r *http.Request) {
	plans := s.opts.Evacuation.Plans()
	out := make([]evac.Summary, len(plans))
	for i, p := range plans {
		out[i] = p.Summary()
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"plans": out})
}

func (s *Server) evacPlanGet(w http.ResponseWriter, r *http.Request) {
	plan, err := s.opts.Evacuation.GetPlan(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, s.opts.Evacuation.View(plan))
}

// evacOrder answers POST /api/v1/evacuation/orders {plan_id, message,
// message_en}: the order broadcast to every tag and viewer.
func (s *Server) evacOrder(w http.ResponseWriter, r *http.Request, p principal) {
	var body struct {
		PlanID    string `json:"plan_id"`
		Message   string `json:"message"`
		MessageEn string `json:"message_en"`
	}
	if err := decodeJSON(w, r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.PlanID == "" {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "plan_id is required"))
		return
	}
	if len(body.Message) > 500 || len(body.MessageEn) > 500 {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "a message is at most 500 bytes"))
		return
	}
	o, err := s.opts.Evacuation.Order(r.Context(), body.PlanID, body.Message, body.MessageEn, p.user.Username)
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	v, _ := s.opts.Evacuation.GetOrder(o.ID)
	s.audit(r, p.user.Username, "evacuation.order", o.ID, map[string]any{"plan_id": o.PlanID, "message": o.Message, "sent": v.Sent})
	w.Header().Set("Location", "/api/v1/evacuation/orders/"+o.ID)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, v)
}

func (s *Server) evacOrderEnd(w http.ResponseWriter, r *http.Request, p principal) {
	o, err := s.opts.Evacuation.EndOrder(r.Context(), r.PathValue("id"), p.user.Username)
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	v, _ := s.opts.Evacuation.GetOrder(o.ID)
	s.audit(r, p.user.Username, "evacuation.order.end", o.ID, map[string]any{"sent": v.Sent, "acked": v.Acked})
	s.writeJSON(w, r, http.StatusOK, typeJSON, v)
}

func (s *Server) evacOrderList(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"orders": s.opts.Evacuation.Orders()})
}

func (s *Server) evacOrderGet(w http.ResponseWriter, r *http.Request) {
	v, err := s.opts.Evacuation.GetOrder(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, evacError(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, v)
}

// muster answers GET /api/v1/muster?format=json|csv: the roll call (清点)
// counted from the standing order.
func (s *Server) muster(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "format"); err != nil {
		s.writeError(w, r, err)
		return
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "format %q: want json or csv", format))
		return
	}
	rc := s.opts.Evacuation.RollCall()
	if format != "csv" {
		s.writeJSON(w, r, http.StatusOK, typeJSON, rc)
		return
	}
	loc := s.opts.Evacuation.Location()
	var buf bytes.Buffer
	if err := rc.WriteCSV(&buf, loc); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="muster-`+rc.At.In(loc).Format("20060102-150405")+`.csv"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
