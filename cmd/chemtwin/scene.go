package main

import (
	"fmt"
	"os"

	"github.com/chemtwin/chemtwin/scenes"
)

// scene runs `chemtwin scene validate DIR`: every problem with file,
// feature id and reason, exit status 1 when there is any.
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
