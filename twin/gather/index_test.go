package gather

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"
)

// bruteMEC is the minimal enclosing circle by exhaustion: the smallest of
// the circles on every pair and through every triple that holds all points.
func bruteMEC(pts []pt) circle {
	if len(pts) == 1 {
		return circle{pts[0].x, pts[0].y, 0}
	}
	best := circle{r: math.Inf(1)}
	try := func(c circle) {
		if c.r >= best.r {
			return
		}
		for _, p := range pts {
			if math.Hypot(p.x-c.x, p.y-c.y) > c.r+1e-6 {
				return
			}
		}
		best = c
	}
	for i := range pts {
		for j := i + 1; j < len(pts); j++ {
			try(diameter(pts[i], pts[j]))
			for k := j + 1; k < len(pts); k++ {
				try(circumcircle(pts[i], pts[j], pts[k]))
			}
		}
	}
	return best
}

func TestEnclosingMatchesExhaustion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 12; n++ {
		for range 50 {
			pts := make([]pt, n)
			for i := range pts {
				pts[i] = pt{rng.Float64() * 40, rng.Float64() * 40}
			}
			if rng.IntN(4) == 0 && n > 2 { // collinear and duplicate points
				pts[1] = pts[0]
				pts[2] = pt{2*pts[0].x - pts[n-1].x, 2*pts[0].y - pts[n-1].y}
			}
			got, want := enclosing(pts), bruteMEC(pts)
			if math.Abs(got.r-want.r) > 1e-6 {
				t.Fatalf("n=%d: welzl r=%v, exhaustive r=%v (%v)", n, got.r, want.r, pts)
			}
			for _, p := range pts {
				if !got.contains(p) && math.Hypot(p.x-got.x, p.y-got.y) > got.r+1e-6 {
					t.Fatalf("n=%d: %v outside %v", n, p, got)
				}
			}
		}
	}
}

type refPerson struct {
	id    string
	p     pt
	floor int
}

