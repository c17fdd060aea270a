package plume

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Grid is a raster of square cells in the plant frame, metres east and
// north of the source; cell (i, j) is the i-th column from the west and the
// j-th row from the south, its value taken at its centre. The zero Grid means
// DefaultGrid.
type Grid struct {
	MinE, MinN float64 // south-west corner, m east/north of the source
	CellM      float64 // cell side, m; > 0
	NX, NY     int     // columns and rows; > 0
}

// DefaultGrid is 2 km × 2 km at 5 m centred on the source: 400 × 400 =
// 160,000 cells.
func DefaultGrid() Grid { return Grid{MinE: -1000, MinN: -1000, CellM: 5, NX: 400, NY: 400} }

// maxGridCells bounds a zone raster (64 M cells, 512 MB of float64).
const maxGridCells = 1 << 26

// Validate checks the grid's size and spacing.
func (g Grid) Validate() error {
	if !finite(g.MinE) || !finite(g.MinN) || !(g.CellM > 0) || math.IsInf(g.CellM, 1) ||
		g.NX <= 0 || g.NY <= 0 || g.NX > maxGridCells/g.NY {
		return fmt.Errorf("%w: grid %+v (want finite corner, cell > 0, 0 < NX·NY ≤ %d)", ErrInput, g, maxGridCells)
	}
	return nil
}

// Centre returns the centre of cell (i, j), m east/north of the source.
func (g Grid) Centre(i, j int) orb.Point {
	return orb.Point{g.MinE + (float64(i)+0.5)*g.CellM, g.MinN + (float64(j)+0.5)*g.CellM}
}

// ZoneOptions describe a threat-zone run. The zero value of every optional
// field is its default.
type ZoneOptions struct {
	// Plume is the source, wind speed, class and σ set (Plume.Flammable()
	// for LEL zones). Its frame is rotated into the wind.
	Plume Plume
	// WindFromDeg is the direction the wind blows from, degrees clockwise
	// from north.
	WindFromDeg float64
	// SigmaThetaDeg is the measured standard deviation of the wind
	// direction, degrees; 0 means DefaultSigmaThetaDeg of the class.
	SigmaThetaDeg float64
	// LOCGM3 are the levels of concern, g/m³, one zone each, in the order
	// given (ALOHA's red, orange, yellow: level 3, 2, 1). At least one.
	LOCGM3 []float64
	// Grid is the raster the concentration field is computed on; zero
	// means DefaultGrid.
	Grid Grid
	// ZM is the receptor height of the field, m; 0 = ground level, where
	// the zone polygons are.
	ZM float64
	// Stations is the number of downwind stations a zone outline is sampled
	// at (Chebyshev-spaced, see outline); default 200.
	Stations int
}

// Zones is a threat-zone run: the concentration field on the grid and one
// outline per level of concern, in metres east/north of the source. It is
// owned by the caller; concurrent reads are safe.
type Zones struct {
	Grid Grid
	// Field is the concentration, g/m³, at each cell centre, row-major from
	// the south-west: Field[j*NX+i].
	Field []float64
	// Levels are the zones, in the order of ZoneOptions.LOCGM3.
	Levels []ZoneShape
	// SigmaThetaDeg is the σθ the confidence lines were drawn with.
	SigmaThetaDeg float64
	// Circle is true when the wind is too light for a direction
	// (< CircleBelowWindMS) or ±2σθ covers every direction: zones and
	// confidence regions are then circles around the source and the field
	// is the centreline concentration at each cell's distance.
	Circle bool
}

// ZoneShape is one level of concern's zone on the ground.
type ZoneShape struct {
	Zone Zone // centreline extent and the 10 m / 10 km flags
	// Polygon is the ground footprint in the wind (empty when the zone is
	// not reached or TooShort).
	Polygon orb.Polygon
	// Confidence is the region inside the wind-direction confidence lines:
	// the footprint swept over ±2σθ, bounded by two lines from the source
	// and the arc of its farthest reach (see sweep).
	Confidence orb.Polygon
	// Cells counts the grid cells at or above the level of concern.
	Cells int
}

// ThreatZones computes the field and the zones of a release. The outlines
// are not contoured from the raster: each is the exact ground isopleth of
// the Gaussian plume, y = ±σy·√(2 ln(C₀(x)/LOC)) from the centreline zone
// (Plume.Zone, then Plume.HalfWidthM at the stations of outline), rotated
// into the wind, so they are as sharp
// at 5 m cells as at 50 m and cost a few hundred σ evaluations each; the
// raster is the field for people-at-risk lookups and display.
func ThreatZones(o ZoneOptions) (Zones, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Zones{}, err
	}
	w, err := newWind(o.WindFromDeg)
	if err != nil {
		return Zones{}, err
	}
	z := Zones{Grid: o.Grid, SigmaThetaDeg: o.SigmaThetaDeg,
		Circle: o.Plume.WindMS < CircleBelowWindMS || ConfidenceSigmas*o.SigmaThetaDeg >= 180}
	if z.Field, err = field(o, w, z.Circle); err != nil {
		return Zones{}, err
	}
	for _, loc := range o.LOCGM3 {
		s, err := zoneShape(o, w, loc, z.Circle)
		if err != nil {
			return Zones{}, err
		}
		for _, c := range z.Field {
			if c >= loc {
				s.Cells++
			}
		}
		z.Levels = append(z.Levels, s)
	}
	return z, nil
}

