package main

import "fmt"

// item is one line of an inspection point's checklist, written as
// twin/inspect.Item reads it; source names where a limit comes from (kept
// in the scene file for the reader, ignored by the model).
type item struct {
	Key      string   `json:"key"`
	Zh       string   `json:"zh"`
	En       string   `json:"en"`
	Kind     string   `json:"kind"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	Required bool     `json:"required"`
	Source   string   `json:"source,omitempty"`
}

// limits is a reading's acceptable range; a nil end is open.
type limits struct {
	lo, hi *float64
	src    string
}

func num(v float64) *float64 { return &v }

func between(lo, hi float64, src string) limits { return limits{num(lo), num(hi), src} }
func atMost(hi float64, src string) limits      { return limits{nil, num(hi), src} }
func atLeast(lo float64, src string) limits     { return limits{num(lo), nil, src} }

// yes is a yes/no item that passes on yes (正常).
func yes(key, zh, en string) item {
	return item{Key: key, Zh: zh, En: en, Kind: "bool", Required: true}
}

// reading is a numeric item that passes within l.
func reading(key, zh, en, unit string, l limits) item {
	return item{Key: key, Zh: zh, En: en, Kind: "number", Min: l.lo, Max: l.hi, Unit: unit, Required: true, Source: l.src}
}

func photo(key, zh, en string) item {
	return item{Key: key, Zh: zh, En: en, Kind: "photo", Required: true}
}

// Sources of the limits. A design duty is a value of this fictional plant's
// process design: a plausible figure for the service, to be replaced by the
// real plant's data sheets.
const (
	srcDuty = "design duty (judgement, verify)"
	// GB 50275-2010 (pumps, fans and compressors, installation and
	// acceptance), test-run limits: rolling bearings ≤ 80 °C (sliding
	// ≤ 70 °C) — the usual in-service ceiling for the rolling bearings of
	// process pumps; verify the clause.
	srcBearing = "GB 50275-2010 (verify clause)"
	// ISO 10816-3:2009 Annex A Table A.1, velocity r.m.s.: for medium
	// machines (group 2, 15–300 kW) 4.5 mm/s is the zone B/C boundary on
	// flexible supports and the C/D boundary on rigid ones; for large
	// machines (group 1) on rigid supports it is the B/C boundary. Above it
	// a machine is no longer fit for unrestricted long-term running (zone
	// C or worse). (ISO 10816-1 class I, small machines ≤ 15 kW, has its C/D
	// boundary at 4.5 mm/s too.) Verify the machine group of each unit.
	srcVibration = "ISO 10816-3:2009 Table A.1 (verify group)"
	// API 618 (5th ed.) §6.1.3: predicted discharge temperature ≤ 150 °C,
	// ≤ 135 °C in hydrogen-rich service (MW ≤ 12).
	srcAPI618H2  = "API 618 §6.1.3, H2-rich"
	srcAPI618    = "API 618 §6.1.3"
	srcGasAlarm1 = "GB/T 50493-2019 §5.5.2 level 1"
	srcOxygen    = "GB/T 50493-2019 §5.5.2"
	// SY/T 0511.1-2010 breather valves, pressure grade B: +980 Pa / −295 Pa.
	srcBreather = "SY/T 0511.1-2010 grade B (verify)"
	// Ammonia vapour pressure (NIST Chemistry WebBook): 0.152 MPa abs at
	// −25 °C (Ningdong winter low) and 1.555 MPa abs at 40 °C (summer
	// high), gauge = abs − 0.1 MPa: a reading outside it is no saturated
	// ammonia at ambient temperature (a blocked gauge, inerts or overfill).
	srcAmmoniaVP = "NH3 vapour pressure −25…40 °C (verify)"
	// Storage levels: the high-level alarm at 85 % and the low level that
	// keeps the pump suction submerged (GB 50160-2008 (2018) §6.2 asks for
	// level alarms on tanks; the set points are the plant's).
	srcLevel = "level alarms, GB 50160-2008 §6.2 (set points verify)"
	// GB 50160-2008 §8.4: a stabilised high-pressure fire main is kept at
	// 0.7–1.2 MPa.
	srcFireMain = "GB 50160-2008 §8.4 (verify clause)"
	// GB/T 50050-2017 Table 3.1.7: recirculating cooling water pH 6.8–9.5.
	srcCoolingPH = "GB/T 50050-2017 (verify)"
	// Aerobic zone dissolved oxygen about 2 mg/L (GB 50014-2021 §7.6).
	srcDO = "GB 50014-2021 §7.6 (range verify)"
	// Self-contained breathing apparatus, 30 MPa cylinders: in service at
	// ≥ 90 % of the working pressure.
	srcSCBA = "90 % of 30 MPa (judgement, verify)"
)

// pumpDuty is each pump's normal outlet pressure, MPa gauge.
var pumpDuty = map[string][2]float64{
	"P-101A": {4.6, 5.5}, "P-101B": {4.6, 5.5}, // into the ammonolysis reactors at 3.5–4.5 MPa
	"P-102":  {0.3, 0.6},
	"P-201":  {2.6, 3.2}, // into the hydrogenation reactors at 1.5–2.5 MPa
	"P-203":  {0.3, 0.6},
	"P-204":  {0.2, 0.5},
	"P-301A": {0.5, 0.9}, "P-301B": {0.5, 0.9},
	"P-302":  {0.4, 0.8},
	"P-401A": {0.4, 0.8}, "P-401B": {0.4, 0.8},
	"P-402A": {1.2, 1.8}, "P-402B": {1.2, 1.8}, // sphere at 0.6 MPa plus the head to the users
}

// pumpChecklist: outlet pressure, bearing temperature, vibration, seal and
// noise.
func pumpChecklist(id string) []item {
	d, ok := pumpDuty[id]
	if !ok {
		panic("demogen: no duty for pump " + id)
	}
	return append([]item{
		reading("outlet_pressure", "出口压力", "Outlet pressure", "MPa", between(d[0], d[1], srcDuty)),
	}, rotating()...)
}

// rotating are the items of every pump and compressor.
func rotating() []item {
	return []item{
		reading("bearing_temp", "轴承温度", "Bearing temperature", "°C", atMost(80, srcBearing)),
		reading("vibration", "振动速度", "Vibration velocity", "mm/s", atMost(4.5, srcVibration)),
		yes("seal_tight", "机械密封无泄漏", "Mechanical seal not leaking"),
		yes("noise_normal", "运行声音正常", "Running noise normal"),
	}
}

// compressorDuty: discharge pressure (MPa), the discharge temperature
// ceiling (°C) and lube-oil pressure (MPa).
type compressorDuty struct {
	lo, hi, maxT float64
	tSrc         string
	oilLo, oilHi float64
}

var compressorDuties = map[string]compressorDuty{
	"C-301": {7.0, 8.2, 120, srcDuty, 0.15, 0.30}, // methanol synthesis loop at 7–8 MPa
	"K-201": {2.6, 3.2, 135, srcAPI618H2, 0.2, 0.4},
	"K-202": {2.4, 3.0, 135, srcAPI618H2, 0.2, 0.4},
	"K-601": {0.6, 0.8, 110, srcDuty, 0.2, 0.5}, // instrument and plant air
	"K-602": {0.7, 0.9, 150, srcAPI618, 0.2, 0.4},
}

func compressorChecklist(id string) []item {
	d, ok := compressorDuties[id]
	if !ok {
		panic("demogen: no duty for compressor " + id)
	}
	return append([]item{
		reading("discharge_pressure", "排气压力", "Discharge pressure", "MPa", between(d.lo, d.hi, srcDuty)),
		reading("discharge_temp", "排气温度", "Discharge temperature", "°C", atMost(d.maxT, d.tSrc)),
		reading("oil_pressure", "润滑油压力", "Lube-oil pressure", "MPa", between(d.oilLo, d.oilHi, srcDuty)),
	}, rotating()...)
}

// reactorDuty: temperature (°C) and pressure (MPa). Temperature and
// pressure are the key monitored parameters of the ammonolysis (胺基化) and
// hydrogenation (加氢) processes (安监总管三〔2009〕116号); the values
// are the plant's.
var reactorDuty = map[string][4]float64{
	"R-101A": {170, 190, 3.5, 4.5}, "R-101B": {170, 190, 3.5, 4.5},
	"R-201A": {90, 120, 1.5, 2.5}, "R-201B": {90, 120, 1.5, 2.5},
	"R-301": {220, 270, 7.0, 8.0}, // copper catalyst
}

func reactorChecklist(id string) []item {
	d := reactorDuty[id]
	list := []item{
		reading("temperature", "反应温度", "Reaction temperature", "°C", between(d[0], d[1], srcDuty)),
		reading("pressure", "反应压力", "Reaction pressure", "MPa", between(d[2], d[3], srcDuty)),
		yes("no_leak", "法兰、人孔无泄漏", "Flanges and manholes not leaking"),
		yes("cooling_normal", "冷却水/夹套运行正常", "Cooling water / jacket normal"),
		relief(),
	}
	if id != "R-301" { // the converter is a fixed-bed reactor: no agitator
		list = append(list, yes("agitator_normal", "搅拌器运行正常", "Agitator running normally"))
	}
	return list
}

// relief: a safety valve's isolation valve is kept fully open and sealed
// (TSG 21-2016).
func relief() item {
	return yes("relief_valve_open", "安全阀根部阀全开、铅封完好", "Relief-valve isolation valve open and sealed")
}

// columnTopMPa is each column's top pressure, MPa gauge.
var columnTopMPa = map[string][2]float64{
	"T-101": {0, 0.05}, "T-302": {0.02, 0.08}, "T-303": {0.55, 0.75}, "T-304": {0, 0.05},
}

func columnChecklist(id string) []item {
	d := columnTopMPa[id]
	return []item{
		reading("top_pressure", "塔顶压力", "Column top pressure", "MPa", between(d[0], d[1], srcDuty)),
		yes("level_normal", "塔釜液位正常", "Bottom level normal"),
		yes("no_leak", "法兰、人孔无泄漏", "Flanges and manholes not leaking"),
		relief(),
	}
}

// flangeChecklist: a release source checked with a portable detector of
// the gas it may release, which must read below the fixed detectors'
// level-1 setpoint.
func flangeChecklist(gas string) []item {
	return []item{
		yes("no_leak", "法兰无泄漏", "Flange not leaking"),
		yes("bolts_complete", "螺栓齐全紧固", "Bolts complete and tight"),
		yes("bonding_intact", "静电跨接完好", "Static bonding jumper intact"),
		gasReading(gas),
	}
}

// gasReading is a portable-detector reading of gas at the point.
func gasReading(gas string) item {
	g, ok := gases[gas]
	if !ok {
		panic("demogen: no gas " + gas)
	}
	return reading("gas_reading", fmt.Sprintf("便携式检测仪%s读数", g.gas), fmt.Sprintf("Portable detector %s reading", g.gas),
		g.unit, limits{num(0), num(g.alarm1), srcGasAlarm1})
}
