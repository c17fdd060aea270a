package scenes

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by the Problems a scene that does not load returns.
var ErrInvalid = errors.New("scenes: invalid scene")

// Problem is one thing wrong with a scene: the file it is in, the id of the
// feature (or registry entry) when there is one, and why.
type Problem struct {
	File   string // path inside the scene folder, e.g. "areas.geojson"
	ID     string // feature or registry id; "" for file-level problems
	Reason string
}

// String formats the problem as "file: id: reason", leaving out empty parts.
func (p Problem) String() string {
	parts := make([]string, 0, 3)
	for _, s := range []string{p.File, p.ID, p.Reason} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// Problems lists every problem of a scene, in the order found: site.json,
// the layer files by name, the registry, then cross-references.
type Problems []Problem

// maxErrorProblems bounds the problems spelt out by Error.
const maxErrorProblems = 10

// Error lists the first problems on one line.
func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenes: invalid scene: %d problem(s)", len(ps))
	for i, p := range ps {
		if i == maxErrorProblems {
			fmt.Fprintf(&b, "; and %d more", len(ps)-i)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold for Problems.
func (ps Problems) Unwrap() error { return ErrInvalid }

// report collects problems of one file.
type report struct {
	probs *Problems
	file  string
}

func (r report) add(id, format string, args ...any) {
	*r.probs = append(*r.probs, Problem{File: r.file, ID: id, Reason: fmt.Sprintf(format, args...)})
}
