package locate

import "math"

// mat4 is a 4×4 matrix over the state [x, y, vx, vy] (plant metres, m/s).
type mat4 [4][4]float64

// kalman is one motion model's state estimate and covariance.
type kalman struct {
	x [4]float64
	p mat4
}

// Motion models of the filter.
const (
	still = iota // standing: position random walk, zero velocity
	walk         // walking: constant velocity, white-noise acceleration
	numModels
)

// motion tunes the filter's two models.
type motion struct {
	stillQ  float64            // position diffusion at rest, m²/s (sway, a shuffle)
	walkQ   float64            // acceleration spectral density walking, m²/s³
	dwellS  [numModels]float64 // mean time in each model before switching, s
	maxVel2 float64            // velocity variance of a fresh track, (m/s)²
}

// defaultMotion is tuned on the AQ 3064.3 Annex A simulations and on
// continuous walks: a walker's velocity changes by ~0.3 m/s per 2 s report
// (σ, √(q·dt)); walking spells last a minute on average, standing ones
// five (an operator at a pump, a crew at a job). Short spells keep mixing
// each model's noise into the other: with 25 s for both, the Annex A
// gathering test missed 10.4 % of its samples and the headcount test
// raised 6.9 % false; with 300 s and 60 s, 1.8 % and 0.4 %, and the
// dynamic test (a walk with 10 s stops) improves a little (1.61–1.90 →
// 1.48–1.82 m p68): each model's likelihood takes over within a report or
// two of a change.
var defaultMotion = motion{stillQ: 0.005, walkQ: 0.05, dwellS: [numModels]float64{300, 60}, maxVel2: 1.5 * 1.5}

// imm is an interacting-multiple-model filter of the still and walk models.
type imm struct {
	mod [numModels]kalman
	mu  [numModels]float64 // model probabilities
}

// init starts the filter at xy with position covariance cov, at rest.
func (f *imm) init(xy [2]float64, cov sym2, mo motion) {
	var k kalman
	k.x = [4]float64{xy[0], xy[1], 0, 0}
	k.p[0][0], k.p[0][1], k.p[1][0], k.p[1][1] = cov.xx, cov.xy, cov.xy, cov.yy
	f.mod[still] = k
	k.p[2][2], k.p[3][3] = mo.maxVel2, mo.maxVel2
	f.mod[walk] = k
	f.mu = [numModels]float64{0.5, 0.5}
}

// predict mixes the models (the IMM interaction step) and moves each ahead
// by dt seconds.
func (f *imm) predict(dt float64, mo motion) {
	// c[j] = Σ_i p(i→j)·μ_i; w[i][j] = p(i→j)·μ_i / c[j]
	var c [numModels]float64
	var w [numModels][numModels]float64
	for j := range numModels {
		for i := range numModels {
			pij := 1 - math.Exp(-dt/mo.dwellS[i]) // switch probability over dt
			if i == j {
				pij = 1 - pij
			}
			w[i][j] = pij * f.mu[i]
			c[j] += w[i][j]
		}
		for i := range numModels {
			w[i][j] /= c[j]
		}
	}
	// The still model has no velocity of its own: for mixing it borrows the
	// walk model's (augmentation of the smaller state), so that an hour at
	// rest does not drag a walker's velocity to zero at every step.
	f.mod[still].borrowVelocity(&f.mod[walk])
	var mixed [numModels]kalman
	for j := range numModels {
		mixed[j] = f.mix(w[0][j], w[1][j])
	}
	f.mod, f.mu = mixed, c
	f.mod[still].predictStill(dt, mo)
	f.mod[walk].predictWalk(dt, mo)
}

// mix returns the moment-matched combination of the models with weights
// w0, w1.
func (f *imm) mix(w0, w1 float64) kalman {
	a, b := &f.mod[still], &f.mod[walk]
	var k kalman
	for i := range 4 {
		k.x[i] = w0*a.x[i] + w1*b.x[i]
	}
	for i := range 4 {
		da, db := a.x[i]-k.x[i], b.x[i]-k.x[i]
		for j := range 4 {
			k.p[i][j] = w0*(a.p[i][j]+da*(a.x[j]-k.x[j])) + w1*(b.p[i][j]+db*(b.x[j]-k.x[j]))
		}
	}
	return k
}

