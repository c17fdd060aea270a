package park

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// received is one POST as the park got it.
type received struct {
	Auth    string
	Env     Envelope
	Records []map[string]any
}

// receiver is a real local park endpoint (TLS, loopback) that stores every
// batch it accepts and answers failWith to the next `fail` requests.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	got      []received
	fail     int
	failWith int
	refuse   string // a table answered with 400
	requests int
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{failWith: http.StatusServiceUnavailable}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var raw struct {
		Envelope
		Records []map[string]any `json:"records"`
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if err := json.Unmarshal(body, &raw); err != nil || req.Method != http.MethodPost {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "park busy", r.failWith)
		return
	}
	if raw.Table == r.refuse {
		http.Error(w, "unknown field", http.StatusBadRequest)
		return
	}
	r.got = append(r.got, received{Auth: req.Header.Get("Authorization"), Env: raw.Envelope, Records: raw.Records})
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) setFail(n, status int) {
	r.mu.Lock()
	r.fail, r.failWith = n, status
	r.mu.Unlock()
}

// take returns and forgets what was received.
func (r *receiver) take() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// records returns the records of table, over all batches, in order.
func records(got []received, table string) []map[string]any {
	var out []map[string]any
	for _, g := range got {
		if g.Env.Table == table {
			out = append(out, g.Records...)
		}
	}
	return out
}

func tables(got []received) []string {
	out := make([]string, len(got))
	for i, g := range got {
		out[i] = g.Env.Table
	}
	return out
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

var t0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) // 08:00:00 in Shanghai

// plant is a small scene: one area, two fences, three people.
func plant(t testing.TB, c *clock) *twin.Scene {
	sc := twin.New(twin.Options{SiteID: "site", Clock: c.now})
	sq := func(x0, y0, d float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x0 + d, y0}, {x0 + d, y0 + d}, {x0, y0 + d}, {x0, y0}}}
	}
	person := func(id, name, typ, tag string) *twin.Entity {
		return &twin.Entity{ID: id, Kind: twin.KindPerson, Name: name, Props: map[string]any{
			"identity_type": typ, "department": "储运部", "post": "操作工", "company": map[string]string{"contractor": "某建设公司"}[typ],
		}, Mobile: &twin.Mobile{Tag: tag, Battery: math.NaN()}}
	}
	res := sc.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "AR-TANK", Kind: twin.KindArea, Name: "罐区", Geometry: sq(106.60, 38.09, 0.01),
			Props: map[string]any{"risk_level": "red"}}},
		twin.Upsert{Entity: &twin.Entity{ID: "FN-DIKE", Kind: twin.KindFence, Parent: "AR-TANK", Name: "防火堤", Geometry: sq(106.601, 38.091, 0.001),
			Props: map[string]any{"rule": "headcount", "max_persons": 4.0, "floor": 2.0}}},
		twin.Upsert{Entity: &twin.Entity{ID: "FN-PTW", Kind: twin.KindFence, Name: "作业区", Geometry: sq(106.605, 38.095, 0.0005),
			Props: map[string]any{"rule": "forbidden", "attached_to": "PTW-1"}}},
		twin.Upsert{Entity: person("P1", "张三", "internal", "T1")},
		twin.Upsert{Entity: person("P2", "李四", "contractor", "T2")},
		twin.Upsert{Entity: person("P3", "王五", "visitor", "T3")},
	)
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return sc
}

func move(t testing.TB, sc *twin.Scene, id string, lon, lat float64, at time.Time) {
	t.Helper()
	if err := sc.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: orb.Point{lon, lat}, Z: 1.5, Floor: 1, At: at}, Battery: math.NaN()}).Err(); err != nil {
		t.Fatal(err)
	}
}

type rig struct {
	u     *Uploader
	recv  *receiver
	scene *twin.Scene
	reg   *prometheus.Registry
	clk   *clock
}

// newRig wires an uploader to a plant scene and a receiver.
func newRig(t testing.TB, mod func(*Options)) *rig {
	c := &clock{t: t0}
	r := &rig{recv: newReceiver(t), scene: plant(t, c), reg: prometheus.NewRegistry(), clk: c}
	o := Options{Endpoint: r.recv.srv.URL + "/api/positioning", Token: "secret", EnterpriseCode: "91640000TEST",
		HTTPClient: r.recv.srv.Client(), Scene: r.scene, Clock: c.now, Registerer: r.reg, RetryMin: time.Millisecond}
	if mod != nil {
		mod(&o)
	}
	u, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.u = u
	r.scene.Observe(u.ObserveScene)
	return r
}

func (r *rig) push(t testing.TB) []received {
	t.Helper()
	if err := r.u.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.recv.take()
}

// counter reads a counter or gauge from the registry (0 when absent).
func counter(t testing.TB, reg *prometheus.Registry, name, table string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := table == ""
			for _, l := range m.GetLabel() {
				match = match || l.GetName() == "table" && l.GetValue() == table
			}
			if match && m.Counter != nil {
				return m.Counter.GetValue()
			}
			if match && m.Gauge != nil {
				return m.Gauge.GetValue()
			}
		}
	}
	return 0
}

// alarms returns a real alarm manager over a SQLite store whose steps go to u.
func alarms(t testing.TB, c *clock, u *Uploader) *alarm.Manager {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "park.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	m, err := alarm.NewManager(ctx, alarm.Options{Store: db, Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(u.ObserveAlarm)
	return m
}
