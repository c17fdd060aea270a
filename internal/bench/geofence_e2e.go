package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/stream"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/fence"
)

// GeofenceE2EResult are the end-to-end figures of `chemtwin bench
// geofence`: positions published over MQTT to the embedded broker, through
// ingest, the twin, the fence service and the alarm manager (persisting to
// SQLite) to an /ws client.
type GeofenceE2EResult struct {
	// The main workload (the in-process one's tags and fences of every
	// rule, with the default on/off delays), closed loop.
	E2EUpdates     int     `json:"e2e_updates"`
	E2EUpdatesPerS float64 `json:"e2e_updates_per_s"`
	E2EAlarms      int     `json:"e2e_alarm_frames"`
	// The reference workload over MQTT: enter/exit at once (no delays).
	RefE2EUpdates     int     `json:"ref_e2e_updates"`
	RefE2EUpdatesPerS float64 `json:"ref_e2e_updates_per_s"`
	RefE2EAlarms      int     `json:"ref_e2e_alarm_frames"`
	// From the fix that enters a fence (its ts, stamped at publish) to the
	// alarm frame read by the /ws client: the reference workload published
	// at LatencyRate updates/s (the plant's load: 10,000 tags at 0.5 Hz),
	// not flat out, so that the figure is the pipeline's, not a queue's.
	LatencyRate       int     `json:"alarm_latency_rate_per_s"`
	LatencyAlarms     int     `json:"alarm_latency_alarms"`
	AlarmLatencyP50Ms float64 `json:"alarm_latency_p50_ms"`
	AlarmLatencyP99Ms float64 `json:"alarm_latency_p99_ms"`
	AlarmLatencyMaxMs float64 `json:"alarm_latency_max_ms"`
	// The transport's ceiling on this machine: the reference workload's
	// messages from a paho publisher through the embedded broker to a paho
	// subscriber that does nothing with them, with the same window. No
	// end-to-end figure can pass it; the ratio tells how much of the
	// machine the pipeline behind the broker takes.
	MQTTRelayMsgsPerS float64 `json:"mqtt_relay_msgs_per_s"`
}

// e2eWindow bounds the positions in flight (see window in ingest.go).
const e2eWindow = 4000

