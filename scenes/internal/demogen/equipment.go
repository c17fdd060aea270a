package main

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// equipment is one item of equipment drawn as a point. Release sources
// (pumps, flanges, loading arms, compressors) are where gas detectors go.
type equipment struct {
	id, parent, name, nameEn, typ, substance string
	at                                       orb.Point
	height                                   float64
	floor                                    int // inside a building; 0 outdoors
	release                                  bool
}

var equipmentSpecs = []equipment{
	// p-nitroaniline: ammonolysis of p-nitrochlorobenzene with ammonia, methanol wash.
	{"R-101A", "U-PNA", "氨解反应釜A", "Ammonolysis reactor A", "reactor", "ammonia", orb.Point{-230, -40}, 8, 0, false},
	{"R-101B", "U-PNA", "氨解反应釜B", "Ammonolysis reactor B", "reactor", "ammonia", orb.Point{-230, 0}, 8, 0, false},
	{"P-101A", "U-PNA", "液氨进料泵A", "Ammonia feed pump A", "pump", "ammonia", orb.Point{-180, -60}, 1.2, 0, true},
	{"P-101B", "U-PNA", "液氨进料泵B", "Ammonia feed pump B", "pump", "ammonia", orb.Point{-170, -60}, 1.2, 0, true},
	{"FL-101", "U-PNA", "液氨管线法兰", "Ammonia line flange", "flange", "ammonia", orb.Point{-200, 10}, 4, 0, true},
	{"P-102", "U-PNA", "甲醇洗涤泵", "Methanol wash pump", "pump", "methanol", orb.Point{-165, 0}, 1.2, 0, true},
	{"T-101", "U-PNA", "甲醇回收塔", "Methanol recovery column", "column", "methanol", orb.Point{-160, -30}, 22, 0, false},
	// PPD: catalytic hydrogenation of p-nitroaniline in methanol.
	{"R-201A", "U-PPD", "加氢反应釜A", "Hydrogenation reactor A", "reactor", "hydrogen", orb.Point{70, -20}, 10, 0, true},
	{"R-201B", "U-PPD", "加氢反应釜B", "Hydrogenation reactor B", "reactor", "hydrogen", orb.Point{70, 20}, 10, 0, true},
	{"K-201", "U-PPD", "氢气压缩机", "Hydrogen compressor", "compressor", "hydrogen", orb.Point{120, -40}, 3, 0, true},
	{"P-201", "U-PPD", "甲醇进料泵", "Methanol feed pump", "pump", "methanol", orb.Point{120, 30}, 1.2, 0, true},
	{"FL-201", "U-PPD", "氨气管线法兰", "Ammonia vent line flange", "flange", "ammonia", orb.Point{60, 45}, 4, 0, true},
	{"E-201", "U-PPD", "反应冷凝器", "Reaction condenser", "heat_exchanger", "methanol", orb.Point{100, 0}, 6, 0, false},
	{"K-202", "BLD-PPD-AUX", "氢气循环压缩机", "Hydrogen recycle compressor", "compressor", "hydrogen", orb.Point{220, 80}, 2.5, 1, true},
	{"P-203", "BLD-PPD-AUX", "甲醇溶剂泵", "Methanol solvent pump", "pump", "methanol", orb.Point{260, 100}, 5.7, 2, true},
	{"V-204", "BLD-PPD-AUX", "氨吸收塔放空口", "Ammonia scrubber vent", "vent", "ammonia", orb.Point{240, 90}, 12, 3, true},
	{"FP-201A", "BLD-FP", "板框压滤机A", "Plate filter press A", "filter_press", "methanol", orb.Point{225, -45}, 8.5, 2, true},
	{"FP-201B", "BLD-FP", "板框压滤机B", "Plate filter press B", "filter_press", "methanol", orb.Point{265, -45}, 8.5, 2, true},
	{"P-204", "BLD-FP", "滤液泵", "Filtrate pump", "pump", "methanol", orb.Point{245, -70}, 1, 1, true},
	// Methanol: syngas compression, low-pressure synthesis, three-column distillation.
	{"C-301", "U-MEOH-SYN", "合成气压缩机", "Syngas compressor", "compressor", "carbon_monoxide", orb.Point{360, -40}, 4, 0, true},
	{"FL-302", "U-MEOH-SYN", "合成气管线法兰", "Syngas line flange", "flange", "hydrogen", orb.Point{360, 40}, 5, 0, true},
	{"R-301", "U-MEOH-SYN", "甲醇合成塔", "Methanol converter", "reactor", "methanol", orb.Point{400, 0}, 25, 0, false},
	{"FL-301", "U-MEOH-SYN", "粗甲醇管线法兰", "Crude methanol line flange", "flange", "methanol", orb.Point{420, -40}, 5, 0, true},
	{"P-301A", "U-MEOH-DIS", "粗甲醇泵A", "Crude methanol pump A", "pump", "methanol", orb.Point{480, -40}, 1.2, 0, true},
	{"P-301B", "U-MEOH-DIS", "粗甲醇泵B", "Crude methanol pump B", "pump", "methanol", orb.Point{490, -40}, 1.2, 0, true},
	{"T-302", "U-MEOH-DIS", "预精馏塔", "Pre-distillation column", "column", "methanol", orb.Point{490, 10}, 35, 0, false},
	{"T-303", "U-MEOH-DIS", "加压精馏塔", "Pressurised distillation column", "column", "methanol", orb.Point{510, 10}, 42, 0, false},
	{"T-304", "U-MEOH-DIS", "常压精馏塔", "Atmospheric distillation column", "column", "methanol", orb.Point{530, 10}, 40, 0, false},
	{"P-302", "U-MEOH-DIS", "精甲醇回流泵", "Methanol reflux pump", "pump", "methanol", orb.Point{525, -40}, 1.2, 0, true},
	// Tank farm and loading.
	{"P-401A", "U-TANK-PUMP", "甲醇输送泵A", "Methanol transfer pump A", "pump", "methanol", orb.Point{370, -185}, 1.2, 0, true},
	{"P-401B", "U-TANK-PUMP", "甲醇输送泵B", "Methanol transfer pump B", "pump", "methanol", orb.Point{390, -185}, 1.2, 0, true},
	{"P-402A", "U-TANK-PUMP", "液氨输送泵A", "Ammonia transfer pump A", "pump", "ammonia", orb.Point{470, -185}, 1.2, 0, true},
	{"P-402B", "U-TANK-PUMP", "液氨输送泵B", "Ammonia transfer pump B", "pump", "ammonia", orb.Point{490, -185}, 1.2, 0, true},
	{"FL-401", "AR-TANK-DIKE", "甲醇罐区管线法兰", "Methanol tank-farm header flange", "flange", "methanol", orb.Point{385, -280}, 1, 0, true},
	{"FL-402", "AR-TANK-DIKE", "液氨球罐根部阀法兰", "Ammonia sphere root-valve flange", "flange", "ammonia", orb.Point{480, -280}, 1, 0, true},
	{"LA-01", "U-LOAD-MEOH", "甲醇装车鹤管1", "Methanol loading arm 1", "loading_point", "methanol", orb.Point{85, -250}, 4, 0, true},
	{"LA-02", "U-LOAD-MEOH", "甲醇装车鹤管2", "Methanol loading arm 2", "loading_point", "methanol", orb.Point{115, -250}, 4, 0, true},
	{"LA-03", "U-LOAD-NH3", "液氨装卸鹤管1", "Ammonia loading arm 1", "loading_point", "ammonia", orb.Point{195, -250}, 4, 0, true},
	{"LA-04", "U-LOAD-NH3", "液氨装卸鹤管2", "Ammonia loading arm 2", "loading_point", "ammonia", orb.Point{225, -250}, 4, 0, true},
	// Utilities and others.
	{"CL-101", "BLD-DOSE", "加氯机", "Chlorinator", "dosing", "chlorine", orb.Point{345, 330}, 1.5, 1, true},
	{"K-601", "BLD-N2C", "空气压缩机", "Air compressor", "compressor", "", orb.Point{125, 205}, 3, 1, false},
	{"K-602", "BLD-N2C", "氮气压缩机", "Nitrogen compressor", "compressor", "nitrogen", orb.Point{155, 205}, 3, 1, false},
	{"V-603", "AR-N2", "液氮储槽", "Liquid nitrogen vessel", "vessel", "nitrogen", orb.Point{120, 300}, 12, 0, false},
	{"EQ-B1-KITCHEN", "BLD-B1", "食堂燃气灶具", "Canteen gas burners", "burner", "methane", orb.Point{-540, 310}, 1, 1, true},
	{"P-701", "U-WWT-EQ", "污水提升泵", "Wastewater lift pump", "pump", "hydrogen_sulfide", orb.Point{-515, -303}, 0.5, 0, true},
}

