package tiles

import (
	"cmp"
	"errors"
	"image/color"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

// geom is one shape of the site plan in Web Mercator unit coordinates.
type geom struct {
	rings   [][]orb.Point // polygon rings (outer first), or one polyline
	open    bool          // rings[0] is a polyline
	radiusM float64       // > 0: a circle of this radius about rings[0][0]
	widthM  float64       // a polyline's band width
	bound   orb.Bound     // of the shape itself
}

// op is one drawing step: its geoms filled, or stroked, in one colour.
type op struct {
	fill    bool
	color   color.RGBA
	minZoom uint8
	extraPx float64    // stroke: added to a polyline's width, or an outline's width
	minPx   float64    // stroke: a polyline's least width
	dash    [2]float64 // stroke: on and off lengths in pixels; zero: solid
	geoms   []geom
}

// labelSpec is a name to place on the plan.
type labelSpec struct {
	text    string
	anchor  orb.Point // Mercator
	feature orb.Bound // Mercator bound of the named feature
	minZoom uint8
	sizePx  float64 // font size at minZoom; one more per zoom above, up to +3
	rank    float64 // within a zoom class, larger first
}

// plan is a scene turned into drawing steps, labels and the area to tile.
type plan struct {
	bound    orb.Bound // lon/lat to cover with tiles
	lat      float64   // reference latitude of the site
	unitPerM float64   // Mercator units per metre at lat
	ops      []*op
	labels   []labelSpec
}

var errEmptyScene = errors.New("tiles: the scene has no site boundary and nothing to draw")

// newPlan turns a scene's site boundary, areas, roads, walkways, units,
// buildings, gates, tanks, muster points and forbidden fences into drawing
// steps in paint order, and collects the names to label (label picks each
// entity's text, "" for none).
func newPlan(sc *scenes.Scene, marginM float64, label func(*twin.Entity) string) (*plan, error) {
	lat := sc.Site.Origin[1]
	p := &plan{lat: lat, unitPerM: 1 / (2 * math.Pi * earthRadiusM * math.Cos(lat*math.Pi/180))}
	byKind := map[twin.Kind][]*twin.Entity{}
	for _, e := range sc.Entities {
		if e.Geometry != nil {
			byKind[e.Kind] = append(byKind[e.Kind], e)
		}
	}
	site := &op{fill: true, color: colSite}
	siteLine := &op{color: colSiteLine, extraPx: siteLinePx}
	if len(sc.Site.Boundary) > 0 {
		site.geoms = p.polygonGeoms(sc.Site.Boundary)
		siteLine.geoms = site.geoms
	}
	p.ops = append(p.ops, site)
	p.addAreas(byKind[twin.KindArea], label)
	p.ops = append(p.ops,
		p.lineOp(byKind[twin.KindWalkway], colWalkway, 0, 0.75, defaultWalkwayWidthM, walkwayMinZoom, outdoor),
		p.lineOp(byKind[twin.KindRoad], colRoadCasing, 2, 1, defaultRoadWidthM, 0, nil),
		p.lineOp(byKind[twin.KindRoad], colRoad, 0, 0.75, defaultRoadWidthM, 0, nil))
	p.addStructures(byKind[twin.KindUnit], colUnit, colUnitLine, label, unitLabelZoom, 0)
	p.addStructures(byKind[twin.KindBuilding], colBuilding, colBuildLine, label, buildingLabelZoom, 300)
	p.addStructures(byKind[twin.KindGate], colGate, colGateLine, nil, 0, 0)
	p.addCircles(byKind[twin.KindTank], colTank, colTankLine, defaultTankRadiusM)
	p.addCircles(byKind[twin.KindMusterPoint], colMuster, colMusterLine, defaultMusterRadiusM)
	fences := &op{color: colForbidden, extraPx: fenceLinePx, dash: [2]float64{fenceDashPx, fenceGapPx}}
	for _, e := range byKind[twin.KindFence] {
		if e.String("rule") == "forbidden" {
			fences.geoms = append(fences.geoms, p.polygonGeoms(e.Geometry)...)
		}
	}
	p.ops = append(p.ops, fences, siteLine)
	return p, p.setBound(marginM)
}

// setBound sets the area to tile: everything drawn, grown by marginM.
func (p *plan) setBound(marginM float64) error {
	var b orb.Bound
	n := 0
	for _, o := range p.ops {
		for _, g := range o.geoms {
			if n == 0 {
				b = g.bound
			}
			b, n = b.Union(g.bound), n+1
		}
	}
	if n == 0 {
		return errEmptyScene
	}
	sw, ne := unmercator(orb.Point{b.Min[0], b.Max[1]}), unmercator(orb.Point{b.Max[0], b.Min[1]})
	p.bound = geo.ExpandM(orb.Bound{Min: sw, Max: ne}, marginM)
	return nil
}

// addAreas fills areas by type, largest first so nested areas (a dike in
// its tank farm) paint on top, then outlines them.
func (p *plan) addAreas(areas []*twin.Entity, label func(*twin.Entity) string) {
	areas = slices.Clone(areas)
	size := func(e *twin.Entity) float64 { return geo.AreaM2(e.Geometry) }
	slices.SortStableFunc(areas, func(a, b *twin.Entity) int {
		return cmp.Or(-cmp.Compare(size(a), size(b)), cmp.Compare(a.ID, b.ID))
	})
	lines := &op{color: colAreaLine, extraPx: outlinePx}
	for _, e := range areas {
		c, ok := areaColours[e.String("area_type")]
		if !ok {
			c = colAreaDefault
		}
		gs := p.polygonGeoms(e.Geometry)
		p.ops = append(p.ops, &op{fill: true, color: c, geoms: gs})
		lines.geoms = append(lines.geoms, gs...)
		p.addLabel(e, label, areaLabelZoom, 12, size(e))
	}
	p.ops = append(p.ops, lines)
}

// addStructures fills and outlines units, buildings or gates, and labels
// those of at least minM2.
func (p *plan) addStructures(es []*twin.Entity, fill, line color.RGBA, label func(*twin.Entity) string, labelZoom uint8, minM2 float64) {
	f, l := &op{fill: true, color: fill}, &op{color: line, extraPx: outlinePx}
	for _, e := range es {
		gs := p.polygonGeoms(e.Geometry)
		f.geoms, l.geoms = append(f.geoms, gs...), append(l.geoms, gs...)
		if a := geo.AreaM2(e.Geometry); label != nil && len(gs) > 0 && a >= minM2 {
			p.addLabel(e, label, labelZoom, 11, a)
		}
	}
	p.ops = append(p.ops, f, l)
}

// addCircles draws point features as circles of their radius_m.
func (p *plan) addCircles(es []*twin.Entity, fill, line color.RGBA, defRadius float64) {
	f, l := &op{fill: true, color: fill}, &op{color: line, extraPx: outlinePx}
	for _, e := range es {
		pt, ok := e.Geometry.(orb.Point)
		r := e.Float("radius_m", defRadius)
		if !ok || !geo.ValidLonLat(pt) || !(r > 0 && r < 1e4) {
			continue
		}
		c := mercator(pt)
		d := r * p.unitPerM
		g := geom{rings: [][]orb.Point{{c}}, radiusM: r, bound: orb.Bound{Min: orb.Point{c[0] - d, c[1] - d}, Max: orb.Point{c[0] + d, c[1] + d}}}
		f.geoms, l.geoms = append(f.geoms, g), append(l.geoms, g)
	}
	p.ops = append(p.ops, f, l)
}

// outdoor keeps walkways on no floor (indoor corridors lie under roofs).
func outdoor(e *twin.Entity) bool { _, indoor := e.Props["floor"]; return !indoor }

// lineOp strokes roads or walkways at width_m (default defWidth) plus
// extraPx, at least minPx wide.
func (p *plan) lineOp(es []*twin.Entity, c color.RGBA, extraPx, minPx, defWidth float64, minZoom uint8, keep func(*twin.Entity) bool) *op {
	o := &op{color: c, extraPx: extraPx, minPx: minPx, minZoom: minZoom}
	for _, e := range es {
		ls, ok := e.Geometry.(orb.LineString)
		w := e.Float("width_m", defWidth)
		if !ok || len(ls) < 2 || (keep != nil && !keep(e)) || !(w > 0 && w < 1e3) {
			continue
		}
		if g, ok := project([]orb.Point(ls)); ok {
			o.geoms = append(o.geoms, geom{rings: [][]orb.Point{g}, open: true, widthM: w, bound: boundOf(g)})
		}
	}
	return o
}

// polygonGeoms projects a polygon or multipolygon; other geometries give
// none.
func (p *plan) polygonGeoms(g orb.Geometry) []geom {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	var out []geom
	for _, poly := range polys {
		var rings [][]orb.Point
		for _, r := range poly {
			if pr, ok := project([]orb.Point(r)); ok && len(pr) >= 3 {
				rings = append(rings, pr)
			}
		}
		if len(rings) > 0 {
			out = append(out, geom{rings: rings, bound: boundOf(rings[0])})
		}
	}
	return out
}

// addLabel adds an entity's name to place from minZoom.
func (p *plan) addLabel(e *twin.Entity, label func(*twin.Entity) string, minZoom uint8, sizePx, rank float64) {
	text := label(e)
	if text == "" {
		return
	}
	b := e.Geometry.Bound()
	at := b.Center()
	if !geo.Contains(e.Geometry, at) {
		at = geo.Centroid(e.Geometry)
	}
	fb := orb.Bound{Min: mercator(orb.Point{b.Min[0], b.Max[1]}), Max: mercator(orb.Point{b.Max[0], b.Min[1]})}
	p.labels = append(p.labels, labelSpec{text: text, anchor: mercator(at), feature: fb, minZoom: minZoom, sizePx: sizePx, rank: rank})
}

// project maps lon/lat points to Mercator, refusing non-finite ones.
func project(pts []orb.Point) ([]orb.Point, bool) {
	out := make([]orb.Point, len(pts))
	for i, pt := range pts {
		if !geo.ValidLonLat(pt) {
			return nil, false
		}
		out[i] = mercator(pt)
	}
	return out, true
}

func boundOf(pts []orb.Point) orb.Bound {
	b := orb.Bound{Min: pts[0], Max: pts[0]}
	for _, pt := range pts[1:] {
		b = b.Extend(pt)
	}
	return b
}
