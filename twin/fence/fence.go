package fence

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Rule is what a fence watches: the `rule` property of a fence feature.
type Rule string

// The fence rules of docs/scene-format.md.
const (
	Forbidden Rule = "forbidden" // fence_intrusion on entry by someone not authorized (越界)
	KeepIn    Rule = "keep_in"   // fence_exit when someone watched leaves
	Headcount Rule = "headcount" // overcrowding / understaffing (超员 / 缺员)
	Static    Rule = "static"    // static_timeout (静止)
	Lingering Rule = "lingering" // lingering beyond dwell_s (滞留)
	Post      Rule = "post"      // off_post (脱岗) and post hopping (串岗)
	Speed     Rule = "speed"     // overspeed of vehicles
)

// Rules lists the rules.
var Rules = []Rule{Forbidden, KeepIn, Headcount, Static, Lingering, Post, Speed}

// ErrInvalid is wrapped by every error of Parse.
var ErrInvalid = errors.New("fence: invalid fence")

// Fence is one compiled electronic fence. It is immutable once parsed and
// safe for concurrent use.
type Fence struct {
	ID, Name, NameEn string
	Rule             Rule
	Level            int    // alarm level 1–3; default 2
	AreaID           string // the fence's parent, "" when it has none
	// Geometry is the polygon or multipolygon as drawn ([lon, lat]).
	Geometry orb.Geometry

	// 3D filter: a floor (HasFloor) and/or a height band [ZMin, ZMax] in
	// metres above ground (HasZ).
	Floor      int
	HasFloor   bool
	ZMin, ZMax float64
	HasZ       bool

	MaxPersons, MinPersons int // headcount; 0 = no limit
	Required               []string
	Authorized             Selector  // empty authorises nobody
	AppliesTo              *Selector // nil watches everyone
	Window                 Window
	Dwell, StaticFor       time.Duration
	SpeedLimitKmh          float64
	// AttachedTo is the id of the entity a moving fence follows ("" for a
	// fixed fence); see the package documentation for the convention.
	AttachedTo string

	idx    int       // position in its Set
	ref    orb.Point // [lon, lat] the local coordinates are taken about
	lonM   float64   // metres per degree of longitude at ref
	latM   float64   // metres per degree of latitude at ref
	polys  [][][]xy  // polygons → rings → vertices, metres about ref
	bound  orb.Bound // lon/lat bound of Geometry as drawn
	anchor bool      // the attached entity was placed when compiled (ref is its position)
	ext    [2]xy     // local bound, metres about ref
}

type xy struct{ x, y float64 }

// Watches reports whether the rule watches s (applies_to; nil = everyone).
func (f *Fence) Watches(s *Subject) bool { return f.AppliesTo == nil || f.AppliesTo.Match(s) }

// Assigned reports whether s must stay at this post fence (applies_to or
// required).
func (f *Fence) Assigned(s *Subject) bool {
	return f.Rule == Post && ((f.AppliesTo != nil && f.AppliesTo.Match(s)) || slices.Contains(f.Required, s.ID))
}

// Moving reports whether the fence follows an entity.
func (f *Fence) Moving() bool { return f.AttachedTo != "" }

// Anchor returns the [lon, lat] the fence's polygon is drawn about: the
// attached entity's position when the fence was compiled, or the polygon's
// centroid when that entity had no position.
func (f *Fence) Anchor() orb.Point { return f.ref }

// alarmTypes returns the alarm types a fence of rule r raises.
func (r Rule) alarmTypes() []alarm.Type {
	switch r {
	case Forbidden:
		return []alarm.Type{alarm.FenceIntrusion}
	case KeepIn:
		return []alarm.Type{alarm.FenceExit}
	case Headcount:
		return []alarm.Type{alarm.Overcrowding, alarm.Understaffing}
	case Static:
		return []alarm.Type{alarm.StaticTimeout}
	case Lingering:
		return []alarm.Type{alarm.Lingering}
	case Post:
		return []alarm.Type{alarm.OffPost}
	case Speed:
		return []alarm.Type{alarm.Overspeed}
	}
	return nil
}

// Parse compiles one fence entity (kind fence, properties as documented in
// docs/scene-format.md "### fence"). anchor gives the current position of
// the entity a moving fence is attached to (ok false when it has none); it
// may be nil for fixed fences. Errors wrap ErrInvalid and name the field.
func Parse(e *twin.Entity, anchor func(id string) (orb.Point, bool)) (*Fence, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil entity", ErrInvalid)
	}
	f := &Fence{ID: e.ID, Name: e.Name, NameEn: e.String("name_en"), AreaID: e.Parent, Level: alarm.LevelMedium}
	if f.Name == "" {
		f.Name = e.ID
	}
	if f.NameEn == "" {
		f.NameEn = f.Name
	}
	p := props{m: e.Props}
	f.Rule = Rule(p.str("rule"))
	if !slices.Contains(Rules, f.Rule) {
		return nil, fmt.Errorf("%w: %s: rule %q is not one of %v", ErrInvalid, e.ID, f.Rule, Rules)
	}
	p.level(f)
	p.vertical(f)
	p.limits(f)
	f.Required = p.strs("required")
	f.Authorized = p.selector("authorized")
	if _, ok := e.Props["applies_to"]; ok {
		s := p.selector("applies_to")
		f.AppliesTo = &s
	}
	f.Window = p.window("time_window")
	f.AttachedTo = p.str("attached_to")
	if p.err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, e.ID, p.err)
	}
	if err := f.needs(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, e.ID, err)
	}
	if err := f.shape(e.Geometry, anchor); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, e.ID, err)
	}
	return f, nil
}

