package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// detector steps a gas detector's state machine on a reading, raises or
// clears the gas alarms on its edges, and writes the derived `state` back
// to the twin.
func (e *Engine) detector(ctx context.Context, d *twin.Entity) error {
	v, ok := twin.AsFloat(d.State["value"])
	if !ok {
		return nil
	}
	fault := d.State["fault"] != nil && d.State["fault"] != false
	lim, err := LimitsOf(d, e.opts.Substances)
	if err != nil {
		return err
	}
	current, _ := d.State["state"].(string)
	st, seen := e.det[d.ID]
	if !seen {
		resumed := ResumeDetector(GasState(current))
		st = &resumed
		e.det[d.ID] = st
	}
	prev := *st
	next, _ := StepDetector(prev, Reading{At: d.Updated, Value: v, Fault: fault}, lim, e.opts.Detector)
	*st = next
	levels := !seen || next.Level() != prev.Level()
	health := !seen || next.Health() != prev.Health()
	if levels || health {
		err = e.gasAlarms(ctx, d, next, lim, v, levels, health)
	}
	if s := string(next.State()); current != s {
		res := e.opts.Scene.Apply(twin.SetState{ID: d.ID, At: d.Updated, State: map[string]any{"state": s}})
		if rerr := res.Err(); rerr != nil && !errors.Is(rerr, twin.ErrStale) {
			err = errors.Join(err, rerr)
		}
	}
	return err
}

// faultText names each detector_fault reason in the alarm message.
var faultText = map[GasState]names{
	GasFault:     {"探测器故障", "Detector fault"},
	GasOverRange: {"探测器超量程", "Detector over range"},
	GasStuck:     {"探测器读数长时间不变（疑似卡滞）", "Detector reading stuck"},
	GasDrift:     {"探测器零点漂移", "Detector zero drift"},
}

// gasAlarms makes the open gas alarms match the detector: the level alarms
// when levels is set, detector_fault when health is.
func (e *Engine) gasAlarms(ctx context.Context, d *twin.Entity, st Detector, lim Limits, v float64, levels, health bool) error {
	who := e.describe(d)
	unit, gas := d.String("unit"), d.String("gas")
	p := d.Point()
	var areaID, areaName string
	e.opts.Scene.View(func(tx twin.Tx) {
		if a := tx.Ancestor(d.ID, twin.KindArea); a != nil {
			areaID, areaName = a.ID, a.Name
		}
	})
	details := func() map[string]any {
		return map[string]any{"value": v, "unit": unit, "gas": gas, "substance": substanceOf(d, e.opts.Substances),
			"area": areaID, "area_name": areaName, "state": string(st.State()),
			"alarm1": lim.Alarm1, "alarm2": lim.Alarm2, "setpoint_basis": lim.Basis}
	}
	r := func(t alarm.Type, level int, zh, en string) alarm.Raise {
		return alarm.Raise{Type: t, Level: level, EntityID: d.ID, AreaID: areaID, Lon: p[0], Lat: p[1], At: d.Updated,
			Message:   fmt.Sprintf("%s %s%s %.4g %s", who.zh, gas, zh, v, unit),
			MessageEn: fmt.Sprintf("%s at %s: %s %.4g %s", en, who.en, gas, v, unit),
			Details:   details()}
	}
	var errs []error
	if levels {
		lv := st.Level()
		errs = append(errs,
			e.toggle(ctx, lv == GasLevel1, r(alarm.GasLevel1, alarm.LevelMedium, "一级报警", "Gas level 1")),
			e.toggle(ctx, lv == GasLevel2, r(alarm.GasLevel2, alarm.LevelHigh, "二级报警", "Gas level 2")))
	}
	if health {
		h := st.Health()
		txt := faultText[h]
		if txt.zh == "" {
			txt = faultText[GasFault]
		}
		f := r(alarm.DetectorFault, alarm.LevelMedium, txt.zh, txt.en)
		f.Details["reason"] = string(h)
		switch h {
		case GasStuck:
			f.Details["flat_s"] = st.FlatFor().Seconds()
		case GasDrift:
			lo, hi, _ := st.ZeroWindow()
			f.Details["window_min"], f.Details["window_max"] = lo, hi
		}
		errs = append(errs, e.toggle(ctx, h != GasNormal, f))
	}
	return errors.Join(errs...)
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
