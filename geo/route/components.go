package route

import (
	"cmp"
	"math"
	"slices"
)

// Component is one connected part of the network for a mode.
type Component struct {
	Nodes []int // node indices, ascending
	Edges []int // edge indices, ascending
	// Lines are the source line IDs with an edge in the component, sorted.
	Lines   []string
	LengthM float64
	// Min and Max bound the component in plant metres.
	Min, Max [2]float64
}

// Components returns the connected components of the network a mode may
// use, largest (by length) first. Connectivity ignores one-way restrictions
// (weak connectivity): a component says which parts touch at all, which is
// what a drawing check needs. Nodes that no edge of the mode reaches belong
// to no component.
func (g *Graph) Components(mode Mode) []Component {
	labels := g.ComponentLabels(mode)
	index := make(map[int]int) // root label → position in out
	var out []Component
	for i := range g.edges {
		e := &g.edges[i]
		if !e.Allows(mode) {
			continue
		}
		k, ok := index[labels[e.From]]
		if !ok {
			k = len(out)
			index[labels[e.From]] = k
			out = append(out, Component{
				Min: [2]float64{math.Inf(1), math.Inf(1)},
				Max: [2]float64{math.Inf(-1), math.Inf(-1)},
			})
		}
		c := &out[k]
		c.Edges = append(c.Edges, i)
		c.LengthM += e.LengthM
		c.Lines = append(c.Lines, e.Source)
	}
	for n, l := range labels {
		if l < 0 {
			continue
		}
		c := &out[index[l]]
		c.Nodes = append(c.Nodes, n)
		p := g.nodes[n].P
		c.Min = [2]float64{math.Min(c.Min[0], p[0]), math.Min(c.Min[1], p[1])}
		c.Max = [2]float64{math.Max(c.Max[0], p[0]), math.Max(c.Max[1], p[1])}
	}
	for i := range out {
		slices.Sort(out[i].Lines)
		out[i].Lines = slices.Compact(out[i].Lines)
	}
	slices.SortStableFunc(out, func(a, b Component) int {
		if c := cmp.Compare(b.LengthM, a.LengthM); c != 0 {
			return c
		}
		return cmp.Compare(a.Nodes[0], b.Nodes[0])
	})
	return out
}

// ComponentLabels returns, for each node, a label shared by exactly the
// nodes of its component for mode (the smallest node index in it), or -1
// for a node no edge of the mode touches. Two snaps can only be joined by a
// path when their edges' nodes share a label.
func (g *Graph) ComponentLabels(mode Mode) []int {
	parent := make([]int, len(g.nodes))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	used := make([]bool, len(g.nodes))
	for i := range g.edges {
		e := &g.edges[i]
		if !e.Allows(mode) {
			continue
		}
		used[e.From], used[e.To] = true, true
		a, b := find(e.From), find(e.To)
		if a != b {
			parent[max(a, b)] = min(a, b) // the root stays the smallest index
		}
	}
	labels := make([]int, len(g.nodes))
	for n := range labels {
		labels[n] = -1
		if used[n] {
			labels[n] = find(n)
		}
	}
	return labels
}
