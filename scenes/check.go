package scenes

import (
	"slices"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Defaults the loader fills in when a feature leaves them out.
const (
	DefaultRSSI1m    = -59.0 // dBm at 1 m, the usual iBeacon calibration
	DefaultCameraFOV = 60.0  // degrees
	DefaultCameraM   = 50.0  // metres of useful range
)

// checkKind checks the kind-specific properties of e (already normalised)
// and fills in defaults.
func checkKind(r report, e *twin.Entity) {
	c := checker{r, e}
	switch e.Kind {
	case twin.KindBuilding:
		c.atLeast(1, "floors")
		c.positive("floor_height_m")
	case twin.KindTank:
		c.required("radius_m", "substance")
		c.positive("radius_m")
		c.atLeast(0, "capacity_m3", "design_max_t")
		c.within(0, 100, "level_pct")
	case twin.KindGasDetector:
		checkDetector(c)
	case twin.KindBeacon:
		c.defaultTo("rssi_1m", DefaultRSSI1m)
		c.within(-120, 0, "rssi_1m")
		c.positive("interval_ms")
	case twin.KindCamera:
		c.required("heading_deg")
		c.within(0, 360, "heading_deg")
		c.defaultTo("fov_deg", DefaultCameraFOV)
		c.defaultTo("range_m", DefaultCameraM)
		c.within(0, 360, "fov_deg")
		c.positive("fov_deg", "range_m")
		c.within(-90, 90, "tilt_deg")
	case twin.KindRoad, twin.KindWalkway, twin.KindStairs:
		c.positive("width_m", "speed_limit_kmh")
		if e.Kind == twin.KindStairs {
			c.required("floor_from", "floor_to")
			if from, ok := c.num("floor_from"); ok && from == e.Float("floor_to", from+1) {
				c.add("floor_from and floor_to are both %v: stairs join two floors", from)
			}
		}
	case twin.KindMusterPoint:
		c.required("capacity")
		c.atLeast(1, "capacity")
		c.positive("radius_m")
	case twin.KindFence:
		checkFence(c)
	case twin.KindRiskUnit:
		c.required("risk_level")
		checkLEC(c)
	case twin.KindHazardSource:
		checkHazard(c)
	}
}

// detector unit per type (GB/T 50493-2019 §5.5).
var detectorUnits = map[string][]string{
	"combustible": {"%LEL", "%VOL"},
	"toxic":       {"ppm", "mg/m3"},
	"oxygen":      {"%VOL"},
}

// GB/T 50493-2019 §5.5.2: combustible level 1 ≤ 25 %LEL, level 2 ≤ 50 %LEL.
const (
	maxCombustibleAlarm1LEL = 25
	maxCombustibleAlarm2LEL = 50
)

func checkDetector(c checker) {
	c.required("gas", "detector_type", "unit", "range")
	typ, unit := c.e.String("detector_type"), c.e.String("unit")
	if !c.has("alarm1") || !c.has("alarm2") {
		checkDerivable(c, typ, unit)
	}
	if units, ok := detectorUnits[typ]; ok && unit != "" && !slices.Contains(units, unit) {
		c.add("unit %s does not fit a %s detector (want %s)", unit, typ, strings.Join(units, " or "))
	}
	a1, ok1 := c.num("alarm1")
	a2, ok2 := c.num("alarm2")
	if rng, ok := c.e.Props["range"].([]any); ok {
		if len(rng) != 2 {
			c.add("range: want [min, max], got %d number(s)", len(rng))
		} else if lo, hi := rng[0].(float64), rng[1].(float64); lo >= hi {
			c.add("range [%v, %v]: min must be below max", lo, hi)
		} else {
			for _, a := range []struct {
				key string
				v   float64
				ok  bool
			}{{"alarm1", a1, ok1}, {"alarm2", a2, ok2}} {
				if a.ok && (a.v < lo || a.v > hi) {
					c.add("%s %v is outside the range [%v, %v]", a.key, a.v, lo, hi)
				}
			}
		}
	}
	if typ != "oxygen" && ok1 && ok2 && a1 >= a2 {
		c.add("alarm1 %v must be below alarm2 %v", a1, a2)
	}
	if typ == "combustible" && unit == "%LEL" {
		if ok1 && a1 > maxCombustibleAlarm1LEL {
			c.add("alarm1 %v %%LEL is above %d %%LEL (GB/T 50493-2019 §5.5.2)", a1, maxCombustibleAlarm1LEL)
		}
		if ok2 && a2 > maxCombustibleAlarm2LEL {
			c.add("alarm2 %v %%LEL is above %d %%LEL (GB/T 50493-2019 §5.5.2)", a2, maxCombustibleAlarm2LEL)
		}
	}
}

// checkDerivable checks that a detector without alarm1 or alarm2 has
// setpoints the substance library can derive (GB/T 50493-2019 §5.5.2, see
// twin/substance.Setpoints): a known gas, a unit and a range that holds
// them.
func checkDerivable(c checker, typ, unit string) {
	name := c.e.String("substance")
	if name == "" {
		name = c.e.String("gas")
	}
	if typ == "oxygen" {
		name = substance.Oxygen
	}
	lib, err := substance.Load()
	if err != nil {
		c.add("alarm1/alarm2 missing and the substance library does not load: %v", err)
		return
	}
	sub, err := lib.Get(name)
	if err != nil {
		c.add("alarm1/alarm2 missing and not derivable: %v", err)
		return
	}
	top := 0.0
	if rng, ok := c.e.Props["range"].([]any); ok && len(rng) == 2 {
		top, _ = rng[1].(float64)
	}
	if _, err := substance.Setpoints(sub, unit, top, substance.Options{}); err != nil {
		c.add("alarm1/alarm2 missing and not derivable: %v", err)
	}
}

func checkFence(c checker) {
	c.required("rule")
	switch c.e.String("rule") {
	case "headcount":
		if !c.has("max_persons") && !c.has("min_persons") && !c.has("required") {
			c.add("a headcount fence needs max_persons, min_persons or required")
		}
	case "lingering":
		c.required("dwell_s")
	case "static":
		c.required("static_s")
	case "speed":
		c.required("speed_limit_kmh")
	case "post":
		if !c.has("applies_to") && !c.has("required") {
			c.add("a post fence needs applies_to or required (who must stay at the post)")
		}
	}
	c.atLeast(0, "max_persons", "min_persons")
	c.positive("dwell_s", "static_s", "speed_limit_kmh")
	c.within(1, 3, "level")
	if lo, ok := c.num("min_persons"); ok && lo > c.e.Float("max_persons", lo) {
		c.add("min_persons %v is above max_persons %v", lo, c.e.Float("max_persons", lo))
	}
	if lo, ok := c.num("z_min"); ok && lo >= c.e.Float("z_max", lo+1) {
		c.add("z_min %v must be below z_max %v", lo, c.e.Float("z_max", 0))
	}
	for _, key := range []string{"authorized", "applies_to"} {
		sel, _ := c.e.Props[key].(map[string]any)
		types, _ := sel["identity_types"].([]any)
		for _, t := range types {
			if err := checkEnum("identity_type", t); err != nil {
				c.add("%s.identity_types: %v", key, err)
			}
		}
	}
	checkTimeWindow(c)
}

func checkTimeWindow(c checker) {
	tw, ok := c.e.Props["time_window"].(map[string]any)
	if !ok {
		return
	}
	for _, key := range []string{"from", "to"} {
		s, _ := tw[key].(string)
		if _, err := time.Parse("15:04", s); err != nil {
			c.add("time_window.%s %s: want HH:MM", key, describe(tw[key]))
		}
	}
	days, _ := tw["days"].([]any)
	for _, d := range days {
		if f := d.(float64); f != float64(int(f)) || f < 1 || f > 7 {
			c.add("time_window.days: %v is not a weekday 1 (Monday) … 7 (Sunday)", f)
		}
	}
}

// checker checks the properties of one entity.
type checker struct {
	r report
	e *twin.Entity
}

func (c checker) add(format string, args ...any) { c.r.add(c.e.ID, format, args...) }

func (c checker) has(key string) bool { _, ok := c.e.Props[key]; return ok }

func (c checker) num(key string) (float64, bool) { f, ok := c.e.Props[key].(float64); return f, ok }

func (c checker) required(keys ...string) {
	for _, k := range keys {
		if !c.has(k) {
			c.add("missing %s", k)
		}
	}
}

func (c checker) defaultTo(key string, v float64) {
	if !c.has(key) {
		c.e.Props[key] = v
	}
}

func (c checker) positive(keys ...string) {
	for _, k := range keys {
		if v, ok := c.num(k); ok && v <= 0 {
			c.add("%s %v must be above 0", k, v)
		}
	}
}

func (c checker) atLeast(lo float64, keys ...string) {
	for _, k := range keys {
		if v, ok := c.num(k); ok && v < lo {
			c.add("%s %v must be at least %v", k, v, lo)
		}
	}
}

func (c checker) within(lo, hi float64, keys ...string) {
	for _, k := range keys {
		if v, ok := c.num(k); ok && (v < lo || v > hi) {
			c.add("%s %v is outside %v…%v", k, v, lo, hi)
		}
	}
}
