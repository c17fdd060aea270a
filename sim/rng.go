package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// newRand returns the random stream of one agent: a PCG seeded with the
// simulation seed and a hash of the agent's key (kind and id). Each agent
// owning its stream keeps its draws independent of every other agent's, so
// that adding a detector does not change how people walk.
func newRand(seed uint64, key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// uniform draws from [a, b).
func uniform(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// logUniform draws from [a, b) with a uniform logarithm: as many dwells of
// 30 s–1 min as of 5–10 min, the long tail of real stays.
func logUniform(r *rand.Rand, a, b float64) float64 {
	return a * math.Exp(math.Log(b/a)*r.Float64())
}

// normal draws from N(0, σ²) clipped to ±3σ, so that a rare draw cannot
// throw a position off the site.
func normal(r *rand.Rand, sigma float64) float64 {
	return sigma * math.Max(-3, math.Min(3, r.NormFloat64()))
}

// ou advances an Ornstein–Uhlenbeck process x (mean 0, stationary standard
// deviation sigma, correlation time tau seconds) by dt seconds: the exact
// discretisation, valid for any dt.
func ou(r *rand.Rand, x, dt, tau, sigma float64) float64 {
	if dt <= 0 {
		return x
	}
	a := math.Exp(-dt / tau)
	return x*a + normal(r, sigma*math.Sqrt(1-a*a))
}

// pick returns an index drawn with the given weights (which need not sum
// to 1), or -1 when they are all zero.
func pick(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return -1
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
