package locate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/twin"
)

// Errors of NewMap.
var (
	// ErrNoFrame is returned for a scene without a plant frame.
	ErrNoFrame = errors.New("locate: no plant frame")
	// ErrBadFeature is wrapped by the error NewMap returns for each feature
	// it had to skip or read with a default.
	ErrBadFeature = errors.New("locate: bad feature")
)

// Beacon is a BLE beacon of the map, in plant metres.
type Beacon struct {
	ID       string
	XY       [2]float64 // plant x, y metres
	Z        float64    // mount height above the site's ground, metres
	Floor    int        // 0 outdoors
	Building string     // the building it is in, "" outdoors
	RSSI1m   float64    // dBm at 1 m
}

// Building is a building footprint with its storeys.
type Building struct {
	ID           string
	Floors       int     // storeys above ground, ≥ 1
	FloorHeightM float64 // storey height
	poly         orb.Polygon
	bound        box
	ccw          bool // orientation of the outer ring
}

// FloorBaseM returns the height above ground of a floor's slab: floor 1 (the
// ground floor) is at 0, floor 2 one storey up, floor −1 one storey down.
func (b *Building) FloorBaseM(floor int) float64 {
	return float64(route.Storey(floor)) * b.FloorHeightM
}

// walkway is one straight piece of a walkway: outdoors (floor 0, building
// −1) or a corridor on a floor of a building.
type walkway struct {
	a, b   [2]float64
	sigmaM float64 // standard deviation across it: the width of a uniform band
	floor  int
	bld    int32
}

// Map is the positioning map of a scene: its beacons (by id, and in a grid),
// its building footprints with their floors and its outdoor walkways (in a
// grid for snapping), all in plant metres. It is immutable and safe for
// concurrent use.
type Map struct {
	frame     *geo.Frame
	beacons   []Beacon
	bldOf     []int32 // beacon → building index, −1 outdoors
	byID      map[string]int32
	beaconIdx grid
	buildings []Building
	bldIdx    grid
	walks     []walkway
	walkIdx   grid
}

// walkwaySigmaM is the least standard deviation of a walker across a
// walkway: where people walk on it, and how well it is drawn. Wider ones
// count as a uniform band (σ = width/√12).
const walkwaySigmaM = 1.0

// Index cell sizes, metres.
const (
	beaconCellM   = 30.0
	buildingCellM = 50.0
	walkwayCellM  = 16.0
)

// NewMap builds the positioning map of scene s in frame f (nil: the scene's
// frame). Beacons are the scene's `beacon` points with `floor`, `height`
// (mount height above ground; default floor base + DefaultBeaconMountM) and
// `rssi_1m` (default DefaultRSSI1m); buildings carry `floors` (default 1) and
// `floor_height_m` (default route.DefaultFloorHeightM); walkways are the
// lines of route.LinesFromScene people walk — walkways, and the roads open
// to pedestrians, held to as a band of their width (vehicle-only roads and
// stairs excluded): outdoors on floor 0, indoors on their floor of the
// building their middle lies in. As route.FromScene does, it reports the features it had
// to skip in the error and still returns the map of the rest; only a
// missing frame returns no map.
func NewMap(s *twin.Scene, f *geo.Frame) (*Map, error) {
	if f == nil {
		f = s.Frame()
	}
	if f == nil {
		return nil, ErrNoFrame
	}
	m := &Map{frame: f, byID: make(map[string]int32)}
	var errs []error
	var beacons []*twin.Entity
	s.View(func(tx twin.Tx) {
		tx.Kind(twin.KindBuilding, func(e *twin.Entity) bool {
			if err := m.addBuilding(e); err != nil {
				errs = append(errs, err)
			}
			return true
		})
		tx.Kind(twin.KindBeacon, func(e *twin.Entity) bool {
			beacons = append(beacons, e.Clone())
			return true
		})
	})
	slices.SortFunc(m.buildings, func(a, b Building) int { return strings.Compare(a.ID, b.ID) })
	m.indexBuildings()
	slices.SortFunc(beacons, func(a, b *twin.Entity) int { return strings.Compare(a.ID, b.ID) })
	for _, e := range beacons {
		if err := m.addBeacon(e); err != nil {
			errs = append(errs, err)
		}
	}
	lines, err := route.LinesFromScene(s, f)
	if err != nil {
		errs = append(errs, err)
	}
	m.addWalkways(lines)
	m.indexBeaconsAndWalkways()
	return m, errors.Join(errs...)
}

func (m *Map) addBuilding(e *twin.Entity) error {
	var poly orb.Polygon
	switch g := e.Geometry.(type) {
	case orb.Polygon:
		poly = g
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("%w: building %s: empty multipolygon", ErrBadFeature, e.ID)
		}
		poly = g[0] // the main part; annexes rarely matter for positioning
	default:
		return fmt.Errorf("%w: building %s: not a polygon", ErrBadFeature, e.ID)
	}
	if len(poly) == 0 || len(poly[0]) < 4 {
		return fmt.Errorf("%w: building %s: empty polygon", ErrBadFeature, e.ID)
	}
	b := Building{ID: e.ID, Floors: 1, FloorHeightM: route.DefaultFloorHeightM}
	var err error
	if n := e.Float("floors", 1); n >= 1 && n <= 200 && n == math.Round(n) {
		b.Floors = int(n)
	} else {
		err = fmt.Errorf("%w: building %s: floors %v, using 1", ErrBadFeature, e.ID, e.Props["floors"])
	}
	if h := e.Float("floor_height_m", 0); h > 0 && h < 100 {
		b.FloorHeightM = h
	}
	b.poly = m.frame.FromGeometry(poly).(orb.Polygon)
	pts := make([][2]float64, len(b.poly[0]))
	for i, p := range b.poly[0] {
		pts[i] = p
	}
	b.bound = boxOf(pts...)
	b.ccw = b.poly[0].Orientation() == orb.CCW
	m.buildings = append(m.buildings, b)
	return err
}

