package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin"
)

// The test plant: two areas side by side, west and east, 0.001° wide
// (~95 m at 31°N), a strip of open ground north of them, detectors in
// each area and people placed in both.
var (
	t0       = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	westArea = orb.Polygon{{{121.000, 31.000}, {121.001, 31.000}, {121.001, 31.001}, {121.000, 31.001}, {121.000, 31.000}}}
	eastArea = orb.Polygon{{{121.002, 31.000}, {121.003, 31.000}, {121.003, 31.001}, {121.002, 31.001}, {121.002, 31.000}}}
	// westBBox holds the west area and open ground up to 121.0015 E.
	westBBox = []float64{120.9995, 30.9995, 121.0015, 31.0015}
)

// plant holds a scene and the observer-side bookkeeping of a test.
type plant struct {
	scene *twin.Scene
	clock time.Time // measurement time of the next fix
}

func newPlant(t testing.TB) *plant {
	t.Helper()
	p := &plant{scene: twin.New(twin.Options{SiteID: "demo", Clock: func() time.Time { return t0 }}), clock: t0}
	p.apply(t,
		twin.Upsert{Entity: &twin.Entity{ID: "area-w", Kind: twin.KindArea, Name: "West", Geometry: westArea}},
		twin.Upsert{Entity: &twin.Entity{ID: "area-e", Kind: twin.KindArea, Name: "East", Geometry: eastArea}},
		twin.Upsert{Entity: &twin.Entity{ID: "gd-w", Kind: twin.KindGasDetector, Parent: "area-w", Geometry: orb.Point{121.0005, 31.0005}}},
		twin.Upsert{Entity: &twin.Entity{ID: "gd-e", Kind: twin.KindGasDetector, Parent: "area-e", Geometry: orb.Point{121.0025, 31.0005}}},
	)
	return p
}

// apply applies changes and fails the test on any change error.
func (p *plant) apply(t testing.TB, changes ...twin.Change) twin.Result {
	t.Helper()
	r := p.scene.Apply(changes...)
	if err := r.Err(); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return r
}

// addPeople creates n people p0000… with tags and places them at pos(i).
func (p *plant) addPeople(t testing.TB, n int, pos func(i int) orb.Point) {
	t.Helper()
	ups := make([]twin.Change, 0, n)
	moves := make([]twin.Change, 0, n)
	for i := range n {
		id := personID(i)
		ups = append(ups, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Name: id,
			Props: map[string]any{"department": "ops"}, Mobile: &twin.Mobile{Tag: "tag-" + id, Battery: math.NaN()}}})
		moves = append(moves, p.moveChange(id, pos(i)))
	}
	p.apply(t, ups...)
	p.apply(t, moves...)
}

func personID(i int) string { return fmt.Sprintf("p%04d", i) }

// moveChange is a fix for id at pt, one millisecond after the previous one.
func (p *plant) moveChange(id string, pt orb.Point) twin.Move {
	p.clock = p.clock.Add(time.Millisecond)
	return twin.Move{ID: id, Fix: twin.Fix{Point: pt, Z: 1.5, Floor: 0, At: p.clock}, Battery: math.NaN()}
}

func (p *plant) move(t testing.TB, id string, pt orb.Point) twin.Result {
	t.Helper()
	return p.apply(t, p.moveChange(id, pt))
}

// testHub is a hub wired to a plant and served by an httptest server.
type testHub struct {
	*Hub
	plant *plant
	reg   *prometheus.Registry
	srv   *httptest.Server
	stop  context.CancelFunc
	done  chan error

	publishMu  sync.Mutex
	publishMax time.Duration // slowest Publish call seen
}

// publish is the scene observer: Publish, timed for the report.
func (th *testHub) publish(r twin.Result) {
	start := time.Now()
	th.Publish(r)
	d := time.Since(start)
	th.publishMu.Lock()
	th.publishMax = max(th.publishMax, d)
	th.publishMu.Unlock()
}

func (th *testHub) slowestPublish() time.Duration {
	th.publishMu.Lock()
	defer th.publishMu.Unlock()
	return th.publishMax
}

// startHub starts a hub (with Run unless manual) over the plant.
func startHub(t testing.TB, p *plant, opts Options, manual bool) *testHub {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts.Scene, opts.Registerer = p.scene, reg
	h := New(opts)
	th := &testHub{Hub: h, plant: p, reg: reg, srv: httptest.NewServer(h), done: make(chan error, 1)}
	p.scene.Observe(th.publish)
	ctx, cancel := context.WithCancel(context.Background())
	th.stop = cancel
	if !manual {
		go func() { th.done <- h.Run(ctx) }()
	}
	t.Cleanup(func() {
		th.shutdown(t, manual)
		th.srv.Close()
	})
	return th
}

