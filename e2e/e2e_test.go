package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// server is a running chemtwin process.
type server struct {
	url, mqtt string
	cmd       *exec.Cmd
	started   time.Duration // from exec to healthy
}

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chemtwin-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "chemtwin")
	build := exec.Command("go", "build", "-o", binary, "../cmd/chemtwin")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build failed:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var urlLine = regexp.MustCompile(`viewer at (http://\S+/) \(mqtt (tcp://\S+)\)`)

// start runs `chemtwin serve` with args on free ports and waits until
// /healthz answers 200.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)
	cmd := exec.Command(binary, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &logTail{t: t}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("chemtwin exited with %v after SIGINT", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("chemtwin did not stop within 20 s of SIGINT")
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if m := urlLine.FindStringSubmatch(lines.Text()); m != nil {
			s.url, s.mqtt = strings.TrimSuffix(m[1], "/"), m[2]
			break
		}
	}
	go io.Copy(io.Discard, out)
	if s.url == "" {
		t.Fatal("chemtwin did not print its URL")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not healthy 30 s after start (last error %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.started = time.Since(begin)
	t.Logf("chemtwin healthy %v after exec (target < 5 s)", s.started.Round(time.Millisecond))
	return s
}

// logTail keeps the process's log for the test output on failure; the
// process's copier writes while the test reads.
type logTail struct {
	t   *testing.T
	mu  sync.Mutex
	buf []byte
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > 64<<10 {
		l.buf = l.buf[len(l.buf)-32<<10:]
	}
	return len(p), nil
}

// String is the tail so far.
func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil && resp.StatusCode == 200 {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode
}

func require(t *testing.T, tool, env string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv(env) == "1" {
			t.Fatalf("%s is required (%s=1) but not installed", tool, env)
		}
		t.Skipf("%s not installed; skipping (set %s=1 to require it)", tool, env)
	}
	return path
}

func TestDemoEndToEnd(t *testing.T) {
	s := start(t, "--demo", "--mqtt-listen", "127.0.0.1:0")

	var health map[string]any
	if code := getJSON(t, s.url+"/healthz", &health); code != 200 || health["status"] != "ok" {
		t.Fatalf("healthz %d %v", code, health)
	}

	t.Run("ogrinfo lists and reads the layers", func(t *testing.T) {
		ogrinfo := require(t, "ogrinfo", "CHEMTWIN_REQUIRE_GDAL")
		out, err := exec.Command(ogrinfo, "-ro", "-q", "OAPIF:"+s.url+"/ogc").CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		for _, layer := range []string{"areas", "buildings", "gas_detectors", "beacons", "cameras", "roads", "muster_points", "fences", "people", "vehicles", "alarms", "permits", "inspection_points", "hazard_sources", "risk_units", "threat_zones", "tanks", "equipment"} {
			if !regexp.MustCompile(`(?m)^\d+: ` + layer + `\b`).Match(out) {
				t.Errorf("ogrinfo does not list %s:\n%s", layer, out)
			}
		}
		out, err = exec.Command(ogrinfo, "-ro", "-al", "-so", "OAPIF:"+s.url+"/ogc", "gas_detectors").CombinedOutput()
		if err != nil || !regexp.MustCompile(`Feature Count: (1[5-9]\d|[2-9]\d\d)`).Match(out) {
			t.Errorf("ogrinfo gas_detectors: %v\n%s", err, out)
		}
	})

	t.Run("mosquitto_pub position shows in people and on /ws", func(t *testing.T) {
		pub := require(t, "mosquitto_pub", "CHEMTWIN_REQUIRE_MOSQUITTO")
		ws := dialWS(t, s.url, []string{"people"})
		host, port := hostPort(t, s.mqtt)
		lon, lat := siteCentre(t, s.url)
		payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"battery":88,"ts":%d}`, lon, lat, time.Now().UnixMilli())
		out, err := exec.Command(pub, "-h", host, "-p", port, "-q", "1", "-t", "chemtwin/demo/tags/E2E-NEW/position", "-m", payload).CombinedOutput()
		if err != nil {
			t.Fatalf("mosquitto_pub: %v\n%s", err, out)
		}
		if !ws.waitFor("tag-E2E-NEW", 10*time.Second) {
			t.Fatal("the new tag never appeared on /ws")
		}
		var f struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		}
		if code := getJSON(t, s.url+"/ogc/collections/people/items/tag-E2E-NEW", &f); code != 200 || f.Properties["tag"] != "E2E-NEW" || f.Properties["unregistered"] != true {
			t.Fatalf("people item: %d %+v", code, f)
		}
	})

	t.Run("simulated plant is alive", func(t *testing.T) {
		var people struct {
			NumberMatched int `json:"numberMatched"`
		}
		deadline := time.Now().Add(15 * time.Second)
		for people.NumberMatched < 100 && time.Now().Before(deadline) {
			getJSON(t, s.url+"/ogc/collections/people/items?limit=1", &people)
			time.Sleep(200 * time.Millisecond)
		}
		if people.NumberMatched < 100 {
			t.Fatalf("only %d people positioned 15 s after start", people.NumberMatched)
		}
	})
}

// siteCentre returns the centre of the site's areas from the OGC collection extent.
func siteCentre(t *testing.T, base string) (lon, lat float64) {
	var c struct {
		Extent struct {
			Spatial struct {
				BBox [][]float64 `json:"bbox"`
			} `json:"spatial"`
		} `json:"extent"`
	}
	getJSON(t, base+"/ogc/collections/areas", &c)
	if len(c.Extent.Spatial.BBox) == 0 || len(c.Extent.Spatial.BBox[0]) < 4 {
		t.Fatalf("areas collection has no extent: %+v", c)
	}
	b := c.Extent.Spatial.BBox[0]
	return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
}

func hostPort(t *testing.T, url string) (string, string) {
	hp := strings.TrimPrefix(url, "tcp://")
	i := strings.LastIndex(hp, ":")
	if i < 0 {
		t.Fatalf("bad mqtt url %q", url)
	}
	return hp[:i], hp[i+1:]
}

// wsClient collects every entity id the stream mentions.
type wsClient struct {
	seen chan string
}

func dialWS(t *testing.T, base string, layers []string) *wsClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); conn.Close() })
	if err := conn.WriteJSON(map[string]any{"type": "subscribe", "layers": layers}); err != nil {
		t.Fatal(err)
	}
	c := &wsClient{seen: make(chan string, 1<<16)}
	go func() {
		for ctx.Err() == nil {
			var m struct {
				Type    string            `json:"type"`
				Items   [][]any           `json:"items"`
				Upserts []json.RawMessage `json:"upserts"`
			}
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			for _, it := range m.Items {
				if id, ok := it[0].(string); ok {
					select {
					case c.seen <- id:
					default:
					}
				}
			}
			for _, u := range m.Upserts {
				var f struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(u, &f) == nil {
					select {
					case c.seen <- f.ID:
					default:
					}
				}
			}
		}
	}()
	return c
}

func (c *wsClient) waitFor(id string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case got := <-c.seen:
			if got == id {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// TestExternalMosquitto runs chemtwin against the machine's mosquitto
// (--mqtt tcp://127.0.0.1:1883) instead of the embedded broker.
func TestExternalMosquitto(t *testing.T) {
	pub := require(t, "mosquitto_pub", "CHEMTWIN_REQUIRE_MOSQUITTO")
	if c, err := net.DialTimeout("tcp", "127.0.0.1:1883", time.Second); err != nil {
		if os.Getenv("CHEMTWIN_REQUIRE_MOSQUITTO") == "1" {
			t.Fatalf("mosquitto required but not reachable: %v", err)
		}
		t.Skipf("no broker on 127.0.0.1:1883: %v", err)
	} else {
		c.Close()
	}
	s := start(t, "--scene", "demo", "--mqtt", "tcp://127.0.0.1:1883")
	if s.mqtt != "tcp://127.0.0.1:1883" {
		t.Fatalf("mqtt = %s", s.mqtt)
	}
	ws := dialWS(t, s.url, []string{"people"})
	lon, lat := siteCentre(t, s.url)
	// T00002 is a registered person of the demo registry.
	payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"sos":false,"ts":%d}`, lon, lat, time.Now().UnixMilli())
	deadline := time.Now().Add(10 * time.Second)
	for {
		// ingest may still be subscribing: publish until the fix shows up
		if out, err := exec.Command(pub, "-h", "127.0.0.1", "-p", "1883", "-q", "1", "-t", "chemtwin/demo/tags/T00002/position", "-m", payload).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_pub: %v\n%s", err, out)
		}
		if ws.waitFor("PS-0002", time.Second) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the fix published to mosquitto never reached /ws")
		}
		payload = fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"sos":false,"ts":%d}`, lon, lat, time.Now().UnixMilli())
	}
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	if code := getJSON(t, s.url+"/api/v1/entities/PS-0002", &f); code != 200 || f.Properties["tag"] != "T00002" || f.Properties["ts"] == nil {
		t.Fatalf("entity: %d %+v", code, f.Properties)
	}
}
