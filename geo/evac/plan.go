package evac

import "github.com/chemtwin/chemtwin/geo/route"

// Plan is the result of Planner.Plan. It is immutable and safe for
// concurrent reads.
type Plan struct {
	// Routes has one entry per Input.People, in the same order.
	Routes []Route
	// Musters has one entry per Input.Musters, in the same order.
	Musters []MusterResult
	// UnknownSources are the Closure.Sources that name no pedestrian line
	// of the network.
	UnknownSources []string
	Stats          Stats

	net    *network
	costs  *costs
	rounds [][]int32 // next chain per junction, one per search
}

// Route is one person's way to a muster point, or why there is none.
type Route struct {
	PersonID string
	// Reason is empty when the person has a route.
	Reason Reason
	// MusterID is the muster point assigned, Muster its index in
	// Plan.Musters (-1 without a route).
	MusterID string
	Muster   int
	// LengthM is the real distance walked, metres: from the person to
	// the network, along it, and from the network to the muster point.
	LengthM float64
	// EtaS is the walking time of LengthM at Options.WalkMS, stairs at
	// Options.StairsMS.
	EtaS float64
	// InsideM is the distance walked inside hazards and closures, metres
	// (counted in whole millimetres, rounded up, per edge piece); 0 for
	// everyone who starts outside them.
	InsideM float64
	// DownwindM is the distance walked in downwind sectors (which take
	// in their hazards), metres.
	DownwindM float64
	// CostM is the weighted length along the network, metres: a metre in
	// a downwind sector counts Options.DownwindFactor.
	CostM float64
	// StartsInside is true for a person standing in a hazard or closure
	// (or snapped onto a part of the network in one): they are routed
	// the shortest way out.
	StartsInside bool
	// Snap is where the person joins the network (zero for NoNetwork).
	Snap route.Snap

	cost  cost // network cost, the search's
	p     [2]float64
	level float64
	round int   // the search the route was read from
	via   int32 // the junction the route leaves its chain by; -1 for the direct way
	toB   bool  // via is the chain's B end
}

// Routed reports whether the person has a route.
func (r *Route) Routed() bool { return r.Reason == "" }

// MusterResult is a muster point of the plan.
type MusterResult struct {
	ID string
	// Status is MusterSafe, or why the point may not receive people; By
	// is the hazard or closure that makes it unsafe.
	Status MusterStatus
	By     string
	// Capacity is the input's (0: no limit); Assigned counts the people
	// routed to it, never more than a positive Capacity.
	Capacity, Assigned int
	// Snap is where it joins the network (zero for MusterNoNetwork).
	Snap route.Snap

	p     [2]float64
	level float64
}

// Safe reports whether the muster point may receive people.
func (m *MusterResult) Safe() bool { return m.Status == MusterSafe }

// Stats count what a plan did.
type Stats struct {
	// Searches is the number of multi-source searches: one, plus one per
	// round of re-planning people whose muster point filled.
	Searches int `json:"searches"`
	// Snapped counts people and muster points snapped to the network,
	// SnapsReused those whose snap was kept from an earlier plan.
	Snapped     int `json:"snapped"`
	SnapsReused int `json:"snaps_reused"`
	// AreasClipped counts hazard, closure and sector polygons clipped
	// against the network, AreasReused those kept from an earlier plan.
	AreasClipped int `json:"areas_clipped"`
	AreasReused  int `json:"areas_reused"`
	// Routed counts people with a route; the others by reason.
	Routed       int `json:"routed"`
	NoNetwork    int `json:"no_network"`
	CutOff       int `json:"cut_off"`
	NoSafeMuster int `json:"no_safe_muster"`
	NoCapacity   int `json:"no_capacity"`
}

// EdgeState is what a plan's hazards, closures and wind make of one edge
// of the network, for drawing: the fractions of its length inside hazards
// or closed areas and inside downwind sectors, whether a barrier cuts it,
// and whether its line is closed.
type EdgeState struct {
	InsideFrac   float64 `json:"inside_frac"`
	DownwindFrac float64 `json:"downwind_frac"`
	Cut          bool    `json:"cut"`
	Closed       bool    `json:"closed"`
}

// Edge returns the state of edge e of the graph (the zero state for an
// edge nothing touches, or out of range).
func (p *Plan) Edge(e int) EdgeState {
	if e < 0 || e >= len(p.costs.zoneOf) {
		return EdgeState{}
	}
	z := p.costs.zoneAt(int32(e))
	if z == nil {
		return EdgeState{}
	}
	st := EdgeState{InsideFrac: measure(z.nogo, 0, 1), DownwindFrac: measure(z.down, 0, 1), Cut: z.cut, Closed: z.closed}
	if z.closed {
		st.InsideFrac = 1
	}
	return st
}

// Edges calls fn for every edge that the plan's hazards, closures or wind
// touch, in edge order, until fn returns false.
func (p *Plan) Edges(fn func(e int, st EdgeState) bool) {
	for e, k := range p.costs.zoneOf {
		if k >= 0 && !fn(e, p.Edge(e)) {
			return
		}
	}
}
