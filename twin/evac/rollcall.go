package evac

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Roll-call defaults.
const (
	// DefaultFreshFor: a person whose tag has given no fix for this long is
	// unaccounted for (W8: "tag offline or no fix within 60 s"; the demo's
	// tag_offline_s is the same 60 s).
	DefaultFreshFor = 60 * time.Second
	// DefaultPresentFor: the people counted are those whose tag gave a fix
	// within this long before the roll call's start (the evacuation order)
	// — who was in the plant then — and anyone seen since. Someone off
	// shift, whose tag last spoke yesterday, is not missing.
	DefaultPresentFor = 30 * time.Minute
)

// Status is where a person stands in a roll call.
type Status string

// Roll-call statuses, from the most urgent.
const (
	// Unaccounted: counted in, but the tag has been silent longer than
	// FreshFor (offline, or no fix).
	Unaccounted Status = "unaccounted"
	// Inside: a fresh fix inside the plant's boundary, not at a muster
	// point.
	Inside Status = "inside"
	// Arrived: a fresh fix within a muster point's radius.
	Arrived Status = "arrived"
	// Left: a fresh fix outside the plant's boundary (out through a gate).
	Left Status = "left"
)

// Statuses lists them in order of urgency.
var Statuses = []Status{Unaccounted, Inside, Arrived, Left}

// RollOptions configure Take.
type RollOptions struct {
	Now time.Time
	// Since is when the roll call began (the evacuation order); zero: Now.
	Since time.Time
	// FreshFor and PresentFor: zero means the defaults.
	FreshFor, PresentFor time.Duration
}

// Entry is one person in a roll call.
type Entry struct {
	Person     string `json:"person_id"`
	Name       string `json:"name"`
	Tag        string `json:"tag,omitempty"`
	Identity   string `json:"identity_type"`
	Department string `json:"department,omitempty"`
	Status     Status `json:"status"`
	Muster     string `json:"muster_id,omitempty"`
	// Area is the area of the fix (the last known one when unaccounted).
	Area    string    `json:"area,omitempty"`
	Lon     float64   `json:"lon"`
	Lat     float64   `json:"lat"`
	Floor   int       `json:"floor"`
	LastFix time.Time `json:"last_fix"`
	AgeS    float64   `json:"age_s"` // since the last fix
}

// Tally counts people by status.
type Tally struct {
	Total       int `json:"total"`
	Unaccounted int `json:"unaccounted"`
	Inside      int `json:"inside"`
	Arrived     int `json:"arrived"`
	Left        int `json:"left"`
}

func (t *Tally) add(s Status) {
	t.Total++
	switch s {
	case Unaccounted:
		t.Unaccounted++
	case Inside:
		t.Inside++
	case Arrived:
		t.Arrived++
	case Left:
		t.Left++
	}
}

// Group is the tally of one area, department or identity type.
type Group struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"` // an area's name
	Tally
}

// MusterCount is who has arrived at one muster point.
type MusterCount struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Capacity int      `json:"capacity"`
	Arrived  int      `json:"arrived"`
	People   []string `json:"people"`
}

// RollCall (清点) is who is where: at each muster point, still inside the
// plant, gone out of it, or unaccounted for; tallied by area, department
// and identity type (internal, contractor, visitor).
type RollCall struct {
	At           time.Time     `json:"at"`
	Since        time.Time     `json:"since"`
	Totals       Tally         `json:"totals"`
	Musters      []MusterCount `json:"muster_points"`
	ByArea       []Group       `json:"by_area"`
	ByDepartment []Group       `json:"by_department"`
	ByIdentity   []Group       `json:"by_identity"`
	// People, the most urgent first (unaccounted, inside, arrived, left),
	// then by name and id.
	People []Entry `json:"people"`
}

type muster struct {
	e      *twin.Entity
	radius float64
}

