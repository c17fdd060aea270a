package permit

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chemtwin/chemtwin/internal/strictjson"
)

//go:embed rules.json
var embedded []byte

// Errors of the rule tables; test with errors.Is.
var (
	// ErrInvalid is returned by Parse for rule data that breaks the
	// package's checks (Rules.validate).
	ErrInvalid = errors.New("permit: invalid rule data")
	// ErrUnknown is returned for a permit type, level, status or alarm
	// the tables do not hold.
	ErrUnknown = errors.New("permit: unknown")
)

// Rules are the special-work rule tables (rules.json): versioned data
// with a source on every table, read once and shared read-only.
type Rules struct {
	Version         string        `json:"version"`
	About           string        `json:"about"`
	Types           []*Type       `json:"types"`
	GasPass         GasPass       `json:"gas_pass"`
	Upgrade         UpgradeRule   `json:"upgrade"`
	Statuses        []Status      `json:"statuses"`
	StatusesSource  string        `json:"statuses_source"`
	Alarms          []AlarmCode   `json:"alarms"`
	AlarmsSource    string        `json:"alarms_source"`
	Approvers       []Approver    `json:"approvers"`
	ApproversSource string        `json:"approvers_source"`
	nightFrom       time.Duration // after midnight
	nightTo         time.Duration
}

// Type is one of the eight special-work types of GB 30871-2022.
type Type struct {
	Key    string   `json:"key"` // hot_work, confined_space, blind_plate, height, lifting, temp_power, excavation, road_break
	NameZh string   `json:"name_zh"`
	NameEn string   `json:"name_en"`
	Levels []*Level `json:"levels"` // most to least dangerous where levels are ranked (Upgraded)
	Gas    GasRule  `json:"gas"`
	// Upgrade is set for hot work: at night, on rest days and holidays,
	// in special periods and in strong wind the level is raised by one.
	Upgrade bool `json:"upgrade,omitempty"`
	// FenceRadiusM is the default radius of the live fence around the
	// work (the watch in progress); SamplingRadiusM how far a detector may
	// be to count for the work's gas watch.
	FenceRadiusM    float64 `json:"fence_radius_m"`
	SamplingRadiusM float64 `json:"sampling_radius_m"`
	// SimultaneousM is the distance within which other work conflicts
	// (hot work and blind plates: 30 m).
	SimultaneousM float64 `json:"simultaneous_m,omitempty"`
	// ConfinedDepthM: an excavation deeper than this near flammable or
	// toxic lines is a confined space.
	ConfinedDepthM float64 `json:"confined_depth_m,omitempty"`
	// Certificate is what each worker must hold (nil: none).
	Certificate    *Certificate `json:"certificate,omitempty"`
	Source         string       `json:"source"`
	Measures       []Measure    `json:"measures"`
	MeasuresSource string       `json:"measures_source"`
}

// Level is a type's level (or the one level of an unranked type, key "").
type Level struct {
	Key    string `json:"key"`  // the REST level: special, 1, 2, pull, plug, "" …
	Code   string `json:"code"` // the AQ 3064.2 type code, two digits
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	// ValidityH is the longest validity, hours; 0 when the standard sets
	// none. MaxValidityH is the longest an extension may reach.
	ValidityH    float64 `json:"validity_h,omitempty"`
	MaxValidityH float64 `json:"max_validity_h,omitempty"`
	// Approver is the approving role (Rules.Approvers).
	Approver    string `json:"approver"`
	Countersign bool   `json:"countersign,omitempty"`
	ScopeZh     string `json:"scope_zh,omitempty"`
	// RetestAfterBreakMin: a break longer than this needs a new gas
	// analysis before work resumes; DailyRetest: each new day too.
	RetestAfterBreakMin float64 `json:"retest_after_break_min,omitempty"`
	DailyRetest         bool    `json:"daily_retest,omitempty"`
	// Height and mass bands of height and lifting levels.
	MinHeightM float64 `json:"min_height_m,omitempty"`
	MaxHeightM float64 `json:"max_height_m,omitempty"`
	MinMassT   float64 `json:"min_mass_t,omitempty"`
	MaxMassT   float64 `json:"max_mass_t,omitempty"`
	Plan       bool    `json:"plan,omitempty"` // a written plan is required
}

