package evac

import (
	"math"
	"slices"

	"github.com/chemtwin/chemtwin/geo/route"
)

// edgeGrid buckets the pedestrian edges into square cells for snapping:
// an edge is listed in the cell of every point sampled along it at most
// half a cell apart, so any point of the edge is within a quarter cell of
// a sample, and a query that has read every cell within r of a point has
// seen every edge within r − cell/4 of it. route.Graph.NearestOn answers
// the same question with an unbounded nearest-neighbour walk of the
// R-tree, some 17 µs a query on a 10,000-edge grid; this grid takes about
// 2 µs, so 10,000 people snap in about 20 ms of one core.
type edgeGrid struct {
	min    [2]float64
	cell   float64
	nx, ny int
	start  []int32 // edges of cell i: segs[start[i]:start[i+1]]
	segs   []gridSeg
}

// gridSeg is an edge as listed in a cell: its ends and levels are copied
// there, so that a query reads its cells' entries in sequence.
type gridSeg struct {
	a, b     [2]float64
	lvA, lvB float64
	edge     int32
}

// maxGridCells bounds the grid's size; a network spread wider gets
// coarser cells.
const maxGridCells = 1 << 20

func newEdgeGrid(w *network) *edgeGrid {
	g := &edgeGrid{min: [2]float64{math.Inf(1), math.Inf(1)}}
	hi := [2]float64{math.Inf(-1), math.Inf(-1)}
	var lens []float64
	for e := range w.from {
		if !w.ped[e] {
			continue
		}
		for _, p := range [2][2]float64{w.pos[w.from[e]], w.pos[w.to[e]]} {
			g.min = [2]float64{math.Min(g.min[0], p[0]), math.Min(g.min[1], p[1])}
			hi = [2]float64{math.Max(hi[0], p[0]), math.Max(hi[1], p[1])}
		}
		lens = append(lens, dist(w.pos[w.from[e]], w.pos[w.to[e]]))
	}
	if len(lens) == 0 {
		return g
	}
	// Cells of about twice the median edge, 2–100 m.
	slices.Sort(lens)
	g.cell = math.Max(2, math.Min(100, 2*lens[len(lens)/2]))
	for {
		g.nx = int((hi[0]-g.min[0])/g.cell) + 1
		g.ny = int((hi[1]-g.min[1])/g.cell) + 1
		if g.nx*g.ny <= maxGridCells {
			break
		}
		g.cell *= 2
	}
	count := make([]int32, g.nx*g.ny+1)
	var pairs [][2]int32 // cell, edge
	for e := range w.from {
		if !w.ped[e] {
			continue
		}
		a, b := w.pos[w.from[e]], w.pos[w.to[e]]
		n := int(math.Ceil(2*dist(a, b)/g.cell)) + 1
		last := int32(-1)
		for s := 0; s <= n; s++ {
			c := g.cellOf(lerp(a, b, float64(s)/float64(n)))
			if c != last {
				pairs = append(pairs, [2]int32{c, int32(e)})
				last = c
			}
		}
	}
	slices.SortFunc(pairs, func(x, y [2]int32) int {
		if x[0] != y[0] {
			return int(x[0] - y[0])
		}
		return int(x[1] - y[1])
	})
	pairs = slices.Compact(pairs)
	for _, p := range pairs {
		count[p[0]+1]++
	}
	for i := range g.nx * g.ny {
		count[i+1] += count[i]
	}
	g.start = count
	g.segs = make([]gridSeg, len(pairs))
	for i, p := range pairs {
		f, t := w.from[p[1]], w.to[p[1]]
		g.segs[i] = gridSeg{w.pos[f], w.pos[t], w.level[f], w.level[t], p[1]}
	}
	return g
}

func (g *edgeGrid) cellOf(p [2]float64) int32 {
	i := min(g.nx-1, max(0, int((p[0]-g.min[0])/g.cell)))
	j := min(g.ny-1, max(0, int((p[1]-g.min[1])/g.cell)))
	return int32(j*g.nx + i)
}

