package permit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/twin/substance"
)

// Error is a refused permit step: a code the REST API answers with
// (gas_analysis_missing, approver_not_on_site, …) and, for a hard block,
// the AQ 3064.2 PTW alarm code the refusal raises.
type Error struct {
	Code string // REST error code
	PTW  string // PTW alarm code, "" when the refusal is no hard block
	Msg  string
}

func (e *Error) Error() string { return "permit: " + e.Msg }

// Is makes errors.Is(err, ErrBlocked) true for hard blocks and
// errors.Is(err, ErrRefused) for every refusal.
func (e *Error) Is(target error) bool {
	return target == ErrRefused || target == ErrBlocked && e.PTW != ""
}

// Refusal kinds; test with errors.Is.
var (
	ErrRefused = errors.New("permit: step refused")
	ErrBlocked = errors.New("permit: hard block")
)

// refuse is a refusal without a PTW code.
func refuse(code, format string, a ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// block is a hard block: the refusal and the PTW alarm of alarmKey.
func (r *Rules) block(code, alarmKey, format string, a ...any) error {
	ptw := ""
	if al, err := r.Alarm(alarmKey); err == nil {
		ptw = al.Code
	}
	return &Error{Code: code, PTW: ptw, Msg: fmt.Sprintf(format, a...)}
}

// Permit is one special-work permit as the workflow sees it. The service
// keeps it; the methods below check and apply one step each, at a time
// the caller gives, and change nothing when they refuse.
type Permit struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Level  string `json:"level"`
	Status string `json:"status"`
	// Content is what the work is (作业内容), as the form asks.
	Content string `json:"content,omitempty"`
	// Geometry is the work area (or point), lon/lat.
	Geometry *geojson.Geometry `json:"geometry,omitempty"`
	// Start and End bound the work; End no later than the level's
	// validity after Start.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Workers and Guardian are person ids; Approvers usernames, in the
	// order they sign.
	Workers   []string `json:"workers"`
	Guardian  string   `json:"guardian"`
	Approvers []string `json:"approvers"`
	Related   []string `json:"related,omitempty"`
	// FireArea is set when the work lies in a fire and explosion hazard
	// area (the scene's areas say so); temporary power then needs gas
	// analyses too.
	FireArea bool `json:"fire_area"`
	// Substance is what the gas analyses look for (the plant around the
	// work), a library id.
	Substance string `json:"substance,omitempty"`

	Measures     []MeasureState `json:"measures"`
	RiskAnalysis *Signed        `json:"risk_analysis,omitempty"` // JHA done
	Briefing     *Signed        `json:"briefing,omitempty"`      // workers briefed
	GasAnalyses  []GasAnalysis  `json:"gas_analyses"`
	Approvals    []Signed       `json:"approvals"`
	SuspendedAt  *time.Time     `json:"suspended_at,omitempty"`
	// UpgradedFrom is the level asked for when hot work was upgraded at
	// booking (GB 30871-2022 §5.2), with the reasons; "" when it was not.
	UpgradedFrom   string   `json:"upgraded_from,omitempty"`
	UpgradeReasons []string `json:"upgrade_reasons,omitempty"`
	// LevelBasis is why the work's place calls for its hot-work level:
	// major_hazard_dike:<area>, running_equipment:<area>, fire_zone:<area>,
	// pipe_rack:<area> (GB 30871-2022 §5.1.2).
	LevelBasis []string `json:"level_basis,omitempty"`
	// SameDay marks work booked for the day it is booked on (not a day
	// ahead, REFERENCE §3); Emergency says it was booked as an emergency.
	SameDay   bool `json:"same_day,omitempty"`
	Emergency bool `json:"emergency,omitempty"`
	// Warnings are the simultaneous-operation warnings found when the
	// work started: "blind_plate_nearby:<permit>", "hot_work_nearby:<permit>",
	// "vent_nearby:<equipment>" (GB 30871-2022: no hot work within 30 m of
	// blind-plate work or a venting point).
	Warnings []string `json:"warnings,omitempty"`
	// Register is a confined space's entry register (register.go).
	Register []RegisterEntry `json:"register,omitempty"`
	// ReissuedFrom is the void permit this one re-issues (the work
	// changed); ReissuedAs the permit that replaced a void one.
	ReissuedFrom string `json:"reissued_from,omitempty"`
	ReissuedAs   string `json:"reissued_as,omitempty"`
	// Log is every step, hash-chained (log.go).
	Log    []Entry `json:"log"`
	Reason string  `json:"reason,omitempty"` // of the last suspension or the cancellation
}

