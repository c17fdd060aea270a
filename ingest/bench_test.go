package ingest

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin"
)

func BenchmarkParsePosition(b *testing.B) {
	env := testEnv(b)
	payload := []byte(`{"lon":106.50012,"lat":38.00034,"z":1.2,"floor":1,"battery":87,"sos":false,"speed":1.3,"ts":"2026-07-01T07:59:59.250Z"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := ParsePosition(payload, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestThroughput publishes b.N positions for 5,000 registered
// tags from four publishers (gateways) through the embedded broker and
// waits until every one is applied to the scene. Publishers keep at most
// benchWindow messages unapplied, so the broker never has to drop.
func BenchmarkIngestThroughput(b *testing.B) {
	const tags, publishers, benchWindow = 5000, 4, 4000
	br := embeddedBroker(b)
	site := randomID("bench")
	scene := testScene(b, site)
	registerTags(b, scene, tags)
	var applied atomic.Int64
	scene.Observe(func(r twin.Result) {
		for _, d := range r.Deltas {
			if d.Op == twin.OpMove {
				applied.Add(1)
			}
		}
	})
	in, err := New(Options{Scene: scene, BrokerURL: br.URL(), Logger: quietLogger(), Clock: func() time.Time { return t0 }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = in.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(waitFor); !in.Connected(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("ingest never connected")
		}
	}
	pubs := make([]paho.Client, publishers)
	for i := range pubs {
		pubs[i] = connectClient(b, br.URL(), randomID("gw-"))
	}
	topics := make([]string, tags)
	for i := range topics {
		topics[i] = Topic{Kind: KindPosition, ID: benchTag(i)}.String(site)
	}
	var published atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var pwg sync.WaitGroup
	for p, c := range pubs {
		pwg.Go(func() {
			for i := p; i < b.N; i += publishers {
				for published.Load()-applied.Load() > benchWindow {
					time.Sleep(50 * time.Microsecond)
				}
				// a fresh buffer each time: paho sends the slice asynchronously
				c.Publish(topics[i%tags], 0, false, benchPayload(make([]byte, 0, 80), i, tags))
				published.Add(1)
			}
		})
	}
	pwg.Wait()
	for deadline := time.Now().Add(time.Minute); applied.Load() < int64(b.N); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			b.Fatalf("applied %d of %d", applied.Load(), b.N)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

func benchTag(i int) string { return "W" + strconv.Itoa(i) }

// benchPayload is the i-th position: tag i%tags in round i/tags, one
// millisecond later each round, on a 100 m circle about the origin.
func benchPayload(buf []byte, i, tags int) []byte {
	a := 2 * math.Pi * float64(i%tags) / float64(tags)
	buf = append(buf, `{"lon":`...)
	buf = strconv.AppendFloat(buf, origin[0]+0.001*math.Cos(a), 'f', 7, 64)
	buf = append(buf, `,"lat":`...)
	buf = strconv.AppendFloat(buf, origin[1]+0.0009*math.Sin(a), 'f', 7, 64)
	buf = append(buf, `,"battery":80,"ts":`...)
	buf = strconv.AppendInt(buf, t0.UnixMilli()+int64(i/tags), 10)
	return append(buf, '}')
}

func registerTags(b *testing.B, s *twin.Scene, n int) {
	changes := make([]twin.Change, n)
	for i := range changes {
		changes[i] = twin.Upsert{Entity: &twin.Entity{ID: "w-" + strconv.Itoa(i), Kind: twin.KindPerson,
			Mobile: &twin.Mobile{Tag: benchTag(i), Battery: math.NaN()}}}
	}
	if err := s.Apply(changes...).Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIngestNoBroker measures ingest's own share of the pipeline: the
// MQTT callback (route, parse, enqueue) and the applier (resolve, Apply) for
// positions of 5,000 registered tags, with no broker and no network.
func BenchmarkIngestNoBroker(b *testing.B) {
	const tags = 5000
	scene := testScene(b, "nb")
	registerTags(b, scene, tags)
	reg := prometheus.NewRegistry()
	in, err := New(Options{Scene: scene, Logger: quietLogger(), Registerer: reg, Clock: func() time.Time { return t0 }})
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]fakeMessage, 0, 4*tags)
	for i := range cap(msgs) {
		msgs = append(msgs, fakeMessage{Topic{Kind: KindPosition, ID: benchTag(i % tags)}.String("nb"), benchPayload(nil, i, tags)})
	}
	done := make(chan struct{})
	go in.applyLoop(done)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		m := msgs[i%len(msgs)]
		if i >= len(msgs) { // later rounds: shift ts so fixes stay in order
			m.payload = benchPayload(nil, i, tags)
		}
		in.onMessage(nil, m)
	}
	in.qmu.Lock()
	in.closed = true
	close(in.queue)
	in.qmu.Unlock()
	<-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	if n := gathered(b, reg, "chemtwin_ingest_messages_total", "kind", "position"); n != float64(b.N) {
		b.Fatalf("applied %v of %d", n, b.N)
	}
}

// fakeMessage is a paho.Message for feeding the callback without a broker.
type fakeMessage struct {
	topic   string
	payload []byte
}

func (fakeMessage) Duplicate() bool   { return false }
func (fakeMessage) Qos() byte         { return 0 }
func (fakeMessage) Retained() bool    { return false }
func (m fakeMessage) Topic() string   { return m.topic }
func (fakeMessage) MessageID() uint16 { return 0 }
func (m fakeMessage) Payload() []byte { return m.payload }
func (fakeMessage) Ack()              {}
