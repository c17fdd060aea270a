package api

import (
	"context"
	"maps"
	"math"
	"net/http"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// pingTimeout bounds the store check of /healthz.
const pingTimeout = 2 * time.Second

// health answers GET /healthz: 200 {"status":"ok",…}, or 503 with
// "status":"degraded" when the store does not answer or Options.Health
// reports reasons under "degraded" (all of them are listed there).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{}
	if s.opts.Health != nil {
		maps.Copy(body, s.opts.Health(r.Context()))
	}
	reasons, _ := body["degraded"].([]string)
	delete(body, "degraded")
	var entities int
	var rev uint64
	s.opts.Scene.View(func(tx twin.Tx) { entities, rev = tx.Len(), tx.Rev() })
	body["version"] = s.opts.Version
	body["uptime_s"] = math.Round(s.opts.Clock().Sub(s.started).Seconds())
	body["scene"] = map[string]any{"site": s.opts.Scene.SiteID(), "entities": entities, "rev": rev}
	body["status"], body["store"] = "ok", "ok"
	status := http.StatusOK
	ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
	defer cancel()
	if err := s.opts.Store.Ping(ctx); err != nil {
		s.log.Warn("store ping failed", "err", err)
		body["store"] = err.Error()
		reasons = append([]string{"store: " + err.Error()}, reasons...)
	}
	if len(reasons) > 0 {
		body["status"], body["degraded"] = "degraded", reasons
		status = http.StatusServiceUnavailable
	}
	s.writeJSON(w, r, status, "application/json", body)
}
