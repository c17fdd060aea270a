package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/substance"
	"github.com/chemtwin/chemtwin/twin/threat"
)

// Threats is the live threat-zone service the API reads and plans with
// (*threat.Service satisfies it).
type Threats interface {
	Incidents() []threat.Incident
	WhatIf(w threat.WhatIf, now time.Time) (threat.Scenario, error)
}

var errThreatsUnavailable = errorf(http.StatusServiceUnavailable, codeUnavailable, "threat zones are not running (the scene has no plant frame)")

// threatList answers GET /api/v1/threats: the live incidents, one per
// substance alarming — the estimated source and rate, the weather, the
// zones with the people in them, the warnings.
func (s *Server) threatList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Threats == nil {
		s.writeError(w, r, errThreatsUnavailable)
		return
	}
	if err := checkParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := s.opts.Threats.Incidents()
	if in == nil {
		in = []threat.Incident{}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"incidents": in})
}

// scenarioRequest is the body of POST /api/v1/scenarios: a what-if
// release and a name.
type scenarioRequest struct {
	Name string `json:"name"`
	threat.WhatIf
}

// scenarioDoc is a saved scenario as the API returns it.
type scenarioDoc struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	By        string          `json:"by"`
	CreatedAt time.Time       `json:"created_at"`
	Request   threat.WhatIf   `json:"request"`
	Result    threat.Scenario `json:"result"`
}

// maxScenarioName bounds a scenario's name, in characters.
const maxScenarioName = 200

// scenarioCreate answers POST /api/v1/scenarios: computes a what-if
// release's zones (with the people in them now), saves the scenario and
// returns it (201, Location /api/v1/scenarios/{id}).
func (s *Server) scenarioCreate(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Threats == nil {
		s.writeError(w, r, errThreatsUnavailable)
		return
	}
	var req scenarioRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if n := utf8.RuneCountInString(req.Name); n == 0 || n > maxScenarioName || !utf8.ValidString(req.Name) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "name must be valid UTF-8 of 1–%d characters", maxScenarioName))
		return
	}
	if req.ID != "" {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "id is assigned by the server"))
		return
	}
	now := s.opts.Clock()
	req.ID = newScenarioID(now)
	res, err := s.opts.Threats.WhatIf(req.WhatIf, now)
	if errors.Is(err, threat.ErrWhatIf) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "%v", err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc := scenarioDoc{ID: req.ID, Name: req.Name, By: p.user.Username, CreatedAt: now.UTC(), Request: req.WhatIf, Result: res}
	b, err := json.Marshal(doc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.opts.Store.PutScenario(r.Context(), store.Scenario{ID: doc.ID, Name: doc.Name, By: doc.By, CreatedAt: now, Doc: b}); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "scenario.create", doc.ID, map[string]any{"name": doc.Name, "request": req.WhatIf})
	w.Header().Set("Location", "/api/v1/scenarios/"+doc.ID)
	s.writeBytes(w, r, http.StatusCreated, typeJSON, append(b, '\n'))
}

// newScenarioID is "SC-" with the creation time and a random suffix:
// sortable and unique.
func newScenarioID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return "SC-" + now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// scenarioList answers GET /api/v1/scenarios[?limit=N]: the saved
// scenarios, newest first, without their zones.
func (s *Server) scenarioList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadLimit, "limit %q: want 1–1000", v))
			return
		}
		limit = n
	}
	list, err := s.opts.Store.ListScenarios(r.Context(), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type item struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		By        string    `json:"by"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]item, len(list))
	for i, sc := range list {
		out[i] = item{ID: sc.ID, Name: sc.Name, By: sc.By, CreatedAt: sc.CreatedAt.UTC()}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"scenarios": out})
}

// scenarioGet answers GET /api/v1/scenarios/{id}: the saved document as
// it was computed.
func (s *Server) scenarioGet(w http.ResponseWriter, r *http.Request) {
	sc, err := s.opts.Store.GetScenario(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeBytes(w, r, http.StatusOK, typeJSON, append(sc.Doc, '\n'))
}

// scenarioDelete answers DELETE /api/v1/scenarios/{id} (204).
func (s *Server) scenarioDelete(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	if err := s.opts.Store.DeleteScenario(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "scenario.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}

// substanceList answers GET /api/v1/substances: the substance library the
// server models with (version, and every substance with its values and
// their sources), for the viewer's forms and labels.
func (s *Server) substanceList(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	lib := substance.Default()
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"version": lib.Version(), "substances": lib.All()})
}