// borrowVelocity sets k's velocity and its covariance to w's, uncorrelated
// with k's position.
func (k *kalman) borrowVelocity(w *kalman) {
	for i := 2; i < 4; i++ {
		k.x[i] = w.x[i]
		for j := range 4 {
			k.p[i][j], k.p[j][i] = 0, 0
		}
	}
	for i := 2; i < 4; i++ {
		for j := 2; j < 4; j++ {
			k.p[i][j] = w.p[i][j]
		}
	}
}

func (k *kalman) predictStill(dt float64, mo motion) {
	k.x[2], k.x[3] = 0, 0
	for i := range 4 {
		for j := range 4 {
			if i >= 2 || j >= 2 {
				k.p[i][j] = 0
			}
		}
	}
	k.p[0][0] += mo.stillQ * dt
	k.p[1][1] += mo.stillQ * dt
}

func (k *kalman) predictWalk(dt float64, mo motion) {
	k.x[0] += k.x[2] * dt
	k.x[1] += k.x[3] * dt
	// P ← F P Fᵀ with F = [I dt·I; 0 I], per axis pair (a, a+2)
	p := &k.p
	for i := range 4 {
		p[i][0] += dt * p[i][2]
		p[i][1] += dt * p[i][3]
	}
	for j := range 4 {
		p[0][j] += dt * p[2][j]
		p[1][j] += dt * p[3][j]
	}
	q := mo.walkQ
	for a := range 2 {
		p[a][a] += q * dt * dt * dt / 3
		p[a][a+2] += q * dt * dt / 2
		p[a+2][a] += q * dt * dt / 2
		p[a+2][a+2] += q * dt
	}
}

// meas is a position measurement in information form: z with information
// matrix info (the inverse of its covariance; it may be singular, and a
// direction without information is not updated), plus the correction for a
// prior the solve that produced z was regularised with (see lsq.robust):
// the information innovation of a model at x is info·(z − x) + bias.
type meas struct {
	z    [2]float64
	info sym2
	bias [2]float64
}

// innovation returns the information innovation y for a model at x.
func (m meas) innovation(x [4]float64) [2]float64 {
	y := m.info.mul([2]float64{m.z[0] - x[0], m.z[1] - x[1]})
	return [2]float64{y[0] + m.bias[0], y[1] + m.bias[1]}
}

// update folds m into every model and re-weighs the models by their
// likelihoods. It returns the smallest normalised innovation squared over
// the models, before the update.
func (f *imm) update(m meas) float64 {
	var like [numModels]float64
	nis := math.Inf(1)
	for j := range numModels {
		var n float64
		like[j], n = f.mod[j].update(m)
		nis = math.Min(nis, n)
	}
	// model probabilities ∝ μ_j·L_j, with the log-likelihoods shifted for range
	top := math.Max(like[0], like[1])
	var sum float64
	for j := range numModels {
		f.mu[j] *= math.Exp(like[j] - top)
		sum += f.mu[j]
	}
	for j := range numModels {
		f.mu[j] = math.Min(math.Max(f.mu[j]/sum, 1e-4), 1-1e-4)
	}
	return nis
}

