package park

import (
	"math"
	"time"

	"github.com/paulmach/orb/encoding/wkt"

	"github.com/chemtwin/chemtwin/twin"
)

// Table names, the "table" of the envelope.
const (
	TablePerson      = "person"
	TableZone        = "zone"
	TablePosition    = "position"
	TablePersonAlarm = "person_alarm"
	TableZoneAlarm   = "zone_alarm"
	TableGathering   = "gathering"
)

// TimeLayout is the layout of every TIME field, in China Standard Time.
const TimeLayout = "2006-01-02 15:04:05"

// cst is China Standard Time, UTC+8 (no daylight saving since 1991, so a
// fixed zone equals Asia/Shanghai and needs no tzdata).
var cst = time.FixedZone("CST", 8*3600)

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format(TimeLayout)
}

// Person type codes of AQ 3064.3-2025: internal 01, contractor 02, visitor 03.
var personTypes = map[string]string{"internal": "01", "contractor": "02", "visitor": "03"}

// Zone type codes (Annex B): 0 temporary, 1 fixed.
const (
	ZoneTemporary = "0"
	ZoneFixed     = "1"
)

// PersonRecord is a row of the person table (人员信息).
type PersonRecord struct {
	ID           string `json:"ID"`
	PersonName   string `json:"PERSON_NAME"`
	PersonType   string `json:"PERSON_TYPE"`
	PositionName string `json:"POSITION_NAME"` // post (岗位)
	Department   string `json:"DEPARTMENT"`
	Company      string `json:"COMPANY,omitempty"`
	TagID        string `json:"TAG_ID"`
}

// personRecord maps a registry person. An unregistered tag (identity
// "unknown") is typed 03, visitor: the least-privileged class.
func personRecord(e *twin.Entity) PersonRecord {
	typ, ok := personTypes[e.String("identity_type")]
	if !ok {
		typ = personTypes["visitor"]
	}
	r := PersonRecord{ID: e.ID, PersonName: e.Name, PersonType: typ, PositionName: e.String("post"),
		Department: e.String("department"), Company: e.String("company")}
	if e.Mobile != nil {
		r.TagID = e.Mobile.Tag
	}
	if r.PersonName == "" {
		r.PersonName = e.ID
	}
	return r
}

// ZoneRecord is a row of the zone table (区域信息): a scene area or fence.
type ZoneRecord struct {
	ID         string `json:"ID"`
	ZoneName   string `json:"ZONE_NAME"`
	ZoneType   string `json:"ZONE_TYPE"` // ZoneTemporary or ZoneFixed
	ZoneKind   string `json:"ZONE_KIND"` // "area" or "fence"
	Rule       string `json:"RULE,omitempty"`
	RiskLevel  string `json:"RISK_LEVEL,omitempty"`
	Floor      *int   `json:"FLOOR,omitempty"`
	MaxPersons int    `json:"MAX_PERSONS,omitempty"`
	MinPersons int    `json:"MIN_PERSONS,omitempty"`
	Geo        string `json:"GEO"` // WKT, lon lat in CGCS2000
}

// zoneRecord maps an area or fence; temporary is decided by the caller.
func zoneRecord(e *twin.Entity, temporary bool) ZoneRecord {
	r := ZoneRecord{ID: e.ID, ZoneName: e.Name, ZoneType: ZoneFixed, ZoneKind: string(e.Kind),
		Rule: e.String("rule"), RiskLevel: e.String("risk_level"),
		MaxPersons: int(e.Float("max_persons", 0)), MinPersons: int(e.Float("min_persons", 0))}
	if temporary {
		r.ZoneType = ZoneTemporary
	}
	if f, ok := twin.AsFloat(e.Props["floor"]); ok && f == math.Trunc(f) && math.Abs(f) < 1000 {
		fl := int(f)
		r.Floor = &fl
	}
	if e.Geometry != nil {
		r.Geo = wkt.MarshalString(e.Geometry)
	}
	if r.ZoneName == "" {
		r.ZoneName = e.ID
	}
	return r
}

// temporaryZone reports whether a zone is temporary by its attributes: a
// moving fence (attached to a permit or a vehicle) or one marked temporary.
func temporaryZone(e *twin.Entity) bool {
	if e.Kind != twin.KindFence {
		return false
	}
	t, _ := e.Props["temporary"].(bool)
	return t || e.String("attached_to") != ""
}

// PositionRecord is a row of the position table (人员实时位置).
type PositionRecord struct {
	PersonID string  `json:"PERSON_ID"`
	TagID    string  `json:"TAG_ID"`
	X        float64 `json:"X"` // longitude, degrees, CGCS2000
	Y        float64 `json:"Y"` // latitude, degrees, CGCS2000
	Z        float64 `json:"Z"` // metres above ground
	Floor    int     `json:"FLOOR"`
	ZoneID   string  `json:"ZONE_ID"` // the area holding the fix, "" outside all
	Time     string  `json:"TIME"`
}

// fixKey is what decides whether a position changed: the fix as encoded
// (1e-7° ≈ 1 cm, Z to 1 cm, floor). The time is not part of it.
type fixKey struct {
	lon, lat, z int64
	floor       int
}

func keyOf(f twin.Fix) fixKey {
	return fixKey{lon: int64(math.Round(f.Point[0] * 1e7)), lat: int64(math.Round(f.Point[1] * 1e7)),
		z: int64(math.Round(f.Z * 100)), floor: f.Floor}
}

func round(v float64, scale float64) float64 { return math.Round(v*scale) / scale }

func positionRecord(id, tag, zone string, f twin.Fix) PositionRecord {
	return PositionRecord{PersonID: id, TagID: tag, X: round(finite(f.Point[0]), 1e7), Y: round(finite(f.Point[1]), 1e7),
		Z: round(finite(f.Z), 100), Floor: f.Floor, ZoneID: zone, Time: stamp(f.At)}
}
