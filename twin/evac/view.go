package evac

import (
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	gevac "github.com/chemtwin/chemtwin/geo/evac"
)

// Summary is a plan's head: what it was asked for and what came out,
// without the routes.
type Summary struct {
	ID             string         `json:"id"`
	Name           string         `json:"name,omitempty"`
	Rev            int            `json:"rev"`
	By             string         `json:"by,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	UseThreatZones bool           `json:"use_threat_zones"`
	Wind           *Wind          `json:"wind"`
	People         int            `json:"people"`
	Routed         int            `json:"routed"`
	Unreachable    int            `json:"unreachable_count"`
	PlanMS         float64        `json:"plan_ms"`
	Musters        []MusterView   `json:"muster_points"`
	Stats          gevac.Stats    `json:"stats"`
	ThreatZones    []string       `json:"threat_zones"`
	UnknownSources []string       `json:"unknown_sources,omitempty"`
	Reasons        map[string]int `json:"reasons"`
}

// MusterView is a muster point of a plan.
type MusterView struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	NameEn   string  `json:"name_en,omitempty"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Capacity int     `json:"capacity"`
	Assigned int     `json:"assigned"`
	Status   string  `json:"status"` // safe, or why not: in_hazard, in_closure, downwind, no_network
	By       string  `json:"by,omitempty"`
}

// Unreachable is a person without a route.
type Unreachable struct {
	Person string  `json:"person_id"`
	Name   string  `json:"name"`
	Tag    string  `json:"tag,omitempty"`
	Reason string  `json:"reason"`
	Status Status  `json:"status"` // in the roll call
	Lon    float64 `json:"lon"`
	Lat    float64 `json:"lat"`
	Floor  int     `json:"floor"`
	// Fallback is, for no_capacity, the way to the nearest safe muster
	// point regardless of its capacity: what the person is told.
	Fallback *Fallback `json:"fallback,omitempty"`
}

// Fallback is a route past a muster point's capacity.
type Fallback struct {
	MusterID string          `json:"muster_id"`
	LengthM  float64         `json:"length_m"`
	EtaS     float64         `json:"eta_s"`
	Geometry json.RawMessage `json:"geometry"` // GeoJSON LineString
}

// fallbackRoute is person i's route in the plan without capacities, nil
// unless they have no route for want of capacity and one exists there.
func (p *Plan) fallbackRoute(i int) *gevac.Route {
	if p.fallback == nil || p.result.Routes[i].Reason != gevac.NoCapacity || !p.fallback.Routes[i].Routed() {
		return nil
	}
	return &p.fallback.Routes[i]
}

// Summary returns the plan's head.
func (p *Plan) Summary() Summary {
	s := Summary{ID: p.ID, Name: p.Request.Name, Rev: p.Rev, By: p.By, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		UseThreatZones: p.Request.UseThreatZones, Wind: p.wind, People: len(p.people), PlanMS: p.PlanMS,
		Musters: []MusterView{}, ThreatZones: []string{}, Reasons: map[string]int{}}
	if p.result == nil {
		return s
	}
	s.Stats, s.UnknownSources = p.result.Stats, p.result.UnknownSources
	for i := range p.result.Routes {
		if r := &p.result.Routes[i]; r.Routed() {
			s.Routed++
		} else {
			s.Unreachable++
			s.Reasons[string(r.Reason)]++
		}
	}
	for i, m := range p.result.Musters {
		mi := p.musters[i]
		s.Musters = append(s.Musters, MusterView{ID: m.ID, Name: mi.name, NameEn: mi.nameEn, Lon: mi.loc[0], Lat: mi.loc[1],
			Capacity: m.Capacity, Assigned: m.Assigned, Status: string(m.Status), By: m.By})
	}
	for _, z := range p.zones {
		s.ThreatZones = append(s.ThreatZones, z.id)
	}
	return s
}