// area is the work area, nil when there is none.
func (p *Permit) area() orb.Geometry {
	if p.Geometry == nil {
		return nil
	}
	return p.Geometry.Geometry()
}

// MeasureState is one checklist measure and its confirmation.
type MeasureState struct {
	N         int     `json:"n"` // from 1
	Zh        string  `json:"zh"`
	En        string  `json:"en"`
	Confirmed *Signed `json:"confirmed,omitempty"`
}

// Signed says who did a step and when; an approval also whose tag was on
// site (the approver's person).
type Signed struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Person string    `json:"person_id,omitempty"`
}

// GasAnalysis is one gas analysis with its verdict.
type GasAnalysis struct {
	Gas       string         `json:"gas"`
	Value     float64        `json:"value"`
	Unit      substance.Unit `json:"unit"`
	SampledAt time.Time      `json:"sampled_at"`
	By        string         `json:"by"`
	Verdict   Verdict        `json:"verdict"`
}

// Request is what an application gives.
type Request struct {
	ID, Type, Level string
	Content         string
	Start, End      time.Time
	Workers         []string
	Guardian        string
	Approvers       []string
	Related         []string
	FireArea        bool
	Substance       string
	// LevelBasis says why the place calls for the hot-work level it does
	// (place.go).
	LevelBasis []string
	// Booked is when the booking is made; Emergency marks an emergency
	// job (GB 30871-2022: work is booked at least a day ahead, emergency
	// work the same day).
	Booked    time.Time
	Emergency bool
	// When is the site's calendar, time zone and wind at booking, for the
	// hot-work upgrade.
	When Conditions
}

// Conditions are what the hot-work upgrade looks at: the site's time zone
// (default UTC+8) and calendar, and the wind (10 m, m/s; NaN unknown).
type Conditions struct {
	Location *time.Location
	Calendar Calendar
	WindMS   float64
}

func (c Conditions) loc() *time.Location {
	if c.Location == nil {
		return time.FixedZone("CST", 8*3600)
	}
	return c.Location
}

// upgradeStep is how finely a permit's window is searched for night and
// other upgrade reasons.
const upgradeStep = 15 * time.Minute

// reasonsOver lists the upgrade reasons met anywhere in [from, to) (the
// wind as it is now).
//
// A window over a day long (multi-day level-2 hot work, up to 72 h) is
// day work over several days: its nights do not upgrade it at booking;
// the watch stops it when night comes instead (watch.go).
func (r *Rules) reasonsOver(from, to time.Time, c Conditions) []string {
	var out []string
	multiDay := to.Sub(from) > 24*time.Hour
	for at := from; at.Before(to); at = at.Add(upgradeStep) {
		for _, why := range r.UpgradeReasons(at, c.loc(), c.Calendar, c.WindMS) {
			if multiDay && why == UpgradeNight {
				continue
			}
			if !slices.Contains(out, why) {
				out = append(out, why)
			}
		}
		c.WindMS = 0 // the wind counts once, at the start
	}
	return out
}

