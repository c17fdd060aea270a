package evac

import (
	"context"
	"math"
)

// labels are a search's results per junction: the cost of the best way
// from the junction to an open muster point, which one, and the first
// chain of the way (seedA or seedB where the way runs along the muster
// point's own chain). The search runs from the muster points outwards, which is the
// reverse of walking; pedestrians walk every edge both ways at the same
// cost, so the reverse graph is the graph.
type labels struct {
	ins    []int64   // mm inside; math.MaxInt64 when not reached
	w      []float64 // weighted metres
	lenM   []float64 // real metres and walking time
	timeS  []float64
	muster []int32
	next   []int32
	done   []bool // settled
	want   []bool // needed (see search)
	heap   []item
}

// The next chain of a seeded junction says from which end of the muster
// point's chain it was seeded (both ends are one junction on a loop).
const (
	seedA = -1
	seedB = -2
)

type item struct {
	ins int64
	w   float64
	n   int32
}

// seed starts a search: junction node is reached from muster point m at
// cost c.
type seed struct {
	node, muster int32
	c            cost
	fromB        bool // the way runs to the muster point from its chain's B end
}

// reached reports whether junction n has its final label.
func (l *labels) reached(n int32) bool { return l.done[n] }

// cost returns junction n's label.
func (l *labels) cost(n int32) cost { return cost{l.ins[n], l.w[n], l.lenM[n], l.timeS[n]} }

// search runs the multi-source Dijkstra from the seeds over the junction
// graph, leaving out the chains a barrier cuts, by lexicographic cost,
// until every junction of need is settled (all of them when need is nil).
// It fills l, reusing its storage, and returns the next-chain array, which
// the caller keeps.
func (l *labels) search(ctx context.Context, net *network, cs *costs, seeds []seed, need []int32) ([]int32, error) {
	n := len(net.jNode)
	if cap(l.ins) < n {
		l.ins, l.w, l.lenM, l.timeS = make([]int64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		l.muster, l.done = make([]int32, n), make([]bool, n)
	}
	l.ins, l.w, l.lenM, l.timeS = l.ins[:n], l.w[:n], l.lenM[:n], l.timeS[:n]
	l.muster, l.done = l.muster[:n], l.done[:n]
	for i := range l.ins {
		l.ins[i] = math.MaxInt64
	}
	clear(l.done)
	l.next = make([]int32, n)
	l.heap = l.heap[:0]
	for _, s := range seeds {
		side := int32(seedA)
		if s.fromB {
			side = seedB
		}
		l.relax(s.node, s.c, s.muster, side)
	}
	left := -1 // needed junctions not yet settled; -1: all are needed
	if need != nil {
		if cap(l.want) < n {
			l.want = make([]bool, n)
		}
		l.want = l.want[:n]
		left = 0
		for _, v := range need {
			if !l.want[v] {
				l.want[v] = true
				left++
			}
		}
		defer clear(l.want)
	}
	for pops := 0; len(l.heap) > 0 && left != 0; pops++ {
		if pops&4095 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		it := l.pop()
		u := it.n
		if l.done[u] || it.ins != l.ins[u] || it.w != l.w[u] {
			continue // stale
		}
		l.done[u] = true
		if left > 0 && l.want[u] {
			left--
		}
		cu, mu := l.cost(u), l.muster[u]
		lo, hi := net.first[u], net.first[u+1]
		arcs, ains, aw := net.arcs[lo:hi], cs.arcIns[lo:hi], cs.arcW[lo:hi]
		alen, atime := net.arcLen[lo:hi], net.arcTime[lo:hi]
		for k := range arcs {
			if ains[k] < 0 {
				continue // cut
			}
			l.relax(arcs[k].to, cost{cu.ins + ains[k], cu.w + aw[k], cu.lenM + alen[k], cu.timeS + atime[k]}, mu, arcs[k].chain)
		}
	}
	return l.next, nil
}

func (l *labels) relax(n int32, c cost, m, edge int32) {
	if !(c.ins < l.ins[n] || c.ins == l.ins[n] && c.w < l.w[n]) {
		return // (strictly better only, so that even a NaN cannot loop)
	}
	l.ins[n], l.w[n], l.lenM[n], l.timeS[n], l.muster[n], l.next[n] = c.ins, c.w, c.lenM, c.timeS, m, edge
	l.push(item{c.ins, c.w, n})
}

// The heap is 4-ary: shallower than a binary heap, and its four children
// share a cache line or two.

func (l *labels) push(it item) {
	h := append(l.heap, it)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 4
		if !itemLess(h[i], h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	l.heap = h
}

func (l *labels) pop() item {
	h := l.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		m, c := i, 4*i+1
		for k := c; k < c+4 && k < len(h); k++ {
			if itemLess(h[k], h[m]) {
				m = k
			}
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	l.heap = h
	return top
}

// itemLess orders the heap by cost, ties by node, so that equal-cost ways
// resolve the same way every time.
func itemLess(x, y item) bool {
	return x.ins < y.ins || x.ins == y.ins && (x.w < y.w || x.w == y.w && x.n < y.n)
}
