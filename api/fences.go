package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/fence"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// Fences and inspection points are drawn and edited on the map (AQ
// 3064.3-2025: fences are drawn on the map, authorised by identity and
// place; W7: inspection points are editable over REST and on the map):
//
//	POST   /api/v1/fences                    a GeoJSON Feature → 201 with the feature (id assigned when absent)
//	PUT    /api/v1/fences/{id}               replace a fence's geometry and properties → 200
//	DELETE /api/v1/fences/{id}               → 204
//	POST   /api/v1/inspections/points        (and PUT, DELETE …/{id}) the same for inspection points
//
// The feature is checked as a scene file's feature of its kind is
// (docs/scene-format.md) and must compile (a fence into the fence engine, a
// point into an inspection point). Each change is stored as a scene edit
// before it is applied (so it is there after a restart), applied to the
// twin (the engines and the viewers follow), and audited. Scene files'
// features may be edited and deleted too: the edit wins over the file from
// then on.

// editable is a kind of scene feature the API edits.
type editable struct {
	kind   twin.Kind
	noun   string // for messages and audit actions: fence, inspection point
	audit  string // audit action prefix: fence, inspection.point
	path   string // the collection's route
	prefix string // of assigned ids
	// check compiles the parsed entity (the engine's own check); an
	// *apiError it returns is answered as is, any other error 400.
	check func(s *Server, e *twin.Entity) error
	// inUse refuses the deletion of a feature others refer to; nil: none do.
	inUse func(s *Server, r *http.Request, id string) error
}

var (
	editFence = editable{kind: twin.KindFence, noun: "fence", audit: "fence", path: "/api/v1/fences", prefix: "FN-U",
		check: func(s *Server, e *twin.Entity) error {
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
			_, err := fence.Parse(e, anchor)
			return err
		}}
	editPoint = editable{kind: twin.KindInspectionPoint, noun: "inspection point", audit: "inspection.point", path: "/api/v1/inspections/points", prefix: "IP-U",
		check: func(s *Server, e *twin.Entity) error {
			p, err := inspect.PointFromEntity(e)
			if err != nil {
				return err
			}
			var taken string // codes identify points: one per point
			s.opts.Scene.View(func(tx twin.Tx) {
				tx.Kind(twin.KindInspectionPoint, func(o *twin.Entity) bool {
					if o.ID != p.ID && strings.TrimSpace(o.String("code")) == p.Code {
						taken = o.ID
					}
					return taken == ""
				})
			})
			if taken != "" {
				return errorf(http.StatusConflict, codeConflict, "inspection point %s: code %q is point %s's", p.ID, p.Code, taken)
			}
			return nil
		},
		inUse: func(s *Server, r *http.Request, id string) error {
			if s.opts.Inspections == nil {
				return nil
			}
			routes, err := s.opts.Inspections.Routes(r.Context())
			if err != nil {
				return err
			}
			var on []string
			for _, rt := range routes {
				if slices.Contains(rt.Points, id) {
					on = append(on, rt.ID)
				}
			}
			if len(on) > 0 {
				return errorf(http.StatusConflict, inspect.CodeInUse, "inspection point %s is on route %s: take it off the route first", id, strings.Join(on, ", "))
			}
			return nil
		}}
)

// maxFeatureBody bounds an edited feature: a fence with thousands of
// vertices is a mistake, not a fence.
const maxFeatureBody = 256 << 10

// create answers POST on the kind's collection.
func (k editable) create(s *Server) func(http.ResponseWriter, *http.Request, principal) {
	return func(w http.ResponseWriter, r *http.Request, p principal) { k.put(s, w, r, p, "") }
}

// replace answers PUT on one feature.
func (k editable) replace(s *Server) func(http.ResponseWriter, *http.Request, principal) {
	return func(w http.ResponseWriter, r *http.Request, p principal) { k.put(s, w, r, p, r.PathValue("id")) }
}

