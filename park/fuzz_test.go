package park

import (
	"encoding/json"
	"testing"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// FuzzAlarmEvent feeds alarm events as they come back from a store or MQTT
// (decoded JSON, any detail shapes) through the mapping and the encoder:
// no panic, and every batch encodes to valid JSON.
func FuzzAlarmEvent(f *testing.F) {
	f.Add([]byte(`{"action":"raised","alarm":{"id":"A1","type":"sos","entity_id":"P1","lon":106.6,"lat":38.1,"raised_at":"2026-07-01T00:00:00Z"}}`))
	f.Add([]byte(`{"action":"cleared","alarm":{"id":"A2","type":"overcrowding","entity_id":"FN-1","cleared_at":"2026-07-01T00:01:00Z","details":{"count":"5","persons":["P1",2,null],"max_persons":1e300}}}`))
	f.Add([]byte(`{"action":"updated","alarm":{"id":"A3","type":"gathering","details":{"members":"P1","radius_m":"NaN","floor":{"x":1}}}}`))
	f.Add([]byte(`{"action":"raised","alarm":{"type":"fence_intrusion","details":{"position":{"floor":-3.7},"fence_id":7}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev alarm.Event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		u, err := New(Options{Endpoint: "http://127.0.0.1:9/", EnterpriseCode: "E1", MaxQueue: 8})
		if err != nil {
			t.Fatal(err)
		}
		u.ObserveAlarm(ev)
		u.ObserveAlarm(ev)
		for _, b := range u.collect() {
			body, err := u.encode(b)
			if err != nil || !json.Valid(body) {
				t.Fatalf("%s: %v: %s", b.table, err, body)
			}
		}
	})
}
