package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gorilla/websocket"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/ingest/broker"
	"github.com/chemtwin/chemtwin/stream"
	"github.com/chemtwin/chemtwin/twin"
)

// IngestOptions size the end-to-end ingest benchmark; zero values are the
// defaults.
type IngestOptions struct {
	Tags     int           // tags publishing; default 5,000
	Rate     int           // positions per second in the first steady phase; default 5,000
	HighRate int           // positions per second in the second steady phase; default 20,000
	Duration time.Duration // each steady phase; default 10 s
	Burst    int           // positions for the closed-loop throughput phase; default 200,000
	Broker   string        // external broker URL; default an embedded one
}

// Phase is one steady-rate phase. Latency runs from the publisher stamping
// a fix (its `ts`) to the websocket client decoding it: MQTT publish →
// broker → ingest (parse, validate, batch) → Scene.Apply → stream hub
// (coalesce, encode) → websocket → client.
type Phase struct {
	Rate           int     `json:"rate_per_s"`
	Published      int     `json:"published"`
	Applied        int     `json:"applied"`
	AppliedPerS    float64 `json:"applied_per_s"`
	Delivered      int     `json:"delivered"` // position items seen by the websocket client
	DeliveredRatio float64 `json:"delivered_ratio"`
	P50Ms          float64 `json:"p50_ms"`
	P99Ms          float64 `json:"p99_ms"`
	MaxMs          float64 `json:"max_ms"`
}

// IngestResult is what `chemtwin bench ingest` prints: the figures at the
// nominal rate on top, both phases in full, and the closed-loop maximum.
type IngestResult struct {
	Tags   int     `json:"tags"`
	Rate   int     `json:"rate_per_s"`
	P50Ms  float64 `json:"p50_ms"` // at Rate
	P99Ms  float64 `json:"p99_ms"` // at Rate
	Phases []Phase `json:"phases"`
	// Closed loop: publish as fast as the pipeline applies (at most Window
	// positions in flight, so the broker never has to drop QoS 0 messages).
	Burst         int     `json:"burst"`
	BurstApplied  int     `json:"burst_applied"`
	BurstRejected int     `json:"burst_rejected"`
	UpdatesPerS   float64 `json:"updates_per_s"` // publish → applied in the twin
	WSItemsPerS   float64 `json:"ws_items_per_s"`
}

// Ingest runs the phases and returns the figures.
func Ingest(ctx context.Context, o IngestOptions) (IngestResult, error) {
	o = o.withDefaults()
	r, err := newRig(ctx, o)
	if err != nil {
		return IngestResult{}, err
	}
	defer r.close()
	res := IngestResult{Tags: o.Tags, Rate: o.Rate, Burst: o.Burst}
	for _, rate := range []int{o.Rate, o.HighRate} {
		ph, err := r.steady(ctx, rate)
		if err != nil {
			return res, err
		}
		res.Phases = append(res.Phases, ph)
	}
	res.P50Ms, res.P99Ms = res.Phases[0].P50Ms, res.Phases[0].P99Ms
	return res, r.closedLoop(ctx, &res)
}

func (o IngestOptions) withDefaults() IngestOptions {
	if o.Tags == 0 {
		o.Tags = 5000
	}
	if o.Rate == 0 {
		o.Rate = 5000
	}
	if o.HighRate == 0 {
		o.HighRate = 20000
	}
	if o.Duration == 0 {
		o.Duration = 10 * time.Second
	}
	if o.Burst == 0 {
		o.Burst = 200000
	}
	return o
}

// rig is the pipeline under test.
type rig struct {
	o      IngestOptions
	frame  *geo.Frame
	scene  *twin.Scene
	reg    *prometheus.Registry
	url    string // broker
	wsURL  string
	pub    mqtt.Client
	ws     *wsReader
	cancel context.CancelFunc
	g      *errgroup.Group
	tag    int // next tag to publish, round robin across phases
	closer []func()
}

