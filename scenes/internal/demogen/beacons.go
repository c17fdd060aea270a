package main

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// Beacon deployment, as BLE positioning vendors lay it out for the 3 m
// static / 5 m moving accuracy of AQ 3064.3-2025: one beacon every 15 m
// along outdoor walkways (on lamp posts and pipe-rack columns, 3 m up) and
// a grid of about 12 m cells on every building floor (under the ceiling).
const (
	beaconOutdoorSpacingM = 15.0
	beaconIndoorCellM     = 12.0
	beaconPoleM           = 3.0
	beaconAreaCellM       = 24.0 // outdoor grid in working areas
	beaconAreaInsetM      = 8.0  // the grid's inset from the area's edge
	// The coverage survey: every outdoor point of a working area (on a
	// beaconSurveyStepM raster) must be located by one report to
	// beaconMaxSigmaM in its worst direction from the outdoor beacons
	// within beaconSurveyRangeM — inside the 30 m at which a BLE beacon is
	// lost in the AQ 3064.3 Annex A channel model (REFERENCE.md §1).
	beaconSurveyStepM  = 4.0
	beaconSurveyRangeM = 25.0
	beaconMaxSigmaM    = 12.0
	beaconFillOffsetM  = 10.0
	beaconRSSI1m       = -59.0 // dBm at 1 m, iBeacon calibration
	beaconTxPowerDBm   = 0.0
	beaconIntervalMs   = 500.0
)

func (p *plant) addBeacons() {
	n := 0
	next := func() string { n++; return fmt.Sprintf("BC-%04d", n) }
	var placedAt []orb.Point
	for _, l := range p.net.lines {
		if l.kind != twin.KindWalkway || l.indoor {
			continue
		}
		for _, at := range spaced(l.pts, beaconOutdoorSpacingM) {
			if nearAny(placedAt, at, beaconOutdoorSpacingM/2) {
				continue
			}
			placedAt = append(placedAt, at)
			id := next()
			p.addBeacon(id, at, p.parentAt(at), 0, beaconPoleM, n)
		}
	}
	// Working areas are covered off the walkways too (AQ 3064.3-2025: the
	// production area is covered): a grid of pole-mounted beacons, except
	// inside buildings (they have their own) and next to a walkway beacon.
	// Beacons along walkways alone are collinear there, and a tag standing
	// 10 m off the line could be on either side of it.
	for _, a := range areaSpecs {
		if !coveredArea[a.typ] {
			continue
		}
		r := a.r.grow(-beaconAreaInsetM)
		if r.w() <= 0 || r.h() <= 0 {
			continue
		}
		cols := max(1, int(math.Round(r.w()/beaconAreaCellM))+1)
		rows := max(1, int(math.Round(r.h()/beaconAreaCellM))+1)
		for _, at := range r.grid(cols * rows) {
			if nearAny(placedAt, at, beaconAreaCellM*0.6) || p.inBuilding(at) {
				continue
			}
			placedAt = append(placedAt, at)
			p.addBeacon(next(), at, a.id, 0, beaconPoleM, n)
		}
	}
	// The survey fills the holes the grid leaves next to buildings and
	// walkway rows. Where a point fails, a pole goes where it resolves the
	// point's worst direction: beaconFillOffsetM across it, inside the
	// area, off buildings (a pole at the point itself would grow a row of
	// poles along the failing edge, and a row leaves a mirror ambiguity
	// across it).
	for _, a := range areaSpecs {
		if !coveredArea[a.typ] {
			continue
		}
		for y := a.r.y0 + beaconSurveyStepM/2; y < a.r.y1; y += beaconSurveyStepM {
			for x := a.r.x0 + beaconSurveyStepM/2; x < a.r.x1; x += beaconSurveyStepM {
				q := orb.Point{x, y}
				if p.inBuilding(q) {
					continue
				}
				ok, weak := survey(placedAt, q)
				if ok {
					continue
				}
				at := q
				for _, c := range []orb.Point{
					{q[0] + beaconFillOffsetM*weak[0], q[1] + beaconFillOffsetM*weak[1]},
					{q[0] - beaconFillOffsetM*weak[0], q[1] - beaconFillOffsetM*weak[1]},
				} {
					if a.r.contains(c) && !p.inBuilding(c) && !nearAny(placedAt, c, beaconSurveyStepM) {
						at = c
						break
					}
				}
				placedAt = append(placedAt, at)
				p.addBeacon(next(), at, a.id, 0, beaconPoleM, n)
			}
		}
	}
	for _, b := range buildingSpecs {
		r := b.r.grow(-1)
		cols := max(1, int(math.Round(r.w()/beaconIndoorCellM)))
		rows := max(1, int(math.Round(r.h()/beaconIndoorCellM)))
		for f := 1; f <= b.floors; f++ {
			h := float64(f-1)*b.floorH + min(b.floorH-0.5, 3.0)
			for _, at := range r.grid(cols * rows) {
				id := next()
				p.addBeacon(id, at, b.id, f, h, n)
			}
		}
	}
}

