package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarm listing limits of /api/v1/alarms (alarm.Filter: ≤ 1000).
const (
	restAlarmLimit    = 100
	restAlarmMaxLimit = 1000
	maxNote           = 500 // runes in an acknowledgement note
)

// entity answers GET /api/v1/entities/{id}: the entity as a GeoJSON
// Feature with its live state.
func (s *Server) entity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, ok := s.opts.Scene.Get(id)
	if !ok {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no entity %q", id))
		return
	}
	b, err := appendFeature(nil, e.ID, e.Geometry, e.Properties(), nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, append(b, '\n'))
}

// entityChildren answers GET /api/v1/entities/{id}/children: the children
// in the scene graph as a FeatureCollection ordered by id.
func (s *Server) entityChildren(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var kids []*twin.Entity
	found := false
	s.opts.Scene.View(func(tx twin.Tx) {
		if found = tx.Get(id) != nil; found {
			for _, k := range tx.Children(id) {
				kids = append(kids, tx.Get(k).Clone())
			}
		}
	})
	if !found {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no entity %q", id))
		return
	}
	b := []byte(`{"type":"FeatureCollection","features":[`)
	var err error
	for i, e := range kids {
		if b, err = appendFeature(comma(b, i), e.ID, e.Geometry, e.Properties(), nil); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, append(b, "]}\n"...))
}

// alarmList answers GET /api/v1/alarms with {"alarms":[…]}, newest first.
func (s *Server) alarmList(w http.ResponseWriter, r *http.Request) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	f, err := parseAlarmQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.opts.Alarms.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []alarm.Alarm{}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"alarms": list})
}

// parseAlarmQuery reads state, type, entity, area, open, datetime, limit and
// offset; any other parameter is refused.
func parseAlarmQuery(q url.Values) (alarm.Filter, error) {
	f := alarm.Filter{EntityID: q.Get("entity"), AreaID: q.Get("area")}
	for name := range q {
		switch name {
		case "state", "type", "entity", "area", "open", "datetime", "limit", "offset":
		default:
			return f, errorf(http.StatusBadRequest, codeBadParameter, "unknown parameter %q", name)
		}
	}
	if v := q.Get("state"); v != "" {
		if f.State = alarm.State(v); !f.State.Valid() {
			return f, errorf(http.StatusBadRequest, codeBadParameter, "unknown state %q (active, acknowledged, cleared)", v)
		}
	}
	if v := q.Get("type"); v != "" {
		if f.Type = alarm.Type(v); !f.Type.Valid() {
			return f, errorf(http.StatusBadRequest, codeBadParameter, "unknown alarm type %q", v)
		}
	}
	if v := q.Get("open"); v != "" {
		open, err := strconv.ParseBool(v)
		if err != nil {
			return f, errorf(http.StatusBadRequest, codeBadParameter, "open must be true or false, got %q", v)
		}
		f.Open = open
	}
	if v := q.Get("datetime"); v != "" {
		iv, err := ParseDatetime(v)
		if err != nil {
			return f, &apiError{status: http.StatusBadRequest, code: codeBadDatetime, msg: err.Error(), cause: err}
		}
		f.From, f.To = iv.Start, iv.End
	}
	var err error
	if f.Limit, err = ParseLimit(q.Get("limit"), restAlarmLimit, restAlarmMaxLimit); err != nil {
		return f, &apiError{status: http.StatusBadRequest, code: codeBadLimit, msg: err.Error(), cause: err}
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			return f, errorf(http.StatusBadRequest, codeBadParameter, "offset %q must be an integer ≥ 0", v)
		}
	}
	return f, nil
}

// alarmGet answers GET /api/v1/alarms/{id}.
func (s *Server) alarmGet(w http.ResponseWriter, r *http.Request) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	a, err := s.opts.Alarms.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, a)
}

type ackRequest struct {
	Note string `json:"note"`
}

// alarmAck answers POST /api/v1/alarms/{id}/ack {"note"?}: the caller
// acknowledges the alarm by name; 409 if it already was.
func (s *Server) alarmAck(w http.ResponseWriter, r *http.Request, p principal) {
	if s.opts.Alarms == nil {
		s.writeError(w, r, errAlarmsUnavailable)
		return
	}
	var req ackRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	if n := utf8.RuneCountInString(req.Note); n > maxNote || !utf8.ValidString(req.Note) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "note must be valid UTF-8 of at most %d characters", maxNote))
		return
	}
	id := r.PathValue("id")
	a, err := s.opts.Alarms.Ack(r.Context(), id, p.user.Username, req.Note)
	refused := errors.Is(err, alarm.ErrState) || errors.Is(err, alarm.ErrNotFound) || a.ID == ""
	if err == nil || !refused {
		// acknowledged, even if the engine could not persist it yet
		s.audit(r, p.user.Username, "alarm.ack", id, map[string]any{
			"note": req.Note, "type": string(a.Type), "entity_id": a.EntityID, "state": string(a.State), "persisted": err == nil,
		})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, a)
}
