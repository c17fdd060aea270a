package permit

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Calendar is a site's working calendar for the hot-work upgrade: the
// public holidays, the weekend days worked instead (调休), and special
// periods (major events, high-risk seasons) the site declares. Dates are
// "YYYY-MM-DD" in the site's time zone.
type Calendar struct {
	Holidays       []string `json:"holidays,omitempty"`
	Workdays       []string `json:"workdays,omitempty"`
	SpecialPeriods []Period `json:"special_periods,omitempty"`
}

// Period is a special period, From inclusive to To exclusive.
type Period struct {
	Name string    `json:"name"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Validate checks the dates and periods.
func (c Calendar) Validate() error {
	for _, d := range append(append([]string{}, c.Holidays...), c.Workdays...) {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%w calendar date %q (want YYYY-MM-DD)", ErrInvalid, d)
		}
	}
	for _, p := range c.SpecialPeriods {
		if p.Name == "" || !p.To.After(p.From) {
			return fmt.Errorf("%w special period %q: %v … %v", ErrInvalid, p.Name, p.From, p.To)
		}
	}
	return nil
}

// ParseCalendar reads a calendar from JSON.
func ParseCalendar(data []byte) (Calendar, error) {
	var c Calendar
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%w calendar: %v", ErrInvalid, err)
	}
	return c, c.Validate()
}

// Upgrade reasons, each with its PTW alarm code (but wind, which has none).
const (
	UpgradeNight   = "night"          // PTW 42
	UpgradeRestDay = "rest_day"       // PTW 41
	UpgradeHoliday = "holiday"        // PTW 40
	UpgradeSpecial = "special_period" // PTW 43
	UpgradeWind    = "wind"           // Beaufort 5 or more
)

// UpgradeAlarm is the PTW alarm key of each reason hot work not upgraded
// for it raises.
var UpgradeAlarm = map[string]string{
	UpgradeNight: "not_upgraded_night", UpgradeRestDay: "not_upgraded_rest_day",
	UpgradeHoliday: "not_upgraded_holiday", UpgradeSpecial: "not_upgraded_special_period",
}

// UpgradeReasons lists why hot work at t (in loc) in a wind of windMS
// (10 m, NaN when unknown) must be upgraded one level (GB 30871-2022
// §5.2): night (Rules.Upgrade's window), a rest day (Saturday or Sunday
// not listed as a workday), a holiday, a special period, wind of
// Beaufort 5 or more. None: no upgrade.
func (r *Rules) UpgradeReasons(t time.Time, loc *time.Location, c Calendar, windMS float64) []string {
	local := t.In(loc)
	day := local.Format(time.DateOnly)
	var out []string
	since := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute
	night := since >= r.nightFrom || since < r.nightTo
	if r.nightFrom < r.nightTo {
		night = since >= r.nightFrom && since < r.nightTo
	}
	if night {
		out = append(out, UpgradeNight)
	}
	holiday := slices.Contains(c.Holidays, day)
	if holiday {
		out = append(out, UpgradeHoliday)
	} else if wd := local.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !slices.Contains(c.Workdays, day) {
		out = append(out, UpgradeRestDay)
	}
	for _, p := range c.SpecialPeriods {
		if !t.Before(p.From) && t.Before(p.To) {
			out = append(out, UpgradeSpecial)
			break
		}
	}
	if windMS >= r.Upgrade.WindMinMS {
		out = append(out, UpgradeWind)
	}
	return out
}

// Workday reports whether day (its date in loc) is a working day: Monday
// to Friday unless a holiday, and the weekend days worked instead (调休).
func (c Calendar) Workday(day time.Time, loc *time.Location) bool {
	local := day.In(loc)
	d := local.Format(time.DateOnly)
	switch {
	case slices.Contains(c.Holidays, d):
		return false
	case slices.Contains(c.Workdays, d):
		return true
	}
	wd := local.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// CalendarFromSettings reads a site's permit calendar from its settings
// (site.json "settings": {"permit_calendar": {"holidays": […], "workdays":
// […], "special_periods": [{"name", "from", "to"}]}}); none is an empty
// calendar (weekends are the rest days).
func CalendarFromSettings(settings map[string]any) (Calendar, error) {
	v, ok := settings["permit_calendar"]
	if !ok || v == nil {
		return Calendar{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Calendar{}, fmt.Errorf("%w permit_calendar: %v", ErrInvalid, err)
	}
	return ParseCalendar(b)
}
