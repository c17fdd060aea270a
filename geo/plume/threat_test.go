package plume

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ammonia-like release used by the zone tests: 1 kg/s at ground level.
var zoneLOCs = []float64{0.766, 0.111, 0.0209} // ≈ NH₃ AEGL-3/2/1 (1100/160/30 ppm) in g/m³ at 25 °C

func TestThreatZonesFieldRotation(t *testing.T) {
	p := Plume{RateGS: 1000, WindMS: 3, Stability: D}
	for _, tc := range []struct {
		name    string
		fromDeg float64
		down    orb.Point // unit vector downwind
	}{
		{"west wind blows east", 270, orb.Point{1, 0}},
		{"north wind blows south", 0, orb.Point{0, -1}},
		{"south-west wind blows north-east", 225, orb.Point{math.Sqrt2 / 2, math.Sqrt2 / 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := ThreatZones(ZoneOptions{Plume: p, WindFromDeg: tc.fromDeg, LOCGM3: zoneLOCs})
			if err != nil {
				t.Fatal(err)
			}
			g := z.Grid
			if g != DefaultGrid() || len(z.Field) != 160000 || z.SigmaThetaDeg != 7.5 || z.Circle {
				t.Fatalf("grid %+v, %d cells, σθ %g, circle %v", g, len(z.Field), z.SigmaThetaDeg, z.Circle)
			}
			for _, ij := range [][2]int{{20, 300}, {390, 17}, {250, 250}, {123, 321}, {399, 399}} {
				c := g.Centre(ij[0], ij[1])
				x := c[0]*tc.down[0] + c[1]*tc.down[1]
				y := -c[0]*tc.down[1] + c[1]*tc.down[0]
				want := 0.0
				if x > 0 {
					s, err := p.Concentration(x, y, 0)
					if err != nil {
						t.Fatal(err)
					}
					want = s.ConcentrationGM3
				}
				if got := z.Field[ij[1]*g.NX+ij[0]]; !within(got, want, 1e-12) && !(want == 0 && got == 0) {
					t.Errorf("cell %v at %v: %g, want %g", ij, c, got, want)
				}
			}
			// The centreline cell 500 m downwind holds the centreline value.
			s, _ := p.Section(500)
			i := int((500*tc.down[0] - g.MinE) / g.CellM)
			j := int((500*tc.down[1] - g.MinN) / g.CellM)
			if got := z.Field[j*g.NX+i]; got > s.Centreline()*1.05 || got < s.Centreline()*0.5 {
				t.Errorf("centreline cell: %g, centreline %g", got, s.Centreline())
			}
		})
	}
}

// TestThreatZonesPolygonsMatchField: every cell clearly above a level of
// concern lies in its polygon and every cell clearly below lies outside, and
// the polygon's area matches the cell count.
func TestThreatZonesPolygonsMatchField(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Plume
	}{
		{"ground D", Plume{RateGS: 1000, WindMS: 3, Stability: D}},
		{"ground F urban", Plume{RateGS: 300, WindMS: 2, Stability: F, Sigma: BriggsUrban}},
		{"elevated B", Plume{RateGS: 5000, WindMS: 4, HeightM: 20, Stability: B}},
		{"flammable D", Plume{RateGS: 1000, WindMS: 3, Stability: D}.Flammable()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := ThreatZones(ZoneOptions{Plume: tc.p, WindFromDeg: 200, LOCGM3: zoneLOCs})
			if err != nil {
				t.Fatal(err)
			}
			g := z.Grid
			drawn := 0
			for k, lv := range z.Levels {
				if len(lv.Polygon) == 0 {
					continue
				}
				drawn++
				poly := lv.Polygon
				box := poly.Bound()
				bad := 0
				for j := range g.NY {
					for i := range g.NX {
						c, v := g.Centre(i, j), z.Field[j*g.NX+i]
						if math.Hypot(c[0], c[1]) < 3*g.CellM {
							continue // the source cell: the outline starts at a point
						}
						in := box.Contains(c) && planar.PolygonContains(poly, c)
						if (v > 1.05*lv.Zone.LOCGM3 && !in) || (v < 0.95*lv.Zone.LOCGM3 && in) {
							t.Logf("level %d: cell %v: C/LOC %.3f, inside %v", k, c, v/lv.Zone.LOCGM3, in)
							bad++
						}
					}
				}
				if bad > 0 {
					t.Errorf("level %d: %d cells on the wrong side of the outline", k, bad)
				}
				if lv.Cells > 200 && lv.Zone.FarM < 0.95*(-g.MinE) { // inside the grid
					area, cells := planar.Area(poly), float64(lv.Cells)*g.CellM*g.CellM
					if !within(area, cells, 0.05) {
						t.Errorf("level %d: polygon %.0f m², cells %.0f m²", k, area, cells)
					}
				}
				if !planar.PolygonContains(lv.Confidence, far(lv, z, 0.98)) {
					t.Errorf("level %d: confidence region misses the zone's far end", k)
				}
				for _, pt := range poly[0] {
					// The far arc runs through bin centres 0.25° apart: its chords
					// sag 2.4e-6·r inside the exact arc.
					if planar.DistanceFrom(lv.Confidence, pt) > 1e-5*lv.Zone.FarM && !planar.PolygonContains(lv.Confidence, pt) {
						t.Fatalf("level %d: footprint vertex %v outside the confidence region", k, pt)
					}
				}
			}
			if drawn == 0 {
				t.Fatal("no zone drawn")
			}
		})
	}
}

