package api

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// zoneCount is the headcount of one area, building or fence.
type zoneCount struct {
	ID           string         `json:"id"`
	Kind         twin.Kind      `json:"kind"`
	Name         string         `json:"name"`
	People       int            `json:"people"`
	Vehicles     int            `json:"vehicles"`
	ByIdentity   map[string]int `json:"by_identity"`
	ByDepartment map[string]int `json:"by_department"`
	Max          *float64       `json:"max_persons,omitempty"` // a headcount fence's limits
	Min          *float64       `json:"min_persons,omitempty"`
	Persons      []string       `json:"persons,omitempty"` // with ?area= only: who is there
}

// tagTotals are the site's tag figures.
type tagTotals struct {
	Online       int            `json:"online"`        // reported within the offline limit
	Offline      int            `json:"offline"`       // reported before, silent since
	NotOnSite    int            `json:"not_on_site"`   // registered, never reported
	LowBattery   int            `json:"low_battery"`   // online tags below the limit
	People       int            `json:"people_online"` // online people …
	Vehicles     int            `json:"vehicles_online"`
	ByIdentity   map[string]int `json:"by_identity"` // … of online people
	ByDepartment map[string]int `json:"by_department"`
}

// unhandled groups open alarms nobody has acknowledged by type and place.
type unhandled struct {
	Type     alarm.Type `json:"type"`
	AreaID   string     `json:"area_id"`
	Count    int        `json:"count"`
	Since    time.Time  `json:"since"`     // the oldest
	LongestS float64    `json:"longest_s"` // how long the oldest has waited
}

// headcount answers GET /api/v1/headcount[?area=ID]: live counts per area,
// building and fence by identity type and department, the site's online,
// offline and low-battery tags, and unacknowledged alarms by type and place
// with how long they have waited (AQ 3064.3-2025 live statistics). With
// area= the answer holds that zone only, with the persons in it.
func (s *Server) headcount(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "area" {
			s.writeError(w, r, errorf(http.StatusBadRequest, codeBadParameter, "unknown parameter %q (area)", k))
			return
		}
	}
	only := q.Get("area")
	now := s.opts.Clock()
	zones := map[string]*zoneCount{}
	var order []string
	tot := tagTotals{ByIdentity: map[string]int{}, ByDepartment: map[string]int{}}
	var missing bool
	s.opts.Scene.View(func(tx twin.Tx) {
		zone := func(e *twin.Entity) *zoneCount {
			z := zones[e.ID]
			if z == nil {
				z = &zoneCount{ID: e.ID, Kind: e.Kind, Name: e.Name, ByIdentity: map[string]int{}, ByDepartment: map[string]int{}}
				if e.Kind == twin.KindFence && e.String("rule") == "headcount" {
					if v, ok := twin.AsFloat(e.Props["max_persons"]); ok {
						z.Max = &v
					}
					if v, ok := twin.AsFloat(e.Props["min_persons"]); ok {
						z.Min = &v
					}
				}
				zones[e.ID] = z
				order = append(order, e.ID)
			}
			return z
		}
		if only != "" {
			e := tx.Get(only)
			if e == nil || !counted(e.Kind) {
				missing = true
				return
			}
			zone(e)
		} else {
			for _, k := range []twin.Kind{twin.KindArea, twin.KindBuilding, twin.KindFence} {
				tx.Kind(k, func(e *twin.Entity) bool { zone(e); return true })
			}
		}
		for _, k := range []twin.Kind{twin.KindPerson, twin.KindVehicle} {
			tx.Kind(k, func(e *twin.Entity) bool {
				m := e.Mobile
				switch {
				case m == nil:
					return true
				case m.Fix.At.IsZero():
					tot.NotOnSite++
					return true
				case now.Sub(m.Fix.At) >= s.opts.TagOffline:
					tot.Offline++
					return true
				}
				tot.Online++
				if !math.IsNaN(m.Battery) && m.Battery < s.opts.LowBatteryPct {
					tot.LowBattery++
				}
				person := k == twin.KindPerson
				identity, dept := e.String("identity_type"), e.String("department")
				if person {
					tot.People++
					tot.ByIdentity[identity]++
					if dept != "" {
						tot.ByDepartment[dept]++
					}
				} else {
					tot.Vehicles++
				}
				tx.Containing(m.Fix.Point, func(z *twin.Entity) bool {
					zc := zones[z.ID]
					if zc == nil || !inBand(z, m.Fix) {
						return true
					}
					if !person {
						zc.Vehicles++
						return true
					}
					zc.People++
					zc.ByIdentity[identity]++
					if dept != "" {
						zc.ByDepartment[dept]++
					}
					if only != "" {
						zc.Persons = append(zc.Persons, e.ID)
					}
					return true
				})
				return true
			})
		}
	})
	if missing {
		s.writeError(w, r, errorf(http.StatusNotFound, codeNotFound, "no area, building or fence %q", only))
		return
	}
	out := make([]*zoneCount, 0, len(order))
	for _, id := range order {
		z := zones[id]
		slices.Sort(z.Persons)
		out = append(out, z)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	body := map[string]any{"at": now.UTC(), "zones": out}
	if only == "" {
		body["tags"] = tot
		if s.opts.Alarms != nil {
			open, err := s.opts.Alarms.List(r.Context(), alarm.Filter{State: alarm.Active, Limit: 1000})
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			body["unhandled_alarms"] = groupUnhandled(open, now)
		}
	}
	s.writeJSON(w, r, http.StatusOK, typeJSON, body)
}

// counted: the kinds headcount counts people in.
func counted(k twin.Kind) bool {
	return k == twin.KindArea || k == twin.KindBuilding || k == twin.KindFence
}

// inBand applies a 3D fence's floor or height band to a fix.
func inBand(z *twin.Entity, f twin.Fix) bool {
	if z.Kind != twin.KindFence {
		return true
	}
	if fl, ok := twin.AsFloat(z.Props["floor"]); ok {
		return int(fl) == f.Floor
	}
	lo, hasLo := twin.AsFloat(z.Props["z_min"])
	hi, hasHi := twin.AsFloat(z.Props["z_max"])
	return (!hasLo || f.Z >= lo) && (!hasHi || f.Z <= hi)
}

func groupUnhandled(open []alarm.Alarm, now time.Time) []unhandled {
	type key struct {
		t    alarm.Type
		area string
	}
	groups := map[key]*unhandled{}
	for _, a := range open {
		k := key{a.Type, a.AreaID}
		g := groups[k]
		if g == nil {
			g = &unhandled{Type: a.Type, AreaID: a.AreaID, Since: a.RaisedAt}
			groups[k] = g
		}
		g.Count++
		if a.RaisedAt.Before(g.Since) {
			g.Since = a.RaisedAt
		}
	}
	out := make([]unhandled, 0, len(groups))
	for _, g := range groups {
		g.LongestS = math.Max(0, now.Sub(g.Since).Seconds())
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.Before(out[j].Since)
		}
		return out[i].Type < out[j].Type || out[i].Type == out[j].Type && out[i].AreaID < out[j].AreaID
	})
	return out
}
