package fence

import (
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// BenchmarkUpdate is one fix through every rule: 10k tags (one in ten a
// vehicle) among 500 fences of all seven rules in a 1 km² plant, a tenth of
// the fences moving with vehicles, with a Tick per simulated second (5,000
// fixes at 0.5 Hz).
func BenchmarkUpdate(b *testing.B) {
	w := newWorld(7, 9000, 1000, 500, 1000, true)
	set, err := Compile(w.fences, w.anchor, 0)
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewEngine(set, Config{Location: shanghai})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range w.subjects {
		e.SetSubject(nil, s, t0)
	}
	// Pre-draw two minutes of fixes so that the loop measures the engine.
	const steps = 60
	n := len(w.subjects)
	fixes := make([]twin.Fix, 0, steps*n)
	for k := range steps {
		for i := range n {
			fixes = append(fixes, w.fix(i, t0.Add(time.Duration(2*k)*time.Second)))
		}
	}
	var out []Transition
	b.ResetTimer()
	k, round := 0, time.Duration(0)
	for b.Loop() {
		f := fixes[k]
		f.At = f.At.Add(round)
		if out, err = e.Update(out[:0], w.subjects[k%n].ID, f); err != nil {
			b.Fatal(err)
		}
		if k++; k%(n/2) == 0 {
			out = e.Tick(out[:0], f.At)
		}
		if k == len(fixes) {
			k, round = 0, round+steps*2*time.Second
		}
	}
}

// BenchmarkCandidates is the spatial part alone: the R-tree prefilter.
func BenchmarkCandidates(b *testing.B) {
	w := newWorld(7, 100, 100, 500, 1000, true)
	set, _ := Compile(w.fences, w.anchor, 0)
	e, _ := NewEngine(set, Config{})
	pts := make([]twin.Fix, 4096)
	for i := range pts {
		pts[i] = w.fix(i%200, t0)
	}
	i := 0
	for b.Loop() {
		e.candidates(pts[i%len(pts)].Point)
		i++
	}
}
