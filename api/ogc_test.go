package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

type ogcLink struct{ Href, Rel, Type string }

type featureDoc struct {
	Type       string
	ID         string
	Geometry   *struct{ Type string }
	Properties map[string]any
	Links      []ogcLink
}

type collectionDoc struct {
	Type           string
	Features       []featureDoc
	NumberMatched  int
	NumberReturned int
	TimeStamp      string
	Links          []ogcLink
}

func linkOf(links []ogcLink, rel string) (ogcLink, bool) {
	for _, l := range links {
		if l.Rel == rel {
			return l, true
		}
	}
	return ogcLink{}, false
}

func ids(fs []featureDoc) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// items fetches an /items URL and checks the FeatureCollection envelope.
func (h *harness) items(path string) collectionDoc {
	h.t.Helper()
	r := h.get(path)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
		h.t.Fatalf("GET %s: content type %q", path, ct)
	}
	var c collectionDoc
	r.json(h.t, &c)
	if c.Type != "FeatureCollection" || c.NumberReturned != len(c.Features) || c.TimeStamp != t0.Format(time.RFC3339) {
		h.t.Fatalf("GET %s: envelope %+v", path, c)
	}
	for _, rel := range []string{"self", "collection"} {
		if _, ok := linkOf(c.Links, rel); !ok {
			h.t.Fatalf("GET %s: no %s link in %+v", path, rel, c.Links)
		}
	}
	return c
}

func TestOGCLandingAndConformance(t *testing.T) {
	h := newHarness(t)
	r := h.get("/ogc")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("landing: %d %v", r.status, r.header)
	}
	var landing struct {
		Title string
		Links []ogcLink
	}
	r.json(t, &landing)
	for rel, suffix := range map[string]string{"self": "/ogc", "service-desc": "/ogc/api", "conformance": "/ogc/conformance", "data": "/ogc/collections"} {
		l, ok := linkOf(landing.Links, rel)
		if !ok || l.Href != h.ts.URL+suffix {
			t.Errorf("landing link %s = %+v", rel, l)
		}
	}
	if r := h.get("/ogc/?f=json"); r.status != 200 {
		t.Errorf("/ogc/?f=json: %d", r.status)
	}
	var conf struct{ ConformsTo []string }
	h.get("/ogc/conformance").json(t, &conf)
	for _, c := range []string{"core", "geojson", "oas30"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"+c) {
			t.Errorf("conformsTo lacks %s: %v", c, conf.ConformsTo)
		}
	}
	api := h.get("/ogc/api")
	var doc struct{ OpenAPI string }
	api.json(t, &doc)
	if api.status != 200 || !strings.HasPrefix(doc.OpenAPI, "3.0") || !strings.Contains(api.header.Get("Content-Type"), "openapi") {
		t.Errorf("api doc: %d %q %q", api.status, doc.OpenAPI, api.header.Get("Content-Type"))
	}
}

