package park

import (
	"math"
	"strconv"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarm status codes: 1 active (raised or updated), 0 cleared (解除).
const (
	StatusActive  = "1"
	StatusCleared = "0"
)

// personAlarmCodes are the person alarm codes of Annex B (ALARM_TYPE).
var personAlarmCodes = map[alarm.Type]string{
	alarm.SOS:            "0", // 一键报警
	alarm.FenceIntrusion: "1", // 越界: entering where one may not …
	alarm.FenceExit:      "1", // … or leaving where one must stay
	alarm.Lingering:      "2", // 滞留
	alarm.StaticTimeout:  "3", // 静止
}

// zoneAlarmCodes are the zone alarm codes of Annex B (ALARM_TYPE).
var zoneAlarmCodes = map[alarm.Type]string{
	alarm.Overcrowding:  "1", // 超员
	alarm.Understaffing: "2", // 缺员
}

// PersonAlarmRecord is a row of the person alarm table (人员报警).
type PersonAlarmRecord struct {
	ID         string  `json:"ID"` // the alarm id; raise and clear share it
	PersonID   string  `json:"PERSON_ID"`
	PersonName string  `json:"PERSON_NAME"`
	AlarmType  string  `json:"ALARM_TYPE"`
	AlarmLevel int     `json:"ALARM_LEVEL"` // 1 low … 3 high
	ZoneID     string  `json:"ZONE_ID"`
	ZoneName   string  `json:"ZONE_NAME"`
	X          float64 `json:"X"`
	Y          float64 `json:"Y"`
	Floor      int     `json:"FLOOR"`
	AlarmTime  string  `json:"ALARM_TIME"`
	EndTime    string  `json:"END_TIME,omitempty"`
	Status     string  `json:"STATUS"`
	Content    string  `json:"CONTENT"` // zh-CN message
}

// ZoneAlarmRecord is a row of the zone alarm table (区域报警).
type ZoneAlarmRecord struct {
	ID          string   `json:"ID"`
	ZoneID      string   `json:"ZONE_ID"`
	ZoneName    string   `json:"ZONE_NAME"`
	AlarmType   string   `json:"ALARM_TYPE"`
	AlarmLevel  int      `json:"ALARM_LEVEL"`
	PersonCount int      `json:"PERSON_COUNT"`
	LimitCount  int      `json:"LIMIT_COUNT"` // the maximum (超员) or minimum (缺员)
	PersonIDs   []string `json:"PERSON_IDS"`
	Missing     []string `json:"MISSING_PERSON_IDS,omitempty"`
	X           float64  `json:"X"`
	Y           float64  `json:"Y"`
	AlarmTime   string   `json:"ALARM_TIME"`
	EndTime     string   `json:"END_TIME,omitempty"`
	Status      string   `json:"STATUS"`
	Content     string   `json:"CONTENT"`
}

// GatheringRecord is a row of the gathering warning table (人员聚集预警).
type GatheringRecord struct {
	ID           string   `json:"ID"`
	AreaID       string   `json:"AREA_ID"`
	AreaName     string   `json:"AREA_NAME"`
	PersonCount  int      `json:"PERSON_COUNT"`
	PersonIDs    []string `json:"PERSON_IDS"`
	WarningLevel int      `json:"WARNING_LEVEL"` // 1 yellow, 2 orange, 3 red
	Colour       string   `json:"COLOUR"`
	X            float64  `json:"X"`
	Y            float64  `json:"Y"`
	Floor        int      `json:"FLOOR"`
	RadiusM      float64  `json:"RADIUS"` // metres
	AlarmTime    string   `json:"ALARM_TIME"`
	EndTime      string   `json:"END_TIME,omitempty"`
	Status       string   `json:"STATUS"`
	Content      string   `json:"CONTENT"`
}

// status maps a lifecycle step; ok is false for steps not sent (acknowledged,
// closed, event records).
func status(act alarm.Action) (string, bool) {
	switch act {
	case alarm.ActionRaised, alarm.ActionUpdated:
		return StatusActive, true
	case alarm.ActionCleared:
		return StatusCleared, true
	}
	return "", false
}

func endTime(a *alarm.Alarm) string {
	if a.ClearedAt == nil {
		return ""
	}
	return stamp(*a.ClearedAt)
}

// detail readers: alarm details come from rules in memory ([]string, int)
// or back from a store as decoded JSON ([]any, float64).

func detStr(d map[string]any, k string) string {
	s, _ := d[k].(string)
	return s
}

func detNum(d map[string]any, k string) (float64, bool) {
	switch v := d[k].(type) {
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// detInt returns a whole number within ±1e9, else 0.
func detInt(d map[string]any, k string) int {
	f, ok := detNum(d, k)
	if !ok || math.Abs(f) > 1e9 {
		return 0
	}
	return int(f)
}

func detStrings(d map[string]any, k string) []string {
	switch v := d[k].(type) {
	case []string:
		return append([]string(nil), v...)
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

// floorOf reads the floor of a fence alarm's position snapshot, or of a
// gathering.
func floorOf(d map[string]any) int {
	if p, ok := d["position"].(map[string]any); ok {
		return detInt(p, "floor")
	}
	return detInt(d, "floor")
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
