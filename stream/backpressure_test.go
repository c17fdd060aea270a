package stream

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// tinyRecv is the receive buffer of clients that fall behind: with it and
// the hub's 64 KiB send buffer the kernel holds ~140 KB, not megabytes.
const tinyRecv = 4096

// tracker keeps a client's view of positions from snapshots, deltas and
// positions frames, read by a goroutine until the connection ends.
type tracker struct {
	mu     sync.Mutex
	pos    map[string]orb.Point
	fixMS  map[string]int64 // time of the fix in pos
	frames map[string]int
	alarms []uint64 // alarm seqs in arrival order
	done   chan struct{}
	err    error
}

func track(t *testing.T, conn *websocket.Conn, pause time.Duration) *tracker {
	tr := &tracker{pos: make(map[string]orb.Point), fixMS: make(map[string]int64), frames: make(map[string]int), done: make(chan struct{})}
	go func() {
		defer close(tr.done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				tr.mu.Lock()
				tr.err = err
				tr.mu.Unlock()
				return
			}
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				t.Errorf("frame: %v", err)
				return
			}
			tr.apply(t, &f)
			if pause > 0 {
				time.Sleep(pause) // a slow reader
			}
		}
	}()
	return tr
}

func (tr *tracker) apply(t *testing.T, f *frame) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.frames[f.Type]++
	switch f.Type {
	case frameSnapshot:
		clear(tr.pos)
		clear(tr.fixMS)
		for _, fc := range f.Layers {
			tr.features(t, fc.Features)
		}
	case frameDelta:
		tr.features(t, f.Upserts)
	case framePositions:
		for _, it := range f.items(t) {
			tr.update(it.id, orb.Point{it.lon, it.lat}, it.tsMS)
		}
	case frameAlarm:
		tr.alarms = append(tr.alarms, f.Seq)
	}
}

func (tr *tracker) features(t *testing.T, fs []json.RawMessage) {
	for _, raw := range fs {
		feat, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			t.Errorf("feature: %v", err)
			continue
		}
		p, ok := feat.Geometry.(orb.Point)
		if !ok {
			continue
		}
		ts, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(feat.Properties["ts"]))
		tr.update(fmt.Sprint(feat.ID), p, ts.UnixMilli())
	}
}

// update applies a position unless it is older than the one held: the
// client rule of the package documentation.
func (tr *tracker) update(id string, p orb.Point, fixMS int64) {
	if fixMS >= tr.fixMS[id] {
		tr.pos[id], tr.fixMS[id] = p, fixMS
	}
}

func (tr *tracker) at(id string) orb.Point {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.pos[id]
}

// near reports whether a position seen by a client is p: positions items
// are rounded to 1e-7°, snapshot and delta features are exact.
func near(got, p orb.Point) bool {
	return math.Abs(got[0]-p[0]) <= 0.5e-7 && math.Abs(got[1]-p[1]) <= 0.5e-7
}

// TestStuckClient publishes a large volume while one client never reads
// and another keeps up. Publish never waits; the stuck client's queue
// stays within QueueFrames, its frames are dropped and a resync is
// marked, and the write deadline disconnects it; the normal client ends
// with every entity's latest position.
func TestStuckClient(t *testing.T) {
	people, rounds := 10_000, 20 // 200k moves
	if testing.Short() || raceEnabled {
		people, rounds = 2_000, 12 // the race detector makes each move ~10× dearer
	}
	p := newPlant(t)
	rng := rand.New(rand.NewPCG(1, 2))
	// Open ground north of the areas: moves only, no area changes.
	spot := func() orb.Point { return orb.Point{121.0 + rng.Float64()*0.003, 31.002 + rng.Float64()*0.001} }
	p.addPeople(t, people, func(int) orb.Point { return spot() })

	th := startHub(t, p, Options{WriteTimeout: 10 * time.Second}, false)
	stuck := th.dial(t, dialOpts{noCompress: true, recvBufSize: tinyRecv})
	send(t, stuck, `{"type":"subscribe","layers":["people"]}`) // and never read again
	normal := th.dial(t, dialOpts{})
	send(t, normal, `{"type":"subscribe","layers":["people"]}`)
	tr := track(t, normal, 0)

	final := make(map[string]orb.Point, people)
	sentinel := personID(people - 1)
	for range rounds {
		changes := make([]twin.Change, 0, 10)
		for i := range people {
			pt := spot()
			final[personID(i)] = pt
			changes = append(changes, p.moveChange(personID(i), pt))
			if len(changes) == cap(changes) {
				p.apply(t, changes...)
				changes = changes[:0]
			}
		}
		// Wait until this round is flushed to the normal client, so the
		// stuck client is offered at least one frame per round.
		want := final[sentinel]
		eventually(t, "round delivered", func() bool { return near(tr.at(sentinel), want) })
	}

	for _, c := range th.clientList() {
		live, alarms, high := c.queueLens()
		if high > th.opts.QueueFrames || live > th.opts.QueueFrames || alarms != 0 {
			t.Errorf("client queue: live %d (high %d) alarms %d, want ≤ %d", live, high, alarms, th.opts.QueueFrames)
		}
	}
	if got := th.metric(t, "chemtwin_ws_dropped_frames_total", "reason", dropQueueFull); got == 0 {
		t.Error("no frames dropped for the stuck client")
	}
	if got := th.metric(t, "chemtwin_ws_resyncs_total"); got == 0 {
		t.Error("stuck client never marked for resync")
	}
	eventually(t, "stuck client dropped by the write deadline", func() bool { return th.Clients() == 1 })
	if got := th.metric(t, "chemtwin_ws_disconnects_total", "reason", byeWriteTimeout); got != 1 {
		t.Errorf("disconnects{write_timeout} %v, want 1", got)
	}
	eventually(t, "normal client has every latest position", func() bool {
		for id, pt := range final {
			if !near(tr.at(id), pt) {
				return false
			}
		}
		return true
	})
	t.Logf("%d moves; slowest Publish %v; normal client frames %v", people*rounds, th.slowestPublish(), tr.frames)
}

