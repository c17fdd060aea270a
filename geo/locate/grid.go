package locate

import "math"

// box is an axis-aligned bounding box in plant metres.
type box struct{ min, max [2]float64 }

func (b box) grow(r float64) box {
	return box{[2]float64{b.min[0] - r, b.min[1] - r}, [2]float64{b.max[0] + r, b.max[1] + r}}
}

func boxOf(pts ...[2]float64) box {
	b := box{pts[0], pts[0]}
	for _, p := range pts[1:] {
		b.min = [2]float64{math.Min(b.min[0], p[0]), math.Min(b.min[1], p[1])}
		b.max = [2]float64{math.Max(b.max[0], p[0]), math.Max(b.max[1], p[1])}
	}
	return b
}

// grid is a uniform grid over item bounding boxes in compressed form: the
// items of cell c are items[start[c]:start[c+1]]. A query visits every cell a
// box touches, so an item can be visited more than once. It is immutable
// after newGrid and safe for concurrent reads.
type grid struct {
	origin [2]float64
	cell   float64
	nx, ny int
	start  []int32
	items  []int32
}

// maxCells bounds a grid's size; a very large scene gets coarser cells.
const maxCells = 1 << 20

func newGrid(boxes []box, cell float64) grid {
	if len(boxes) == 0 {
		return grid{cell: cell, nx: 1, ny: 1, start: []int32{0, 0}}
	}
	all := boxes[0]
	for _, b := range boxes[1:] {
		all = boxOf(all.min, all.max, b.min, b.max)
	}
	w, h := all.max[0]-all.min[0], all.max[1]-all.min[1]
	for (w/cell+1)*(h/cell+1) > maxCells {
		cell *= 2
	}
	g := grid{origin: all.min, cell: cell, nx: int(w/cell) + 1, ny: int(h/cell) + 1}
	count := make([]int32, g.nx*g.ny+1)
	g.each(boxes, func(c int, _ int32) { count[c+1]++ })
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	g.start = count
	g.items = make([]int32, count[len(count)-1])
	fill := append([]int32(nil), count[:len(count)-1]...)
	g.each(boxes, func(c int, i int32) { g.items[fill[c]] = i; fill[c]++ })
	return g
}

func (g *grid) each(boxes []box, fn func(cell int, item int32)) {
	for i, b := range boxes {
		x0, y0, x1, y1 := g.span(b)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				fn(y*g.nx+x, int32(i))
			}
		}
	}
}

// span returns the cell range a box touches, clamped to the grid.
func (g *grid) span(b box) (x0, y0, x1, y1 int) {
	clamp := func(v float64, n int) int {
		i := int(math.Floor(v / g.cell))
		return min(max(i, 0), n-1)
	}
	return clamp(b.min[0]-g.origin[0], g.nx), clamp(b.min[1]-g.origin[1], g.ny),
		clamp(b.max[0]-g.origin[0], g.nx), clamp(b.max[1]-g.origin[1], g.ny)
}

// search calls fn for the items of every cell box b touches, until fn
// returns false. Boxes outside the grid visit its edge cells, which is
// harmless: callers test distances exactly.
func (g *grid) search(b box, fn func(item int32) bool) {
	if !(b.min[0] <= b.max[0] && b.min[1] <= b.max[1]) {
		return // NaN
	}
	x0, y0, x1, y1 := g.span(b)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			c := y*g.nx + x
			for _, it := range g.items[g.start[c]:g.start[c+1]] {
				if !fn(it) {
					return
				}
			}
		}
	}
}
