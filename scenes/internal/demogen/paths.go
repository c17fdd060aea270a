package main

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// In-plant speed limits (km/h): 20 on the roads, 10 in the tank farm and the
// loading lane — common practice for hazardous-chemical plants, where the
// site rules set them (GB 4387-2008 leaves the value to the plant).
const (
	speedRoad = 20.0
	speedSlow = 10.0
)

// addNetwork draws the roads and walkways, nodes them and adds them as
// features. Order matters: paths run from a door or a loop to the first
// line they meet.
func (p *plant) addNetwork() {
	p.addRoads()
	p.addSidewalks()
	p.addUnitLoops()
	p.addPaths()
	for _, b := range buildingSpecs {
		p.addDoorPath(b)
	}
	for _, m := range musterSpecs {
		p.rayPath(m.at, m.exit, "应急集合点通道", "Muster-point path")
	}
	for _, b := range buildingSpecs {
		p.addIndoor(b)
	}
	p.emitNetwork()
}

func (p *plant) road(name, nameEn string, width, speed float64, pts ...orb.Point) {
	p.net.add(&line{kind: twin.KindRoad, level: ground, pts: pts, props: P{
		"name": name, "name_en": nameEn, "width_m": width, "oneway": false, "vehicle": true,
		"pedestrian": true, "speed_limit_kmh": speed}})
}

func (p *plant) walkway(name, nameEn string, width float64, pts ...orb.Point) *line {
	l := &line{kind: twin.KindWalkway, level: ground, pts: pts, props: P{
		"name": name, "name_en": nameEn, "width_m": width, "vehicle": false, "pedestrian": true}}
	p.net.add(l)
	return l
}

// addRoads draws the ring road, the internal grid (fire lanes 7–9 m, GB
// 50160-2008 §4.3 asks for ≥ 6 m ring fire lanes), the gate spurs and the
// loading lane.
func (p *plant) addRoads() {
	x0, x1 := roadXs[0], roadXs[len(roadXs)-1]
	y0, y1 := roadYs[len(roadYs)-1], roadYs[0]
	p.road("环厂路", "Ring road", 9, speedRoad, orb.Point{x0, y0}, orb.Point{x1, y0}, orb.Point{x1, y1},
		orb.Point{x0, y1}, orb.Point{x0, y0})
	for i, x := range roadXs[1 : len(roadXs)-1] {
		p.road(fmt.Sprintf("经%s路", cnDigits[i+1]), fmt.Sprintf("North–south road %d", i+1),
			roadWidth(x), speedRoad, orb.Point{x, y1}, orb.Point{x, y0})
	}
	for i, y := range roadYs[1 : len(roadYs)-1] {
		name, en := fmt.Sprintf("纬%s路", cnDigits[i+1]), fmt.Sprintf("East–west road %d", i+1)
		w := roadWidth(y)
		if y == -120 { // passes the tank farm east of x = 300
			p.road(name, en, w, speedRoad, orb.Point{x0, y}, orb.Point{300, y})
			p.road(name+"（罐区段）", en+" (tank-farm section)", w, speedSlow, orb.Point{300, y}, orb.Point{x1, y})
			continue
		}
		p.road(name, en, w, speedRoad, orb.Point{x0, y}, orb.Point{x1, y})
	}
	p.road("主大门进厂路", "Main gate approach", 9, speedRoad, orb.Point{-440, y1}, orb.Point{-440, siteBoundary.y1})
	p.road("物流大门进厂路", "Logistics gate approach", 9, speedRoad, orb.Point{0, y0}, orb.Point{0, siteBoundary.y0})
	p.road("应急大门通道", "Emergency gate approach", 7, speedRoad, orb.Point{x0, -120}, orb.Point{siteBoundary.x0, -120})
	p.road("装车通道", "Loading lane", 7, speedSlow, orb.Point{0, -260}, orb.Point{300, -260})
}

var cnDigits = []string{"零", "一", "二", "三", "四"}

// roadWidth is 9 m on the logistics axes (the road x = 0 from the logistics
// gate and the road y = -120 past the loading area), 7 m elsewhere.
func roadWidth(at float64) float64 {
	if at == 0 || at == -120 {
		return 9
	}
	return 7
}

