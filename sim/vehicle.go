package sim

import (
	"math"
	"math/rand/v2"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// Vehicle speeds. A road without a posted limit is driven at most at the
// in-plant default of 15 km/h; forklifts keep to 8 km/h and mobile cranes
// to 5 km/h unless the scene gives max_speed_kmh. Drivers hold 75–95 % of
// what is permitted (one draw per drive), so reported speeds stay under
// every limit.
const (
	defaultLimitKmh = 15.0
	forkliftKmh     = 8.0
	craneKmh        = 5.0
	minCruise       = 0.75
	maxCruise       = 0.95
)

// stop is the kind of place a vehicle stops at.
type stop uint8

const (
	stopOther   stop = iota
	stopGate         // security check at a gate
	stopLoading      // a loading point: storage, logistics, warehouse
	stopHome         // a forklift's or crane's work area, a fire engine's station
)

// vehicle drives the road network between stops.
type vehicle struct {
	m      *model
	id     string
	vtype  string
	rng    *rand.Rand
	tag    tag
	maxKmh float64
	home   *place
	label  int
	onNet  bool
	here   route.Snap
	fixed  [2]float64
	at     stop
	trip   *trip
	tripTo stop
	until  float64
}

func (s *Sim) buildVehicles(es []*twin.Entity) []*vehicle {
	var out []*vehicle
	for _, e := range es {
		if e.Mobile == nil || !topicLevel(e.Mobile.Tag) {
			s.skipped++
			continue
		}
		r := newRand(s.m.seed, "vehicle/"+e.ID)
		v := &vehicle{m: s.m, id: e.ID, vtype: e.String("vehicle_type"), rng: r}
		v.tag = newTag(e.Mobile.Tag, s.m.site+"tags/"+e.Mobile.Tag+"/position", r, true)
		v.maxKmh = e.Float("max_speed_kmh", 0)
		if v.maxKmh <= 0 || v.maxKmh > 120 {
			v.maxKmh = map[string]float64{"forklift": forkliftKmh, "crane": craneKmh}[v.vtype]
		}
		if v.maxKmh == 0 {
			v.maxKmh = defaultLimitKmh
		}
		v.seat(e)
		out = append(out, v)
	}
	return out
}

// seat places the vehicle at its last known position, else at its home
// (work area, station), else at a gate, else anywhere on the roads.
func (v *vehicle) seat(e *twin.Entity) {
	ps, g := v.m.places, v.m.g
	var start *[2]float64
	if e.Geometry != nil {
		q := plantPoint(v.m.frame, e.Point())
		start = &q
	}
	switch v.vtype {
	case "forklift":
		v.home = ps.loadingNear(start)
	case "fire_engine":
		v.home = ps.fireStation
	case "crane":
		if start != nil {
			v.home = ps.containing(*start)
		}
	}
	if v.home != nil && v.home.veh.empty() {
		v.home = nil // no road serves it: drive like any vehicle
	}
	v.until = uniform(v.rng, 0, 300)
	if v.home != nil {
		v.fixed, v.at = v.home.center, stopHome
	}
	if g == nil {
		return
	}
	snap, ok := route.Snap{}, false
	if start != nil {
		snap, ok = g.Nearest(*start, route.Vehicle)
	}
	if !ok && v.home != nil {
		snap, ok = v.home.pick(v.rng, v.m, anyLabel, route.Vehicle)
	}
	if !ok {
		snap, ok = v.m.mainVeh.pick(v.rng, g, v.m.veh, anyLabel, nil)
	}
	if ok {
		v.here, v.onNet = snap, true
		v.label = label(g, v.m.veh, snap.Edge)
	}
}

// emit publishes the vehicle's position at ms.
func (v *vehicle) emit(ms int64) (Message, bool, int64) {
	t := v.m.sec(ms)
	ps := v.position(t)
	meas, batt := v.tag.fix(ps.p, t)
	floor, z := v.m.floorZ(ps)
	payload := v.m.positionPayload(meas, z, floor, batt, v.tag.sosAt(t), ps.speed, ms)
	return Message{Topic: v.tag.topic, Payload: payload}, true, ms + positionPeriodMS
}

func (v *vehicle) position(t float64) pos {
	v.step(t)
	switch {
	case v.trip != nil:
		return v.trip.at(t)
	case v.onNet:
		return pos{p: v.here.Point, level: v.here.Level, edge: v.here.Edge}
	}
	return pos{p: v.fixed, edge: -1}
}

// step runs the stop–drive cycle up to t.
func (v *vehicle) step(t float64) {
	for {
		if v.trip != nil {
			if t < v.trip.end() {
				return
			}
			v.here, v.at = v.trip.dest, v.tripTo
			v.until = v.trip.end() + v.dwell()
			v.trip = nil
			continue
		}
		if t < v.until {
			return
		}
		if t-v.until > maxCatchUpS {
			v.until = t
		}
		v.plan(v.until)
	}
}

func (v *vehicle) plan(at float64) {
	if v.onNet {
		to, pl := v.next()
		if pl != nil {
			if snap, ok := pl.pick(v.rng, v.m, v.label, route.Vehicle); ok {
				if path, err := v.m.g.Shortest(v.here, snap, route.Vehicle); err == nil && path.LengthM >= 1 {
					cruise := uniform(v.rng, minCruise, maxCruise)
					v.trip = newTrip(path, snap, at, func(leg int) float64 {
						return v.permittedKmh(path.Edges[leg]) * cruise / 3.6
					})
					v.tripTo = to
					return
				}
			}
		}
	}
	v.until = at + v.dwell()
}

// permittedKmh is the speed allowed on an edge for this vehicle.
func (v *vehicle) permittedKmh(edge int) float64 {
	lim := v.m.g.Edge(edge).SpeedLimitKmh
	if lim <= 0 {
		lim = defaultLimitKmh
	}
	return math.Min(lim, v.maxKmh)
}

// next chooses the next stop by vehicle type: forklifts and cranes stay in
// their work area; tankers and trucks shuttle between gates and loading
// points; a fire engine leaves its station now and then for a round to an
// area and back; cars and other vehicles go anywhere.
func (v *vehicle) next() (stop, *place) {
	ps := v.m.places
	switch {
	case (v.vtype == "forklift" || v.vtype == "crane") && v.home != nil:
		return stopHome, v.home
	case v.vtype == "tanker" || v.vtype == "truck":
		if v.at == stopLoading && v.rng.Float64() < 0.6 || len(ps.loading) == 0 {
			return stopGate, ps.of(destGate, v.rng)
		}
		return stopLoading, ps.loading[v.rng.IntN(len(ps.loading))]
	case v.vtype == "fire_engine" && v.home != nil:
		if v.at == stopHome {
			return stopOther, ps.of(destArea, v.rng)
		}
		return stopHome, v.home
	}
	if len(ps.all) == 0 {
		return stopOther, nil
	}
	pl := ps.all[v.rng.IntN(len(ps.all))]
	switch {
	case pl.kind == twin.KindGate:
		return stopGate, pl
	case pl.typ == "logistics" || pl.typ == "storage" || pl.typ == "warehouse":
		return stopLoading, pl
	}
	return stopOther, pl
}

// dwell draws a stop's length, seconds: a gate check 1–3 min, loading or
// unloading 3–12 min, a forklift's pick 20 s–3 min, a crane lift
// 20–60 min, a fire engine in its station 40–90 min, anything else
// 1–5 min.
func (v *vehicle) dwell() float64 {
	switch {
	case v.vtype == "forklift":
		return logUniform(v.rng, 20, 180)
	case v.vtype == "crane":
		return uniform(v.rng, 1200, 3600)
	case v.vtype == "fire_engine" && v.at == stopHome:
		return uniform(v.rng, 2400, 5400)
	case v.at == stopGate:
		return uniform(v.rng, 60, 180)
	case v.at == stopLoading:
		return uniform(v.rng, 180, 720)
	}
	return uniform(v.rng, 60, 300)
}

// loadingNear returns the loading place nearest to q that a road serves
// (the first when q is unknown), nil when the plant has none.
func (ps *places) loadingNear(q *[2]float64) *place {
	var served []*place
	for _, p := range ps.loading {
		if !p.veh.empty() {
			served = append(served, p)
		}
	}
	if len(served) == 0 {
		return nil
	}
	if q == nil {
		return served[0]
	}
	return nearest(served, *q)
}
