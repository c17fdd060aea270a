package main

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// gasSpec is how detectors for one gas are configured.
type gasSpec struct {
	gas, substance, typ, unit string
	lo, hi, alarm1, alarm2    float64
	mountM                    float64 // above the floor
	nameZh, nameEn            string
}

// vmLPerMol is the molar volume at 20 °C and 101.325 kPa, used by Chinese
// OELs to convert mg/m³ to ppm (REFERENCE §6).
const vmLPerMol = 24.055

// combustible detectors: 0–100 %LEL (GB/T 50493-2019 §5.5.1), level 1 at
// 25 %LEL and level 2 at 50 %LEL (§5.5.2 items 1–2).
func combustible(gas, substance, zh string, mountM float64) gasSpec {
	return gasSpec{gas, substance, "combustible", "%LEL", 0, 100, 25, 50, mountM,
		zh + "可燃气体探测器", fmt.Sprintf("Combustible gas detector (%s)", gas)}
}

// toxic detectors read ppm: level 1 at 100 % and level 2 at 200 % of the OEL
// (GB/T 50493-2019 §5.5.2 item 3), converted from mg/m³ and rounded down to
// two significant digits so they never exceed it; the range is the smallest
// common product range covering 300 % of the OEL (§5.5.1).
func toxic(gas, substance, zh string, oelMgM3, mw, mountM float64) gasSpec {
	ppm := oelMgM3 * vmLPerMol / mw
	return gasSpec{gas, substance, "toxic", "ppm", 0, commonRange(3 * ppm), floorSig2(ppm), floorSig2(2 * ppm), mountM,
		zh + "有毒气体探测器", fmt.Sprintf("Toxic gas detector (%s)", gas)}
}

// floorSig2 rounds v > 0 down to two significant digits.
func floorSig2(v float64) float64 {
	scale := math.Pow(10, 1-math.Floor(math.Log10(v)))
	return math.Floor(v*scale+1e-9) / scale
}

// commonRanges are full-scale values detector makers offer.
var commonRanges = []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000}

func commonRange(v float64) float64 {
	for _, r := range commonRanges {
		if r >= v {
			return r
		}
	}
	return v
}

// Mount heights follow GB/T 50493-2019 ch. 6: gases heavier than air 0.3–0.6 m
// above the floor, lighter ones within 2 m above the release source, CO (as
// heavy as air) and oxygen in the breathing zone. OELs are GBZ 2.1-2019
// (MAC where one exists, else PC-TWA).
//
// Methanol is both combustible and toxic; GB/T 50493-2019 §3.0.1 item 3
// asks a toxic detector for such a single-component gas, so the methanol
// detectors are toxic cells on methanol's PC-TWA of 25 mg/m³ (0–100 ppm,
// 18/37 ppm), which also see a vapour cloud long before 25 %LEL (15,000 ppm).
var gases = map[string]gasSpec{
	"CH3OH": toxic("CH3OH", "methanol", "甲醇", 25, 32.04, 0.6),
	"H2":    combustible("H2", "hydrogen", "氢气", 2.5),
	"CH4":   combustible("CH4", "methane", "甲烷", 2.0),
	"NH3":   toxic("NH3", "ammonia", "氨气", 20, 17.03, 2.0),
	"H2S":   toxic("H2S", "hydrogen_sulfide", "硫化氢", 10, 34.08, 0.5),
	"CO":    toxic("CO", "carbon_monoxide", "一氧化碳", 20, 28.01, 1.6),
	"Cl2":   toxic("Cl2", "chlorine", "氯气", 1, 70.90, 0.5),
	// GB/T 50493-2019 §5.5.2 item 4: oxygen deficiency 19.5 %VOL, enrichment
	// 23.5 %VOL, on a 0–25 %VOL range (§5.5.1).
	"O2": {"O2", "", "oxygen", "%VOL", 0, 25, 19.5, 23.5, 1.6, "氧气探测器", "Oxygen detector"},
}

// gasOf maps a released substance to the gas its detector measures.
var gasOf = map[string]string{
	"methanol": "CH3OH", "hydrogen": "H2", "methane": "CH4", "ammonia": "NH3",
	"hydrogen_sulfide": "H2S", "carbon_monoxide": "CO", "chlorine": "Cl2",
}

// detEntry is n detectors of one gas on one host (building, unit or the
// tank dike); floor 0 spreads them over the host's floors.
type detEntry struct {
	host, gas string
	n, floor  int
}

