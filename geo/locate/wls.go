package locate

import "math"

// Robust least squares settings.
const (
	huberK    = 1.5  // Huber threshold, in σ: full weight inside, linear beyond
	rejectU   = 3.5  // residuals beyond 3.5σ are outliers (p ≈ 5·10⁻⁴ for good data)
	maxStepM  = 10.0 // longest Gauss–Newton step
	tolM      = 0.01 // convergence: step below 1 cm
	wlsIters  = 8
	minForFit = 3 // rejection never leaves fewer beacons than this
)

// heard is one beacon of a report, prepared for a solve.
type heard struct {
	xy       [2]float64
	z        float64 // mount height above ground
	rssi     float64 // measured, dBm
	rssi1m   float64
	floor    int
	bld      int32   // building index, −1 outdoors
	fh       float64 // the building's storey height (0 outdoors)
	rejected bool
}

// sym2 is a symmetric 2×2 matrix.
type sym2 struct{ xx, xy, yy float64 }

func (a sym2) add(b sym2) sym2 { return sym2{a.xx + b.xx, a.xy + b.xy, a.yy + b.yy} }
func (a sym2) scale(k float64) sym2 {
	return sym2{a.xx * k, a.xy * k, a.yy * k}
}
func (a sym2) det() float64 { return a.xx*a.yy - a.xy*a.xy }
func (a sym2) mul(v [2]float64) [2]float64 {
	return [2]float64{a.xx*v[0] + a.xy*v[1], a.xy*v[0] + a.yy*v[1]}
}

// inv returns the inverse; ok is false for a singular matrix.
func (a sym2) inv() (sym2, bool) {
	d := a.det()
	if !(math.Abs(d) > 1e-300) {
		return sym2{}, false
	}
	return sym2{a.yy / d, -a.xy / d, a.xx / d}, true
}

// fit is the result of a robust least-squares solve.
type fit struct {
	xy   [2]float64
	info sym2    // information of the data about xy (1/m²), prior excluded
	cost float64 // robust data cost Σρ(u), u the residuals in σ
	used int     // beacons not rejected
}

// prior is the regularising guess of a solve: a point and its information.
type prior struct {
	xy   [2]float64
	info sym2
}

// bias returns the correction that removes the prior's pull from a solve
// at p, to first order: the data alone would have moved p by
// I_data⁻¹·I_prior·(p − prior), so the measurement's information
// innovation gains I_prior·(p − prior).
func (pr prior) bias(p [2]float64) [2]float64 {
	return pr.info.mul([2]float64{p[0] - pr.xy[0], p[1] - pr.xy[1]})
}

// lsq holds one report's beacons and the model for a solve at tag height zt.
type lsq struct {
	m   PathLoss
	obs []heard
	zt  float64
	th  float64 // the tag's height above its floor (Options.TagHeightM)
	pr  prior
}

// eval returns the robust cost (data + prior) at p, the normal matrix and
// the gradient of the Gauss–Newton step, and the data cost alone.
func (l *lsq) eval(p [2]float64) (total float64, a sym2, g [2]float64, data float64) {
	s2 := l.m.ShadowingDB * l.m.ShadowingDB
	for i := range l.obs {
		o := &l.obs[i]
		if o.rejected {
			continue
		}
		dx, dy, dz := p[0]-o.xy[0], p[1]-o.xy[1], l.zt-o.z
		d2 := math.Max(dx*dx+dy*dy+dz*dz, minRangeM*minRangeM)
		e := o.rssi - (o.rssi1m - 0.5*l.m.c*math.Log(d2) - l.m.slabLoss(o, l.zt, l.th))
		u := e / l.m.ShadowingDB
		w := 1.0
		if au := math.Abs(u); au > huberK {
			w = huberK / au
			data += huberK*au - huberK*huberK/2
		} else {
			data += u * u / 2
		}
		// J = ∂RSSI/∂p = −c·(p − b)/d²
		jx, jy := -l.m.c*dx/d2, -l.m.c*dy/d2
		w /= s2
		a = a.add(sym2{w * jx * jx, w * jx * jy, w * jy * jy})
		g[0] += w * jx * e
		g[1] += w * jy * e
	}
	dp := [2]float64{l.pr.xy[0] - p[0], l.pr.xy[1] - p[1]}
	pg := l.pr.info.mul(dp)
	total = data + (dp[0]*pg[0]+dp[1]*pg[1])/2
	return total, a, [2]float64{g[0] + pg[0], g[1] + pg[1]}, data
}

