package twin

// Kind is what an entity is. Kinds are the `kind` property of scene features.
type Kind string

// The kinds a scene may hold. The scene graph runs site → area → building or
// unit → equipment → sensor; people and vehicles hang off the site.
const (
	KindSite            Kind = "site"
	KindArea            Kind = "area"
	KindBuilding        Kind = "building"
	KindGate            Kind = "gate"
	KindUnit            Kind = "unit"
	KindEquipment       Kind = "equipment"
	KindTank            Kind = "tank"
	KindGasDetector     Kind = "gas_detector"
	KindBeacon          Kind = "beacon"
	KindCamera          Kind = "camera"
	KindRoad            Kind = "road"
	KindWalkway         Kind = "walkway"
	KindStairs          Kind = "stairs"
	KindMusterPoint     Kind = "muster_point"
	KindFence           Kind = "fence"
	KindPerson          Kind = "person"
	KindVehicle         Kind = "vehicle"
	KindWeatherStation  Kind = "weather_station"
	KindRiskUnit        Kind = "risk_unit"
	KindHazardSource    Kind = "hazard_source"
	KindPermit          Kind = "permit"
	KindInspectionPoint Kind = "inspection_point"
	KindThreatZone      Kind = "threat_zone"
	KindHiddenDanger    Kind = "hidden_danger" // a hidden danger (隐患) found on inspection (W7)
)

// Layer is a named set of kinds: an OGC API collection and a stream layer.
// Layer ids are snake_case and part of the public contract.
type Layer string

// The layers of DESIGN.md, plus gates, weather stations and hidden
// dangers.
const (
	LayerAreas            Layer = "areas"
	LayerBuildings        Layer = "buildings"
	LayerGates            Layer = "gates"
	LayerEquipment        Layer = "equipment"
	LayerTanks            Layer = "tanks"
	LayerGasDetectors     Layer = "gas_detectors"
	LayerBeacons          Layer = "beacons"
	LayerCameras          Layer = "cameras"
	LayerRoads            Layer = "roads"
	LayerMusterPoints     Layer = "muster_points"
	LayerFences           Layer = "fences"
	LayerPeople           Layer = "people"
	LayerVehicles         Layer = "vehicles"
	LayerWeatherStations  Layer = "weather_stations"
	LayerAlarms           Layer = "alarms"
	LayerPermits          Layer = "permits"
	LayerInspectionPoints Layer = "inspection_points"
	LayerHazardSources    Layer = "hazard_sources"
	LayerRiskUnits        Layer = "risk_units"
	LayerThreatZones      Layer = "threat_zones"
	LayerHiddenDangers    Layer = "hidden_dangers"
)

// LayerInfo describes a layer for catalogues (OGC collections, the viewer's
// layer panel).
type LayerInfo struct {
	ID      Layer
	Title   string // English
	TitleZh string // zh-CN
	Kinds   []Kind
	// Live layers change while the plant runs (positions, readings).
	Live bool
}

// Layers lists every layer in catalogue order. The alarms layer holds no
// scene entities: alarms live in the alarm engine and are served from there.
var Layers = []LayerInfo{
	{LayerAreas, "Areas", "区域", []Kind{KindArea}, false},
	{LayerBuildings, "Buildings", "建筑", []Kind{KindBuilding}, false},
	{LayerGates, "Gates", "大门", []Kind{KindGate}, false},
	{LayerEquipment, "Process units and equipment", "装置与设备", []Kind{KindUnit, KindEquipment}, false},
	{LayerTanks, "Tanks", "储罐", []Kind{KindTank}, true},
	{LayerGasDetectors, "Gas detectors", "气体探测器", []Kind{KindGasDetector}, true},
	{LayerBeacons, "BLE beacons", "定位信标", []Kind{KindBeacon}, false},
	{LayerCameras, "Cameras", "摄像机", []Kind{KindCamera}, true},
	{LayerRoads, "Roads and walkways", "道路与人行通道", []Kind{KindRoad, KindWalkway, KindStairs}, false},
	{LayerMusterPoints, "Muster points", "应急集合点", []Kind{KindMusterPoint}, false},
	{LayerFences, "Fences", "电子围栏", []Kind{KindFence}, false},
	{LayerPeople, "People", "人员", []Kind{KindPerson}, true},
	{LayerVehicles, "Vehicles", "车辆", []Kind{KindVehicle}, true},
	{LayerWeatherStations, "Weather stations", "气象站", []Kind{KindWeatherStation}, true},
	{LayerAlarms, "Alarms", "报警", nil, true},
	{LayerPermits, "Special-work permits", "特殊作业票", []Kind{KindPermit}, true},
	{LayerInspectionPoints, "Inspection points", "巡检点", []Kind{KindInspectionPoint}, true},
	{LayerHazardSources, "Major hazard sources", "重大危险源", []Kind{KindHazardSource}, false},
	{LayerRiskUnits, "Risk units", "风险分区", []Kind{KindRiskUnit}, false},
	{LayerThreatZones, "Threat zones", "威胁区域", []Kind{KindThreatZone}, true},
	{LayerHiddenDangers, "Hidden dangers", "隐患", []Kind{KindHiddenDanger}, true},
}

var kindLayer = func() map[Kind]Layer {
	m := make(map[Kind]Layer)
	for _, l := range Layers {
		for _, k := range l.Kinds {
			m[k] = l.ID
		}
	}
	return m
}()

// Layer returns the layer a kind belongs to, or "" for kinds in no layer
// (the site root).
func (k Kind) Layer() Layer { return kindLayer[k] }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindLayer[k]; return ok || k == KindSite }

// Mobile reports whether entities of this kind carry a tag and move.
func (k Kind) Mobile() bool { return k == KindPerson || k == KindVehicle }

// LayerByID returns the layer description for id.
func LayerByID(id Layer) (LayerInfo, bool) {
	for _, l := range Layers {
		if l.ID == id {
			return l, true
		}
	}
	return LayerInfo{}, false
}
