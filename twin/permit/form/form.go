package form

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// ErrInvalid is returned for a permit, an alarm or options the package
// cannot render or export (an unknown type, level or status, a nil
// permit, a non-finite number, a bad enterprise code); test with
// errors.Is.
var ErrInvalid = errors.New("form: invalid input")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Lang is the language of a printed form.
type Lang string

// Languages: Chinese is the default (the forms are Chinese forms).
const (
	Zh Lang = "zh"
	En Lang = "en"
)

// Title is the name of a permit form.
type Title struct{ Zh, En string }

// Titles are the form names of GB 30871-2022 Annex A (Tables A.1–A.8),
// by permit type key.
var Titles = map[string]Title{
	"hot_work":       {"动火安全作业票", "Hot work safety permit"},
	"confined_space": {"受限空间安全作业票", "Confined space entry safety permit"},
	"blind_plate":    {"盲板抽堵安全作业票", "Blind plate pulling and plugging safety permit"},
	"height":         {"高处安全作业票", "Work at height safety permit"},
	"lifting":        {"吊装安全作业票", "Lifting safety permit"},
	"temp_power":     {"临时用电安全作业票", "Temporary power safety permit"},
	"excavation":     {"动土安全作业票", "Excavation safety permit"},
	"road_break":     {"断路安全作业票", "Road breaking safety permit"},
}

// title is the form name of t: the table's, else made the way the
// standard names its forms (动火作业 → 动火安全作业票).
func title(t *permit.Type) Title {
	if ti, ok := Titles[t.Key]; ok {
		return ti
	}
	return Title{strings.TrimSuffix(t.NameZh, "作业") + "安全作业票", t.NameEn + " safety permit"}
}

// resolved is a permit's type, level and status looked up in the rules.
type resolved struct {
	typ        *permit.Type
	level      *permit.Level
	status     permit.Status
	approverZh string
	approverEn string
}

// resolve looks p's type, level, status and approving role up in r: an
// unknown one is an error, so that no record goes out with a code the
// rules do not define.
func resolve(p *permit.Permit, r *permit.Rules) (resolved, error) {
	if p == nil {
		return resolved{}, invalid("nil permit")
	}
	t, err := r.Type(p.Type)
	if err != nil {
		return resolved{}, invalid("permit %s: %v", p.ID, err)
	}
	l, err := t.Level(p.Level)
	if err != nil {
		return resolved{}, invalid("permit %s: %v", p.ID, err)
	}
	out := resolved{typ: t, level: l}
	found := false
	for _, s := range r.Statuses {
		if s.Key == p.Status {
			out.status, found = s, true
		}
	}
	if !found {
		return resolved{}, invalid("permit %s: unknown status %q", p.ID, p.Status)
	}
	for _, a := range r.Approvers {
		if a.Key == l.Approver {
			out.approverZh, out.approverEn = a.Zh, a.En
		}
	}
	return out, nil
}

// centre is the centre of the work area, lon/lat, and whether there is
// one (a geometry with finite, in-range coordinates).
func centre(p *permit.Permit) (orb.Point, bool) {
	if p.Geometry == nil || p.Geometry.Coordinates == nil {
		return orb.Point{}, false
	}
	c := geo.Centroid(p.Geometry.Geometry())
	if !geo.ValidLonLat(c) {
		return orb.Point{}, false
	}
	return c, true
}

// acceptance is who closed the work (验收) and when: the log's close step.
func acceptance(p *permit.Permit) (permit.Signed, bool) {
	for i := len(p.Log) - 1; i >= 0; i-- {
		if e := p.Log[i]; e.Action == "close" {
			return permit.Signed{By: e.By, At: e.At}, true
		}
	}
	return permit.Signed{}, false
}

// head is the hash of the log's last entry, "" for an empty log.
func head(p *permit.Permit) string {
	if n := len(p.Log); n > 0 {
		return p.Log[n-1].Hash
	}
	return ""
}

// reasonWords name the hot-work upgrade reasons (GB 30871-2022 §5.2).
var reasonWords = map[string]Title{
	permit.UpgradeNight:   {"夜间", "at night"},
	permit.UpgradeRestDay: {"公休日", "on a rest day"},
	permit.UpgradeHoliday: {"节假日", "on a holiday"},
	permit.UpgradeSpecial: {"特殊时期", "in a special period"},
	permit.UpgradeWind:    {"五级风以上", "in wind of Beaufort 5 or more"},
}

// warningWords name the simultaneous-operation warnings of a permit
// ("kind:subject", permit.Permit.Warnings).
var warningWords = map[string]Title{
	"blind_plate_nearby": {"30 m 内有盲板抽堵作业", "blind-plate work within 30 m"},
	"hot_work_nearby":    {"30 m 内有动火作业", "hot work within 30 m"},
	"vent_nearby":        {"30 m 内有排放点", "a venting point within 30 m"},
}

// word is w's name in lang, or w itself when it has none.
func word(words map[string]Title, w string, lang Lang) string {
	t, ok := words[w]
	switch {
	case !ok:
		return w
	case lang == En:
		return t.En
	}
	return t.Zh
}

// warningText is a warning "kind:subject" in lang.
func warningText(w string, lang Lang, L *labels) string {
	kind, subject, ok := strings.Cut(w, ":")
	if !ok {
		return word(warningWords, w, lang)
	}
	return word(warningWords, kind, lang) + L.Open + subject + L.Close
}

// num formats a number the shortest way that reads back exactly.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// siteZone is the default site time zone, UTC+8 (China Standard Time).
var siteZone = time.FixedZone("UTC+8", 8*3600)

func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return siteZone
	}
	return loc
}
