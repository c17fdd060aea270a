package gather

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// cell addresses one square of the grid on one floor, packed as floor
// (16 bits), column and row (24 bits each, two's complement): cheap to hash.
type cell uint64

func makeCell(floor int, ix, iy int64) cell {
	return cell(uint64(uint16(floor))<<48 | uint64(ix&0xffffff)<<24 | uint64(iy&0xffffff))
}

type person struct {
	id    string
	p     pt
	floor int
	at    time.Time
	cell  cell
	slot  int      // position in its cell's slice
	group []int32  // G(p), p first, when it has at least min members; else nil
	prev  []string // ids in G(p) (p excluded) at its last computation, sorted: the hysteresis
	dirty bool
	mark  uint32 // selection epoch that assigned this person to a cluster
	live  bool
}

// index is the incremental part: a uniform hash grid with cells of size R
// per floor, and for each person p the group G(p) — p and the people
// within R of p. G(p) depends on the people within R of p alone, so a fix
// invalidates the groups of the people within 2R of the moved person's old
// and new positions (a 5×5 block of cells: a margin, as the grid is
// coarse), never the whole crowd. Groups are recomputed lazily in refresh.
//
// Not safe for concurrent use.
type index struct {
	r     float64
	m     float64 // hysteresis: a member stays until R + m away
	min   int
	ps    []person
	free  []int32
	byID  map[string]int32
	cells map[cell][]int32
	dirty []int32
	hot   map[int32]struct{} // people whose G(p) is big enough
	epoch uint32

	cand []candidate // scratch
	pts  []pt        // scratch
}

type candidate struct {
	i  int32
	d2 float64
}

func newIndex(r, m float64, min int) *index {
	return &index{r: r, m: m, min: min, byID: make(map[string]int32), cells: make(map[cell][]int32), hot: make(map[int32]struct{})}
}

func (x *index) cellOf(p pt, floor int) cell {
	ix, iy := x.grid(p)
	return makeCell(floor, ix, iy)
}

// grid returns the column and row of p. Coordinates are bounded by
// Detector.Update (|x|, |y| ≤ 1,000 km), so with R ≥ 1 m (Config.Validate) they fit 24 bits.
func (x *index) grid(p pt) (ix, iy int64) {
	return int64(math.Floor(p.x / x.r)), int64(math.Floor(p.y / x.r))
}

// set places person id at p on floor (adding it when new).
func (x *index) set(id string, p pt, floor int, at time.Time) {
	i, ok := x.byID[id]
	if ok {
		o := &x.ps[i]
		x.touch(o.p, o.floor)
		if c := x.cellOf(p, floor); c != o.cell {
			x.unlink(i)
			o.cell = c
			x.link(i)
		}
		o.p, o.floor, o.at = p, floor, at
		x.touch(p, floor)
		return
	}
	if n := len(x.free); n > 0 {
		i, x.free = x.free[n-1], x.free[:n-1]
	} else {
		x.ps = append(x.ps, person{})
		i = int32(len(x.ps) - 1)
	}
	x.ps[i] = person{id: id, p: p, floor: floor, at: at, cell: x.cellOf(p, floor), live: true}
	x.byID[id] = i
	x.link(i)
	x.touch(p, floor)
}

// remove drops person id; it reports whether it was there.
func (x *index) remove(id string) bool {
	i, ok := x.byID[id]
	if !ok {
		return false
	}
	o := &x.ps[i]
	x.unlink(i)
	delete(x.byID, id)
	delete(x.hot, i)
	o.live, o.group, o.prev, o.id = false, nil, nil, ""
	x.touch(o.p, o.floor) // after unlinking: the others lose o
	x.free = append(x.free, i)
	return true
}

func (x *index) link(i int32) {
	o := &x.ps[i]
	s := x.cells[o.cell]
	o.slot = len(s)
	x.cells[o.cell] = append(s, i)
}

func (x *index) unlink(i int32) {
	o := &x.ps[i]
	s := x.cells[o.cell]
	last := s[len(s)-1]
	s[o.slot] = last
	x.ps[last].slot = o.slot
	s = s[:len(s)-1]
	if len(s) == 0 {
		delete(x.cells, o.cell)
	} else {
		x.cells[o.cell] = s
	}
}

// near calls fn for every person on floor within 2R of p (p's own person
// included).
func (x *index) near(p pt, floor int, fn func(i int32, d2 float64)) {
	ix, iy := x.grid(p)
	lim := 4*x.r*x.r + eps
	for dy := int64(-2); dy <= 2; dy++ {
		for dx := int64(-2); dx <= 2; dx++ {
			for _, j := range x.cells[makeCell(floor, ix+dx, iy+dy)] {
				q := x.ps[j].p
				if d2 := (q.x-p.x)*(q.x-p.x) + (q.y-p.y)*(q.y-p.y); d2 <= lim {
					fn(j, d2)
				}
			}
		}
	}
}