// put creates (id "") or replaces the feature a request carries.
func (k editable) put(s *Server, w http.ResponseWriter, r *http.Request, p principal, id string) {
	doc, e, err := k.read(s, w, r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	existing, exists := s.opts.Scene.Get(e.ID)
	switch {
	case id == "" && exists:
		s.writeError(w, r, errorf(http.StatusConflict, codeConflict, "%s exists: PUT %s/%s replaces it", e.ID, k.path, e.ID))
		return
	case id != "" && (!exists || existing.Kind != k.kind):
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no %s %q", k.noun, id))
		return
	}
	if err := s.opts.Store.PutEdit(r.Context(), store.Edit{ID: e.ID, Kind: string(k.kind), Feature: doc, At: s.opts.Clock(), By: p.user.Username}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.opts.Scene.Apply(twin.Upsert{Entity: e}).Err(); err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "%s %s: %v", k.noun, e.ID, err))
		return
	}
	action, status := k.audit+".create", http.StatusCreated
	if id != "" {
		action, status = k.audit+".update", http.StatusOK
	}
	detail := map[string]any{"name": e.Name, "feature": json.RawMessage(doc)}
	if rule := e.String("rule"); rule != "" {
		detail["rule"] = rule
	}
	s.audit(r, p.user.Username, action, e.ID, detail)
	w.Header().Set("Location", "/api/v1/entities/"+e.ID)
	s.writeBytes(w, r, status, typeGeoJSON, append(doc, '\n'))
}

// remove answers DELETE on one feature.
func (k editable) remove(s *Server) func(http.ResponseWriter, *http.Request, principal) {
	return func(w http.ResponseWriter, r *http.Request, p principal) {
		id := r.PathValue("id")
		e, ok := s.opts.Scene.Get(id)
		if !ok || e.Kind != k.kind {
			s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no %s %q", k.noun, id))
			return
		}
		if k.inUse != nil {
			if err := k.inUse(s, r, id); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := s.opts.Store.PutEdit(r.Context(), store.Edit{ID: id, Kind: string(k.kind), Removed: true, At: s.opts.Clock(), By: p.user.Username}); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.opts.Scene.Apply(twin.Remove{ID: id}).Err(); err != nil && !errors.Is(err, twin.ErrNotFound) {
			s.writeError(w, r, err)
			return
		}
		detail := map[string]any{"name": e.Name}
		if rule := e.String("rule"); rule != "" {
			detail["rule"] = rule
		}
		s.audit(r, p.user.Username, k.audit+".delete", id, detail)
		w.WriteHeader(http.StatusNoContent)
	}
}

// read reads and checks the request's feature. The id comes from the path
// (PUT; the body may repeat it), from properties.id, or is assigned; kind
// is set. It returns the normalised document and the entity.
func (k editable) read(s *Server, w http.ResponseWriter, r *http.Request, pathID string) ([]byte, *twin.Entity, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, typeGeoJSON) {
		return nil, nil, errorf(http.StatusUnsupportedMediaType, codeMediaType, "send the %s as application/geo+json or application/json", k.noun)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFeatureBody))
	if err != nil {
		return nil, nil, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "a %s document is at most %d bytes", k.noun, maxFeatureBody)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, errorf(http.StatusBadRequest, codeBadJSON, "not a JSON object: %v", err)
	}
	props, _ := doc["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	if kind, ok := props["kind"]; ok && kind != string(k.kind) {
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "kind %v: this endpoint takes %ss", kind, k.noun)
	}
	id, _ := props["id"].(string)
	switch {
	case pathID != "" && id != "" && id != pathID:
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "properties.id %q is not the %s %q of the path", id, k.noun, pathID)
	case pathID != "":
		id = pathID
	case id == "":
		id = newEditID(k.prefix)
	}
	props["id"], props["kind"] = id, string(k.kind)
	doc["properties"] = props
	delete(doc, "id")
	norm, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "%s: %v", k.noun, err)
	}
	e, probs := scenes.ParseFeature(norm, s.opts.Scene.Frame())
	if len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Reason
		}
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "%s %s: %s", k.noun, id, strings.Join(msgs, "; "))
	}
	if e.Parent != "" {
		if _, ok := s.opts.Scene.Get(e.Parent); !ok {
			return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "%s %s: parent %q is not in the scene", k.noun, id, e.Parent)
		}
	}
	if err := k.check(s, e); err != nil {
		if ae := (*apiError)(nil); errors.As(err, &ae) {
			return nil, nil, err
		}
		return nil, nil, errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	return norm, e, nil
}

// newEditID is prefix and eight random hex digits.
func newEditID(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%s", prefix, strings.ToUpper(hex.EncodeToString(b[:])))
}