func newRig(ctx context.Context, o IngestOptions) (r *rig, err error) {
	r = &rig{o: o, reg: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.frame, err = geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0); err != nil {
		return nil, err
	}
	r.scene = twin.New(twin.Options{SiteID: "bench", Frame: r.frame})
	ch := []twin.Change{twin.Upsert{Entity: &twin.Entity{ID: "A-1", Kind: twin.KindArea,
		Geometry: r.frame.ToGeometry(orb.Polygon{{{-500, -500}, {500, -500}, {500, 500}, {-500, 500}, {-500, -500}}})}}}
	for i := 0; i < o.Tags; i++ {
		ch = append(ch, twin.Upsert{Entity: &twin.Entity{ID: fmt.Sprintf("P%05d", i), Kind: twin.KindPerson,
			Mobile: &twin.Mobile{Tag: fmt.Sprintf("B%05d", i), Battery: math.NaN()}}})
	}
	if err := r.scene.Apply(ch...).Err(); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	r.url = o.Broker
	if r.url == "" {
		b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: quiet})
		if err != nil {
			return nil, err
		}
		r.closer = append(r.closer, func() { b.Close() })
		r.url = b.URL()
	}
	in, err := ingest.New(ingest.Options{Scene: r.scene, SiteID: "bench", BrokerURL: r.url, Logger: quiet, Registerer: r.reg})
	if err != nil {
		return nil, err
	}
	hub := stream.New(stream.Options{Scene: r.scene, Logger: quiet})
	r.scene.Observe(hub.Publish)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: hub, ReadHeaderTimeout: 5 * time.Second}
	r.wsURL = "ws://" + ln.Addr().String() + "/ws"
	gctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	r.g, gctx = errgroup.WithContext(gctx)
	r.g.Go(func() error { return in.Run(gctx) })
	r.g.Go(func() error { return hub.Run(gctx) })
	r.g.Go(func() error { srv.Serve(ln); return nil })
	r.g.Go(func() error { <-gctx.Done(); return srv.Close() })
	if err := waitFor(ctx, 10*time.Second, in.Connected); err != nil {
		return nil, fmt.Errorf("ingest did not connect: %w", err)
	}
	if r.ws, err = dialReader(r.wsURL); err != nil {
		return nil, err
	}
	r.pub = mqtt.NewClient(mqtt.NewClientOptions().AddBroker(r.url).SetClientID("chemtwin-bench-pub").SetOrderMatters(false))
	if t := r.pub.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return nil, fmt.Errorf("publisher: %v", t.Error())
	}
	return r, nil
}

func (r *rig) close() {
	if r.pub != nil {
		r.pub.Disconnect(100)
	}
	if r.ws != nil {
		r.ws.conn.Close()
	}
	if r.cancel != nil {
		r.cancel()
		r.g.Wait()
	}
	for i := len(r.closer) - 1; i >= 0; i-- {
		r.closer[i]()
	}
}

