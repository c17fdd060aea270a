package main

import "fmt"

// tankChecklist derives a tank's limits from its properties: an
// atmospheric tank's pressure between its breather valve's settings, a
// pressurised ammonia sphere's within the vapour pressure ammonia has at
// the site's ambient extremes; the level between the low level and the
// high-level alarm.
func tankChecklist(t tankSpec) []item {
	list := []item{
		reading("level", "液位", "Level", "%", tankLevel(t)),
		reading("pressure", "罐内压力", "Tank pressure", "kPa", tankPressure(t)),
		yes("dike_drain_closed", "防火堤雨水排放阀关闭", "Dike rain-water drain valve closed"),
	}
	if t.storage == "atmospheric" {
		list = append(list,
			yes("breather_normal", "呼吸阀工作正常", "Breather valve working"),
			yes("flame_arrester_ok", "阻火器完好", "Flame arrester intact"))
	} else {
		list = append(list, relief(),
			yes("esd_valve_normal", "根部紧急切断阀处于正常状态", "Root emergency shut-off valve in its normal state"))
	}
	return append(list, photo("gauge_photo", "液位计照片", "Photo of the level gauge"))
}

func tankLevel(t tankSpec) limits {
	if t.substance == "ammonia" {
		return between(10, 85, srcLevel)
	}
	return between(15, 85, srcLevel) // 15 %: keeps the pump suction submerged
}

func tankPressure(t tankSpec) limits {
	switch {
	case t.storage == "atmospheric":
		return between(-0.3, 1.0, srcBreather)
	case t.substance == "ammonia":
		return between(50, 1450, srcAmmoniaVP)
	}
	panic("demogen: no pressure limits for tank " + t.id)
}

// detectorChecklist: a fixed gas detector's display, its reading (below
// level 1; oxygen inside 19.5–23.5 %VOL) and its calibration, due at most
// yearly (JJG 693-2011).
func detectorChecklist(f *feature) []item {
	unit, _ := f.props["unit"].(string)
	gas, _ := f.props["gas"].(string)
	l := limits{num(0), num(f.props["alarm1"].(float64)), srcGasAlarm1}
	if f.props["detector_type"] == "oxygen" {
		l = between(19.5, 23.5, srcOxygen)
	}
	return []item{
		yes("display_normal", "探测器显示正常、无故障报警", "Detector display normal, no fault"),
		reading("reading", fmt.Sprintf("%s读数", gas), fmt.Sprintf("%s reading", gas), unit, l),
		yes("calibrated", "标定在有效期内（不超过1年）", "Calibration in date (at most a year, JJG 693-2011)"),
		yes("housing_intact", "外壳及防爆密封完好", "Housing and explosion-proof seals intact"),
	}
}

// loadingChecklist: a loading arm. Static earthing during loading (GB
// 13348-2009); liquid ammonia is loaded through metal articulated arms
// with breakaway couplings (安监总管三〔2014〕68号).
func loadingChecklist(gas string) []item {
	list := []item{
		yes("earthing_normal", "静电接地报警器指示正常", "Static earthing monitor shows earthed"),
		yes("arm_tight", "鹤管及快速接头无泄漏", "Loading arm and couplings not leaking"),
		yes("esd_normal", "紧急切断阀处于正常状态", "Emergency shut-off valve in its normal state"),
	}
	if gas == "NH3" {
		list = append(list, yes("breakaway_ok", "拉断阀完好", "Breakaway coupling intact"))
	}
	return append(list, gasReading(gas))
}

// rackChecklist: a loading rack's safety equipment.
func rackChecklist(gas string) []item {
	list := []item{
		yes("estop_ok", "紧急停车按钮完好", "Emergency stop buttons intact"),
		yes("extinguishers_ok", "灭火器在位、压力正常", "Fire extinguishers in place and charged"),
		yes("eyewash_ok", "洗眼器、喷淋器可用", "Eyewash and safety shower working"),
	}
	if gas == "NH3" {
		list = append(list, yes("windsock_ok", "风向标完好可见", "Windsock intact and visible"),
			yes("spray_ready", "水喷淋系统处于备用状态", "Water spray system ready"))
	}
	return list
}

func fireMain(key, zh, en string) item {
	return reading(key, zh, en, "MPa", between(0.7, 1.2, srcFireMain))
}