// New books a permit (status booked) after checking the request against
// the rules: a known type and level (a blind-plate job is pull or plug,
// never both on one permit — a hard block), workers, a guardian who is
// not one of them, approvers, and a window within the level's validity.
func (r *Rules) New(q Request) (*Permit, error) {
	t, err := r.Type(q.Type)
	if err != nil {
		return nil, refuse("invalid_type", "%v", err)
	}
	if q.Type == "blind_plate" && (strings.Contains(q.Level, "pull") && strings.Contains(q.Level, "plug")) {
		return nil, r.block("blind_pull_and_plug", "blind_pull_and_plug", "pulling and plugging a blind plate need a permit each")
	}
	l, err := t.Level(q.Level)
	if err != nil {
		return nil, refuse("invalid_level", "%v", err)
	}
	switch {
	case q.ID == "":
		return nil, refuse("invalid_request", "no permit id")
	case len(q.Workers) == 0:
		return nil, refuse("workers_missing", "no workers listed")
	case q.Guardian == "":
		return nil, refuse("guardian_missing", "no guardian (监护人) named")
	case slices.Contains(q.Workers, q.Guardian):
		return nil, refuse("guardian_is_worker", "the guardian %s is also a worker", q.Guardian)
	case len(q.Approvers) == 0:
		return nil, refuse("approvers_missing", "no approvers listed")
	case q.Start.IsZero() || !q.End.After(q.Start):
		return nil, refuse("invalid_window", "the work must end after it starts (%v … %v)", q.Start, q.End)
	case l.ValidityH > 0 && q.End.Sub(q.Start) > time.Duration(l.ValidityH*float64(time.Hour)):
		return nil, refuse("validity_exceeded", "%s %s is valid at most %g h; %v asked", t.NameEn, l.NameEn, l.ValidityH, q.End.Sub(q.Start))
	}
	// Hot work at night, on a rest day or holiday, in a special period or
	// in strong wind is upgraded one level (GB 30871-2022 §5.2).
	var from string
	var reasons []string
	if t.Upgrade {
		if reasons = r.reasonsOver(q.Start, q.End, q.When); len(reasons) > 0 {
			if up, ok := t.Upgraded(l); ok {
				if up.ValidityH > 0 && q.End.Sub(q.Start) > time.Duration(up.ValidityH*float64(time.Hour)) {
					return nil, refuse("validity_exceeded", "upgraded to %s (%s), the work is valid at most %g h", up.NameEn, strings.Join(reasons, ", "), up.ValidityH)
				}
				from, q.Level = q.Level, up.Key
			}
		}
	}
	if len(q.Content) > 2000 {
		return nil, refuse("invalid_request", "the work's description is %d bytes; at most 2,000", len(q.Content))
	}
	p := &Permit{ID: q.ID, Type: q.Type, Level: q.Level, Status: "booked", Content: strings.TrimSpace(q.Content), Start: q.Start, End: q.End,
		Workers: slices.Clone(q.Workers), Guardian: q.Guardian, Approvers: slices.Clone(q.Approvers),
		Related: slices.Clone(q.Related), FireArea: q.FireArea, Substance: q.Substance, LevelBasis: slices.Clone(q.LevelBasis),
		GasAnalyses: []GasAnalysis{}, Approvals: []Signed{}, UpgradedFrom: from, Log: []Entry{}}
	if from != "" {
		p.UpgradeReasons = reasons
	}
	if !q.Booked.IsZero() {
		loc := q.When.loc()
		by, bm, bd := q.Booked.In(loc).Date()
		p.SameDay = !q.Start.In(loc).After(time.Date(by, bm, bd, 23, 59, 59, 999999999, loc))
	}
	p.Emergency = q.Emergency
	for i, m := range t.Measures {
		p.Measures = append(p.Measures, MeasureState{N: i + 1, Zh: m.Zh, En: m.En})
	}
	return p, nil
}

// step checks that p is in one of the states a step starts from.
func (p *Permit) step(verb string, from ...string) error {
	if !slices.Contains(from, p.Status) {
		return refuse("invalid_state", "cannot %s a permit that is %s (only from %s)", verb, p.Status, strings.Join(from, ", "))
	}
	return nil
}

// Apply submits a booked permit (status applied).
func (r *Rules) Apply(p *Permit) error {
	if err := p.step("apply for", "booked"); err != nil {
		return err
	}
	p.Status = "applied"
	return nil
}

// IdentifyRisk records the job hazard analysis (风险辨识).
func (r *Rules) IdentifyRisk(p *Permit, by string, at time.Time) error {
	if err := p.step("record the risk analysis of", "applied"); err != nil {
		return err
	}
	p.RiskAnalysis = &Signed{By: by, At: at}
	return nil
}

// Brief records the safety briefing (安全交底).
func (r *Rules) Brief(p *Permit, by string, at time.Time) error {
	if err := p.step("record the briefing of", "applied"); err != nil {
		return err
	}
	p.Briefing = &Signed{By: by, At: at}
	return nil
}

// ConfirmMeasure confirms measure n (from 1).
func (r *Rules) ConfirmMeasure(p *Permit, n int, by string, at time.Time) error {
	if err := p.step("confirm measures of", "applied"); err != nil {
		return err
	}
	if n < 1 || n > len(p.Measures) {
		return refuse("measure_not_found", "no measure %d (the checklist has %d)", n, len(p.Measures))
	}
	p.Measures[n-1].Confirmed = &Signed{By: by, At: at}
	return nil
}

