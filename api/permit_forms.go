package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/permit/form"
)

// The permit's paper forms: the printable permit in the GB 30871-2022
// Annex A layout and the AQ 3064.2 Annex A exchange export (W6 item 7).

// exportMaxDays bounds an export's window.
const exportMaxDays = 366

// permitPrint answers GET /api/v1/permits/{id}/print?lang=zh|en: the
// permit as a self-contained HTML page to print (A4).
func (s *Server) permitPrint(w http.ResponseWriter, r *http.Request) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	q := r.URL.Query()
	if err := checkParams(q, "lang"); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.opts.Permits.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, permitError(err))
		return
	}
	lang := form.Lang(q.Get("lang"))
	if lang == "" {
		lang = "zh"
	}
	area, _ := s.permitArea(p)
	var buf bytes.Buffer
	err = form.Print(&buf, p, s.opts.Permits.Rules(), form.PrintOptions{Site: s.siteName(lang), Location: area, Lang: lang,
		Zone: s.opts.Permits.Location(), PrintedAt: s.opts.Clock(), Names: s.permitNames(r, p)})
	if errors.Is(err, form.ErrInvalid) {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "%v", err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// permitExport answers GET /api/v1/permits/export?from=&to=&format=json|csv:
// the permits whose window overlaps the days from … to (YYYY-MM-DD in the
// site's zone, default today, at most a year) and their alarms, in the AQ
// 3064.2 Annex A exchange fields.
func (s *Server) permitExport(w http.ResponseWriter, r *http.Request, pr principal) {
	if s.opts.Permits == nil {
		s.writeError(w, r, errPermitsUnavailable)
		return
	}
	q := r.URL.Query()
	if err := checkParams(q, "from", "to", "format"); err != nil {
		s.writeError(w, r, err)
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "format %q: want json or csv", format))
		return
	}
	loc := s.opts.Permits.Location()
	now := s.opts.Clock().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	day := func(name string) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return today, nil
		}
		d, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return time.Time{}, errorf(http.StatusBadRequest, codeBadParameter, "%s %q: want YYYY-MM-DD", name, v)
		}
		return d, nil
	}
	from, err := day("from")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	to, err := day("to")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if to.Before(from) || to.Sub(from) > exportMaxDays*24*time.Hour {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "from %s to %s: want from ≤ to, at most %d days", from.Format(time.DateOnly), to.Format(time.DateOnly), exportMaxDays))
		return
	}
	var ps []*permit.Permit
	seen := map[string]bool{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		list, err := s.opts.Permits.List(r.Context(), store.PermitFilter{Day: d})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, p := range list {
			if !seen[p.ID] {
				seen[p.ID] = true
				ps = append(ps, p)
			}
		}
	}
	slices.SortFunc(ps, func(a, b *permit.Permit) int { return strings.Compare(a.ID, b.ID) })
	alarms, err := s.permitAlarms(r, seen, from, to.AddDate(0, 0, 1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := form.Export(ps, alarms, s.opts.Permits.Rules(), form.ExportOptions{EnterpriseCode: s.opts.EnterpriseCode,
		GeneratedAt: s.opts.Clock(), Zone: loc, Describe: func(p *permit.Permit) form.Extra {
			id, name := s.permitArea(p)
			return form.Extra{AreaID: id, AreaName: name}
		}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, pr.user.Username, "permit.export", "", map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly),
		"permits": len(doc.Permits), "alarms": len(doc.Alarms), "format": format})
	name := fmt.Sprintf("permits-%s-%s", from.Format("20060102"), to.Format("20060102"))
	if format == "csv" {
		var buf bytes.Buffer
		if err := form.WriteCSV(&buf, doc); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
		return
	}
	b, err := json.Marshal(doc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", typeJSON)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// permitAlarms lists the permit alarms raised in [from, to) that name one
// of the permits (the export's alarm records), a page at a time.
func (s *Server) permitAlarms(r *http.Request, permits map[string]bool, from, to time.Time) ([]alarm.Alarm, error) {
	if s.opts.Alarms == nil {
		return nil, nil
	}
	var out []alarm.Alarm
	for _, t := range alarm.Types {
		if !strings.HasPrefix(string(t), "permit_") {
			continue
		}
		for off := 0; ; off += 1000 {
			page, err := s.opts.Alarms.List(r.Context(), alarm.Filter{Type: t, From: from, To: to, Limit: 1000, Offset: off})
			if err != nil {
				return nil, err
			}
			for _, a := range page {
				if permits[a.EntityID] {
					out = append(out, a)
				}
			}
			if len(page) < 1000 {
				break
			}
		}
	}
	return out, nil
}

// permitArea is the smallest area holding the permit's work (id and name).
func (s *Server) permitArea(p *permit.Permit) (id, name string) {
	if p.Geometry == nil {
		return "", ""
	}
	c := geo.Centroid(p.Geometry.Geometry())
	s.opts.Scene.View(func(tx twin.Tx) {
		if id = tx.AreaAt(c); id != "" {
			name = tx.Get(id).Name
		}
	})
	return id, name
}

// permitNames maps the permit's people (scene names) and signing users
// (display names) for the printed form.
func (s *Server) permitNames(r *http.Request, p *permit.Permit) map[string]string {
	names := map[string]string{}
	people := append(slices.Clone(p.Workers), p.Guardian)
	s.opts.Scene.View(func(tx twin.Tx) {
		for _, id := range people {
			if e := tx.Get(id); e != nil && e.Name != "" {
				names[id] = e.Name
			}
		}
	})
	users := slices.Clone(p.Approvers)
	if len(p.Log) > 0 {
		users = append(users, p.Log[0].By)
	}
	for _, u := range users {
		if user, err := s.opts.Store.User(r.Context(), u); err == nil && user.DisplayName != "" {
			names[u] = user.DisplayName
		}
	}
	return names
}

// siteName is the site's name in lang (the scene's site entity).
func (s *Server) siteName(lang form.Lang) string {
	name := s.opts.Scene.SiteID()
	s.opts.Scene.View(func(tx twin.Tx) {
		if e := tx.Get(s.opts.Scene.SiteID()); e != nil {
			if en := e.String("name_en"); lang == "en" && en != "" {
				name = en
			} else if e.Name != "" {
				name = e.Name
			}
		}
	})
	return name
}
