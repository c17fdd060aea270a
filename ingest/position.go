package ingest

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Ranges of the position payload's fields.
const (
	MaxSpeedMS    = 60.0   // m/s (216 km/h): above any plant vehicle, below GNSS glitches
	MinZ          = -500.0 // metres above ground: deep pits …
	MaxZ          = 5000.0 // … to tall stacks and masts
	MinFloor      = -99
	MaxFloor      = 999
	MaxAccuracyM  = 1000.0 // 1σ metres: a fix vaguer than this places nobody
	maxPlantCoord = 1e6    // metres: a plant frame spans kilometres, not thousands of them
)

// Position is a parsed tag position.
type Position struct {
	Fix     twin.Fix
	Battery float64 // percent 0–100; NaN when absent
	SOS     *bool   // nil when absent
	// AccuracyM is the fix's 1σ horizontal accuracy in metres, 0 when
	// absent. A fix with an accuracy (a UWB or GNSS tag's raw fix) goes
	// through the positioning filter; one without is taken as solved.
	AccuracyM float64
}

// Move returns the twin change that applies p to tag.
func (p Position) Move(tag string) twin.Move {
	return twin.Move{Tag: tag, Fix: p.Fix, Battery: p.Battery, SOS: p.SOS}
}

// ParsePosition parses the payload of chemtwin/{site}/tags/{tag}/position:
// `lon`,`lat` degrees or plant-frame `x`,`y` metres (not both), optional
// `z` metres, `floor`, `battery` 0–100, `sos`, `speed` m/s 0–60,
// `accuracy` (1σ metres, (0, 1000]), `ts`.
func ParsePosition(payload []byte, env Env) (Position, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return Position{}, err
	}
	var p Position
	if p.Fix.Point, err = o.point(env); err != nil {
		return Position{}, err
	}
	z, _, errZ := o.number("z", MinZ, MaxZ)
	floor, _, errF := o.integer("floor", MinFloor, MaxFloor)
	speed, _, errS := o.number("speed", 0, MaxSpeedMS)
	acc, hasAcc, errA := o.number("accuracy", 0, MaxAccuracyM)
	if errA == nil && hasAcc && acc == 0 {
		errA = fmt.Errorf("%w: accuracy: 0 m is not an accuracy", ErrBadField)
	}
	battery, errB := o.battery()
	sos, errSOS := o.sos()
	if err := firstErr(errZ, errF, errS, errA, errB, errSOS); err != nil {
		return Position{}, err
	}
	at, err := o.ts(env)
	if err != nil {
		return Position{}, err
	}
	p.Fix.Z, p.Fix.Floor, p.Fix.SpeedMS, p.Fix.At = z, floor, speed, at
	p.Battery, p.SOS, p.AccuracyM = battery, sos, acc
	return p, nil
}

// point reads lon/lat or x/y and checks the result against the site.
func (o object) point(env Env) (orb.Point, error) {
	geoKeys, plantKeys := o.has("lon") || o.has("lat"), o.has("x") || o.has("y")
	var p orb.Point
	var err error
	switch {
	case geoKeys && plantKeys:
		return p, fmt.Errorf("%w: both lon/lat and x/y given", ErrBadPosition)
	case geoKeys:
		p, err = o.lonLat()
	case plantKeys:
		p, err = o.plantXY(env.Frame)
	default:
		return p, fmt.Errorf("%w: missing lon/lat (or x/y)", ErrBadPosition)
	}
	if err != nil {
		return p, err
	}
	return p, farFromSite(p, env)
}

func (o object) lonLat() (orb.Point, error) {
	lon, okLon, errLon := o.number("lon", -180, 180)
	lat, okLat, errLat := o.number("lat", -90, 90)
	if err := firstErr(errLon, errLat); err != nil {
		return orb.Point{}, fmt.Errorf("%w: %w", ErrBadPosition, err)
	}
	if !okLon || !okLat {
		return orb.Point{}, fmt.Errorf("%w: lon and lat go together", ErrBadPosition)
	}
	return orb.Point{lon, lat}, nil
}

func (o object) plantXY(f *geo.Frame) (orb.Point, error) {
	if f == nil {
		return orb.Point{}, fmt.Errorf("%w: plant x/y given but the scene has no frame", ErrBadPosition)
	}
	x, okX, errX := o.number("x", -maxPlantCoord, maxPlantCoord)
	y, okY, errY := o.number("y", -maxPlantCoord, maxPlantCoord)
	if err := firstErr(errX, errY); err != nil {
		return orb.Point{}, fmt.Errorf("%w: %w", ErrBadPosition, err)
	}
	if !okX || !okY {
		return orb.Point{}, fmt.Errorf("%w: x and y go together", ErrBadPosition)
	}
	p := f.Point(x, y)
	if !geo.ValidLonLat(p) {
		return orb.Point{}, fmt.Errorf("%w: plant %v,%v is not on earth", ErrBadPosition, x, y)
	}
	return p, nil
}

// farFromSite refuses a point more than MaxDistanceM from the site origin.
func farFromSite(p orb.Point, env Env) error {
	if env.Origin == nil {
		return nil
	}
	if d := geo.DistanceM(*env.Origin, p); d > env.MaxDistanceM {
		return fmt.Errorf("%w: %.0f m from the site origin (limit %.0f m)", ErrFarFromSite, d, env.MaxDistanceM)
	}
	return nil
}
