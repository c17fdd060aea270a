package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

func TestEntities(t *testing.T) {
	h := newHarness(t)
	r := h.get("/api/v1/entities/GD-2")
	var f featureDoc
	r.json(t, &f)
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" || f.ID != "GD-2" || f.Properties["value"] != 30.0 || f.Properties["state"] != "alarm1" {
		t.Fatalf("entity: %d %s", r.status, r.body)
	}
	var p featureDoc
	h.get("/api/v1/entities/P-nofix").json(t, &p)
	if p.ID != "P-nofix" || p.Geometry != nil || p.Properties["tag"] != "T-nofix" {
		t.Errorf("unplaced person %+v", p)
	}
	wantError(t, h.get("/api/v1/entities/nope"), 404, "not_found")

	var kids collectionDoc
	h.get("/api/v1/entities/A-east/children").json(t, &kids)
	if got := ids(kids.Features); !slices.Equal(got, []string{"B-pump", "F-1", "GD-2", "TK-1"}) {
		t.Errorf("children %v", got)
	}
	wantError(t, h.get("/api/v1/entities/nope/children"), 404, "not_found")
	wantError(t, h.get("/api/v1/nothing"), 404, "not_found")
}

type alarmsOut struct{ Alarms []alarm.Alarm }

func alarmIDs(as []alarm.Alarm) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestAlarmsREST(t *testing.T) {
	h := newHarness(t)
	a1 := h.raise(alarm.GasLevel1, "GD-2", 250, 50, t0.Add(-3*time.Hour))
	a2 := h.raise(alarm.FenceIntrusion, "P-005", 280, 40, t0.Add(-2*time.Hour))
	a3 := h.raise(alarm.SOS, "P-001", 20, 40, t0.Add(-1*time.Hour))
	if _, _, err := h.alarms.Clear(t.Context(), a2.Key, t0.Add(-90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var empty alarmsOut
	if r := h.get("/api/v1/alarms?type=low_battery"); r.status != 200 || !strings.Contains(string(r.body), `"alarms":[]`) {
		t.Fatalf("empty list: %s", r.body)
	} else {
		r.json(t, &empty)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{a3.ID, a2.ID, a1.ID}},
		{"state=active", []string{a3.ID, a1.ID}},
		{"state=cleared", []string{a2.ID}},
		{"type=sos", []string{a3.ID}},
		{"entity=GD-2", []string{a1.ID}},
		{"area=A-west", []string{a3.ID, a2.ID, a1.ID}},
		{"open=true", []string{a3.ID, a1.ID}},
		{"limit=1&offset=1", []string{a2.ID}},
		{"datetime=../" + t0.Add(-2*time.Hour).Format(time.RFC3339), []string{a2.ID, a1.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var out alarmsOut
			r := h.get("/api/v1/alarms?" + tt.query)
			r.json(t, &out)
			if r.status != 200 || !slices.Equal(alarmIDs(out.Alarms), tt.want) {
				t.Fatalf("%d %v, want %v", r.status, alarmIDs(out.Alarms), tt.want)
			}
		})
	}
	for _, q := range []string{"state=burning", "type=meteor", "limit=0", "offset=-1", "open=maybe", "datetime=x", "colour=red"} {
		t.Run("bad "+q, func(t *testing.T) {
			r := h.get("/api/v1/alarms?" + q)
			if r.status != 400 {
				t.Fatalf("%s: %d %s", q, r.status, r.body)
			}
			wantError(t, r, 400, "")
		})
	}
	var one alarm.Alarm
	r := h.get("/api/v1/alarms/" + a2.ID)
	r.json(t, &one)
	if r.status != 200 || one.ID != a2.ID || one.State != alarm.Cleared || one.ClearedAt == nil {
		t.Fatalf("get alarm: %d %s", r.status, r.body)
	}
	wantError(t, h.get("/api/v1/alarms/AL-nope"), 404, "not_found")
}

func TestAlarmAck(t *testing.T) {
	h := newHarness(t)
	a := h.raise(alarm.GasLevel2, "GD-2", 250, 50, t0.Add(-time.Hour))
	b := h.raise(alarm.SOS, "P-001", 20, 40, t0.Add(-time.Hour))
	path := "/api/v1/alarms/" + a.ID + "/ack"

	wantError(t, h.do(http.MethodPost, path, "", nil), 401, "unauthorized")
	wantError(t, h.do(http.MethodPost, path, h.login("inspector"), nil), 403, "forbidden")

	op := h.login("operator")
	wantError(t, h.do(http.MethodPost, path, op, map[string]any{"note": strings.Repeat("长", 501)}), 400, "bad_request")
	wantError(t, h.do(http.MethodPost, path, op, map[string]any{"note": "x", "by": "someone-else"}), 400, "invalid_json")
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+path, strings.NewReader("note=x"))
	req.Header.Set("Authorization", "Bearer "+op)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantError(t, h.send(req), 415, "unsupported_media_type")

	h.clock.Add(time.Minute)
	r := h.do(http.MethodPost, path, op, map[string]any{"note": "已通知现场 on site"})
	var acked alarm.Alarm
	r.json(t, &acked)
	if r.status != 200 || acked.State != alarm.Acknowledged || acked.AckedBy != "operator" || acked.AckNote != "已通知现场 on site" || acked.AckedAt == nil || !acked.AckedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ack: %d %s", r.status, r.body)
	}
	if got, _ := h.alarms.Get(t.Context(), a.ID); got.State != alarm.Acknowledged {
		t.Errorf("engine state %s", got.State)
	}
	au := h.audit("alarm.ack")
	if len(au) != 1 || au[0].Actor != "operator" || au[0].Target != a.ID || au[0].Remote != "127.0.0.1" || au[0].Detail["note"] != "已通知现场 on site" {
		t.Fatalf("audit %+v", au)
	}
	wantError(t, h.do(http.MethodPost, path, h.login("manager"), nil), 409, "conflict")
	wantError(t, h.do(http.MethodPost, "/api/v1/alarms/AL-nope/ack", op, nil), 404, "not_found")
	if n := len(h.audit("alarm.ack")); n != 1 {
		t.Errorf("refused acks audited: %d entries", n)
	}
	// the other roles may acknowledge, with an empty body
	for _, role := range []string{"emergency"} {
		if r := h.do(http.MethodPost, "/api/v1/alarms/"+b.ID+"/ack", h.login(role), nil); r.status != 200 {
			t.Errorf("%s ack: %d %s", role, r.status, r.body)
		}
	}
	wantError(t, h.do(http.MethodGet, path, op, nil), http.StatusMethodNotAllowed, "method_not_allowed")
}
