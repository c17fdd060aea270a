// Package alarm holds the alarm model and its lifecycle: raised (active) →
// acknowledged by a named person → cleared when the condition is gone. Alarm
// types are the vocabulary of DESIGN.md; rules that raise them live with
// their domain (twin/rules and, later, positioning, gas and permits).
package alarm

import (
	"errors"
	"time"
)

// Type is an alarm type from the DESIGN.md vocabulary.
type Type string

// The alarm vocabulary (DESIGN.md). Names are a public contract.
const (
	FenceIntrusion       Type = "fence_intrusion"
	FenceExit            Type = "fence_exit"
	Overcrowding         Type = "overcrowding"
	Understaffing        Type = "understaffing"
	StaticTimeout        Type = "static_timeout"
	OffPost              Type = "off_post"
	Lingering            Type = "lingering"
	Overspeed            Type = "overspeed"
	LowBattery           Type = "low_battery"
	SOS                  Type = "sos"
	TagOffline           Type = "tag_offline"
	Gathering            Type = "gathering"
	GasLevel1            Type = "gas_level1"
	GasLevel2            Type = "gas_level2"
	DetectorFault        Type = "detector_fault"
	DetectorOffline      Type = "detector_offline"
	PermitGasExceeded    Type = "permit_gas_exceeded"
	PermitGuardianAbsent Type = "permit_guardian_absent"
	PermitOvercrowded    Type = "permit_overcrowded"
	PermitExpired        Type = "permit_expired"
	InspectionMissed     Type = "inspection_missed"
	VideoEvent           Type = "video_event"
	HazardParam          Type = "hazard_param"
	HistoryOverflow      Type = "history_overflow" // the history write buffer overflowed: rows were lost
	Evacuation           Type = "evacuation"       // people inside a gas threat zone (twin/threat): evacuate them
	PermitBlocked        Type = "permit_blocked"   // a permit step refused by a hard block (details.ptw_code, AQ 3064.2)
	// PermitAnalysisOverdue: work in progress whose next gas analysis is
	// overdue (details.ptw_code 05 confined-space record, 04 next-day).
	PermitAnalysisOverdue Type = "permit_analysis_overdue"
)

// Types lists the vocabulary.
var Types = []Type{
	FenceIntrusion, FenceExit, Overcrowding, Understaffing, StaticTimeout,
	OffPost, Lingering, Overspeed, LowBattery, SOS, TagOffline, Gathering,
	GasLevel1, GasLevel2, DetectorFault, DetectorOffline, PermitGasExceeded,
	PermitGuardianAbsent, PermitOvercrowded, PermitExpired, InspectionMissed,
	VideoEvent, HazardParam, HistoryOverflow, Evacuation, PermitBlocked,
	PermitAnalysisOverdue,
}

// Valid reports whether t is in the vocabulary.
func (t Type) Valid() bool {
	for _, v := range Types {
		if v == t {
			return true
		}
	}
	return false
}

// State is where an alarm is in its lifecycle.
type State string

// Alarm states. An alarm that clears before anyone acknowledged it is
// "cleared" with AckedAt nil: it still wants a named acknowledgement.
const (
	Active       State = "active"
	Acknowledged State = "acknowledged"
	Cleared      State = "cleared"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s == Active || s == Acknowledged || s == Cleared }

// Severity levels: 3 is the most severe.
const (
	LevelLow    = 1 // 提示: low battery, offline tag
	LevelMedium = 2 // 一般: fence, lingering, gas level 1
	LevelHigh   = 3 // 严重: SOS, gas level 2, man-down
)

// Alarm is one alarm with its lifecycle. JSON field names are the public
// contract (REST, websocket, MQTT chemtwin/{site}/alarms).
type Alarm struct {
	ID    string `json:"id"`
	Type  Type   `json:"type"`
	Level int    `json:"level"`
	State State  `json:"state"`
	// Key identifies the condition (type + subject), so that a condition
	// that persists raises one alarm, not one per sample.
	Key       string         `json:"key"`
	EntityID  string         `json:"entity_id"`
	AreaID    string         `json:"area_id"`
	Lon       float64        `json:"lon"`
	Lat       float64        `json:"lat"`
	RaisedAt  time.Time      `json:"raised_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	AckedAt   *time.Time     `json:"acked_at"`
	AckedBy   string         `json:"acked_by,omitempty"`
	AckNote   string         `json:"ack_note,omitempty"`
	ClearedAt *time.Time     `json:"cleared_at"`
	Message   string         `json:"message"`    // zh-CN
	MessageEn string         `json:"message_en"` // English
	Details   map[string]any `json:"details,omitempty"`
}

// Open reports whether the alarm's condition is still present (not cleared).
func (a *Alarm) Open() bool { return a.State != Cleared }

// Filter selects alarms from a store. Zero fields do not filter.
type Filter struct {
	State    State
	Type     Type
	EntityID string
	AreaID   string
	From, To time.Time // raised_at in [From, To]
	// Open selects alarms not cleared (active or acknowledged).
	Open   bool
	Limit  int // default 100 in stores; ≤ 1000
	Offset int
}

// ErrNotFound is returned for an unknown alarm id.
var ErrNotFound = errors.New("alarm: not found")

// ErrState is returned for a lifecycle step that does not apply (acknowledging
// an acknowledged alarm).
var ErrState = errors.New("alarm: not allowed in this state")

// Action is a lifecycle step, as carried by alarm events on the websocket
// (`alarm` messages) and on MQTT chemtwin/{site}/alarms.
type Action string

// Lifecycle steps.
const (
	ActionRaised  Action = "raised"       // a new alarm
	ActionUpdated Action = "updated"      // an open alarm's value, level or message changed
	ActionAcked   Action = "acknowledged" // a named person confirmed it
	ActionCleared Action = "cleared"      // the condition is gone
	ActionClosed  Action = "closed"       // a named person confirmed and closed it (Manager.Close)
	ActionEvent   Action = "event"        // not cleared within EventAfter: recorded as an alarm event (AQ 3064.3)
)

// Event is one lifecycle step of one alarm.
type Event struct {
	Action Action    `json:"action"`
	Alarm  Alarm     `json:"alarm"`
	enc    *encoding // the alarm's JSON, shared by the observers of one step
}
