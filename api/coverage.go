package api

import (
	"errors"
	"net/http"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/coverage"
)

// detectorCoverage answers GET /api/v1/detectors/coverage[?area=ID]: every
// release source with the gas detectors covering it by the GB/T 50493-2019
// distance rules, the ids of the uncovered sources and each detector's
// coverage circle for drawing. With area= the answer holds that area's
// sources and the circles of its detectors and of those covering them.
// Read-only and open, like headcount.
func (s *Server) detectorCoverage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "area"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var rep coverage.Report
	var err error
	s.opts.Scene.View(func(tx twin.Tx) { rep, err = coverage.Check(tx, coverage.Options{Area: q.Get("area")}) })
	if errors.Is(err, coverage.ErrNoArea) {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no area %q", q.Get("area")))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, rep)
}
