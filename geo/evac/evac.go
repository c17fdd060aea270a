package evac

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
)

// Errors of the package.
var (
	// ErrInput is wrapped by the error Plan returns for an input it cannot
	// use: a non-finite coordinate, a ring of fewer than three points, a
	// geometry of the wrong type, a duplicate id.
	ErrInput = errors.New("evac: bad input")
	// ErrBadOptions is returned by Options.Validate and NewPlanner.
	ErrBadOptions = errors.New("evac: bad options")
	// ErrNoPath is returned by Plan.Path for a person without a route.
	ErrNoPath = errors.New("evac: no route")
)

// Hazard is an area nobody should walk through: a threat zone, a fire, a
// spill, drawn by emergency staff or taken from a live gas threat zone. It
// is a footprint in plant-frame metres (x east, y north) and applies to
// every level: the floors of a building standing in it are in it too.
type Hazard struct {
	ID string
	// Area is an orb.Polygon or orb.MultiPolygon in plant metres; rings
	// need not be closed; holes are honoured (even–odd rule).
	Area orb.Geometry
}

// Closure is a part of the network that may not be used: an area
// (orb.Polygon or orb.MultiPolygon), a barrier line (orb.LineString or
// orb.MultiLineString) and/or whole source lines of the network by id.
//
//   - A closed area is walked like a hazard: never crossed by anyone
//     starting outside it, left by the shortest way by anyone inside.
//   - A barrier line cuts every edge it crosses, on every level: nobody
//     walks across it, not even to leave.
//   - A closed source line (a walkway, a flight of stairs) counts its whole
//     length as inside a closure: a person standing on it walks off it.
type Closure struct {
	ID       string
	Geometry orb.Geometry // nil when only Sources are closed
	Sources  []string     // route.Line IDs (route.Edge.Source)
}

// MusterPoint is an assembly point (应急集合点).
type MusterPoint struct {
	ID    string
	P     [2]float64 // plant x, y metres
	Floor int        // numbered as route.Line.Floor; 0 outdoors
	// RadiusM is the assembly area's radius: the point is unsafe when any
	// of its disc lies in a hazard, a closure or a downwind sector.
	RadiusM float64
	// Capacity is the most people it takes; 0 means no limit.
	Capacity int
}

// Person is someone to evacuate.
type Person struct {
	ID    string
	P     [2]float64 // plant x, y metres
	Floor int        // numbered as route.Line.Floor; 0 outdoors
}

// Wind is the wind at the time of the plan.
type Wind struct {
	// FromDeg is the direction the wind blows from, degrees clockwise from
	// north (meteorological convention, as plume.Downwind).
	FromDeg float64
	// SpeedMS is the speed at 10 m, m/s. Below CalmBelowWindMS the direction is
	// taken as unknown and no downwind sector is drawn.
	SpeedMS float64
}

// Input is one evacuation to plan.
type Input struct {
	Hazards  []Hazard
	Closures []Closure
	Musters  []MusterPoint
	People   []Person
	// Wind, when set, makes routes avoid the downwind sectors of the
	// hazards and muster points in them unsafe.
	Wind *Wind
}

// Reason says why a person has no route.
type Reason string

// Reasons a person has no route.
const (
	// NoNetwork: no walkway on the person's floor within Options.MaxSnapM.
	NoNetwork Reason = "no_network"
	// CutOff: no safe muster point can be reached without walking through
	// a hazard or closure from outside one, or none can be reached at all.
	CutOff Reason = "cut_off"
	// NoSafeMuster: no muster point of the plan is safe.
	NoSafeMuster Reason = "no_safe_muster"
	// NoCapacity: every safe muster point the person could reach is full.
	NoCapacity Reason = "no_capacity"
)

// MusterStatus says whether a muster point may receive people.
type MusterStatus string

// Muster point statuses: safe, or why not.
const (
	MusterSafe      MusterStatus = "safe"
	MusterInHazard  MusterStatus = "in_hazard"
	MusterInClosure MusterStatus = "in_closure"
	// MusterDownwind: in the downwind sector of a hazard.
	MusterDownwind MusterStatus = "downwind"
	// MusterNoNetwork: no walkway on its floor within Options.MaxSnapM.
	MusterNoNetwork MusterStatus = "no_network"
)

// CalmBelowWindMS is the wind speed under which the wind direction is not
// used: 1 m/s, where ALOHA stops trusting a direction and draws threat
// zones as circles (plume.CircleBelowWindMS, REFERENCE §8).
const CalmBelowWindMS = plume.CircleBelowWindMS