// detPlan lists an area's detectors. The counts of the monitored areas are
// those of the seed's monitoring list.
type detPlan struct {
	area, prefix string
	entries      []detEntry
}

var detectorPlans = []detPlan{
	{"AR-MAINT", "MAINT", []detEntry{{"BLD-MAINT", "CH4", 5, 0}, {"BLD-MAINT", "O2", 3, 0}, {"BLD-MAINT", "CO", 3, 0}}},
	{"AR-FP", "FP", []detEntry{{"BLD-FP", "CH3OH", 8, 0}, {"BLD-FP", "NH3", 5, 0}}},
	{"AR-WTU", "WTU", []detEntry{{"BLD-DOSE", "Cl2", 3, 1}}},
	{"AR-N2", "N2", []detEntry{{"U-N2-COLDBOX", "O2", 9, 0}, {"BLD-N2C", "O2", 8, 1}}},
	{"AR-PNA", "PNA", []detEntry{{"U-PNA", "NH3", 14, 0}, {"U-PNA", "CH3OH", 8, 0}}},
	{"AR-MEOH", "MEOH", []detEntry{{"U-MEOH-SYN", "CO", 3, 0}, {"U-MEOH-SYN", "H2", 2, 0},
		{"U-MEOH-SYN", "CH3OH", 4, 0}, {"U-MEOH-DIS", "CH3OH", 6, 0}}},
	{"AR-PPD-AUX", "PPDAUX", []detEntry{{"BLD-PPD-AUX", "H2", 6, 0}, {"BLD-PPD-AUX", "NH3", 4, 0}, {"BLD-PPD-AUX", "CH3OH", 6, 0}}},
	{"AR-WWT", "WWT", []detEntry{
		{"U-WWT-EQ", "H2S", 2, 0}, {"U-WWT-EQ", "NH3", 1, 0}, {"U-WWT-EQ", "CH4", 1, 0},
		{"U-WWT-BIO", "H2S", 2, 0}, {"U-WWT-BIO", "NH3", 1, 0}, {"U-WWT-BIO", "CH4", 1, 0},
		{"U-WWT-SED", "H2S", 1, 0}, {"U-WWT-SED", "NH3", 1, 0}, {"U-WWT-SED", "CH4", 1, 0},
		{"BLD-WWT", "O2", 2, 1}}},
	{"AR-B1", "B1", []detEntry{{"BLD-B1", "CH4", 4, 1}, {"BLD-B1", "CO", 2, 1}, {"BLD-B1", "O2", 2, 5}}},
	{"AR-TANK", "TANK", []detEntry{{"U-TANK-PUMP", "CH3OH", 3, 0}, {"U-TANK-PUMP", "NH3", 3, 0},
		{"AR-TANK-DIKE", "CH3OH", 9, 0}, {"AR-TANK-DIKE", "NH3", 5, 0}}},
	{"AR-PACK", "PACK", []detEntry{{"BLD-PACK", "CH3OH", 2, 1}, {"BLD-PACK", "NH3", 1, 1}}},
	{"AR-LOAD", "LOAD", []detEntry{{"U-LOAD-MEOH", "CH3OH", 4, 0}, {"U-LOAD-NH3", "NH3", 4, 0}}},
	{"AR-PPD", "PPD", []detEntry{{"U-PPD", "H2", 6, 0}, {"U-PPD", "CH3OH", 4, 0}, {"U-PPD", "NH3", 2, 0}}},
}

// placed is one detector position.
type placed struct {
	entry int
	at    orb.Point
	floor int
}

// releaseOffset puts a release source's detector 1.6 m from it, within the
// 2 m an enclosed toxic source allows (GB/T 50493-2019 ch. 4, REFERENCE §6).
var releaseOffset = orb.Point{1.2, 1.0}

func (p *plant) addDetectors() {
	for _, plan := range detectorPlans {
		rem := make([]int, len(plan.entries))
		for i, en := range plan.entries {
			rem[i] = en.n
		}
		var spots []placed
		for _, src := range p.releases {
			if i := matchEntry(plan, rem, src); i >= 0 {
				rem[i]--
				spots = append(spots, placed{i, orb.Point{src.at[0] + releaseOffset[0], src.at[1] + releaseOffset[1]}, src.floor})
			}
		}
		spots = append(spots, p.spread(plan, rem)...)
		for k, s := range spots {
			p.addDetector(fmt.Sprintf("GD-%s-%02d", plan.prefix, k+1), plan.entries[s.entry], s)
		}
	}
	for _, src := range p.releases {
		if !p.covered(src) {
			panic(fmt.Sprintf("demogen: release source %s has no %s detector", src.id, gasOf[src.substance]))
		}
	}
}