// touch marks every person within 2R of p on floor for recomputation.
func (x *index) touch(p pt, floor int) {
	x.near(p, floor, func(j int32, _ float64) {
		if o := &x.ps[j]; !o.dirty {
			o.dirty = true
			x.dirty = append(x.dirty, j)
		}
	})
}

// refresh recomputes the groups of the people marked since the last call.
func (x *index) refresh() {
	for _, i := range x.dirty {
		o := &x.ps[i]
		o.dirty = false
		if !o.live {
			continue
		}
		o.group = x.groupOf(i, o.group[:0])
		if o.group != nil {
			x.hot[i] = struct{}{}
		} else {
			delete(x.hot, i)
		}
	}
	x.dirty = x.dirty[:0]
}

// groupOf computes G(p): p and the people within R of p on its floor, in
// a disc of radius R centred on p (REFERENCE.md §2: people within 15 m of
// a point; the points looked at are where people are, so that the test's
// margin is the full distance to the edge: a person at 18 m from the
// centre of a 12 m ring is 3 m outside, not 0.25 m as the minimal
// enclosing circle of the ring and that person would have it). A member
// of the last G(p) stays in it until more than R + m away (hysteresis:
// positioning noise of a few metres must not make a group flicker). It
// returns nil when fewer than min people result.
func (x *index) groupOf(i int32, buf []int32) []int32 {
	o := &x.ps[i]
	x.cand = x.cand[:0]
	r2, rm2 := x.r*x.r+eps, (x.r+x.m)*(x.r+x.m)+eps
	x.near(o.p, o.floor, func(j int32, d2 float64) {
		if j == i || d2 > rm2 {
			return
		}
		if _, was := slices.BinarySearch(o.prev, x.ps[j].id); d2 <= r2 || was {
			x.cand = append(x.cand, candidate{j, d2})
		}
	})
	o.prev = o.prev[:0]
	for _, cd := range x.cand {
		o.prev = append(o.prev, x.ps[cd.i].id)
	}
	slices.Sort(o.prev)
	if len(x.cand)+1 < x.min {
		return nil
	}
	sortCandidates(x.cand, func(j int32) string { return x.ps[j].id })
	g := append(buf, i)
	for _, cd := range x.cand {
		g = append(g, cd.i)
	}
	return g
}

func sortCandidates(c []candidate, id func(int32) string) {
	slices.SortFunc(c, func(a, b candidate) int {
		if a.d2 != b.d2 {
			return cmp.Compare(a.d2, b.d2)
		}
		return strings.Compare(id(a.i), id(b.i))
	})
}

// cluster is one gathering in a snapshot: members sorted by id.
type cluster struct {
	floor   int
	members []string
	disc    circle
}

// clusters selects disjoint gatherings from the groups, greedy from the
// densest: people with the biggest G(p) first (ties by id); each takes
// the members of its group not yet taken, and forms a cluster if at least
// min remain (a subset of a disc still fits the disc). Cost: the hot
// people only, not the crowd.
func (x *index) clusters() []cluster {
	x.refresh()
	order := make([]int32, 0, len(x.hot))
	for i := range x.hot {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool {
		ga, gb := len(x.ps[order[a]].group), len(x.ps[order[b]].group)
		if ga != gb {
			return ga > gb
		}
		return x.ps[order[a]].id < x.ps[order[b]].id
	})
	x.epoch++
	var out []cluster
	var take []int32
	for _, i := range order {
		take = take[:0]
		for _, j := range x.ps[i].group {
			if x.ps[j].mark != x.epoch {
				take = append(take, j)
			}
		}
		if len(take) < x.min {
			continue
		}
		cl := cluster{floor: x.ps[i].floor, members: make([]string, len(take))}
		x.pts = x.pts[:0]
		for k, j := range take {
			x.ps[j].mark = x.epoch
			cl.members[k] = x.ps[j].id
			x.pts = append(x.pts, x.ps[j].p)
		}
		cl.disc = enclosing(x.pts)
		slices.Sort(cl.members)
		out = append(out, cl)
	}
	return out
}

// stale removes the people whose last fix is before cutoff and returns
// their ids.
func (x *index) stale(cutoff time.Time) []string {
	var gone []string
	for id, i := range x.byID {
		if x.ps[i].at.Before(cutoff) {
			gone = append(gone, id)
		}
	}
	for _, id := range gone {
		x.remove(id)
	}
	return gone
}
