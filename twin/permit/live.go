package permit

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Live is what the twin sees around a permit's work now: the guardian,
// the headcount inside the fence, the gas detectors within the sampling
// radius and the gas analyses' clock. The watch decides its alarms on it
// and the permit card shows it (GET /api/v1/permits/{id}: live).
type Live struct {
	At              time.Time     `json:"at"`
	FenceRadiusM    float64       `json:"fence_radius_m"`
	SamplingRadiusM float64       `json:"sampling_radius_m"`
	Guardian        LiveGuardian  `json:"guardian"`
	Headcount       LiveHeadcount `json:"headcount"`
	Gas             []LiveGas     `json:"gas"`
	LastAnalysis    *LiveAnalysis `json:"last_analysis,omitempty"`
	// NextAnalysisDue is when the next gas analysis is needed: before the
	// start (the last one's age limit), the next record of a confined
	// space's readings (every 2 h), the next day of multi-day level-2 hot
	// work; NextAnalysisPTW the PTW code of missing it (02, 05, 04).
	NextAnalysisDue *time.Time `json:"next_analysis_due,omitempty"`
	NextAnalysisPTW string     `json:"next_analysis_ptw,omitempty"`
	// Inside is who and what is inside a confined space by its register.
	Inside *Inside `json:"inside,omitempty"`
}

// LiveGuardian is the guardian's place relative to the work.
type LiveGuardian struct {
	ID          string     `json:"id"`
	DistanceM   *float64   `json:"distance_m"` // nil: no fix
	Fresh       bool       `json:"fresh"`      // the fix is at most FixMaxAge old
	OnPost      bool       `json:"on_post"`    // fresh and within the fence
	LastFix     *time.Time `json:"last_fix,omitempty"`
	AwaySince   *time.Time `json:"away_since,omitempty"`
	StopFlagged bool       `json:"stop_flagged,omitempty"`
}

// LiveHeadcount counts the people inside the fence on a fresh fix;
// strangers are those neither on the permit nor among its approvers (who
// signed on site).
type LiveHeadcount struct {
	Inside        int      `json:"inside"`
	Allowed       int      `json:"allowed"` // listed workers + the guardian
	WorkersInside []string `json:"workers_inside"`
	Strangers     []string `json:"strangers"`
}

// LiveGas is one detector within the sampling radius.
type LiveGas struct {
	DetectorID string   `json:"detector_id"`
	DistanceM  float64  `json:"distance_m"`
	Substance  string   `json:"substance,omitempty"`
	Value      *float64 `json:"value,omitempty"`
	Unit       string   `json:"unit,omitempty"`
	State      string   `json:"state,omitempty"`
	// Pass is false when the detector alarms or its reading fails the gas
	// pass rule; Rule names why.
	Pass bool   `json:"pass"`
	Rule string `json:"rule,omitempty"`
}

// LiveAnalysis is the last gas analysis and its age.
type LiveAnalysis struct {
	SampledAt time.Time `json:"sampled_at"`
	AgeS      float64   `json:"age_s"`
	MaxAgeS   float64   `json:"max_age_s"`
	Pass      bool      `json:"pass"`
	By        string    `json:"by"`
}

// Live returns the live view of permit id (nil for a permit that has
// ended).
func (s *Service) Live(ctx context.Context, id string) (*Live, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.LiveOf(p), nil
}

// LiveOf returns the live view of p now (nil when it has ended).
func (s *Service) LiveOf(p *Permit) *Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.look(p, s.opts.Clock())
}