// far returns the point at fraction f of a zone's far end along the wind
// (WindFromDeg 200 in these tests).
func far(lv ZoneShape, _ Zones, f float64) orb.Point {
	d := Downwind(200)
	return orb.Point{d[0] * f * lv.Zone.FarM, d[1] * f * lv.Zone.FarM}
}

// TestConfidenceLines: the swept region holds the footprint turned by any
// angle within ±2σθ, reaches the far end at ±2σθ and not beyond.
func TestConfidenceLines(t *testing.T) {
	p := Plume{RateGS: 1000, WindMS: 3, Stability: D}
	const from, sigma = 90.0, 10.0
	z, err := ThreatZones(ZoneOptions{Plume: p, WindFromDeg: from, SigmaThetaDeg: sigma, LOCGM3: zoneLOCs[2:]})
	if err != nil {
		t.Fatal(err)
	}
	lv := z.Levels[0]
	conf := lv.Confidence
	for _, turn := range []float64{-19.7, -10, 0, 7, 19.7} {
		tz, err := ThreatZones(ZoneOptions{Plume: p, WindFromDeg: from + turn, LOCGM3: zoneLOCs[2:], Grid: Grid{CellM: 100, NX: 1, NY: 1}})
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range tz.Levels[0].Polygon[0] {
			if planar.DistanceFrom(conf, pt) > 0.01*lv.Zone.FarM && !planar.PolygonContains(conf, pt) {
				t.Fatalf("turn %g°: vertex %v outside the confidence region", turn, pt)
			}
		}
	}
	for _, tc := range []struct {
		turnDeg, f float64
		in         bool
	}{
		{0, 0.99, true}, {19.5, 0.99, true}, {-19.5, 0.99, true},
		{0, 1.01, false}, {15, 1.01, false},
		{180, 0.01, false},
	} {
		d := Downwind(from + tc.turnDeg)
		pt := orb.Point{d[0] * tc.f * lv.Zone.FarM, d[1] * tc.f * lv.Zone.FarM}
		if got := planar.PolygonContains(conf, pt); got != tc.in {
			t.Errorf("turn %g°, %.2f·FarM: inside %v, want %v", tc.turnDeg, tc.f, got, tc.in)
		}
	}
	// At 0.3·FarM the region spans ±(2σθ + the footprint's own half-angle).
	x := 0.3 * lv.Zone.FarM
	hw, err := p.HalfWidthM(x, lv.Zone.LOCGM3)
	if err != nil {
		t.Fatal(err)
	}
	edge := 2*sigma + math.Atan2(hw, x)*180/math.Pi
	for _, tc := range []struct {
		turnDeg float64
		in      bool
	}{{edge - 0.5, true}, {-edge + 0.5, true}, {edge + 0.5, false}, {-edge - 0.5, false}} {
		d := Downwind(from + tc.turnDeg)
		r := math.Hypot(x, hw)
		if got := planar.PolygonContains(conf, orb.Point{d[0] * r, d[1] * r}); got != tc.in {
			t.Errorf("turn %.2f° at %.0f m: inside %v, want %v", tc.turnDeg, r, got, tc.in)
		}
	}
}

func TestThreatZonesCircle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wind  float64
		sigma float64
	}{
		{"light wind", 0.8, 0},
		{"direction spread over ±180°", 3, 95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Plume{RateGS: 100, WindMS: tc.wind, Stability: F}
			z, err := ThreatZones(ZoneOptions{Plume: p, WindFromDeg: 45, SigmaThetaDeg: tc.sigma, LOCGM3: zoneLOCs})
			if err != nil {
				t.Fatal(err)
			}
			if !z.Circle {
				t.Fatal("not a circle")
			}
			for _, lv := range z.Levels {
				if !lv.Zone.Reached || lv.Zone.TooShort {
					continue
				}
				for _, pt := range lv.Polygon[0] {
					if r := math.Hypot(pt[0], pt[1]); !within(r, lv.Zone.FarM, 1e-9) {
						t.Fatalf("vertex at %g m, FarM %g", r, lv.Zone.FarM)
					}
				}
				// Cells in every direction at half the distance are in.
				for _, a := range []float64{0, 1.5, 3, 4.5} {
					s, c := math.Sincos(a)
					r := lv.Zone.FarM / 2
					g := z.Grid
					i, j := int((r*c-g.MinE)/g.CellM), int((r*s-g.MinN)/g.CellM)
					if i >= 0 && i < g.NX && j >= 0 && j < g.NY && z.Field[j*g.NX+i] < lv.Zone.LOCGM3 {
						t.Errorf("cell at %.0f m, %.1f rad below the LOC", r, a)
					}
				}
			}
		})
	}
}