// GasRule says when a type needs a gas analysis.
type GasRule struct {
	// Required is "always", "fire_area" (only in fire and explosion
	// hazard areas) or "never".
	Required string `json:"required"`
	// MaxAgeMin is how old the analysis may be at sign-off and start.
	MaxAgeMin float64 `json:"max_age_min,omitempty"`
	// ContinuousLevels are the level keys watched continuously.
	ContinuousLevels []string `json:"continuous_levels,omitempty"`
	// RecordEveryH: readings are recorded at least this often.
	RecordEveryH float64 `json:"record_every_h,omitempty"`
	// Oxygen: the oxygen content is tested too.
	Oxygen bool `json:"oxygen,omitempty"`
}

// Gas requirement values.
const (
	GasAlways   = "always"
	GasFireArea = "fire_area"
	GasNever    = "never"
)

// Certificate is a kind of operator certificate a type's workers need.
// A person's certificate (scene person property certificates: type,
// name, number, expires) satisfies it when its kind is Kind or its name
// (the operation, 作业项目) contains one of Operations; one of the same
// Class (证件类别) for another operation does not match the work.
type Certificate struct {
	Kind       string   `json:"kind"`
	Class      string   `json:"class"`
	Operations []string `json:"operations"`
	Zh         string   `json:"zh"`
	En         string   `json:"en"`
	Source     string   `json:"source"`
}

// Measure is one safety measure of a type's checklist, confirmed one by
// one (numbered from 1 in the REST API).
type Measure struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// GasPass is the pass rule of a gas analysis (GB 30871-2022).
type GasPass struct {
	LELSplitPctVol          float64 `json:"lel_split_pct_vol"`
	MaxPctVolHighLEL        float64 `json:"max_pct_vol_high_lel"`
	MaxPctVolLowLEL         float64 `json:"max_pct_vol_low_lel"`
	OxygenMinPctVol         float64 `json:"oxygen_min_pct_vol"`
	OxygenMaxPctVol         float64 `json:"oxygen_max_pct_vol"`
	OxygenEnrichedMaxPctVol float64 `json:"oxygen_enriched_max_pct_vol"`
	Source                  string  `json:"source"`
}

// UpgradeRule is when hot work is upgraded.
type UpgradeRule struct {
	NightFrom string  `json:"night_from"` // "HH:MM", local
	NightTo   string  `json:"night_to"`
	WindMinMS float64 `json:"wind_min_m_s"`
	Source    string  `json:"source"`
}