// look computes p's live view at now; nil when p has ended or has no
// work area. s.mu held (it reads the watch state).
func (s *Service) look(p *Permit, now time.Time) *Live {
	t, err := s.opts.Rules.Type(p.Type)
	if err != nil || p.Geometry == nil || !slices.Contains(openStatuses, p.Status) {
		return nil
	}
	g := p.Geometry.Geometry()
	lv := &Live{At: now, FenceRadiusM: t.FenceRadiusM, SamplingRadiusM: t.SamplingRadiusM,
		Headcount: LiveHeadcount{Allowed: len(p.Workers) + 1, WorkersInside: []string{}, Strangers: []string{}}, Gas: []LiveGas{}}
	// The guardian.
	lv.Guardian.ID = p.Guardian
	d, fresh := s.distanceOf(p.Guardian, g, now)
	if r, ok := roundM(d).(float64); ok {
		lv.Guardian.DistanceM = &r
	}
	lv.Guardian.Fresh, lv.Guardian.OnPost = fresh, fresh && d <= t.FenceRadiusM
	if e, ok := s.opts.Scene.Get(p.Guardian); ok && e.Mobile != nil && !e.Mobile.Fix.At.IsZero() {
		at := e.Mobile.Fix.At
		lv.Guardian.LastFix = &at
	}
	if w := s.watch[p.ID]; w != nil && !w.awaySince.IsZero() {
		since := w.awaySince
		lv.Guardian.AwaySince, lv.Guardian.StopFlagged = &since, w.flagged
	}
	// The headcount.
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Search(geo.ExpandM(g.Bound(), t.FenceRadiusM), func(e *twin.Entity) bool {
			if e.Kind != twin.KindPerson || e.Mobile == nil || e.Mobile.Fix.At.IsZero() || now.Sub(e.Mobile.Fix.At) > s.opts.FixMaxAge ||
				geo.DistanceToM(g, e.Mobile.Fix.Point) > t.FenceRadiusM {
				return true
			}
			lv.Headcount.Inside++
			switch {
			case slices.Contains(p.Workers, e.ID):
				lv.Headcount.WorkersInside = append(lv.Headcount.WorkersInside, e.ID)
			case e.ID != p.Guardian && !slices.ContainsFunc(p.Approvals, func(a Signed) bool { return a.Person == e.ID }):
				lv.Headcount.Strangers = append(lv.Headcount.Strangers, e.ID)
			}
			return true
		})
	})
	slices.Sort(lv.Headcount.WorkersInside)
	slices.Sort(lv.Headcount.Strangers)
	lv.Gas = s.gasAround(p, t, g)
	// The gas analyses' clock.
	if last := lastAnalysis(p, now); last != nil {
		lv.LastAnalysis = &LiveAnalysis{SampledAt: last.SampledAt, AgeS: now.Sub(last.SampledAt).Seconds(),
			MaxAgeS: t.Gas.MaxAgeMin * 60, Pass: last.Verdict.Pass, By: last.By}
	}
	if due, ptw := s.opts.Rules.nextAnalysis(p, now, s.Location()); !due.IsZero() {
		lv.NextAnalysisDue, lv.NextAnalysisPTW = &due, ptw
	}
	if p.Type == "confined_space" {
		in := p.inside()
		lv.Inside = &in
	}
	return lv
}

