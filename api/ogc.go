package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// OGC API – Features Part 1 (OGC 17-069r4) identifiers.
const (
	crs84          = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	crs84h         = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
	trsGregorian   = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	confCore       = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	confGeoJSON    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	confOAS30      = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
	typeJSON       = "application/json"
	typeGeoJSON    = "application/geo+json"
	typeOpenAPI    = "application/vnd.oai.openapi+json;version=3.0"
	ogcPath        = "/ogc"
	ogcDescription = "chemtwin 一张图: 厂区实体与实时状态 · the plant's entities and live state as OGC API – Features"
)

// link is an OGC/JSON link object.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// baseURL is the absolute URL of the OGC API root for r's host. Links are
// absolute: GDAL follows them as given.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + ogcPath
}

// checkFormat refuses an f parameter other than JSON, the one encoding served.
func checkFormat(q url.Values) error {
	switch q.Get("f") {
	case "", "json", "geojson", typeJSON, typeGeoJSON:
		return nil
	}
	return errorf(http.StatusBadRequest, codeBadParameter, "unsupported format f=%q: only json", q.Get("f"))
}

func (s *Server) ogcLanding(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := baseURL(r)
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{
		"title":       "chemtwin " + s.opts.Scene.SiteID(),
		"description": ogcDescription,
		"links": []link{
			{Href: base, Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: base + "/api", Rel: "service-desc", Type: typeOpenAPI, Title: "OpenAPI 3.0 definition"},
			{Href: base + "/conformance", Rel: "conformance", Type: typeJSON, Title: "conformance classes"},
			{Href: base + "/collections", Rel: "data", Type: typeJSON, Title: "collections (layers)"},
		},
	})
}

func (s *Server) ogcConformance(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{
		"conformsTo": []string{confCore, confGeoJSON, confOAS30},
	})
}

// collection is an OGC collection description.
type collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Extent      extent   `json:"extent"`
	ItemType    string   `json:"itemType"`
	CRS         []string `json:"crs"`
	Links       []link   `json:"links"`
}

type extent struct {
	Spatial  spatialExtent   `json:"spatial"`
	Temporal *temporalExtent `json:"temporal,omitempty"`
}

type spatialExtent struct {
	BBox [][]float64 `json:"bbox"`
	CRS  string      `json:"crs"`
}

type temporalExtent struct {
	Interval [][]*string `json:"interval"`
	TRS      string      `json:"trs"`
}

func (s *Server) ogcCollections(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := baseURL(r)
	bbox := s.sceneBound()
	cols := make([]collection, 0, len(twin.Layers))
	for _, l := range twin.Layers {
		cols = append(cols, describe(l, base, bbox))
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, map[string]any{
		"links": []link{
			{Href: base + "/collections", Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: base, Rel: "parent", Type: typeJSON, Title: "landing page"},
		},
		"collections": cols,
	})
}

func (s *Server) ogcCollection(w http.ResponseWriter, r *http.Request) {
	l, err := layerOf(r)
	if err == nil {
		err = checkFormat(r.URL.Query())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, describe(l, baseURL(r), s.sceneBound()))
}

// layerOf returns the layer named by the collectionId path value.
func layerOf(r *http.Request) (twin.LayerInfo, error) {
	id := r.PathValue("collectionId")
	l, ok := twin.LayerByID(twin.Layer(id))
	if !ok {
		return l, errorf(http.StatusNotFound, codeNotFound, "no collection %q", id)
	}
	return l, nil
}

// describe builds the collection document of layer l.
func describe(l twin.LayerInfo, base string, b orb.Bound) collection {
	href := base + "/collections/" + string(l.ID)
	kinds := make([]string, len(l.Kinds))
	for i, k := range l.Kinds {
		kinds[i] = string(k)
	}
	desc := fmt.Sprintf("%s · %s (kinds: %s)", l.TitleZh, l.Title, strings.Join(kinds, ", "))
	c := collection{
		ID:    string(l.ID),
		Title: l.TitleZh + " " + l.Title,
		Extent: extent{Spatial: spatialExtent{
			BBox: [][]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}, CRS: crs84,
		}},
		ItemType: "feature",
		CRS:      []string{crs84},
		Links: []link{
			{Href: href, Rel: "self", Type: typeJSON, Title: "this collection"},
			{Href: href + "/items", Rel: "items", Type: typeGeoJSON, Title: l.Title},
		},
	}
	switch {
	case l.ID == twin.LayerAlarms:
		desc = l.TitleZh + " · " + l.Title + " (from the alarm engine; datetime filters raised_at)"
		c.Extent.Temporal = &temporalExtent{Interval: [][]*string{{nil, nil}}, TRS: trsGregorian}
	case l.Live:
		desc += "; live state in properties, datetime filters updated"
	}
	c.Description = desc
	return c
}

// sceneBound is the bound of the site: its boundary when it has one, else
// the union of every placed entity; the whole world for an empty scene.
func (s *Server) sceneBound() orb.Bound {
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	var b orb.Bound
	found := false
	s.opts.Scene.View(func(tx twin.Tx) {
		if site := tx.Get(s.opts.Scene.SiteID()); site != nil && site.Placed() {
			b, found = site.Bound(), true
			return
		}
		tx.Search(world, func(e *twin.Entity) bool {
			if found {
				b = b.Union(e.Bound())
			} else {
				b, found = e.Bound(), true
			}
			return true
		})
	})
	if !found {
		return world
	}
	return b
}
