package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarm listing bounds: the engine's store pages by alarmPageSize (its
// maximum, alarm.Filter); the OGC collection scans at most maxAlarmScan.
const (
	alarmPageSize = 1000
	maxAlarmScan  = 100_000
)

var errAlarmsUnavailable = errorf(http.StatusServiceUnavailable, codeUnavailable, "the alarm engine is not running")

// alarmPage lists one page of the alarms collection. The engine filters by
// state, type, entity, area and raised_at; bbox and other properties are
// tested here, so the matching alarms are scanned whole (newest raised
// first, at most maxAlarmScan) and the cursor is an offset into them.
func (s *Server) alarmPage(r *http.Request, q itemsQuery) (itemsPage, error) {
	if s.opts.Alarms == nil {
		return itemsPage{}, errAlarmsUnavailable
	}
	f, props, err := alarmFilter(q)
	if err != nil {
		return itemsPage{}, err
	}
	offset := 0
	if q.cursor != "" {
		if offset, err = strconv.Atoi(q.cursor); err != nil || offset < 0 {
			return itemsPage{}, errorf(http.StatusBadRequest, codeBadParameter, "bad cursor for alarms")
		}
	}
	all, err := s.scanAlarms(r.Context(), f, func(a *alarm.Alarm) bool {
		return (q.bbox == nil || q.bbox.Contains(orb.Point{a.Lon, a.Lat})) && (props == nil || matchAlarm(a, props))
	})
	if err != nil {
		return itemsPage{}, err
	}
	out := itemsPage{matched: len(all)}
	end := min(len(all), offset+q.limit)
	for i := offset; i < end; i++ {
		if out.features, err = appendAlarm(comma(out.features, out.returned), all[i], nil); err != nil {
			return out, err
		}
		out.returned++
	}
	if end < len(all) {
		out.next = strconv.Itoa(end)
	}
	if offset > 0 {
		out.hasPrev = true
		if p := offset - q.limit; p > 0 {
			out.prev = strconv.Itoa(p)
		}
	}
	return out, nil
}

// alarmFilter moves the property filters the engine understands into an
// alarm.Filter; the rest stay for matchAlarm.
func alarmFilter(q itemsQuery) (alarm.Filter, map[string]string, error) {
	f := alarm.Filter{Limit: alarmPageSize}
	if q.when != nil {
		f.From, f.To = q.when.Start, q.when.End
	}
	rest := map[string]string{}
	for k, v := range q.props {
		switch k {
		case "state":
			f.State = alarm.State(v)
			if !f.State.Valid() {
				return f, nil, errorf(http.StatusBadRequest, codeBadParameter, "unknown alarm state %q", v)
			}
		case "type":
			f.Type = alarm.Type(v)
			if !f.Type.Valid() {
				return f, nil, errorf(http.StatusBadRequest, codeBadParameter, "unknown alarm type %q", v)
			}
		case "entity_id":
			f.EntityID = v
		case "area_id":
			f.AreaID = v
		default:
			rest[k] = v
		}
	}
	if len(rest) == 0 {
		rest = nil
	}
	return f, rest, nil
}

// scanAlarms pages through the engine's alarms matching f and keeps those
// passing keep.
func (s *Server) scanAlarms(ctx context.Context, f alarm.Filter, keep func(*alarm.Alarm) bool) ([]alarm.Alarm, error) {
	var out []alarm.Alarm
	for f.Offset = 0; f.Offset < maxAlarmScan; f.Offset += alarmPageSize {
		page, err := s.opts.Alarms.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if keep(&page[i]) {
				out = append(out, page[i])
			}
		}
		if len(page) < alarmPageSize {
			break
		}
	}
	return out, nil
}

// matchAlarm tests property filters against the alarm's JSON fields.
func matchAlarm(a *alarm.Alarm, want map[string]string) bool {
	props, err := alarmProps(*a)
	return err == nil && matchProps(props, want)
}

// alarmProps is the alarm's JSON fields as a map: the feature's properties.
func alarmProps(a alarm.Alarm) (map[string]any, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	props := map[string]any{}
	return props, json.Unmarshal(b, &props)
}

// appendAlarm appends the alarm as a GeoJSON feature: a point at its
// lon/lat (null when it has no place), properties = its JSON fields.
func appendAlarm(b []byte, a alarm.Alarm, links []link) ([]byte, error) {
	props, err := alarmProps(a)
	if err != nil {
		return b, err
	}
	var g orb.Geometry
	if a.Lon != 0 || a.Lat != 0 {
		g = orb.Point{a.Lon, a.Lat}
	}
	return appendFeature(b, a.ID, g, props, links)
}
