package park

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

func TestSnapshotTables(t *testing.T) {
	r := newRig(t, nil)
	got := r.push(t)
	if want := []string{TablePerson, TableZone}; !slices.Equal(tables(got), want) {
		t.Fatalf("first push sent %v, want %v", tables(got), want)
	}
	for _, g := range got {
		if g.Env.Mode != ModeFull || g.Env.EnterpriseCode != "91640000TEST" || g.Env.Count != len(g.Records) {
			t.Errorf("%s envelope = %+v", g.Env.Table, g.Env)
		}
		if g.Env.SentAt != "2026-07-01 08:00:00" {
			t.Errorf("sent_at = %q, want China Standard Time", g.Env.SentAt)
		}
	}
	people := records(got, TablePerson)
	wantPeople := []map[string]any{
		{"ID": "P1", "PERSON_NAME": "张三", "PERSON_TYPE": "01", "POSITION_NAME": "操作工", "DEPARTMENT": "储运部", "TAG_ID": "T1"},
		{"ID": "P2", "PERSON_NAME": "李四", "PERSON_TYPE": "02", "POSITION_NAME": "操作工", "DEPARTMENT": "储运部", "TAG_ID": "T2", "COMPANY": "某建设公司"},
		{"ID": "P3", "PERSON_NAME": "王五", "PERSON_TYPE": "03", "POSITION_NAME": "操作工", "DEPARTMENT": "储运部", "TAG_ID": "T3"},
	}
	if len(people) != len(wantPeople) {
		t.Fatalf("person table = %v", people)
	}
	for i, want := range wantPeople {
		for k, v := range want {
			if people[i][k] != v {
				t.Errorf("person %d %s = %v, want %v", i, k, people[i][k], v)
			}
		}
	}
	zones := map[string]map[string]any{}
	for _, z := range records(got, TableZone) {
		zones[z["ID"].(string)] = z
	}
	checks := []struct{ id, field string }{
		{"AR-TANK", "ZONE_TYPE"}, {"FN-DIKE", "ZONE_TYPE"}, {"FN-PTW", "ZONE_TYPE"}, {"FN-DIKE", "FLOOR"}, {"FN-DIKE", "MAX_PERSONS"},
	}
	wantZone := []any{"1", "1", "0", 2.0, 4.0}
	for i, c := range checks {
		if zones[c.id][c.field] != wantZone[i] {
			t.Errorf("zone %s %s = %v, want %v", c.id, c.field, zones[c.id][c.field], wantZone[i])
		}
	}
	if g := zones["AR-TANK"]["GEO"]; g != "POLYGON((106.6 38.09,106.61 38.09,106.61 38.1,106.6 38.1,106.6 38.09))" {
		t.Errorf("GEO = %v", g)
	}

	t.Run("unchanged tables are not sent again", func(t *testing.T) {
		move(t, r.scene, "P1", 106.605, 38.095, t0.Add(time.Second)) // enters the area: an upsert of P1
		got := r.push(t)
		if !slices.Equal(tables(got), []string{TablePosition}) {
			t.Errorf("sent %v, want only positions", tables(got))
		}
	})
	t.Run("a fence created at run time is temporary", func(t *testing.T) {
		e := &twin.Entity{ID: "FN-NEW", Kind: twin.KindFence, Name: "临时围栏",
			Geometry: orb.Polygon{{{106.6, 38.09}, {106.601, 38.09}, {106.601, 38.091}, {106.6, 38.09}}}, Props: map[string]any{"rule": "forbidden"}}
		if err := r.scene.Apply(twin.Upsert{Entity: e}, twin.Remove{ID: "P3"}).Err(); err != nil {
			t.Fatal(err)
		}
		got := r.push(t)
		if !slices.Equal(tables(got), []string{TablePerson, TableZone}) {
			t.Fatalf("sent %v", tables(got))
		}
		if n := len(records(got, TablePerson)); n != 2 {
			t.Errorf("person table after a removal has %d rows, want 2", n)
		}
		for _, z := range records(got, TableZone) {
			if want := map[string]string{"FN-NEW": "0", "FN-PTW": "0"}[z["ID"].(string)]; want != "" && z["ZONE_TYPE"] != want {
				t.Errorf("%s ZONE_TYPE = %v, want %s", z["ID"], z["ZONE_TYPE"], want)
			}
		}
	})
}

func TestIncrementalPositions(t *testing.T) {
	r := newRig(t, nil)
	r.push(t) // snapshots
	at := t0.Add(2 * time.Second)
	move(t, r.scene, "P1", 106.6051, 38.0951, at)
	move(t, r.scene, "P2", 106.7, 38.2, at)
	move(t, r.scene, "P1", 106.6052, 38.0952, at.Add(2*time.Second)) // latest wins
	got := records(r.push(t), TablePosition)
	if len(got) != 2 {
		t.Fatalf("positions = %v, want P1 and P2 once each", got)
	}
	p1 := got[0]
	want := map[string]any{"PERSON_ID": "P1", "TAG_ID": "T1", "X": 106.6052, "Y": 38.0952, "Z": 1.5, "FLOOR": 1.0,
		"ZONE_ID": "AR-TANK", "TIME": "2026-07-01 08:00:04"}
	for k, v := range want {
		if p1[k] != v {
			t.Errorf("P1 %s = %v, want %v", k, p1[k], v)
		}
	}
	if got[1]["PERSON_ID"] != "P2" || got[1]["ZONE_ID"] != "" {
		t.Errorf("P2 = %v", got[1])
	}

	// P2 reports the same position again (standing still); P1 moves.
	move(t, r.scene, "P2", 106.7, 38.2, at.Add(4*time.Second))
	move(t, r.scene, "P1", 106.6053, 38.0953, at.Add(4*time.Second))
	got = records(r.push(t), TablePosition)
	if len(got) != 1 || got[0]["PERSON_ID"] != "P1" {
		t.Errorf("after P2 stood still, positions = %v, want only P1", got)
	}
	move(t, r.scene, "P2", 106.7, 38.2, at.Add(6*time.Second))
	if got := r.push(t); len(got) != 0 {
		t.Errorf("nobody moved, but sent %v", tables(got))
	}
	if n := r.u.Queued(); n != 0 {
		t.Errorf("queue holds %d records after the push", n)
	}
}

func TestAuthHeader(t *testing.T) {
	for _, tc := range []struct{ token, want string }{{"secret", "Bearer secret"}, {"", ""}} {
		r := newRig(t, func(o *Options) { o.Token = tc.token })
		for _, g := range r.push(t) {
			if g.Auth != tc.want {
				t.Errorf("token %q: Authorization = %q, want %q", tc.token, g.Auth, tc.want)
			}
		}
	}
}