// GeofenceE2E runs both workloads end to end.
func GeofenceE2E(ctx context.Context, o GeofenceOptions) (GeofenceE2EResult, error) {
	o = o.withDefaults()
	var r GeofenceE2EResult
	f, err := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	if err != nil {
		return r, err
	}
	// Main workload: the in-process world's subjects and fences.
	w := newFenceWorld(f, o)
	var ents []*twin.Entity
	for i, s := range w.subjects {
		p := w.pos[i]
		e := &twin.Entity{ID: s.ID, Kind: s.Kind, Name: s.ID, Mobile: &twin.Mobile{Tag: "T" + s.ID, Battery: math.NaN()},
			Props: map[string]any{"identity_type": s.IdentityType, "department": s.Department, "post": s.Post}}
		if s.Kind == twin.KindVehicle { // anchors of the moving fences start where the world put them
			e.Geometry = f.FastPoint(p[0], p[1])
		}
		ents = append(ents, e)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	main := func(i int, at time.Time) (string, func(ts int64) string) {
		k := i % len(w.subjects)
		fx := w.step(k, 2, at)
		x, y := f.FastLocal(fx.Point)
		return "T" + w.subjects[k].ID, func(ts int64) string {
			return fmt.Sprintf(`{"x":%.2f,"y":%.2f,"floor":%d,"ts":%d}`, x, y, fx.Floor, ts)
		}
	}
	n := min(o.Tags*10, 100000)
	res, err := runFenceE2E(ctx, f, append(ents, w.fences...), fence.Config{}, n, 0, main)
	if err != nil {
		return r, fmt.Errorf("bench: geofence e2e: %w", err)
	}
	r.E2EUpdates, r.E2EUpdatesPerS, r.E2EAlarms = n, res.perS, res.frames

	// Reference workload: RefIDs ids walking among RefFences polygons.
	ents = ents[:0]
	for i := 0; i < o.RefFences; i++ {
		ents = append(ents, refFence(f, rng, i))
	}
	pos := make([]orb.Point, o.RefIDs)
	for i := range pos {
		pos[i] = orb.Point{rng.Float64()*1000 - 500, rng.Float64()*1000 - 500}
		ents = append(ents, &twin.Entity{ID: fmt.Sprintf("id%05d", i), Kind: twin.KindPerson, Mobile: &twin.Mobile{Tag: fmt.Sprintf("R%05d", i), Battery: math.NaN()}})
	}
	ref := func(i int, _ time.Time) (string, func(ts int64) string) {
		k := i % o.RefIDs
		p := &pos[k]
		p[0] = math.Max(-500, math.Min(500, p[0]+rng.NormFloat64()*15))
		p[1] = math.Max(-500, math.Min(500, p[1]+rng.NormFloat64()*15))
		x, y := p[0], p[1]
		return fmt.Sprintf("R%05d", k), func(ts int64) string { return fmt.Sprintf(`{"x":%.2f,"y":%.2f,"ts":%d}`, x, y, ts) }
	}
	n = o.RefIDs * o.RefUpdates
	res, err = runFenceE2E(ctx, f, ents, fence.Config{OnDelay: -1, OffDelay: -1}, n, 0, ref)
	if err != nil {
		return r, fmt.Errorf("bench: geofence reference e2e: %w", err)
	}
	r.RefE2EUpdates, r.RefE2EUpdatesPerS, r.RefE2EAlarms = n, res.perS, res.frames
	// Latency at the plant's rate, on the same workload (a fresh pipeline).
	r.LatencyRate = max(1, int(float64(o.Tags)*o.RateHz))
	res, err = runFenceE2E(ctx, f, ents, fence.Config{OnDelay: -1, OffDelay: -1}, min(n, 4*r.LatencyRate), r.LatencyRate, ref)
	if err != nil {
		return r, fmt.Errorf("bench: geofence latency e2e: %w", err)
	}
	r.LatencyAlarms = len(res.lat)
	if lat := res.lat; len(lat) > 0 {
		slices.Sort(lat)
		r.AlarmLatencyP50Ms, r.AlarmLatencyP99Ms, r.AlarmLatencyMaxMs = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	if r.MQTTRelayMsgsPerS, err = mqttRelay(ctx, o.RefIDs*o.RefUpdates, ref); err != nil {
		return r, fmt.Errorf("bench: mqtt relay: %w", err)
	}
	return r, nil
}

// mqttRelay publishes n messages made by next through the embedded broker
// to a subscriber that only counts them (closed loop, e2eWindow in flight)
// and returns messages per second.
func mqttRelay(ctx context.Context, n int, next func(i int, at time.Time) (tag string, payload func(ts int64) string)) (float64, error) {
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, err
	}
	defer b.Close()
	var got atomic.Int64
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID("chemtwin-bench-relay-sub").SetOrderMatters(false))
	if t := sub.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return 0, fmt.Errorf("subscriber: %v", t.Error())
	}
	defer sub.Disconnect(100)
	if t := sub.Subscribe("chemtwin/bench/tags/+/position", 0, func(mqtt.Client, mqtt.Message) { got.Add(1) }); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return 0, fmt.Errorf("subscribe: %v", t.Error())
	}
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID("chemtwin-bench-relay-pub").SetOrderMatters(false))
	if t := pub.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return 0, fmt.Errorf("publisher: %v", t.Error())
	}
	defer pub.Disconnect(100)
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if i%500 == 0 {
			for int64(i)-got.Load() > e2eWindow && ctx.Err() == nil {
				time.Sleep(200 * time.Microsecond)
			}
		}
		now := time.Now()
		tag, payload := next(i, now)
		pub.Publish("chemtwin/bench/tags/"+tag+"/position", 0, false, payload(now.UnixMilli()))
	}
	if err := waitFor(ctx, 60*time.Second, func() bool { return got.Load() >= int64(n) }); err != nil {
		return 0, fmt.Errorf("%d of %d messages relayed: %w", got.Load(), n, err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// refFence is reference polygon i (as geofenceRef draws them).
func refFence(f *geo.Frame, rng *rand.Rand, i int) *twin.Entity {
	side := 30 + rng.Float64()*70
	x, y := rng.Float64()*(1000-side)-500, rng.Float64()*(1000-side)-500
	nv := 5 + rng.IntN(8)
	ring := make(orb.Ring, 0, nv+1)
	for k := 0; k < nv; k++ {
		s, c := math.Sincos(2 * math.Pi * float64(k) / float64(nv))
		rad := side / 2 * (0.6 + 0.4*rng.Float64())
		ring = append(ring, orb.Point{x + side/2 + rad*c, y + side/2 + rad*s})
	}
	ring = append(ring, ring[0])
	return &twin.Entity{ID: fmt.Sprintf("R%03d", i), Kind: twin.KindFence, Name: fmt.Sprintf("R%03d", i),
		Geometry: f.ToGeometry(orb.Polygon{ring}), Props: map[string]any{"rule": "forbidden"}}
}

type e2eRun struct {
	perS   float64
	lat    []float64 // alarm latencies, ms, of raised fence_intrusion alarms
	frames int       // alarm frames read
}

// runFenceE2E builds the pipeline on ents, publishes n positions made by
// next — in a closed loop, or at rate per second when rate > 0 — and waits
// until the fence service has evaluated them all and the alarm frames have
// drained.
func runFenceE2E(ctx context.Context, f *geo.Frame, ents []*twin.Entity, cfg fence.Config, n, rate int, next func(i int, at time.Time) (tag string, payload func(ts int64) string)) (e2eRun, error) {
	var res e2eRun
	quiet := slog.New(slog.DiscardHandler)
	scene := twin.New(twin.Options{SiteID: "bench", Frame: f})
	ch := []twin.Change{twin.Upsert{Entity: &twin.Entity{ID: "A-1", Kind: twin.KindArea,
		Geometry: f.ToGeometry(orb.Polygon{{{-510, -510}, {510, -510}, {510, 510}, {-510, 510}, {-510, -510}}})}}}
	for _, e := range ents {
		ch = append(ch, twin.Upsert{Entity: e.Clone()})
	}
	if err := scene.Apply(ch...).Err(); err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "chemtwin-bench-geofence")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		return res, err
	}
	defer db.Close()
	reg := prometheus.NewRegistry()
	alarms, err := alarm.NewManager(ctx, alarm.Options{Store: db, Logger: quiet})
	if err != nil {
		return res, err
	}
	fences, err := fence.NewService(fence.ServiceOptions{Scene: scene, Alarms: alarms, Config: cfg, Logger: quiet, Registerer: reg, Queue: 4096})
	if err != nil {
		return res, err
	}
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		return res, err
	}
	defer b.Close()
	in, err := ingest.New(ingest.Options{Scene: scene, SiteID: "bench", BrokerURL: b.URL(), Logger: quiet})
	if err != nil {
		return res, err
	}
	hub := stream.New(stream.Options{Scene: scene, Logger: quiet, ActiveAlarms: alarms.Active, AlarmQueue: 1 << 20})
	scene.Observe(hub.Publish)
	scene.Observe(fences.Observe)
	alarms.Observe(hub.PublishAlarm)
	alarms.Observe(in.EnqueueAlarm) // as the service: alarm events out on chemtwin/{site}/alarms
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: hub, ReadHeaderTimeout: 5 * time.Second}
	gctx, cancel := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(gctx)
	defer func() { cancel(); g.Wait() }()
	g.Go(func() error { return in.Run(gctx) })
	g.Go(func() error { return hub.Run(gctx) })
	g.Go(func() error { return fences.Run(gctx) })
	g.Go(func() error { return alarms.Run(gctx) })
	g.Go(func() error { srv.Serve(ln); return nil })
	g.Go(func() error { <-gctx.Done(); return srv.Close() })
	if err := waitFor(ctx, 10*time.Second, in.Connected); err != nil {
		return res, fmt.Errorf("ingest did not connect: %w", err)
	}
	ar, err := dialAlarms("ws://" + ln.Addr().String() + "/ws")
	if err != nil {
		return res, err
	}
	defer ar.conn.Close()
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID("chemtwin-bench-geofence").SetOrderMatters(false))
	if t := pub.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return res, fmt.Errorf("publisher: %v", t.Error())
	}
	defer pub.Disconnect(100)

	evaluated := func() int { return int(counterValue(reg, "chemtwin_fence_fixes_total")) }
	base := evaluated()
	last := make(map[string]int64, 1024)
	start := time.Now()
	const tick = 5 * time.Millisecond
	perTick := max(1, rate*int(tick)/int(time.Second))
	nextTick := start
	for i := 0; i < n && ctx.Err() == nil; i++ {
		switch {
		case rate > 0 && i%perTick == 0 && i > 0:
			nextTick = nextTick.Add(tick)
			time.Sleep(time.Until(nextTick))
		case rate <= 0 && i%500 == 0:
			for i-(evaluated()-base) > e2eWindow && ctx.Err() == nil {
				time.Sleep(200 * time.Microsecond)
			}
		}
		now := time.Now()
		tag, payload := next(i, now)
		// A tag's fixes must have increasing times (the twin refuses an
		// older or equal one): flat out, a small workload could give one
		// tag two fixes in one millisecond.
		ts := max(now.UnixMilli(), last[tag]+1)
		last[tag] = ts
		pub.Publish("chemtwin/bench/tags/"+tag+"/position", 0, false, payload(ts))
	}
	if err := waitFor(ctx, 60*time.Second, func() bool { return evaluated()-base >= n }); err != nil {
		return res, fmt.Errorf("%d of %d positions evaluated: %w", evaluated()-base, n, err)
	}
	res.perS = float64(n) / time.Since(start).Seconds()
	// Let the last alarm frames arrive: no new frame for 500 ms.
	for last := -1; last != ar.count(); {
		last = ar.count()
		time.Sleep(500 * time.Millisecond)
	}
	res.lat, res.frames = ar.latencies(), ar.count()
	return res, nil
}

