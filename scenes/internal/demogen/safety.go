package main

import (
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

// musterSpec is an emergency muster point (应急集合点), upwind where it can
// be; exit is the direction of its path to the network.
type musterSpec struct {
	id, name, nameEn string
	at               orb.Point
	exit             byte
	capacity         int
	radiusM          float64
}

// Capacities add up to 530, above the 330 people in the registry.
var musterSpecs = []musterSpec{
	{"MP-01", "1#应急集合点（西侧广场）", "Muster point 1 (west square)", orb.Point{-370, 60}, 'E', 200, 25},
	{"MP-02", "2#应急集合点（主大门）", "Muster point 2 (main gate)", orb.Point{-380, 215}, 'S', 150, 20},
	{"MP-03", "3#应急集合点（应急大门）", "Muster point 3 (emergency gate)", orb.Point{-450, -160}, 'N', 100, 20},
	{"MP-04", "4#应急集合点（东北角）", "Muster point 4 (north-east)", orb.Point{520, 190}, 'S', 80, 15},
}

func (p *plant) addMusterPoints() {
	for _, m := range musterSpecs {
		p.add(fileMusterPoints, m.id, twin.KindMusterPoint, m.at, P{"name": m.name, "name_en": m.nameEn,
			"parent": p.parentAt(m.at), "capacity": m.capacity, "radius_m": m.radiusM})
	}
}

func (p *plant) addWeather() {
	at := orb.Point{-400, -60} // open ground upwind of the process units
	p.add(fileWeather, "WS-01", twin.KindWeatherStation, at, P{"name": "气象站", "name_en": "Weather station",
		"parent": p.parentAt(at), "height": 10.0})
}

// sel builds an authorisation or applies_to selector.
func sel(key string, values ...string) P { return P{key: values} }

func merge(ps ...P) P {
	out := P{}
	for _, p := range ps {
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}

func (p *plant) addFences() {
	internal := sel("identity_types", "internal")
	guards := []string{}
	for _, id := range p.reg.all(deptOffice, "门卫") {
		if p.reg.person(id).PostArea == "AR-GATE-MAIN" {
			guards = append(guards, id)
		}
	}
	everyDay := []int{1, 2, 3, 4, 5, 6, 7}
	fences := []struct {
		id, name, nameEn, rule string
		r                      rect
		props                  P
	}{
		{"FN-SUB", "变电所禁入区", "Substation: electricians only", "forbidden", p.rects["AR-SUB"],
			P{"level": 2, "authorized": merge(internal, sel("posts", "电工"))}},
		{"FN-DIKE", "罐区防火堤禁入区", "Tank dike: authorised staff only", "forbidden", p.rects["AR-TANK-DIKE"],
			P{"level": 3, "authorized": merge(internal, sel("departments", deptLogistics, deptSafety))}},
		{"FN-B1-F5", "1#楼5层网络机房", "Building 1, 5th-floor server room", "forbidden", rect{-550, 305, -532, 323},
			P{"level": 2, "floor": 5, "authorized": sel("posts", "信息管理员")}},
		{"FN-MEOH-PLAT", "甲醇合成框架高层平台", "Methanol synthesis structure, upper platforms", "forbidden", p.rects["U-MEOH-SYN"],
			P{"level": 2, "z_min": 15.0, "z_max": 30.0, "authorized": merge(internal, sel("departments", deptMeOH, deptMaint))}},
		{"FN-FGW-NIGHT", "成品仓库夜间禁入", "Finished-goods warehouse, closed at night", "forbidden", p.rects["AR-FGW"],
			P{"level": 1, "time_window": P{"from": "18:00", "to": "08:00", "days": everyDay},
				"authorized": sel("posts", "门卫", "安全员", "仓管员")}},
		{"FN-CCR", "中控室人数管控", "Control room headcount", "headcount", p.rects["BLD-CCR"],
			P{"level": 2, "max_persons": 12, "min_persons": 2}},
		{"FN-WWT-CS", "调节池有限空间", "Equalisation tank confined space", "headcount", p.rects["U-WWT-EQ"].grow(2),
			P{"level": 3, "max_persons": 3, "required": []string{p.reg.first(deptSafety, "安全员")}}},
		{"FN-VISIT", "访客活动区", "Visitor zone", "keep_in", rect{-580, 150, -300, 420},
			P{"level": 2, "applies_to": sel("identity_types", "visitor")}},
		{"FN-TANK-STATIC", "罐区静止报警区", "Tank farm man-down watch", "static", p.rects["AR-TANK"],
			P{"level": 3, "static_s": 120.0}},
		{"FN-LOAD-LINGER", "装卸区滞留管控", "Loading area lingering watch", "lingering", p.rects["AR-LOAD"],
			P{"level": 1, "dwell_s": 1800.0, "authorized": sel("posts", "装卸工", "叉车司机", "驾驶员", "押运员", "班长", "检测员")}},
		{"FN-CCR-POST", "中控室内操在岗", "Control room operators on post", "post", p.rects["BLD-CCR"],
			P{"level": 2, "dwell_s": 600.0, "applies_to": sel("posts", "内操")}},
		{"FN-GATE-POST", "主大门门卫在岗", "Main gate guards on post", "post", p.rects["AR-GATE-MAIN"].grow(3),
			P{"level": 1, "dwell_s": 300.0, "required": guards}},
		{"FN-TANK-SPEED", "罐区道路限速10km/h", "Tank-farm road: 10 km/h", "speed", rect{300, -124.5, 580, -115.5},
			P{"level": 1, "speed_limit_kmh": speedSlow}},
	}
	for _, f := range fences {
		props := merge(f.props, P{"name": f.name, "name_en": f.nameEn, "rule": f.rule})
		p.add(fileFences, f.id, twin.KindFence, f.r.polygon(), props)
	}
}

// head returns the person responsible for a department.
func (p *plant) head(dept string) string {
	switch dept {
	case deptOffice:
		return p.reg.first(dept, "办公室主任")
	case deptSafety, deptLogistics:
		return p.reg.first(dept, "部长")
	case deptTech:
		return p.reg.first(dept, "总工程师")
	case deptQC, deptMaint:
		return p.reg.first(dept, "主任")
	}
	return p.reg.first(dept, "车间主任")
}

// addRiskUnits adds a risk unit over every area but the dike (the tank
// farm's unit covers it), graded by LEC (REFERENCE §10).
func (p *plant) addRiskUnits() {
	for _, a := range areaSpecs {
		if a.parent != "" {
			continue
		}
		d := a.lecD()
		p.add(fileRiskUnits, "RU-"+a.id[3:], twin.KindRiskUnit, a.r.polygon(), P{
			"name": a.name + "风险分区", "name_en": a.nameEn + " risk unit", "parent": a.id,
			"risk_level": scenes.LECLevel(d), "lec": P{"l": a.lec[0], "e": a.lec[1], "c": a.lec[2], "d": d},
			"responsible": p.head(a.dept), "hazards": a.hazards,
		})
	}
}

// addHazardSources adds the tank farm as a major hazard source, bounded by
// its dike (GB 18218-2018), with S, R and the grade computed here.
func (p *plant) addHazardSources() {
	var subs []hazardSub
	for _, sub := range []struct {
		name      string
		criticalT float64 // GB 18218-2018 Table 1
		beta      float64 // GB 18218-2018 Table 3 (NH3: 2), Table 4 (others: 1)
	}{{"methanol", 500, 1}, {"ammonia", 10, 2}} {
		q := 0.0
		for _, t := range tankSpecs {
			if t.substance == sub.name {
				q += t.designMaxT()
			}
		}
		subs = append(subs, hazardSub{sub.name, roundTo(q, 1), sub.criticalT, sub.beta})
	}
	alpha := alphaFor(siteSettings["residents_500m"].(int))
	s, r, grade := hazardIndex(alpha, subs)
	list := make([]any, len(subs))
	for i, x := range subs {
		list[i] = P{"substance": x.name, "q_t": x.q, "Q_t": x.critical, "beta": x.beta}
	}
	p.add(fileHazardSources, "HS-01", twin.KindHazardSource, p.rects["AR-TANK-DIKE"].polygon(), P{
		"name": "罐区重大危险源", "name_en": "Tank-farm major hazard source", "parent": "AR-TANK",
		"code": "MHS-640181-0001", "substances": list, "alpha": alpha,
		"S": roundTo(s, 4), "R": roundTo(r, 4), "grade": grade,
		"responsible": P{"principal": p.reg.first(deptOffice, "厂长"), "technical": p.reg.first(deptTech, "总工程师"),
			"operations": p.reg.first(deptLogistics, "部长")},
	})
}

type hazardSub struct {
	name              string
	q, critical, beta float64
}

// alphaFor is GB 18218-2018 Table 5: α by people resident within 500 m of
// the plant boundary.
func alphaFor(residents int) float64 {
	switch {
	case residents >= 100:
		return 2.0
	case residents >= 50:
		return 1.5
	case residents >= 30:
		return 1.2
	case residents >= 1:
		return 1.0
	}
	return 0.5
}

// hazardIndex is S = Σ q/Q (GB 18218-2018 §4.2), R = α·Σ β·q/Q and the grade
// of Table 6 (1: R ≥ 100, 2: ≥ 50, 3: ≥ 10, else 4); the same computation
// as scenes.HazardIndex, which checks it when the demo loads.
func hazardIndex(alpha float64, subs []hazardSub) (s, r float64, grade int) {
	for _, x := range subs {
		s += x.q / x.critical
		r += x.beta * x.q / x.critical
	}
	r *= alpha
	switch {
	case r >= 100:
		grade = 1
	case r >= 50:
		grade = 2
	case r >= 10:
		grade = 3
	default:
		grade = 4
	}
	return s, r, grade
}