// matchEntry returns the entry that covers release source src, or -1.
func matchEntry(plan detPlan, rem []int, src *equipment) int {
	for i, en := range plan.entries {
		if en.host == src.parent && en.gas == gasOf[src.substance] && rem[i] > 0 && (en.floor == 0 || en.floor == src.floor) {
			return i
		}
	}
	return -1
}

func (p *plant) covered(src *equipment) bool {
	for _, f := range p.layers[fileDetectors] {
		if f.props["gas"] == gasOf[src.substance] && dist(f.geom.(orb.Point), src.at) < 2 {
			return true
		}
	}
	return false
}

// spread places the detectors not tied to a release source: around unit
// outlines, on a grid on each building floor, next to tanks in the dike.
func (p *plant) spread(plan detPlan, rem []int) []placed {
	var out []placed
	done := map[string]bool{}
	for _, en := range plan.entries {
		if done[en.host] {
			continue
		}
		done[en.host] = true
		var idx []int
		for i, e := range plan.entries {
			if e.host == en.host && rem[i] > 0 {
				idx = append(idx, i)
			}
		}
		switch {
		case en.host == "AR-TANK-DIKE":
			out = append(out, p.tankSpots(plan, idx, rem)...)
		case p.floors[en.host] > 0:
			out = append(out, p.floorSpots(plan, en.host, idx, rem)...)
		default:
			seq := interleave(idx, rem)
			for k, at := range p.rects[en.host].grow(-1).perimeter(len(seq)) {
				out = append(out, placed{seq[k], at, 0})
			}
		}
	}
	return out
}

// interleave lists entry indices round-robin until their counts run out.
func interleave(idx, rem []int) []int {
	left := make(map[int]int, len(idx))
	total := 0
	for _, i := range idx {
		left[i] = rem[i]
		total += rem[i]
	}
	seq := make([]int, 0, total)
	for len(seq) < total {
		for _, i := range idx {
			if left[i] > 0 {
				seq = append(seq, i)
				left[i]--
			}
		}
	}
	return seq
}

func (p *plant) floorSpots(plan detPlan, host string, idx, rem []int) []placed {
	n := p.floors[host]
	perFloor := make([][]int, n+1)
	rr := 0
	for _, i := range interleave(idx, rem) {
		f := plan.entries[i].floor
		if f == 0 {
			f = 1 + rr%n
			rr++
		}
		perFloor[f] = append(perFloor[f], i)
	}
	var out []placed
	for f := 1; f <= n; f++ {
		for k, at := range p.rects[host].grow(-2.5).grid(len(perFloor[f])) {
			out = append(out, placed{perFloor[f][k], at, f})
		}
	}
	return out
}

// tankSpots puts two detectors by each tank holding the entry's substance,
// north-west and south-east of it, 2.5 m off the shell.
func (p *plant) tankSpots(plan detPlan, idx, rem []int) []placed {
	var out []placed
	for _, i := range idx {
		sub := gases[plan.entries[i].gas].substance
		var spots []orb.Point
		for _, t := range tankSpecs {
			if t.substance == sub {
				d := (t.radiusM + 2.5) / math.Sqrt2
				spots = append(spots, orb.Point{t.at[0] - d, t.at[1] + d}, orb.Point{t.at[0] + d, t.at[1] - d})
			}
		}
		if len(spots) < rem[i] {
			panic(fmt.Sprintf("demogen: %d %s detectors for %d tank spots", rem[i], sub, len(spots)))
		}
		for _, at := range spots[:rem[i]] {
			out = append(out, placed{i, at, 0})
		}
	}
	return out
}

func (p *plant) addDetector(id string, en detEntry, s placed) {
	g := gases[en.gas]
	h := g.mountM
	props := P{"name": g.nameZh, "name_en": g.nameEn, "parent": en.host, "gas": g.gas,
		"detector_type": g.typ, "unit": g.unit, "range": []float64{g.lo, g.hi},
		"alarm1": g.alarm1, "alarm2": g.alarm2}
	if g.substance != "" {
		props["substance"] = g.substance
	}
	if s.floor > 0 {
		fh := p.floorH[en.host]
		h = float64(s.floor-1)*fh + min(h, fh-0.3)
		props["floor"] = s.floor
	}
	props["height"] = roundTo(h, 2)
	p.add(fileDetectors, id, twin.KindGasDetector, snap(s.at), props)
}
