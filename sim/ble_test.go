package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/ingest"
)

// oneBeacon returns a catalogue of one beacon at the origin.
func oneBeacon(b beacon) *beacons {
	bs := &beacons{list: []beacon{b}, grid: map[[2]int64][]int32{}, slabDB: DefaultFloorLossDB}
	c := bs.cell(b.p)
	bs.grid[c] = []int32{0}
	return bs
}

// The channel is AQ 3064.3-2025 Annex A's: over many reports the RSSI of
// one beacon averages rssi_1m − 22·log₁₀(d) with a 4 dB spread (3.9 dB
// once clipped at 3σ and rounded to whole dBm), 15 dB less per floor slab
// between an indoor beacon and the tag, and nothing beyond 30 m.
func TestChannelModel(t *testing.T) {
	cases := []struct {
		name     string
		b        beacon
		tag      [2]float64
		z        float64
		storey   int
		wantMean float64 // NaN: never heard
	}{
		{"outdoors 10 m", beacon{id: "b", z: 3, rssi1m: -59}, [2]float64{10, 0}, 1.2, 0, -59 - 22*math.Log10(math.Hypot(10, 1.8))},
		{"calibrated -65 at 25 m", beacon{id: "b", z: 3, rssi1m: -65}, [2]float64{0, 25}, 1.2, 0, -65 - 22*math.Log10(math.Hypot(25, 1.8))},
		{"same floor indoors", beacon{id: "b", z: 12, storey: 2, indoor: true, rssi1m: -59}, [2]float64{5, 0}, 10.2, 2, -59 - 22*math.Log10(math.Hypot(5, 1.8))},
		{"two slabs below", beacon{id: "b", z: 12, storey: 2, indoor: true, rssi1m: -50}, [2]float64{5, 0}, 1.2, 0, -50 - 22*math.Log10(math.Hypot(5, 10.8)) - 30},
		{"outdoor beacon from upstairs", beacon{id: "b", z: 3, rssi1m: -59}, [2]float64{5, 0}, 10.2, 2, -59 - 22*math.Log10(math.Hypot(5, 7.2))},
		{"just in range", beacon{id: "b", z: 3, rssi1m: -59}, [2]float64{29.9, 0}, 1.2, 0, -59 - 22*math.Log10(math.Hypot(29.9, 1.8))},
		{"out of range", beacon{id: "b", z: 3, rssi1m: -59}, [2]float64{29.99, 0}, 1.2, 0, math.NaN()},
		{"below sensitivity", beacon{id: "b", z: 3, rssi1m: -100, indoor: true, storey: 3}, [2]float64{20, 0}, 1.2, 0, math.NaN()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bs := oneBeacon(c.b)
			r := newRand(1, "channel")
			const n = 20000
			var sum, sum2 float64
			heardN := 0
			var buf []heard
			for range n {
				buf = bs.hear(r, c.tag, c.z, c.storey, buf)
				for _, h := range buf {
					sum += h.rssi
					sum2 += h.rssi * h.rssi
					heardN++
				}
			}
			if math.IsNaN(c.wantMean) {
				if heardN != 0 {
					t.Fatalf("heard %d times, want never", heardN)
				}
				return
			}
			if heardN != n {
				t.Fatalf("heard %d times of %d", heardN, n)
			}
			mean := sum / n
			sd := math.Sqrt(sum2/n - mean*mean)
			if math.Abs(mean-c.wantMean) > 0.15 || math.Abs(sd-3.9) > 0.15 {
				t.Errorf("mean %.2f dBm (want %.2f), sd %.2f dB (want 3.9)", mean, c.wantMean, sd)
			}
		})
	}
}

// A tag among more beacons than a message carries reports the strongest
// ingest.MaxBeacons, strongest first, in whole dBm.
func TestHearStrongestFirst(t *testing.T) {
	bs := &beacons{grid: map[[2]int64][]int32{}}
	for i := range 100 {
		b := beacon{id: fmt.Sprintf("b%03d", i), p: [2]float64{float64(i%10) * 2, float64(i/10) * 2}, z: 3, rssi1m: -59}
		c := bs.cell(b.p)
		bs.grid[c] = append(bs.grid[c], int32(len(bs.list)))
		bs.list = append(bs.list, b)
	}
	hs := bs.hear(newRand(1, "strongest"), [2]float64{9, 9}, 1.2, 0, nil)
	if len(hs) != ingest.MaxBeacons {
		t.Fatalf("%d beacons, want %d", len(hs), ingest.MaxBeacons)
	}
	for i, h := range hs {
		if h.rssi != math.Round(h.rssi) || h.rssi > ingest.MaxRSSI || h.rssi < ingest.MinRSSI {
			t.Fatalf("%s at %v dBm", h.id, h.rssi)
		}
		if i > 0 && (h.rssi > hs[i-1].rssi || h.rssi == hs[i-1].rssi && h.id < hs[i-1].id) {
			t.Fatalf("not strongest first: %v then %v", hs[i-1], h)
		}
	}
}