// Take makes the roll call of the scene's people at o.Now. A person is
// counted when their tag gave a fix within PresentFor before Since, or
// later; unregistered tags are counted too (identity "unknown": someone
// is carrying them). Muster points are the scene's muster_point entities
// with their radius_m (default 20 m) and capacity.
func Take(s *twin.Scene, o RollOptions) RollCall {
	if o.Since.IsZero() || o.Since.After(o.Now) {
		o.Since = o.Now
	}
	fresh, present := cmp.Or(o.FreshFor, DefaultFreshFor), cmp.Or(o.PresentFor, DefaultPresentFor)
	rc := RollCall{At: o.Now, Since: o.Since, Musters: []MusterCount{}, People: []Entry{}}
	var musters []muster
	areaNames := map[string]string{}
	s.View(func(tx twin.Tx) {
		var boundary *twin.Entity
		if site := tx.Get(s.SiteID()); site != nil && site.Geometry != nil {
			boundary = site
		}
		tx.Kind(twin.KindMusterPoint, func(e *twin.Entity) bool {
			if e.Geometry != nil {
				musters = append(musters, muster{e: e, radius: e.Float("radius_m", DefaultMusterRadiusM)})
			}
			return true
		})
		slices.SortFunc(musters, func(a, b muster) int { return cmp.Compare(a.e.ID, b.e.ID) })
		for _, m := range musters {
			rc.Musters = append(rc.Musters, MusterCount{ID: m.e.ID, Name: m.e.Name, Capacity: int(m.e.Float("capacity", 0)), People: []string{}})
		}
		tx.Kind(twin.KindPerson, func(e *twin.Entity) bool {
			m := e.Mobile
			if m == nil || m.Fix.At.IsZero() || m.Fix.At.Before(o.Since.Add(-present)) {
				return true
			}
			en := Entry{Person: e.ID, Name: e.Name, Tag: m.Tag, Identity: cmp.Or(e.String("identity_type"), "unknown"),
				Department: e.String("department"), Area: m.AreaID, Lon: m.Fix.Point[0], Lat: m.Fix.Point[1],
				Floor: m.Fix.Floor, LastFix: m.Fix.At, AgeS: math.Max(0, o.Now.Sub(m.Fix.At).Seconds())}
			switch {
			case o.Now.Sub(m.Fix.At) > fresh:
				en.Status = Unaccounted
			case boundary != nil && !geo.Contains(boundary.Geometry, m.Fix.Point):
				en.Status = Left
			default:
				en.Status = Inside
				if i := atMuster(musters, m.Fix); i >= 0 {
					en.Status, en.Muster = Arrived, musters[i].e.ID
					rc.Musters[i].Arrived++
					rc.Musters[i].People = append(rc.Musters[i].People, e.ID)
				}
			}
			if en.Area != "" {
				if a := tx.Get(en.Area); a != nil {
					areaNames[en.Area] = a.Name
				}
			}
			rc.People = append(rc.People, en)
			return true
		})
	})
	rank := func(s Status) int { return slices.Index(Statuses, s) }
	slices.SortFunc(rc.People, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Person, b.Person))
	})
	areas, depts, ids := map[string]*Group{}, map[string]*Group{}, map[string]*Group{}
	for _, en := range rc.People {
		rc.Totals.add(en.Status)
		group(areas, en.Area, areaNames[en.Area]).add(en.Status)
		group(depts, en.Department, "").add(en.Status)
		group(ids, en.Identity, "").add(en.Status)
	}
	for i := range rc.Musters {
		slices.Sort(rc.Musters[i].People)
	}
	rc.ByArea, rc.ByDepartment, rc.ByIdentity = sorted(areas), sorted(depts), sorted(ids)
	return rc
}

// DefaultMusterRadiusM is a muster point's radius when the scene gives
// none.
const DefaultMusterRadiusM = 20.0

// atMuster returns the index of the muster point whose radius holds the
// fix (the nearest when several do), -1 for none. Muster points are in the
// open: a fix on an upper floor is not at one.
func atMuster(ms []muster, f twin.Fix) int {
	if f.Floor > 1 {
		return -1
	}
	best, bestD := -1, math.Inf(1)
	for i, m := range ms {
		if d := geo.DistanceM(f.Point, m.e.Point()); d <= m.radius && d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func group(m map[string]*Group, key, name string) *Group {
	g := m[key]
	if g == nil {
		g = &Group{Key: key, Name: name}
		m[key] = g
	}
	return g
}

// sorted lists groups with the most people still to account for first
// (unaccounted + inside), then by key.
func sorted(m map[string]*Group) []Group {
	out := make([]Group, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Unaccounted+b.Inside, a.Unaccounted+a.Inside), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// text defuses a cell a spreadsheet would run as a formula (OWASP CSV
// injection: a leading =, +, -, @, tab or carriage return) by quoting it
// with a leading apostrophe; names come from visitors' registrations.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvHeader is the roll call's CSV columns.
var csvHeader = []string{"person_id", "name", "identity_type", "department", "tag", "status", "muster_id", "area", "last_fix", "age_s", "lon", "lat", "floor"}

// WriteCSV writes the roll call's people as CSV: a UTF-8 byte-order mark
// (so that spreadsheet programs read the Chinese names right), a header,
// one row per person in the roll call's order. Times are RFC 3339 in loc.
func (rc *RollCall) WriteCSV(w io.Writer, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	for _, e := range rc.People {
		row := []string{text(e.Person), text(e.Name), text(e.Identity), text(e.Department), text(e.Tag), string(e.Status), text(e.Muster), text(e.Area),
			e.LastFix.In(loc).Format(time.RFC3339), f(e.AgeS, 0), f(e.Lon, 7), f(e.Lat, 7), strconv.Itoa(e.Floor)}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("evac: roll call CSV: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}
