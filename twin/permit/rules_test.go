package permit

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/substance"
)

// TestEmbedded: the rule tables load and hold REFERENCE §3's numbers.
func TestEmbedded(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ, level, code, approver string
		validityH, retest          float64
	}{
		{"hot_work", "special", "01", "senior_manager", 8, 30},
		{"hot_work", "1", "02", "safety_department", 8, 30},
		{"hot_work", "2", "03", "unit", 72, 60},
		{"confined_space", "", "70", "unit", 24, 60},
		{"blind_plate", "pull", "50", "unit", 0, 0},
		{"blind_plate", "plug", "50", "unit", 0, 0},
		{"height", "1", "21", "unit", 168, 0},
		{"height", "4", "24", "plant_manager", 168, 0},
		{"lifting", "1", "61", "plant_manager", 0, 0},
		{"lifting", "3", "63", "specialist_department", 0, 0},
		{"temp_power", "", "10", "power_unit", 360, 0},
		{"excavation", "", "30", "specialist_department", 0, 0},
		{"road_break", "", "40", "specialist_department", 0, 0},
	} {
		typ, err := r.Type(c.typ)
		if err != nil {
			t.Fatal(err)
		}
		l, err := typ.Level(c.level)
		if err != nil {
			t.Fatal(err)
		}
		if l.Code != c.code || l.Approver != c.approver || l.ValidityH != c.validityH || l.RetestAfterBreakMin != c.retest {
			t.Errorf("%s %q: %+v", c.typ, c.level, l)
		}
	}
	hot, _ := r.Type("hot_work")
	if hot.Gas.Required != GasAlways || hot.Gas.MaxAgeMin != 30 || hot.SamplingRadiusM != 10 || hot.SimultaneousM != 30 || len(hot.Measures) < 10 {
		t.Errorf("hot work %+v", hot)
	}
	tp, _ := r.Type("temp_power")
	if tp.Gas.Required != GasFireArea || tp.Levels[0].MaxValidityH != 720 {
		t.Errorf("temporary power %+v", tp)
	}
	cs, _ := r.Type("confined_space")
	if !cs.Gas.Oxygen || cs.Gas.RecordEveryH != 2 {
		t.Errorf("confined space gas %+v", cs.Gas)
	}
	for word, code := range map[string]int{"booked": 0, "applied": 0, "approved": 1, "in_progress": 2, "accepted": 3, "void": 4, "expired": 4, "cancelled": 5, "suspended": 6} {
		if got, err := r.StatusCode(word); err != nil || got != code {
			t.Errorf("status %s: %d %v, want %d", word, got, err, code)
		}
	}
	for key, code := range map[string]string{"gas_analysis_missing": "01", "gas_analysis_stale": "02", "guardian_absent": "31",
		"approver_not_on_site": "30", "blind_pull_and_plug": "20", "measures_unconfirmed": "90", "expired": "10", "not_upgraded_night": "42"} {
		if a, err := r.Alarm(key); err != nil || a.Code != code {
			t.Errorf("alarm %s: %+v %v, want %s", key, a, err, code)
		}
	}
	if _, err := r.Type("welding"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := hot.Level("3"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), `"special"`) {
		t.Errorf("unknown level: %v", err)
	}
}

// TestUpgraded: hot work goes up a level at a time and stops at 特级;
// other types do not upgrade.
func TestUpgraded(t *testing.T) {
	r := Default()
	hot, _ := r.Type("hot_work")
	two, _ := hot.Level("2")
	one, ok := hot.Upgraded(two)
	special, ok2 := hot.Upgraded(one)
	top, ok3 := hot.Upgraded(special)
	if !ok || one.Key != "1" || !ok2 || special.Key != "special" || ok3 || top != special {
		t.Errorf("2 → %s %v → %s %v → %s %v", one.Key, ok, special.Key, ok2, top.Key, ok3)
	}
	h, _ := r.Type("height")
	l1, _ := h.Level("1")
	if got, ok := h.Upgraded(l1); ok || got != l1 {
		t.Errorf("height upgraded: %s", got.Key)
	}
}

