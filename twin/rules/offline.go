package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Defaults of the offline rules.
const (
	// DefaultTagOffline: AQ 3064.3-2025 has tags upload every 2 s (≥ 30 a
	// minute); a tag silent for 60 s (30 missed reports) is offline — the
	// seed's and the site setting tag_offline_s's default.
	DefaultTagOffline = 60 * time.Second
	// DefaultDetectorOffline: GB/T 50493-2019 detectors report continuously
	// (the demo at 1 Hz); 60 s without a reading means a dead loop, cable or
	// transmitter, and the area is unwatched.
	DefaultDetectorOffline = 60 * time.Second
	// gateExitM: a tag last seen this close to a gate, or outside the site
	// boundary, has left the plant; its silence is not an alarm.
	gateExitM = 30.0
	// offlineScan is how often silence is looked for, so an offline alarm
	// comes at most this late.
	offlineScan = 5 * time.Second
)

// silence is one entity's offline verdict of a scan.
type silence struct {
	id, area string
	kind     twin.Kind
	last     time.Time
	point    orb.Point
	floor    int
	tag      string
	silent   bool
}

// OfflineVerdict says whether an entity last reported at last is offline
// at now after the limit: a pure step on sample time, true from exactly
// the limit on.
func OfflineVerdict(last, now time.Time, limit time.Duration) bool {
	return !last.IsZero() && now.Sub(last) >= limit
}

// ScanOffline raises tag_offline for people and vehicles whose tag has not
// reported for TagOffline (unless they left through a gate or the site
// boundary), detector_offline for detectors silent for DetectorOffline,
// and clears both when a report comes again. Entities that never reported
// are not offline: they are not on site (or not commissioned). Run calls it
// every 5 s with the clock's time; it keeps no state of its own (the open
// alarms are the state), so it is safe to call concurrently with Run.
func (e *Engine) ScanOffline(ctx context.Context, now time.Time) {
	var found []silence
	e.opts.Scene.View(func(tx twin.Tx) {
		site := tx.Get(e.opts.Scene.SiteID())
		for _, k := range []twin.Kind{twin.KindPerson, twin.KindVehicle} {
			tx.Kind(k, func(ent *twin.Entity) bool {
				m := ent.Mobile
				if m == nil || m.Fix.At.IsZero() {
					return true
				}
				s := silence{id: ent.ID, kind: k, last: m.Fix.At, point: m.Fix.Point, floor: m.Fix.Floor, tag: m.Tag, area: m.AreaID}
				s.silent = OfflineVerdict(m.Fix.At, now, e.opts.TagOffline) && !leftSite(tx, site, m.Fix.Point)
				found = append(found, s)
				return true
			})
		}
		tx.Kind(twin.KindGasDetector, func(ent *twin.Entity) bool {
			if ent.Reported.IsZero() || !ent.Placed() {
				return true
			}
			s := silence{id: ent.ID, kind: twin.KindGasDetector, last: ent.Reported, point: ent.Point()}
			if a := tx.Ancestor(ent.ID, twin.KindArea); a != nil {
				s.area = a.ID
			}
			s.silent = OfflineVerdict(ent.Reported, now, e.opts.DetectorOffline)
			found = append(found, s)
			return true
		})
	})
	var errs []error
	for _, s := range found {
		typ := alarm.TagOffline
		if s.kind == twin.KindGasDetector {
			typ = alarm.DetectorOffline
		}
		key := string(typ) + ":" + s.id
		if s.silent == e.opts.Alarms.IsOpen(key) {
			continue // no edge
		}
		if !s.silent {
			_, _, err := e.opts.Alarms.Clear(ctx, key, s.last)
			errs = append(errs, err)
			continue
		}
		errs = append(errs, e.raiseOffline(ctx, typ, key, s, now))
	}
	if err := errors.Join(errs...); err != nil {
		e.log.Error("offline rule", "err", err)
	}
}

func (e *Engine) raiseOffline(ctx context.Context, typ alarm.Type, key string, s silence, now time.Time) error {
	var ent *twin.Entity
	e.opts.Scene.View(func(tx twin.Tx) {
		if x := tx.Get(s.id); x != nil {
			ent = x.Clone()
		}
	})
	if ent == nil {
		return nil // removed meanwhile
	}
	who := e.describe(ent)
	mins := now.Sub(s.last).Round(time.Second)
	r := alarm.Raise{
		Key: key, Type: typ, Level: alarm.LevelMedium, EntityID: s.id, AreaID: s.area,
		Lon: s.point[0], Lat: s.point[1], At: now,
		Details: map[string]any{"last_report": s.last.UTC().Format(time.RFC3339Nano), "silent_s": mins.Seconds()},
	}
	if typ == alarm.TagOffline {
		r.Level = alarm.LevelLow
		r.Details["tag"], r.Details["floor"] = s.tag, s.floor
		r.Message = fmt.Sprintf("%s 定位卡离线 %s（最后位置见地图）", who.zh, zhDuration(mins))
		r.MessageEn = fmt.Sprintf("Tag of %s offline for %v (last position on the map)", who.en, mins)
	} else {
		r.Message = fmt.Sprintf("%s 气体探测器离线 %s，该区域失去监测", who.zh, zhDuration(mins))
		r.MessageEn = fmt.Sprintf("Gas detector %s offline for %v: the area is unwatched", who.en, mins)
	}
	_, _, err := e.opts.Alarms.Raise(ctx, r)
	return err
}

// leftSite reports whether a last fix at p means the tag left the plant:
// outside the site boundary, or within gateExitM of a gate.
func leftSite(tx twin.Tx, site *twin.Entity, p orb.Point) bool {
	if site != nil {
		switch site.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
			if !geo.Contains(site.Geometry, p) {
				return true
			}
		}
	}
	near := false
	tx.Nearest(p, func(g *twin.Entity, d float64) bool {
		if d > gateExitM {
			return false
		}
		near = g.Kind == twin.KindGate
		return !near
	})
	return near
}

// zhDuration writes a duration as 分/秒.
func zhDuration(d time.Duration) string {
	s := int(d.Seconds())
	if s < 60 {
		return fmt.Sprintf("%d秒", s)
	}
	return fmt.Sprintf("%d分%d秒", s/60, s%60)
}