// AddGasAnalysis records an analysis of sub and its verdict by the pass
// rule (CheckGas; enriched air allows oxygen up to 23.5 %vol).
func (r *Rules) AddGasAnalysis(p *Permit, sub *substance.Substance, value float64, unit substance.Unit, sampledAt time.Time, by string, enriched bool) (GasAnalysis, error) {
	if err := p.step("record a gas analysis of", "applied", "approved", "in_progress", "suspended"); err != nil {
		return GasAnalysis{}, err
	}
	if sampledAt.IsZero() {
		return GasAnalysis{}, refuse("invalid_request", "no sampling time")
	}
	v, err := r.CheckGas(sub, value, unit, enriched)
	if err != nil {
		return GasAnalysis{}, refuse("invalid_gas_analysis", "%v", err)
	}
	a := GasAnalysis{Gas: sub.ID, Value: value, Unit: unit, SampledAt: sampledAt, By: by, Verdict: v}
	p.GasAnalyses = append(p.GasAnalyses, a)
	return a, nil
}

// needsGas reports whether p's work needs gas analyses.
func (r *Rules) needsGas(p *Permit) bool {
	t, err := r.Type(p.Type)
	if err != nil {
		return false
	}
	return t.Gas.Required == GasAlways || t.Gas.Required == GasFireArea && p.FireArea
}

// gasReady checks that p has a passing analysis sampled at most the type's
// maximum age before now, and none failing since — and, when after is not
// zero, sampled after it (a resumption after a break).
func (r *Rules) gasReady(p *Permit, now, after time.Time) error {
	if !r.needsGas(p) {
		return nil
	}
	t, _ := r.Type(p.Type)
	maxAge := time.Duration(t.Gas.MaxAgeMin * float64(time.Minute))
	var last *GasAnalysis
	for i := range p.GasAnalyses {
		a := &p.GasAnalyses[i]
		if !a.SampledAt.After(now) && (last == nil || !a.SampledAt.Before(last.SampledAt)) {
			last = a
		}
	}
	switch {
	case last == nil || !after.IsZero() && !last.SampledAt.After(after):
		if !after.IsZero() {
			return r.block("gas_analysis_missing", "break_exceeded", "a new gas analysis is needed after the break that began %s", after.Format(time.RFC3339))
		}
		return r.block("gas_analysis_missing", "gas_analysis_missing", "%s needs a gas analysis before it is signed off and started", t.NameEn)
	case now.Sub(last.SampledAt) > maxAge:
		return r.block("gas_analysis_stale", "gas_analysis_stale", "the last gas analysis was sampled %v ago; at most %v is allowed", now.Sub(last.SampledAt).Round(time.Second), maxAge)
	case !last.Verdict.Pass:
		return refuse("gas_analysis_failed", "the last gas analysis failed: %g %s against %g %s (%s)", last.Verdict.Value, last.Verdict.Unit, last.Verdict.Limit, last.Verdict.Unit, last.Verdict.Rule)
	}
	return nil
}

// Approve signs p off for user, the next approver in order, while the
// positioning shows them on site (onSite; the right to approve opens only
// there). The risk analysis, the briefing and every measure must be done
// and, where the type needs one, a passing gas analysis at most its
// maximum age old. After the last approver p is approved.
func (r *Rules) Approve(p *Permit, user string, onSite bool, now time.Time) error {
	if err := p.step("approve", "applied"); err != nil {
		return err
	}
	i := len(p.Approvals)
	switch {
	case !slices.Contains(p.Approvers, user):
		return refuse("not_an_approver", "%s is not an approver of this permit", user)
	case p.Approvers[i] != user:
		return refuse("approver_out_of_order", "%s signs after %s", user, p.Approvers[i])
	case !onSite:
		return r.block("approver_not_on_site", "approver_not_on_site", "%s is not at the work site: approval opens only on site", user)
	case p.RiskAnalysis == nil:
		return r.block("risk_analysis_missing", "risk_analysis_missing", "no risk analysis (JHA) recorded")
	case p.Briefing == nil:
		return r.block("briefing_missing", "briefing_missing", "no safety briefing recorded")
	}
	var open []string
	for _, m := range p.Measures {
		if m.Confirmed == nil {
			open = append(open, fmt.Sprint(m.N))
		}
	}
	if len(open) > 0 {
		return r.block("measures_unconfirmed", "measures_unconfirmed", "measures %s are not confirmed", strings.Join(open, ", "))
	}
	if err := r.gasReady(p, now, time.Time{}); err != nil {
		return err
	}
	p.Approvals = append(p.Approvals, Signed{By: user, At: now})
	if len(p.Approvals) == len(p.Approvers) {
		p.Status = "approved"
	}
	return nil
}

