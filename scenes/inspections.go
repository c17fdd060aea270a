package scenes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/inspect"
)

// InspectionsFile holds a scene's inspection routes and plans (optional;
// the points are the inspection_point features of the layers).
const InspectionsFile = "inspections.json"

// Inspections are the routes and plans of inspections.json, in file order,
// as twin/inspect reads them. Treat them as immutable: copy before
// changing.
type Inspections struct {
	Routes []inspect.Route
	Plans  []inspect.Plan
}

// Defaults of a plan that leaves them out: enabled, on every day, late
// check-ins taken for inspect.DefaultGraceMin minutes.
func newPlan() inspect.Plan {
	return inspect.Plan{Enabled: true, Days: inspect.DaysAll, GraceMin: inspect.DefaultGraceMin}
}

// checkInspectionPoints compiles every inspection point (twin/inspect's
// rules: code, radius, dwell, checklist) and checks that codes are
// unique and that a point's equipment exists.
func (l *loader) checkInspectionPoints() {
	codes := map[string]string{}
	for _, e := range l.ents {
		if e.Kind != twin.KindInspectionPoint || e.Geometry == nil {
			continue // a missing geometry is reported already
		}
		r := report{&l.probs, l.file[e.ID]}
		pt, err := inspect.PointFromEntity(e)
		if err != nil {
			r.add(e.ID, "%s", inspectReason(err, "point "+e.ID))
			continue
		}
		if first, dup := codes[pt.Code]; dup {
			r.add(e.ID, "code %q is also the code of %s", pt.Code, first)
		} else {
			codes[pt.Code] = e.ID
		}
		if eq := l.byID[pt.Equipment]; pt.Equipment != "" && (eq == nil || eq.Kind.Mobile()) {
			r.add(e.ID, "equipment %s does not exist", pt.Equipment)
		}
	}
}

// inspectReason strips twin/inspect's prefixes ("inspect: invalid: point
// X: ") that the problem's file and id already say.
func inspectReason(err error, subject string) string {
	s := strings.TrimPrefix(err.Error(), inspect.ErrInvalid.Error()+": ")
	return strings.TrimPrefix(s, subject+": ")
}

// loadInspections reads inspections.json when the scene has one and checks
// its routes against the inspection points and its plans against the
// routes and the registry.
func (l *loader) loadInspections() {
	r := report{&l.probs, InspectionsFile}
	data, err := readFile(l.fsys, InspectionsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		r.add("", "cannot read: %v", err)
		return
	}
	l.insp = decodeInspections(r, data)
	l.checkRoutes(r)
	l.checkPlans(r)
}

// decodeInspections reads the routes and plans and reports what is wrong
// with each on its own: unknown members, wrong types, and what
// inspect.Route.Validate and inspect.Plan.Validate refuse.
func decodeInspections(r report, data []byte) Inspections {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		r.add("", "%s", jsonReason(err, 0))
		return Inspections{}
	}
	for _, key := range sortedKeys(doc) {
		if key != "routes" && key != "plans" {
			r.add("", "unknown member %q (want routes and plans)", clip(key))
		}
	}
	var ins Inspections
	for _, key := range []string{"routes", "plans"} {
		var items []json.RawMessage
		if err := json.Unmarshal(doc[key], &items); doc[key] != nil && err != nil {
			r.add("", "%s: want a list", key)
			continue
		}
		for i, raw := range items {
			if key == "routes" {
				ins.Routes = append(ins.Routes, decodeRoute(r, i, raw))
			} else {
				ins.Plans = append(ins.Plans, decodePlan(r, i, raw))
			}
		}
	}
	return ins
}

func decodeRoute(r report, i int, raw json.RawMessage) inspect.Route {
	var rt inspect.Route
	label := itemLabel(raw, fmt.Sprintf("route %d", i+1))
	if err := strictDecode(raw, &rt); err != nil {
		r.add(label, "%s", err)
		return rt
	}
	if err := rt.Validate(nil); err != nil {
		r.add(label, "%s", inspectReason(err, "route "+rt.ID))
	}
	return rt
}

func decodePlan(r report, i int, raw json.RawMessage) inspect.Plan {
	pl := newPlan()
	label := itemLabel(raw, fmt.Sprintf("plan %d", i+1))
	if err := strictDecode(raw, &pl); err != nil {
		r.add(label, "%s", err)
		return pl
	}
	if err := pl.Validate(nil); err != nil {
		r.add(label, "%s", inspectReason(err, "plan "+pl.ID))
	}
	return pl
}

// itemLabel is an item's id, or its position when it has none.
func itemLabel(raw json.RawMessage, fallback string) string {
	var head struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &head) == nil {
		if s, ok := head.ID.(string); ok && s != "" {
			return clip(s)
		}
	}
	return fallback
}

// strictDecode decodes one object, refusing members v does not have.
func strictDecode(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("%s: want %s, got %s", typ.Field, typ.Type, typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("want an object, got %s", typ.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// checkRoutes reports duplicate route ids and route points that are not
// inspection points of the scene.
func (l *loader) checkRoutes(r report) {
	seen := map[string]bool{}
	for _, rt := range l.insp.Routes {
		if rt.ID != "" && seen[rt.ID] {
			r.add(rt.ID, "duplicate route id")
		}
		seen[rt.ID] = true
		for _, id := range rt.Points {
			switch e := l.byID[id]; {
			case e == nil:
				r.add(rt.ID, "point %s does not exist", clip(id))
			case e.Kind != twin.KindInspectionPoint:
				r.add(rt.ID, "point %s is of kind %s, not inspection_point", id, e.Kind)
			}
		}
	}
}

// checkPlans reports duplicate plan ids, plans of routes the file does not
// have, assignees who are not people of the registry and teams that are no
// department of it.
func (l *loader) checkPlans(r report) {
	routes := map[string]bool{}
	for _, rt := range l.insp.Routes {
		routes[rt.ID] = true
	}
	depts := map[string]bool{}
	for _, p := range l.reg.people {
		depts[p.String("department")] = true
	}
	seen := map[string]bool{}
	for _, pl := range l.insp.Plans {
		if pl.ID != "" && seen[pl.ID] {
			r.add(pl.ID, "duplicate plan id")
		}
		seen[pl.ID] = true
		if pl.Route != "" && !routes[pl.Route] {
			r.add(pl.ID, "route %s is not in %s", clip(pl.Route), InspectionsFile)
		}
		if p := l.byID[pl.Assignee]; pl.Assignee != "" && (p == nil || p.Kind != twin.KindPerson) {
			r.add(pl.ID, "assignee %s is not a person in the registry", clip(pl.Assignee))
		}
		if pl.Team != "" && !depts[pl.Team] {
			r.add(pl.ID, "team %q is not a department of the registry (%s)", clip(pl.Team), listDepts(depts))
		}
	}
}

// listDepts names up to 12 departments, sorted, for a problem message.
func listDepts(depts map[string]bool) string {
	names := sortedKeys(depts)
	names = slices.DeleteFunc(names, func(s string) bool { return s == "" })
	switch {
	case len(names) == 0:
		return "it has no departments"
	case len(names) > 12:
		return "e.g. " + strings.Join(names[:12], ", ")
	}
	return "want one of " + strings.Join(names, ", ")
}
