package threat

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// TestEvacuation: each threat zone holding people raises an evacuation
// alarm listing them, on a real alarm manager; each person is told once
// the crosswind way out, again only on reaching a worse zone or coming
// back; the alarms follow the people out and clear with the gas alarm.
func TestEvacuation(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := newPlant(t)
	mgr, err := alarm.NewManager(ctx, alarm.Options{Store: db, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var notes []Notice
	s, err := New(Options{Scene: p.scene, Clock: p.clock.Now, Alarms: mgr, Notify: func(n Notice) { notes = append(notes, n) }})
	if err != nil {
		t.Fatal(err)
	}
	p.scene.Observe(s.ObserveScene)
	mgr.Observe(s.ObserveAlarm)
	step := func() {
		p.clock.Add(2 * time.Second)
		s.step()
	}
	evacuations := func() map[string][]string {
		out := map[string][]string{}
		for _, a := range mgr.Active() {
			if a.Type != alarm.Evacuation {
				continue
			}
			var people []string
			for _, v := range a.Details["people"].([]any) {
				people = append(people, v.(string))
			}
			out[a.EntityID] = people
			if a.Level != a.Details["zone_level"] || a.Message == "" || a.MessageEn == "" {
				t.Errorf("%s: level %d, details %v, %q / %q", a.EntityID, a.Level, a.Details, a.Message, a.MessageEn)
			}
		}
		return out
	}

	p.weather(3, 270, "D")
	p.readings(3, 270, plume.D)
	if _, _, err := mgr.Raise(ctx, alarm.Raise{Type: alarm.GasLevel2, Level: alarm.LevelHigh, EntityID: "GD-C"}); err != nil {
		t.Fatal(err)
	}
	step()
	want := map[string][]string{"TZ-ammonia-3": {"P-IN"}, "TZ-ammonia-2": {"P-IN"}, "TZ-ammonia-1": {"P-IN", "P-YELLOW"}}
	if got := evacuations(); !equalLists(got, want) {
		t.Fatalf("evacuation alarms %v, want %v", got, want)
	}
	// P-IN on the axis and P-YELLOW 20 m north of it: both told to go
	// north (crosswind; the wind blows east), each for their worst zone.
	if len(notes) != 2 || notes[0].PersonID != "P-IN" || notes[0].Level != 3 || notes[0].ZoneID != "TZ-ammonia-3" ||
		notes[1].PersonID != "P-YELLOW" || notes[1].Level != 1 || notes[0].HeadingDeg != 0 || notes[1].HeadingDeg != 0 ||
		notes[0].Tag != "tag-P-IN" || !notes[0].Evacuate || notes[0].Message == "" {
		t.Fatalf("notices %+v", notes)
	}
	if h := s.exitHeading(s.current["ammonia"], p.at(300, -40)); h != 180 {
		t.Errorf("south of the axis: heading %g°, want 180 (south)", h)
	}
	// Nothing changed: no new notice, no alarm update.
	events := 0
	mgr.Observe(func(alarm.Event) { events++ })
	p.move("P-OUT", -301, -300)
	step()
	if len(notes) != 2 || events != 0 {
		t.Errorf("a quiet step sent %d notices and %d alarm events", len(notes)-2, events)
	}
	// P-IN walks out: the red and orange alarms clear, the yellow one
	// lists P-YELLOW alone.
	p.move("P-IN", -300, 300)
	step()
	if got, want := evacuations(), map[string][]string{"TZ-ammonia-1": {"P-YELLOW"}}; !equalLists(got, want) {
		t.Fatalf("after P-IN left: %v, want %v", got, want)
	}
	// Back into the red zone: told again.
	p.move("P-IN", 60, 0)
	step()
	if len(notes) != 3 || notes[2].PersonID != "P-IN" || notes[2].Level != 3 {
		t.Fatalf("notices %+v", notes)
	}
	// A restart while the zones stand: the new service takes the open
	// evacuation alarms over and keeps them (no duplicate, no clear).
	s2, err := New(Options{Scene: p.scene, Clock: p.clock.Now, Alarms: mgr, ActiveAlarms: mgr.Active,
		Notify: func(n Notice) { notes = append(notes, n) }})
	if err != nil {
		t.Fatal(err)
	}
	before := evacuations()
	p.clock.Add(2 * time.Second)
	s2.step()
	if got := evacuations(); !equalLists(got, before) {
		t.Errorf("after a restart: %v, before %v", got, before)
	}
	// The gas alarm clears: the zones go, and every evacuation alarm.
	if _, _, err := mgr.Clear(ctx, "gas_level2:GD-C", time.Time{}); err != nil {
		t.Fatal(err)
	}
	step()
	if got := evacuations(); len(got) != 0 {
		t.Fatalf("after the gas cleared: %v", got)
	}
	// An evacuation alarm left open by a run that stopped is cleared by the
	// next when no zone holds anyone.
	if _, _, err := mgr.Raise(ctx, s.evacuation(&incident{Incident: Incident{Substance: "ammonia"}},
		&Zone{ID: "TZ-ammonia-3", Level: 3, Color: "red", People: []string{"P-IN"}}, p.clock.Now())); err != nil {
		t.Fatal(err)
	}
	s3, err := New(Options{Scene: p.scene, Clock: p.clock.Now, Alarms: mgr, ActiveAlarms: mgr.Active})
	if err != nil {
		t.Fatal(err)
	}
	p.clock.Add(2 * time.Second)
	s3.step()
	if got := evacuations(); len(got) != 0 {
		t.Fatalf("a stale evacuation alarm survived a restart: %v", got)
	}
}

func equalLists(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestCompass names the eight points.
func TestCompass(t *testing.T) {
	for deg, want := range map[float64]string{0: "north", 44: "north-east", 90: "east", 200: "south", 337.6: "north", 359: "north", -90: "west"} {
		if _, en := compass(deg); en != want {
			t.Errorf("%g°: %s, want %s", deg, en, want)
		}
	}
}