func (o ZoneOptions) withDefaults() (ZoneOptions, error) {
	if err := o.Plume.Validate(); err != nil {
		return o, err
	}
	if o.Grid == (Grid{}) {
		o.Grid = DefaultGrid()
	}
	if err := o.Grid.Validate(); err != nil {
		return o, err
	}
	if o.Stations == 0 {
		o.Stations = 200
	}
	if o.SigmaThetaDeg == 0 {
		o.SigmaThetaDeg, _ = DefaultSigmaThetaDeg(o.Plume.Stability)
	}
	switch {
	case len(o.LOCGM3) == 0:
		return o, fmt.Errorf("%w: no level of concern", ErrInput)
	case !(o.SigmaThetaDeg > 0) || math.IsInf(o.SigmaThetaDeg, 1):
		return o, fmt.Errorf("%w: σθ %g° (want > 0, finite)", ErrInput, o.SigmaThetaDeg)
	case !(o.ZM >= 0) || math.IsInf(o.ZM, 1):
		return o, fmt.Errorf("%w: receptor height %g m", ErrInput, o.ZM)
	case o.Stations < 2:
		return o, fmt.Errorf("%w: %d stations (want ≥ 2)", ErrInput, o.Stations)
	}
	return o, nil
}

// field evaluates the plume at every cell centre: one σ evaluation per cell
// downwind of the source (its x differs from every other cell's on a grid
// not aligned with the wind), none upwind, where the plume is zero. In
// circle mode a cell gets the centreline value at its distance.
func field(o ZoneOptions, w wind, circle bool) ([]float64, error) {
	g, p := o.Grid, o.Plume
	out := make([]float64, g.NX*g.NY)
	for j := range g.NY {
		n := g.MinN + (float64(j)+0.5)*g.CellM
		row := out[j*g.NX : (j+1)*g.NX]
		for i := range row {
			e := g.MinE + (float64(i)+0.5)*g.CellM
			x, y := w.toPlume(e, n)
			if circle {
				x, y = math.Hypot(e, n), 0
			}
			if x <= 0 {
				continue
			}
			s, err := p.Section(x)
			if err != nil {
				return nil, err
			}
			row[i] = s.At(y, o.ZM)
		}
	}
	return out, nil
}

// zoneShape finds one level's zone, its footprint and its confidence region.
func zoneShape(o ZoneOptions, w wind, loc float64, circle bool) (ZoneShape, error) {
	zn, err := o.Plume.Zone(loc)
	if err != nil {
		return ZoneShape{}, err
	}
	s := ZoneShape{Zone: zn}
	if !zn.Reached || zn.TooShort {
		return s, nil
	}
	if circle {
		c := orb.Polygon{circleRing(zn.FarM)}
		s.Polygon, s.Confidence = c, c
		return s, nil
	}
	ring, err := outline(o.Plume, zn, o.Stations)
	if err != nil {
		return ZoneShape{}, err
	}
	swept := sweep(ring, ConfidenceSigmas*o.SigmaThetaDeg)
	s.Polygon = orb.Polygon{rotate(ring, w)}
	s.Confidence = orb.Polygon{rotate(swept, w)}
	return s, nil
}

// outline is Plume.Footprint with its n stations spaced as Chebyshev nodes,
// x = Near + (Far − Near)·(1 − cos(πi/(n−1)))/2, crowded at both ends, where
// the half-width rises like a square root (the touchdown point and the tip)
// and evenly spaced stations cut the corner by a cell or more.
func outline(p Plume, zn Zone, n int) (orb.Ring, error) {
	half := make([]float64, n)
	xs := make([]float64, n)
	for i := range n {
		xs[i] = zn.NearM + (zn.FarM-zn.NearM)*(1-math.Cos(math.Pi*float64(i)/float64(n-1)))/2
		if xs[i] <= 0 {
			continue // the source point itself
		}
		w, err := p.HalfWidthM(xs[i], zn.LOCGM3)
		if err != nil {
			return nil, err
		}
		half[i] = w
	}
	ring := make(orb.Ring, 0, 2*n+1)
	for i := range n { // out along the right edge (y < 0)
		ring = append(ring, orb.Point{xs[i], -half[i]})
	}
	for i := n - 1; i >= 0; i-- { // back along the left edge
		if half[i] > 0 {
			ring = append(ring, orb.Point{xs[i], half[i]})
		}
	}
	return append(ring, ring[0]), nil
}

// rotate maps a ring from the dispersion frame into the plant frame, in
// place.
func rotate(r orb.Ring, w wind) orb.Ring {
	for i, p := range r {
		e, n := w.toPlant(p[0], p[1])
		r[i] = orb.Point{e, n}
	}
	return r
}

// circleSegments is the number of sides of a circular zone (1° each).
const circleSegments = 360

// circleRing is a closed counter-clockwise ring of radius rM around the
// source.
func circleRing(rM float64) orb.Ring {
	r := make(orb.Ring, 0, circleSegments+1)
	for k := range circleSegments {
		s, c := math.Sincos(2 * math.Pi * float64(k) / circleSegments)
		r = append(r, orb.Point{rM * c, rM * s})
	}
	return append(r, r[0])
}