// View is a plan as POST and GET /api/v1/evacuation/plans/{id} answer:
// its head, the hazards and closures it routed around (drawn and live
// threat zones), a LineString per routed person and the people without a
// route.
type View struct {
	Summary
	Hazards     *geojson.FeatureCollection `json:"hazards"`
	Closures    *geojson.FeatureCollection `json:"closures"`
	Routes      *geojson.FeatureCollection `json:"routes"`
	Unreachable []Unreachable              `json:"unreachable"`
}

// View builds the plan's full view: every route's geometry in lon/lat.
func (s *Service) View(p *Plan) View {
	v := View{Summary: p.Summary(), Hazards: geojson.NewFeatureCollection(), Closures: geojson.NewFeatureCollection(),
		Routes: geojson.NewFeatureCollection(), Unreachable: []Unreachable{}}
	for _, h := range p.Request.Hazards {
		v.Hazards.Append(shapeFeature(h, "drawn"))
	}
	for _, z := range p.zones {
		f := geojson.NewFeature(z.geom)
		f.Properties["id"], f.Properties["name"], f.Properties["source"], f.Properties["level"] = z.id, z.name, "threat_zone", z.level
		v.Hazards.Append(f)
	}
	for _, c := range p.Request.Closures {
		v.Closures.Append(shapeFeature(c, "drawn"))
	}
	if p.result == nil {
		return v
	}
	for i := range p.result.Routes {
		r := &p.result.Routes[i]
		pi := &p.people[i]
		if !r.Routed() {
			u := Unreachable{Person: pi.id, Name: pi.name, Tag: pi.tag, Reason: string(r.Reason),
				Status: pi.status, Lon: pi.loc[0], Lat: pi.loc[1], Floor: pi.floor}
			if fb := p.fallbackRoute(i); fb != nil {
				if line, err := s.fallbackLine(p, i); err == nil {
					g, _ := geojson.NewGeometry(line).MarshalJSON()
					u.Fallback = &Fallback{MusterID: p.musters[fb.Muster].id, LengthM: round1(fb.LengthM), EtaS: round1(fb.EtaS), Geometry: g}
				}
			}
			v.Unreachable = append(v.Unreachable, u)
			continue
		}
		line, err := s.line(p, i)
		if err != nil {
			continue
		}
		f := geojson.NewFeature(line)
		f.Properties["person_id"], f.Properties["name"], f.Properties["tag"] = pi.id, pi.name, pi.tag
		f.Properties["muster_id"], f.Properties["length_m"], f.Properties["eta_s"] = p.musters[r.Muster].id, round1(r.LengthM), round1(r.EtaS)
		f.Properties["starts_inside"], f.Properties["downwind_m"], f.Properties["status"] = r.StartsInside, round1(r.DownwindM), string(pi.status)
		v.Routes.Append(f)
	}
	return v
}

// line is route i's geometry in lon/lat.
func (s *Service) line(p *Plan, i int) (orb.LineString, error) { return s.pathLine(p.result, i) }

// fallbackLine is person i's route in the plan without capacities.
func (s *Service) fallbackLine(p *Plan, i int) (orb.LineString, error) {
	if p.fallback == nil {
		return nil, gevac.ErrNoPath
	}
	return s.pathLine(p.fallback, i)
}

func (s *Service) pathLine(pl *gevac.Plan, i int) (orb.LineString, error) {
	path, err := pl.Path(i)
	if err != nil {
		return nil, err
	}
	ls := make(orb.LineString, len(path.Points))
	for k, pt := range path.Points {
		ls[k] = s.lonlat(pt)
	}
	return ls, nil
}

func shapeFeature(sh Shape, source string) *geojson.Feature {
	f := geojson.NewFeature(sh.Geometry)
	f.Properties["id"], f.Properties["source"] = sh.ID, source
	if sh.Name != "" {
		f.Properties["name"] = sh.Name
	}
	if len(sh.Sources) > 0 {
		f.Properties["sources"] = sh.Sources
	}
	return f
}
