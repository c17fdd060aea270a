package main

import (
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

const siteID = "demo"

// The plant is 1,200 m × 840 m (1.01 km²) about the origin. Roads run on a
// grid: the ring road 20 m inside the fence and internal roads between the
// blocks. The prevailing wind at Ningdong is from the north-west, so the
// north-west block holds the offices, the control room and the main gate,
// and the south-east block the tank farm.
var (
	siteBoundary = rect{-600, -420, 600, 420}
	roadXs       = []float64{-580, -300, 0, 300, 580} // north–south roads (ring at ±580)
	roadYs       = []float64{400, 150, -120, -400}    // east–west roads (ring at ±400)
)

// areaSpec is one area with its risk assessment (LEC, REFERENCE §10).
type areaSpec struct {
	id, name, nameEn, typ string
	r                     rect
	fire                  bool       // fire/explosion hazard area
	lec                   [3]float64 // L, E, C
	hazards               string     // zh-CN
	dept                  string     // responsible department
	parent                string
}

var areaSpecs = []areaSpec{
	{"AR-B1", "1#楼", "Building No. 1 (administration)", "office", rect{-570, 250, -455, 390}, false,
		[3]float64{1, 6, 3}, "触电、火灾（厨房燃气）", deptOffice, ""},
	{"AR-CCR", "中控室", "Central control room", "control", rect{-425, 280, -310, 390}, false,
		[3]float64{0.5, 10, 7}, "触电、火灾", deptTech, ""},
	{"AR-GATE-MAIN", "主大门", "Main gate", "gate", rect{-470, 405, -405, 420}, false,
		[3]float64{1, 6, 1}, "车辆伤害", deptOffice, ""},
	{"AR-FIRE", "消防站", "Fire station", "utility", rect{-570, 20, -440, 140}, false,
		[3]float64{1, 3, 3}, "车辆伤害", deptSafety, ""},
	{"AR-MAINT", "机修间", "Maintenance workshop", "workshop", rect{-290, 250, -150, 390}, false,
		[3]float64{3, 6, 7}, "动火作业火灾、机械伤害、触电、起重伤害", deptMaint, ""},
	{"AR-QC", "质检中心", "Quality-control laboratory", "office", rect{-130, 250, -10, 390}, false,
		[3]float64{1, 6, 7}, "化学品灼伤、中毒、火灾", deptQC, ""},
	{"AR-WH", "仓库", "Spare-parts warehouse", "storage", rect{-290, 160, -10, 235}, false,
		[3]float64{1, 3, 7}, "火灾、车辆伤害", deptLogistics, ""},
	{"AR-N2", "氮气生产区", "Nitrogen production area", "utility", rect{10, 160, 180, 390}, false,
		[3]float64{1, 6, 15}, "氮气窒息、低温冻伤、机械伤害", deptUtility, ""},
	{"AR-SUB", "变电所", "Substation", "utility", rect{200, 290, 290, 390}, false,
		[3]float64{1, 6, 15}, "触电、电气火灾", deptUtility, ""},
	{"AR-WTU", "水处理装置", "Water treatment unit", "utility", rect{310, 200, 450, 390}, false,
		[3]float64{1, 6, 7}, "氯气中毒、化学品灼伤", deptUtility, ""},
	{"AR-FWP", "消防泵房", "Fire-water pump house", "utility", rect{470, 250, 570, 390}, false,
		[3]float64{1, 3, 3}, "机械伤害、触电", deptUtility, ""},
	{"AR-PNA", "对硝车间办公区", "p-Nitroaniline workshop and offices", "production", rect{-290, -110, -10, 140}, true,
		[3]float64{3, 6, 15}, "液氨泄漏中毒、甲醇火灾爆炸、高温高压", deptPNA, ""},
	{"AR-PPD", "对苯二胺生产区", "PPD hydrogenation unit", "production", rect{10, -110, 180, 140}, true,
		[3]float64{1, 6, 40}, "氢气泄漏火灾爆炸、液氨中毒、甲醇火灾", deptPPD, ""},
	{"AR-PPD-AUX", "对苯二胺生产辅房", "PPD auxiliary production building", "production", rect{195, 35, 290, 140}, true,
		[3]float64{3, 6, 7}, "氢气火灾爆炸、甲醇火灾、氨中毒", deptPPD, ""},
	{"AR-FP", "压滤机房", "Filter-press house", "production", rect{195, -110, 290, 20}, true,
		[3]float64{3, 6, 7}, "甲醇火灾、机械伤害、氨中毒", deptPPD, ""},
	{"AR-MEOH", "甲醇生产区", "Methanol production area", "production", rect{310, -110, 570, 140}, true,
		[3]float64{3, 6, 15}, "甲醇火灾爆炸、一氧化碳中毒、氢气火灾", deptMeOH, ""},
	{"AR-TANK", "罐区", "Tank farm", "storage", rect{310, -390, 570, -130}, true,
		[3]float64{3, 6, 40}, "甲醇储罐火灾爆炸、液氨泄漏中毒", deptLogistics, ""},
	{"AR-TANK-DIKE", "罐区防火堤", "Tank-farm dike", "storage", rect{330, -345, 530, -215}, true,
		[3]float64{3, 6, 40}, "甲醇储罐火灾爆炸、液氨泄漏中毒", deptLogistics, "AR-TANK"},
	{"AR-LOAD", "装卸区", "Loading area", "logistics", rect{20, -380, 290, -140}, true,
		[3]float64{3, 6, 15}, "装卸泄漏、火灾爆炸、液氨中毒、车辆伤害", deptLogistics, ""},
	{"AR-PACK", "包装区", "Packaging area", "packaging", rect{-290, -380, -160, -140}, false,
		[3]float64{1, 6, 7}, "粉尘、机械伤害、叉车伤害", deptPPD, ""},
	{"AR-FGW", "成品仓库", "Finished-goods warehouse", "storage", rect{-140, -380, -10, -140}, false,
		[3]float64{1, 3, 15}, "火灾、叉车伤害", deptLogistics, ""},
	{"AR-WWT", "污水处理池区", "Wastewater treatment pools", "wastewater", rect{-570, -390, -310, -200}, false,
		[3]float64{3, 6, 7}, "硫化氢中毒、有限空间窒息、淹溺", deptUtility, ""},
	{"AR-GATE-LOG", "物流大门", "Logistics gate", "gate", rect{-25, -420, 35, -405}, false,
		[3]float64{1, 6, 3}, "车辆伤害", deptOffice, ""},
}

func (a areaSpec) lecD() float64 { return a.lec[0] * a.lec[1] * a.lec[2] }

func (p *plant) addAreas() {
	for _, a := range areaSpecs {
		props := P{"name": a.name, "name_en": a.nameEn, "area_type": a.typ,
			"risk_level": scenes.LECLevel(a.lecD()), "fire_zone": a.fire, "code": a.id[3:]}
		if a.parent != "" {
			props["parent"] = a.parent
		}
		p.add(fileAreas, a.id, twin.KindArea, a.r.polygon(), props)
		p.rects[a.id] = a.r
	}
}

// buildingSpec is one building; door is the side of its main entrance.
type buildingSpec struct {
	id, area, name, nameEn, use string
	r                           rect
	floors                      int
	floorH                      float64
	door                        byte // 'N', 'S', 'E' or 'W'
	blast                       bool
}

var buildingSpecs = []buildingSpec{
	{"BLD-B1", "AR-B1", "1#楼（综合楼）", "Building No. 1", "office", rect{-550, 305, -480, 323}, 5, 3.9, 'N', false},
	{"BLD-CCR", "AR-CCR", "中控室", "Central control room", "control_room", rect{-395, 320, -345, 350}, 2, 4.5, 'N', true},
	{"BLD-GH-MAIN", "AR-GATE-MAIN", "主大门门卫室", "Main gatehouse", "gatehouse", rect{-424, 406, -414, 414}, 1, 3.5, 'W', false},
	{"BLD-FIRE", "AR-FIRE", "消防站", "Fire station", "fire_station", rect{-550, 60, -490, 100}, 2, 4.5, 'W', false},
	{"BLD-MAINT", "AR-MAINT", "机修间", "Maintenance workshop", "workshop", rect{-280, 300, -200, 340}, 1, 9, 'N', false},
	{"BLD-QC", "AR-QC", "质检中心化验楼", "QC laboratory", "lab", rect{-120, 300, -40, 330}, 2, 4.2, 'N', false},
	{"BLD-WH", "AR-WH", "备件仓库", "Spare-parts warehouse", "warehouse", rect{-270, 175, -30, 215}, 1, 8, 'S', false},
	{"BLD-N2C", "AR-N2", "空压氮压机房", "Air and nitrogen compressor house", "process", rect{110, 190, 170, 225}, 1, 10, 'W', false},
	{"BLD-SUB", "AR-SUB", "变电所", "Substation", "substation", rect{210, 320, 280, 360}, 2, 5, 'N', false},
	{"BLD-DOSE", "AR-WTU", "加药加氯间", "Chemical dosing room", "process", rect{330, 320, 380, 345}, 1, 6, 'N', false},
	{"BLD-FWP", "AR-FWP", "消防泵房", "Fire-water pump house", "pump_house", rect{490, 300, 550, 330}, 1, 7, 'N', false},
	{"BLD-PNA-OFF", "AR-PNA", "对硝车间办公楼", "p-Nitroaniline workshop office", "office", rect{-120, 80, -40, 110}, 3, 3.6, 'N', false},
	{"BLD-PPD-AUX", "AR-PPD-AUX", "对苯二胺生产辅房", "PPD auxiliary production building", "process", rect{205, 70, 280, 110}, 4, 4.5, 'N', false},
	{"BLD-FP", "AR-FP", "压滤机房", "Filter-press house", "process", rect{210, -80, 280, -10}, 2, 6, 'S', false},
	{"BLD-WWT", "AR-WWT", "污水处理鼓风机房", "Wastewater blower and control room", "process", rect{-450, -270, -400, -240}, 1, 5, 'N', false},
	{"BLD-PACK", "AR-PACK", "包装车间", "Packaging building", "workshop", rect{-270, -300, -180, -240}, 1, 8, 'N', false},
	{"BLD-FGW", "AR-FGW", "成品仓库", "Finished-goods warehouse", "warehouse", rect{-125, -320, -25, -200}, 1, 10, 'E', false},
	{"BLD-GH-LOG", "AR-GATE-LOG", "物流大门门卫室", "Logistics gatehouse", "gatehouse", rect{15, -414, 25, -406}, 1, 3.5, 'W', false},
}

func (p *plant) addBuildings() {
	for _, b := range buildingSpecs {
		props := P{"name": b.name, "name_en": b.nameEn, "parent": b.area, "use": b.use,
			"floors": b.floors, "floor_height_m": b.floorH, "height": roundTo(float64(b.floors)*b.floorH, 2)}
		if b.blast {
			props["blast_resistant"] = true
		}
		p.add(fileBuildings, b.id, twin.KindBuilding, b.r.polygon(), props)
		p.rects[b.id] = b.r
		p.floors[b.id] = b.floors
		p.floorH[b.id] = b.floorH
	}
}

// unitSpec is a process structure; loop draws an inspection walkway 4 m
// outside it, joined to the network towards side exit.
type unitSpec struct {
	id, area, name, nameEn, unitType, process string
	r                                         rect
	height                                    float64
	fire                                      bool
	exit                                      byte // 0: no walkway loop
}

var unitSpecs = []unitSpec{
	{"U-N2-COLDBOX", "AR-N2", "空分冷箱", "Air-separation cold box", "air_separation", "深冷空分制氮", rect{50, 250, 80, 330}, 32, false, 'W'},
	{"U-WTU", "AR-WTU", "水处理构筑物", "Water-treatment structures", "water_treatment", "循环水与除盐水处理", rect{330, 220, 430, 300}, 8, false, 'W'},
	{"U-PNA", "AR-PNA", "对硝氨解装置", "Ammonolysis unit (p-nitroaniline)", "reaction", "对硝基氯苯氨解制对硝基苯胺", rect{-250, -80, -150, 20}, 24, true, 'S'},
	{"U-PPD", "AR-PPD", "对苯二胺加氢装置", "PPD hydrogenation unit", "reaction", "对硝基苯胺催化加氢制对苯二胺", rect{40, -60, 140, 60}, 30, true, 'S'},
	{"U-MEOH-SYN", "AR-MEOH", "甲醇合成装置", "Methanol synthesis unit", "reaction", "合成气低压合成甲醇", rect{340, -60, 440, 60}, 28, true, 'S'},
	{"U-MEOH-DIS", "AR-MEOH", "甲醇精馏装置", "Methanol distillation unit", "distillation", "粗甲醇三塔精馏", rect{470, -60, 540, 40}, 42, true, 'S'},
	{"U-TANK-PUMP", "AR-TANK", "罐区泵棚", "Tank-farm pump shelter", "pump_station", "甲醇、液氨输送", rect{350, -195, 510, -175}, 6, true, 'N'},
	{"U-LOAD-MEOH", "AR-LOAD", "甲醇装车栈台", "Methanol loading rack", "loading_rack", "甲醇汽车装车", rect{60, -290, 140, -230}, 8, true, 0},
	{"U-LOAD-NH3", "AR-LOAD", "液氨装车栈台", "Ammonia loading rack", "loading_rack", "液氨汽车装卸", rect{170, -290, 250, -230}, 8, true, 0},
	{"U-WWT-EQ", "AR-WWT", "调节池", "Equalisation tank", "wastewater", "污水调节", rect{-550, -370, -480, -300}, 1.5, false, 0},
	{"U-WWT-BIO", "AR-WWT", "生化池", "Biological treatment tank", "wastewater", "A/O生化处理", rect{-460, -370, -380, -300}, 1.5, false, 0},
	{"U-WWT-SED", "AR-WWT", "二沉池", "Secondary settling tank", "wastewater", "泥水分离", rect{-360, -370, -320, -300}, 1.5, false, 0},
}

func (p *plant) addUnits() {
	for _, u := range unitSpecs {
		p.add(fileUnits, u.id, twin.KindUnit, u.r.polygon(), P{"name": u.name, "name_en": u.nameEn,
			"parent": u.area, "unit_type": u.unitType, "process": u.process, "height": u.height, "fire_zone": u.fire})
		p.rects[u.id] = u.r
	}
}

// gateSpec is a gate opening in the site fence (its canopy and barrier).
type gateSpec struct {
	id, area, name, nameEn, typ string
	r                           rect
}

var gateSpecs = []gateSpec{
	{"GT-MAIN", "AR-GATE-MAIN", "主大门", "Main gate", "main", rect{-452, 412, -428, 420}},
	{"GT-LOG", "AR-GATE-LOG", "物流大门", "Logistics gate", "logistics", rect{-15, -420, 15, -412}},
	{"GT-EMG", "", "应急大门", "Emergency gate", "emergency", rect{-600, -132, -592, -108}},
}

func (p *plant) addGates() {
	for _, g := range gateSpecs {
		props := P{"name": g.name, "name_en": g.nameEn, "gate_type": g.typ, "height": 6.0}
		if g.area != "" {
			props["parent"] = g.area
		}
		p.add(fileGates, g.id, twin.KindGate, g.r.polygon(), props)
		p.rects[g.id] = g.r
	}
}
