package inspect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("inspect: invalid")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

// Defaults of a point (the W7 issue).
const (
	DefaultRadiusM   = 15.0 // check-in radius
	DefaultMinDwellS = 20.0 // how long the tag must have been within it
	// MaxFixAge is how old the inspector's position may be at check-in.
	MaxFixAge = 10 * time.Second
	// DefaultGraceMin is how long after a task window check-ins are still
	// taken (as late) before the task closes and its unvisited points are
	// missed.
	DefaultGraceMin = 30.0
)

// Point is an inspection point: an inspection_point entity of the scene
// (layer inspection_points), editable over REST and on the map like a
// fence. Its properties: code, radius_m, min_dwell_s, equipment,
// checklist, auto_checkin (docs/scene-format.md).
type Point struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en,omitempty"`
	Location  orb.Point `json:"location"` // lon/lat
	Floor     int       `json:"floor,omitempty"`
	Code      string    `json:"code"` // what its QR code or NFC tag carries
	RadiusM   float64   `json:"radius_m"`
	MinDwellS float64   `json:"min_dwell_s"`
	Equipment string    `json:"equipment,omitempty"` // the equipment it checks; "" a place
	Checklist []Item    `json:"checklist"`
	// Auto: checked in by trajectory (the tag inside the radius for the
	// dwell) — only for points without a checklist.
	Auto bool `json:"auto_checkin,omitempty"`
}

// Item kinds of a checklist.
const (
	ItemBool   = "bool"   // yes/no; yes passes (正常)
	ItemNumber = "number" // a reading; passes within Min … Max
	ItemPhoto  = "photo"  // a photo is required
	ItemText   = "text"   // a free note
)

