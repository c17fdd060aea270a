package twin

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// benchScene is a 1 km² plant with nFences square fences (20–60 m) and
// nTags registered people, each with a first fix.
func benchScene(b *testing.B, nTags, nFences int) (fixture, []orb.Point) {
	fx := newFixture(b)
	rng := rand.New(rand.NewPCG(1, 2))
	var ch []Change
	for i := 0; i < nFences; i++ {
		x, y, w := rng.Float64()*900-450, rng.Float64()*900-450, 20+rng.Float64()*40
		poly := fx.frame.ToGeometry(orb.Polygon{{{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}, {x, y}}})
		ch = append(ch, Upsert{&Entity{ID: fmt.Sprintf("F%04d", i), Kind: KindFence, Geometry: poly}})
	}
	for i := 0; i < nTags; i++ {
		ch = append(ch, Upsert{&Entity{ID: fmt.Sprintf("BP%05d", i), Kind: KindPerson, Mobile: &Mobile{Tag: fmt.Sprintf("BT%05d", i), Battery: math.NaN()}}})
	}
	fx.s.Apply(ch...)
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = fx.frame.Point(rng.Float64()*1000-500, rng.Float64()*1000-500)
	}
	for i := 0; i < nTags; i++ {
		fx.s.Apply(Move{Tag: fmt.Sprintf("BT%05d", i), Fix: Fix{Point: pts[i%len(pts)], At: t0}, Battery: math.NaN()})
	}
	return fx, pts
}

// BenchmarkApplyMove is the ingest hot path: one position fix through Apply
// (R-tree update, area lookup, deltas), in batches of 256 as the ingest
// applier sends them.
func BenchmarkApplyMove(b *testing.B) {
	fx, pts := benchScene(b, 10000, 500)
	tags := make([]string, 10000)
	for i := range tags {
		tags[i] = fmt.Sprintf("BT%05d", i)
	}
	batch := make([]Change, 256)
	at := t0
	b.ResetTimer()
	for i := 0; i < b.N; i += len(batch) {
		at = at.Add(time.Second)
		for j := range batch {
			k := i + j
			batch[j] = Move{Tag: tags[k%len(tags)], Fix: Fix{Point: pts[k%len(pts)], At: at}, Battery: math.NaN()}
		}
		fx.s.Apply(batch...)
	}
}

// BenchmarkContaining is "which fences contain this point" over 500 fences
// and 10k indexed people.
func BenchmarkContaining(b *testing.B) {
	fx, pts := benchScene(b, 10000, 500)
	b.ResetTimer()
	fx.s.View(func(tx Tx) {
		for i := 0; i < b.N; i++ {
			tx.Containing(pts[i%len(pts)], func(*Entity) bool { return true })
		}
	})
}

func BenchmarkNearest8(b *testing.B) {
	fx, pts := benchScene(b, 10000, 500)
	b.ResetTimer()
	fx.s.View(func(tx Tx) {
		for i := 0; i < b.N; i++ {
			n := 0
			tx.Nearest(pts[i%len(pts)], func(*Entity, float64) bool { n++; return n < 8 })
		}
	})
}

func BenchmarkSearch50m(b *testing.B) {
	fx, pts := benchScene(b, 10000, 500)
	b.ResetTimer()
	fx.s.View(func(tx Tx) {
		for i := 0; i < b.N; i++ {
			p := pts[i%len(pts)]
			bd := orb.Bound{Min: orb.Point{p[0] - 0.0003, p[1] - 0.0003}, Max: orb.Point{p[0] + 0.0003, p[1] + 0.0003}}
			tx.Search(bd, func(*Entity) bool { return true })
		}
	})
}