// Every rssi report parses with the real ingest parser, names beacons of
// the scene, carries the battery and the SOS button as positions do, and
// comes every 2 s; a BLE tag publishes no position.
func TestBLEReports(t *testing.T) {
	sim := newTestSim(t, blePlant, Options{Seed: 5, Episodes: true})
	msgs := runFor(t, sim, 10*time.Minute, 500*time.Millisecond)
	known := map[string]bool{}
	for _, b := range sim.m.beacons.list {
		known[b.id] = true
	}
	last := map[string]int64{}
	kinds := map[string]map[string]bool{"position": {}, "rssi": {}}
	for _, s := range msgs {
		kind, id := topicID(s.msg.Topic)
		if kind != "position" && kind != "rssi" {
			continue
		}
		kinds[kind][id] = true
		if kind != "rssi" {
			continue
		}
		var strict rssiMsg
		decodeStrict(t, s.msg.Payload, &strict)
		if strict.Beacons == nil || strict.Battery == nil || strict.SOS == nil || strict.TS == nil {
			t.Fatalf("incomplete rssi report %s", s.msg.Payload)
		}
		m, err := ingest.ParseRSSI(s.msg.Payload, ingest.Env{Now: s.at})
		if err != nil {
			t.Fatalf("%s: %v", s.msg.Payload, err)
		}
		if len(m.Beacons) != len(*strict.Beacons) || len(m.Beacons) > ingest.MaxBeacons || math.IsNaN(m.Battery) || m.SOS == nil {
			t.Fatalf("parsed %+v from %s", m, s.msg.Payload)
		}
		for i, b := range m.Beacons {
			if !known[b.ID] {
				t.Fatalf("unknown beacon %q", b.ID)
			}
			if i > 0 && b.RSSI > m.Beacons[i-1].RSSI {
				t.Fatalf("not strongest first: %s", s.msg.Payload)
			}
		}
		ms := m.At.UnixMilli()
		if prev, ok := last[id]; ok && ms-prev != positionPeriodMS {
			t.Fatalf("%s: %d ms between reports", id, ms-prev)
		}
		last[id] = ms
	}
	if len(kinds["rssi"]) != sim.Counts().BLE || sim.Counts().BLE == 0 {
		t.Fatalf("%d tags report rssi, %d BLE tags", len(kinds["rssi"]), sim.Counts().BLE)
	}
	for id := range kinds["rssi"] {
		if kinds["position"][id] {
			t.Errorf("BLE tag %s also publishes positions", id)
		}
	}
}

// Options.BLEShare of the people (default 30 %), drawn with the seed, wear
// BLE tags; none in a scene without beacons.
func TestBLEShare(t *testing.T) {
	cases := []struct {
		plant testPlant
		share float64
		seed  uint64
		want  int
		err   error
	}{
		{blePlant, 0, 1, 9, nil}, // the default, 0.3 × 30
		{blePlant, 0.5, 1, 15, nil},
		{blePlant, 1, 1, 30, nil},
		{blePlant, -1, 1, 0, nil},
		{blePlant, 0.3, 2, 9, nil},
		{smallPlant, 1, 1, 0, nil},
		{blePlant, 1.5, 1, 0, ErrOptions},
		{blePlant, math.NaN(), 1, 0, ErrOptions},
	}
	sets := map[uint64][]string{}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v share %v seed %d", c.plant.beacons, c.share, c.seed), func(t *testing.T) {
			s, err := New(c.plant.build(t), Options{Seed: c.seed, BLEShare: c.share, Start: testStart})
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			var ble []string
			for _, m := range runFor(t, s, 4*time.Second, time.Second) {
				if kind, id := topicID(m.msg.Topic); kind == "rssi" {
					ble = append(ble, id)
				}
			}
			slices.Sort(ble)
			ble = slices.Compact(ble)
			if len(ble) != c.want || s.Counts().BLE != c.want {
				t.Fatalf("%d BLE tags report (%d counted), want %d", len(ble), s.Counts().BLE, c.want)
			}
			if c.share == 0 || c.share == 0.3 {
				sets[c.seed] = ble
			}
		})
	}
	if slices.Equal(sets[1], sets[2]) {
		t.Errorf("seeds 1 and 2 chose the same BLE tags %v", sets[1])
	}
	again, err := New(blePlant.build(t), Options{Seed: 1, Start: testStart})
	if err != nil {
		t.Fatal(err)
	}
	var ble []string
	for _, m := range runFor(t, again, 4*time.Second, time.Second) {
		if kind, id := topicID(m.msg.Topic); kind == "rssi" && !slices.Contains(ble, id) {
			ble = append(ble, id)
		}
	}
	slices.Sort(ble)
	if !slices.Equal(ble, sets[1]) {
		t.Errorf("seed 1 chose %v, then %v", sets[1], ble)
	}
}