// Item is one line of a point's checklist.
type Item struct {
	Key  string   `json:"key"`
	Zh   string   `json:"zh"`
	En   string   `json:"en,omitempty"`
	Kind string   `json:"kind"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	Unit string   `json:"unit,omitempty"`
	// Required: the check-in must answer it (a photo item always is).
	Required bool `json:"required,omitempty"`
	// Source names where the limits come from (a standard, the design).
	Source string `json:"source,omitempty"`
}

// PointFromEntity reads an inspection point from its scene entity.
func PointFromEntity(e *twin.Entity) (*Point, error) {
	if e == nil || e.Kind != twin.KindInspectionPoint {
		return nil, invalid("not an inspection point")
	}
	if !e.Placed() {
		return nil, invalid("point %s: no location", e.ID)
	}
	p := &Point{ID: e.ID, Name: e.Name, NameEn: e.String("name_en"), Location: geo.Centroid(e.Geometry),
		Code: strings.TrimSpace(e.String("code")), Equipment: e.String("equipment"), RadiusM: DefaultRadiusM, MinDwellS: DefaultMinDwellS}
	if v, ok := twin.AsFloat(e.Props["radius_m"]); ok {
		p.RadiusM = v
	}
	if v, ok := twin.AsFloat(e.Props["min_dwell_s"]); ok {
		p.MinDwellS = v
	}
	if v, ok := twin.AsFloat(e.Props["floor"]); ok {
		p.Floor = int(v)
	}
	p.Auto, _ = e.Props["auto_checkin"].(bool)
	if raw, ok := e.Props["checklist"]; ok && raw != nil {
		list, ok := raw.([]any)
		if !ok {
			return nil, invalid("point %s: checklist is not a list", e.ID)
		}
		for i, x := range list {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, invalid("point %s: checklist item %d is not an object", e.ID, i+1)
			}
			it := Item{}
			it.Key, _ = m["key"].(string)
			it.Zh, _ = m["zh"].(string)
			it.En, _ = m["en"].(string)
			it.Kind, _ = m["kind"].(string)
			it.Unit, _ = m["unit"].(string)
			it.Required, _ = m["required"].(bool)
			it.Source, _ = m["source"].(string)
			if v, ok := twin.AsFloat(m["min"]); ok {
				it.Min = &v
			}
			if v, ok := twin.AsFloat(m["max"]); ok {
				it.Max = &v
			}
			p.Checklist = append(p.Checklist, it)
		}
	}
	if p.Checklist == nil {
		p.Checklist = []Item{}
	}
	return p, p.Validate()
}

// Validate checks a point.
func (p *Point) Validate() error {
	switch {
	case p.ID == "":
		return invalid("point without id")
	case p.Code == "" || len(p.Code) > 256:
		return invalid("point %s: code must be 1–256 bytes", p.ID)
	case !geo.ValidLonLat(p.Location):
		return invalid("point %s: location %v", p.ID, p.Location)
	case !(p.RadiusM >= 1 && p.RadiusM <= 200):
		return invalid("point %s: radius_m %v (want 1–200)", p.ID, p.RadiusM)
	case !(p.MinDwellS >= 0 && p.MinDwellS <= 3600):
		return invalid("point %s: min_dwell_s %v (want 0–3600)", p.ID, p.MinDwellS)
	case p.Auto && len(p.Checklist) > 0:
		return invalid("point %s: auto check-in is for points without a checklist", p.ID)
	}
	seen := map[string]bool{}
	for i, it := range p.Checklist {
		if err := it.validate(); err != nil {
			return invalid("point %s: checklist item %d: %v", p.ID, i+1, err)
		}
		if seen[it.Key] {
			return invalid("point %s: checklist key %q twice", p.ID, it.Key)
		}
		seen[it.Key] = true
	}
	return nil
}

func (it Item) validate() error {
	switch {
	case it.Key == "" || strings.TrimSpace(it.Zh) == "":
		return errors.New("a key and a Chinese label are required")
	case !slices.Contains([]string{ItemBool, ItemNumber, ItemPhoto, ItemText}, it.Kind):
		return fmt.Errorf("kind %q (want bool, number, photo or text)", it.Kind)
	case it.Kind != ItemNumber && (it.Min != nil || it.Max != nil):
		return errors.New("limits on an item that is no reading")
	case it.Min != nil && (math.IsNaN(*it.Min) || math.IsInf(*it.Min, 0)), it.Max != nil && (math.IsNaN(*it.Max) || math.IsInf(*it.Max, 0)):
		return errors.New("limits must be finite")
	case it.Min != nil && it.Max != nil && *it.Min > *it.Max:
		return fmt.Errorf("min %v above max %v", *it.Min, *it.Max)
	}
	return nil
}

// Route is an inspection route: points in the order they are walked.
type Route struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	NameEn string   `json:"name_en,omitempty"`
	Points []string `json:"points"`
	// Sequence: the points must be checked in their order.
	Sequence bool `json:"sequence,omitempty"`
}

// Validate checks a route; known reports whether a point id exists.
func (r *Route) Validate(known func(id string) bool) error {
	switch {
	case r.ID == "" || strings.TrimSpace(r.Name) == "":
		return invalid("route without id or name")
	case len(r.Points) == 0:
		return invalid("route %s: no points", r.ID)
	}
	seen := map[string]bool{}
	for _, id := range r.Points {
		if seen[id] {
			return invalid("route %s: point %s twice", r.ID, id)
		}
		seen[id] = true
		if known != nil && !known(id) {
			return invalid("route %s: no inspection point %s", r.ID, id)
		}
	}
	return nil
}

// Cycle units of a plan (AQ 3064.1 check tasks: 小时/天/周/月).
const (
	UnitHour  = "hour"
	UnitDay   = "day"
	UnitWeek  = "week"
	UnitMonth = "month"
)

// Day types a plan runs on.
const (
	DaysAll      = "all"
	DaysWorkdays = "workdays"  // Monday–Friday and 调休 workdays, not holidays
	DaysRestDays = "rest_days" // weekends and holidays
)

// Plan says when a route is walked and by whom; tasks are generated from
// it, one per window of each cycle:
//   - unit hour, every N: a window every N hours from midnight, each N
//     hours long (inside the shift windows when some are given);
//   - unit day, every N: on every Nth day from the plan's start date, one
//     window per shift window (the whole day when none is given);
//   - unit week / month, every N: one window over the whole week (from
//     Monday) or month.
//
// A check-in within Grace after a window is late; then the task closes
// and its unvisited points are missed.
type Plan struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
	Route  string `json:"route"`
	Every  int    `json:"every"`
	Unit   string `json:"unit"`
	// Windows are shift windows "HH:MM-HH:MM" in the site's zone; a
	// window may run past midnight ("20:00-08:00").
	Windows []string `json:"windows,omitempty"`
	Days    string   `json:"days"`
	// Assignee is a person id; Team a department every member of which
	// may do the task. One of them is required.
	Assignee string  `json:"assignee,omitempty"`
	Team     string  `json:"team,omitempty"`
	GraceMin float64 `json:"grace_min"`
	// From is the first day the plan runs (YYYY-MM-DD, site zone); Until
	// the last ("" open).
	From    string `json:"from"`
	Until   string `json:"until,omitempty"`
	Enabled bool   `json:"enabled"`
}

// Validate checks a plan; route reports whether a route id exists.
func (p *Plan) Validate(route func(id string) bool) error {
	switch {
	case p.ID == "" || strings.TrimSpace(p.Name) == "":
		return invalid("plan without id or name")
	case p.Route == "" || route != nil && !route(p.Route):
		return invalid("plan %s: no route %q", p.ID, p.Route)
	case p.Every < 1 || p.Every > 366:
		return invalid("plan %s: every %d (want 1–366)", p.ID, p.Every)
	case !slices.Contains([]string{UnitHour, UnitDay, UnitWeek, UnitMonth}, p.Unit):
		return invalid("plan %s: unit %q (want hour, day, week or month)", p.ID, p.Unit)
	case !slices.Contains([]string{DaysAll, DaysWorkdays, DaysRestDays}, p.Days):
		return invalid("plan %s: days %q (want all, workdays or rest_days)", p.ID, p.Days)
	case p.Assignee == "" && p.Team == "":
		return invalid("plan %s: an assignee or a team is required", p.ID)
	case !(p.GraceMin >= 0 && p.GraceMin <= 24*60):
		return invalid("plan %s: grace_min %v (want 0–1440)", p.ID, p.GraceMin)
	case (p.Unit == UnitWeek || p.Unit == UnitMonth) && len(p.Windows) > 0:
		return invalid("plan %s: shift windows are for hourly and daily plans", p.ID)
	}
	from, err := time.Parse(time.DateOnly, p.From)
	if err != nil {
		return invalid("plan %s: from %q (want YYYY-MM-DD)", p.ID, p.From)
	}
	if p.Until != "" {
		until, err := time.Parse(time.DateOnly, p.Until)
		if err != nil || until.Before(from) {
			return invalid("plan %s: until %q (want YYYY-MM-DD, not before from)", p.ID, p.Until)
		}
	}
	for _, w := range p.Windows {
		if _, _, err := ParseWindow(w); err != nil {
			return invalid("plan %s: %v", p.ID, err)
		}
	}
	return nil
}

// ParseWindow reads a shift window "HH:MM-HH:MM" as offsets from
// midnight; an end at or before the start runs into the next day.
func ParseWindow(w string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(w), "-")
	if !ok {
		return 0, 0, fmt.Errorf("window %q (want HH:MM-HH:MM)", w)
	}
	ta, errA := time.Parse("15:04", strings.TrimSpace(a))
	tb, errB := time.Parse("15:04", strings.TrimSpace(b))
	if errA != nil || errB != nil {
		return 0, 0, fmt.Errorf("window %q (want HH:MM-HH:MM)", w)
	}
	start = time.Duration(ta.Hour())*time.Hour + time.Duration(ta.Minute())*time.Minute
	end = time.Duration(tb.Hour())*time.Hour + time.Duration(tb.Minute())*time.Minute
	if end <= start {
		end += 24 * time.Hour
	}
	return start, end, nil
}

// Task point states (the inspection_points layer's status for the current
// task).
const (
	PointDue    = "due"
	PointDone   = "done"
	PointLate   = "late"
	PointMissed = "missed"
)

// Task states.
const (
	TaskOpen    = "open"    // the window is open (or in its grace)
	TaskDone    = "done"    // closed, every point checked (some may be late)
	TaskPartial = "partial" // closed with points missed
	TaskMissed  = "missed"  // closed, nothing checked
)

// Task is one walk of a route a plan asks for (a check task, AQ 3064.1).
type Task struct {
	ID       string      `json:"id"` // plan id + "@" + window start (UTC, 20060102T1504)
	Plan     string      `json:"plan"`
	Route    string      `json:"route"`
	Assignee string      `json:"assignee,omitempty"`
	Team     string      `json:"team,omitempty"`
	Start    time.Time   `json:"start"`
	End      time.Time   `json:"end"`
	Close    time.Time   `json:"close"` // End + the plan's grace
	Sequence bool        `json:"sequence,omitempty"`
	Status   string      `json:"status"`
	Points   []TaskPoint `json:"points"`
}

// TaskPoint is one point of a task and how it went.
type TaskPoint struct {
	Point   string     `json:"point"`
	Status  string     `json:"status"`
	CheckIn string     `json:"checkin,omitempty"`
	At      *time.Time `json:"at,omitempty"`
	By      string     `json:"by,omitempty"` // the person
}

// Check record status (AQ 3064.1 / REFERENCE §4).
const (
	RecordNormal     = 0 // 正常
	RecordHazard     = 1 // 发现隐患
	RecordNotChecked = 2 // 未检查
	RecordOther      = 3 // 其他
)

// CheckIn is a check record: an inspector at a point, verified by their
// tag's position, with the checklist's results; or a point not checked
// when its task closed (Status 2, no person).
type CheckIn struct {
	ID     string    `json:"id"`
	Task   string    `json:"task,omitempty"`
	Route  string    `json:"route,omitempty"`
	Point  string    `json:"point"`
	Person string    `json:"person,omitempty"`
	User   string    `json:"user,omitempty"`
	Tag    string    `json:"tag,omitempty"`
	At     time.Time `json:"at"`
	// Where the tag was, how far from the point, how old the fix was and
	// how long the tag had been within the radius.
	Lon       float64  `json:"lon,omitempty"`
	Lat       float64  `json:"lat,omitempty"`
	DistanceM float64  `json:"distance_m,omitempty"`
	FixAgeS   float64  `json:"fix_age_s,omitempty"`
	DwellS    float64  `json:"dwell_s,omitempty"`
	Code      string   `json:"code,omitempty"`
	Auto      bool     `json:"auto,omitempty"` // by trajectory
	Results   []Result `json:"results"`
	Note      string   `json:"note,omitempty"`
	Photos    []string `json:"photos,omitempty"` // blob ids
	Status    int      `json:"status"`
	Late      bool     `json:"late,omitempty"`
	Dangers   []string `json:"dangers,omitempty"` // hidden dangers it raised
}

// Result is the answer to one checklist item: a bool, a number or a
// text, or a photo (blob id), and whether it passes.
type Result struct {
	Key   string   `json:"key"`
	Bool  *bool    `json:"bool,omitempty"`
	Value *float64 `json:"value,omitempty"`
	Text  string   `json:"text,omitempty"`
	Photo string   `json:"photo,omitempty"`
	Pass  bool     `json:"pass"`
}

// Attempt is a refused check-in, kept (假检/代检 leave a trail).
type Attempt struct {
	ID        string         `json:"id"`
	At        time.Time      `json:"at"`
	User      string         `json:"user"`
	Person    string         `json:"person,omitempty"`
	Point     string         `json:"point"`
	Code      string         `json:"code"` // the refusal: too_far, code_mismatch, no_position, stale_position, too_short, …
	Message   string         `json:"message"`
	Details   map[string]any `json:"details,omitempty"`
	DistanceM *float64       `json:"distance_m,omitempty"`
}

// Hidden-danger levels, fixes and states (REFERENCE §4).
const (
	DangerGeneral = "general" // 一般隐患
	DangerMajor   = "major"   // 重大隐患

	FixOnSpot   = "on_spot"  // 即查即改
	FixDeadline = "deadline" // 限期整改

	DangerRectifying = "rectifying"          // 整改中
	DangerAwaiting   = "awaiting_acceptance" // 待验收
	DangerAccepted   = "accepted"            // 已验收
)

// Danger is a hidden danger (隐患) found at a point: a failed checklist
// item or an out-of-range reading, at the point's place, closed through
// rectify → accept.
type Danger struct {
	ID            string        `json:"id"`
	Point         string        `json:"point,omitempty"`
	CheckIn       string        `json:"checkin,omitempty"`
	Item          string        `json:"item,omitempty"`
	Lon           float64       `json:"lon"`
	Lat           float64       `json:"lat"`
	AreaID        string        `json:"area_id,omitempty"`
	Description   string        `json:"description"`
	DescriptionEn string        `json:"description_en,omitempty"` // for the English UI
	Level         string        `json:"level"`
	Fix           string        `json:"fix"`
	Deadline      *time.Time    `json:"deadline,omitempty"`
	Photos        []string      `json:"photos,omitempty"`
	Status        string        `json:"status"`
	FoundBy       string        `json:"found_by"`
	FoundAt       time.Time     `json:"found_at"`
	Log           []DangerEvent `json:"log"`
}

// DangerEvent is one step of a hidden danger's life.
type DangerEvent struct {
	Action string    `json:"action"` // found, rectified, accepted, rejected
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
	Photos []string  `json:"photos,omitempty"`
}
