package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// detector steps a gas detector's state on a reading, raises or clears the
// gas alarms, and writes the derived `state` back to the twin.
func (e *Engine) detector(ctx context.Context, d *twin.Entity) error {
	v, ok := twin.AsFloat(d.State["value"])
	if !ok {
		return nil
	}
	fault := d.State["fault"] != nil && d.State["fault"] != false
	lim, ok := limitsOf(d)
	if !ok {
		return fmt.Errorf("rules: detector %s has no usable setpoints", d.ID)
	}
	current, _ := d.State["state"].(string)
	prev, seen := e.gas[d.ID]
	if !seen {
		prev = GasState(current)
		if prev == "" {
			prev = GasNormal
		}
	}
	next := StepGas(prev, v, fault, lim)
	e.gas[d.ID] = next
	var err error
	if next != prev || !seen {
		err = e.gasAlarms(ctx, d, next, v)
	}
	if current != string(next) {
		res := e.opts.Scene.Apply(twin.SetState{ID: d.ID, At: d.Updated, State: map[string]any{"state": string(next)}})
		if rerr := res.Err(); rerr != nil && !errors.Is(rerr, twin.ErrStale) {
			err = errors.Join(err, rerr)
		}
	}
	return err
}

func limitsOf(d *twin.Entity) (GasLimits, bool) {
	a1, ok1 := twin.AsFloat(d.Props["alarm1"])
	a2, ok2 := twin.AsFloat(d.Props["alarm2"])
	if !ok1 || !ok2 {
		return GasLimits{}, false
	}
	span := a2
	if r, ok := d.Props["range"].([]any); ok && len(r) == 2 {
		lo, _ := twin.AsFloat(r[0])
		hi, _ := twin.AsFloat(r[1])
		span = hi - lo
	}
	return GasLimits{Alarm1: a1, Alarm2: a2, Oxygen: d.String("detector_type") == "oxygen", Deadband: DefaultDeadband * span}, true
}

// gasAlarms makes the open gas alarms match state s.
func (e *Engine) gasAlarms(ctx context.Context, d *twin.Entity, s GasState, v float64) error {
	who := e.describe(d)
	unit, gas := d.String("unit"), d.String("gas")
	p := d.Point()
	areaID := ""
	e.opts.Scene.View(func(tx twin.Tx) {
		if a := tx.Ancestor(d.ID, twin.KindArea); a != nil {
			areaID = a.ID
		}
	})
	r := func(t alarm.Type, level int, zh, en string) alarm.Raise {
		return alarm.Raise{Type: t, Level: level, EntityID: d.ID, AreaID: areaID, Lon: p[0], Lat: p[1], At: d.Updated,
			Message:   fmt.Sprintf("%s %s%s %.4g %s", who.zh, gas, zh, v, unit),
			MessageEn: fmt.Sprintf("%s at %s: %s %.4g %s", en, who.en, gas, v, unit),
			Details:   map[string]any{"value": v, "unit": unit, "gas": gas, "substance": d.String("substance"), "state": string(s)}}
	}
	return errors.Join(
		e.toggle(ctx, s == GasLevel1, r(alarm.GasLevel1, alarm.LevelMedium, "一级报警", "Gas level 1")),
		e.toggle(ctx, s == GasLevel2, r(alarm.GasLevel2, alarm.LevelHigh, "二级报警", "Gas level 2")),
		e.toggle(ctx, s == GasFault, r(alarm.DetectorFault, alarm.LevelMedium, "探测器故障", "Detector fault")),
	)
}

// camera raises a video_event alarm for a new analytics event.
func (e *Engine) camera(ctx context.Context, c *twin.Entity) error {
	ev, _ := c.State["last_event"].(string)
	if ev == "" {
		return nil
	}
	at := c.Updated
	key := "video_event:" + c.ID + ":" + ev
	if last, ok := e.video[key]; ok && !at.After(last) {
		return nil
	}
	e.video[key] = at
	who := e.describe(c)
	conf, _ := twin.AsFloat(c.State["confidence"])
	what := videoZh[ev]
	if what == "" {
		what = ev
	}
	p := c.Point()
	_, _, err := e.opts.Alarms.Raise(ctx, alarm.Raise{
		Key: key, Type: alarm.VideoEvent, Level: alarm.LevelMedium, EntityID: c.ID, Lon: p[0], Lat: p[1], At: at,
		Message:   fmt.Sprintf("%s 视频智能分析: %s", who.zh, what),
		MessageEn: fmt.Sprintf("Video analytics at %s: %s", who.en, ev),
		Details:   map[string]any{"event": ev, "confidence": conf},
	})
	return err
}

var videoZh = map[string]string{
	"no_helmet": "未戴安全帽", "smoking": "吸烟", "intrusion": "区域入侵",
	"smoke_fire": "烟火", "fall": "人员跌倒", "phone": "打电话",
}

// expireVideo clears video alarms whose event has not repeated for VideoHold.
func (e *Engine) expireVideo(ctx context.Context, now time.Time) {
	for key, last := range e.video {
		if now.Sub(last) < e.opts.VideoHold {
			continue
		}
		delete(e.video, key)
		if _, _, err := e.opts.Alarms.Clear(ctx, key, now); err != nil {
			e.log.Error("clear video alarm", "key", key, "err", err)
		}
	}
}