// The demo plant's BLE reports are solvable: geo/locate (the solver ingest
// runs) places the BLE tags walking and working outdoors within AQ
// 3064.3-2025's accuracy of where the simulator has them.
//
// Other fixes are only logged. Indoors, and outdoors after a tag has been
// in a building: geo/locate's model is free space, not yet told of the
// floor slab losses the simulator puts between floors; it errs by tens of
// metres in multi-storey buildings and can hold a tag inside one for a
// minute after it has left. On roads: the solver snaps walkers to the
// walkways only, a parallel walkway a few metres off included.
func TestBLESolvable(t *testing.T) {
	ts := demoTwin(t)
	sim, err := New(ts, Options{Seed: 2, BLEShare: 1}) // everyone, for enough walkers
	if err != nil {
		t.Fatal(err)
	}
	m, err := locate.NewMap(ts, nil)
	if m == nil {
		t.Fatal(err)
	}
	solver, err := locate.NewSolver(m, locate.Options{FloorLossDB: DefaultFloorLossDB}) // as calibrated for the channel
	if err != nil {
		t.Fatal(err)
	}
	byTag := map[string]*person{}
	for _, st := range sim.streams {
		if p, ok := st.em.(*person); ok && p.ble && p.party == 1 {
			byTag[p.tag.id] = p
		}
	}
	errs := map[string][]float64{}
	inside := map[string]bool{} // tags that have been indoors
	for at := testStart; !at.After(testStart.Add(10 * time.Minute)); at = at.Add(time.Second) {
		for _, msg := range sim.Step(at) {
			top, err := ingest.ParseTopic(ts.SiteID(), msg.Topic)
			if err != nil {
				t.Fatal(err)
			}
			p := byTag[top.ID]
			if top.Kind != ingest.KindRSSI || p == nil {
				continue
			}
			r, err := ingest.ParseRSSI(msg.Payload, ingest.Env{Now: at})
			if err != nil {
				t.Fatal(err)
			}
			obs := make([]locate.Obs, len(r.Beacons))
			for i, b := range r.Beacons {
				obs[i] = locate.Obs{ID: b.ID, RSSI: b.RSSI}
			}
			f, err := solver.RSSI(top.ID, r.At, obs)
			if err != nil {
				t.Fatalf("%s: %v", top.ID, err)
			}
			// The tag's state is at its report: position() returns the
			// truth at that instant without drawing.
			truth := p.position(sim.m.sec(r.At.UnixMilli()))
			floor, _ := sim.m.floorZ(truth)
			x, y := ts.Frame().FastLocal(orb.Point(f.Point))
			if floor != 0 {
				inside[top.ID] = true
			}
			if at.Sub(testStart) < 20*time.Second {
				continue // the filter settles
			}
			key := "indoors"
			switch {
			case floor != 0:
			case inside[top.ID]:
				key = "outdoors after a building"
			case truth.moving && sim.m.g.Edge(truth.edge).Vehicle:
				key = "walking on roads"
			case truth.moving:
				key = "walking on walkways"
			default:
				key = "outdoors"
			}
			errs[key] = append(errs[key], math.Hypot(x-truth.p[0], y-truth.p[1]))
		}
	}
	// AQ 3064.3-2025: 3 m static, 5 m moving accuracy at the 68.27 % point.
	for _, c := range []struct {
		key  string
		maxM float64 // at the 68.27 % point; 0: logged only
	}{{"walking on walkways", 5}, {"outdoors", 3}, {"walking on roads", 0}, {"outdoors after a building", 3}, {"indoors", 3}} {
		es := errs[c.key]
		if len(es) < 100 && c.maxM > 0 {
			t.Fatalf("%s: %d reports", c.key, len(es))
		}
		if len(es) == 0 {
			continue
		}
		slices.Sort(es)
		at := func(q float64) float64 { return es[int(q*float64(len(es)-1))] }
		t.Logf("%s: %d reports, error median %.2f m, 68.27 %% %.2f m, 90 %% %.2f m", c.key, len(es), at(0.5), at(0.6827), at(0.9))
		if c.maxM > 0 && at(0.6827) > c.maxM {
			t.Errorf("%s: 68.27 %% of the errors within %.2f m, want ≤ %.0f m", c.key, at(0.6827), c.maxM)
		}
	}
}
