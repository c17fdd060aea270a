package park

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// moved returns an uploader holding one pending position for each of n
// registered people.
func moved(b *testing.B, n int) *Uploader {
	u, err := New(Options{Endpoint: "http://127.0.0.1:9/", EnterpriseCode: "91640000TEST", MaxQueue: 2 * n})
	if err != nil {
		b.Fatal(err)
	}
	ds := make([]twin.Delta, 0, 2*n)
	for i := range n {
		id := fmt.Sprintf("P%05d", i)
		e := &twin.Entity{ID: id, Kind: twin.KindPerson, Name: "人员" + id, Props: map[string]any{"identity_type": "internal"},
			Mobile: &twin.Mobile{Tag: "T" + id, Battery: math.NaN(), AreaID: "AR-1"}}
		fix := twin.Fix{Point: orb.Point{106.6 + float64(i)*1e-6, 38.1}, Z: 1.5, Floor: 1, At: t0.Add(time.Duration(i) * time.Millisecond)}
		ds = append(ds, twin.Delta{Op: twin.OpUpsert, Rev: uint64(2*i + 1), ID: id, Kind: twin.KindPerson, Entity: e},
			twin.Delta{Op: twin.OpMove, Rev: uint64(2*i + 2), ID: id, Kind: twin.KindPerson, Fix: fix})
	}
	u.ObserveScene(twin.Result{Deltas: ds})
	return u
}

// BenchmarkEncodePositions1000 builds and encodes the position batch of one
// push of 1,000 moved people (what Push does before the POST).
func BenchmarkEncodePositions1000(b *testing.B) {
	u := moved(b, 1000)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		u.mu.Lock()
		bt, ok := u.positions()
		u.mu.Unlock()
		if !ok || bt.n != 1000 {
			b.Fatalf("batch of %d", bt.n)
		}
		body, err := u.encode(bt)
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size), "bytes/push")
}

// BenchmarkObserveMove is the cost ObserveScene adds to each fix.
func BenchmarkObserveMove(b *testing.B) {
	u := moved(b, 1000)
	r := twin.Result{Deltas: []twin.Delta{{Op: twin.OpMove, ID: "P00001", Kind: twin.KindPerson, Rev: 1 << 40}}}
	b.ReportAllocs()
	at := t0.Add(time.Hour)
	for b.Loop() {
		at = at.Add(time.Millisecond)
		r.Deltas[0].Fix = twin.Fix{Point: orb.Point{106.6, 38.1}, At: at}
		u.ObserveScene(r)
	}
}
