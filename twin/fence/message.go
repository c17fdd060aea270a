package fence

import (
	"fmt"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// snapshot is the position snapshot an alarm carries (AQ 3064.3-2025:
// alarms carry time, person, place and the position at alarm time).
func snapshot(t *track) map[string]any {
	return map[string]any{
		"lon": t.fix.Point[0], "lat": t.fix.Point[1], "z": t.fix.Z, "floor": t.fix.Floor,
		"at": t.fix.At.UTC().Format(time.RFC3339Nano),
	}
}

func (e *Engine) base(f *Fence, t *track, typ alarm.Type, key string, onset, at time.Time) alarm.Raise {
	return alarm.Raise{
		Key: key, Type: typ, Level: f.Level, EntityID: t.sub.ID, AreaID: f.AreaID,
		Lon: t.fix.Point[0], Lat: t.fix.Point[1], At: at,
		Details: map[string]any{
			"fence_id": f.ID, "fence_name": f.Name, "rule": string(f.Rule), "tag": t.sub.Tag,
			"since": onset.UTC().Format(time.RFC3339Nano), "position": snapshot(t),
		},
	}
}

func names(s *Subject) (zh, en string) {
	zh, en = s.Name, s.NameEn
	if zh == "" {
		zh = s.ID
	}
	if en == "" {
		en = s.ID
		if s.Name != "" {
			en = s.Name + " (" + s.ID + ")"
		}
	}
	return zh, en
}

func secs(d time.Duration) int { return int(d / time.Second) }

// memberRaise builds the alarm of a per-entity rule.
func (e *Engine) memberRaise(m *member, at time.Time) alarm.Raise {
	f, t := m.f, m.t
	r := e.base(f, t, memberType(f), e.memberKey(m), m.deb.onset, at)
	zh, en := names(&t.sub)
	switch f.Rule {
	case Forbidden:
		r.Message = fmt.Sprintf("%s 越界闯入「%s」", zh, f.Name)
		r.MessageEn = fmt.Sprintf("%s entered %s without authorisation", en, f.NameEn)
	case KeepIn:
		r.Message = fmt.Sprintf("%s 离开「%s」", zh, f.Name)
		r.MessageEn = fmt.Sprintf("%s left %s", en, f.NameEn)
	case Static:
		r.Message = fmt.Sprintf("%s 在「%s」静止超过 %d 秒", zh, f.Name, secs(f.StaticFor))
		r.MessageEn = fmt.Sprintf("%s has not moved for over %d s in %s", en, secs(f.StaticFor), f.NameEn)
		r.Details["static_s"] = f.StaticFor.Seconds()
	case Lingering:
		r.Message = fmt.Sprintf("%s 在「%s」滞留超过 %d 秒", zh, f.Name, secs(f.Dwell))
		r.MessageEn = fmt.Sprintf("%s has stayed over %d s in %s", en, secs(f.Dwell), f.NameEn)
		r.Details["dwell_s"] = f.Dwell.Seconds()
	case Post:
		r.Message = fmt.Sprintf("%s 串岗：进入非本岗位区域「%s」", zh, f.Name)
		r.MessageEn = fmt.Sprintf("%s post hopping: inside %s, not their post", en, f.NameEn)
		r.Details["kind"] = "post_hopping"
		r.Details["dwell_s"] = f.Dwell.Seconds()
	case Speed:
		r.Message = fmt.Sprintf("%s 在「%s」超速 %.1f km/h (限速 %g km/h)", zh, f.Name, t.speedKmh, f.SpeedLimitKmh)
		r.MessageEn = fmt.Sprintf("%s speeding in %s: %.1f km/h (limit %g km/h)", en, f.NameEn, t.speedKmh, f.SpeedLimitKmh)
		r.Details["speed_kmh"] = t.speedKmh
		r.Details["limit_kmh"] = f.SpeedLimitKmh
	}
	return r
}

// postRaise builds an off_post (脱岗) alarm.
func (e *Engine) postRaise(ps *postState, at time.Time) alarm.Raise {
	f, t := ps.f, ps.t
	r := e.base(f, t, alarm.OffPost, e.postKey(ps), ps.deb.onset, at)
	zh, en := names(&t.sub)
	away := at.Sub(ps.lastIn)
	r.Message = fmt.Sprintf("%s 脱岗：离开「%s」%d 秒", zh, f.Name, secs(away))
	r.MessageEn = fmt.Sprintf("%s off post: away from %s for %d s", en, f.NameEn, secs(away))
	r.Details["kind"] = "off_post"
	r.Details["away_s"] = away.Seconds()
	r.Details["last_in"] = ps.lastIn.UTC().Format(time.RFC3339Nano)
	return r
}

// headRaise builds a fence-level headcount alarm; its subject is the fence.
func (e *Engine) headRaise(f *Fence, typ alarm.Type, inside, missing []string, onset, at time.Time) alarm.Raise {
	c := e.fs[f.idx].ref
	r := alarm.Raise{
		Key: fenceKey(typ, f), Type: typ, Level: f.Level, EntityID: f.ID, AreaID: f.AreaID, Lon: c[0], Lat: c[1], At: at,
		Details: map[string]any{
			"fence_id": f.ID, "fence_name": f.Name, "rule": string(f.Rule), "count": len(inside),
			"persons": inside, "since": onset.UTC().Format(time.RFC3339Nano),
		},
	}
	if f.MaxPersons > 0 {
		r.Details["max_persons"] = f.MaxPersons
	}
	if f.MinPersons > 0 {
		r.Details["min_persons"] = f.MinPersons
	}
	if typ == alarm.Overcrowding {
		r.Message = fmt.Sprintf("「%s」超员：%d 人 (上限 %d 人)", f.Name, len(inside), f.MaxPersons)
		r.MessageEn = fmt.Sprintf("%s overcrowded: %d persons (limit %d)", f.NameEn, len(inside), f.MaxPersons)
		return r
	}
	r.Details["missing"] = missing
	r.Message = fmt.Sprintf("「%s」缺员：%d 人 (下限 %d 人)", f.Name, len(inside), f.MinPersons)
	r.MessageEn = fmt.Sprintf("%s understaffed: %d persons (minimum %d)", f.NameEn, len(inside), f.MinPersons)
	if len(missing) > 0 {
		r.Message += "，必需人员缺席：" + strings.Join(missing, "、")
		r.MessageEn += ", required persons absent: " + strings.Join(missing, ", ")
	}
	return r
}
