package evac

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// plant is a 400 × 300 m plant (boundary on the site entity) with two
// areas, muster points MP-A (radius 20 m, capacity 2) and MP-B (radius
// 25 m, on no area), and the people of people.
type plant struct {
	f     *geo.Frame
	scene *twin.Scene
}

func newPlant(t *testing.T) *plant {
	t.Helper()
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &plant{f: f, scene: twin.New(twin.Options{SiteID: "demo", Frame: f})}
	rect := func(x0, y0, x1, y1 float64) orb.Geometry {
		return f.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}})
	}
	person := func(id, name, identity, dept, tag string) twin.Change {
		return twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Name: name, Parent: "demo",
			Props:  map[string]any{"identity_type": identity, "department": dept},
			Mobile: &twin.Mobile{Tag: tag, Battery: math.NaN()}}}
	}
	res := p.scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "demo", Kind: twin.KindSite, Name: "演示厂", Geometry: rect(0, 0, 400, 300), Props: map[string]any{}}},
		twin.Upsert{Entity: &twin.Entity{ID: "AR-TANK", Kind: twin.KindArea, Parent: "demo", Name: "罐区", Geometry: rect(0, 0, 200, 300)}},
		twin.Upsert{Entity: &twin.Entity{ID: "AR-PROC", Kind: twin.KindArea, Parent: "demo", Name: "生产区", Geometry: rect(200, 0, 400, 300)}},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-A", Kind: twin.KindMusterPoint, Parent: "demo", Name: "1#集合点", Geometry: f.Point(50, 50),
			Props: map[string]any{"radius_m": 20.0, "capacity": 2.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "MP-B", Kind: twin.KindMusterPoint, Parent: "demo", Name: "2#集合点", Geometry: f.Point(350, 250),
			Props: map[string]any{"radius_m": 25.0, "capacity": 100.0}}},
		person("P1", "张伟", "internal", "生产部", "T1"),
		person("P2", "李娜", "contractor", "检修队", "T2"),
		person("P3", "王芳", "internal", "生产部", "T3"),
		person("P4", "赵强", "visitor", "", "T4"),
		person("P5", "=HYPERLINK(1)", "visitor", "", "T5"),
		person("P6", "刘洋", "internal", "生产部", "T6"),
		person("P7", "陈静", "internal", "仓储部", "T7"),
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *plant) fix(t *testing.T, id string, x, y float64, floor int, at time.Time) {
	t.Helper()
	fix := twin.Fix{Point: p.f.Point(x, y), Floor: floor, At: at}
	if err := p.scene.Apply(twin.Move{ID: id, Fix: fix, Battery: math.NaN()}).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestRollCall(t *testing.T) {
	p := newPlant(t)
	order := t0
	now := t0.Add(3 * time.Minute)
	p.fix(t, "P1", 55, 45, 0, now.Add(-5*time.Second))    // at MP-A, 7 m off its centre
	p.fix(t, "P2", 120, 200, 0, now.Add(-2*time.Second))  // in the tank farm
	p.fix(t, "P3", 300, 100, 2, now.Add(-90*time.Second)) // silent 90 s on floor 2 of the works
	p.fix(t, "P4", 360, 240, 0, now.Add(-time.Second))    // at MP-B
	p.fix(t, "P5", 450, 150, 0, now.Add(-3*time.Second))  // out through a gate
	p.fix(t, "P6", 50, 50, 3, now.Add(-time.Second))      // above MP-A, on a third floor: not at it
	p.fix(t, "P7", 100, 100, 0, order.Add(-2*time.Hour))  // last seen two hours before the order: off site
	rc := Take(p.scene, RollOptions{Now: now, Since: order})

	got := map[string]string{}
	for _, e := range rc.People {
		got[e.Person] = string(e.Status) + "/" + e.Muster + "/" + e.Area
	}
	want := map[string]string{"P1": "arrived/MP-A/AR-TANK", "P2": "inside//AR-TANK", "P3": "unaccounted//AR-PROC",
		"P4": "arrived/MP-B/AR-PROC", "P5": "left//", "P6": "inside//AR-TANK"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("roll call\n got %v\nwant %v", got, want)
	}
	if rc.Totals != (Tally{Total: 6, Unaccounted: 1, Inside: 2, Arrived: 2, Left: 1}) {
		t.Errorf("totals %+v", rc.Totals)
	}
	// the most urgent first: unaccounted, then inside (by name), arrived, left
	var seen []string
	for _, e := range rc.People {
		seen = append(seen, e.Person)
	}
	if s := strings.Join(seen, " "); s != "P3 P6 P2 P1 P4 P5" {
		t.Errorf("order %s", s)
	}
	if fmt.Sprintf("%+v", rc.Musters) != "[{ID:MP-A Name:1#集合点 Capacity:2 Arrived:1 People:[P1]} {ID:MP-B Name:2#集合点 Capacity:100 Arrived:1 People:[P4]}]" {
		t.Errorf("muster points %+v", rc.Musters)
	}
	groups := func(gs []Group) string {
		var b strings.Builder
		for _, g := range gs {
			fmt.Fprintf(&b, "%s(%s):%d/%d/%d/%d/%d ", g.Key, g.Name, g.Total, g.Unaccounted, g.Inside, g.Arrived, g.Left)
		}
		return strings.TrimSpace(b.String())
	}
	if s := groups(rc.ByArea); s != "AR-TANK(罐区):3/0/2/1/0 AR-PROC(生产区):2/1/0/1/0 ():1/0/0/0/1" {
		t.Errorf("by area %s", s)
	}
	if s := groups(rc.ByDepartment); s != "生产部():3/1/1/1/0 检修队():1/0/1/0/0 ():2/0/0/1/1" {
		t.Errorf("by department %s", s)
	}
	if s := groups(rc.ByIdentity); s != "internal():3/1/1/1/0 contractor():1/0/1/0/0 visitor():2/0/0/1/1" {
		t.Errorf("by identity %s", s)
	}
	if e := rc.People[0]; e.AgeS != 90 || e.Floor != 2 || e.Tag != "T3" || e.Identity != "internal" {
		t.Errorf("P3's entry %+v", e)
	}

	// A later fix accounts for P3; P7 seen again is counted in.
	p.fix(t, "P3", 52, 52, 0, now.Add(10*time.Second))
	p.fix(t, "P7", 200, 150, 0, now.Add(10*time.Second))
	rc = Take(p.scene, RollOptions{Now: now.Add(11 * time.Second), Since: order})
	if rc.Totals != (Tally{Total: 7, Inside: 3, Arrived: 3, Left: 1}) || rc.Musters[0].Arrived != 2 {
		t.Errorf("after P3 arrived: totals %+v, MP-A %+v", rc.Totals, rc.Musters[0])
	}
	// Without an order the roll call counts from now: P7's fix is fresh.
	if rc := Take(p.scene, RollOptions{Now: now.Add(11 * time.Second)}); rc.Totals.Total != 7 || !rc.Since.Equal(rc.At) {
		t.Errorf("no order: %+v since %v at %v", rc.Totals, rc.Since, rc.At)
	}
}

func TestRollCallCSV(t *testing.T) {
	p := newPlant(t)
	now := t0
	p.fix(t, "P1", 55, 45, 0, now.Add(-5*time.Second))
	p.fix(t, "P5", 450, 150, 0, now.Add(-3*time.Second))
	rc := Take(p.scene, RollOptions{Now: now})
	var buf bytes.Buffer
	if err := rc.WriteCSV(&buf, time.FixedZone("CST", 8*3600)); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("no byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("rows %q", rows)
	}
	if r := rows[1]; r[0] != "P1" || r[1] != "张伟" || r[5] != "arrived" || r[6] != "MP-A" || r[8] != "2026-11-29T17:59:55+08:00" || r[9] != "5" {
		t.Errorf("P1's row %q", r)
	}
	// A name that a spreadsheet would run as a formula is defused.
	if r := rows[2]; r[1] != "'=HYPERLINK(1)" || r[5] != "left" {
		t.Errorf("P5's row %q", r)
	}
}