// solve runs Gauss–Newton with Huber weights (IRLS) and a backtracking line
// search from start, for at most iters steps.
func (l *lsq) solve(start [2]float64, iters int) [2]float64 {
	p := start
	cost, a, g, _ := l.eval(p)
	for range iters {
		inv, ok := a.add(l.pr.info).inv()
		if !ok {
			break
		}
		step := inv.mul(g)
		if n := math.Hypot(step[0], step[1]); n > maxStepM {
			step = [2]float64{step[0] * maxStepM / n, step[1] * maxStepM / n}
		}
		accepted := false
		for range 4 {
			q := [2]float64{p[0] + step[0], p[1] + step[1]}
			c, qa, qg, _ := l.eval(q)
			if c <= cost+1e-9 {
				p, cost, a, g, accepted = q, c, qa, qg, true
				break
			}
			step = [2]float64{step[0] / 2, step[1] / 2}
		}
		if !accepted || math.Hypot(step[0], step[1]) < tolM {
			break
		}
	}
	return p
}

// robust solves from start, rejects outliers beyond rejectU (keeping at
// least minForFit beacons) and solves again, then measures the data's
// information at the solution. When the first solution leaves outliers it
// may be a local minimum, so a second solve from alt (the beacons'
// centroid) competes with it first.
func (l *lsq) robust(start, alt [2]float64) fit {
	p := l.solve(start, wlsIters)
	if l.worst(p) > rejectU && alt != start {
		if q := l.solve(alt, wlsIters); l.total(q) < l.total(p) {
			p = q
		}
	}
	if l.reject(p) {
		p = l.solve(p, wlsIters/2)
	}
	return l.fitAt(p)
}

func (l *lsq) total(p [2]float64) float64 {
	c, _, _, _ := l.eval(p)
	return c
}

// worst returns the largest residual at p, in σ.
func (l *lsq) worst(p [2]float64) float64 {
	w := 0.0
	for _, o := range l.obs {
		if !o.rejected {
			w = math.Max(w, math.Abs(l.residual(o, p))/l.m.ShadowingDB)
		}
	}
	return w
}

// reject marks the residuals beyond rejectU at p, worst first, while at
// least minForFit beacons remain. It reports whether it marked any.
func (l *lsq) reject(p [2]float64) bool {
	used := 0
	for _, o := range l.obs {
		if !o.rejected {
			used++
		}
	}
	marked := false
	for used > minForFit {
		worst, wu := -1, rejectU
		for i, o := range l.obs {
			if u := math.Abs(l.residual(o, p)) / l.m.ShadowingDB; !o.rejected && u > wu {
				worst, wu = i, u
			}
		}
		if worst < 0 {
			break
		}
		l.obs[worst].rejected, marked = true, true
		used--
	}
	return marked
}

func (l *lsq) residual(o heard, p [2]float64) float64 {
	dx, dy, dz := p[0]-o.xy[0], p[1]-o.xy[1], l.zt-o.z
	d2 := math.Max(dx*dx+dy*dy+dz*dz, minRangeM*minRangeM)
	return o.rssi - (o.rssi1m - 0.5*l.m.c*math.Log(d2) - l.m.slabLoss(&o, l.zt, l.th))
}

// fitAt returns the fit at p: the data cost and information (prior
// excluded).
func (l *lsq) fitAt(p [2]float64) fit {
	pr := l.pr
	l.pr = prior{xy: p}
	_, a, _, data := l.eval(p)
	l.pr = pr
	f := fit{xy: p, info: a, cost: data}
	for _, o := range l.obs {
		if !o.rejected {
			f.used++
		}
	}
	return f
}

// centroid is the weighted centroid of the strongest beacons, weights 1/d̂²
// from the model's ranges: the start of a first solve.
func centroid(hs []heard, m PathLoss) [2]float64 {
	var sw, x, y float64
	for _, h := range hs[:min(len(hs), 4)] {
		r := m.RangeM(h.rssi1m, h.rssi)
		w := 1 / (r*r + 1)
		sw += w
		x += w * h.xy[0]
		y += w * h.xy[1]
	}
	return [2]float64{x / sw, y / sw}
}

// nearest keeps the k beacons of hs nearest to xy at height z (in place;
// hs loses its strongest-first order).
func nearest(hs []heard, xy [2]float64, z float64, k int) []heard {
	if len(hs) <= k {
		return hs
	}
	d2 := func(h *heard) float64 {
		dx, dy, dz := h.xy[0]-xy[0], h.xy[1]-xy[1], h.z-z
		return dx*dx + dy*dy + dz*dz
	}
	var key [maxBeaconsLimit]float64
	for i := range hs {
		key[i] = d2(&hs[i])
	}
	// selection sort of the k nearest: k and len(hs) are small
	for i := range k {
		m := i
		for j := i + 1; j < len(hs); j++ {
			if key[j] < key[m] {
				m = j
			}
		}
		hs[i], hs[m] = hs[m], hs[i]
		key[i], key[m] = key[m], key[i]
	}
	return hs[:k]
}
