package api

import (
	"net/http"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin/video"
)

// Video linkage (视频联动) endpoints:
//
//	GET /api/v1/cameras/covering?lon=&lat=   cameras that see a point, best first
//	GET /api/v1/entities/{id}/cameras?from=&to=   the camera hand-over along a track

// camerasCovering answers GET /api/v1/cameras/covering?lon=&lat=.
func (s *Server) camerasCovering(w http.ResponseWriter, r *http.Request) {
	if s.opts.Video == nil {
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, codeUnavailable, "video linkage needs a scene with a plant frame"))
		return
	}
	q := r.URL.Query()
	if err := checkParams(q, "lon", "lat"); err != nil {
		s.writeError(w, r, err)
		return
	}
	lon, errLon := strconv.ParseFloat(q.Get("lon"), 64)
	lat, errLat := strconv.ParseFloat(q.Get("lat"), 64)
	p := orb.Point{lon, lat}
	if errLon != nil || errLat != nil || !geo.ValidLonLat(p) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "lon and lat: a WGS84 point in degrees"))
		return
	}
	cams := s.opts.Video.At(p)
	if cams == nil {
		cams = []video.Cover{}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"lon": lon, "lat": lat, "cameras": cams})
}

// entityCameras answers GET /api/v1/entities/{id}/cameras?from=&to=: the
// cameras to watch one after another to follow a person or vehicle along
// its recorded track (default window: the last 8 h), as segments; a
// segment with camera_id "" is a stretch no camera sees.
func (s *Server) entityCameras(w http.ResponseWriter, r *http.Request) {
	if s.opts.Video == nil {
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, codeUnavailable, "video linkage needs a scene with a plant frame"))
		return
	}
	id := r.PathValue("id")
	q := r.URL.Query()
	if err := checkParams(q, "from", "to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	win, err := parseWindow(q, s.opts.Clock(), defaultTrackWindow, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, known := s.opts.Scene.Get(id)
	if known && !e.Kind.Mobile() {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "%s is a %s: only people and vehicles have tracks", id, e.Kind))
		return
	}
	fixes, err := s.opts.Store.Track(r.Context(), id, win.from, win.to, store.DefaultTrackLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !known && len(fixes) == 0 {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no entity %q and no track for it", id))
		return
	}
	track := make([]video.Fix, len(fixes))
	for i, f := range fixes {
		track[i] = video.Fix{At: f.At, Point: orb.Point{f.Lon, f.Lat}}
	}
	segs := s.opts.Video.HandOver(track)
	if segs == nil {
		segs = []video.Segment{}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{"entity_id": id, "from": win.from, "to": win.to, "segments": segs})
}