// sidewalkOffset is how far a sidewalk runs from its road's centre line: on
// the east side of north–south roads and the north side of east–west roads,
// inside the ring.
const sidewalkOffset = 6.0

func (p *plant) addSidewalks() {
	x0, x1 := roadXs[0]+sidewalkOffset, roadXs[len(roadXs)-1]-sidewalkOffset
	y0, y1 := roadYs[len(roadYs)-1]+sidewalkOffset, roadYs[0]-sidewalkOffset
	xs := []float64{x0}
	for _, x := range roadXs[1 : len(roadXs)-1] {
		xs = append(xs, x+sidewalkOffset)
	}
	xs = append(xs, x1)
	ys := []float64{y1}
	for _, y := range roadYs[1 : len(roadYs)-1] {
		ys = append(ys, y+sidewalkOffset)
	}
	ys = append(ys, y0)
	for _, x := range xs {
		p.walkway("人行道", "Sidewalk", 1.5, orb.Point{x, y0}, orb.Point{x, y1})
	}
	for _, y := range ys {
		p.walkway("人行道", "Sidewalk", 1.5, orb.Point{x0, y}, orb.Point{x1, y})
	}
}

var dirs = map[byte]orb.Point{'N': {0, 1}, 'S': {0, -1}, 'E': {1, 0}, 'W': {-1, 0}}

// sideMid returns the middle of side d of r.
func sideMid(r rect, d byte) orb.Point {
	c := r.centre()
	switch d {
	case 'N':
		return orb.Point{c[0], r.y1}
	case 'S':
		return orb.Point{c[0], r.y0}
	case 'E':
		return orb.Point{r.x1, c[1]}
	}
	return orb.Point{r.x0, c[1]}
}

// addUnitLoops draws an inspection walkway 4 m around process units and
// joins it to the network, and one around the tank-farm dike.
func (p *plant) addUnitLoops() {
	for _, u := range unitSpecs {
		if u.exit == 0 {
			continue
		}
		loop := u.r.grow(4)
		p.walkway(u.name+"巡检通道", u.nameEn+" inspection walkway", 1.2, loop.ring()...)
		p.rayPath(sideMid(loop, u.exit), u.exit, u.name+"巡检通道", u.nameEn+" inspection walkway")
	}
	dike := p.rects["AR-TANK-DIKE"].grow(4)
	p.walkway("防火堤巡检通道", "Dike inspection walkway", 1.2, dike.ring()...)
	p.rayPath(sideMid(dike, 'N'), 'N', "防火堤巡检通道", "Dike inspection walkway")
}

// addPaths draws the pedestrian gates, the loading platform and the
// wastewater pool walkway.
func (p *plant) addPaths() {
	p.walkway("主大门人行通道", "Main gate pedestrian entrance", 2, orb.Point{-432, siteBoundary.y1}, orb.Point{-432, roadYs[0] - sidewalkOffset})
	p.walkway("物流大门人行通道", "Logistics gate pedestrian entrance", 2, orb.Point{8, siteBoundary.y0}, orb.Point{8, roadYs[len(roadYs)-1] + sidewalkOffset})
	p.walkway("应急大门人行通道", "Emergency gate pedestrian exit", 2, orb.Point{siteBoundary.x0, -126}, orb.Point{roadXs[0] + sidewalkOffset, -126})
	p.walkway("装车平台通道", "Loading platform walkway", 1.2, orb.Point{roadXs[2] + sidewalkOffset, -245}, orb.Point{254, -245})
	p.walkway("污水池巡检通道", "Wastewater pool walkway", 1.2, orb.Point{roadXs[0] + sidewalkOffset, -290}, orb.Point{-315, -290})
}

// rayPath draws a path from a in direction d to the first line it meets.
func (p *plant) rayPath(a orb.Point, d byte, name, nameEn string) {
	end, ok := p.net.ray(a, dirs[d], ground)
	if !ok {
		panic(fmt.Sprintf("demogen: path %s from %v heading %c meets nothing", name, a, d))
	}
	p.walkway(name, nameEn, 1.5, a, end)
}

