package fence

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// FuzzParse feeds arbitrary fence properties to the parser: it must return
// a fence or an error, never panic, and a parsed fence must evaluate.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"rule":"forbidden","authorized":{"posts":["电工"]},"time_window":{"from":"18:00","to":"08:00","days":[1,2,3]}}`,
		`{"rule":"headcount","max_persons":3,"min_persons":1,"required":["P1"]}`,
		`{"rule":"post","applies_to":{"posts":["内操"]},"dwell_s":600,"floor":5}`,
		`{"rule":"speed","speed_limit_kmh":"10","z_min":0,"z_max":"5","attached_to":"VH-1"}`,
		`{"rule":"static","static_s":1e308}`,
		`{"rule":"lingering","dwell_s":30,"authorized":"x","level":2.5}`,
	} {
		f.Add(seed)
	}
	poly := square(0, 0, 20)
	f.Fuzz(func(t *testing.T, raw string) {
		var props map[string]any
		if json.Unmarshal([]byte(raw), &props) != nil {
			return
		}
		fe, err := Parse(&twin.Entity{ID: "F", Kind: twin.KindFence, Geometry: poly, Props: props}, nil)
		if err != nil {
			return
		}
		set, err := NewSet([]*Fence{fe}, 0)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEngine(set, Config{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := e.Update(nil, "P", twin.Fix{Point: frame.Point(5, 5), At: t0.Add(2e9 * time.Duration(i))}); err != nil {
				t.Fatal(err)
			}
		}
		e.Tick(nil, t0.Add(3600e9))
	})
}