func (r *rig) publish(tag int, at time.Time) mqtt.Token {
	p := r.frame.FastPoint(float64(tag%100)*9-450, float64(tag/100%100)*9-450)
	payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"ts":%d}`, p[0], p[1], at.UnixMilli())
	return r.pub.Publish(fmt.Sprintf("chemtwin/bench/tags/B%05d/position", tag), 0, false, payload)
}

// steady publishes at a fixed rate, tags round robin, and reads latencies
// off the websocket client.
func (r *rig) steady(ctx context.Context, rate int) (Phase, error) {
	ph := Phase{Rate: rate}
	r.ws.reset()
	rev0 := r.scene.Rev()
	const tick = 5 * time.Millisecond
	perTick := max(1, rate*int(tick)/int(time.Second))
	start := time.Now()
	next := start
	for time.Since(start) < r.o.Duration && ctx.Err() == nil {
		for i := 0; i < perTick; i++ {
			r.publish(r.tag%r.o.Tags, time.Now())
			r.tag++
		}
		ph.Published += perTick
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
	waitFor(ctx, 5*time.Second, func() bool { return int(r.scene.Rev()-rev0) >= ph.Published })
	ph.Applied = int(r.scene.Rev() - rev0)
	ph.AppliedPerS = float64(ph.Applied) / time.Since(start).Seconds()
	time.Sleep(300 * time.Millisecond) // let the tail reach the client
	lat := r.ws.latencies()
	ph.Delivered = len(lat)
	ph.DeliveredRatio = float64(ph.Delivered) / float64(ph.Published)
	if len(lat) == 0 {
		return ph, errors.New("no positions reached the websocket client")
	}
	slices.Sort(lat)
	ph.P50Ms = lat[len(lat)*50/100]
	ph.P99Ms = lat[len(lat)*99/100]
	ph.MaxMs = lat[len(lat)-1]
	return ph, nil
}

// window bounds the positions in flight in the closed loop: well below the
// broker's per-subscriber queue (mochi drops QoS 0 beyond 8,192 pending).
const window = 4000

// closedLoop publishes Burst positions as fast as the pipeline applies
// them and times publish → applied.
func (r *rig) closedLoop(ctx context.Context, res *IngestResult) error {
	rejected := r.counter("chemtwin_ingest_rejected_total")
	r.ws.reset()
	rev0 := r.scene.Rev()
	applied := func() int { return int(r.scene.Rev() - rev0) }
	start := time.Now()
	for i := 0; i < r.o.Burst && ctx.Err() == nil; i++ {
		if i%500 == 0 {
			for i-applied() > window && ctx.Err() == nil {
				time.Sleep(200 * time.Microsecond)
			}
		}
		r.publish(r.tag%r.o.Tags, time.Now())
		r.tag++
	}
	if err := waitFor(ctx, 30*time.Second, func() bool { return applied() >= r.o.Burst }); err != nil {
		res.BurstApplied = applied()
		return fmt.Errorf("closed loop: %d of %d positions applied: %w", res.BurstApplied, r.o.Burst, err)
	}
	elapsed := time.Since(start)
	res.BurstApplied = applied()
	res.BurstRejected = int(r.counter("chemtwin_ingest_rejected_total") - rejected)
	res.UpdatesPerS = float64(res.BurstApplied) / elapsed.Seconds()
	time.Sleep(200 * time.Millisecond)
	res.WSItemsPerS = float64(r.ws.count()) / elapsed.Seconds()
	return nil
}

// counter sums a counter family across its labels.
func (r *rig) counter(name string) float64 { return counterValue(r.reg, name) }

func waitFor(ctx context.Context, d time.Duration, ok func() bool) error {
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// wsReader subscribes to people and records, per position item, the delay
// from its fix time to now.
type wsReader struct {
	conn  *websocket.Conn
	mu    sync.Mutex
	lat   []float64
	items atomic.Int64
}

func dialReader(url string) (*wsReader, error) {
	w := &wsReader{}
	_, err := dialWS(url, []string{"people"}, func(c *websocket.Conn, snap chan struct{}) { w.conn = c; go w.read(snap) })
	if err != nil {
		return nil, err
	}
	return w, nil
}

// dialWS connects to /ws, subscribes to layers, has start launch the
// reader (which closes snap at the snapshot) and returns once the
// snapshot came.
func dialWS(url string, layers []string, start func(conn *websocket.Conn, snap chan struct{})) (*websocket.Conn, error) {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	if err := conn.WriteJSON(map[string]any{"type": "subscribe", "layers": layers}); err != nil {
		conn.Close()
		return nil, err
	}
	snap := make(chan struct{})
	start(conn, snap)
	select {
	case <-snap:
		return conn, nil
	case <-time.After(10 * time.Second):
		conn.Close()
		return nil, errors.New("no snapshot from /ws")
	}
}

func (w *wsReader) read(snap chan struct{}) {
	var once sync.Once
	for {
		var m struct {
			Type  string   `json:"type"`
			Items [][6]any `json:"items"`
		}
		_, data, err := w.conn.ReadMessage()
		if err != nil {
			return
		}
		now := float64(time.Now().UnixNano()) / 1e6
		if !strings.Contains(string(data[:min(len(data), 40)]), `"positions"`) {
			if strings.Contains(string(data[:min(len(data), 40)]), `"snapshot"`) {
				once.Do(func() { close(snap) })
			}
			continue
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		w.mu.Lock()
		for _, it := range m.Items {
			if ts, ok := it[5].(float64); ok {
				w.lat = append(w.lat, now-ts)
			}
		}
		w.mu.Unlock()
		w.items.Add(int64(len(m.Items)))
	}
}

func (w *wsReader) reset() {
	w.mu.Lock()
	w.lat = w.lat[:0]
	w.mu.Unlock()
	w.items.Store(0)
}

func (w *wsReader) latencies() []float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.lat)
}

func (w *wsReader) count() int { return int(w.items.Load()) }
