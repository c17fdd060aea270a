package fence

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// world is a random plant: fences of every rule (some moving with
// vehicles), people and vehicles walking with positioning noise.
type world struct {
	rng      *rand.Rand
	size     float64
	fences   []*twin.Entity
	subjects []Subject
	pos      []orb.Point // plant metres, by subject
	vel      []orb.Point
	floor    []int
	start    map[string]orb.Point // anchors at compile time (lon/lat)
	// narrowPosts gives post fences 8 named holders instead of a random
	// selector (which may assign thousands of people to every post).
	narrowPosts bool
}

var (
	identities  = []string{"internal", "contractor", "visitor"}
	departments = []string{"甲醇车间", "储运部", "安全环保部", "机修车间"}
	posts       = []string{"内操", "外操", "电工", "门卫", "焊工"}
)

func pick(rng *rand.Rand, from []string) []any {
	var out []any
	for _, s := range from {
		if rng.IntN(3) == 0 {
			out = append(out, s)
		}
	}
	return out
}

func newWorld(seed uint64, people, vehicles, fences int, size float64, narrowPosts bool) *world {
	w := &world{rng: rand.New(rand.NewPCG(seed, 42)), size: size, start: map[string]orb.Point{}, narrowPosts: narrowPosts}
	rng := w.rng
	for i := 0; i < people+vehicles; i++ {
		s := Subject{ID: fmt.Sprintf("P%05d", i), Kind: twin.KindPerson, IdentityType: identities[rng.IntN(3)],
			Department: departments[rng.IntN(len(departments))], Post: posts[rng.IntN(len(posts))]}
		if i >= people {
			s.ID, s.Kind = fmt.Sprintf("V%04d", i-people), twin.KindVehicle
		}
		s.Name = s.ID
		w.subjects = append(w.subjects, s)
		p := orb.Point{rng.Float64() * size, rng.Float64() * size}
		w.pos = append(w.pos, p)
		w.vel = append(w.vel, orb.Point{})
		fl := 0
		if rng.IntN(4) == 0 {
			fl = rng.IntN(3)
		}
		w.floor = append(w.floor, fl)
		if s.Kind == twin.KindVehicle {
			w.start[s.ID] = frame.Point(p[0], p[1])
		}
	}
	for i := 0; i < fences; i++ {
		w.fences = append(w.fences, w.fence(i, people, vehicles))
	}
	return w
}

// fence draws one random fence; about one in ten follows a vehicle.
func (w *world) fence(i, people, vehicles int) *twin.Entity {
	rng := w.rng
	rule := Rules[i%len(Rules)]
	side := 10 + rng.Float64()*50
	x, y := rng.Float64()*(w.size-side), rng.Float64()*(w.size-side)
	props := map[string]any{"level": float64(1 + rng.IntN(3))}
	if vehicles > 0 && rng.IntN(10) == 0 {
		v := w.subjects[people+rng.IntN(vehicles)].ID
		props["attached_to"] = v
		c := w.pos[slices.IndexFunc(w.subjects, func(s Subject) bool { return s.ID == v })]
		x, y = c[0]-side/2, c[1]-side/2
	}
	switch rng.IntN(6) {
	case 0:
		props["floor"] = float64(rng.IntN(3))
	case 1:
		props["z_min"], props["z_max"] = 0.0, 5.0
	case 2:
		from := rng.IntN(4)
		props["time_window"] = map[string]any{"from": fmt.Sprintf("10:%02d", from), "to": fmt.Sprintf("10:%02d", from+1+rng.IntN(3))}
	}
	sel := func() map[string]any {
		s := map[string]any{}
		for _, c := range []struct {
			key  string
			vals []string
		}{{"identity_types", identities}, {"departments", departments}, {"posts", posts}} {
			if l := pick(rng, c.vals); len(l) > 0 {
				s[c.key] = l
			}
		}
		if rng.IntN(3) == 0 {
			s["persons"] = []any{w.subjects[rng.IntN(people)].ID}
		}
		return s
	}
	props["authorized"] = sel()
	if rng.IntN(2) == 0 || rule == Post {
		props["applies_to"] = sel()
	}
	switch rule {
	case Headcount:
		props["max_persons"] = float64(1 + rng.IntN(4))
		props["min_persons"] = float64(rng.IntN(2))
		if rng.IntN(2) == 0 {
			props["required"] = []any{w.subjects[rng.IntN(people)].ID}
		}
	case Static:
		props["static_s"] = float64(10 + rng.IntN(40))
	case Lingering, Post:
		props["dwell_s"] = float64(5 + rng.IntN(40))
		if rule == Post && w.narrowPosts {
			delete(props, "applies_to")
			var req []any
			for range 8 {
				req = append(req, w.subjects[rng.IntN(people)].ID)
			}
			props["required"] = req
		}
	case Speed:
		props["speed_limit_kmh"] = float64(5 + rng.IntN(10))
	}
	return fenceEntity(fmt.Sprintf("F%04d", i), rule, square(x, y, side), props)
}

