package api_test

import (
	"math"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

type headcountBody struct {
	Zones []struct {
		ID           string         `json:"id"`
		Kind         string         `json:"kind"`
		People       int            `json:"people"`
		Vehicles     int            `json:"vehicles"`
		ByIdentity   map[string]int `json:"by_identity"`
		ByDepartment map[string]int `json:"by_department"`
		Persons      []string       `json:"persons"`
	} `json:"zones"`
	Tags *struct {
		Online     int            `json:"online"`
		Offline    int            `json:"offline"`
		NotOnSite  int            `json:"not_on_site"`
		LowBattery int            `json:"low_battery"`
		People     int            `json:"people_online"`
		ByIdentity map[string]int `json:"by_identity"`
	} `json:"tags"`
	Unhandled []struct {
		Type     string  `json:"type"`
		AreaID   string  `json:"area_id"`
		Count    int     `json:"count"`
		LongestS float64 `json:"longest_s"`
	} `json:"unhandled_alarms"`
}

func TestHeadcount(t *testing.T) {
	h := newHarness(t)
	up := func(id, identity, dept string) {
		h.must(h.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Name: id,
			Props:  map[string]any{"identity_type": identity, "department": dept},
			Mobile: &twin.Mobile{Tag: "T-" + id, Battery: math.NaN()}}}))
	}
	up("C-1", "contractor", "维修部")
	up("C-2", "internal", "甲醇车间")
	up("C-3", "internal", "甲醇车间")
	move := func(id string, x, y float64, at time.Time, bat float64) {
		h.must(h.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: h.frame.Point(x, y), At: at}, Battery: bat}))
	}
	move("C-1", 20, 20, t0.Add(-5*time.Second), 15) // in the control room (A-west), low battery
	move("C-2", 60, 60, t0.Add(-2*time.Second), 90) // A-west
	move("C-3", 250, 60, t0, 90)                    // A-east, in fence F-1
	move("V-1", 260, 70, t0, math.NaN())            // a vehicle in F-1
	// P-001…P-005 reported 6–10 minutes ago: offline; P-nofix never reported.
	if now := h.clock.Now(); !now.Equal(t0) {
		t.Fatalf("harness clock at %v", now)
	}
	a := h.raise(alarm.FenceIntrusion, "C-3", 250, 60, t0.Add(-90*time.Second))
	h.raise(alarm.FenceIntrusion, "C-2", 60, 60, t0.Add(-30*time.Second))
	h.alarms.Ack(t.Context(), a.ID, "operator", "") // acknowledged: handled

	var b headcountBody
	r := h.get("/api/v1/headcount")
	r.json(t, &b)
	if r.status != 200 || b.Tags == nil {
		t.Fatalf("headcount: %d %s", r.status, r.body)
	}
	if tg := b.Tags; tg.Online != 4 || tg.People != 3 || tg.Offline != 5 || tg.NotOnSite != 1 || tg.LowBattery != 1 ||
		tg.ByIdentity["internal"] != 2 || tg.ByIdentity["contractor"] != 1 {
		t.Errorf("tags %+v", *tg)
	}
	zones := map[string]int{}
	for _, z := range b.Zones {
		zones[z.ID] = z.People*10 + z.Vehicles
	}
	if zones["A-west"] != 20 || zones["B-ctrl"] != 10 || zones["A-east"] != 11 || zones["F-1"] != 11 || zones["B-pump"] != 0 {
		t.Errorf("zones (people*10+vehicles) %v", zones)
	}
	if len(b.Unhandled) != 1 || b.Unhandled[0].Type != "fence_intrusion" || b.Unhandled[0].AreaID != "A-west" || b.Unhandled[0].Count != 1 || b.Unhandled[0].LongestS != 30 {
		t.Errorf("unhandled %+v", b.Unhandled)
	}

	b = headcountBody{}
	h.get("/api/v1/headcount?area=A-west").json(t, &b)
	if len(b.Zones) != 1 || b.Tags != nil || b.Zones[0].People != 2 || b.Zones[0].ByDepartment["维修部"] != 1 ||
		len(b.Zones[0].Persons) != 2 || b.Zones[0].Persons[0] != "C-1" {
		t.Errorf("one area: %+v", b)
	}
	wantError(t, h.get("/api/v1/headcount?area=GD-1"), 404, "not_found")
	wantError(t, h.get("/api/v1/headcount?zone=A-west"), 400, "invalid_parameter")
}