// shutdown cancels Run (starting it when the test flushed by hand) and
// waits for it: every client goroutine has ended when it returns.
func (th *testHub) shutdown(t testing.TB, manual bool) {
	th.stop()
	if manual { // Run with a cancelled context only shuts down
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = th.Run(ctx)
		return
	}
	select {
	case err := <-th.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		th.done <- nil // later calls return at once
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func (th *testHub) url(query string) string {
	u := "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws"
	if query != "" {
		u += "?" + query
	}
	return u
}

// dialOpts tune a test client.
type dialOpts struct {
	query       string
	noCompress  bool
	recvBufSize int // SO_RCVBUF before connecting; 0 = system default
}

func (th *testHub) dial(t testing.TB, o dialOpts) *websocket.Conn {
	t.Helper()
	conn, resp, err := th.tryDial(o)
	if err != nil {
		t.Fatalf("dial: %v (response %v)", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (th *testHub) tryDial(o dialOpts) (*websocket.Conn, *httpResponse, error) {
	nd := &net.Dialer{}
	if o.recvBufSize > 0 {
		nd.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, o.recvBufSize)
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	d := websocket.Dialer{NetDialContext: nd.DialContext, EnableCompression: !o.noCompress, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.Dial(th.url(o.query), nil)
	if resp == nil {
		return conn, nil, err
	}
	return conn, &httpResponse{Status: resp.StatusCode, Extensions: resp.Header.Get("Sec-WebSocket-Extensions")}, err
}

type httpResponse struct {
	Status     int
	Extensions string // negotiated, e.g. permessage-deflate
}

// frame is any server frame, decoded for assertions.
type frame struct {
	Type    string                `json:"type"`
	Seq     uint64                `json:"seq"`
	TS      int64                 `json:"ts"`
	Rev     uint64                `json:"rev"`
	Layers  map[string]collection `json:"layers"`
	Alarms  []map[string]any      `json:"alarms"`
	Upserts []json.RawMessage     `json:"upserts"`
	Removes []struct {
		ID    string `json:"id"`
		Layer string `json:"layer"`
	} `json:"removes"`
	Items   [][]any        `json:"items"`
	Action  string         `json:"action"`
	Alarm   map[string]any `json:"alarm"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
}

type collection struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
}

// ids returns the feature ids of a collection or an upserts list.
func featureIDs(t testing.TB, fs []json.RawMessage) []string {
	t.Helper()
	ids := make([]string, 0, len(fs))
	for _, raw := range fs {
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			t.Fatalf("feature %s: %v", raw, err)
		}
		ids = append(ids, fmt.Sprint(f.ID))
	}
	return ids
}

// item is one decoded positions item.
type item struct {
	id       string
	lon, lat float64
	z        float64
	floor    int
	tsMS     int64
}

func (f *frame) items(t testing.TB) []item {
	t.Helper()
	out := make([]item, 0, len(f.Items))
	for _, it := range f.Items {
		if len(it) != 6 {
			t.Fatalf("item %v: want 6 fields", it)
		}
		id, _ := it[0].(string)
		num := func(i int) float64 { v, _ := it[i].(float64); return v }
		out = append(out, item{id, num(1), num(2), num(3), int(num(4)), int64(num(5))})
	}
	return out
}

const readWait = 20 * time.Second // a hang guard, not a timing assertion

func readFrame(t testing.TB, conn *websocket.Conn) frame {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(readWait))
	typ, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("got message type %d, want text", typ)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

// readUntil reads frames until one satisfies ok and returns it with the
// frames read before it.
func readUntil(t testing.TB, conn *websocket.Conn, ok func(frame) bool) (frame, []frame) {
	t.Helper()
	var seen []frame
	for {
		f := readFrame(t, conn)
		if ok(f) {
			return f, seen
		}
		seen = append(seen, f)
	}
}

func isType(typ string) func(frame) bool { return func(f frame) bool { return f.Type == typ } }

func send(t testing.TB, conn *websocket.Conn, msg string) {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

// subscribe sends a subscribe and returns the snapshot that answers it.
func subscribe(t testing.TB, conn *websocket.Conn, msg string) frame {
	t.Helper()
	send(t, conn, msg)
	snap, _ := readUntil(t, conn, isType(frameSnapshot))
	return snap
}

// metric returns the value of a counter or gauge series (0 if absent).
func (th *testHub) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := th.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue series
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// eventually polls cond until it holds; the deadline only guards a hang.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clientsOf returns the hub's connected clients.
func (th *testHub) clientList() []*client {
	th.mu.RLock()
	defer th.mu.RUnlock()
	cs := make([]*client, 0, len(th.clients))
	for c := range th.clients {
		cs = append(cs, c)
	}
	return cs
}
