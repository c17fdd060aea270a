package threat

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// zoneOrigin is the `origin` property of the zones this service draws
// (what-if scenarios will carry another).
const zoneOrigin = "live"

// countPeople fills the people inside each zone of the incidents, under one
// read lock: an R-tree query on the polygon's bound, then point in polygon;
// where, if not nil, gets their tags and positions (for the notices). It
// reports whether any list changed.
func (s *Service) countPeople(incidents map[string]*incident, where map[string]whereabouts) bool {
	changed := false
	clear(where)
	s.opts.Scene.View(func(tx twin.Tx) {
		for _, in := range incidents {
			for i, poly := range in.polys {
				people := []string{}
				tx.Search(poly.Bound(), func(e *twin.Entity) bool {
					if e.Kind == twin.KindPerson && geo.Contains(poly, e.Point()) {
						people = append(people, e.ID)
						if where != nil {
							where[e.ID] = personAt(e)
						}
					}
					return true
				})
				slices.Sort(people)
				z := &in.Zones[i]
				if !slices.Equal(z.People, people) {
					z.People, z.PeopleAtRisk, changed = people, len(people), true
				}
			}
		}
	})
	return changed
}

// write upserts the zones of the current incidents, removes the zones this
// service wrote before that are no longer due, and publishes the incidents.
func (s *Service) write() {
	var changes []twin.Change
	due := map[string]bool{}
	keys := slices.Sorted(maps.Keys(s.current))
	out := make([]Incident, 0, len(keys))
	for _, k := range keys {
		in := s.current[k]
		out = append(out, in.Incident.clone())
		for i, z := range in.Zones {
			due[z.ID] = true
			changes = append(changes, twin.Upsert{Entity: s.entity(in, i)})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.written)) {
		if !due[id] {
			changes = append(changes, twin.Remove{ID: id})
		}
	}
	s.written = due
	s.outMu.Lock()
	s.out = out
	s.outMu.Unlock()
	if len(changes) == 0 {
		return
	}
	res := s.opts.Scene.Apply(changes...)
	if err := res.Err(); err != nil {
		s.log.Error("threat zones not written", "err", fmt.Errorf("threat: %w", err))
	}
}

// entity builds the threat_zone entity of zone i of an incident. Props is
// new on every call: the scene owns it once applied.
func (s *Service) entity(in *incident, i int) *twin.Entity {
	z := in.Zones[i]
	var source any // null for a free-grid source
	if in.Source.ID != "" {
		source = in.Source.ID
	}
	people := make([]any, len(z.People))
	for k, p := range z.People {
		people[k] = p
	}
	warnings := make([]any, len(in.Warnings))
	for k, w := range in.Warnings {
		warnings[k] = w
	}
	props := map[string]any{
		"origin": zoneOrigin, "zone": z.Kind,
		"level": z.Level, "color": z.Color, "ppm": z.PPM, "guideline": z.Guideline, "distance_m": z.DistanceM,
		"substance": in.Substance, "source_id": source, "source_lon": in.Source.Lon, "source_lat": in.Source.Lat,
		"source_height_m": in.Source.HeightM, "rate_g_s": in.Source.RateGS,
		"confidence": in.Source.Confidence, "residual_log": in.Source.ResidualLog,
		"wind_speed": in.Weather.WindMS, "wind_from": in.Weather.WindFromDeg, "sigma_theta_deg": in.Weather.SigmaThetaDeg,
		"stability": in.Weather.Stability, "station_id": in.Weather.StationID,
		"computed_at": in.ComputedAt.Format(time.RFC3339Nano), "warnings": warnings,
		"people_at_risk": z.PeopleAtRisk, "people": people,
	}
	name := fmt.Sprintf("%s %s zone (%s, %s)", in.Substance, z.Color, z.Guideline, z.Kind)
	return &twin.Entity{ID: z.ID, Kind: twin.KindThreatZone, Name: name, Geometry: in.polys[i], Props: props,
		Updated: in.ComputedAt}
}
