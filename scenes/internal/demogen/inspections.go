package main

import (
	"fmt"
	"hash/crc32"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// Files of the inspections (W7): the points are a layer, the routes and
// plans a JSON file.
const (
	fileInspectionPoints = "inspection_points.geojson"
	fileInspections      = "inspections.json"
)

// Check-in defaults (twin/inspect: 15 m, 20 s). Indoors the radius is
// smaller (the positioning is finer, and the next room is near); points
// checked in by trajectory (gates, doors) take a short dwell, since people
// walk through them.
const (
	outdoorRadiusM = 15.0
	indoorRadiusM  = 8.0
	autoRadiusM    = 10.0
	minDwellS      = 20.0
	autoDwellS     = 5.0
	plateHeightM   = 1.2 // the QR plate's height above the floor
)

// pointSpec is one inspection point. An equipment point sits at off from
// what it checks (equipment, tank or gas detector) and takes its parent; a
// place sits at at, near anchor (a building, gate, unit, area or muster
// point). list names the checklist; a point without one is checked in by
// trajectory.
type pointSpec struct {
	id, name, nameEn  string
	equipment, anchor string
	off, at           orb.Point
	parent            string
	floor             int
	list              string
}

// The demo's points: the methanol, ammonolysis and hydrogenation units,
// the tank farm and its ammonia spheres, the loading racks, utilities and
// fire water, and the gates, the control-room door, the fire station, a
// muster point, wastewater and a few gas detectors for the safety round.
var pointSpecs = []pointSpec{
	{id: "IP-001", equipment: "C-301", off: orb.Point{0, -3.5}},
	{id: "IP-002", equipment: "R-301", off: orb.Point{0, -4}},
	{id: "IP-003", equipment: "FL-302", off: orb.Point{0, 3}},
	{id: "IP-004", equipment: "FL-301", off: orb.Point{0, -3}},
	{id: "IP-005", equipment: "P-301A", off: orb.Point{0, -3}},
	{id: "IP-006", equipment: "P-301B", off: orb.Point{0, -3}},
	{id: "IP-007", equipment: "T-302", off: orb.Point{0, -4}},
	{id: "IP-008", equipment: "T-303", off: orb.Point{0, -4}},
	{id: "IP-009", equipment: "T-304", off: orb.Point{0, -4}},
	{id: "IP-010", equipment: "P-302", off: orb.Point{0, -3}},
	// methanol tanks, 2.5 m off the shell on the stairway side
	{id: "IP-011", equipment: "P-401A", off: orb.Point{0, 3}},
	{id: "IP-012", equipment: "P-401B", off: orb.Point{0, 3}},
	{id: "IP-013", equipment: "TK-401", off: orb.Point{0, 10.4}},
	{id: "IP-014", equipment: "TK-402", off: orb.Point{0, 10.4}},
	{id: "IP-015", equipment: "TK-403", off: orb.Point{0, 10.4}},
	{id: "IP-016", equipment: "TK-404", off: orb.Point{0, 10.4}},
	{id: "IP-017", equipment: "FL-401", off: orb.Point{0, -3}},
	{id: "IP-018", name: "罐区防火堤", nameEn: "Tank-farm dike", anchor: "AR-TANK-DIKE", at: orb.Point{380, -349}, parent: "AR-TANK", list: "dike"},
	{id: "IP-019", name: "罐区西侧消防炮", nameEn: "Tank-farm west fire monitor", anchor: "AR-TANK-DIKE", at: orb.Point{326, -230}, parent: "AR-TANK", list: "monitor"},
	// ammonia spheres
	{id: "IP-020", equipment: "P-402A", off: orb.Point{0, 3}},
	{id: "IP-021", equipment: "P-402B", off: orb.Point{0, 3}},
	{id: "IP-022", equipment: "TK-405", off: orb.Point{0, 6.15}},
	{id: "IP-023", equipment: "TK-406", off: orb.Point{0, 6.15}},
	{id: "IP-024", equipment: "FL-402", off: orb.Point{3, 0}},
	{id: "IP-025", name: "液氨球罐水喷淋阀组", nameEn: "Ammonia sphere water-spray valves", anchor: "AR-TANK-DIKE", at: orb.Point{534, -280}, parent: "AR-TANK", list: "spray"},
	// loading
	{id: "IP-026", equipment: "LA-01", off: orb.Point{0, 4}},
	{id: "IP-027", equipment: "LA-02", off: orb.Point{0, 4}},
	{id: "IP-028", equipment: "LA-03", off: orb.Point{0, 4}},
	{id: "IP-029", equipment: "LA-04", off: orb.Point{0, 4}},
	{id: "IP-030", name: "甲醇装车栈台安全设施", nameEn: "Methanol loading rack safety equipment", anchor: "U-LOAD-MEOH", at: orb.Point{100, -246}, parent: "U-LOAD-MEOH", list: "rack_meoh"},
	{id: "IP-031", name: "液氨装卸栈台安全设施", nameEn: "Ammonia loading rack safety equipment", anchor: "U-LOAD-NH3", at: orb.Point{210, -246}, parent: "U-LOAD-NH3", list: "rack_nh3"},
	// utilities
	{id: "IP-032", equipment: "K-601", off: orb.Point{0, 2.5}, floor: 1},
	{id: "IP-033", equipment: "K-602", off: orb.Point{0, 2.5}, floor: 1},
	{id: "IP-034", equipment: "V-603", off: orb.Point{-4, 0}},
	{id: "IP-035", name: "空分冷箱", nameEn: "Air-separation cold box", anchor: "U-N2-COLDBOX", at: orb.Point{84, 290}, parent: "U-N2-COLDBOX", list: "coldbox"},
	{id: "IP-036", name: "变电所外围", nameEn: "Substation perimeter", anchor: "AR-SUB", at: orb.Point{245, 393.5}, parent: "AR-SUB", list: "substation"},
	{id: "IP-037", equipment: "CL-101", off: orb.Point{0, 2.5}, floor: 1},
	{id: "IP-038", name: "循环水处理", nameEn: "Cooling-water treatment", anchor: "U-WTU", at: orb.Point{380, 216}, parent: "U-WTU", list: "cooling"},
	{id: "IP-039", name: "电动消防泵", nameEn: "Electric fire pump", anchor: "BLD-FWP", at: orb.Point{505, 315}, parent: "BLD-FWP", floor: 1, list: "fire_pump"},
	{id: "IP-040", name: "柴油消防泵", nameEn: "Diesel fire pump", anchor: "BLD-FWP", at: orb.Point{535, 315}, parent: "BLD-FWP", floor: 1, list: "diesel_pump"},
	// p-nitroaniline ammonolysis
	{id: "IP-041", equipment: "R-101A", off: orb.Point{4, 0}},
	{id: "IP-042", equipment: "R-101B", off: orb.Point{4, 0}},
	{id: "IP-043", equipment: "P-101A", off: orb.Point{0, -3}},
	{id: "IP-044", equipment: "P-101B", off: orb.Point{0, -3}},
	{id: "IP-045", equipment: "FL-101", off: orb.Point{0, 3}},
	{id: "IP-046", equipment: "P-102", off: orb.Point{0, -3}},
	{id: "IP-047", equipment: "T-101", off: orb.Point{0, -4}},
	// PPD hydrogenation, its auxiliary building and the filter-press house
	{id: "IP-048", equipment: "R-201A", off: orb.Point{-4, 0}},
	{id: "IP-049", equipment: "R-201B", off: orb.Point{-4, 0}},
	{id: "IP-050", equipment: "K-201", off: orb.Point{0, -4}},
	{id: "IP-051", equipment: "P-201", off: orb.Point{3, 0}},
	{id: "IP-052", equipment: "FL-201", off: orb.Point{0, 3}},
	{id: "IP-053", equipment: "E-201", off: orb.Point{0, -4}},
	{id: "IP-054", equipment: "K-202", off: orb.Point{0, 5}, floor: 1},
	{id: "IP-055", equipment: "P-203", off: orb.Point{0, -5}, floor: 2},
	{id: "IP-056", equipment: "V-204", off: orb.Point{4, 0}, floor: 3},
	{id: "IP-057", equipment: "FP-201A", off: orb.Point{0, 4}, floor: 2},
	{id: "IP-058", equipment: "FP-201B", off: orb.Point{0, 4}, floor: 2},
	{id: "IP-059", equipment: "P-204", off: orb.Point{0, 4}, floor: 1},
	// the safety round: doors and gates by trajectory, the fire station, a
	// muster point, wastewater and gas detectors
	{id: "IP-060", name: "中控室入口", nameEn: "Control room entrance", anchor: "BLD-CCR", at: orb.Point{-370, 353}, parent: "AR-CCR"},
	{id: "IP-061", name: "主大门", nameEn: "Main gate", anchor: "GT-MAIN", at: orb.Point{-432, 410}, parent: "AR-GATE-MAIN"},
	{id: "IP-062", name: "应急大门", nameEn: "Emergency gate", anchor: "GT-EMG", at: orb.Point{-588, -126}, parent: "GT-EMG"},
	{id: "IP-063", name: "物流大门", nameEn: "Logistics gate", anchor: "GT-LOG", at: orb.Point{8, -410}, parent: "AR-GATE-LOG"},
	{id: "IP-064", name: "消防站", nameEn: "Fire station", anchor: "BLD-FIRE", at: orb.Point{-553, 80}, parent: "AR-FIRE", list: "fire_station"},
	{id: "IP-065", name: "1#应急集合点", nameEn: "Muster point 1", anchor: "MP-01", at: orb.Point{-367, 60}, list: "muster"},
	{id: "IP-066", name: "污水生化池", nameEn: "Biological treatment tank", anchor: "U-WWT-BIO", at: orb.Point{-420, -297}, parent: "U-WWT-BIO", list: "aeration"},
	{id: "IP-067", name: "污水鼓风机", nameEn: "Wastewater aeration blowers", anchor: "BLD-WWT", at: orb.Point{-425, -255}, parent: "BLD-WWT", floor: 1, list: "blower"},
	{id: "IP-068", equipment: "GD-TANK-09", off: orb.Point{-1.5, 1.5}},
	{id: "IP-069", equipment: "GD-TANK-17", off: orb.Point{-1.5, 1.5}},
	{id: "IP-070", equipment: "GD-LOAD-08", off: orb.Point{0, -2}},
	{id: "IP-071", equipment: "GD-MEOH-07", off: orb.Point{0, 2}},
}

// pointCode is what a point's QR code carries: "CT-" + id + "-" + a check
// suffix, the low 16 bits of the CRC-32 (IEEE) of "CT-" + id in
// hexadecimal, so that a mistyped code is caught before it is sent.
func pointCode(id string) string {
	head := "CT-" + id
	return fmt.Sprintf("%s-%04X", head, crc32.ChecksumIEEE([]byte(head))&0xffff)
}

func (p *plant) addInspectionPoints() {
	for _, s := range pointSpecs {
		at, props := p.pointPlace(s)
		props["code"] = pointCode(s.id)
		props["radius_m"], props["min_dwell_s"] = outdoorRadiusM, minDwellS
		if s.floor > 0 {
			props["floor"] = s.floor
			props["radius_m"] = indoorRadiusM
		}
		props["height"] = plateHeightM
		if b, ok := p.floorH[p.buildingOf(props)]; ok && s.floor > 0 {
			props["height"] = roundTo(float64(s.floor-1)*b+plateHeightM, 2)
		}
		if list := p.checklist(s); len(list) > 0 {
			props["checklist"] = list
		} else {
			props["auto_checkin"] = true
			props["radius_m"], props["min_dwell_s"] = autoRadiusM, autoDwellS
		}
		p.add(fileInspectionPoints, s.id, twin.KindInspectionPoint, snap(at), props)
	}
}

// pointPlace returns where a point is and its name, parent and equipment.
func (p *plant) pointPlace(s pointSpec) (orb.Point, P) {
	if s.equipment == "" {
		props := P{"name": s.name, "name_en": s.nameEn, "parent": s.parent}
		if s.parent == "" {
			props["parent"] = p.parentAt(s.at)
		}
		return s.at, props
	}
	f, ok := p.byID[s.equipment]
	if !ok {
		panic("demogen: inspection point " + s.id + " checks unknown " + s.equipment)
	}
	q := f.geom.(orb.Point)
	props := P{"name": f.props["name"], "name_en": f.props["name_en"], "parent": f.props["parent"], "equipment": s.equipment}
	if f.props["kind"] == string(twin.KindGasDetector) { // many share a name
		props["name"] = fmt.Sprintf("%s %s", f.props["name"], s.equipment)
		props["name_en"] = fmt.Sprintf("%s %s", f.props["name_en"], s.equipment)
	}
	return orb.Point{q[0] + s.off[0], q[1] + s.off[1]}, props
}

// buildingOf returns the building an indoor point is in: its parent or its
// parent's parent.
func (p *plant) buildingOf(props P) string {
	for id, _ := props["parent"].(string); id != ""; {
		if _, ok := p.floors[id]; ok {
			return id
		}
		f := p.byID[id]
		if f == nil {
			break
		}
		id, _ = f.props["parent"].(string)
	}
	return ""
}

// checklist returns a point's checklist: by the type of what it checks,
// or by the place's list name; nil for a point checked in by trajectory.
func (p *plant) checklist(s pointSpec) []item {
	if s.equipment == "" {
		switch s.list {
		case "":
			return nil
		case "rack_meoh":
			return rackChecklist("CH3OH")
		case "rack_nh3":
			return rackChecklist("NH3")
		}
		return placeList(s.list)
	}
	for _, t := range tankSpecs {
		if t.id == s.equipment {
			return tankChecklist(t)
		}
	}
	f := p.byID[s.equipment]
	if f.props["kind"] == string(twin.KindGasDetector) {
		return detectorChecklist(f)
	}
	gas := gasOf[fmt.Sprint(f.props["substance"])]
	switch typ := f.props["equipment_type"]; typ {
	case "pump":
		return pumpChecklist(s.equipment)
	case "compressor":
		return compressorChecklist(s.equipment)
	case "reactor":
		return reactorChecklist(s.equipment)
	case "column":
		return columnChecklist(s.equipment)
	case "flange":
		return flangeChecklist(gas)
	case "loading_point":
		return loadingChecklist(gas)
	default:
		return placeList(equipmentLists[fmt.Sprint(typ)])
	}
}

// equipmentLists name the checklists of the other equipment types.
var equipmentLists = map[string]string{
	"vent": "vent", "filter_press": "filter_press", "heat_exchanger": "exchanger", "dosing": "chlorinator", "vessel": "ln2",
}

func placeList(name string) []item {
	f, ok := placeChecklists[name]
	if !ok {
		panic(fmt.Sprintf("demogen: no checklist %q", name))
	}
	return f()
}