func TestOGCCollections(t *testing.T) {
	h := newHarness(t)
	type colDoc struct {
		ID, Title, Description, ItemType string
		CRS                              []string
		Extent                           struct {
			Spatial  struct{ BBox [][]float64 }
			Temporal *struct{ Interval [][]*string }
		}
		Links []ogcLink
	}
	var all struct {
		Collections []colDoc
		Links       []ogcLink
	}
	h.get("/ogc/collections").json(t, &all)
	site, _ := h.scene.Get("demo")
	sb := site.Bound()
	if len(all.Collections) != len(twin.Layers) {
		t.Fatalf("%d collections, want %d", len(all.Collections), len(twin.Layers))
	}
	for i, l := range twin.Layers {
		c := all.Collections[i]
		t.Run(string(l.ID), func(t *testing.T) {
			if c.ID != string(l.ID) || c.ItemType != "feature" || !slices.Contains(c.CRS, "http://www.opengis.net/def/crs/OGC/1.3/CRS84") {
				t.Fatalf("collection %+v", c)
			}
			if !strings.Contains(c.Description, l.TitleZh) || !strings.Contains(c.Description, l.Title) {
				t.Errorf("description %q lacks zh/en titles", c.Description)
			}
			if bb := c.Extent.Spatial.BBox; len(bb) != 1 || bb[0][0] != sb.Min[0] || bb[0][3] != sb.Max[1] {
				t.Errorf("extent %v, want site bound %v", bb, sb)
			}
			if (c.Extent.Temporal != nil) != (l.ID == twin.LayerAlarms) {
				t.Errorf("temporal extent %v", c.Extent.Temporal)
			}
			items, ok := linkOf(c.Links, "items")
			if !ok || items.Href != h.ts.URL+"/ogc/collections/"+c.ID+"/items" || items.Type != "application/geo+json" {
				t.Errorf("items link %+v", items)
			}
		})
	}
	var one colDoc
	h.get("/ogc/collections/gas_detectors").json(t, &one)
	if one.ID != "gas_detectors" || one.Title == "" {
		t.Errorf("one collection: %+v", one)
	}
	wantError(t, h.get("/ogc/collections/nope"), 404, "not_found")
	wantError(t, h.get("/ogc/collections/nope/items"), 404, "not_found")
	wantError(t, h.get("/ogc/nothing/here"), 404, "not_found")
}

func TestOGCItemsPerLayer(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		layer string
		ids   []string
		props map[string]map[string]any // id → expected properties
	}{
		{"people", []string{"P-001", "P-002", "P-003", "P-004", "P-005"}, map[string]map[string]any{
			"P-001": {"tag": "T-001", "kind": "person", "area_id": "A-west", "battery": 80.0},
			"P-005": {"tag": "T-005", "area_id": "A-east"},
		}},
		{"vehicles", []string{"V-1"}, map[string]map[string]any{"V-1": {"tag": "VT-1", "name": "槽车"}}},
		{"gas_detectors", []string{"GD-1", "GD-2", "GD-3"}, map[string]map[string]any{
			"GD-2": {"value": 30.0, "unit": "%LEL", "state": "alarm1", "gas": "H2S", "parent": "A-east"},
			"GD-3": {"state": "fault"},
		}},
		{"fences", []string{"F-1"}, map[string]map[string]any{"F-1": {"rule": "no_entry"}}},
		{"areas", []string{"A-east", "A-west"}, map[string]map[string]any{"A-west": {"name": "甲醇装置区"}}},
		{"buildings", []string{"B-ctrl", "B-pump"}, map[string]map[string]any{"B-ctrl": {"height": 8.0}}},
		{"tanks", []string{"TK-1"}, nil},
		{"roads", []string{"R-1"}, nil},
		{"permits", []string{}, nil},
		{"inspection_points", []string{}, nil},
		{"threat_zones", []string{}, nil},
		{"alarms", []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.layer, func(t *testing.T) {
			c := h.items("/ogc/collections/" + tt.layer + "/items")
			if got := ids(c.Features); !slices.Equal(got, tt.ids) || c.NumberMatched != len(tt.ids) {
				t.Fatalf("ids %v matched %d, want %v", got, c.NumberMatched, tt.ids)
			}
			if _, ok := linkOf(c.Links, "next"); ok {
				t.Errorf("next link on a single page")
			}
			for _, f := range c.Features {
				if f.Type != "Feature" || f.Geometry == nil || f.Properties["id"] != f.ID {
					t.Errorf("feature %+v", f)
				}
				for k, v := range tt.props[f.ID] {
					if f.Properties[k] != v {
						t.Errorf("%s.%s = %v, want %v", f.ID, k, f.Properties[k], v)
					}
				}
			}
		})
	}
}

