package park

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// fenceDetails are the details the fence engine gives a per-person alarm.
func fenceDetails(fence string) map[string]any {
	return map[string]any{"fence_id": fence, "fence_name": "防火堤", "rule": "forbidden", "tag": "T1",
		"position": map[string]any{"lon": 106.6015, "lat": 38.0915, "z": 1.5, "floor": 2, "at": "2026-07-01T00:00:00Z"}}
}

func TestAlarmMapping(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		typ     alarm.Type
		entity  string
		details map[string]any
		table   string
		code    string // ALARM_TYPE ("" for gathering)
		check   map[string]any
	}{
		{alarm.SOS, "P1", nil, TablePersonAlarm, "0", map[string]any{"PERSON_NAME": "张三", "ZONE_ID": "AR-TANK", "ZONE_NAME": "罐区"}},
		{alarm.FenceIntrusion, "P1", fenceDetails("FN-DIKE"), TablePersonAlarm, "1", map[string]any{"ZONE_ID": "FN-DIKE", "FLOOR": 2.0}},
		{alarm.FenceExit, "P1", fenceDetails("FN-DIKE"), TablePersonAlarm, "1", map[string]any{"ZONE_ID": "FN-DIKE"}},
		{alarm.Lingering, "P2", fenceDetails("FN-DIKE"), TablePersonAlarm, "2", map[string]any{"PERSON_NAME": "李四"}},
		{alarm.StaticTimeout, "P3", fenceDetails("FN-DIKE"), TablePersonAlarm, "3", map[string]any{"PERSON_ID": "P3"}},
		{alarm.Overcrowding, "FN-DIKE", map[string]any{"fence_id": "FN-DIKE", "count": 5, "persons": []string{"P1", "P2", "P3", "P4", "P5"}, "max_persons": 4},
			TableZoneAlarm, "1", map[string]any{"ZONE_ID": "FN-DIKE", "ZONE_NAME": "防火堤", "PERSON_COUNT": 5.0, "LIMIT_COUNT": 4.0}},
		{alarm.Understaffing, "FN-DIKE", map[string]any{"fence_id": "FN-DIKE", "count": 1, "persons": []string{"P1"}, "min_persons": 2, "missing": []string{"P9"}},
			TableZoneAlarm, "2", map[string]any{"PERSON_COUNT": 1.0, "LIMIT_COUNT": 2.0}},
		{alarm.Gathering, "G-1", map[string]any{"members": []string{"P1", "P2", "P3"}, "count": 3, "colour": "yellow", "floor": 0, "radius_m": 7.123},
			TableGathering, "", map[string]any{"AREA_ID": "AR-TANK", "AREA_NAME": "罐区", "PERSON_COUNT": 3.0, "COLOUR": "yellow", "RADIUS": 7.12, "WARNING_LEVEL": 1.0}},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ), func(t *testing.T) {
			r := newRig(t, nil)
			r.push(t)
			m := alarms(t, r.clk, r.u)
			level := 2
			if tc.typ == alarm.Gathering {
				level = 1
			}
			a, _, err := m.Raise(ctx, alarm.Raise{Type: tc.typ, Level: level, EntityID: tc.entity, AreaID: "AR-TANK",
				Lon: 106.6015, Lat: 38.0915, At: t0.Add(time.Minute), Message: "测试", Details: tc.details})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Ack(ctx, a.ID, "张三", ""); err != nil { // acknowledgements stay local
				t.Fatal(err)
			}
			if _, _, err := m.Clear(ctx, a.Key, t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			recs := records(r.push(t), tc.table)
			if len(recs) != 2 {
				t.Fatalf("%s records = %v, want raise and clear", tc.table, recs)
			}
			for i, st := range []string{StatusActive, StatusCleared} {
				rec := recs[i]
				if rec["ID"] != a.ID || rec["STATUS"] != st || rec["ALARM_TIME"] != "2026-07-01 08:01:00" {
					t.Errorf("record %d = %v", i, rec)
				}
				if tc.code != "" && rec["ALARM_TYPE"] != tc.code {
					t.Errorf("ALARM_TYPE = %v, want %s", rec["ALARM_TYPE"], tc.code)
				}
				for k, v := range tc.check {
					if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
						t.Errorf("%s = %v, want %v", k, rec[k], v)
					}
				}
			}
			if recs[0]["END_TIME"] != nil || recs[1]["END_TIME"] != "2026-07-01 08:02:00" {
				t.Errorf("END_TIME = %v, %v", recs[0]["END_TIME"], recs[1]["END_TIME"])
			}
		})
	}
	t.Run("other types are not sent", func(t *testing.T) {
		r := newRig(t, nil)
		r.push(t)
		m := alarms(t, r.clk, r.u)
		for _, typ := range []alarm.Type{alarm.GasLevel1, alarm.OffPost, alarm.LowBattery, alarm.TagOffline} {
			if _, _, err := m.Raise(ctx, alarm.Raise{Type: typ, EntityID: "P1", Level: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if got := r.push(t); len(got) != 0 {
			t.Errorf("sent %v", tables(got))
		}
	})
}

// TestRetryKeepsOrder: the park answers 503 for a while; nothing is lost,
// alarms keep their order and positions coalesce to the latest.
func TestRetryKeepsOrder(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	r.push(t)
	m := alarms(t, r.clk, r.u)
	r.recv.setFail(1000, http.StatusServiceUnavailable)
	var want []string
	for i := range 6 {
		typ := []alarm.Type{alarm.SOS, alarm.FenceIntrusion, alarm.Lingering}[i%3]
		a, _, err := m.Raise(ctx, alarm.Raise{Type: typ, EntityID: fmt.Sprintf("P%d", 1+i%3), Key: fmt.Sprint("k", i), Level: 2, At: t0.Add(time.Duration(i) * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a.ID+"/1")
		if i%2 == 1 {
			if _, _, err := m.Clear(ctx, a.Key, t0.Add(time.Duration(i)*time.Second+time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			want = append(want, a.ID+"/0")
		}
		move(t, r.scene, "P1", 106.6+float64(i)*1e-4, 38.09, t0.Add(time.Duration(i+1)*time.Second))
		if err := r.u.Push(ctx); err == nil {
			t.Fatal("push succeeded while the park answers 503")
		}
	}
	if n := counter(t, r.reg, "chemtwin_park_batches_failed_total", TablePosition); n != 6 {
		t.Errorf("failed position batches = %v, want 6", n)
	}
	r.recv.setFail(0, 0)
	got := r.push(t)
	var order []string
	for _, rec := range records(got, TablePersonAlarm) {
		order = append(order, fmt.Sprint(rec["ID"], "/", rec["STATUS"]))
	}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("alarm order after the outage:\n got %v\nwant %v", order, want)
	}
	pos := records(got, TablePosition)
	if len(pos) != 1 || pos[0]["X"] != 106.6005 || pos[0]["TIME"] != "2026-07-01 08:00:06" {
		t.Errorf("positions after the outage = %v, want P1's latest only", pos)
	}
	if n := r.u.Queued(); n != 0 {
		t.Errorf("%d records still queued", n)
	}
	if v := counter(t, r.reg, "chemtwin_park_last_success_timestamp_seconds", ""); v != float64(t0.Unix()) {
		t.Errorf("last success = %v", v)
	}
}

func TestOverflow(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, func(o *Options) { o.MaxQueue = 5 })
	r.push(t)
	m := alarms(t, r.clk, r.u)
	for i, id := range []string{"P1", "P2", "P3"} {
		move(t, r.scene, id, 106.6, 38.09+float64(i)*1e-4, t0.Add(time.Duration(i+1)*time.Second))
	}
	var ids []string
	for i := range 6 {
		a, _, err := m.Raise(ctx, alarm.Raise{Type: alarm.SOS, EntityID: "P1", Key: fmt.Sprint("k", i), Level: 3})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	// 3 positions + 6 alarms = 9 > 5: the 3 positions go, then the oldest alarm.
	if n := counter(t, r.reg, "chemtwin_park_records_dropped_total", TablePosition); n != 3 {
		t.Errorf("dropped positions = %v, want 3", n)
	}
	if n := counter(t, r.reg, "chemtwin_park_records_dropped_total", TablePersonAlarm); n != 1 {
		t.Errorf("dropped alarms = %v, want 1", n)
	}
	if n := counter(t, r.reg, "chemtwin_park_queue_records", ""); n != 5 {
		t.Errorf("queue gauge = %v, want 5", n)
	}
	got := records(r.push(t), TablePersonAlarm)
	var sent []string
	for _, rec := range got {
		sent = append(sent, rec["ID"].(string))
	}
	if fmt.Sprint(sent) != fmt.Sprint(ids[1:]) {
		t.Errorf("sent %v, want the newest five %v", sent, ids[1:])
	}
}

func TestRefusedBatchIsDropped(t *testing.T) {
	r := newRig(t, nil)
	r.recv.refuse = TablePerson
	got := r.push(t)
	if len(got) != 1 || got[0].Env.Table != TableZone {
		t.Fatalf("sent %v, want the zone table after the person table was refused", tables(got))
	}
	if n := counter(t, r.reg, "chemtwin_park_batches_rejected_total", TablePerson); n != 1 {
		t.Errorf("rejected = %v", n)
	}
	if got := r.push(t); len(got) != 0 {
		t.Errorf("refused batch sent again: %v", tables(got))
	}
}