// snap returns the nearest point of a pedestrian edge touching floor's
// level within maxM of p, as route.Graph.NearestOn but bounded (ties go to
// the lower edge index). It reads the cells in growing squares, stopping
// once the best edge found is nearer than the square's reach; for a reach
// of more than 64 cells it asks the graph's R-tree instead.
func (w *network) snap(p [2]float64, floor int, maxM float64) (route.Snap, bool) {
	g := w.grid
	if g.nx == 0 {
		return route.Snap{}, false
	}
	maxRing := int(maxM/g.cell) + 2
	if maxRing > 64 { // a long reach over small cells: the R-tree is quicker
		s, ok := w.g.NearestOn(p, floor, route.Pedestrian)
		return s, ok && s.DistM <= maxM
	}
	lv := float64(route.Storey(floor))
	best, bestD2, bestT := int32(-1), math.Inf(1), 0.0
	x, y := p[0]-g.min[0], p[1]-g.min[1]
	visit := func(i, j int) {
		// Skip a cell whose samples are all farther than the best edge
		// plus the quarter cell an edge may come nearer than its samples.
		dx := math.Max(0, math.Max(float64(i)*g.cell-x, x-float64(i+1)*g.cell))
		dy := math.Max(0, math.Max(float64(j)*g.cell-y, y-float64(j+1)*g.cell))
		if reach := math.Hypot(dx, dy) - g.cell/4; reach > 0 && reach*reach > bestD2 {
			return
		}
		c := j*g.nx + i
		segs := g.segs[g.start[c]:g.start[c+1]]
		for k := range segs {
			sg := &segs[k]
			if sg.lvA != lv && sg.lvB != lv {
				continue
			}
			a, b, e := sg.a, sg.b, sg.edge
			u := project(a, b, p)
			q := lerp(a, b, u)
			d2 := (q[0]-p[0])*(q[0]-p[0]) + (q[1]-p[1])*(q[1]-p[1])
			if d2 < bestD2 || d2 == bestD2 && e < best {
				best, bestD2, bestT = e, d2, u
			}
		}
	}
	// Ring r holds the cells at Chebyshev distance r from p's cell (which
	// may lie off the grid). After rings 0…r, an edge not yet seen is
	// listed only in cells outside their square, so its samples lie
	// beyond the square's nearest side from p and the edge itself at most
	// a quarter cell nearer.
	ci := int(math.Floor((p[0] - g.min[0]) / g.cell))
	cj := int(math.Floor((p[1] - g.min[1]) / g.cell))
	for r := 0; r <= maxRing; r++ {
		i0, i1 := max(0, ci-r), min(g.nx-1, ci+r)
		j0, j1 := max(0, cj-r), min(g.ny-1, cj+r)
		for _, j := range [2]int{cj - r, cj + r} {
			if j >= 0 && j < g.ny && i0 <= i1 {
				for i := i0; i <= i1; i++ {
					visit(i, j)
				}
			}
			if r == 0 {
				break
			}
		}
		for _, i := range [2]int{ci - r, ci + r} {
			if r > 0 && i >= 0 && i < g.nx {
				for j := max(j0, cj-r+1); j <= min(j1, cj+r-1); j++ {
					visit(i, j)
				}
			}
		}
		if ci-r <= 0 && ci+r >= g.nx-1 && cj-r <= 0 && cj+r >= g.ny-1 {
			break // the whole grid is read
		}
		reach := math.Min(math.Min(x-float64(ci-r)*g.cell, float64(ci+r+1)*g.cell-x),
			math.Min(y-float64(cj-r)*g.cell, float64(cj+r+1)*g.cell-y)) - g.cell/4
		if reach > 0 && bestD2 <= reach*reach {
			break
		}
	}
	bestD := math.Sqrt(bestD2)
	if best < 0 || bestD > maxM {
		return route.Snap{}, false
	}
	// As route.Graph.At, from the copies here.
	f, t := w.from[best], w.to[best]
	lv0, lv1 := w.level[f], w.level[t]
	return route.Snap{Edge: int(best), T: bestT, Point: lerp(w.pos[f], w.pos[t], bestT),
		Level: lv0 + (lv1-lv0)*bestT, DistM: bestD}, true
}
