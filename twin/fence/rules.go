package fence

import (
	"slices"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// stepMember evaluates the per-entity rule of a membership at sample time at.
func (e *Engine) stepMember(dst []Transition, m *member, at time.Time) []Transition {
	f, t := m.f, m.t
	onDelay := e.cfg.OnDelay
	var cond bool
	switch f.Rule {
	case Forbidden:
		cond = m.in && !f.Authorized.Match(&t.sub)
	case KeepIn:
		cond = m.everIn && !m.in && f.Watches(&t.sub)
	case Static:
		since := t.stillSince
		if m.since.After(since) {
			since = m.since
		}
		cond, onDelay = m.in && f.Watches(&t.sub) && at.Sub(since) >= f.StaticFor, 0
	case Lingering:
		cond, onDelay = m.in && !f.Authorized.Match(&t.sub) && at.Sub(m.since) >= f.Dwell, 0
	case Post: // 串岗: inside a post fence one is not assigned to
		cond = m.in && t.postHolder && !f.Assigned(&t.sub) && at.Sub(m.since) >= max(f.Dwell, onDelay)
		onDelay = 0
	case Speed:
		limit := f.SpeedLimitKmh
		if m.deb.on {
			limit *= 1 - e.cfg.SpeedDeadband
		}
		cond = m.in && f.Watches(&t.sub) && t.speedKmh > limit
	default:
		return dst
	}
	cond = cond && e.armed(f, at)
	switch m.deb.step(cond, at, onDelay, e.cfg.OffDelay) {
	case 1:
		dst = append(dst, Transition{Raise: e.memberRaise(m, at)})
	case -1:
		dst = append(dst, clearOf(e.memberKey(m), at))
	}
	return dst
}

// stepPost evaluates off_post (脱岗) for one assigned entity.
func (e *Engine) stepPost(dst []Transition, ps *postState, at time.Time) []Transition {
	t, f := ps.t, ps.f
	if !t.hasFix {
		return dst // never located: tag_offline is the alarm for that
	}
	m := t.member(f)
	in := m != nil && m.in
	if in && !ps.deb.on && !ps.deb.pend {
		if at.After(ps.lastIn) {
			ps.lastIn = at
		}
		ps.seen = true
		return dst // on post: nothing to decide
	}
	armed := e.armed(f, at)
	if in || !armed || !ps.seen {
		if at.After(ps.lastIn) {
			ps.lastIn = at
		}
		ps.seen = true
	}
	cond := armed && !in && at.Sub(ps.lastIn) >= max(f.Dwell, e.cfg.OnDelay)
	switch ps.deb.step(cond, at, 0, e.cfg.OffDelay) {
	case 1:
		dst = append(dst, Transition{Raise: e.postRaise(ps, at)})
	case -1:
		dst = append(dst, clearOf(e.postKey(ps), at))
	}
	return dst
}

// headcount returns who is inside a headcount fence (people the rule
// watches) and which required people are missing.
func (e *Engine) headcount(f *Fence) (inside []string, missing []string) {
	for id, m := range e.fs[f.idx].members {
		if m.in && m.t.sub.person() && f.Watches(&m.t.sub) {
			inside = append(inside, id)
		}
	}
	slices.Sort(inside)
	for _, id := range f.Required {
		if !slices.Contains(inside, id) {
			missing = append(missing, id)
		}
	}
	return inside, missing
}

// stepHeadcount evaluates overcrowding (超员) and understaffing (缺员).
func (e *Engine) stepHeadcount(dst []Transition, f *Fence, at time.Time) []Transition {
	fs := &e.fs[f.idx]
	if f.Moving() && !fs.active {
		return dst
	}
	inside, missing := e.headcount(f)
	armed := e.armed(f, at)
	over := armed && f.MaxPersons > 0 && len(inside) > f.MaxPersons
	under := armed && at.Sub(e.started) >= e.cfg.HeadcountGrace &&
		((f.MinPersons > 0 && len(inside) < f.MinPersons) || len(missing) > 0)
	for _, c := range []struct {
		d    *debounce
		cond bool
		typ  alarm.Type
	}{{&fs.over, over, alarm.Overcrowding}, {&fs.under, under, alarm.Understaffing}} {
		switch c.d.step(c.cond, at, e.cfg.OnDelay, e.cfg.OffDelay) {
		case 1:
			dst = append(dst, Transition{Raise: e.headRaise(f, c.typ, inside, missing, c.d.onset, at)})
		case -1:
			dst = append(dst, clearOf(fenceKey(c.typ, f), at))
		}
	}
	return dst
}

// memberType is the alarm a membership raises.
func memberType(f *Fence) alarm.Type { return f.Rule.alarmTypes()[0] }

func (e *Engine) memberKey(m *member) string {
	k := string(memberType(m.f)) + ":" + m.t.sub.ID + ":" + m.f.ID
	if m.f.Rule == Post {
		k += ":post_hopping"
	}
	return k
}

func (e *Engine) postKey(ps *postState) string {
	return string(alarm.OffPost) + ":" + ps.t.sub.ID + ":" + ps.f.ID
}

func fenceKey(t alarm.Type, f *Fence) string { return string(t) + ":" + f.ID }

func clearOf(key string, at time.Time) Transition {
	return Transition{Clear: true, Raise: alarm.Raise{Key: key, At: at}}
}