// fix moves subject i by one 2 s step and returns its fix at t.
func (w *world) fix(i int, t time.Time) twin.Fix {
	rng := w.rng
	v := &w.vel[i]
	sp := 1.2
	if w.subjects[i].Kind == twin.KindVehicle {
		sp = 2 + rng.Float64()*4
	}
	switch rng.IntN(10) {
	case 0: // turn
		a := rng.Float64() * 2 * math.Pi
		*v = orb.Point{sp * math.Cos(a), sp * math.Sin(a)}
	case 1: // stop
		*v = orb.Point{}
	}
	p := &w.pos[i]
	p[0] = math.Max(0, math.Min(w.size, p[0]+2*v[0]))
	p[1] = math.Max(0, math.Min(w.size, p[1]+2*v[1]))
	noise := rng.NormFloat64() * 1.5
	return twin.Fix{Point: frame.Point(p[0]+noise, p[1]-noise), Z: math.Abs(rng.NormFloat64()) * 3, Floor: w.floor[i], At: t}
}

func (w *world) anchor(id string) (orb.Point, bool) { p, ok := w.start[id]; return p, ok }

func render(ts []Transition) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = fmt.Sprintf("%v %s %s", tr.Clear, tr.Raise.Key, tr.Raise.At.Format(time.TimeOnly))
	}
	slices.Sort(out)
	return out
}

// TestIndexedMatchesBruteForce runs random workloads through the indexed
// engine and through one that checks every fence for every fix, and wants
// exactly the same alarms.
func TestIndexedMatchesBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newWorld(seed, 150, 20, 90, 300, seed == 3)
			set, err := Compile(w.fences, w.anchor, 0)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Location: shanghai, HeadcountGrace: 10 * time.Second}
			idx, _ := NewEngine(set, cfg)
			brute, _ := NewEngine(set, cfg)
			brute.brute = true
			var a, b []Transition
			for _, s := range w.subjects {
				a, b = idx.SetSubject(a, s, t0), brute.SetSubject(b, s, t0)
			}
			for sec := 0; sec < 300; sec++ {
				now := t0.Add(time.Duration(sec) * time.Second)
				for i := range w.subjects {
					if (i+sec)%2 != 0 {
						continue
					}
					fix := w.fix(i, now)
					var errA, errB error
					a, errA = idx.Update(a, w.subjects[i].ID, fix)
					b, errB = brute.Update(b, w.subjects[i].ID, fix)
					if errA != nil || errB != nil {
						t.Fatal(errA, errB)
					}
				}
				a, b = idx.Tick(a, now), brute.Tick(b, now)
			}
			ra, rb := render(a), render(b)
			if strings.Join(ra, "\n") != strings.Join(rb, "\n") {
				t.Fatalf("indexed %d transitions, brute force %d; first difference at %d", len(ra), len(rb), firstDiff(ra, rb))
			}
			types := map[string]bool{}
			for _, tr := range a {
				if !tr.Clear {
					types[string(tr.Raise.Type)] = true
				}
			}
			if len(a) < 100 || len(types) < 6 {
				t.Fatalf("workload too quiet to prove anything: %d transitions, types %v", len(a), types)
			}
			t.Logf("%d transitions, alarm types %v", len(a), types)
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
