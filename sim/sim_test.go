package sim

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

var smallPlant = testPlant{people: 30, vehicles: 6, detectors: 16}

func TestDeterminism(t *testing.T) {
	const steps = 600
	tick := 200 * time.Millisecond
	run := func(seed uint64) []sent {
		return runFor(t, newTestSim(t, blePlant, Options{Seed: seed, Episodes: true}), steps*tick, tick)
	}
	a, b, c := run(7), run(7), run(8)
	if len(a) == 0 {
		t.Fatal("no messages")
	}
	if !sameMessages(a, b) {
		t.Fatal("same seed, different messages")
	}
	if sameMessages(a, c) {
		t.Fatal("different seeds, same messages")
	}
}

func sameMessages(a, b []sent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].msg.Topic != b[i].msg.Topic || !bytes.Equal(a[i].msg.Payload, b[i].msg.Payload) || a[i].msg.QoS != b[i].msg.QoS {
			return false
		}
	}
	return true
}

// The messages are a function of simulation time, not of how it is
// sliced: 200 ms and 1.3 s ticks give the same stream.
func TestTickIndependence(t *testing.T) {
	d := 10 * time.Minute
	a := runFor(t, newTestSim(t, blePlant, Options{Seed: 3, Episodes: true}), d, 200*time.Millisecond)
	b := runFor(t, newTestSim(t, blePlant, Options{Seed: 3, Episodes: true}), d, 1300*time.Millisecond)
	for len(b) > 0 && len(a) > len(b) { // the 1.3 s run ends a little earlier
		a = a[:len(a)-1]
	}
	if !sameMessages(a, b) {
		t.Fatal("tick length changed the messages")
	}
}

func TestCadence(t *testing.T) {
	tick := 200 * time.Millisecond
	msgs := runFor(t, newTestSim(t, smallPlant, Options{Seed: 1}), 5*time.Minute, tick)
	last := map[string]int64{}
	counts := map[string]int{}
	period := map[string]int64{"position": 2000, "reading": 1000, "weather": 10000}
	for _, s := range msgs {
		kind, id := topicID(s.msg.Topic)
		var ts struct{ TS int64 }
		decodeLoose(t, s.msg.Payload, &ts)
		if lag := s.at.UnixMilli() - ts.TS; lag < 0 || lag >= tick.Milliseconds() {
			t.Fatalf("%s published %d ms after its ts", s.msg.Topic, lag)
		}
		if p, ok := period[kind]; ok {
			if prev, seen := last[s.msg.Topic]; seen && ts.TS-prev != p {
				t.Fatalf("%s: %d ms between messages, want %d", s.msg.Topic, ts.TS-prev, p)
			}
			last[s.msg.Topic] = ts.TS
		}
		counts[kind+"/"+id]++
	}
	cases := []struct {
		key  string
		want int
	}{
		{"position/T0000", 150}, {"position/V000", 150}, {"reading/gd-000", 300}, {"weather/ws-1", 30},
	}
	for _, c := range cases {
		if got := counts[c.key]; got < c.want-1 || got > c.want+1 {
			t.Errorf("%s: %d messages in 5 min, want %d", c.key, got, c.want)
		}
	}
	if n := smallPlant.people + smallPlant.vehicles; len(last)-smallPlant.detectors-1 != n {
		t.Errorf("%d tags published, want %d", len(last)-smallPlant.detectors-1, n)
	}
}

func TestPayloadSchema(t *testing.T) {
	msgs := runFor(t, newTestSim(t, smallPlant, Options{Seed: 5, Episodes: true}), 20*time.Minute, time.Second)
	seen := map[string]int{}
	for _, s := range msgs {
		kind, _ := topicID(s.msg.Topic)
		seen[kind]++
		wantQoS := byte(0)
		switch kind {
		case "position":
			var p positionMsg
			decodeStrict(t, s.msg.Payload, &p)
			if p.Lon == nil || p.Lat == nil || p.Z == nil || p.Floor == nil || p.Battery == nil || p.SOS == nil || p.Speed == nil || p.TS == nil {
				t.Fatalf("incomplete position %s", s.msg.Payload)
			}
			if *p.Battery < 0 || *p.Battery > 100 || *p.Speed < 0 || math.Abs(*p.Lon-106.6) > 0.01 || math.Abs(*p.Lat-38.1) > 0.01 {
				t.Fatalf("position out of range %s", s.msg.Payload)
			}
		case "reading":
			var r readingMsg
			decodeStrict(t, s.msg.Payload, &r)
			if r.Value == nil || r.Unit == nil || r.TS == nil {
				t.Fatalf("incomplete reading %s", s.msg.Payload)
			}
		case "weather":
			var w weatherMsg
			decodeStrict(t, s.msg.Payload, &w)
			if w.WindSpeed == nil || w.WindFrom == nil || w.TempC == nil || w.CloudOctas == nil || w.Stability == nil || w.TS == nil {
				t.Fatalf("incomplete weather %s", s.msg.Payload)
			}
			if *w.WindFrom < 0 || *w.WindFrom > 360 || *w.CloudOctas < 0 || *w.CloudOctas > 8 || len(*w.Stability) != 1 || (*w.Stability)[0] < 'A' || (*w.Stability)[0] > 'F' {
				t.Fatalf("weather out of range %s", s.msg.Payload)
			}
		case "camera":
			var c cameraMsg
			decodeStrict(t, s.msg.Payload, &c)
			if c.Type == nil || c.Confidence == nil || c.TS == nil || *c.Confidence < 0 || *c.Confidence > 1 || !eventType(*c.Type) {
				t.Fatalf("bad camera event %s", s.msg.Payload)
			}
			wantQoS = 1
		default:
			t.Fatalf("unexpected topic %s", s.msg.Topic)
		}
		if s.msg.QoS != wantQoS {
			t.Fatalf("%s at QoS %d", s.msg.Topic, s.msg.QoS)
		}
	}
	for _, k := range []string{"position", "reading", "weather", "camera"} {
		if seen[k] == 0 {
			t.Errorf("no %s messages in 20 min", k)
		}
	}
}

