package alarm

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/chemtwin/chemtwin/internal/jsonenc"
)

// AppendJSON appends the alarm's JSON to dst: exactly the bytes
// encoding/json gives for the struct (field order, omitempty, sorted
// detail keys, RFC 3339 times, HTML-safe string escapes), written without
// reflection. Every alarm step is encoded for every /ws viewer and the
// store, so a burst of fence crossings spends its time here; json.Marshal
// took 4.8 µs for a fence alarm, this 1.3 µs (BenchmarkAppendJSON). Detail values of other types than the
// JSON ones (string, float64, int, bool, nil, []any, []string,
// map[string]any, json.RawMessage) go through json.Marshal. It fails only
// where json.Marshal fails: a detail that cannot be encoded, or a NaN or
// infinite coordinate. (Alarm has no MarshalJSON on purpose: types that
// embed it, as ingest.AlarmMessage does, would lose their own fields.)
func (a Alarm) AppendJSON(dst []byte) ([]byte, error) {
	if bad(a.Lon) || bad(a.Lat) {
		return dst, &json.UnsupportedValueError{Str: "alarm coordinate " + strconv.FormatFloat(a.Lon, 'g', -1, 64) + "," + strconv.FormatFloat(a.Lat, 'g', -1, 64)}
	}
	b := append(dst, `{"id":`...)
	b = jsonenc.AppendString(b, a.ID)
	b = append(b, `,"type":`...)
	b = jsonenc.AppendString(b, string(a.Type))
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(a.Level), 10)
	b = append(b, `,"state":`...)
	b = jsonenc.AppendString(b, string(a.State))
	b = append(b, `,"key":`...)
	b = jsonenc.AppendString(b, a.Key)
	b = append(b, `,"entity_id":`...)
	b = jsonenc.AppendString(b, a.EntityID)
	b = append(b, `,"area_id":`...)
	b = jsonenc.AppendString(b, a.AreaID)
	b = append(b, `,"lon":`...)
	b = jsonenc.AppendFloat(b, a.Lon)
	b = append(b, `,"lat":`...)
	b = jsonenc.AppendFloat(b, a.Lat)
	b = append(b, `,"raised_at":`...)
	var err error
	if b, err = jsonenc.AppendTime(b, a.RaisedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"updated_at":`...)
	if b, err = jsonenc.AppendTime(b, a.UpdatedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"acked_at":`...)
	if b, err = appendTimePtr(b, a.AckedAt); err != nil {
		return dst, err
	}
	if a.AckedBy != "" {
		b = append(b, `,"acked_by":`...)
		b = jsonenc.AppendString(b, a.AckedBy)
	}
	if a.AckNote != "" {
		b = append(b, `,"ack_note":`...)
		b = jsonenc.AppendString(b, a.AckNote)
	}
	b = append(b, `,"cleared_at":`...)
	if b, err = appendTimePtr(b, a.ClearedAt); err != nil {
		return dst, err
	}
	b = append(b, `,"message":`...)
	b = jsonenc.AppendString(b, a.Message)
	b = append(b, `,"message_en":`...)
	b = jsonenc.AppendString(b, a.MessageEn)
	if len(a.Details) > 0 {
		b = append(b, `,"details":`...)
		if b, err = jsonenc.AppendValue(b, a.Details); err != nil {
			return dst, err
		}
	}
	return append(b, '}'), nil
}

// AppendDetails appends details as JSON — json.Marshal's bytes — or
// "null" for a nil map: the stores' details column.
func AppendDetails(dst []byte, d map[string]any) ([]byte, error) {
	if d == nil {
		return append(dst, "null"...), nil
	}
	out, err := jsonenc.AppendValue(dst, d)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func appendTimePtr(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return jsonenc.AppendTime(b, *t)
}

// encoding is an alarm's JSON, made once however many observers ask.
type encoding struct {
	once sync.Once
	b    []byte
	err  error
}

// JSON returns the alarm's JSON (AppendJSON). The manager's events encode
// it once for all their observers (the /ws hub, the MQTT publisher); the
// bytes are shared, so the caller must not change them.
func (ev Event) JSON() ([]byte, error) {
	if ev.enc == nil {
		return ev.Alarm.AppendJSON(nil)
	}
	ev.enc.once.Do(func() { ev.enc.b, ev.enc.err = ev.Alarm.AppendJSON(make([]byte, 0, 768)) })
	return ev.enc.b, ev.enc.err
}
