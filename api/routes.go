package api

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// register installs every route. Patterns double as the route label of the
// request metrics.
func (s *Server) register() {
	s.handleFunc("GET /healthz", s.health)
	s.handle("GET /metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}))

	s.handleFunc("GET /ogc", s.ogcLanding)
	s.handleFunc("GET /ogc/{$}", s.ogcLanding)
	s.handleFunc("GET /ogc/conformance", s.ogcConformance)
	s.handleFunc("GET /ogc/api", s.ogcAPIDoc)
	s.handleFunc("GET /ogc/collections", s.ogcCollections)
	s.handleFunc("GET /ogc/collections/{collectionId}", s.ogcCollection)
	s.handleFunc("GET /ogc/collections/{collectionId}/items", s.ogcItems)
	s.handleFunc("GET /ogc/collections/{collectionId}/items/{featureId}", s.ogcItem)
	s.handleFunc("GET /ogc/", s.notFound)
	s.handleFunc("OPTIONS /ogc", preflight)
	s.handleFunc("OPTIONS /ogc/", preflight)

	s.handleFunc("POST /api/v1/auth/login", s.login)
	s.handleFunc("POST /api/v1/auth/logout", s.authed(s.logout))
	s.handleFunc("GET /api/v1/auth/me", s.authed(s.me))
	s.handleFunc("GET /api/v1/entities/{id}", s.entity)
	s.handleFunc("GET /api/v1/entities/{id}/children", s.entityChildren)
	s.handleFunc("GET /api/v1/entities/{id}/track", s.entityTrack)
	s.handleFunc("GET /api/v1/tracks", s.tracks)
	s.handleFunc("GET /api/v1/entities/{id}/cameras", s.entityCameras)
	s.handleFunc("GET /api/v1/cameras/covering", s.camerasCovering)
	s.handleFunc("GET /api/v1/detectors/coverage", s.detectorCoverage)
	s.handleFunc("GET /api/v1/detectors/{id}/series", s.detectorSeries)
	s.handleFunc("GET /api/v1/history/presence", s.historyPresence)
	s.handleFunc("GET /api/v1/alarms", s.alarmList)
	s.handleFunc("GET /api/v1/alarms/{id}", s.alarmGet)
	s.handleFunc("POST /api/v1/alarms/{id}/ack", s.authed(s.alarmAck, roleAdmin, roleManager, roleEmergency, roleOperator))
	s.handleFunc("POST /api/v1/alarms/{id}/close", s.authed(s.alarmClose, roleAdmin, roleManager, roleEmergency, roleOperator))
	s.handleFunc("GET /api/v1/silences", s.silenceList)
	s.handleFunc("POST /api/v1/silences", s.authed(s.silenceAdd, roleAdmin, roleManager))
	s.handleFunc("DELETE /api/v1/silences/{id}", s.authed(s.silenceRemove, roleAdmin, roleManager))
	s.handleFunc("GET /api/v1/gatherings", s.gatheringList)
	s.handleFunc("GET /api/v1/headcount", s.headcount)
	for _, k := range []editable{editFence, editPoint} {
		s.handleFunc("POST "+k.path, s.authed(k.create(s), roleAdmin, roleManager))
		s.handleFunc("PUT "+k.path+"/{id}", s.authed(k.replace(s), roleAdmin, roleManager))
		s.handleFunc("DELETE "+k.path+"/{id}", s.authed(k.remove(s), roleAdmin, roleManager))
	}
	s.handleFunc("GET /api/v1/permits", s.permitList)
	s.handleFunc("GET /api/v1/permits/rules", s.permitRules)
	s.handleFunc("GET /api/v1/permits/export", s.authed(s.permitExport, roleAdmin, roleManager, roleEmergency, roleInspector))
	s.handleFunc("GET /api/v1/permits/{id}/print", s.permitPrint)
	s.handleFunc("GET /api/v1/permits/{id}", s.permitGet)
	s.handleFunc("POST /api/v1/permits/{id}/reissue", s.authed(s.permitReissue, permitRoles...))
	s.handleFunc("POST /api/v1/permits/{id}/register", s.authed(s.permitStep("register"), permitRoles...))
	s.handleFunc("POST /api/v1/permits", s.authed(s.permitCreate, permitRoles...))
	s.handleFunc("POST /api/v1/permits/{id}/gas-analyses", s.authed(s.permitStep("gas_analysis"), permitRoles...))
	s.handleFunc("POST /api/v1/permits/{id}/measures/{n}/confirm", s.authed(s.permitStep("confirm_measure"), permitRoles...))
	for path, action := range map[string]string{"apply": "apply", "risk-analysis": "risk_analysis", "briefing": "briefing",
		"start": "start", "suspend": "suspend", "resume": "resume", "close": "close", "cancel": "cancel"} {
		s.handleFunc("POST /api/v1/permits/{id}/"+path, s.authed(s.permitStep(action), permitRoles...))
	}
	// Signing roles may try to approve (an inspector may not); the
	// permit's approver list and the approver's tag on site decide.
	s.handleFunc("POST /api/v1/permits/{id}/approve", s.authed(s.permitStep("approve"), permitRoles...))
	s.inspectionRoutes()
	s.evacuationRoutes()
	s.handleFunc("GET /api/v1/threats", s.threatList)
	s.handleFunc("GET /api/v1/substances", s.substanceList)
	s.handleFunc("GET /api/v1/scenarios", s.scenarioList)
	s.handleFunc("GET /api/v1/scenarios/{id}", s.scenarioGet)
	s.handleFunc("POST /api/v1/scenarios", s.authed(s.scenarioCreate, roleAdmin, roleManager, roleEmergency))
	s.handleFunc("DELETE /api/v1/scenarios/{id}", s.authed(s.scenarioDelete, roleAdmin, roleManager, roleEmergency))
	s.handleFunc("GET /api/v1/", s.notFound)

	if s.opts.Stream != nil {
		s.handle("GET /ws", s.opts.Stream)
	}
	if s.opts.Tiles != nil {
		s.handle("GET /tiles/", http.StripPrefix("/tiles", s.opts.Tiles))
	}
	if s.opts.Viewer != nil {
		s.handle("GET /", s.opts.Viewer)
	} else {
		s.handleFunc("GET /{$}", s.index)
		s.handleFunc("GET /", s.notFound)
	}
}

// catchAll are the patterns that answer what nothing else does.
var catchAll = map[string]bool{"GET /": true, "GET /ogc/": true, "GET /api/v1/": true}

// notFound answers a path no route serves: 405 with Allow when a route
// serves it for other methods, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" && !catchAll[p] && m != r.Method {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, codeMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
		return
	}
	s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no route for %s", r.URL.Path))
}

// preflight answers a CORS preflight (the headers are set in ServeHTTP).
func preflight(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

const indexPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>chemtwin</title></head>
<body><h1>chemtwin</h1>
<p>危险化学品企业数字孪生 · digital twin of a hazardous-chemical plant</p>
<ul>
<li><a href="/ogc">OGC API – Features</a> (/ogc)</li>
<li><a href="/healthz">/healthz</a></li>
<li><a href="/metrics">/metrics</a></li>
</ul></body></html>
`

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	s.writeBytes(w, r, http.StatusOK, "text/html; charset=utf-8", []byte(indexPage))
}
