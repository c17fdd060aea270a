package park

import (
	"encoding/json"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// ObserveAlarm takes an alarm lifecycle step. Person alarms, zone alarms and
// gathering warnings are queued (raise and update with STATUS 1, clear with
// STATUS 0); other types and steps are ignored. It is quick, never blocks on
// the network, and asks Run to push soon.
func (u *Uploader) ObserveAlarm(ev alarm.Event) {
	st, ok := status(ev.Action)
	if !ok {
		return
	}
	u.mu.Lock()
	table, rec := u.alarmRecord(&ev.Alarm, st)
	u.mu.Unlock()
	if rec == nil {
		return
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		u.m.ignored.Inc()
		u.log.Error("alarm record not encoded", "alarm", ev.Alarm.ID, "err", err)
		return
	}
	u.mu.Lock()
	u.seq++
	u.alarms[table] = append(u.alarms[table], queued{seq: u.seq, raw: raw})
	u.nalarms++
	u.trim()
	u.mu.Unlock()
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// alarmRecord maps an alarm to its table and record, or returns a nil
// record for a type the park does not take. The caller holds mu (names are
// looked up in the person and zone tables).
func (u *Uploader) alarmRecord(a *alarm.Alarm, st string) (string, any) {
	d := a.Details
	if code, ok := personAlarmCodes[a.Type]; ok {
		r := PersonAlarmRecord{ID: a.ID, PersonID: a.EntityID, AlarmType: code, AlarmLevel: a.Level,
			ZoneID: detStr(d, "fence_id"), ZoneName: detStr(d, "fence_name"), X: finite(a.Lon), Y: finite(a.Lat),
			Floor: floorOf(d), AlarmTime: stamp(a.RaisedAt), EndTime: endTime(a), Status: st, Content: a.Message}
		if p := u.people[a.EntityID]; p != nil {
			r.PersonName = p.rec.PersonName
		}
		if r.ZoneID == "" {
			r.ZoneID = a.AreaID
		}
		if z := u.zones[r.ZoneID]; z != nil && r.ZoneName == "" {
			r.ZoneName = z.rec.ZoneName
		}
		return TablePersonAlarm, r
	}
	if code, ok := zoneAlarmCodes[a.Type]; ok {
		r := ZoneAlarmRecord{ID: a.ID, ZoneID: a.EntityID, ZoneName: detStr(d, "fence_name"), AlarmType: code,
			AlarmLevel: a.Level, PersonCount: detInt(d, "count"), PersonIDs: detStrings(d, "persons"),
			X: finite(a.Lon), Y: finite(a.Lat), AlarmTime: stamp(a.RaisedAt), EndTime: endTime(a),
			Status: st, Content: a.Message}
		if a.Type == alarm.Overcrowding {
			r.LimitCount = detInt(d, "max_persons")
		} else {
			r.LimitCount = detInt(d, "min_persons")
			r.Missing = detStrings(d, "missing")
		}
		if z := u.zones[r.ZoneID]; z != nil && r.ZoneName == "" {
			r.ZoneName = z.rec.ZoneName
		}
		return TableZoneAlarm, r
	}
	if a.Type != alarm.Gathering {
		return "", nil
	}
	r := GatheringRecord{ID: a.ID, AreaID: a.AreaID, PersonCount: detInt(d, "count"),
		PersonIDs: detStrings(d, "members"), WarningLevel: a.Level, Colour: detStr(d, "colour"),
		X: finite(a.Lon), Y: finite(a.Lat), Floor: floorOf(d), AlarmTime: stamp(a.RaisedAt),
		EndTime: endTime(a), Status: st, Content: a.Message}
	if f, ok := detNum(d, "radius_m"); ok {
		r.RadiusM = round(f, 100)
	}
	if z := u.zones[a.AreaID]; z != nil {
		r.AreaName = z.rec.ZoneName
	}
	return TableGathering, r
}