// counterValue sums a counter family of reg across its labels.
func counterValue(reg *prometheus.Registry, name string) float64 {
	mfs, _ := reg.Gather()
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// alarmReader reads alarm frames off /ws and times raised fence alarms
// from their entering fix.
type alarmReader struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	lat    []float64
	frames int
}

func dialAlarms(url string) (*alarmReader, error) {
	a := &alarmReader{}
	_, err := dialWS(url, []string{"alarms"}, func(c *websocket.Conn, snap chan struct{}) { a.conn = c; go a.read(snap) })
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (a *alarmReader) read(snap chan struct{}) {
	var once sync.Once
	for {
		var m struct {
			Type   string `json:"type"`
			Action string `json:"action"`
			Alarm  struct {
				Type    string `json:"type"`
				Details struct {
					Position struct {
						At time.Time `json:"at"`
					} `json:"position"`
				} `json:"details"`
			} `json:"alarm"`
		}
		_, data, err := a.conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "snapshot":
			once.Do(func() { close(snap) })
		case "alarm":
			a.mu.Lock()
			a.frames++
			if m.Action == "raised" && m.Alarm.Type == string(alarm.FenceIntrusion) && !m.Alarm.Details.Position.At.IsZero() {
				a.lat = append(a.lat, float64(now.Sub(m.Alarm.Details.Position.At).Microseconds())/1000)
			}
			a.mu.Unlock()
		}
	}
}

func (a *alarmReader) count() int { a.mu.Lock(); defer a.mu.Unlock(); return a.frames }

func (a *alarmReader) latencies() []float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.lat)
}
