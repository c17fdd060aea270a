package permit

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
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
	ps, err := s.List(ctx, store.PermitFilter{Status: "in_progress"})
	if err != nil {
		s.mu.Unlock()
		return err
	}
	now := s.opts.Clock()
	if s.watch == nil {
		s.watch = map[string]*watched{}
	}
	due := map[string]alarm.Raise{}
	var suspend []*Permit
	live := map[string]bool{}
	for _, p := range ps {
		live[p.ID] = true
		w := s.watch[p.ID]
		if w == nil {
			w = &watched{}
			s.watch[p.ID] = w
		}
		t, err := s.opts.Rules.Type(p.Type)
		if err != nil || p.Geometry == nil {
			continue
		}
		g := p.Geometry.Geometry()
		// The guardian.
		d, fresh := s.distanceOf(p.Guardian, g, now)
		if fresh && d <= t.FenceRadiusM {
			w.awaySince, w.flagged = time.Time{}, false
		} else {
			if w.awaySince.IsZero() {
				w.awaySince = now
			}
			if now.Sub(w.awaySince) > GuardianAbsentAfter {
				due[key(alarm.PermitGuardianAbsent, p.ID)] = alarm.Raise{Type: alarm.PermitGuardianAbsent, Level: alarm.LevelHigh, EntityID: p.ID,
					Message:   fmt.Sprintf("作业票 %s 监护人 %s 脱岗，应停止作业（PTW 31）", p.ID, p.Guardian),
					MessageEn: fmt.Sprintf("Permit %s: guardian %s off post; stop the work (PTW 31)", p.ID, p.Guardian),
					Details:   map[string]any{"permit_id": p.ID, "guardian": p.Guardian, "distance_m": roundM(d), "ptw_code": "31", "since": w.awaySince}}
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
		var strangers []any
		s.opts.Scene.View(func(tx twin.Tx) {
			tx.Search(geo.ExpandM(g.Bound(), t.FenceRadiusM), func(e *twin.Entity) bool {
				if e.Kind == twin.KindPerson && e.Mobile != nil && !e.Mobile.Fix.At.IsZero() && now.Sub(e.Mobile.Fix.At) <= s.opts.FixMaxAge &&
					e.ID != p.Guardian && !slices.Contains(p.Workers, e.ID) && geo.DistanceToM(g, e.Mobile.Fix.Point) <= t.FenceRadiusM {
					strangers = append(strangers, e.ID)
				}
				return true
			})
		})
		if len(strangers) > 0 {
			slices.SortFunc(strangers, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			due[key(alarm.PermitOvercrowded, p.ID)] = alarm.Raise{Type: alarm.PermitOvercrowded, Level: alarm.LevelMedium, EntityID: p.ID,
				Message:   fmt.Sprintf("作业票 %s 作业区内有 %d 名非作业人员", p.ID, len(strangers)),
				MessageEn: fmt.Sprintf("Permit %s: %d people not on the permit inside the work area", p.ID, len(strangers)),
				Details:   map[string]any{"permit_id": p.ID, "people": strangers, "count": len(strangers), "allowed": len(p.Workers) + 1}}
		}
		// The gas.
		if hit := s.gasNear(p, t, g); hit != nil {
			due[key(alarm.PermitGasExceeded, p.ID)] = alarm.Raise{Type: alarm.PermitGasExceeded, Level: alarm.LevelHigh, EntityID: p.ID,
				Message:   fmt.Sprintf("作业票 %s 附近探测器 %s 报警，作业已暂停", p.ID, hit["detector_id"]),
				MessageEn: fmt.Sprintf("Permit %s: detector %s near the work alarms; the work is suspended", p.ID, hit["detector_id"]),
				Details:   hit}
			suspend = append(suspend, p)
		}
	}
	for id := range s.watch {
		if !live[id] {
			delete(s.watch, id)
		}
	}
	s.mu.Unlock()
	for _, p := range suspend {
		if _, err := s.Do(ctx, p.ID, "system", Step{Action: "suspend", Reason: "gas_exceeded"}); err != nil {
			s.log.Error("permit not suspended on gas", "permit", p.ID, "err", err)
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

// gasNear returns the details of the first gas detector within the type's
// sampling radius of g that alarms, or whose reading of the permit's
// substance (or its own) fails the gas pass rule; nil when none does.
func (s *Service) gasNear(p *Permit, t *Type, g orb.Geometry) map[string]any {
	var hit map[string]any
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Search(geo.ExpandM(g.Bound(), t.SamplingRadiusM), func(e *twin.Entity) bool {
			if e.Kind != twin.KindGasDetector || !e.Placed() {
				return true
			}
			d := geo.DistanceToM(g, e.Point())
			if d > t.SamplingRadiusM {
				return true
			}
			state, _ := e.State["state"].(string)
			v, hasValue := twin.AsFloat(e.State["value"])
			unit, _ := e.State["unit"].(string)
			failed, rule := alarming[state], "detector_alarm"
			if !failed && hasValue {
				if sub := s.substanceOf(p, e); sub != nil {
					if u, err := substance.ParseUnit(unit); err == nil {
						if vd, err := s.opts.Rules.CheckGas(sub, v, u, false); err == nil && !vd.Pass && sub.ID != substance.Oxygen {
							failed, rule = true, vd.Rule
						}
					}
				}
			}
			if failed {
				hit = map[string]any{"permit_id": p.ID, "detector_id": e.ID, "distance_m": roundM(d), "state": state, "rule": rule}
				if hasValue {
					hit["value"], hit["unit"] = v, unit
				}
				return false
			}
			return true
		})
	})
	return hit
}

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
		sig := fmt.Sprint(r.Details["people"], r.Details["detector_id"], r.Details["guardian"])
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
