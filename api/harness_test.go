package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// t0 is the fixture's "now"; fixes and readings happen before it.
var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the scene, the alarm engine and the API.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is the API on a real listener over a real scene, SQLite store
// and alarm engine.
type harness struct {
	t      testing.TB
	frame  *geo.Frame
	scene  *twin.Scene
	store  *sqlite.DB
	alarms *alarm.Manager
	clock  *clock
	reg    *prometheus.Registry
	srv    *api.Server
	ts     *httptest.Server
}

// testPassword is every fixture user's password. Its stored hash has the
// lowest bcrypt cost so that logins stay quick under the race detector;
// verification reads the cost from the hash, so the path is the same.
const testPassword = "s3cret-pw"

var testHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// fixtureUsers are one user per role; the operator is bound to person P-001.
var fixtureUsers = []store.User{
	{Username: "admin", Role: "admin", DisplayName: "管理员 Admin"},
	{Username: "manager", Role: "manager", DisplayName: "经理 Manager"},
	{Username: "emergency", Role: "emergency", DisplayName: "应急 Emergency"},
	{Username: "inspector", Role: "inspector", PersonID: "P-002", DisplayName: "巡检 Inspector"},
	{Username: "operator", Role: "operator", PersonID: "P-001", DisplayName: "操作 Operator"},
	{Username: "gone", Role: "admin", Disabled: true},
}