// update is one model's Kalman update with H = [I 0] and R = I⁻¹ (I the
// measurement's information) in a form that needs no inverse of I: with y
// the information innovation I·ν, the gain applied to ν is
// P Hᵀ (E + I P_pp)⁻¹ I, so x += P Hᵀ (E + I P_pp)⁻¹ y. It returns the
// log-likelihood of the innovation (up to a constant common to the
// models) and its normalised square νᵀS⁻¹ν = yᵀ(I P_pp I + I)⁻¹y.
func (k *kalman) update(m meas) (logLike, nis float64) {
	i, pp := m.info, sym2{k.p[0][0], k.p[0][1], k.p[1][1]}
	// M = E + I·P_pp (not symmetric)
	a := [2][2]float64{
		{1 + i.xx*pp.xx + i.xy*pp.xy, i.xx*pp.xy + i.xy*pp.yy},
		{i.xy*pp.xx + i.yy*pp.xy, 1 + i.xy*pp.xy + i.yy*pp.yy},
	}
	det := a[0][0]*a[1][1] - a[0][1]*a[1][0]
	if !(det > 1e-12) {
		return 0, 0
	}
	mi := [2][2]float64{{a[1][1] / det, -a[0][1] / det}, {-a[1][0] / det, a[0][0] / det}}
	y := m.innovation(k.x)
	g := [2]float64{mi[0][0]*y[0] + mi[0][1]*y[1], mi[1][0]*y[0] + mi[1][1]*y[1]}
	// G = M⁻¹·I = S⁻¹ (symmetric): the covariance update P −= P Hᵀ G H P
	gi := [2][2]float64{
		{mi[0][0]*i.xx + mi[0][1]*i.xy, mi[0][0]*i.xy + mi[0][1]*i.yy},
		{mi[1][0]*i.xx + mi[1][1]*i.xy, mi[1][0]*i.xy + mi[1][1]*i.yy},
	}
	var kg [4][2]float64
	for r := range 4 {
		k.x[r] += k.p[r][0]*g[0] + k.p[r][1]*g[1]
		kg[r][0] = k.p[r][0]*gi[0][0] + k.p[r][1]*gi[1][0]
		kg[r][1] = k.p[r][0]*gi[0][1] + k.p[r][1]*gi[1][1]
	}
	var np mat4
	for r := range 4 {
		for c := range 4 {
			np[r][c] = k.p[r][c] - kg[r][0]*k.p[0][c] - kg[r][1]*k.p[1][c]
		}
	}
	k.p = np
	k.symmetrise()
	nis = normSq(i, pp, y)
	return -0.5*nis - 0.5*math.Log(det), nis
}

// normSq returns yᵀ(I P I + I)⁻¹y, regularised where I has no information
// (y has none there either).
func normSq(i, p sym2, y [2]float64) float64 {
	ip := [2][2]float64{{i.xx*p.xx + i.xy*p.xy, i.xx*p.xy + i.xy*p.yy}, {i.xy*p.xx + i.yy*p.xy, i.xy*p.xy + i.yy*p.yy}}
	q := sym2{
		xx: ip[0][0]*i.xx + ip[0][1]*i.xy + i.xx + 1e-9,
		xy: ip[0][0]*i.xy + ip[0][1]*i.yy + i.xy,
		yy: ip[1][0]*i.xy + ip[1][1]*i.yy + i.yy + 1e-9,
	}
	qi, ok := q.inv()
	if !ok {
		return 0
	}
	v := qi.mul(y)
	return y[0]*v[0] + y[1]*v[1]
}

// constrain folds in the scalar pseudo-measurement h·s = c with standard
// deviation sigma, h over the state [x, y, vx, vy].
func (k *kalman) constrain(h [4]float64, c, sigma float64) {
	var ph [4]float64
	for i := range 4 {
		for j := range 4 {
			ph[i] += k.p[i][j] * h[j]
		}
	}
	s := sigma * sigma
	var hx float64
	for i := range 4 {
		s += h[i] * ph[i]
		hx += h[i] * k.x[i]
	}
	if !(s > 0) {
		return
	}
	nu := c - hx
	for i := range 4 {
		k.x[i] += ph[i] * nu / s
	}
	for i := range 4 {
		for j := range 4 {
			k.p[i][j] -= ph[i] * ph[j] / s
		}
	}
	k.symmetrise()
}

func (k *kalman) symmetrise() {
	for i := range 4 {
		for j := i + 1; j < 4; j++ {
			v := (k.p[i][j] + k.p[j][i]) / 2
			k.p[i][j], k.p[j][i] = v, v
		}
		k.p[i][i] = math.Max(k.p[i][i], 0)
	}
}

// constrain applies a pseudo-measurement to every model.
func (f *imm) constrain(h [4]float64, c, sigma float64) {
	for j := range numModels {
		f.mod[j].constrain(h, c, sigma)
	}
}

// estimate returns the combined state and its covariance.
func (f *imm) estimate() kalman { return f.mix(f.mu[still], f.mu[walk]) }
