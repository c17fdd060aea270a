package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/fence"
)

// Fences are drawn and edited on the map (AQ 3064.3-2025: fences are
// drawn on the map, authorised by identity and place):
//
//	POST   /api/v1/fences        a GeoJSON Feature → 201 with the feature (id assigned when absent)
//	PUT    /api/v1/fences/{id}   replace a fence's geometry and properties → 200
//	DELETE /api/v1/fences/{id}   → 204
//
// The feature is checked as a scene file's fence is (docs/scene-format.md)
// and must compile into the fence engine. Each change is stored as a scene
// edit before it is applied (so it is there after a restart), applied to
// the twin (the fence engine and the viewers follow), and audited. Scene
// files' fences may be edited and deleted too: the edit wins over the
// file from then on.

// maxFenceBody bounds a fence document: a fence with thousands of
// vertices is a mistake, not a fence.
const maxFenceBody = 256 << 10

func (s *Server) fenceCreate(w http.ResponseWriter, r *http.Request, p principal) {
	s.fencePut(w, r, p, "")
}

func (s *Server) fenceReplace(w http.ResponseWriter, r *http.Request, p principal) {
	s.fencePut(w, r, p, r.PathValue("id"))
}

// fencePut creates (id "") or replaces the fence a request carries.
func (s *Server) fencePut(w http.ResponseWriter, r *http.Request, p principal, id string) {
	doc, e, err := s.readFence(w, r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	existing, exists := s.opts.Scene.Get(e.ID)
	switch {
	case id == "" && exists:
		s.writeError(w, r, errorf(http.StatusConflict, codeConflict, "%s exists: PUT /api/v1/fences/%s replaces it", e.ID, e.ID))
		return
	case id != "" && (!exists || existing.Kind != twin.KindFence):
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no fence %q", id))
		return
	}
	if err := s.opts.Store.PutEdit(r.Context(), store.Edit{ID: e.ID, Kind: string(twin.KindFence), Feature: doc, At: s.opts.Clock(), By: p.user.Username}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.opts.Scene.Apply(twin.Upsert{Entity: e}).Err(); err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "fence %s: %v", e.ID, err))
		return
	}
	action, status := "fence.create", http.StatusCreated
	if id != "" {
		action, status = "fence.update", http.StatusOK
	}
	s.audit(r, p.user.Username, action, e.ID, map[string]any{"rule": e.String("rule"), "name": e.Name, "feature": json.RawMessage(doc)})
	w.Header().Set("Location", "/api/v1/entities/"+e.ID)
	s.writeBytes(w, r, status, typeGeoJSON, append(doc, '\n'))
}

// fenceDelete removes a fence.
func (s *Server) fenceDelete(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	e, ok := s.opts.Scene.Get(id)
	if !ok || e.Kind != twin.KindFence {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no fence %q", id))
		return
	}
	if err := s.opts.Store.PutEdit(r.Context(), store.Edit{ID: id, Kind: string(twin.KindFence), Removed: true, At: s.opts.Clock(), By: p.user.Username}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.opts.Scene.Apply(twin.Remove{ID: id}).Err(); err != nil && !errors.Is(err, twin.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "fence.delete", id, map[string]any{"rule": e.String("rule"), "name": e.Name})
	w.WriteHeader(http.StatusNoContent)
}

// readFence reads and checks the request's fence feature. The id comes
// from the path (PUT; the body may repeat it), from properties.id, or is
// assigned; kind is set to fence. It returns the normalised document and
// the entity.
func (s *Server) readFence(w http.ResponseWriter, r *http.Request, pathID string) ([]byte, *twin.Entity, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, typeGeoJSON) {
		return nil, nil, errorf(http.StatusUnsupportedMediaType, codeMediaType, "send the fence as application/geo+json or application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFenceBody))
	if err != nil {
		return nil, nil, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "a fence document is at most %d bytes", maxFenceBody)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, errorf(http.StatusBadRequest, codeBadJSON, "not a JSON object: %v", err)
	}
	props, _ := doc["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	if k, ok := props["kind"]; ok && k != string(twin.KindFence) {
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "kind %v: this endpoint takes fences", k)
	}
	id, _ := props["id"].(string)
	switch {
	case pathID != "" && id != "" && id != pathID:
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "properties.id %q is not the fence %q of the path", id, pathID)
	case pathID != "":
		id = pathID
	case id == "":
		id = newFenceID()
	}
	props["id"], props["kind"] = id, string(twin.KindFence)
	doc["properties"] = props
	delete(doc, "id")
	norm, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "fence: %v", err)
	}
	e, probs := scenes.ParseFeature(norm, s.opts.Scene.Frame())
	if len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Reason
		}
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "fence %s: %s", id, strings.Join(msgs, "; "))
	}
	if e.Parent != "" {
		if _, ok := s.opts.Scene.Get(e.Parent); !ok {
			return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "fence %s: parent %q is not in the scene", id, e.Parent)
		}
	}
	anchor := func(aid string) (orb.Point, bool) {
		a, ok := s.opts.Scene.Get(aid)
		if !ok {
			return orb.Point{}, false
		}
		if a.Mobile != nil {
			return a.Mobile.Fix.Point, !a.Mobile.Fix.At.IsZero()
		}
		return a.Point(), a.Placed()
	}
	if _, err := fence.Parse(e, anchor); err != nil {
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	return norm, e, nil
}

func newFenceID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("FN-U%s", strings.ToUpper(hex.EncodeToString(b[:])))
}
