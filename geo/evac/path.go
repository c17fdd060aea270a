package evac

import "fmt"

// Path is a route's geometry.
type Path struct {
	// Points run from the person through the network to the muster
	// point, plant metres; the first and last legs are the straight walks
	// between them and the network.
	Points [][2]float64
	// Levels are the storeys at the points (route.Node.Level).
	Levels []float64
}

// Path builds the geometry of route i (an index of Routes) from the
// search it was read from. It returns an error wrapping ErrNoPath for a
// person without a route.
func (p *Plan) Path(i int) (Path, error) {
	if i < 0 || i >= len(p.Routes) {
		return Path{}, fmt.Errorf("%w: route %d of %d", ErrNoPath, i, len(p.Routes))
	}
	r := &p.Routes[i]
	if !r.Routed() {
		return Path{}, fmt.Errorf("%w: person %q: %s", ErrNoPath, r.PersonID, r.Reason)
	}
	w, m := p.net, &p.Musters[r.Muster]
	var path Path
	add := func(pt [2]float64, lv float64) {
		if n := len(path.Points); n > 0 && path.Points[n-1] == pt && path.Levels[n-1] == lv {
			return
		}
		path.Points, path.Levels = append(path.Points, pt), append(path.Levels, lv)
	}
	node := func(n int32) { add(w.pos[n], w.level[n]) }
	add(r.p, r.level)
	add(r.Snap.Point, r.Snap.Level)
	ks, km := w.edgeK[r.Snap.Edge], w.edgeK[m.Snap.Edge]
	if r.via < 0 { // along the chain to the muster point
		for q := ks; q < km; q++ {
			node(w.bNode(q))
		}
		for q := ks; q > km; q-- {
			node(w.aNode(q))
		}
	} else {
		c := w.edgeC[r.Snap.Edge]
		if r.toB {
			for q := ks; q < w.chOff[c+1]; q++ {
				node(w.bNode(q))
			}
		} else {
			for q := ks; q >= w.chOff[c]; q-- {
				node(w.aNode(q))
			}
		}
		next, j := p.rounds[r.round], r.via
		for steps := 0; next[j] >= 0 && steps < len(next); steps++ {
			c := next[j]
			lo, hi := w.chOff[c], w.chOff[c+1]
			if w.chA[c] == j {
				for q := lo; q < hi; q++ {
					node(w.bNode(q))
				}
				j = w.chB[c]
			} else {
				for q := hi - 1; q >= lo; q-- {
					node(w.aNode(q))
				}
				j = w.chA[c]
			}
		}
		cm := w.edgeC[m.Snap.Edge]
		if next[j] == seedA {
			for q := w.chOff[cm]; q < km; q++ {
				node(w.bNode(q))
			}
		} else {
			for q := w.chOff[cm+1] - 1; q > km; q-- {
				node(w.aNode(q))
			}
		}
	}
	add(m.Snap.Point, m.Snap.Level)
	add(m.p, m.level)
	return path, nil
}