// gasAround lists the gas detectors within the type's sampling radius of
// g, nearest first, each judged: failing when it alarms (level 1 or 2,
// over range) or its reading of its own substance (else the permit's)
// fails the gas pass rule (oxygen: 19.5–21 %vol in confined spaces, GB
// 30871-2022 §6; up to 23.5 %vol elsewhere).
func (s *Service) gasAround(p *Permit, t *Type, g orb.Geometry) []LiveGas {
	out := []LiveGas{}
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Search(geo.ExpandM(g.Bound(), t.SamplingRadiusM), func(e *twin.Entity) bool {
			if e.Kind != twin.KindGasDetector || !e.Placed() {
				return true
			}
			d := geo.DistanceToM(g, e.Point())
			if d > t.SamplingRadiusM {
				return true
			}
			lg := LiveGas{DetectorID: e.ID, DistanceM: math.Round(d*10) / 10, Pass: true}
			lg.State, _ = e.State["state"].(string)
			lg.Unit, _ = e.State["unit"].(string)
			v, hasValue := twin.AsFloat(e.State["value"])
			if hasValue {
				lg.Value = &v
			}
			sub := s.substanceOf(p, e)
			if sub != nil {
				lg.Substance = sub.ID
			}
			switch {
			case alarming[lg.State]:
				lg.Pass, lg.Rule = false, "detector_alarm"
			case hasValue && sub != nil:
				// Oxygen: 19.5–21 %vol where the type tests it (confined
				// spaces), elsewhere up to the enriched bound 23.5 %vol —
				// too little suffocates, too much feeds a fire.
				enriched := sub.ID == substance.Oxygen && !t.Gas.Oxygen
				if u, err := substance.ParseUnit(lg.Unit); err == nil {
					if vd, err := s.opts.Rules.CheckGas(sub, v, u, enriched); err == nil {
						lg.Pass, lg.Rule = vd.Pass, vd.Rule
					}
				}
			}
			out = append(out, lg)
			return true
		})
	})
	slices.SortFunc(out, func(a, b LiveGas) int {
		if a.DistanceM != b.DistanceM {
			if a.DistanceM < b.DistanceM {
				return -1
			}
			return 1
		}
		return strings.Compare(a.DetectorID, b.DetectorID)
	})
	return out
}

// lastAnalysis is p's latest gas analysis sampled by now; nil if none.
func lastAnalysis(p *Permit, now time.Time) *GasAnalysis {
	var last *GasAnalysis
	for i := range p.GasAnalyses {
		a := &p.GasAnalyses[i]
		if !a.SampledAt.After(now) && (last == nil || !a.SampledAt.Before(last.SampledAt)) {
			last = a
		}
	}
	return last
}

// nextAnalysis is when p's next gas analysis is due and the PTW code of
// missing it; zero when none is (no gas rule, or the work has ended or is
// suspended — resuming asks for its own):
//   - before the start: the last analysis's age limit (GB 30871-2022:
//     sampled at most 30 min before; PTW 02 when older), or now (PTW 01)
//     when there is none;
//   - in progress, a type recording readings (confined spaces, every 2 h,
//     GB 30871-2022 §6): the last record plus the period (PTW 05);
//   - in progress, a level analysed again each day (level-2 hot work,
//     which may run 72 h): the next midnight in the site's zone after the
//     last analysis (PTW 04).
func (r *Rules) nextAnalysis(p *Permit, now time.Time, loc *time.Location) (time.Time, string) {
	if !r.needsGas(p) {
		return time.Time{}, ""
	}
	t, _ := r.Type(p.Type)
	l, err := t.Level(p.Level)
	if err != nil {
		return time.Time{}, ""
	}
	last := lastAnalysis(p, now)
	switch p.Status {
	case "booked", "applied", "approved":
		if last == nil {
			return now, r.ptw("gas_analysis_missing")
		}
		return last.SampledAt.Add(time.Duration(t.Gas.MaxAgeMin * float64(time.Minute))), r.ptw("gas_analysis_stale")
	case "in_progress":
		if last == nil {
			return now, r.ptw("gas_analysis_missing")
		}
		var due time.Time
		var ptw string
		if t.Gas.RecordEveryH > 0 {
			due, ptw = last.SampledAt.Add(time.Duration(t.Gas.RecordEveryH*float64(time.Hour))), r.ptw("confined_reanalysis_overdue")
		}
		if l.DailyRetest {
			y, m, d := last.SampledAt.In(loc).Date()
			if next := time.Date(y, m, d+1, 0, 0, 0, 0, loc); due.IsZero() || next.Before(due) {
				due, ptw = next, r.ptw("next_day_analysis_missing")
			}
		}
		return due, ptw
	}
	return time.Time{}, ""
}

// ptw is the PTW alarm code of key, "" when the tables have none.
func (r *Rules) ptw(key string) string {
	if a, err := r.Alarm(key); err == nil {
		return a.Code
	}
	return ""
}
