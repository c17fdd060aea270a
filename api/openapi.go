package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.0 definition of the OGC API, served at
// /ogc/api (the landing page's service-desc).
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) ogcAPIDoc(w http.ResponseWriter, r *http.Request) {
	s.writeBytes(w, r, http.StatusOK, typeOpenAPI, openAPIDoc)
}