// Checklists of places and utilities, by name.
var placeChecklists = map[string]func() []item{
	"dike": func() []item {
		return []item{
			yes("wall_intact", "防火堤无裂缝、孔洞", "Dike wall without cracks or holes"),
			yes("penetrations_sealed", "穿堤管道孔洞封堵严密", "Pipe penetrations sealed"),
			yes("drain_closed", "雨水排放阀关闭", "Rain-water drain valve closed"),
			yes("no_pooling", "堤内无积液、无杂物", "No liquid or rubbish inside the dike"),
		}
	},
	"monitor": func() []item {
		return []item{
			yes("monitor_free", "消防炮转动灵活、无锈蚀", "Fire monitor turns freely, no corrosion"),
			yes("valve_ready", "消防炮前阀门可操作", "Monitor valve operable"),
			fireMain("main_pressure", "消防管网压力", "Fire-main pressure"),
		}
	},
	"spray": func() []item {
		return []item{
			yes("valves_ready", "喷淋阀组处于备用状态", "Spray valve set ready"),
			yes("nozzles_clear", "喷头无堵塞、无损坏", "Nozzles clear and undamaged"),
			fireMain("main_pressure", "消防管网压力", "Fire-main pressure"),
		}
	},
	"coldbox": func() []item {
		return []item{
			reading("oxygen", "冷箱周边氧含量", "Oxygen next to the cold box", "%VOL", between(19.5, 23.5, srcOxygen)),
			yes("no_frost", "冷箱外壁无结霜、无冷点", "No frost or cold spots on the casing"),
			yes("purge_normal", "冷箱密封气正压正常", "Casing purge gas pressure normal"),
		}
	},
	"ln2": func() []item {
		return []item{
			reading("level", "液位", "Level", "%", between(20, 90, srcDuty)),
			reading("pressure", "储槽压力", "Vessel pressure", "MPa", between(0.1, 0.75, srcDuty)),
			relief(),
			yes("no_frost", "外壁无异常结霜", "No abnormal frost on the shell"),
		}
	},
	"substation": func() []item {
		return []item{
			yes("gate_locked", "围栏门锁闭", "Fence gate locked"),
			yes("signs_ok", "警示标识完好", "Warning signs intact"),
			yes("no_noise_smell", "无异常声响、异味", "No unusual noise or smell"),
			yes("rodent_guard", "门口挡鼠板完好", "Rodent guard at the door in place"),
		}
	},
	"chlorinator": func() []item {
		return []item{
			yes("no_leak", "氯瓶及管路无泄漏（氨水检漏）", "Chlorine cylinder and lines not leaking (ammonia test)"),
			yes("absorber_ready", "漏氯吸收装置处于备用状态", "Chlorine leak absorber ready"),
			yes("scba_ready", "正压式空气呼吸器在位", "Breathing apparatus in place"),
			gasReading("Cl2"),
		}
	},
	"cooling": func() []item {
		return []item{
			reading("ph", "循环水pH值", "Cooling water pH", "", between(6.8, 9.5, srcCoolingPH)),
			reading("pump_pressure", "循环水泵出口压力", "Circulation pump outlet pressure", "MPa", between(0.35, 0.55, srcDuty)),
			yes("basin_level_normal", "水池液位正常", "Basin level normal"),
		}
	},
	"fire_pump": func() []item {
		return []item{
			fireMain("standby_pressure", "备用状态管网压力", "Fire-main pressure at standby"),
			yes("auto_mode", "控制柜处于自动状态", "Controller in automatic"),
			yes("valves_open_locked", "进出水阀门常开并锁定", "Suction and discharge valves open and locked"),
			yes("jockey_normal", "稳压泵启停正常", "Jockey pump cycling normally"),
		}
	},
	"diesel_pump": func() []item {
		return []item{
			fireMain("standby_pressure", "备用状态管网压力", "Fire-main pressure at standby"),
			reading("fuel_level", "柴油箱油位", "Diesel tank level", "%", atLeast(80, srcDuty)),
			reading("battery_v", "启动蓄电池电压", "Starting battery voltage", "V", between(24, 28.8, srcDuty)),
			yes("auto_mode", "控制柜处于自动状态", "Controller in automatic"),
		}
	},
	"fire_station": func() []item {
		return []item{
			yes("engine_ready", "消防车车况良好、随时可出动", "Fire engine ready to turn out"),
			reading("scba_pressure", "空气呼吸器气瓶压力", "Breathing apparatus cylinder pressure", "MPa", atLeast(27, srcSCBA)),
			yes("suits_ok", "防化服、灭火防护服完好", "Chemical and fire suits intact"),
		}
	},
	"muster": func() []item {
		return []item{
			yes("sign_visible", "集合点标识清晰", "Muster sign clear"),
			yes("access_clear", "通道畅通无占用", "Access clear"),
			yes("windsock_ok", "风向标完好可见", "Windsock intact and visible"),
		}
	},
	"aeration": func() []item {
		return []item{
			reading("do", "好氧池溶解氧", "Dissolved oxygen, aerobic zone", "mg/L", between(1.5, 4, srcDO)),
			yes("railings_ok", "池边护栏、救生圈完好", "Railings and life buoys in place"),
			yes("h2s_display_ok", "硫化氢检测仪显示正常", "H2S detector display normal"),
		}
	},
	"blower": func() []item {
		return append([]item{
			reading("outlet_pressure", "鼓风机出口压力", "Blower outlet pressure", "kPa", between(50, 70, srcDuty)),
			reading("oxygen", "室内氧含量", "Oxygen in the room", "%VOL", between(19.5, 23.5, srcOxygen)),
		}, rotating()[:2]...)
	},
	"exchanger": func() []item {
		return []item{
			reading("cw_return_temp", "冷却水回水温度", "Cooling water return temperature", "°C", atMost(45, srcDuty)),
			yes("no_leak", "管箱法兰无泄漏", "Channel flanges not leaking"),
		}
	},
	"vent": func() []item {
		return []item{
			yes("scrubber_running", "吸收塔循环正常", "Scrubber circulation running"),
			yes("no_odour", "放空口无明显氨味", "No ammonia smell at the vent"),
			gasReading("NH3"),
		}
	},
	"filter_press": func() []item {
		return []item{
			reading("hydraulic_pressure", "液压压紧压力", "Hydraulic clamping pressure", "MPa", between(20, 25, srcDuty)),
			yes("cloth_ok", "滤布无破损", "Filter cloths undamaged"),
			yes("filtrate_clear", "滤液清澈", "Filtrate clear"),
			gasReading("CH3OH"),
		}
	},
}