func TestOGCItemsPaging(t *testing.T) {
	h := newHarness(t)
	for _, limit := range []int{1, 2, 3, 5, 7} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var seen []string
			var pages []string // page URLs in order
			next := fmt.Sprintf("%s/ogc/collections/people/items?limit=%d", h.ts.URL, limit)
			for next != "" && len(pages) < 10 {
				pages = append(pages, next)
				c := h.items(next)
				if c.NumberMatched != 5 || c.NumberReturned > limit {
					t.Fatalf("page %s: matched %d returned %d", next, c.NumberMatched, c.NumberReturned)
				}
				seen = append(seen, ids(c.Features)...)
				prev, hasPrev := linkOf(c.Links, "prev")
				if hasPrev != (len(pages) > 1) {
					t.Fatalf("page %d: prev link %v", len(pages), hasPrev)
				}
				if hasPrev && h.items(prev.Href).Features[0].ID != seen[len(seen)-c.NumberReturned-limit] {
					t.Fatalf("prev of page %d (%s) does not start the previous page", len(pages), prev.Href)
				}
				l, _ := linkOf(c.Links, "next")
				next = l.Href
			}
			want := []string{"P-001", "P-002", "P-003", "P-004", "P-005"}
			if !slices.Equal(seen, want) || len(pages) != (5+limit-1)/limit {
				t.Fatalf("seen %v over %d pages, want %v", seen, len(pages), want)
			}
		})
	}
	// the cursor survives other parameters, and a bbox narrows numberMatched
	c := h.items("/ogc/collections/people/items?limit=1&bbox=" + h.bbox(0, 0, 100, 100))
	nl, _ := linkOf(c.Links, "next")
	u, _ := url.Parse(nl.Href)
	if c.NumberMatched != 3 || u.Query().Get("bbox") == "" || u.Query().Get("cursor") == "" {
		t.Fatalf("bbox paging: matched %d next %s", c.NumberMatched, nl.Href)
	}
}

// bbox is a plant-frame rectangle as a bbox parameter.
func (h *harness) bbox(x0, y0, x1, y1 float64) string {
	a, b := h.frame.Point(x0, y0), h.frame.Point(x1, y1)
	return fmt.Sprintf("%.9f,%.9f,%.9f,%.9f", a[0], a[1], b[0], b[1])
}

func TestOGCItemsBBox(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, layer, bbox string
		want              []string
	}{
		{"people in the west area", "people", h.bbox(0, 0, 100, 100), []string{"P-001", "P-002", "P-003"}},
		{"people east", "people", h.bbox(200, 0, 300, 100), []string{"P-004", "P-005"}},
		{"nobody north", "people", h.bbox(0, 100, 300, 140), []string{}},
		{"areas touching", "areas", h.bbox(95, 50, 205, 60), []string{"A-east", "A-west"}},
		{"box inside a fence", "fences", h.bbox(250, 50, 260, 60), []string{"F-1"}},
		{"box beside a fence", "fences", h.bbox(291, 50, 299, 60), []string{}},
		{"inside a triangle's bound, outside the triangle", "risk_units", h.bbox(180, 180, 195, 195), []string{}},
		{"inside the triangle", "risk_units", h.bbox(110, 110, 120, 120), []string{"RU-1"}},
		{"road crossing", "roads", h.bbox(100, 140, 110, 160), []string{"R-1"}},
		{"tank by its radius", "tanks", h.bbox(275, 70, 280, 75), []string{"TK-1"}},
		{"with heights", "gas_detectors", func() string {
			a, b := h.frame.Point(0, 0), h.frame.Point(100, 100)
			return fmt.Sprintf("%.9f,%.9f,0,%.9f,%.9f,50", a[0], a[1], b[0], b[1])
		}(), []string{"GD-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.items("/ogc/collections/" + tt.layer + "/items?bbox=" + tt.bbox)
			if got := ids(c.Features); !slices.Equal(got, tt.want) || c.NumberMatched != len(tt.want) {
				t.Fatalf("%s: got %v (matched %d), want %v", tt.bbox, got, c.NumberMatched, tt.want)
			}
		})
	}
}