// bruteClusters is the reference: the same definition as index.clusters,
// evaluated from scratch with an all-pairs neighbour scan (O(n²)); prev
// holds each person's previous neighbours (the hysteresis) and is
// replaced by the new ones.
func bruteClusters(ps []refPerson, r, m float64, minN int, prev map[string][]string) [][]string {
	sort.Slice(ps, func(i, j int) bool { return ps[i].id < ps[j].id })
	groups := make([][]int, len(ps))
	next := make(map[string][]string, len(ps))
	defer func() {
		clear(prev)
		maps.Copy(prev, next)
	}()
	for i, p := range ps {
		type cd struct {
			j  int
			d2 float64
		}
		var cands []cd
		for j, q := range ps {
			d2 := (q.p.x-p.p.x)*(q.p.x-p.p.x) + (q.p.y-p.p.y)*(q.p.y-p.p.y)
			was := slices.Contains(prev[p.id], q.id)
			if j != i && q.floor == p.floor && (d2 <= r*r+eps || was && d2 <= (r+m)*(r+m)+eps) {
				cands = append(cands, cd{j, d2})
			}
		}
		sort.Slice(cands, func(a, b int) bool {
			if cands[a].d2 != cands[b].d2 {
				return cands[a].d2 < cands[b].d2
			}
			return ps[cands[a].j].id < ps[cands[b].j].id
		})
		g := []int{i}
		var ids []string
		for _, c := range cands {
			g = append(g, c.j)
			ids = append(ids, ps[c.j].id)
		}
		slices.Sort(ids)
		next[p.id] = ids
		if len(g) >= minN {
			groups[i] = g
		}
	}
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(groups[order[a]]) > len(groups[order[b]]) })
	taken := make([]bool, len(ps))
	var out [][]string
	for _, i := range order {
		var take []int
		for _, j := range groups[i] {
			if !taken[j] {
				take = append(take, j)
			}
		}
		if len(take) < minN {
			continue
		}
		var ids []string
		for _, j := range take {
			taken[j] = true
			ids = append(ids, ps[j].id)
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	return out
}

// TestIndexMatchesBruteForce drives the incremental grid with random
// walks, jumps, floor changes, removals and re-adds, and checks after
// every step that it finds exactly the clusters of the from-scratch O(n²)
// reference, each fitting in a disc of radius R on one floor.
func TestIndexMatchesBruteForce(t *testing.T) {
	const r, m, minN = 15.0, 3.0, 3
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 99))
		x := newIndex(r, m, minN)
		prev := map[string][]string{}
		live := map[string]refPerson{}
		n, side := 120+int(seed)*40, 120.0+float64(seed)*40
		for i := range n {
			p := refPerson{fmt.Sprintf("p%03d", i), pt{rng.Float64() * side, rng.Float64() * side}, rng.IntN(2)}
			live[p.id] = p
			x.set(p.id, p.p, p.floor, t0)
		}
		total := 0
		for step := range 60 {
			for id, p := range live {
				switch k := rng.IntN(20); {
				case k < 8: // walk
					p.p.x += rng.NormFloat64() * 3
					p.p.y += rng.NormFloat64() * 3
				case k == 8: // jump
					p.p = pt{rng.Float64() * side, rng.Float64() * side}
				case k == 9:
					p.floor = 1 - p.floor
				case k == 10:
					delete(live, id)
					delete(prev, id) // a person who comes back starts afresh
					x.remove(id)
					continue
				default:
					continue
				}
				live[id] = p
				x.set(id, p.p, p.floor, t0)
			}
			for i := range 3 { // newcomers, sometimes reusing old ids
				p := refPerson{fmt.Sprintf("p%03d", rng.IntN(n+10)), pt{rng.Float64() * side, rng.Float64() * side}, rng.IntN(2)}
				if _, ok := live[p.id]; !ok || i == 0 {
					live[p.id] = p
					x.set(p.id, p.p, p.floor, t0)
				}
			}
			ref := make([]refPerson, 0, len(live))
			for _, p := range live {
				ref = append(ref, p)
			}
			want := bruteClusters(ref, r, m, minN, prev)
			got := x.clusters()
			gotIDs := make([][]string, len(got))
			for i, c := range got {
				gotIDs[i] = c.members
				if c.disc.r > r+m+eps {
					t.Fatalf("seed %d step %d: cluster %v radius %v", seed, step, c.members, c.disc.r)
				}
				for _, id := range c.members {
					if live[id].floor != c.floor || math.Hypot(live[id].p.x-c.disc.x, live[id].p.y-c.disc.y) > r+m+1e-6 {
						t.Fatalf("seed %d step %d: %s not in the disc/floor of %v", seed, step, id, c.members)
					}
				}
			}
			sortClusters(want)
			sortClusters(gotIDs)
			if !slices.EqualFunc(want, gotIDs, slices.Equal) {
				t.Fatalf("seed %d step %d:\n got %v\nwant %v", seed, step, gotIDs, want)
			}
			total += len(want)
		}
		if total == 0 {
			t.Fatalf("seed %d: the workload formed no clusters; it tests nothing", seed)
		}
	}
}

func sortClusters(c [][]string) {
	sort.Slice(c, func(i, j int) bool { return c[i][0] < c[j][0] })
}

// BenchmarkUpdate moves people in a crowd of 10,000 spread over 1 km²
// (about one person per 100 m²: busier than any plant) and reports fixes
// per second, including one Tick per second of sample time (every 5,000
// fixes at 0.5 Hz), as Service does.
func BenchmarkUpdate(b *testing.B) {
	const n, side = 10000, 1000.0
	d, err := NewDetector(Config{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	pos := make([]Fix, n)
	for i := range pos {
		pos[i] = Fix{PersonID: fmt.Sprintf("p%05d", i), X: rng.Float64() * side, Y: rng.Float64() * side, Floor: rng.IntN(3), At: t0}
		_ = d.Update(pos[i])
	}
	d.Tick(t0)
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	i := 0
	for b.Loop() {
		f := &pos[i%n]
		f.X += rng.NormFloat64()
		f.Y += rng.NormFloat64()
		now = now.Add(200 * time.Microsecond) // 10k tags at 0.5 Hz
		f.At = now
		_ = d.Update(*f)
		if i%5000 == 4999 {
			d.Tick(now)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
}
