package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/video"
)

func TestVideoLinkage(t *testing.T) {
	h := newHarness(t, func(o *api.Options) {
		l := video.NewLinker(o.Scene)
		o.Scene.Observe(l.Observe) // cameras added below are seen
		o.Video = l
	})
	cam := func(id string, x, y, heading float64) twin.Change {
		return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindCamera, Name: id, Geometry: h.frame.Point(x, y),
			Props: map[string]any{"heading_deg": heading, "fov_deg": 90.0, "range_m": 40.0, "stream_url": "rtsp://nvr/" + id}}}
	}
	// West camera at (20, 10) looking north; east camera at (60, 10)
	// looking north: a walk along y = 40 from x = 20 passes from one to
	// the other.
	h.must(h.scene.Apply(cam("CAM-W", 20, 10, 0), cam("CAM-E", 60, 10, 0)))

	p := h.frame.Point(22, 40)
	var cov struct {
		Cameras []video.Cover `json:"cameras"`
	}
	r := h.get(fmt.Sprintf("/api/v1/cameras/covering?lon=%.8f&lat=%.8f", p[0], p[1]))
	r.json(t, &cov)
	if r.status != 200 || len(cov.Cameras) != 1 || cov.Cameras[0].CameraID != "CAM-W" || cov.Cameras[0].StreamURL != "rtsp://nvr/CAM-W" {
		t.Fatalf("covering: %d %s", r.status, r.body)
	}
	wantError(t, h.get("/api/v1/cameras/covering?lon=500&lat=1"), 400, "invalid_parameter")

	h.walk("P-001", t0.Add(-time.Hour), 30, 20) // x 20 … 63.5 along y = 40
	var ho struct {
		Segments []video.Segment `json:"segments"`
	}
	r = h.get("/api/v1/entities/P-001/cameras")
	r.json(t, &ho)
	var seq []string
	for _, s := range ho.Segments {
		seq = append(seq, s.CameraID)
	}
	if r.status != 200 || len(seq) < 2 || seq[0] != "CAM-W" || seq[len(seq)-1] != "CAM-E" {
		t.Fatalf("hand-over %v: %s", seq, r.body)
	}
	wantError(t, h.get("/api/v1/entities/GD-1/cameras"), 404, "not_found")
	if r := h.get("/api/v1/entities/P-005/cameras"); r.status != http.StatusOK {
		t.Errorf("a person without history: %d", r.status)
	}
}
