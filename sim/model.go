package sim

import (
	"log/slog"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// model is the static world the agents share: the frame, the network, the
// places, and the simulation clock's origin.
type model struct {
	frame    *geo.Frame
	g        *route.Graph // nil when the scene has no network
	ped, veh []int        // component labels of the nodes, per mode
	places   *places
	spots    []*spot  // where people stop (spots.go)
	scratch  []*spot  // pickSpot's buffer
	beacons  *beacons // the scene's BLE beacons (ble.go)
	// mainPed and mainVeh are the largest connected parts of the network,
	// the fallback for agents with nowhere better to be.
	mainPed, mainVeh edgeSet
	storeyH          map[string]float64 // network line id → storey height, metres
	site             string             // topic prefix "chemtwin/{site}/"
	seed             uint64
	t0               int64 // epoch ms of simulation time zero
}

func newModel(s *twin.Scene, c sceneCopy, f *geo.Frame, opts Options, log *slog.Logger) *model {
	m := &model{frame: f, storeyH: c.storeyH, site: "chemtwin/" + opts.SiteID + "/", seed: opts.Seed}
	m.g = network(s, f, log)
	if m.g != nil {
		m.ped = m.g.ComponentLabels(route.Pedestrian)
		m.veh = m.g.ComponentLabels(route.Vehicle)
		m.mainPed = mainPart(m.g, route.Pedestrian)
		m.mainVeh = mainPart(m.g, route.Vehicle)
	}
	m.places = buildPlaces(c, f, m.g)
	if m.g != nil {
		var site orb.Polygon
		if c.site != nil && c.site.Geometry != nil {
			site, _ = plantPoly(f, c.site.Geometry)
		}
		m.spots = layoutSpots(s, f, m.g, m.ped, thoroughfares(m.g, m.places), site)
		for _, p := range m.places.all {
			p.spots = spotsOf(p, m.spots)
		}
	}
	m.beacons = newBeacons(c, f, opts.FloorLossDB)
	return m
}

func mainPart(g *route.Graph, mode route.Mode) edgeSet {
	var s edgeSet
	if cs := g.Components(mode); len(cs) > 0 {
		for _, e := range cs[0].Edges {
			s.add(g, e)
		}
	}
	return s
}

// sec converts epoch milliseconds to simulation seconds.
func (m *model) sec(ms int64) float64 { return float64(ms-m.t0) / 1000 }

// storey returns the storey height of the network edge's building.
func (m *model) storey(edge int) float64 {
	if edge < 0 || m.g == nil {
		return route.DefaultFloorHeightM
	}
	if h, ok := m.storeyH[m.g.Edge(edge).Source]; ok {
		return h
	}
	return route.DefaultFloorHeightM
}

// floorZ returns the floor number (0 outdoors, 1 the ground floor) and the
// height above ground (the level times the building's storey height) of a
// position.
func (m *model) floorZ(ps pos) (int, float64) {
	if ps.edge < 0 || m.g == nil {
		return 0, 0
	}
	floor := route.Floor(int(math.Round(ps.level)))
	if e := m.g.Edge(ps.edge); e.Floor == 0 && e.FloorTo == 0 {
		floor = 0 // an outdoor road or path
	}
	return floor, ps.level * m.storey(ps.edge)
}

// label returns the component label of snap's edge for mode's labels.
func label(g *route.Graph, labels []int, edge int) int { return labels[g.Edge(edge).From] }

// build creates the agents and their streams, in a fixed order (kind, then
// id), each with a random phase so that a plant's messages spread over the
// period instead of bursting on the second.
func (s *Sim) build(c sceneCopy) {
	people := s.buildPeople(c.byKind[twin.KindPerson])
	vehicles := s.buildVehicles(c.byKind[twin.KindVehicle])
	weather := s.newClimate()
	for _, r := range s.releases {
		r.c = weather
	}
	detectors := s.buildDetectors(c.byKind[twin.KindGasDetector])
	stations := s.buildStations(c.byKind[twin.KindWeatherStation], weather)
	cams := s.buildCameras(c.byKind[twin.KindCamera])
	s.ep = newEpisodes(s.m, s.opts.Episodes, people, detectors)
	if s.opts.Episodes {
		lowBatteries(s.m, people)
	}
	s.counts = Counts{People: len(people), Vehicles: len(vehicles), Detectors: len(detectors), Stations: len(stations), Cameras: len(cams.cams)}
	s.counts.Skipped = s.skipped
	s.counts.BLE = chooseBLE(s.m, people, s.opts.BLEShare)
	for _, p := range people {
		s.addStream(p, positionPeriodMS, p.rng)
	}
	for _, v := range vehicles {
		s.addStream(v, positionPeriodMS, v.rng)
	}
	for _, d := range detectors {
		s.addStream(d, readingPeriodMS, d.r)
	}
	for _, st := range stations {
		s.addStream(st, weatherPeriodMS, st.r)
	}
	if s.opts.Episodes && len(cams.cams) > 0 {
		s.streams = append(s.streams, stream{em: cams, next: cams.first()})
	}
	s.crowd = newCrowd(s.m, people)
	if s.opts.Episodes && len(s.crowd.sites) > 0 {
		s.streams = append(s.streams, stream{em: s.crowd, next: s.crowd.first()})
	}
	// Last, so that the other streams keep their order: the evacuation
	// acknowledgements, due when a notice comes (Notice).
	s.ev = newEvacuations(s.m, c, people)
	s.ev.stream = len(s.streams)
	s.streams = append(s.streams, stream{em: s.ev, next: never})
}

func (s *Sim) addStream(em emitter, period int64, r interface{ Int64N(int64) int64 }) {
	s.streams = append(s.streams, stream{em: em, period: period, next: r.Int64N(period)})
}

// topicLevel reports whether id can be one level of an MQTT topic (as
// ingest accepts it): not empty, at most 128 bytes of UTF-8, no '/', '+',
// '#' or control characters.
func topicLevel(id string) bool {
	if id == "" || len(id) > 128 || !utf8.ValidString(id) || strings.ContainsAny(id, "/+#") {
		return false
	}
	return strings.IndexFunc(id, unicode.IsControl) < 0
}