func TestThreatZonesErrors(t *testing.T) {
	p := Plume{RateGS: 100, WindMS: 3, Stability: D}
	for _, tc := range []struct {
		name string
		o    ZoneOptions
		want error
	}{
		{"no LOC", ZoneOptions{Plume: p}, ErrInput},
		{"bad LOC", ZoneOptions{Plume: p, LOCGM3: []float64{-1}}, ErrInput},
		{"NaN direction", ZoneOptions{Plume: p, WindFromDeg: math.NaN(), LOCGM3: zoneLOCs}, ErrInput},
		{"bad grid", ZoneOptions{Plume: p, LOCGM3: zoneLOCs, Grid: Grid{CellM: 5, NX: -1, NY: 3}}, ErrInput},
		{"huge grid", ZoneOptions{Plume: p, LOCGM3: zoneLOCs, Grid: Grid{CellM: 5, NX: 1 << 20, NY: 1 << 20}}, ErrInput},
		{"negative σθ", ZoneOptions{Plume: p, LOCGM3: zoneLOCs, SigmaThetaDeg: -1}, ErrInput},
		{"no wind", ZoneOptions{Plume: Plume{RateGS: 1, Stability: D}, LOCGM3: zoneLOCs}, ErrInput},
		{"no class", ZoneOptions{Plume: Plume{RateGS: 1, WindMS: 1}, LOCGM3: zoneLOCs}, ErrStability},
		{"bad σy factor", ZoneOptions{Plume: Plume{RateGS: 1, WindMS: 1, Stability: D, Sigma: ScaledY{FactorY: -1}}, LOCGM3: zoneLOCs}, ErrInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ThreatZones(tc.o); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDefaultSigmaTheta(t *testing.T) {
	// EPA-454/R-99-005 §6.4.4 class bounds; F from NRC RG 1.23.
	want := map[Stability]float64{A: 22.5, B: 17.5, C: 12.5, D: 7.5, E: 3.8, F: 2.1}
	for s, w := range want {
		if got, err := DefaultSigmaThetaDeg(s); err != nil || got != w {
			t.Errorf("%v: %g, %v", s, got, err)
		}
	}
	if _, err := DefaultSigmaThetaDeg(0); !errors.Is(err, ErrStability) {
		t.Errorf("class 0: %v", err)
	}
}

// TestFlammableSigma: 0.561 is Turner's t^0.2 law from 3 min to 10 s, and
// the flammable plume's σy is scaled by it, σz not.
func TestFlammableSigma(t *testing.T) {
	if f := math.Pow(10.0/180, 0.2); !within(FlammableSigmaYFactor, f, 1e-3) {
		t.Errorf("(10/180)^0.2 = %.4f", f)
	}
	p := Plume{RateGS: 10, WindMS: 2, Stability: E, Sigma: ISC3}
	a, _ := p.Section(800)
	b, err := p.Flammable().Section(800)
	if err != nil {
		t.Fatal(err)
	}
	if !within(b.SigmaYM, 0.561*a.SigmaYM, 1e-12) || b.SigmaZM != a.SigmaZM || !within(b.Centreline(), a.Centreline()/0.561, 1e-12) {
		t.Errorf("σy %g vs %g, σz %g vs %g", b.SigmaYM, a.SigmaYM, b.SigmaZM, a.SigmaZM)
	}
}

func TestSectionRow(t *testing.T) {
	s, err := Plume{RateGS: 80, WindMS: 6, HeightM: 60, Stability: D}.Section(500)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float64, 41)
	s.Row(row, -100, 5, 1.5)
	for i, c := range row {
		if want := s.At(-100+5*float64(i), 1.5); !within(c, want, 1e-12) {
			t.Fatalf("y %g: %g, want %g", -100+5*float64(i), c, want)
		}
	}
	// Crowl & Louvar Ex 5-1 at y = 50 m, ground: 6.37e-5 g/m³ (REFERENCE §8).
	s.Row(row[:1], 50, 0, 0)
	if !within(row[0], 6.37e-5, 0.01) {
		t.Errorf("Ex 5-1 y = 50 m: %g", row[0])
	}
}
