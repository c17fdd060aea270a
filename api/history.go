package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

// The history endpoints read the store's positions, readings and rollups
// (store.History). They are open reads like the rest of GET.
//
//	GET /api/v1/entities/{id}/track?from=&to=&limit=
//	GET /api/v1/detectors/{id}/series?from=&to=&step=&limit=
//	GET /api/v1/history/presence?area=ID|bbox=…&from=&to=
//
// An id the twin does not know answers 404 unless the store holds history
// for it in the window (people and detectors removed from the scene keep
// their history for the retention period).

// entityTrack answers GET /api/v1/entities/{id}/track: the kept fixes of a
// person or vehicle in [from, to] (default the last 8 h) as a GeoJSON
// Feature — a LineString, a Point for a single fix, or geometry null
// (RFC 7946 §3.2, an unlocated feature) with count 0 when the window holds
// none — with properties.times (RFC 3339 ms), floors and z per vertex.
func (s *Server) entityTrack(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	if err := checkParams(q, "from", "to", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	win, err := parseWindow(q, s.opts.Clock(), defaultTrackWindow, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseHistoryLimit(q, store.DefaultTrackLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, known := s.opts.Scene.Get(id)
	if known && !e.Kind.Mobile() {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "%s is a %s: only people and vehicles have tracks", id, e.Kind))
		return
	}
	fixes, err := s.opts.Store.Track(r.Context(), id, win.from, win.to, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !known && len(fixes) == 0 {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no entity %q and no track for it", id))
		return
	}
	b, err := appendFeature(nil, id, trackGeometry(fixes), trackProps(id, e, win, fixes, limit), nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, append(b, '\n'))
}

// trackGeometry is a LineString through the fixes, a Point for one, nil
// for none.
func trackGeometry(fixes []store.Position) orb.Geometry {
	switch len(fixes) {
	case 0:
		return nil
	case 1:
		return orb.Point{fixes[0].Lon, fixes[0].Lat}
	}
	line := make(orb.LineString, len(fixes))
	for i, p := range fixes {
		line[i] = orb.Point{p.Lon, p.Lat}
	}
	return line
}

func trackProps(id string, e *twin.Entity, win window, fixes []store.Position, limit int) map[string]any {
	times := make([]string, len(fixes))
	floors := make([]int, len(fixes))
	zs := make([]float64, len(fixes))
	for i, p := range fixes {
		times[i], floors[i], zs[i] = p.At.UTC().Format(timeMillis), p.Floor, p.Z
	}
	props := map[string]any{
		"entity_id": id, "from": win.from.UTC().Format(timeMillis), "to": win.to.UTC().Format(timeMillis),
		"count": len(fixes), "truncated": len(fixes) >= limit, "times": times, "floors": floors, "z": zs,
	}
	if e != nil {
		props["name"], props["kind"] = e.Name, string(e.Kind)
	}
	return props
}

// seriesPoint is one bucket of GET /api/v1/detectors/{id}/series.
type seriesPoint struct {
	At  string  `json:"at"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	Avg float64 `json:"avg"`
	N   int     `json:"n"`
}

// rawReading is one raw reading of a series with step=raw.
type rawReading struct {
	At    string  `json:"at"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Fault bool    `json:"fault"`
}

// detectorSeries answers GET /api/v1/detectors/{id}/series: the detector's
// per-step min/max/avg over [from, to] (default the last 24 h, step 1 min)
// from the per-minute rollups, or with step=raw its raw readings.
func (s *Server) detectorSeries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	if err := checkParams(q, "from", "to", "step", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	win, err := parseWindow(q, s.opts.Clock(), defaultSeriesWindow, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	step, err := ParseStep(q.Get("step"))
	if err != nil {
		s.writeError(w, r, &apiError{status: http.StatusBadRequest, code: codeBadParameter, msg: err.Error(), cause: err})
		return
	}
	limit, err := parseHistoryLimit(q, store.DefaultSeriesLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, known := s.opts.Scene.Get(id)
	if known && e.Kind != twin.KindGasDetector {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "%s is a %s, not a gas detector", id, e.Kind))
		return
	}
	body := map[string]any{"detector_id": id, "from": win.from.UTC().Format(timeMillis), "to": win.to.UTC().Format(timeMillis), "step": formatStep(step)}
	if known {
		body["unit"], body["gas"] = e.String("unit"), e.String("gas")
		if u, ok := e.State["unit"].(string); ok {
			body["unit"] = u
		}
	}
	n, err := s.series(r, id, win, step, limit, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !known && n == 0 {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no detector %q and no readings for it", id))
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, body)
}

// series fills body with the points (or raw readings) and returns their
// count.
func (s *Server) series(r *http.Request, id string, win window, step time.Duration, limit int, body map[string]any) (int, error) {
	if step == 0 {
		rs, err := s.opts.Store.Readings(r.Context(), id, win.from, win.to, limit)
		if err != nil {
			return 0, err
		}
		out := make([]rawReading, len(rs))
		for i, rd := range rs {
			out[i] = rawReading{At: rd.At.UTC().Format(timeMillis), Value: rd.Value, Unit: rd.Unit, Fault: rd.Fault}
		}
		body["readings"], body["count"], body["truncated"] = out, len(out), len(out) >= limit
		return len(out), nil
	}
	ps, err := s.opts.Store.Series(r.Context(), id, win.from, win.to, step)
	if err != nil {
		return 0, err
	}
	ps = ps[:min(len(ps), limit)]
	out := make([]seriesPoint, len(ps))
	for i, p := range ps {
		out[i] = seriesPoint{At: p.At.UTC().Format(timeMillis), Min: p.Min, Max: p.Max, Avg: p.Avg, N: p.N}
	}
	body["points"], body["count"] = out, len(out)
	return len(out), nil
}

// presenceEntry is one entity of GET /api/v1/history/presence.
type presenceEntry struct {
	EntityID     string `json:"entity_id"`
	Kind         string `json:"kind,omitempty"`
	Name         string `json:"name,omitempty"`
	Tag          string `json:"tag,omitempty"`
	Department   string `json:"department,omitempty"`
	IdentityType string `json:"identity_type,omitempty"` // internal, contractor, visitor (AQ 3064.3-2025: 01/02/03)
	First        string `json:"first"`
	Last         string `json:"last"`
	Fixes        int    `json:"fixes"`
}

// historyPresence answers GET /api/v1/history/presence: who was inside an
// area (area=ID: an entity's polygon) or a bbox during [from, to] (both
// required, at most 31 days), ordered by entity id, enriched with the
// person's name, tag, department and identity type from the twin.
func (s *Server) historyPresence(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "area", "bbox", "from", "to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	win, err := parseWindow(q, s.opts.Clock(), 0, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	area, err := parsePresenceArea(q, s.polygonOf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	found, err := s.opts.Store.Presence(r.Context(), store.PresenceQuery{Area: area.geom, From: win.from, To: win.to})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := map[string]any{
		"from": win.from.UTC().Format(timeMillis), "to": win.to.UTC().Format(timeMillis),
		"bbox":  []float64{area.bbox.Min[0], area.bbox.Min[1], area.bbox.Max[0], area.bbox.Max[1]},
		"count": len(found), "truncated": len(found) >= store.MaxPresenceEntries, "entities": s.enrich(found),
	}
	if area.id != "" {
		body["area"] = area.id
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, body)
}

// polygonOf returns the polygon of an entity (an area, building, fence,
// risk unit …) for area=ID.
func (s *Server) polygonOf(id string) (orb.Geometry, error) {
	e, ok := s.opts.Scene.Get(id)
	if !ok {
		return nil, errorf(http.StatusNotFound, codeNotFound, "no entity %q", id)
	}
	switch g := e.Geometry.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return g, nil
	}
	return nil, errorf(http.StatusBadRequest, codeBadParameter, "area %s is a %s without a polygon", id, e.Kind)
}

// enrich adds what the twin knows of each entity, under one read lock.
func (s *Server) enrich(found []store.Presence) []presenceEntry {
	out := make([]presenceEntry, len(found))
	s.opts.Scene.View(func(tx twin.Tx) {
		for i, p := range found {
			pe := presenceEntry{EntityID: p.EntityID, First: p.First.UTC().Format(timeMillis), Last: p.Last.UTC().Format(timeMillis), Fixes: p.Fixes}
			if e := tx.Get(p.EntityID); e != nil {
				pe.Kind, pe.Name = string(e.Kind), e.Name
				pe.Department, pe.IdentityType = e.String("department"), e.String("identity_type")
				if e.Mobile != nil {
					pe.Tag = e.Mobile.Tag
				}
			}
			out[i] = pe
		}
	})
	return out
}

// maxTrackIDs bounds one multi-person track query.
const maxTrackIDs = 50

// tracks answers GET /api/v1/tracks?ids=A,B,…&from=&to=&limit=: the tracks
// of several people or vehicles over one window as a GeoJSON
// FeatureCollection (one Feature per id, as /entities/{id}/track serves
// it), for playing them back together. Each id is queried on its own
// (the store's per-entity index); AQ 3064.3-2025 asks 8 h of one person in
// ≤ 3 s, which holds per id.
func (s *Server) tracks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "ids", "from", "to", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var ids []string
	for _, id := range strings.Split(q.Get("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > maxTrackIDs {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "ids: 1 to %d comma-separated entity ids", maxTrackIDs))
		return
	}
	win, err := parseWindow(q, s.opts.Clock(), defaultTrackWindow, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseHistoryLimit(q, store.DefaultTrackLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b := []byte(`{"type":"FeatureCollection","features":[`)
	for i, id := range ids {
		e, known := s.opts.Scene.Get(id)
		if known && !e.Kind.Mobile() {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "%s is a %s: only people and vehicles have tracks", id, e.Kind))
			return
		}
		fixes, err := s.opts.Store.Track(r.Context(), id, win.from, win.to, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendFeature(b, id, trackGeometry(fixes), trackProps(id, e, win, fixes, limit), nil); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, append(b, "]}\n"...))
}