func TestNewScenes(t *testing.T) {
	f := testFrame(t)
	cases := []struct {
		name  string
		scene func() *twin.Scene
		opts  Options
		err   error
		check func(*testing.T, *Sim)
	}{
		{"empty scene without frame", func() *twin.Scene { return twin.New(twin.Options{}) }, Options{}, ErrScene, nil},
		{"empty scene with frame", func() *twin.Scene { return twin.New(twin.Options{Frame: f}) }, Options{}, nil, func(t *testing.T, s *Sim) {
			if msgs := s.Step(testStart); len(msgs) != 0 {
				t.Errorf("empty scene published %d messages", len(msgs))
			}
		}},
		{"bad site id", func() *twin.Scene { return twin.New(twin.Options{Frame: f}) }, Options{SiteID: "a/b"}, ErrOptions, nil},
		{"negative tick", func() *twin.Scene { return twin.New(twin.Options{Frame: f}) }, Options{Tick: -1}, ErrOptions, nil},
		{"bad tags skipped", func() *twin.Scene {
			s := twin.New(twin.Options{Frame: f})
			s.Apply(
				twin.Upsert{Entity: &twin.Entity{ID: "p1", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "a/b"}}},
				twin.Upsert{Entity: &twin.Entity{ID: "p2", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: ""}}},
				twin.Upsert{Entity: &twin.Entity{ID: "p3", Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: "ok"}}},
				twin.Upsert{Entity: &twin.Entity{ID: "gd#1", Kind: twin.KindGasDetector, Geometry: f.Point(1, 1)}},
			)
			return s
		}, Options{}, nil, func(t *testing.T, s *Sim) {
			if c := s.Counts(); c.People != 1 || c.Skipped != 3 || c.Detectors != 0 {
				t.Errorf("counts %+v", c)
			}
			// p3 has no network and no place: it still reports, from the origin.
			msgs := runFor(t, s, 5*time.Second, time.Second)
			if len(msgs) < 2 {
				t.Errorf("%d messages from a person off the network", len(msgs))
			}
		}},
		{"frame from the site", func() *twin.Scene {
			s := twin.New(twin.Options{})
			s.Apply(twin.Upsert{Entity: &twin.Entity{ID: "gd1", Kind: twin.KindGasDetector, Geometry: f.Point(10, 10)}})
			return s
		}, Options{}, nil, func(t *testing.T, s *Sim) {
			if msgs := runFor(t, s, 3*time.Second, time.Second); len(msgs) != 3 {
				t.Errorf("%d readings in 3 s", len(msgs))
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.scene(), c.opts)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if err == nil && c.check != nil {
				c.check(t, s)
			}
		})
	}
}

func TestStepIgnoresPastAndSkipsStalls(t *testing.T) {
	s := newTestSim(t, smallPlant, Options{Seed: 1})
	s.Step(testStart.Add(time.Minute))
	if msgs := s.Step(testStart.Add(30 * time.Second)); msgs != nil {
		t.Fatalf("a step into the past gave %d messages", len(msgs))
	}
	// After an hour's stall, only the last 10 s are published.
	msgs := s.Step(testStart.Add(time.Hour + time.Minute))
	for _, m := range msgs {
		var ts struct{ TS int64 }
		decodeLoose(t, m.Payload, &ts)
		if age := testStart.Add(time.Hour+time.Minute).UnixMilli() - ts.TS; age > maxLagMS {
			t.Fatalf("a message %d ms old after a stall", age)
		}
	}
	want := (smallPlant.people+smallPlant.vehicles)*5 + smallPlant.detectors*10 + 1
	if len(msgs) < want-50 || len(msgs) > want+50 {
		t.Errorf("%d messages after the stall, want about %d", len(msgs), want)
	}
}