// needs checks the parameters each rule requires.
func (f *Fence) needs() error {
	switch f.Rule {
	case Headcount:
		if f.MaxPersons == 0 && f.MinPersons == 0 && len(f.Required) == 0 {
			return errors.New("a headcount fence needs max_persons, min_persons or required")
		}
		if f.MaxPersons > 0 && f.MinPersons > f.MaxPersons {
			return fmt.Errorf("min_persons %d above max_persons %d", f.MinPersons, f.MaxPersons)
		}
	case Static:
		if f.StaticFor <= 0 {
			return errors.New("a static fence needs static_s")
		}
	case Lingering:
		if f.Dwell <= 0 {
			return errors.New("a lingering fence needs dwell_s")
		}
	case Post:
		if f.AppliesTo == nil && len(f.Required) == 0 {
			return errors.New("a post fence needs applies_to or required")
		}
	case Speed:
		if f.SpeedLimitKmh <= 0 {
			return errors.New("a speed fence needs speed_limit_kmh")
		}
	}
	if f.HasZ && f.ZMin >= f.ZMax {
		return fmt.Errorf("z_min %v must be below z_max %v", f.ZMin, f.ZMax)
	}
	return nil
}

// shape takes the geometry into local metres about the reference point.
func (f *Fence) shape(g orb.Geometry, anchor func(string) (orb.Point, bool)) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return fmt.Errorf("geometry %T: want a Polygon or MultiPolygon", g)
	}
	if err := twin.CheckGeometry(g); err != nil {
		return err
	}
	f.Geometry, f.bound = g, g.Bound()
	f.ref = geo.Centroid(g)
	if !geo.ValidLonLat(f.ref) {
		f.ref = f.bound.Center()
	}
	if f.AttachedTo != "" && anchor != nil {
		if a, ok := anchor(f.AttachedTo); ok && geo.ValidLonLat(a) {
			f.ref, f.anchor = a, true
		}
	}
	f.lonM, f.latM = geo.MetresPerDegree(f.ref[1])
	f.ext = [2]xy{{math.Inf(1), math.Inf(1)}, {math.Inf(-1), math.Inf(-1)}}
	for _, poly := range polys {
		rings := make([][]xy, 0, len(poly))
		for _, ring := range poly {
			r := make([]xy, len(ring))
			for i, q := range ring {
				r[i] = xy{(q[0] - f.ref[0]) * f.lonM, (q[1] - f.ref[1]) * f.latM}
				f.ext[0] = xy{math.Min(f.ext[0].x, r[i].x), math.Min(f.ext[0].y, r[i].y)}
				f.ext[1] = xy{math.Max(f.ext[1].x, r[i].x), math.Max(f.ext[1].y, r[i].y)}
			}
			rings = append(rings, r)
		}
		f.polys = append(f.polys, rings)
	}
	return nil
}

// local returns p in metres about ref (the fence's reference point, moved
// with its anchor for a moving fence).
func (f *Fence) local(p, ref orb.Point) xy {
	return xy{(p[0] - ref[0]) * f.lonM, (p[1] - ref[1]) * f.latM}
}

// boundAt returns the fence's lon/lat bound with its reference point at ref,
// grown by marginM metres.
func (f *Fence) boundAt(ref orb.Point, marginM float64) orb.Bound {
	return orb.Bound{
		Min: orb.Point{ref[0] + (f.ext[0].x-marginM)/f.lonM, ref[1] + (f.ext[0].y-marginM)/f.latM},
		Max: orb.Point{ref[0] + (f.ext[1].x+marginM)/f.lonM, ref[1] + (f.ext[1].y+marginM)/f.latM},
	}
}

// vertical reports whether the fix lies in the fence's floor and height
// band; a fix already inside gets zMargin metres of slack on the band.
func (f *Fence) vertical(fix twin.Fix, inside bool, zMargin float64) bool {
	if f.HasFloor && fix.Floor != f.Floor {
		return false
	}
	if !f.HasZ {
		return true
	}
	m := 0.0
	if inside {
		m = zMargin
	}
	return fix.Z >= f.ZMin-m && fix.Z <= f.ZMax+m
}