func newHarness(t testing.TB, tweak ...func(*api.Options)) *harness {
	t.Helper()
	ctx := context.Background()
	frame, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, frame: frame, clock: &clock{t: t0.Add(-2 * time.Hour)}, reg: prometheus.NewRegistry()}
	h.scene = twin.New(twin.Options{SiteID: "demo", Frame: frame, Clock: h.clock.Now})
	h.build() // static entities stamped t0-2h, live state later
	h.clock.Add(2 * time.Hour)
	h.store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "chemtwin.db"), sqlite.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.store.Close() })
	for _, u := range fixtureUsers {
		u.PasswordHash, u.CreatedAt = testHash(), t0
		if err := h.store.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	h.alarms, err = alarm.NewManager(ctx, alarm.Options{Store: h.store, Clock: h.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	opts := api.Options{
		Scene: h.scene, Store: h.store, Alarms: h.alarms, Logger: quietLog(),
		Registerer: h.reg, Clock: h.clock.Now, Version: "test",
		Health: func(context.Context) map[string]any { return map[string]any{"mqtt": "connected"} },
	}
	for _, fn := range tweak {
		fn(&opts)
	}
	h.srv, err = api.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.ts = httptest.NewServer(h.srv)
	t.Cleanup(h.ts.Close)
	return h
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// rect is a plant-frame rectangle in metres as a WGS84 polygon.
func (h *harness) rect(x0, y0, x1, y1 float64) orb.Polygon {
	return h.frame.ToGeometry(orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}).(orb.Polygon)
}

// build loads the fixture plant: a site boundary, two areas, two buildings,
// three gas detectors with readings, a tank, a fence, a triangular risk
// unit, a road, five placed
// people, one person without a fix and one vehicle.
func (h *harness) build() {
	f := h.frame
	up := func(e *twin.Entity) twin.Change { return twin.Upsert{Entity: e} }
	res := h.scene.Apply(
		up(&twin.Entity{ID: "demo", Kind: twin.KindSite, Name: "宁东示范厂", Geometry: h.rect(-10, -10, 310, 210)}),
		up(&twin.Entity{ID: "A-west", Kind: twin.KindArea, Name: "甲醇装置区", Geometry: h.rect(0, 0, 100, 100)}),
		up(&twin.Entity{ID: "A-east", Kind: twin.KindArea, Name: "罐区", Geometry: h.rect(200, 0, 300, 100)}),
		up(&twin.Entity{ID: "B-ctrl", Kind: twin.KindBuilding, Parent: "A-west", Name: "中控室", Geometry: h.rect(10, 10, 30, 30), Height: 8}),
		up(&twin.Entity{ID: "B-pump", Kind: twin.KindBuilding, Parent: "A-east", Name: "泵房", Geometry: h.rect(210, 10, 230, 30), Height: 6}),
		up(&twin.Entity{ID: "GD-1", Kind: twin.KindGasDetector, Parent: "A-west", Geometry: f.Point(50, 50), Props: map[string]any{"gas": "methanol"}}),
		up(&twin.Entity{ID: "GD-2", Kind: twin.KindGasDetector, Parent: "A-east", Geometry: f.Point(250, 50), Props: map[string]any{"gas": "H2S"}}),
		up(&twin.Entity{ID: "GD-3", Kind: twin.KindGasDetector, Parent: "B-pump", Geometry: f.Point(220, 20), Props: map[string]any{"gas": "NH3"}}),
		up(&twin.Entity{ID: "TK-1", Kind: twin.KindTank, Parent: "A-east", Geometry: f.Point(270, 70), Height: 15, Props: map[string]any{"radius_m": 8.0}}),
		up(&twin.Entity{ID: "F-1", Kind: twin.KindFence, Parent: "A-east", Geometry: h.rect(240, 40, 290, 90), Props: map[string]any{"rule": "no_entry"}}),
		up(&twin.Entity{ID: "RU-1", Kind: twin.KindRiskUnit, Name: "三角风险区", Geometry: h.frame.ToGeometry(orb.Polygon{{{100, 100}, {200, 100}, {100, 200}, {100, 100}}}), Props: map[string]any{"risk": "orange"}}),
		up(&twin.Entity{ID: "R-1", Kind: twin.KindRoad, Geometry: orb.LineString{f.Point(0, 150), f.Point(300, 150)}}),
		up(&twin.Entity{ID: "V-1", Kind: twin.KindVehicle, Name: "槽车", Mobile: &twin.Mobile{Tag: "VT-1", Battery: math.NaN()}}),
		up(&twin.Entity{ID: "P-nofix", Kind: twin.KindPerson, Name: "未定位", Mobile: &twin.Mobile{Tag: "T-nofix", Battery: math.NaN()}}),
	)
	h.must(res)
	for i, x := range []float64{20, 60, 90, 220, 280} {
		id := fmt.Sprintf("P-%03d", i+1)
		h.must(h.scene.Apply(up(&twin.Entity{ID: id, Kind: twin.KindPerson, Name: "员工" + id, Mobile: &twin.Mobile{Tag: fmt.Sprintf("T-%03d", i+1), Battery: math.NaN()}})))
		h.must(h.scene.Apply(twin.Move{ID: id, Fix: twin.Fix{Point: f.Point(x, 40), At: t0.Add(-time.Duration(10-i) * time.Minute)}, Battery: 80}))
	}
	h.must(h.scene.Apply(twin.Move{ID: "V-1", Fix: twin.Fix{Point: f.Point(150, 150), At: t0.Add(-time.Minute)}, Battery: math.NaN()}))
	for i, st := range []struct {
		id    string
		value float64
		state string
	}{{"GD-1", 3, "normal"}, {"GD-2", 30, "alarm1"}, {"GD-3", 0, "fault"}} {
		h.must(h.scene.Apply(twin.SetState{ID: st.id, At: t0.Add(-time.Duration(30-i) * time.Minute), State: map[string]any{"value": st.value, "unit": "%LEL", "state": st.state}}))
	}
}

func (h *harness) must(res twin.Result) {
	h.t.Helper()
	if err := res.Err(); err != nil {
		h.t.Fatal(err)
	}
}

// raise opens an alarm raised at `at` on entity at plant point (x, y).
func (h *harness) raise(typ alarm.Type, entity string, x, y float64, at time.Time) alarm.Alarm {
	h.t.Helper()
	p := h.frame.Point(x, y)
	a, _, err := h.alarms.Raise(context.Background(), alarm.Raise{
		Type: typ, Level: alarm.LevelMedium, EntityID: entity, AreaID: "A-west", Lon: p[0], Lat: p[1], At: at,
		Message: "测试报警", MessageEn: "test alarm",
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// response is an HTTP answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; body, if not nil and not a string, is sent as JSON.
func (h *harness) do(method, path, token string, body any) response {
	h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = h.ts.URL + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) response {
	h.t.Helper()
	res, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) get(path string) response { return h.do(http.MethodGet, path, "", nil) }

// login returns a token for user.
func (h *harness) login(user string) string {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": user, "password": testPassword})
	if r.status != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	var out struct{ Token string }
	r.json(h.t, &out)
	return out.Token
}

// apiErr is the error body every failure carries.
type apiErr struct {
	Error struct{ Code, Message, ID string }
}

// wantError checks status and the {"error":{code,message,id}} body.
func wantError(t testing.TB, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	var e apiErr
	r.json(t, &e)
	if (code != "" && e.Error.Code != code) || e.Error.Message == "" || len(e.Error.ID) != 16 {
		t.Fatalf("error body %s, want code %q with message and id", r.body, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error content type %q", ct)
	}
}

// metric returns the value of a counter or gauge series, 0 if absent.
func (h *harness) metric(name string, labels map[string]string) float64 {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
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
