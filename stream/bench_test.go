package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// benchPlant is a scene of n people spread over the two areas and the
// ground between them, with one Result per person moving it ~1 m.
func benchPlant(b *testing.B, n int) (*plant, []twin.Result) {
	p := newPlant(b)
	rng := rand.New(rand.NewPCG(7, 8))
	spots := make([]orb.Point, n)
	for i := range spots {
		spots[i] = orb.Point{121.0 + rng.Float64()*0.003, 31.0 + rng.Float64()*0.001}
	}
	p.addPeople(b, n, func(i int) orb.Point { return spots[i] })
	rev := p.scene.Rev()
	results := make([]twin.Result, n)
	for i, from := range spots {
		rev++
		to := orb.Point{from[0] + (rng.Float64()-0.5)*2e-5, from[1] + (rng.Float64()-0.5)*2e-5}
		p.clock = p.clock.Add(1)
		results[i] = twin.Result{Rev: rev, Deltas: []twin.Delta{{Op: twin.OpMove, Rev: rev, ID: personID(i), Kind: twin.KindPerson,
			Layer: twin.LayerPeople, Fix: twin.Fix{Point: to, Z: 1.5, At: p.clock}, Prev: from, HadPrev: true}}}
	}
	return p, results
}

// benchGroups returns 10 subscriptions: the people layer in ten strips of
// the plant, or ten layer sets over the whole plant.
func benchGroups(bbox bool) []subscription {
	extra := []string{"vehicles", "gas_detectors", "areas", "alarms", "tanks", "cameras", "permits", "fences", "roads", "beacons"}
	subs := make([]subscription, 10)
	for i := range subs {
		var err error
		if bbox {
			x := 121.0 + float64(i)*0.0003
			subs[i], err = newSubscription([]string{"people"}, []float64{x, 30.999, x + 0.0003, 31.002})
		} else {
			subs[i], err = newSubscription([]string{"people", extra[i]}, nil)
		}
		if err != nil {
			panic(err)
		}
	}
	return subs
}

// BenchmarkFlush: one flush of 5,000 moves to 1,000 clients in 10
// subscription groups. The clients are hub clients without a connection;
// their queues are emptied after each flush, so every frame is offered.
func BenchmarkFlush(b *testing.B) {
	for _, bbox := range []bool{false, true} {
		b.Run(fmt.Sprintf("bbox=%v", bbox), func(b *testing.B) {
			p, results := benchPlant(b, 5000)
			h := New(Options{Scene: p.scene})
			var clients []*client
			for i := range 1000 {
				c := newClient(h, nil, true)
				h.clients[c] = struct{}{}
				h.subscribe(c, benchGroups(bbox)[i%10])
				c.resync = false
				clients = append(clients, c)
			}
			var frames, wire int
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				for i := range results {
					h.Publish(results[i])
				}
				b.StartTimer()
				h.flush()
				b.StopTimer()
				frames, wire = 0, 0
				for _, c := range clients[:10] { // one per group
					for _, f := range c.live {
						frames++
						wire += f.size
					}
				}
				for _, c := range clients {
					c.mu.Lock()
					c.clearLive()
					c.mu.Unlock()
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(frames), "frames/flush")
			b.ReportMetric(float64(wire)/float64(max(frames, 1)), "B/frame")
		})
	}
}

// BenchmarkPublish: one Result with one move, into a batch of 10,000
// entities (steady state: entries are updated in place).
func BenchmarkPublish(b *testing.B) {
	p, results := benchPlant(b, 10_000)
	h := New(Options{Scene: p.scene})
	for i := range results {
		h.Publish(results[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		h.Publish(results[i%len(results)])
	}
}

// BenchmarkSnapshot: a snapshot of 5,000 people and two areas.
func BenchmarkSnapshot(b *testing.B) {
	p, _ := benchPlant(b, 5000)
	h := New(Options{Scene: p.scene})
	sub, _ := newSubscription([]string{"people", "areas"}, nil)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		size = len(h.snapshot(&sub, 0))
	}
	b.ReportMetric(float64(size), "B/snapshot")
}

// BenchmarkFanout is end to end over loopback: 5,000 moves a flush to 200
// compressed websocket clients in 10 groups, until every client has read
// the flush's frame.
func BenchmarkFanout(b *testing.B) {
	const clients = 200
	p, results := benchPlant(b, 5000)
	th := startHub(b, p, Options{}, true)
	subs := benchGroups(false)
	var seen [clients]atomic.Uint64 // highest seq read by each client
	var wg sync.WaitGroup
	for i := range clients {
		conn := th.dial(b, dialOpts{})
		layers := `"` + string(subs[i%10].layers[0]) + `","` + string(subs[i%10].layers[1]) + `"`
		subscribe(b, conn, `{"type":"subscribe","layers":[`+layers+`]}`)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				seen[i].Store(max(seen[i].Load(), headerSeq(data)))
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		for i := range results {
			d := results[i].Deltas[0]
			d.Fix.Point[0] += math.Copysign(1e-6, float64(n%2)-0.5) // a fresh position each round
			th.Publish(twin.Result{Rev: d.Rev, Deltas: []twin.Delta{d}})
		}
		th.flush()
		for i := range clients {
			for seen[i].Load() < uint64(n+1) {
				runtime.Gosched()
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(th.metric(b, "chemtwin_ws_resyncs_total"), "resyncs")
	th.shutdown(b, true)
	wg.Wait()
}

// headerSeq reads seq from a frame's header: {"type":"…","seq":N,….
func headerSeq(data []byte) uint64 {
	i := bytes.Index(data, []byte(`"seq":`))
	if i < 0 {
		return 0
	}
	rest := data[i+6:]
	j := bytes.IndexByte(rest, ',')
	if j < 0 {
		return 0
	}
	n, _ := strconv.ParseUint(string(rest[:j]), 10, 64)
	return n
}

// BenchmarkIdleConn reports the hub's memory per idle subscribed
// connection. The clients are raw TCP sockets that did the handshake by
// hand, so that almost all of the heap growth is the server's.
func BenchmarkIdleConn(b *testing.B) {
	const conns = 500
	p := newPlant(b)
	th := startHub(b, p, Options{}, false)
	addr := strings.TrimPrefix(th.srv.URL, "http://")
	for b.Loop() {
		before := heapInUse()
		var socks []net.Conn
		for range conns {
			socks = append(socks, rawSubscribe(b, addr))
		}
		eventually(b, "clients registered", func() bool { return th.Clients() == conns })
		b.ReportMetric(float64(heapInUse()-before)/conns, "B/conn")
		for _, s := range socks {
			s.Close()
		}
		eventually(b, "clients gone", func() bool { return th.Clients() == 0 })
	}
}

func heapInUse() int64 {
	for range 4 { // idle goroutine stacks shrink by half per cycle
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse) + int64(m.StackInuse)
}

// rawSubscribe opens a websocket by hand and sends a masked subscribe for
// the gas detectors (a small snapshot), then leaves the socket idle.
func rawSubscribe(b *testing.B, addr string) net.Conn {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		b.Fatalf("handshake: %v %v", err, resp)
	}
	msg := []byte(`{"type":"subscribe","layers":["gas_detectors"]}`)
	frame := append([]byte{0x81, 0x80 | byte(len(msg)), 0, 0, 0, 0}, msg...) // zero mask key
	if _, err := conn.Write(frame); err != nil {
		b.Fatal(err)
	}
	return conn
}
