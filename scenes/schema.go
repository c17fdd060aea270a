package scenes

import (
	"github.com/chemtwin/chemtwin/twin"
)

// ftype is the type a property must have after normalisation. Property
// values are kept as encoding/json decodes them: string, float64 (also for
// integers), bool, []any and map[string]any.
type ftype uint8

const (
	fString  ftype = iota + 1
	fNumber        // float64
	fInt           // float64 with an integral value
	fBool          // bool
	fStrings       // []any of string
	fNumbers       // []any of float64
	fObject        // map[string]any
	fObjects       // []any of map[string]any
)

var typeNames = map[ftype]string{
	fString: "text", fNumber: "a number", fInt: "an integer", fBool: "a boolean",
	fStrings: "a list of text", fNumbers: "a list of numbers", fObject: "an object", fObjects: "a list of objects",
}

// fields maps property names to their types.
type fields map[string]ftype

// Property names every feature may carry; id, kind, parent, name and height
// become Entity fields and are not kept in Props.
const (
	propID     = "id"
	propKind   = "kind"
	propParent = "parent"
	propName   = "name"
	propHeight = "height"
	propFID    = "fid" // QGIS's feature id column: dropped
)

var commonFields = fields{"name_en": fString, "description": fString, "code": fString, "floor": fInt}

var networkFields = fields{
	"width_m": fNumber, "oneway": fBool, "vehicle": fBool, "pedestrian": fBool,
	"speed_limit_kmh": fNumber, "floor_from": fInt, "floor_to": fInt,
}

var kindFields = map[twin.Kind]fields{
	twin.KindArea:     {"area_type": fString, "risk_level": fString, "fire_zone": fBool, "gathering": fBool},
	twin.KindBuilding: {"floors": fInt, "floor_height_m": fNumber, "use": fString, "blast_resistant": fBool, "gathering": fBool},
	twin.KindGate:     {"gate_type": fString},
	twin.KindUnit:     {"unit_type": fString, "process": fString, "fire_zone": fBool},
	twin.KindEquipment: {
		"equipment_type": fString, "release_source": fBool, "substance": fString,
	},
	twin.KindTank: {
		"radius_m": fNumber, "substance": fString, "capacity_m3": fNumber, "design_max_t": fNumber,
		"storage": fString, "dike": fString, "level_pct": fNumber, "temperature_c": fNumber, "pressure_kpa": fNumber,
	},
	twin.KindGasDetector: {
		"gas": fString, "substance": fString, "detector_type": fString, "unit": fString,
		"range": fNumbers, "alarm1": fNumber, "alarm2": fNumber,
	},
	twin.KindBeacon: {"rssi_1m": fNumber, "tx_power_dbm": fNumber, "interval_ms": fNumber, "mac": fString},
	twin.KindCamera: {
		"heading_deg": fNumber, "fov_deg": fNumber, "range_m": fNumber, "tilt_deg": fNumber,
		"ptz": fBool, "analytics": fStrings, "stream_url": fString,
	},
	twin.KindRoad:        networkFields,
	twin.KindWalkway:     networkFields,
	twin.KindStairs:      networkFields,
	twin.KindMusterPoint: {"capacity": fInt, "radius_m": fNumber},
	twin.KindFence: {
		"rule": fString, "z_min": fNumber, "z_max": fNumber, "max_persons": fInt, "min_persons": fInt,
		"required": fStrings, "authorized": fObject, "applies_to": fObject, "time_window": fObject,
		"dwell_s": fNumber, "static_s": fNumber, "speed_limit_kmh": fNumber, "level": fInt,
	},
	twin.KindRiskUnit: {"risk_level": fString, "lec": fObject, "responsible": fString, "hazards": fString},
	twin.KindHazardSource: {
		"substances": fObjects, "alpha": fNumber, "S": fNumber, "R": fNumber, "grade": fInt,
		"responsible": fObject,
	},
	// code (common) is what the point's QR code or NFC tag carries; the
	// rules are twin/inspect's (docs/scene-format.md).
	twin.KindInspectionPoint: {
		"radius_m": fNumber, "min_dwell_s": fNumber, "equipment": fString, "checklist": fObjects,
		"auto_checkin": fBool,
	},
}

var selectorFields = fields{"identity_types": fStrings, "departments": fStrings, "posts": fStrings, "persons": fStrings}

// objectFields are the members of nested objects, by "kind.property" or,
// failing that, by property name.
var objectFields = map[string]fields{
	"authorized":                {},
	"applies_to":                {},
	"time_window":               {"from": fString, "to": fString, "days": fNumbers},
	"lec":                       {"l": fNumber, "e": fNumber, "c": fNumber, "d": fNumber},
	"substances":                {"substance": fString, "q_t": fNumber, "Q_t": fNumber, "beta": fNumber},
	"hazard_source.responsible": {"principal": fString, "technical": fString, "operations": fString},
	"certificates":              {"type": fString, "name": fString, "number": fString, "expires": fString},
	"inspection_point.checklist": {
		"key": fString, "zh": fString, "en": fString, "kind": fString, "min": fNumber, "max": fNumber,
		"unit": fString, "required": fBool, "source": fString,
	},
}

func init() {
	objectFields["authorized"] = selectorFields
	objectFields["applies_to"] = selectorFields
}

// Registry entry fields (id, name and tag become Entity fields).
var (
	personFields = fields{
		"department": fString, "post": fString, "post_area": fString, "identity_type": fString,
		"role": fString, "phone": fString, "company": fString, "certificates": fObjects,
	}
	vehicleFields = fields{
		"plate": fString, "vehicle_type": fString, "department": fString, "max_speed_kmh": fNumber,
	}
)

// Enumerations, by property name.
var enums = map[string][]string{
	"area_type": {"production", "storage", "utility", "office", "workshop", "wastewater", "packaging",
		"logistics", "control", "gate", "pipe_rack"},
	"risk_level": {"red", "orange", "yellow", "blue"},
	"use": {"control_room", "office", "workshop", "warehouse", "substation", "canteen", "lab", "gatehouse",
		"process", "fire_station", "pump_house"},
	"gate_type":     {"main", "logistics", "emergency"},
	"storage":       {"atmospheric", "pressurized", "refrigerated"},
	"detector_type": {"combustible", "toxic", "oxygen"},
	"unit":          {"%LEL", "ppm", "mg/m3", "%VOL"},
	"rule":          {"forbidden", "keep_in", "headcount", "static", "lingering", "post", "speed"},
	"identity_type": {"internal", "contractor", "visitor"},
	"vehicle_type":  {"forklift", "tanker", "truck", "fire_engine", "car", "crane"},
}

// fieldType returns the type of property name of kind k (common ones too).
func fieldType(k twin.Kind, name string) (ftype, bool) {
	if t, ok := kindFields[k][name]; ok {
		return t, true
	}
	t, ok := commonFields[name]
	return t, ok
}

// subFields returns the member schema of nested property name of kind k.
func subFields(k twin.Kind, name string) fields {
	if f, ok := objectFields[string(k)+"."+name]; ok {
		return f
	}
	return objectFields[name]
}