func TestOGCItemsDatetimeAndProperties(t *testing.T) {
	h := newHarness(t)
	ts := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name, query string
		want        []string
	}{
		{"open start", "gas_detectors/items?datetime=../" + ts(-29*time.Minute), []string{"GD-1", "GD-2"}},
		{"open end", "gas_detectors/items?datetime=" + ts(-29*time.Minute) + "/..", []string{"GD-2", "GD-3"}},
		{"closed", "people/items?datetime=" + ts(-9*time.Minute) + "/" + ts(-7*time.Minute), []string{"P-002", "P-003", "P-004"}},
		{"instant", "people/items?datetime=" + ts(-8*time.Minute), []string{"P-003"}},
		{"day", "areas/items?datetime=" + t0.Format(time.DateOnly), []string{"A-east", "A-west"}},
		{"property equality", "gas_detectors/items?state=fault", []string{"GD-3"}},
		{"numeric property", "gas_detectors/items?value=30", []string{"GD-2"}},
		{"property and bbox", "people/items?area_id=A-east&bbox=" + h.bbox(250, 0, 300, 100), []string{"P-005"}},
		{"f=json", "people/items?f=json&limit=1", []string{"P-001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.items("/ogc/collections/" + tt.query)
			if got := ids(c.Features); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOGCSingleItem(t *testing.T) {
	h := newHarness(t)
	r := h.get("/ogc/collections/people/items/P-001")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("item: %d %s", r.status, r.body)
	}
	var f featureDoc
	r.json(t, &f)
	if f.ID != "P-001" || f.Geometry == nil || f.Geometry.Type != "Point" || f.Properties["tag"] != "T-001" {
		t.Fatalf("feature %+v", f)
	}
	if l, ok := linkOf(f.Links, "collection"); !ok || l.Href != h.ts.URL+"/ogc/collections/people" {
		t.Errorf("links %+v", f.Links)
	}
	var poly featureDoc
	h.get("/ogc/collections/areas/items/A-west").json(t, &poly)
	if poly.Geometry == nil || poly.Geometry.Type != "Polygon" {
		t.Errorf("area %+v", poly)
	}
	for _, path := range []string{
		"/ogc/collections/people/items/nope",
		"/ogc/collections/people/items/P-nofix", // not placed
		"/ogc/collections/people/items/GD-1",    // another collection
		"/ogc/collections/alarms/items/AL-nope",
		"/ogc/collections/permits/items/P-001",
	} {
		wantError(t, h.get(path), 404, "not_found")
	}
}

func TestOGCAlarms(t *testing.T) {
	h := newHarness(t)
	a1 := h.raise(alarm.GasLevel1, "GD-2", 250, 50, t0.Add(-3*time.Hour))
	a2 := h.raise(alarm.FenceIntrusion, "P-005", 280, 40, t0.Add(-2*time.Hour))
	a3 := h.raise(alarm.SOS, "P-001", 20, 40, t0.Add(-1*time.Hour))
	if _, err := h.alarms.Ack(t.Context(), a1.ID, "manager", ""); err != nil {
		t.Fatal(err)
	}
	ts := func(d time.Duration) string { return url.QueryEscape(t0.Add(d).Format(time.RFC3339)) }
	tests := []struct {
		name, query string
		want        []string
	}{
		{"all, newest first", "", []string{a3.ID, a2.ID, a1.ID}},
		{"instant", "datetime=" + ts(-2*time.Hour), []string{a2.ID}},
		{"closed", "datetime=" + ts(-150*time.Minute) + "/" + ts(-30*time.Minute), []string{a3.ID, a2.ID}},
		{"open start", "datetime=../" + ts(-2*time.Hour), []string{a2.ID, a1.ID}},
		{"open end", "datetime=" + ts(-2*time.Hour) + "/..", []string{a3.ID, a2.ID}},
		{"bbox west", "bbox=" + h.bbox(0, 0, 100, 100), []string{a3.ID}},
		{"state", "state=acknowledged", []string{a1.ID}},
		{"type", "type=sos", []string{a3.ID}},
		{"other property", "entity_id=P-005&level=2", []string{a2.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.items("/ogc/collections/alarms/items?" + tt.query)
			if got := ids(c.Features); !slices.Equal(got, tt.want) || c.NumberMatched != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("paging", func(t *testing.T) {
		var seen []string
		next := h.ts.URL + "/ogc/collections/alarms/items?limit=2"
		for i := 0; next != "" && i < 5; i++ {
			c := h.items(next)
			seen = append(seen, ids(c.Features)...)
			l, _ := linkOf(c.Links, "next")
			next = l.Href
		}
		if !slices.Equal(seen, []string{a3.ID, a2.ID, a1.ID}) {
			t.Fatalf("paged %v", seen)
		}
	})
	r := h.get("/ogc/collections/alarms/items/" + a2.ID)
	var f featureDoc
	r.json(t, &f)
	if r.status != 200 || f.ID != a2.ID || f.Geometry.Type != "Point" || f.Properties["type"] != "fence_intrusion" || f.Properties["entity_id"] != "P-005" {
		t.Fatalf("alarm feature %d %s", r.status, r.body)
	}
	wantError(t, h.get("/ogc/collections/alarms/items?state=burning"), 400, "invalid_parameter")
	wantError(t, h.get("/ogc/collections/alarms/items?type=meteor"), 400, "invalid_parameter")
}

func TestOGCBadParameters(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ query, code string }{
		{"bbox=1,2,3", "invalid_bbox"},
		{"bbox=NaN,2,3,4", "invalid_bbox"},
		{"bbox=1,2,3,4,5", "invalid_bbox"},
		{"bbox=0,0,200,10", "invalid_bbox"},
		{"bbox=10,10,0,0", "invalid_bbox"},
		{"bbox=", "invalid_bbox"},
		{"bbox=0,0,1,1&bbox=0,0,2,2", "invalid_parameter"},
		{"bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857&bbox=0,0,1,1", "invalid_bbox"},
		{"limit=0", "invalid_limit"},
		{"limit=-5", "invalid_limit"},
		{"limit=ten", "invalid_limit"},
		{"datetime=yesterday", "invalid_datetime"},
		{"datetime=../..", "invalid_datetime"},
		{"datetime=2026-02-01T00:00:00Z/2026-01-01T00:00:00Z", "invalid_datetime"},
		{"f=html", "invalid_parameter"},
		{"crs=http://www.opengis.net/def/crs/EPSG/0/4326", "invalid_parameter"},
		{"cursor=%21%21", "invalid_parameter"},
		{"not-a-property=1", "invalid_parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.get("/ogc/collections/people/items?" + tt.query)
			wantError(t, r, 400, tt.code)
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("no CORS on an error")
			}
		})
	}
	if n := h.metric("chemtwin_api_rejected_total", map[string]string{"reason": "invalid_bbox"}); n != 7 {
		t.Errorf("rejected invalid_bbox = %v, want 7", n)
	}
	wantError(t, h.get("/ogc/collections/alarms/items?bbox=1,2"), 400, "invalid_bbox")
	wantError(t, h.get("/ogc/collections/people?f=xml"), 400, "invalid_parameter")
	// the largest limit is capped, not refused
	if c := h.items("/ogc/collections/people/items?limit=1000000"); c.NumberReturned != 5 {
		t.Errorf("capped limit returned %d", c.NumberReturned)
	}
}

func TestOGCCORSAndMethods(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodOptions, h.ts.URL+"/ogc/collections/people/items", nil)
	req.Header.Set("Origin", "http://qgis.local")
	req.Header.Set("Access-Control-Request-Method", "GET")
	r := h.send(req)
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	r = h.do(http.MethodPost, "/ogc/collections", "", "{}")
	wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	head, _ := http.NewRequest(http.MethodHead, h.ts.URL+"/ogc/collections/people/items", nil)
	if r := h.send(head); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d %d bytes", r.status, len(r.body))
	}
}