// Status is a permit status word and its AQ 3064.2 Annex A code.
type Status struct {
	Key    string `json:"key"`
	Code   int    `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// AlarmCode is an AQ 3064.2 PTW alarm code.
type AlarmCode struct {
	Code string `json:"code"`
	Key  string `json:"key"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// Approver is an approving role of GB 30871 Table B.1.
type Approver struct {
	Key string `json:"key"`
	Zh  string `json:"zh"`
	En  string `json:"en"`
}

// TypeKeys are the eight types, in the order of the REST contract.
var TypeKeys = []string{"hot_work", "confined_space", "blind_plate", "height", "lifting", "temp_power", "excavation", "road_break"}

// StatusKeys are the status words of the REST contract.
var StatusKeys = []string{"booked", "applied", "approved", "in_progress", "suspended", "accepted", "cancelled", "void", "expired"}

var loadOnce = sync.OnceValues(func() (*Rules, error) { return Parse(embedded) })

// Load returns the embedded rules, parsed once.
func Load() (*Rules, error) { return loadOnce() }

// Default returns the embedded rules; it panics if they are broken, which
// the package's tests rule out.
func Default() *Rules {
	r, err := Load()
	if err != nil {
		panic(err)
	}
	return r
}

// Parse reads and checks rule data: unknown fields, trailing data and every
// check of validate are errors wrapping ErrInvalid.
func Parse(data []byte) (*Rules, error) {
	var r Rules
	if err := strictjson.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &r, nil
}

// Type returns the type with key.
func (r *Rules) Type(key string) (*Type, error) {
	for _, t := range r.Types {
		if t.Key == key {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w permit type %q (want one of %s)", ErrUnknown, key, strings.Join(TypeKeys, ", "))
}

// Level returns the level with key; an unranked type's one level answers
// to "".
func (t *Type) Level(key string) (*Level, error) {
	for _, l := range t.Levels {
		if l.Key == key {
			return l, nil
		}
	}
	var keys []string
	for _, l := range t.Levels {
		keys = append(keys, fmt.Sprintf("%q", l.Key))
	}
	return nil, fmt.Errorf("%w level %q of %s (want %s)", ErrUnknown, key, t.Key, strings.Join(keys, ", "))
}

// Upgraded returns the level one above l (二级 → 一级 → 特级), or l itself
// and false at the top or for a type whose levels are not ranked by
// danger.
func (t *Type) Upgraded(l *Level) (*Level, bool) {
	if !t.Upgrade {
		return l, false
	}
	i := slices.Index(t.Levels, l)
	if i <= 0 {
		return l, false
	}
	return t.Levels[i-1], true
}

// StatusCode returns the AQ 3064.2 code of a status word.
func (r *Rules) StatusCode(key string) (int, error) {
	for _, s := range r.Statuses {
		if s.Key == key {
			return s.Code, nil
		}
	}
	return 0, fmt.Errorf("%w status %q", ErrUnknown, key)
}

// Alarm returns the PTW alarm code with key.
func (r *Rules) Alarm(key string) (AlarmCode, error) {
	for _, a := range r.Alarms {
		if a.Key == key {
			return a, nil
		}
	}
	return AlarmCode{}, fmt.Errorf("%w alarm %q", ErrUnknown, key)
}

var codePattern = regexp.MustCompile(`^[0-9]{2}$`)

// validate checks the tables: the eight types and nine statuses of the
// contract, each exactly once; unique, two-digit codes; approvers that
// exist; sources everywhere; sane gas and upgrade numbers.
func (r *Rules) validate() error {
	if strings.TrimSpace(r.Version) == "" {
		return errors.New("no version")
	}
	var keys []string
	for _, t := range r.Types {
		keys = append(keys, t.Key)
		if err := r.validateType(t); err != nil {
			return fmt.Errorf("type %s: %v", t.Key, err)
		}
	}
	if !sameSet(keys, TypeKeys) {
		return fmt.Errorf("types %v, want each of %v once", keys, TypeKeys)
	}
	g := r.GasPass
	switch {
	case !(g.LELSplitPctVol > 0) || !(g.MaxPctVolLowLEL > 0) || !(g.MaxPctVolHighLEL > g.MaxPctVolLowLEL) || g.MaxPctVolHighLEL >= g.LELSplitPctVol:
		return fmt.Errorf("gas pass: LEL split %v, limits %v / %v %%vol", g.LELSplitPctVol, g.MaxPctVolHighLEL, g.MaxPctVolLowLEL)
	case !(g.OxygenMinPctVol > 0 && g.OxygenMinPctVol < g.OxygenMaxPctVol && g.OxygenMaxPctVol <= g.OxygenEnrichedMaxPctVol && g.OxygenEnrichedMaxPctVol < 100):
		return fmt.Errorf("gas pass: oxygen %v–%v (enriched %v) %%vol", g.OxygenMinPctVol, g.OxygenMaxPctVol, g.OxygenEnrichedMaxPctVol)
	case strings.TrimSpace(g.Source) == "":
		return errors.New("gas pass: no source")
	}
	u := r.Upgrade
	from, err1 := clock(u.NightFrom)
	to, err2 := clock(u.NightTo)
	if err1 != nil || err2 != nil || from == to || !(u.WindMinMS > 0) || strings.TrimSpace(u.Source) == "" {
		return fmt.Errorf("upgrade: night %q–%q, wind %v m/s, source %q", u.NightFrom, u.NightTo, u.WindMinMS, u.Source)
	}
	r.nightFrom, r.nightTo = from, to
	var statuses []string
	for _, s := range r.Statuses {
		statuses = append(statuses, s.Key)
		if s.Code < 0 || s.Code > 6 || s.NameZh == "" || s.NameEn == "" {
			return fmt.Errorf("status %s: code %d (want 0–6) and both names", s.Key, s.Code)
		}
	}
	if !sameSet(statuses, StatusKeys) || strings.TrimSpace(r.StatusesSource) == "" {
		return fmt.Errorf("statuses %v, want each of %v once, with a source", statuses, StatusKeys)
	}
	codes, alarmKeys := map[string]bool{}, map[string]bool{}
	for _, a := range r.Alarms {
		if !codePattern.MatchString(a.Code) || codes[a.Code] || alarmKeys[a.Key] || a.Key == "" || a.Zh == "" || a.En == "" {
			return fmt.Errorf("alarm %q (%s): a unique two-digit code, a unique key and both texts are required", a.Key, a.Code)
		}
		codes[a.Code], alarmKeys[a.Key] = true, true
	}
	if len(r.Alarms) == 0 || strings.TrimSpace(r.AlarmsSource) == "" || strings.TrimSpace(r.ApproversSource) == "" {
		return errors.New("alarms or approvers without a source")
	}
	return nil
}

func (r *Rules) validateType(t *Type) error {
	if t.NameZh == "" || t.NameEn == "" || strings.TrimSpace(t.Source) == "" {
		return errors.New("both names and a source are required")
	}
	if len(t.Levels) == 0 {
		return errors.New("no level")
	}
	seen := map[string]bool{}
	for _, l := range t.Levels {
		switch {
		case seen[l.Key]:
			return fmt.Errorf("level %q twice", l.Key)
		case !codePattern.MatchString(l.Code):
			return fmt.Errorf("level %q: code %q is not two digits", l.Key, l.Code)
		case l.ValidityH < 0 || l.MaxValidityH != 0 && l.MaxValidityH < l.ValidityH:
			return fmt.Errorf("level %q: validity %v h, at most %v h", l.Key, l.ValidityH, l.MaxValidityH)
		case !slices.ContainsFunc(r.Approvers, func(a Approver) bool { return a.Key == l.Approver }):
			return fmt.Errorf("level %q: unknown approver %q", l.Key, l.Approver)
		case l.RetestAfterBreakMin < 0:
			return fmt.Errorf("level %q: re-test after %v min", l.Key, l.RetestAfterBreakMin)
		}
		seen[l.Key] = true
	}
	switch t.Gas.Required {
	case GasAlways, GasFireArea:
		if !(t.Gas.MaxAgeMin > 0) {
			return fmt.Errorf("gas analysis required without a max_age_min")
		}
	case GasNever:
	default:
		return fmt.Errorf("gas required %q (want always, fire_area or never)", t.Gas.Required)
	}
	for _, k := range t.Gas.ContinuousLevels {
		if !seen[k] {
			return fmt.Errorf("continuous gas watch for unknown level %q", k)
		}
	}
	if !(t.FenceRadiusM > 0) || !(t.SamplingRadiusM > 0) || t.SimultaneousM < 0 {
		return fmt.Errorf("fence %v m, sampling %v m, simultaneous %v m", t.FenceRadiusM, t.SamplingRadiusM, t.SimultaneousM)
	}
	if c := t.Certificate; c != nil && (c.Kind == "" || c.Class == "" || len(c.Operations) == 0 || slices.Contains(c.Operations, "") ||
		c.Zh == "" || c.En == "" || strings.TrimSpace(c.Source) == "") {
		return errors.New("a certificate needs a kind, a class, operations, both names and a source")
	}
	if len(t.Measures) == 0 || strings.TrimSpace(t.MeasuresSource) == "" {
		return errors.New("no measures, or measures without a source")
	}
	for i, m := range t.Measures {
		if strings.TrimSpace(m.Zh) == "" || strings.TrimSpace(m.En) == "" {
			return fmt.Errorf("measure %d: both texts are required", i+1)
		}
	}
	return nil
}

// clock parses "HH:MM" as time after midnight.
func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("clock %q (want HH:MM)", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// sameSet reports whether got holds each of want exactly once.
func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	g := slices.Clone(got)
	w := slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}