// TestCheckGas: GB 30871-2022's pass rule on the library's substances.
func TestCheckGas(t *testing.T) {
	r := Default()
	lib := substance.Default()
	get := func(n string) *substance.Substance {
		s, err := lib.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		sub      string
		value    float64
		unit     substance.Unit
		enriched bool
		pass     bool
		rule     string
		limit    float64
	}{
		{"methane", 0.4, substance.PctVol, false, true, "lel_ge_split", 0.5},   // LEL 5 %vol
		{"methane", 0.6, substance.PctVol, false, false, "lel_ge_split", 0.5},  //
		{"methane", 10, substance.PctLEL, false, true, "lel_ge_split", 0.5},    // 10 %LEL of 5 %vol = 0.5 %vol
		{"methane", 11, substance.PctLEL, false, false, "lel_ge_split", 0.5},   //
		{"hydrogen", 0.45, substance.PctVol, false, true, "lel_ge_split", 0.5}, // LEL 4.0: the split itself
		{"propane", 0.3, substance.PctVol, false, false, "lel_lt_split", 0.2},  // LEL 2.1
		{"propane", 500, substance.PPM, false, true, "lel_lt_split", 0.2},      // 0.05 %vol, 917 mg/m³ (LPG OEL 1000)
		{"propane", 1000, substance.PPM, false, false, "oel", 1000},            // 0.1 %vol passes the LEL rule, not GBZ 2.1
		{"oxygen", 20.9, substance.PctVol, false, true, "oxygen", 21},
		{"oxygen", 19.0, substance.PctVol, false, false, "oxygen", 21},
		{"oxygen", 22.0, substance.PctVol, false, false, "oxygen", 21},
		{"oxygen", 22.0, substance.PctVol, true, true, "oxygen_enriched", 23.5},
		{"chlorine", 0.2, substance.PPM, false, true, "oel", 1},  // MAC 1 mg/m³ = 0.34 ppm
		{"chlorine", 0.5, substance.PPM, false, false, "oel", 1}, //
		// H₂S is both: 0.1 %vol passes the LEL rule but 1000 ppm is far
		// over its MAC of 10 mg/m³; the failing rule is reported.
		{"hydrogen_sulfide", 1000, substance.PPM, false, false, "oel", 10},
		{"hydrogen_sulfide", 5, substance.PPM, false, true, "lel_ge_split", 0.5},
	} {
		v, err := r.CheckGas(get(c.sub), c.value, c.unit, c.enriched)
		if err != nil || v.Pass != c.pass || v.Rule != c.rule || v.Limit != c.limit {
			t.Errorf("%s %g %s: %+v %v, want pass %v by %s ≤ %g", c.sub, c.value, c.unit, v, err, c.pass, c.rule, c.limit)
		}
	}
	if _, err := r.CheckGas(get("methane"), math.NaN(), substance.PctVol, false); err == nil {
		t.Error("NaN analysis accepted")
	}
	if _, err := r.CheckGas(get("methane"), 1, "furlongs", false); err == nil {
		t.Error("unknown unit accepted")
	}
}

