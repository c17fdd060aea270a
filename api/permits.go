package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// Permits is the special-work permit service (*permit.Service satisfies
// it).
type Permits interface {
	Rules() *permit.Rules
	Location() *time.Location
	Create(ctx context.Context, c permit.Create, by string) (*permit.Permit, error)
	Get(ctx context.Context, id string) (*permit.Permit, error)
	List(ctx context.Context, f store.PermitFilter) ([]*permit.Permit, error)
	Do(ctx context.Context, id, by string, st permit.Step) (*permit.Permit, error)
	Reissue(ctx context.Context, id string, c permit.Create, by string) (*permit.Permit, error)
	LiveOf(p *permit.Permit) *permit.Live
}

var errPermitsUnavailable = errorf(http.StatusServiceUnavailable, codeUnavailable, "the permit service is not running")

// permitRoles may create permits and drive their steps; approval is
// checked by the permit's own approver list (and the approver's tag).
var permitRoles = []string{roleAdmin, roleManager, roleEmergency, roleOperator}

// permitJSON is a permit as the API shows it: the permit with its AQ
// 3064.2 status and type codes.
type permitJSON struct {
	*permit.Permit
	StatusCode int    `json:"status_code"`
	TypeCode   string `json:"type_code"`
	// Live is what the twin sees at the work now (GET one permit).
	Live *permit.Live `json:"live,omitempty"`
}

func (s *Server) permitView(p *permit.Permit) permitJSON {
	r := s.opts.Permits.Rules()
	code, _ := r.StatusCode(p.Status)
	v := permitJSON{Permit: p, StatusCode: code}
	if t, err := r.Type(p.Type); err == nil {
		if l, err := t.Level(p.Level); err == nil {
			v.TypeCode = l.Code
		}
	}
	return v
}

// permitRequest is the body of POST /api/v1/permits.
type permitRequest struct {
	Type      string          `json:"type"`
	Level     string          `json:"level"`
	Content   string          `json:"content"`
	Geometry  json.RawMessage `json:"geometry"`
	Start     time.Time       `json:"start"`
	End       time.Time       `json:"end"`
	Workers   []string        `json:"workers"`
	Guardian  string          `json:"guardian"`
	Approvers []string        `json:"approvers"`
	Related   []string        `json:"related"`
	Substance string          `json:"substance"`
	// OnRunningEquipment: hot work on running equipment or pipes.
	OnRunningEquipment bool `json:"on_running_equipment"`
	// Emergency: emergency work booked the same day.
	Emergency bool `json:"emergency"`
}

// readPermit decodes a permit request body into a permit.Create; the
// error is an API error.
func readPermit(w http.ResponseWriter, r *http.Request) (permit.Create, error) {
	var req permitRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return permit.Create{}, err
	}
	var g geojson.Geometry
	if err := json.Unmarshal(req.Geometry, &g); err != nil || g.Geometry() == nil {
		return permit.Create{}, errorf(http.StatusBadRequest, "invalid_geometry", "geometry must be a GeoJSON geometry (point or polygon, lon/lat)")
	}
	return permit.Create{Type: req.Type, Level: req.Level, Content: req.Content, Geometry: g.Geometry(), Start: req.Start, End: req.End,
		Workers: req.Workers, Guardian: req.Guardian, Approvers: req.Approvers, Related: req.Related,
		Substance: req.Substance, OnRunningEquipment: req.OnRunningEquipment, Emergency: req.Emergency}, nil
}

// permitCreate answers POST /api/v1/permits: books a permit (201).
func (s *Server) permitCreate(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	c, err := readPermit(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pm, err := s.opts.Permits.Create(r.Context(), c, p.user.Username)
	if err != nil {
		s.writeError(w, r, permitError(err))
		return
	}
	s.audit(r, p.user.Username, "permit.create", pm.ID, map[string]any{"type": pm.Type, "level": pm.Level, "hash": head(pm)})
	w.Header().Set("Location", "/api/v1/permits/"+pm.ID)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, s.permitView(pm))
}

// head is the hash of a permit's last log entry, anchored in the audit log.
func head(p *permit.Permit) string {
	if n := len(p.Log); n > 0 {
		return p.Log[n-1].Hash
	}
	return ""
}

// permitGet answers GET /api/v1/permits/{id}.
func (s *Server) permitGet(w http.ResponseWriter, r *http.Request) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	pm, err := s.opts.Permits.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, permitError(err))
		return
	}
	v := s.permitView(pm)
	v.Live = s.opts.Permits.LiveOf(pm)
	s.writeJSON(w, r, http.StatusOK, typeJSON, v)
}

// permitReissue answers POST /api/v1/permits/{id}/reissue: the body is a
// new permit (as POST /api/v1/permits) replacing permit id, which becomes
// void (201 with the new permit).
func (s *Server) permitReissue(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	c, err := readPermit(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	pm, err := s.opts.Permits.Reissue(r.Context(), id, c, p.user.Username)
	if err != nil {
		s.audit(r, p.user.Username, "permit.reissue.refused", id, map[string]any{"error": err.Error()})
		s.writeError(w, r, permitError(err))
		return
	}
	s.audit(r, p.user.Username, "permit.reissue", pm.ID, map[string]any{"reissued_from": id, "hash": head(pm)})
	w.Header().Set("Location", "/api/v1/permits/"+pm.ID)
	s.writeJSON(w, r, http.StatusCreated, typeJSON, s.permitView(pm))
}

// permitRules answers GET /api/v1/permits/rules: the rule tables (types,
// levels, measures, gas rules, status and PTW codes) the forms are built
// from.
func (s *Server) permitRules(w http.ResponseWriter, r *http.Request) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, s.opts.Permits.Rules())
}

