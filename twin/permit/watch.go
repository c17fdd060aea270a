package permit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// The live watch of work in progress (W6 item 4), once a second:
//
//   - the guardian (监护人) must stay within the work's fence (the type's
//     FenceRadiusM around the work area) on a fresh fix; away longer than
//     GuardianAbsentAfter → permit_guardian_absent (PTW 31), and the
//     permit is flagged to stop (a log entry), cleared when they return;
//   - anyone inside the fence who is neither a listed worker nor the
//     guardian → permit_overcrowded, listing them;
//   - a gas detector within the type's sampling radius that alarms (level
//     1 or 2, over range) or reads above the gas pass rule →
//     permit_gas_exceeded and the work is suspended at once;
//   - hot work not upgraded when night, a rest day, a holiday or a
//     special period comes is suspended with permit_blocked (PTW 40–43);
//   - a gas analysis falling due while the work runs: a confined space's
//     readings are recorded every 2 h from the detectors at the work
//     (GB 30871-2022 §6), and with none there — or multi-day level-2 hot
//     work without its next-day analysis — permit_analysis_overdue with
//     PTW 05 or 04;
//   - a permit past its window expires, with permit_expired.
const (
	// GuardianAbsentAfter is how long the guardian may be off post before
	// the alarm (the W6 issue: 60 s).
	GuardianAbsentAfter = 60 * time.Second
	// WatchEvery is the watch's period.
	WatchEvery = time.Second
	// ExpireEvery is how often permits past their window are expired.
	ExpireEvery = 30 * time.Second
)

// watched is the live state of one permit in progress.
type watched struct {
	awaySince time.Time // the guardian off post since; zero when on post
	flagged   bool      // the stop flag logged for the current absence
	// Where the permit's alarms go on the map (Service.place).
	lon, lat float64
	area     string
}