func (p *plant) addEquipment() {
	for i := range equipmentSpecs {
		e := &equipmentSpecs[i]
		props := P{"name": e.name, "name_en": e.nameEn, "parent": e.parent, "equipment_type": e.typ,
			"release_source": e.release, "height": e.height}
		if e.substance != "" {
			props["substance"] = e.substance
		}
		if e.floor > 0 {
			props["floor"] = e.floor
		}
		p.add(fileEquipment, e.id, twin.KindEquipment, e.at, props)
		if e.release {
			p.releases = append(p.releases, e)
		}
	}
}

// tankSpec is one storage tank.
type tankSpec struct {
	id, name, nameEn, substance, storage string
	at                                   orb.Point
	radiusM, heightM, capacityM3         float64
	levelPct, pressureKPa                float64
}

// Design maximum quantities (GB 18218-2018 counts what a storage unit can
// hold at most; a tank farm is bounded by its dike). Methanol: full capacity at 0.791 t/m³ (20 °C). Liquid ammonia:
// the filling ratio 0.52 t/m³ that limits liquid-ammonia pressure vessels.
const (
	methanolTPerM3 = 0.791
	ammoniaFillT   = 0.52
)

// Four 2,000 m³ methanol tanks (Ø 15.8 m × 11.4 m; spacing 40 m ≥ 0.6 D,
// GB 50160-2008 Table 6.2.8) and two 200 m³ ammonia spheres (Ø 7.3 m) in one
// dike, the groups separated by a partition dike at x = 445.
var tankSpecs = []tankSpec{
	{"TK-401", "1#甲醇储罐", "Methanol tank 1", "methanol", "atmospheric", orb.Point{365, -255}, 7.9, 11.4, 2000, 62, 0.5},
	{"TK-402", "2#甲醇储罐", "Methanol tank 2", "methanol", "atmospheric", orb.Point{405, -255}, 7.9, 11.4, 2000, 55, 0.5},
	{"TK-403", "3#甲醇储罐", "Methanol tank 3", "methanol", "atmospheric", orb.Point{365, -305}, 7.9, 11.4, 2000, 71, 0.5},
	{"TK-404", "4#甲醇储罐", "Methanol tank 4", "methanol", "atmospheric", orb.Point{405, -305}, 7.9, 11.4, 2000, 48, 0.5},
	{"TK-405", "1#液氨球罐", "Ammonia sphere 1", "ammonia", "pressurized", orb.Point{480, -255}, 3.65, 10.3, 200, 58, 620},
	{"TK-406", "2#液氨球罐", "Ammonia sphere 2", "ammonia", "pressurized", orb.Point{480, -305}, 3.65, 10.3, 200, 45, 620},
}

func (t tankSpec) designMaxT() float64 {
	if t.substance == "ammonia" {
		return t.capacityM3 * ammoniaFillT
	}
	return t.capacityM3 * methanolTPerM3
}

func (p *plant) addTanks() {
	for _, t := range tankSpecs {
		p.add(fileTanks, t.id, twin.KindTank, t.at, P{
			"name": t.name, "name_en": t.nameEn, "parent": "AR-TANK-DIKE", "dike": "AR-TANK-DIKE",
			"substance": t.substance, "storage": t.storage, "radius_m": t.radiusM, "height": t.heightM,
			"capacity_m3": t.capacityM3, "design_max_t": math.Round(t.designMaxT()*10) / 10,
			"level_pct": t.levelPct, "temperature_c": 15.0, "pressure_kpa": t.pressureKPa,
		})
	}
}
