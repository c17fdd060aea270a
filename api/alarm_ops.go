package api

import (
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/gather"
)

// Gatherings is what the API needs of gathering detection (*gather.Service).
type Gatherings interface {
	Gatherings() []gather.Gathering
	Confirm(ctx context.Context, id, by string, at time.Time) (gather.Gathering, error)
}

type closeRequest struct {
	Note string `json:"note"`
}

// alarmClose answers POST /api/v1/alarms/{id}/close: a named person
// confirms the alarm and closes it (AQ 3064.3-2025: confirm-and-close
// with a named owner). A gathering alarm is closed only once its group has
// dispersed (the confirmation of dispersal, REFERENCE.md §2).
func (s *Server) alarmClose(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	var req closeRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	if n := utf8.RuneCountInString(req.Note); n > maxNote || !utf8.ValidString(req.Note) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "note must be valid UTF-8 of at most %d characters", maxNote))
		return
	}
	id := r.PathValue("id")
	a, err := s.opts.Alarms.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if a.Type == alarm.Gathering && s.opts.Gatherings != nil && a.State != alarm.Cleared {
		_, err := s.opts.Gatherings.Confirm(r.Context(), a.EntityID, p.user.Username, s.opts.Clock())
		switch {
		case errors.Is(err, gather.ErrStillGathered):
			s.writeError(w, r, errorf(http.StatusConflict, codeConflict, "%v", err))
			return
		case err != nil && !errors.Is(err, gather.ErrNotFound): // not found: gone already (a restart)
			s.writeError(w, r, err)
			return
		}
	}
	a, err = s.opts.Alarms.Close(r.Context(), id, p.user.Username, req.Note)
	refused := errors.Is(err, alarm.ErrState) || errors.Is(err, alarm.ErrNotFound) || a.ID == ""
	if err == nil || !refused {
		s.audit(r, p.user.Username, "alarm.close", id, map[string]any{
			"note": req.Note, "type": string(a.Type), "entity_id": a.EntityID, "persisted": err == nil,
		})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, a)
}

// silenceRequest is the body of POST /api/v1/silences.
type silenceRequest struct {
	Types   []alarm.Type `json:"types"`
	AreaIDs []string     `json:"area_ids"`
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Reason  string       `json:"reason"`
}

// maxSilence bounds a silence: a turnaround is days, not months, and a
// forgotten silence must end by itself.
const maxSilence = 31 * 24 * time.Hour

// silenceList answers GET /api/v1/silences.
func (s *Server) silenceList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"silences": s.opts.Alarms.Silences()})
}

// silenceAdd answers POST /api/v1/silences (报警静默 by type, zone and time
// window; SOS and gas level 2 are never silenced). The alarm engine writes
// the silence to the store before it takes effect (a restart keeps it);
// the audit log records who set it.
func (s *Server) silenceAdd(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	var req silenceRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.opts.Clock()
	if req.From.IsZero() {
		req.From = now
	}
	if !req.To.After(now) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "the silence must end in the future (to %v)", req.To))
		return
	}
	if req.To.Sub(req.From) > maxSilence {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "a silence lasts at most %v", maxSilence))
		return
	}
	if n := utf8.RuneCountInString(req.Reason); n > maxNote || !utf8.ValidString(req.Reason) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "reason must be valid UTF-8 of at most %d characters", maxNote))
		return
	}
	si, err := s.opts.Alarms.AddSilence(alarm.Silence{Types: req.Types, AreaIDs: req.AreaIDs, From: req.From, To: req.To, By: p.user.Username, Reason: req.Reason})
	if errors.Is(err, alarm.ErrSilence) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "%v", err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "silence.add", si.ID, map[string]any{
		"types": si.Types, "area_ids": si.AreaIDs, "from": si.From, "to": si.To, "reason": si.Reason,
	})
	s.writeJSON(w, r, http.StatusCreated, typeJSON, si)
}

// silenceRemove answers DELETE /api/v1/silences/{id}: the silence ends now,
// in the store too; the audit log records who ended it.
func (s *Server) silenceRemove(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	id := r.PathValue("id")
	if err := s.opts.Alarms.RemoveSilence(id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "silence.remove", id, nil)
	w.WriteHeader(http.StatusNoContent)
}

// gatheringJSON is a gathering as the API serves it.
type gatheringJSON struct {
	ID           string    `json:"id"`
	Floor        int       `json:"floor"`
	Members      []string  `json:"members"`
	Count        int       `json:"count"`
	Level        int       `json:"level"`
	Colour       string    `json:"colour"`
	Lon          float64   `json:"lon"`
	Lat          float64   `json:"lat"`
	RadiusM      float64   `json:"radius_m"`
	Since        time.Time `json:"since"`
	LastSeen     time.Time `json:"last_seen"`
	Alarmed      bool      `json:"alarmed"`
	Evacuate     bool      `json:"evacuate"`
	Dispersed    bool      `json:"dispersed"`
	NeedsConfirm bool      `json:"needs_confirmation"`
}

// gatheringList answers GET /api/v1/gatherings: the groups being watched
// (forming ones too, before their minute is up) and the alarmed ones.
func (s *Server) gatheringList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Gatherings == nil {
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, codeUnavailable, "gathering detection is not running"))
		return
	}
	f := s.opts.Scene.Frame()
	out := []gatheringJSON{}
	for _, g := range s.opts.Gatherings.Gatherings() {
		j := gatheringJSON{ID: g.ID, Floor: g.Floor, Members: g.Members, Count: g.Count, Level: g.Level, Colour: g.Colour,
			RadiusM: g.RadiusM, Since: g.Since, LastSeen: g.LastSeen, Alarmed: g.Raised, Evacuate: g.Evacuate,
			Dispersed: g.Dispersed, NeedsConfirm: g.NeedsConfirm}
		if f != nil {
			p := f.Point(g.X, g.Y)
			j.Lon, j.Lat = p[0], p[1]
		}
		out = append(out, j)
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"gatherings": out})
}
