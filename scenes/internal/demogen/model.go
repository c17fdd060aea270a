package main

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Site constants: the Ningdong energy-chemical base, about 106.6°E 38.1°N,
// ground at about 1,200 m. The plant grid is aligned with east/north.
var (
	siteOrigin    = orb.Point{106.6, 38.1}
	siteElevation = 1200.0
	siteRotation  = 0.0
)

// P is a feature's properties.
type P = map[string]any

// feature is one scene feature drawn in plant metres.
type feature struct {
	geom  orb.Geometry // plant x (east), y (north) metres
	props P            // id, kind, parent, name, … as written
}

func (f *feature) id() string { return f.props["id"].(string) }

// plant is the demo plant under construction.
type plant struct {
	frame  *geo.Frame
	layers map[string][]*feature // file name → features, in order
	byID   map[string]*feature
	net    *network
	reg    *registry
	// geometry of named things, for placing what goes with them.
	rects    map[string]rect // areas, buildings, units, gates by id
	floors   map[string]int  // buildings: number of floors
	floorH   map[string]float64
	doors    map[string]orb.Point
	releases []*equipment // release-source equipment, in order
}

func newPlant() (*plant, error) {
	frame, err := geo.NewFrame(siteOrigin, siteElevation, siteRotation)
	if err != nil {
		return nil, err
	}
	return &plant{
		frame: frame, layers: map[string][]*feature{}, byID: map[string]*feature{},
		net: &network{}, rects: map[string]rect{}, floors: map[string]int{},
		floorH: map[string]float64{}, doors: map[string]orb.Point{},
	}, nil
}

// build draws the whole plant, in dependency order.
func (p *plant) build() {
	p.reg = newRegistry()
	p.addAreas()
	p.addBuildings()
	p.addUnits()
	p.addGates()
	p.addEquipment()
	p.addTanks()
	p.addNetwork()
	p.addDetectors()
	p.addBeacons()
	p.addCameras()
	p.addMusterPoints()
	p.addWeather()
	p.addFences()
	p.addRiskUnits()
	p.addHazardSources()
	p.addInspectionPoints()
}

// add records a feature; ids must be unique across the scene.
func (p *plant) add(file, id string, kind twin.Kind, geom orb.Geometry, props P) *feature {
	if _, dup := p.byID[id]; dup {
		panic(fmt.Sprintf("demogen: duplicate id %s", id))
	}
	props["id"] = id
	props["kind"] = string(kind)
	f := &feature{geom: geom, props: props}
	p.layers[file] = append(p.layers[file], f)
	p.byID[id] = f
	return f
}

// rect is an axis-aligned rectangle in plant metres.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) polygon() orb.Polygon {
	return orb.Polygon{{{r.x0, r.y0}, {r.x1, r.y0}, {r.x1, r.y1}, {r.x0, r.y1}, {r.x0, r.y0}}}
}

func (r rect) centre() orb.Point { return orb.Point{(r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2} }
func (r rect) w() float64        { return r.x1 - r.x0 }
func (r rect) h() float64        { return r.y1 - r.y0 }

func (r rect) grow(d float64) rect { return rect{r.x0 - d, r.y0 - d, r.x1 + d, r.y1 + d} }

func (r rect) contains(q orb.Point) bool {
	return q[0] >= r.x0 && q[0] <= r.x1 && q[1] >= r.y0 && q[1] <= r.y1
}

// ring returns the rectangle's outline as a closed line, from its
// south-west corner anticlockwise.
func (r rect) ring() []orb.Point {
	return []orb.Point{{r.x0, r.y0}, {r.x1, r.y0}, {r.x1, r.y1}, {r.x0, r.y1}, {r.x0, r.y0}}
}

// perimeter returns n points evenly spaced along the outline of r.
func (r rect) perimeter(n int) []orb.Point {
	ring := r.ring()
	total := 2 * (r.w() + r.h())
	pts := make([]orb.Point, 0, n)
	for i := range n {
		pts = append(pts, along(ring, total*(float64(i)+0.5)/float64(n)))
	}
	return pts
}

// grid returns about n points spread over r on a regular grid (row-major
// from the south-west), inset by half a cell.
func (r rect) grid(n int) []orb.Point {
	cols := max(1, int(math.Round(math.Sqrt(float64(n)*r.w()/r.h()))))
	rows := (n + cols - 1) / cols
	pts := make([]orb.Point, 0, n)
	for i := range n {
		c, row := i%cols, i/cols
		pts = append(pts, orb.Point{
			r.x0 + r.w()*(float64(c)+0.5)/float64(cols),
			r.y0 + r.h()*(float64(row)+0.5)/float64(rows),
		})
	}
	return pts
}

// along returns the point at distance d along a polyline.
func along(line []orb.Point, d float64) orb.Point {
	for i := 1; i < len(line); i++ {
		a, b := line[i-1], line[i]
		l := dist(a, b)
		if d <= l {
			t := d / l
			return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		}
		d -= l
	}
	return line[len(line)-1]
}

func dist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

// bearing returns the compass bearing (degrees clockwise from north) from a
// to b, both in plant metres, taking the frame's rotation into account.
func (p *plant) bearing(a, b orb.Point) float64 {
	e, n := p.frame.ENU(b[0]-a[0], b[1]-a[1])
	deg := math.Atan2(e, n) * 180 / math.Pi
	if deg < 0 {
		deg += 360
	}
	return math.Round(deg*10) / 10
}

// areaAt returns the id of the smallest area containing q, or "".
func (p *plant) areaAt(q orb.Point) string {
	best, size := "", math.Inf(1)
	for _, f := range p.layers[fileAreas] {
		r := p.rects[f.id()]
		if r.contains(q) && r.w()*r.h() < size {
			best, size = f.id(), r.w()*r.h()
		}
	}
	return best
}

// parentAt is areaAt, or the site when q is in no area.
func (p *plant) parentAt(q orb.Point) string {
	if a := p.areaAt(q); a != "" {
		return a
	}
	return siteID
}