// Start begins the work: approved, within its window, hot work upgraded
// if the conditions now call for it (a hard block with the PTW code 40–43
// of the reason otherwise), with a fresh passing gas analysis where the
// type needs one.
func (r *Rules) Start(p *Permit, now time.Time, c Conditions) error {
	if err := p.step("start", "approved"); err != nil {
		return err
	}
	if now.Before(p.Start) || !now.Before(p.End) {
		return refuse("outside_window", "the permit is valid %s … %s", p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339))
	}
	if err := r.checkUpgraded(p, now, c); err != nil {
		return err
	}
	if err := r.gasReady(p, now, time.Time{}); err != nil {
		return err
	}
	p.Status = "in_progress"
	return nil
}

// Suspend stops the work (a break, or the live watch: gas, guardian).
func (r *Rules) Suspend(p *Permit, reason string, now time.Time) error {
	if err := p.step("suspend", "in_progress"); err != nil {
		return err
	}
	p.Status, p.SuspendedAt, p.Reason = "suspended", &now, reason
	return nil
}

// Resume restarts suspended work within its window (hot work upgraded if
// the conditions now call for it, as at the start). Where the type needs
// gas analyses, a new passing one sampled since the suspension is needed
// when the break lasted longer than the level allows (GB 30871-2022: 30
// min for 特级 and 一级 hot work, 60 min for 二级 and confined spaces —
// PTW 03 otherwise) or the work was stopped for the gas; after a shorter
// break the last analysis must still pass.
func (r *Rules) Resume(p *Permit, now time.Time, c Conditions) error {
	if err := p.step("resume", "suspended"); err != nil {
		return err
	}
	if !now.Before(p.End) {
		return refuse("outside_window", "the permit ended %s", p.End.Format(time.RFC3339))
	}
	if err := r.checkUpgraded(p, now, c); err != nil {
		return err
	}
	if r.shortBreak(p, now) {
		if last := lastAnalysis(p, now); r.needsGas(p) && last != nil && !last.Verdict.Pass {
			return refuse("gas_analysis_failed", "the last gas analysis failed: %g %s against %g %s (%s)", last.Verdict.Value, last.Verdict.Unit, last.Verdict.Limit, last.Verdict.Unit, last.Verdict.Rule)
		}
	} else if err := r.gasReady(p, now, *p.SuspendedAt); err != nil {
		return err
	}
	p.Status, p.SuspendedAt = "in_progress", nil
	return nil
}

// shortBreak reports whether suspended p may resume on its last analysis:
// stopped for a break (not for the gas) no longer than its level's
// RetestAfterBreakMin.
func (r *Rules) shortBreak(p *Permit, now time.Time) bool {
	if p.Reason == "gas_exceeded" || p.SuspendedAt == nil {
		return false
	}
	t, err := r.Type(p.Type)
	if err != nil {
		return false
	}
	l, err := t.Level(p.Level)
	return err == nil && l.RetestAfterBreakMin > 0 && now.Sub(*p.SuspendedAt) <= time.Duration(l.RetestAfterBreakMin*float64(time.Minute))
}

// Close accepts the finished work (验收).
func (r *Rules) Close(p *Permit) error {
	if err := p.step("close", "in_progress", "suspended"); err != nil {
		return err
	}
	if err := p.checkEmpty(); err != nil {
		return err
	}
	p.Status, p.SuspendedAt = "accepted", nil
	return nil
}

// Cancel withdraws a permit before or during the work, with a reason.
func (r *Rules) Cancel(p *Permit, reason string) error {
	if err := p.step("cancel", "booked", "applied", "approved", "suspended"); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return refuse("reason_missing", "a cancellation needs a reason")
	}
	p.Status, p.Reason = "cancelled", reason
	return nil
}