// Default walking speeds, from the hydraulic model of the SFPE Handbook of
// Fire Protection Engineering (5th ed., ch. 59, Gwynne & Rosenbaum,
// "Employing the hydraulic model in assessing emergency movement"): speed
// S = k − a·k·D with a = 0.266, and S = 0.85·k at densities below
// 0.54 persons/m² (an unhurried plant evacuation is below that).
const (
	// DefaultWalkMS: corridors, ramps and outdoor ways, k = 1.40 →
	// 1.19 m/s, the "1.2 m/s" design figure.
	DefaultWalkMS = 0.85 * 1.40
	// DefaultStairsMS: stairs with 178 mm risers and 279 mm treads (7/11
	// in), k = 1.08 → 0.92 m/s along the line of travel (the route graph's
	// stairs length includes the climb).
	DefaultStairsMS = 0.85 * 1.08
)

// DefaultMaxSnapM is how far a person or muster point may be from the
// nearest walkway on its floor and still be routed, metres.
const DefaultMaxSnapM = 50

// Downwind sector defaults. Emergency guidance is to move upwind or
// crosswind of a release, never downwind (US DOT Emergency Response
// Guidebook 2024, "Initial isolation and protective action distances":
// leave the isolation zone crosswind; the protective action zone is a
// square downwind of the spill whose side equals the protective action
// distance).
const (
	// DefaultDownwindHalfAngleDeg: the sector spans ±45° about the
	// downwind axis. The ERG's protective action square subtends ±45°
	// from the spill at half its length and ±26.6° at its far end, so the
	// sector covers it beyond the half; 45°–90° off the axis is the
	// crosswind escape the ERG recommends.
	DefaultDownwindHalfAngleDeg = 45
	// DefaultDownwindRangeM: 500 m beyond the hazard's edge, between the
	// ERG's 300 m initial downwind evacuation for a large spill of a
	// flammable liquid (Guide 128) and its 800 m for a tank involved in a
	// fire (Guide 111), and five times its 100 m minimum isolation in all
	// directions (Guide 111). The drawn hazard or threat zone is the
	// judgement; the sector is the margin beyond it.
	DefaultDownwindRangeM = 500
	// DefaultDownwindFactor: a metre walked in a downwind sector costs three
	// metres, so a route detours up to twice the sector length to stay out.
	DefaultDownwindFactor = 3
)

// Options configure a Planner. The zero value of each field is its
// default.
type Options struct {
	// WalkMS and StairsMS are the walking speeds for ETAs, m/s; default
	// DefaultWalkMS and DefaultStairsMS.
	WalkMS, StairsMS float64
	// MaxSnapM is the farthest a person or muster point may be from a
	// walkway, metres; default DefaultMaxSnapM.
	MaxSnapM float64
	// DownwindHalfAngleDeg, DownwindRangeM and DownwindFactor shape the
	// downwind sectors: half-angle about the downwind axis (1–90°), reach
	// beyond the hazard (m) and cost factor (≥ 1) of a metre walked in
	// one. (To plan without them, leave Input.Wind nil.)
	DownwindHalfAngleDeg, DownwindRangeM, DownwindFactor float64
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.WalkMS, DefaultWalkMS)
	def(&o.StairsMS, DefaultStairsMS)
	def(&o.MaxSnapM, DefaultMaxSnapM)
	def(&o.DownwindHalfAngleDeg, DefaultDownwindHalfAngleDeg)
	def(&o.DownwindRangeM, DefaultDownwindRangeM)
	def(&o.DownwindFactor, DefaultDownwindFactor)
	return o
}

// Validate checks the options (after defaults).
func (o Options) Validate() error {
	o = o.withDefaults()
	in := func(v, lo, hi float64) bool { return v >= lo && v <= hi } // false for NaN
	switch {
	case !in(o.WalkMS, 0.05, 10), !in(o.StairsMS, 0.05, 10):
		return fmt.Errorf("%w: walking speeds %v, %v m/s (want 0.05–10)", ErrBadOptions, o.WalkMS, o.StairsMS)
	case !in(o.MaxSnapM, 0, 10000):
		return fmt.Errorf("%w: MaxSnapM %v (want 0–10000)", ErrBadOptions, o.MaxSnapM)
	case !in(o.DownwindHalfAngleDeg, 1, 90):
		return fmt.Errorf("%w: DownwindHalfAngleDeg %v (want 1–90)", ErrBadOptions, o.DownwindHalfAngleDeg)
	case !in(o.DownwindRangeM, 0, 100000):
		return fmt.Errorf("%w: DownwindRangeM %v (want 0–100000)", ErrBadOptions, o.DownwindRangeM)
	case !in(o.DownwindFactor, 1, 1000):
		return fmt.Errorf("%w: DownwindFactor %v (want 1–1000)", ErrBadOptions, o.DownwindFactor)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// MaxCoordM bounds every input coordinate, metres from the plant origin:
// far beyond any plant, and small enough that a coordinate keeps a
// resolution of nanometres.
const MaxCoordM = 1e7

// validPoint reports whether p is finite and within MaxCoordM.
func validPoint(p [2]float64) bool {
	return math.Abs(p[0]) <= MaxCoordM && math.Abs(p[1]) <= MaxCoordM // false for NaN
}