// permitList answers GET /api/v1/permits?status=&type=&date=YYYY-MM-DD
// (the date's work, in the site's time zone: the permits whose window
// overlaps it).
func (s *Server) permitList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	q := r.URL.Query()
	if err := checkParams(q, "status", "type", "date", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f := store.PermitFilter{Status: q.Get("status"), Type: q.Get("type")}
	if f.Status != "" {
		if _, err := s.opts.Permits.Rules().StatusCode(f.Status); err != nil {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "status %q: want one of %s", f.Status, strings.Join(permit.StatusKeys, ", ")))
			return
		}
	}
	if f.Type != "" {
		if _, err := s.opts.Permits.Rules().Type(f.Type); err != nil {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "%v", err))
			return
		}
	}
	if d := q.Get("date"); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, s.opts.Permits.Location())
		if err != nil {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "date %q: want YYYY-MM-DD", d))
			return
		}
		f.Day = day
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadLimit, "limit %q: want 1–10000", v))
			return
		}
		f.Limit = n
	}
	list, err := s.opts.Permits.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]permitJSON, len(list))
	for i, pm := range list {
		out[i] = s.permitView(pm)
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"permits": out})
}

// stepBody is the optional body of the step routes.
type stepBody struct {
	Reason    string    `json:"reason"`
	Gas       string    `json:"gas"`
	Value     *float64  `json:"value"`
	Unit      string    `json:"unit"`
	SampledAt time.Time `json:"sampled_at"`
	Enriched  bool      `json:"enriched"`
	// Register entry: kind person or tool, id, direction in or out.
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	Direction string `json:"direction"`
}

// permitStep answers the step routes: POST /api/v1/permits/{id}/{step}
// (apply, risk-analysis, briefing, approve, start, suspend, resume, close,
// cancel), …/measures/{n}/confirm and …/gas-analyses.
func (s *Server) permitStep(action string) func(http.ResponseWriter, *http.Request, principal) {
	return func(w http.ResponseWriter, r *http.Request, p principal) {
		if s.opts.Permits == nil {
			s.writeError(w, r, errPermitsUnavailable)
			return
		}
		var body stepBody
		if err := decodeJSON(w, r, &body, action != "gas_analysis" && action != "register"); err != nil {
			s.writeError(w, r, err)
			return
		}
		st := permit.Step{Action: action, Reason: body.Reason, PersonID: p.user.PersonID}
		switch action {
		case "confirm_measure":
			n, err := strconv.Atoi(r.PathValue("n"))
			if err != nil {
				s.writeError(w, r, errorf(http.StatusNotFound, "measure_not_found", "measure %q: want a number from 1", r.PathValue("n")))
				return
			}
			st.Measure = n
		case "gas_analysis":
			if body.Value == nil || body.Gas == "" || body.Unit == "" || body.SampledAt.IsZero() {
				s.writeError(w, r, errorf(http.StatusBadRequest, "invalid_gas_analysis", "gas, value, unit and sampled_at are required"))
				return
			}
			st.Gas, st.Value, st.Unit, st.SampledAt, st.Enriched = body.Gas, *body.Value, body.Unit, body.SampledAt, body.Enriched
		case "register":
			st.Kind, st.Subject, st.Direction = body.Kind, body.ID, body.Direction
		}
		id := r.PathValue("id")
		pm, err := s.opts.Permits.Do(r.Context(), id, p.user.Username, st)
		if err != nil {
			s.audit(r, p.user.Username, "permit."+action+".refused", id, map[string]any{"error": err.Error()})
			s.writeError(w, r, permitError(err))
			return
		}
		s.audit(r, p.user.Username, "permit."+action, pm.ID, map[string]any{"status": pm.Status, "hash": head(pm)})
		status := http.StatusOK
		if action == "gas_analysis" || action == "register" {
			status = http.StatusCreated
		}
		s.writeJSON(w, r, status, typeJSON, s.permitView(pm))
	}
}

// permitError maps a permit refusal to an API error: bad input 400, an
// unknown measure 404, every other refusal (a state, an order or a hard
// block) 409 with the permit's code; a hard block's PTW code is in the
// message.
func permitError(err error) error {
	var e *permit.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Msg
	if e.PTW != "" {
		msg += " (PTW " + e.PTW + ")"
	}
	switch {
	case badRequest[e.Code]:
		return errorf(http.StatusBadRequest, e.Code, "%s", msg)
	case e.Code == "measure_not_found":
		return errorf(http.StatusNotFound, e.Code, "%s", msg)
	}
	return errorf(http.StatusConflict, e.Code, "%s", msg)
}

// badRequest are the permit refusals of a malformed request (400); the
// others refuse a well-formed step the permit's state, order or a hard
// block does not allow (409).
var badRequest = map[string]bool{
	"invalid_type": true, "invalid_level": true, "invalid_geometry": true, "invalid_window": true, "invalid_request": true,
	"invalid_gas_analysis": true, "invalid_step": true, "workers_missing": true, "guardian_missing": true,
	"approvers_missing": true, "guardian_is_worker": true, "validity_exceeded": true, "reason_missing": true,
	"level_too_low": true,
}