// Void withdraws a permit replaced by a re-issue (the work's content,
// scope or place changed, REFERENCE §3): booked to suspended work becomes
// void; an expired permit stays expired. Work in progress is suspended
// first.
func (r *Rules) Void(p *Permit, newID string) error {
	if err := r.voidable(p); err != nil {
		return err
	}
	p.ReissuedAs = newID
	if p.Status != "expired" {
		p.Status, p.SuspendedAt = "void", nil
	}
	return nil
}

// voidable checks that p may be re-issued.
func (r *Rules) voidable(p *Permit) error {
	if err := p.step("re-issue", "booked", "applied", "approved", "suspended", "expired"); err != nil {
		return err
	}
	if p.ReissuedAs != "" {
		return refuse("invalid_state", "permit %s was re-issued as %s already", p.ID, p.ReissuedAs)
	}
	return nil
}

// Expire ends a permit whose window has passed (now at or after End),
// reporting whether it did.
func (r *Rules) Expire(p *Permit, now time.Time) bool {
	if now.Before(p.End) || p.step("expire", "booked", "applied", "approved", "in_progress", "suspended") != nil {
		return false
	}
	p.Status = "expired"
	return true
}

// Held is a certificate a person holds (a person record of the scene:
// properties.certificates, each with type, name, number and expires).
type Held struct {
	Kind    string    `json:"kind,omitempty"`
	Class   string    `json:"type,omitempty"` // 证件类别, e.g. 特种作业操作证
	Name    string    `json:"name,omitempty"` // 作业项目, e.g. 熔化焊接与热切割作业
	Number  string    `json:"number"`
	Expires time.Time `json:"expires"`
}

// matches reports whether h is the certificate c asks for.
func (c *Certificate) matches(h Held) bool {
	if h.Kind != "" && h.Kind == c.Kind {
		return true
	}
	for _, op := range c.Operations {
		if h.Name != "" && strings.Contains(h.Name, op) {
			return true
		}
	}
	return false
}

// CheckWorkers checks that every worker of p holds a certificate in force
// of the kind the type needs at now (GB 30871-2022 §4.9: special
// operations by certified people). Hard blocks: none of that class held,
// PTW 50; only expired ones, PTW 51; one of the class for another
// operation (an instrument ticket for welding), PTW 52. held maps person
// id → certificates.
func (r *Rules) CheckWorkers(p *Permit, held map[string][]Held, now time.Time) error {
	t, err := r.Type(p.Type)
	if err != nil || t.Certificate == nil {
		return err
	}
	c := t.Certificate
	for _, w := range p.Workers {
		var best *Held
		other := ""
		for i, h := range held[w] {
			switch {
			case c.matches(h):
				if best == nil || h.Expires.After(best.Expires) {
					best = &held[w][i]
				}
			case h.Class != "" && h.Class == c.Class:
				other = h.Name
			}
		}
		switch {
		case best == nil && other != "":
			return r.block("certificate_mismatch", "certificate_mismatch", "%s holds a %s for %s, not %s", w, c.Class, other, c.En)
		case best == nil:
			return r.block("certificate_missing", "certificate_missing", "%s holds no %s", w, c.En)
		case !now.Before(best.Expires):
			return r.block("certificate_expired", "certificate_expired", "%s's %s %s has lapsed (valid through %s)", w, c.En, best.Number, best.Expires.Add(-time.Nanosecond).Format(time.DateOnly))
		}
	}
	return nil
}

// checkUpgraded refuses hot work not upgraded although the conditions at
// now call for it (a level below 特级 booked before they arose): the first
// reason decides the PTW code; the wind has none.
func (r *Rules) checkUpgraded(p *Permit, now time.Time, c Conditions) error {
	t, err := r.Type(p.Type)
	if err != nil || !t.Upgrade || p.UpgradedFrom != "" {
		return nil
	}
	l, err := t.Level(p.Level)
	if err != nil {
		return nil
	}
	if _, can := t.Upgraded(l); !can {
		return nil // at the top level already
	}
	reasons := r.UpgradeReasons(now, c.loc(), c.Calendar, c.WindMS)
	if len(reasons) == 0 {
		return nil
	}
	why := reasons[0]
	if key, ok := UpgradeAlarm[why]; ok {
		return r.block("not_upgraded", key, "hot work must be upgraded (%s) before it starts", why)
	}
	return refuse("not_upgraded", "hot work must be upgraded (%s) before it starts", why)
}