// Run watches the permits in progress and expires those past their
// window until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(WatchEvery)
	defer tick.Stop()
	lastExpiry := time.Time{}
	for {
		now := s.opts.Clock()
		if now.Sub(lastExpiry) >= ExpireEvery {
			if _, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("permits not expired", "err", err)
			}
			lastExpiry = now
		}
		if err := s.Watch(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("permit watch", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Watch runs one round of the live watch at the clock's time.
func (s *Service) Watch(ctx context.Context) error {
	s.mu.Lock()
	ps, err := s.openSorted(ctx, "in_progress", "suspended")
	if err != nil {
		s.mu.Unlock()
		return err
	}
	now := s.opts.Clock()
	if s.watch == nil {
		s.watch = map[string]*watched{}
	}
	due := map[string]alarm.Raise{}
	type stop struct {
		p      *Permit
		reason string
		block  error // a hard block to raise as permit_blocked
	}
	var suspend []stop
	conds := s.conditions()
	live := map[string]bool{}
	var record []*Permit
	for _, p := range ps {
		live[p.ID] = true
		w := s.watch[p.ID]
		if w == nil {
			w = &watched{}
			w.lon, w.lat, w.area = s.place(p.area())
			s.watch[p.ID] = w
		}
		lv := s.look(p, now)
		if lv == nil {
			continue
		}
		raise := func(r alarm.Raise) {
			r.EntityID, r.Lon, r.Lat, r.AreaID = p.ID, w.lon, w.lat, w.area
			due[key(r.Type, p.ID)] = r
		}
		// The gas: the nearest failing detector stops the work; the alarm
		// stays while it fails, also on the work it stopped.
		gasFailing := slices.IndexFunc(lv.Gas, func(lg LiveGas) bool { return !lg.Pass })
		if gasFailing >= 0 && (p.Status == "in_progress" || p.Reason == "gas_exceeded") {
			lg := lv.Gas[gasFailing]
			hit := map[string]any{"permit_id": p.ID, "detector_id": lg.DetectorID, "distance_m": lg.DistanceM, "state": lg.State, "rule": lg.Rule}
			if lg.Value != nil {
				hit["value"], hit["unit"] = *lg.Value, lg.Unit
			}
			raise(alarm.Raise{Type: alarm.PermitGasExceeded, Level: alarm.LevelHigh,
				Message:   fmt.Sprintf("作业票 %s 附近探测器 %s 报警，作业已暂停", p.ID, lg.DetectorID),
				MessageEn: fmt.Sprintf("Permit %s: detector %s near the work alarms; the work is suspended", p.ID, lg.DetectorID),
				Details:   hit})
		}
		if p.Status != "in_progress" {
			w.awaySince, w.flagged = time.Time{}, false // stopped work is not guarded
			continue
		}
		if gasFailing >= 0 {
			suspend = append(suspend, stop{p: p, reason: "gas_exceeded"})
			continue
		}
		// The guardian: away since the fix that showed them away (a
		// silent tag: since its last fix).
		if lv.Guardian.OnPost {
			w.awaySince, w.flagged = time.Time{}, false
		} else {
			if w.awaySince.IsZero() {
				w.awaySince = now
				if f := lv.Guardian.LastFix; f != nil && f.Before(now) {
					w.awaySince = *f
				}
			}
			if now.Sub(w.awaySince) > GuardianAbsentAfter {
				var dist any
				if lv.Guardian.DistanceM != nil {
					dist = *lv.Guardian.DistanceM
				}
				raise(alarm.Raise{Type: alarm.PermitGuardianAbsent, Level: alarm.LevelHigh,
					Message:   fmt.Sprintf("作业票 %s 监护人 %s 脱岗，应停止作业（PTW 31）", p.ID, p.Guardian),
					MessageEn: fmt.Sprintf("Permit %s: guardian %s off post; stop the work (PTW 31)", p.ID, p.Guardian),
					Details:   map[string]any{"permit_id": p.ID, "guardian": p.Guardian, "distance_m": dist, "ptw_code": "31", "since": w.awaySince}})
				if !w.flagged {
					w.flagged = true
					if _, err := p.Record("system", "flag_stop", map[string]any{"reason": "guardian_absent", "guardian": p.Guardian}, now); err == nil {
						if err := s.put(ctx, p, now); err != nil {
							s.log.Error("permit stop flag not stored", "permit", p.ID, "err", err)
						}
					}
				}
			}
		}
		// The headcount: people inside the fence not on the permit.
		if n := len(lv.Headcount.Strangers); n > 0 {
			people := make([]any, n)
			for i, id := range lv.Headcount.Strangers {
				people[i] = id
			}
			raise(alarm.Raise{Type: alarm.PermitOvercrowded, Level: alarm.LevelMedium,
				Message:   fmt.Sprintf("作业票 %s 作业区内有 %d 名非作业人员", p.ID, n),
				MessageEn: fmt.Sprintf("Permit %s: %d people not on the permit inside the work area", p.ID, n),
				Details:   map[string]any{"permit_id": p.ID, "people": people, "count": n, "allowed": lv.Headcount.Allowed}})
		}
		// Hot work not upgraded when night, a rest day, a holiday or a
		// special period comes (multi-day level-2 work at 18:00) stops:
		// it goes on only upgraded, on a new permit (PTW 40–43).
		if err := s.opts.Rules.checkUpgraded(p, now, conds); errors.Is(err, ErrBlocked) {
			suspend = append(suspend, stop{p: p, reason: "not_upgraded", block: err})
			continue
		}
		// The analyses' clock: a confined space's readings are recorded
		// from the detectors at the work when they fall due; with none
		// there, or a next-day analysis missing, the alarm.
		if lv.NextAnalysisDue != nil && !now.Before(*lv.NextAnalysisDue) {
			if p.Type == "confined_space" && s.recordReadings(p, lv, now) {
				record = append(record, p)
				continue
			}
			code := lv.NextAnalysisPTW
			raise(alarm.Raise{Type: alarm.PermitAnalysisOverdue, Level: alarm.LevelMedium,
				Message:   fmt.Sprintf("作业票 %s 气体分析已超时，需重新分析（PTW %s）", p.ID, code),
				MessageEn: fmt.Sprintf("Permit %s: the gas analysis is overdue; analyse again (PTW %s)", p.ID, code),
				Details:   map[string]any{"permit_id": p.ID, "ptw_code": code, "due": *lv.NextAnalysisDue}})
		}
	}
	for _, p := range record {
		if err := s.put(ctx, p, now); err != nil {
			s.log.Error("confined-space readings not stored", "permit", p.ID, "err", err)
		}
	}
	for id := range s.watch {
		if !live[id] {
			delete(s.watch, id)
		}
	}
	s.mu.Unlock()
	for _, st := range suspend {
		if st.block != nil {
			_ = s.refused(ctx, st.p.ID, st.p.area(), st.block)
		}
		if _, err := s.Do(ctx, st.p.ID, "system", Step{Action: "suspend", Reason: st.reason}); err != nil {
			s.log.Error("permit not suspended", "permit", st.p.ID, "reason", st.reason, "err", err)
		}
	}
	s.syncAlarms(ctx, due, now)
	return nil
}

func key(t alarm.Type, id string) string { return string(t) + ":" + id }

func roundM(d float64) any {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return nil
	}
	return math.Round(d*10) / 10
}

// distanceOf is how far person's last fix is from g, m, and whether the
// fix is fresh (at most FixMaxAge old).
func (s *Service) distanceOf(person string, g orb.Geometry, now time.Time) (float64, bool) {
	e, ok := s.opts.Scene.Get(person)
	if !ok || e.Mobile == nil || e.Mobile.Fix.At.IsZero() {
		return math.NaN(), false
	}
	return geo.DistanceToM(g, e.Mobile.Fix.Point), now.Sub(e.Mobile.Fix.At) <= s.opts.FixMaxAge
}

// alarming are the detector states that stop the work.
var alarming = map[string]bool{"level1": true, "level2": true, "over_range": true}

// substanceOf is what a detector near the work measures: its own
// substance or gas, else the permit's.
func (s *Service) substanceOf(p *Permit, e *twin.Entity) *substance.Substance {
	for _, name := range []string{e.String("substance"), e.String("gas"), p.Substance} {
		if name == "" {
			continue
		}
		if sub, err := s.opts.Library.Get(name); err == nil {
			return sub
		}
	}
	return nil
}

// syncAlarms raises the due watch alarms whose details changed and clears
// those no longer due.
func (s *Service) syncAlarms(ctx context.Context, due map[string]alarm.Raise, now time.Time) {
	if s.opts.Alarms == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.raised == nil {
		s.raised = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(due)) {
		r := due[k]
		r.Key, r.At = k, now
		sig := fmt.Sprint(r.Details["people"], r.Details["detector_id"], r.Details["guardian"], r.Details["due"])
		if s.raised[k] == sig {
			continue
		}
		if _, _, err := s.opts.Alarms.Raise(ctx, r); err != nil {
			s.log.Error("permit alarm not raised", "key", k, "err", err)
			continue
		}
		s.raised[k] = sig
	}
	for _, k := range slices.Sorted(maps.Keys(s.raised)) {
		if _, ok := due[k]; ok {
			continue
		}
		if _, _, err := s.opts.Alarms.Clear(ctx, k, now); err != nil {
			s.log.Error("permit alarm not cleared", "key", k, "err", err)
			continue
		}
		delete(s.raised, k)
	}
}