func (m *Map) addBeacon(e *twin.Entity) error {
	p, ok := e.Geometry.(orb.Point)
	if !ok || !geo.ValidLonLat(p) {
		return fmt.Errorf("%w: beacon %s: not a point", ErrBadFeature, e.ID)
	}
	x, y := m.frame.FastLocal(p)
	b := Beacon{ID: e.ID, XY: [2]float64{x, y}, RSSI1m: e.Float("rssi_1m", DefaultRSSI1m)}
	if b.RSSI1m < -120 || b.RSSI1m > 20 {
		return fmt.Errorf("%w: beacon %s: rssi_1m %v out of −120…20 dBm", ErrBadFeature, e.ID, b.RSSI1m)
	}
	floor := e.Float("floor", 0)
	if floor != math.Round(floor) || math.Abs(floor) > 200 {
		return fmt.Errorf("%w: beacon %s: floor %v", ErrBadFeature, e.ID, e.Props["floor"])
	}
	b.Floor = int(floor)
	bi := m.beaconBuilding(e, b)
	base := 0.0
	if bi >= 0 {
		b.Building = m.buildings[bi].ID
		base = m.buildings[bi].FloorBaseM(b.Floor)
	}
	b.Z = e.Height
	if b.Z == 0 {
		b.Z = base + DefaultBeaconMountM
	}
	m.byID[b.ID] = int32(len(m.beacons))
	m.beacons = append(m.beacons, b)
	m.bldOf = append(m.bldOf, int32(bi))
	return nil
}

// beaconBuilding returns the building an indoor beacon is in: its parent,
// else the footprint containing it; −1 for an outdoor beacon.
func (m *Map) beaconBuilding(e *twin.Entity, b Beacon) int {
	if b.Floor == 0 {
		return -1
	}
	for i := range m.buildings {
		if m.buildings[i].ID == e.Parent {
			return i
		}
	}
	return m.buildingAt(b.XY)
}

func (m *Map) addWalkways(lines []route.Line) {
	for _, l := range lines {
		if !l.Pedestrian || l.Stairs() {
			continue
		}
		sigma := math.Max(l.WidthM/math.Sqrt(12), walkwaySigmaM)
		for i := 1; i < len(l.Points); i++ {
			a, b := l.Points[i-1], l.Points[i]
			if a == b {
				continue
			}
			w := walkway{a: a, b: b, sigmaM: sigma, floor: l.Floor, bld: -1}
			if l.Floor != 0 {
				w.bld = int32(m.buildingAt([2]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}))
				if w.bld < 0 {
					continue // a raised walkway outside any building: no floor to match
				}
			}
			m.walks = append(m.walks, w)
		}
	}
}

func (m *Map) indexBuildings() {
	boxes := make([]box, len(m.buildings))
	for i, b := range m.buildings {
		boxes[i] = b.bound
	}
	m.bldIdx = newGrid(boxes, buildingCellM)
}

func (m *Map) indexBeaconsAndWalkways() {
	boxes := make([]box, len(m.beacons))
	for i, b := range m.beacons {
		boxes[i] = boxOf(b.XY)
	}
	m.beaconIdx = newGrid(boxes, beaconCellM)
	boxes = boxes[:0]
	for _, w := range m.walks {
		boxes = append(boxes, boxOf(w.a, w.b))
	}
	m.walkIdx = newGrid(boxes, walkwayCellM)
}

// Frame returns the plant frame of the map.
func (m *Map) Frame() *geo.Frame { return m.frame }

// NumBeacons returns the number of beacons.
func (m *Map) NumBeacons() int { return len(m.beacons) }

// Beacon returns the beacon with id.
func (m *Map) Beacon(id string) (Beacon, bool) {
	i, ok := m.byID[id]
	if !ok {
		return Beacon{}, false
	}
	return m.beacons[i], true
}

// BeaconsWithin calls fn for every beacon within r metres (horizontally) of
// xy (plant metres), until fn returns false.
func (m *Map) BeaconsWithin(xy [2]float64, r float64, fn func(Beacon) bool) {
	m.beaconIdx.search(boxOf(xy).grow(r), func(i int32) bool {
		b := &m.beacons[i]
		if math.Hypot(b.XY[0]-xy[0], b.XY[1]-xy[1]) > r {
			return true
		}
		return fn(*b)
	})
}

// Building returns the building with id.
func (m *Map) Building(id string) (Building, bool) {
	for _, b := range m.buildings {
		if b.ID == id {
			return b, true
		}
	}
	return Building{}, false
}

// BuildingAt returns the building whose footprint contains xy (plant
// metres).
func (m *Map) BuildingAt(xy [2]float64) (Building, bool) {
	if i := m.buildingAt(xy); i >= 0 {
		return m.buildings[i], true
	}
	return Building{}, false
}

func (m *Map) buildingAt(xy [2]float64) int {
	found := -1
	m.bldIdx.search(boxOf(xy), func(i int32) bool {
		if geo.Contains(m.buildings[i].poly, xy) {
			found = int(i)
			return false
		}
		return true
	})
	return found
}
