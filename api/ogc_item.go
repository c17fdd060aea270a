package api

import (
	"errors"
	"net/http"

	"github.com/chemtwin/chemtwin/internal/jsonenc"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// ogcItem answers one feature; 404 when it does not exist or belongs to
// another collection (or is an unplaced person or vehicle).
func (s *Server) ogcItem(w http.ResponseWriter, r *http.Request) {
	l, err := layerOf(r)
	if err == nil {
		err = checkFormat(r.URL.Query())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fid := r.PathValue("featureId")
	col := baseURL(r) + "/collections/" + string(l.ID)
	links := []link{
		{Href: col + "/items/" + fid, Rel: "self", Type: typeGeoJSON, Title: "this feature"},
		{Href: col, Rel: "collection", Type: typeJSON, Title: l.Title},
	}
	var b []byte
	if l.ID == twin.LayerAlarms {
		b, err = s.alarmFeature(r, fid, links)
	} else {
		b, err = s.entityFeature(l, fid, links)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Crs", "<"+crs84+">")
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, append(b, '\n'))
}

func (s *Server) entityFeature(l twin.LayerInfo, id string, links []link) ([]byte, error) {
	e, ok := s.opts.Scene.Get(id)
	if !ok || e.Kind.Layer() != l.ID || (e.Kind.Mobile() && !e.Placed()) {
		return nil, errorf(http.StatusNotFound, codeNotFound, "no feature %q in collection %q", id, l.ID)
	}
	return appendFeature(nil, e.ID, e.Geometry, e.Properties(), links)
}

func (s *Server) alarmFeature(r *http.Request, id string, links []link) ([]byte, error) {
	if s.opts.Alarms == nil {
		return nil, errAlarmsUnavailable
	}
	a, err := s.opts.Alarms.Get(r.Context(), id)
	if errors.Is(err, alarm.ErrNotFound) {
		return nil, &apiError{status: http.StatusNotFound, code: codeNotFound, msg: "no feature " + string(jsonenc.AppendString(nil, id)) + ` in collection "alarms"`, cause: err}
	}
	if err != nil {
		return nil, err
	}
	return appendAlarm(nil, a, links)
}
