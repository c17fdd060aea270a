package scenes

import (
	"fmt"
	"math"
	"slices"
)

// LEC factor values (REFERENCE §10; the Graham–Kinney method as used for
// dual-prevention risk grading): likelihood L, exposure E, consequence C.
var (
	lecL = []float64{10, 6, 3, 1, 0.5, 0.2, 0.1}
	lecE = []float64{10, 6, 3, 2, 1, 0.5}
	lecC = []float64{100, 40, 15, 7, 3, 1}
)

// LECLevel returns the four-colour level of an LEC score D = L·E·C with the
// common bands (REFERENCE §10; edges vary between provinces): D > 320 red,
// 160 ≤ D ≤ 320 orange, 70 ≤ D < 160 yellow, D < 70 blue.
func LECLevel(d float64) string {
	switch {
	case d > 320:
		return "red"
	case d >= 160:
		return "orange"
	case d >= 70:
		return "yellow"
	}
	return "blue"
}

func checkLEC(c checker) {
	lec, ok := c.e.Props["lec"].(map[string]any)
	if !ok {
		return
	}
	product := 1.0
	for _, f := range []struct {
		key    string
		values []float64
	}{{"l", lecL}, {"e", lecE}, {"c", lecC}} {
		v, ok := lec[f.key].(float64)
		if !ok {
			c.add("lec.%s is missing", f.key)
			return
		}
		if !slices.Contains(f.values, v) {
			c.add("lec.%s %v is not one of %v", f.key, v, f.values)
		}
		product *= v
	}
	d, ok := lec["d"].(float64)
	if !ok {
		lec["d"] = product
	} else if math.Abs(d-product) > 1e-6*product {
		c.add("lec.d %v is not l·e·c = %v", d, product)
	}
}

// HazardSubstance is one dangerous substance of a hazard source.
type HazardSubstance struct {
	Substance string
	QT        float64 // q: design maximum quantity, tonnes
	CriticalT float64 // Q: critical quantity, tonnes (GB 18218-2018 Tables 1–2)
	Beta      float64 // β: correction factor (GB 18218-2018 §5.3, Tables 3–4)
}

// GB 18218-2018 §5.4 Table 5: α by people resident within 500 m of the
// plant boundary (≥ 100: 2.0; 50–99: 1.5; 30–49: 1.2; 1–29: 1.0; 0: 0.5).
var hazardAlpha = []float64{2.0, 1.5, 1.2, 1.0, 0.5}

// HazardIndex computes a hazard source's S = Σ q/Q (S ≥ 1 makes it a major
// hazard source, GB 18218-2018 §4.2), R = α·Σ β·q/Q (§5.2) and its grade
// (HazardGrade).
func HazardIndex(alpha float64, subs []HazardSubstance) (s, r float64, grade int) {
	for _, x := range subs {
		s += x.QT / x.CriticalT
		r += x.Beta * x.QT / x.CriticalT
	}
	r *= alpha
	return s, r, HazardGrade(r)
}

// HazardGrade is the major-hazard grade for R (GB 18218-2018 §5.5 Table 6):
// 1 (一级) R ≥ 100, 2 (二级) 50 ≤ R < 100, 3 (三级) 10 ≤ R < 50, 4 (四级) R < 10.
func HazardGrade(r float64) int {
	switch {
	case r >= 100:
		return 1
	case r >= 50:
		return 2
	case r >= 10:
		return 3
	}
	return 4
}

// checkHazard checks a hazard source's substances and α, and checks S, R and
// grade against them (or fills them in when left out).
func checkHazard(c checker) {
	c.required("substances", "alpha")
	subs, ok := hazardSubstances(c)
	alpha, okA := c.num("alpha")
	if okA && !slices.Contains(hazardAlpha, alpha) {
		c.add("alpha %v is not one of %v (GB 18218-2018 Table 5)", alpha, hazardAlpha)
	}
	if !ok || !okA || len(subs) == 0 {
		return
	}
	s, r, grade := HazardIndex(alpha, subs)
	for _, v := range []struct {
		key  string
		want float64
	}{{"S", s}, {"R", r}, {"grade", float64(grade)}} {
		got, ok := c.num(v.key)
		if !ok {
			c.e.Props[v.key] = round(v.want, 4)
		} else if math.Abs(got-v.want) > 0.005*math.Max(1, v.want) {
			c.add("%s %v does not match the substances: %s", v.key, got, hazardExplain(v.key, v.want))
		}
	}
}

func hazardExplain(key string, want float64) string {
	switch key {
	case "S":
		return fmt.Sprintf("Σ q/Q = %.4g", want)
	case "R":
		return fmt.Sprintf("α·Σ β·q/Q = %.4g", want)
	}
	return fmt.Sprintf("R gives grade %v (GB 18218-2018 Table 6)", want)
}

func hazardSubstances(c checker) ([]HazardSubstance, bool) {
	list, _ := c.e.Props["substances"].([]any)
	subs := make([]HazardSubstance, 0, len(list))
	ok := true
	for i, item := range list {
		m := item.(map[string]any)
		name, _ := m["substance"].(string)
		q, okQ := m["q_t"].(float64)
		crit, okC := m["Q_t"].(float64)
		beta, okB := m["beta"].(float64)
		if !okB {
			beta = 1 // GB 18218-2018 Table 4: "other" substances
		}
		switch {
		case name == "" || !okQ || !okC:
			c.add("substances item %d: want substance, q_t and Q_t", i+1)
			ok = false
		case q < 0 || crit <= 0 || beta <= 0:
			c.add("substances item %d (%s): q_t must be ≥ 0, Q_t and beta > 0", i+1, name)
			ok = false
		default:
			subs = append(subs, HazardSubstance{Substance: name, QT: q, CriticalT: crit, Beta: beta})
		}
	}
	return subs, ok
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
