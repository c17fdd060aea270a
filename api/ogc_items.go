package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// itemsPage is one page of an /items answer, encoded features included.
type itemsPage struct {
	features []byte // encoded features, comma-separated
	returned int
	matched  int
	next     string // cursor of the next page, "" on the last
	prev     string // cursor of the previous page
	hasPrev  bool   // prev == "" with hasPrev: the first page
}

func (s *Server) ogcItems(w http.ResponseWriter, r *http.Request) {
	l, err := layerOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q, err := parseItemsQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var page itemsPage
	if l.ID == twin.LayerAlarms {
		page, err = s.alarmPage(r, q)
	} else {
		page, err = s.entityPage(l, q)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCollection(w, r, l, page)
}

// entityPage lists one page of a scene layer.
func (s *Server) entityPage(l twin.LayerInfo, q itemsQuery) (itemsPage, error) {
	match := func(e *twin.Entity) bool {
		return (q.when == nil || q.when.Contains(e.Updated)) &&
			(q.bbox == nil || intersectsEntity(e, q)) &&
			(q.props == nil || matchProps(e.Properties(), q.props))
	}
	tq := twin.Query{Kinds: l.Kinds, Bound: q.bbox, After: q.cursor, Limit: q.limit,
		Unplaced: q.bbox == nil && l.ID != twin.LayerPeople && l.ID != twin.LayerVehicles}
	if q.when != nil || q.bbox != nil || q.props != nil {
		tq.Filter = match
	}
	var tp twin.Page
	var out itemsPage
	s.opts.Scene.View(func(tx twin.Tx) {
		tp = tx.List(tq)
		if q.cursor != "" {
			out.prev, out.hasPrev = prevCursor(tx, tq, q.cursor, q.limit), true
		}
	})
	out.matched, out.next = tp.Matched, tp.Next
	out.features = make([]byte, 0, 512*len(tp.Entities))
	var err error
	for _, e := range tp.Entities {
		if out.features, err = appendFeature(comma(out.features, out.returned), e.ID, e.Geometry, e.Properties(), nil); err != nil {
			return out, err
		}
		out.returned++
	}
	return out, nil
}

// intersectsEntity is the exact bbox test after the R-tree prefilter; a point
// with a radius (a tank, a muster point) counts as its indexed disc bound.
func intersectsEntity(e *twin.Entity, q itemsQuery) bool {
	if _, ok := e.Geometry.(orb.Point); ok {
		return e.Bound().Intersects(*q.bbox)
	}
	return intersects(e.Geometry, *q.bbox)
}

// prevCursor returns the cursor of the page before the one starting after
// cursor: the ids matching tq up to cursor, less the last limit of them.
// The filter collects ids and keeps nothing, so nothing is cloned.
func prevCursor(tx twin.Tx, tq twin.Query, cursor string, limit int) string {
	var ids []string
	match := tq.Filter
	tq.After, tq.Limit = "", 0
	tq.Filter = func(e *twin.Entity) bool {
		if e.ID <= cursor && (match == nil || match(e)) {
			ids = append(ids, e.ID)
		}
		return false
	}
	tx.List(tq)
	if len(ids) <= limit {
		return ""
	}
	slices.Sort(ids)
	return ids[len(ids)-limit-1]
}

// writeCollection writes a GeoJSON FeatureCollection with the OGC members
// and links (OGC 17-069r4 §7.15.8, Requirement 28 on links).
func (s *Server) writeCollection(w http.ResponseWriter, r *http.Request, l twin.LayerInfo, p itemsPage) {
	base := baseURL(r)
	self := base + "/collections/" + string(l.ID) + "/items"
	q := r.URL.Query()
	selfHref := self
	if r.URL.RawQuery != "" {
		selfHref += "?" + r.URL.RawQuery
	}
	links := []link{
		{Href: selfHref, Rel: "self", Type: typeGeoJSON, Title: "this document"},
		{Href: base + "/collections/" + string(l.ID), Rel: "collection", Type: typeJSON, Title: l.Title},
	}
	if p.next != "" {
		links = append(links, link{Href: pageURL(self, q, p.next), Rel: "next", Type: typeGeoJSON, Title: "next page"})
	}
	if p.hasPrev {
		links = append(links, link{Href: pageURL(self, q, p.prev), Rel: "prev", Type: typeGeoJSON, Title: "previous page"})
	}
	lb, _ := json.Marshal(links) // plain strings: cannot fail
	b := make([]byte, 0, len(p.features)+len(lb)+160)
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	b = append(b, p.features...)
	b = append(b, `],"numberMatched":`...)
	b = strconv.AppendInt(b, int64(p.matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(p.returned), 10)
	b = append(b, `,"timeStamp":"`...)
	b = s.opts.Clock().UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","links":`...)
	b = append(b, lb...)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Crs", "<"+crs84+">")
	s.writeBytes(w, r, http.StatusOK, typeGeoJSON, b)
}

// pageURL is the items URL u for the query q with its cursor set to cursor,
// or removed when cursor is "" (the first page).
func pageURL(u string, q url.Values, cursor string) string {
	c := make(url.Values, len(q))
	for k, v := range q {
		c[k] = v
	}
	if cursor != "" {
		c.Set("cursor", encodeCursor(cursor))
	} else {
		c.Del("cursor")
	}
	if enc := c.Encode(); enc != "" {
		return u + "?" + enc
	}
	return u
}