// bigAlarm is an alarm with ~1 KB of incompressible details.
func bigAlarm(rng *rand.Rand, i int) alarm.Event {
	pad := make([]byte, 512)
	for j := range pad {
		pad[j] = byte(rng.Uint32())
	}
	a := testAlarm(fmt.Sprintf("a%05d", i))
	a.Details = map[string]any{"pad": hex.EncodeToString(pad)}
	return alarm.Event{Action: alarm.ActionRaised, Alarm: a}
}

// TestSlowClientGetsEveryAlarm: a client that reads slowly through heavy
// live traffic loses live frames (and is resynced) but no alarm.
func TestSlowClientGetsEveryAlarm(t *testing.T) {
	const people, rounds, perRound = 1_000, 30, 10
	p := newPlant(t)
	rng := rand.New(rand.NewPCG(3, 4))
	spot := func() orb.Point { return orb.Point{121.0 + rng.Float64()*0.003, 31.002 + rng.Float64()*0.001} }
	p.addPeople(t, people, func(int) orb.Point { return spot() })
	th := startHub(t, p, Options{WriteTimeout: 30 * time.Second}, false)
	slow := th.dial(t, dialOpts{recvBufSize: tinyRecv})
	subscribe(t, slow, `{"type":"subscribe","layers":["people","alarms"]}`) // alarms from here on
	tr := track(t, slow, 200*time.Microsecond)

	n := 0
	for range rounds {
		changes := make([]twin.Change, 0, people)
		for i := range people {
			changes = append(changes, p.moveChange(personID(i), spot()))
		}
		p.apply(t, changes...)
		for range perRound {
			n++
			th.PublishAlarm(bigAlarm(rng, n))
		}
	}
	eventually(t, "every alarm delivered", func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return len(tr.alarms) >= n || tr.err != nil
	})
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.err != nil {
		t.Fatalf("slow client disconnected: %v", tr.err)
	}
	for i, seq := range tr.alarms {
		if seq != uint64(i+1) {
			t.Fatalf("alarm %d has seq %d: alarms lost or reordered", i, seq)
		}
	}
	t.Logf("slow client frames %v; dropped %v; resyncs %v", tr.frames,
		th.metric(t, "chemtwin_ws_dropped_frames_total", "reason", dropQueueFull), th.metric(t, "chemtwin_ws_resyncs_total"))
}

// TestAlarmOverflowDisconnects: when a client's alarm queue overflows it is
// closed with 1013 instead of losing an alarm.
func TestAlarmOverflowDisconnects(t *testing.T) {
	p := threePeople(t)
	th := startHub(t, p, Options{AlarmQueue: 8, WriteTimeout: 30 * time.Second}, false)
	conn := th.dial(t, dialOpts{noCompress: true, recvBufSize: tinyRecv})
	subscribe(t, conn, `{"type":"subscribe","layers":["alarms"]}`)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 5000 { // ~5 MB: far beyond the kernel buffers
		th.PublishAlarm(bigAlarm(rng, i+1))
	}
	var seqs []uint64
	_ = conn.SetReadDeadline(time.Now().Add(readWait))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
				t.Fatalf("read: %v, want close 1013", err)
			}
			break
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, f.Seq)
	}
	for i, seq := range seqs {
		if seq != uint64(i+1) {
			t.Fatalf("alarm %d has seq %d before the close", i, seq)
		}
	}
	if len(seqs) >= 5000 {
		t.Fatalf("all %d alarms delivered: the queue never overflowed", len(seqs))
	}
	eventually(t, "overflow counted", func() bool {
		return th.metric(t, "chemtwin_ws_disconnects_total", "reason", byeAlarmOverflow) == 1
	})
}

// TestBusyWriterPings: a writer that always has a frame to write still
// pings between frames, so a client that is busy (but reading) keeps
// answering and is not dropped for a missing pong.
func TestBusyWriterPings(t *testing.T) {
	p := newPlant(t)
	rng := rand.New(rand.NewPCG(9, 10))
	spot := func() orb.Point { return orb.Point{121.0 + rng.Float64()*0.003, 31.002 + rng.Float64()*0.001} }
	p.addPeople(t, 200, func(int) orb.Point { return spot() })
	th := startHub(t, p, Options{PingInterval: 500 * time.Millisecond}, true)
	conn := th.dial(t, dialOpts{recvBufSize: tinyRecv})
	var pings atomic.Int32
	conn.SetPingHandler(func(data string) error {
		pings.Add(1)
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`)
	tr := track(t, conn, 2*time.Millisecond)
	deadline := time.Now().Add(30 * time.Second)
	for pings.Load() < 5 { // the hub's queue never runs dry meanwhile
		tr.mu.Lock()
		err := tr.err
		tr.mu.Unlock()
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("%d pings while busy; client: %v", pings.Load(), err)
		}
		changes := make([]twin.Change, 0, 200)
		for i := range 200 {
			changes = append(changes, p.moveChange(personID(i), spot()))
		}
		p.apply(t, changes...)
		th.flush()
	}
}