// TestUpgradeReasons: night, rest days, holidays, workdays swapped in,
// special periods and wind.
func TestUpgradeReasons(t *testing.T) {
	r := Default()
	cst := time.FixedZone("CST", 8*3600)
	cal := Calendar{Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-10"},
		SpecialPeriods: []Period{{Name: "两会", From: time.Date(2026, 3, 4, 0, 0, 0, 0, cst), To: time.Date(2026, 3, 12, 0, 0, 0, 0, cst)}}}
	if err := cal.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }
	for _, c := range []struct {
		t    time.Time
		wind float64
		want []string
	}{
		{at(2026, 11, 30, 10), 3, nil},                                                 // a Monday morning
		{at(2026, 11, 30, 19), 3, []string{UpgradeNight}},                              // Monday evening
		{at(2026, 11, 30, 5), 3, []string{UpgradeNight}},                               // before 06:00
		{at(2026, 11, 28, 10), 3, []string{UpgradeRestDay}},                            // Saturday
		{at(2026, 10, 10, 10), 3, nil},                                                 // a Saturday worked (调休)
		{at(2026, 10, 1, 10), 3, []string{UpgradeHoliday}},                             // National Day, a Thursday
		{at(2026, 3, 5, 10), 3, []string{UpgradeSpecial}},                              // inside the special period
		{at(2026, 11, 30, 10), 8.0, []string{UpgradeWind}},                             // Beaufort 5
		{at(2026, 11, 29, 23), 9, []string{UpgradeNight, UpgradeRestDay, UpgradeWind}}, // Sunday night, windy
		{at(2026, 11, 30, 10), math.NaN(), nil},                                        // wind unknown
	} {
		if got := r.UpgradeReasons(c.t, cst, cal, c.wind); !slices.Equal(got, c.want) {
			t.Errorf("%v, wind %g: %v, want %v", c.t, c.wind, got, c.want)
		}
	}
	for reason, key := range UpgradeAlarm {
		if _, err := r.Alarm(key); err != nil {
			t.Errorf("%s: %v", reason, err)
		}
	}
	if _, err := ParseCalendar([]byte(`{"holidays": ["2026-13-01"]}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad date: %v", err)
	}
}

// TestParseRejects: broken tables are refused with a reason.
func TestParseRejects(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(doc map[string]any)
		want string
	}{
		"no version":         {func(d map[string]any) { d["version"] = "" }, "no version"},
		"a type missing":     {func(d map[string]any) { d["types"] = d["types"].([]any)[1:] }, "want each of"},
		"bad level code":     {func(d map[string]any) { level(d, 0, 0)["code"] = "1" }, "two digits"},
		"unknown approver":   {func(d map[string]any) { level(d, 0, 0)["approver"] = "nobody" }, "unknown approver"},
		"no measures":        {func(d map[string]any) { typ(d, 1)["measures"] = []any{} }, "no measures"},
		"gas rule":           {func(d map[string]any) { typ(d, 0)["gas"].(map[string]any)["required"] = "sometimes" }, "gas required"},
		"limits reversed":    {func(d map[string]any) { d["gas_pass"].(map[string]any)["max_pct_vol_low_lel"] = 0.6 }, "gas pass"},
		"oxygen reversed":    {func(d map[string]any) { d["gas_pass"].(map[string]any)["oxygen_min_pct_vol"] = 22 }, "oxygen"},
		"bad night":          {func(d map[string]any) { d["upgrade"].(map[string]any)["night_from"] = "25:00" }, "upgrade"},
		"status code":        {func(d map[string]any) { d["statuses"].([]any)[0].(map[string]any)["code"] = 7 }, "0–6"},
		"duplicate alarm":    {func(d map[string]any) { d["alarms"].([]any)[1].(map[string]any)["code"] = "01" }, "unique"},
		"unknown field":      {func(d map[string]any) { d["colour"] = "red" }, "unknown field"},
		"validity below max": {func(d map[string]any) { level(d, 5, 0)["max_validity_h"] = 100.0 }, "validity"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(embedded, &doc); err != nil {
			t.Fatal(err)
		}
		c.edit(doc)
		b, _ := json.Marshal(doc)
		if _, err := Parse(b); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid mentioning %q", name, err, c.want)
		}
	}
	if _, err := Parse(append(append([]byte{}, embedded...), "{}"...)); !errors.Is(err, ErrInvalid) {
		t.Errorf("trailing data: %v", err)
	}
}

func typ(d map[string]any, i int) map[string]any { return d["types"].([]any)[i].(map[string]any) }

func level(d map[string]any, i, j int) map[string]any {
	return typ(d, i)["levels"].([]any)[j].(map[string]any)
}

func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(`{"version":"1"}`))
	f.Add([]byte(`{"types":[{"key":"hot_work","levels":[{"code":"0"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err == nil && (r.Version == "" || len(r.Types) != len(TypeKeys)) {
			t.Fatalf("accepted %q", b)
		}
	})
}

// TestCalendarFromSettings: the site's permit calendar comes from its
// settings; a bad one is refused.
func TestCalendarFromSettings(t *testing.T) {
	var settings map[string]any
	if err := json.Unmarshal([]byte(`{"low_battery_pct": 20, "permit_calendar": {"holidays": ["2026-10-01"], "workdays": ["2026-10-10"],
		"special_periods": [{"name": "两会", "from": "2026-03-04T00:00:00+08:00", "to": "2026-03-12T00:00:00+08:00"}]}}`), &settings); err != nil {
		t.Fatal(err)
	}
	c, err := CalendarFromSettings(settings)
	if err != nil || len(c.Holidays) != 1 || len(c.Workdays) != 1 || len(c.SpecialPeriods) != 1 || c.SpecialPeriods[0].Name != "两会" {
		t.Fatalf("%+v, %v", c, err)
	}
	if c, err := CalendarFromSettings(map[string]any{}); err != nil || len(c.Holidays) != 0 {
		t.Errorf("no calendar: %+v, %v", c, err)
	}
	for _, bad := range []string{`{"holidays": ["1 Oct"]}`, `{"special_periods": [{"name": "x", "from": "2026-03-04T00:00:00Z", "to": "2026-03-01T00:00:00Z"}]}`, `[1]`} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if _, err := CalendarFromSettings(map[string]any{"permit_calendar": v}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestCalendarWorkday: weekdays work, weekends rest, holidays rest and
// 调休 weekend days work.
func TestCalendarWorkday(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	c := Calendar{Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-10"}}
	for _, tc := range []struct {
		day  string
		want bool
	}{{"2026-09-30", true}, {"2026-10-01", false}, {"2026-10-03", false}, {"2026-10-10", true}, {"2026-10-11", false}} {
		d, _ := time.ParseInLocation(time.DateOnly, tc.day, loc)
		if got := c.Workday(d.Add(23*time.Hour), loc); got != tc.want {
			t.Errorf("%s: workday %v, want %v", tc.day, got, tc.want)
		}
	}
}