// survey reports whether a tag at q hears enough outdoor beacons of pts,
// well enough spread around it: one report must locate it to
// beaconMaxSigmaM in its worst direction, which it returns as a unit
// vector. Each beacon within beaconSurveyRangeM gives a range known to
// ±42 % (n = 2.2, σ = 4 dB: σ_d = d·ln10·σ/(10·n)), so its information
// about the position is u·uᵀ/σ_d² along its direction u; the smaller
// eigenvalue of their sum is the worst direction's. Beacons on one line
// leave the direction across it without information.
func survey(pts []orb.Point, q orb.Point) (ok bool, weak orb.Point) {
	const relSigma = 4 * math.Ln10 / 22
	var ixx, ixy, iyy float64
	for _, x := range pts {
		d := dist(x, q)
		if d > beaconSurveyRangeM {
			continue
		}
		if d < 1 {
			return true, orb.Point{1, 0} // a beacon right here
		}
		ux, uy := (x[0]-q[0])/d, (x[1]-q[1])/d
		w := 1 / (relSigma * relSigma * math.Max(d, 3) * math.Max(d, 3))
		ixx, ixy, iyy = ixx+w*ux*ux, ixy+w*ux*uy, iyy+w*uy*uy
	}
	small := (ixx+iyy)/2 - math.Sqrt((ixx-iyy)*(ixx-iyy)/4+ixy*ixy)
	// eigenvector of small: (ixy, small − ixx), or an axis when diagonal
	weak = orb.Point{ixy, small - ixx}
	if l := math.Hypot(weak[0], weak[1]); l > 1e-12 {
		weak = orb.Point{weak[0] / l, weak[1] / l}
	} else if ixx <= iyy {
		weak = orb.Point{1, 0}
	} else {
		weak = orb.Point{0, 1}
	}
	return small*beaconMaxSigmaM*beaconMaxSigmaM >= 1, weak
}

// coveredArea are the area types where people work outdoors off the
// walkways: their whole area gets beacons.
var coveredArea = map[string]bool{"production": true, "storage": true, "logistics": true, "packaging": true, "wastewater": true, "utility": true, "workshop": true}

// inBuilding reports whether at lies inside a building footprint.
func (p *plant) inBuilding(at orb.Point) bool {
	for _, b := range buildingSpecs {
		if b.r.grow(1).contains(at) {
			return true
		}
	}
	return false
}

func (p *plant) addBeacon(id string, at orb.Point, parent string, floor int, h float64, serial int) {
	props := P{"parent": parent, "height": roundTo(h, 2), "rssi_1m": beaconRSSI1m,
		"tx_power_dbm": beaconTxPowerDBm, "interval_ms": beaconIntervalMs,
		// locally administered addresses (02:…) so they clash with no vendor's
		"mac": fmt.Sprintf("02:43:54:%02X:%02X:%02X", serial>>16&0xff, serial>>8&0xff, serial&0xff)}
	file := fileBeacons
	if floor > 0 {
		props["floor"] = floor
		file = fileBeaconsIndoor
	}
	p.add(file, id, twin.KindBeacon, snap(at), props)
}

// spaced returns points every step metres along a polyline, from its start.
func spaced(pts []orb.Point, step float64) []orb.Point {
	total := 0.0
	for i := 1; i < len(pts); i++ {
		total += dist(pts[i-1], pts[i])
	}
	var out []orb.Point
	for d := 0.0; d <= total+1e-9; d += step {
		out = append(out, along(pts, d))
	}
	return out
}

func nearAny(pts []orb.Point, q orb.Point, r float64) bool {
	for _, x := range pts {
		if dist(x, q) < r {
			return true
		}
	}
	return false
}
