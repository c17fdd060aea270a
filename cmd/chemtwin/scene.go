package main

import (
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

// scene runs `chemtwin scene validate DIR`: every problem with file,
// feature id and reason, then the road/walkway network's disconnected
// parts; exit status 1 when there is any.
func scene(args []string) int {
	if len(args) != 2 || args[0] != "validate" {
		fmt.Fprintln(os.Stderr, "usage: chemtwin scene validate DIR")
		return 2
	}
	fsys, err := scenes.Open(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	problems := scenes.Validate(fsys)
	if len(problems) == 0 {
		problems = networkProblems(fsys)
	}
	for _, p := range problems {
		fmt.Println(p.String())
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d problem(s)\n", args[1], len(problems))
		return 1
	}
	fmt.Printf("%s: ok\n", args[1])
	return 0
}

// networkProblems builds the routing graph and reports every connected
// component after the largest, per mode: parts of the network that
// evacuation routes could not reach.
func networkProblems(fsys fs.FS) scenes.Problems {
	sc, err := scenes.Load(fsys)
	if err != nil {
		return scenes.Problems{{File: "(scene)", Reason: err.Error()}}
	}
	tw, err := sc.Twin(twin.Options{})
	if err != nil {
		return scenes.Problems{{File: "(scene)", Reason: err.Error()}}
	}
	g, err := route.FromScene(tw)
	if g == nil {
		return scenes.Problems{{File: "(network)", Reason: err.Error()}}
	}
	var out scenes.Problems
	if err != nil {
		out = append(out, scenes.Problem{File: "(network)", Reason: err.Error()})
	}
	for _, mode := range []route.Mode{route.Pedestrian, route.Vehicle} {
		parts := g.Components(mode)
		largest := 0
		for i, c := range parts {
			if c.LengthM > parts[largest].LengthM {
				largest = i
			}
		}
		for i, c := range parts {
			if i == largest || len(c.Lines) == 0 {
				continue
			}
			out = append(out, scenes.Problem{File: "(network)", ID: strings.Join(c.Lines, ","),
				Reason: fmt.Sprintf("%s network part of %.0f m is not connected to the main network", mode, c.LengthM)})
		}
	}
	return out
}