// addDoorPath draws the path from a building's main door to the network.
func (p *plant) addDoorPath(b buildingSpec) {
	door := sideMid(b.r, b.door)
	p.doors[b.id] = door
	p.rayPath(door, b.door, b.name+"入口通道", b.nameEn+" entrance path")
}

// addIndoor draws a corridor along each floor of a building, a lobby from
// the door to the ground-floor corridor and, in multi-storey buildings, a
// stairwell at each end of the corridor (two exits, GB 50016-2014 §5.5.8).
func (p *plant) addIndoor(b buildingSpec) {
	a, z := corridor(b.r)
	door := p.doors[b.id]
	lobby := nearestOnSegment(door, a, z)
	for f := 1; f <= b.floors; f++ {
		name, en := fmt.Sprintf("%s%d层走廊", b.name, f), fmt.Sprintf("%s floor %d corridor", b.nameEn, f)
		props := P{"name": name, "name_en": en, "width_m": 2.0, "vehicle": false, "pedestrian": true,
			"floor": f, "parent": b.id}
		p.net.add(&line{kind: twin.KindWalkway, level: levelOf(f), indoor: true, pts: []orb.Point{a, z}, props: props})
		if f == 1 && dist(door, lobby) > 1e-6 {
			lp := P{"name": b.name + "门厅", "name_en": b.nameEn + " lobby", "width_m": 2.0, "vehicle": false,
				"pedestrian": true, "floor": 1, "parent": b.id}
			p.net.add(&line{kind: twin.KindWalkway, level: ground, indoor: true, pts: []orb.Point{door, lobby}, props: lp})
		}
		if f == b.floors {
			continue
		}
		for _, end := range [][2]orb.Point{{a, z}, {z, a}} {
			from, to := end[0], toward(end[0], end[1], stairRunM)
			p.net.add(&line{kind: twin.KindStairs, from: levelOf(f), to: levelOf(f + 1), indoor: true,
				pts: []orb.Point{from, to}, props: P{
					"name": fmt.Sprintf("%s楼梯（%d→%d层）", b.name, f, f+1), "name_en": fmt.Sprintf("%s stairs %d–%d", b.nameEn, f, f+1),
					"width_m": 1.4, "pedestrian": true, "vehicle": false, "floor_from": f, "floor_to": f + 1, "parent": b.id}})
		}
	}
}

// stairRunM is the horizontal run of one flight of stairs between floors.
const stairRunM = 4.0

// corridor returns the ends of a building's corridor: along its long axis,
// 2 m inside the end walls.
func corridor(r rect) (orb.Point, orb.Point) {
	c := r.centre()
	if r.w() >= r.h() {
		return orb.Point{r.x0 + 2, c[1]}, orb.Point{r.x1 - 2, c[1]}
	}
	return orb.Point{c[0], r.y0 + 2}, orb.Point{c[0], r.y1 - 2}
}

func nearestOnSegment(q, a, b orb.Point) orb.Point {
	ab := sub(b, a)
	t := ((q[0]-a[0])*ab[0] + (q[1]-a[1])*ab[1]) / (ab[0]*ab[0] + ab[1]*ab[1])
	t = min(1, max(0, t))
	return snap(orb.Point{a[0] + t*ab[0], a[1] + t*ab[1]})
}

func toward(a, b orb.Point, d float64) orb.Point {
	l := dist(a, b)
	return snap(orb.Point{a[0] + (b[0]-a[0])*d/l, a[1] + (b[1]-a[1])*d/l})
}

// emitNetwork nodes the network and adds its pieces as features.
func (p *plant) emitNetwork() {
	var roads, walks, stairs int
	pieces := append(p.net.noded(), p.net.stairs...)
	for _, l := range pieces {
		props := P{}
		for k, v := range l.props {
			props[k] = v
		}
		g := orb.LineString(l.pts)
		switch l.kind {
		case twin.KindRoad:
			roads++
			p.add(fileRoads, fmt.Sprintf("RD-%03d", roads), l.kind, g, props)
		case twin.KindWalkway:
			walks++
			p.add(fileWalkways, fmt.Sprintf("WK-%04d", walks), l.kind, g, props)
		default:
			stairs++
			p.add(fileWalkways, fmt.Sprintf("ST-%03d", stairs), l.kind, g, props)
		}
	}
}
