package api_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chemtwin/chemtwin/api"
)

func TestHealth(t *testing.T) {
	h := newHarness(t)
	h.clock.Add(90 * 1e9)
	var body map[string]any
	r := h.get("/healthz")
	r.json(t, &body)
	scene, _ := body["scene"].(map[string]any)
	if r.status != 200 || body["status"] != "ok" || body["store"] != "ok" || body["version"] != "test" || body["mqtt"] != "connected" || body["uptime_s"] != 90.0 {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	if scene["site"] != "demo" || scene["entities"].(float64) != 19 || scene["rev"].(float64) != float64(h.scene.Rev()) {
		t.Errorf("scene %v", scene)
	}
	h.store.Close()
	r = h.get("/healthz")
	r.json(t, &body)
	if r.status != http.StatusServiceUnavailable || body["status"] != "degraded" || body["store"] == "ok" {
		t.Fatalf("healthz with a closed store: %d %s", r.status, r.body)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	h := newHarness(t)
	h.get("/ogc/collections/people/items")
	h.get("/ogc/collections/people/items?limit=x")
	h.get("/no/such/thing")
	r := h.get("/metrics")
	text := string(r.body)
	for _, want := range []string{
		`chemtwin_http_requests_total{code="200",route="GET /ogc/collections/{collectionId}/items"} 1`,
		`chemtwin_http_requests_total{code="400",route="GET /ogc/collections/{collectionId}/items"} 1`,
		`chemtwin_http_request_duration_seconds_count{route="GET /ogc/collections/{collectionId}/items"} 2`,
		`chemtwin_api_rejected_total{reason="invalid_limit"} 1`,
		`chemtwin_http_requests_total{code="404",route="GET /"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMounts(t *testing.T) {
	up := websocket.Upgrader{}
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello"}`))
	})
	tiles := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tile "+r.URL.Path) })
	viewer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "viewer "+r.URL.Path) })
	h := newHarness(t, func(o *api.Options) { o.Stream, o.Tiles, o.Viewer = stream, tiles, viewer })

	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.ts.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatalf("websocket through the API: %v", err)
	}
	_, msg, err := ws.ReadMessage()
	ws.Close()
	if err != nil || string(msg) != `{"type":"hello"}` {
		t.Fatalf("ws message %q %v", msg, err)
	}
	if r := h.get("/tiles/plant/1/2/3.mvt"); string(r.body) != "tile /plant/1/2/3.mvt" {
		t.Errorf("tiles got %q", r.body)
	}
	if r := h.get("/app/index.html"); string(r.body) != "viewer /app/index.html" {
		t.Errorf("viewer got %q", r.body)
	}
	if r := h.get("/ogc/collections"); r.status != 200 {
		t.Errorf("viewer shadows /ogc: %d", r.status)
	}
	// The hijacked request is counted when its handler returns, after the
	// client closed: wait for it (a race the test lost once in CI).
	ws101 := func() float64 {
		return h.metric("chemtwin_http_requests_total", map[string]string{"route": "GET /ws", "code": "101"})
	}
	for deadline := time.Now().Add(5 * time.Second); ws101() != 1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if ws101() != 1 {
		t.Errorf("websocket request not counted as 101")
	}

	bare := newHarness(t)
	if r := bare.get("/"); r.status != 200 || !strings.Contains(string(r.body), `href="/ogc"`) {
		t.Errorf("index page: %d %s", r.status, r.body)
	}
	wantError(t, bare.get("/ws"), 404, "not_found")
}

func TestNewOptions(t *testing.T) {
	if _, err := api.New(api.Options{}); !errors.Is(err, api.ErrOptions) {
		t.Errorf("New without scene: %v", err)
	}
	h := newHarness(t)
	if _, err := api.New(api.Options{Scene: h.scene, Store: h.store, TokenTTL: -1}); !errors.Is(err, api.ErrOptions) {
		t.Errorf("negative TTL: %v", err)
	}
	// two servers on one registry collide
	if _, err := api.New(api.Options{Scene: h.scene, Store: h.store, Registerer: h.reg}); err == nil {
		t.Error("duplicate metric registration accepted")
	}
	// defaults: a private registry
	if _, err := api.New(api.Options{Scene: h.scene, Store: h.store}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
