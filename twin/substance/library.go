package substance

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/chemtwin/chemtwin/internal/strictjson"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrInvalid wraps every problem found in library data.
	ErrInvalid = errors.New("substance: invalid library")
	// ErrNotFound is returned for a name no substance answers to.
	ErrNotFound = errors.New("substance: not found")
)

//go:embed substances.json
var embedded []byte

// Library is a parsed, validated set of substances. It is immutable and
// safe for concurrent use.
type Library struct {
	version string
	subs    []*Substance
	byKey   map[string]*Substance
}

// file is the JSON layout of substances.json.
type file struct {
	Version    string       `json:"version"`
	About      string       `json:"about,omitempty"`
	Substances []*Substance `json:"substances"`
}

var loadOnce = sync.OnceValues(func() (*Library, error) { return Parse(embedded) })

// Load returns the library embedded in the binary, parsed and validated
// once; later calls return the same *Library.
func Load() (*Library, error) { return loadOnce() }

// Default is Load for callers that treat the embedded data as part of the
// program: it panics if that data is invalid, which TestEmbedded rules out
// at build time (like regexp.MustCompile on a constant pattern).
func Default() *Library {
	lib, err := Load()
	if err != nil {
		panic(err)
	}
	return lib
}

// Parse decodes and validates library JSON. Unknown fields, trailing data
// and every failed check are errors wrapping ErrInvalid.
func Parse(data []byte) (*Library, error) {
	var f file
	if err := strictjson.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	lib := &Library{version: f.Version, subs: f.Substances, byKey: map[string]*Substance{}}
	for _, s := range f.Substances {
		for _, name := range s.names() {
			k := key(name)
			if other, dup := lib.byKey[k]; dup && other != s {
				return nil, fmt.Errorf("%w: %q names both %s and %s", ErrInvalid, name, other.ID, s.ID)
			}
			lib.byKey[k] = s
		}
	}
	return lib, nil
}

// names lists everything a substance is looked up by.
func (s *Substance) names() []string {
	return append([]string{s.ID, s.NameZh, s.NameEn, s.CAS, s.Formula}, s.Aliases...)
}

// Version returns the data version, the top-level "version" of the file.
func (l *Library) Version() string { return l.version }

// All returns the substances in file order. The slice is the caller's;
// the substances are shared and read-only.
func (l *Library) All() []*Substance { return append([]*Substance(nil), l.subs...) }

// Get returns the substance known by name: its ID, Chinese or English
// name, CAS number, formula or an alias ("NH3", "NH₃", "氨", "氨气",
// "7664-41-7", "Hydrogen sulfide"). Case, spaces, hyphens, underscores and
// subscript digits do not matter.
func (l *Library) Get(name string) (*Substance, error) {
	if s, ok := l.byKey[key(name)]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
}

// keyReplacer folds the spellings of one name together.
var keyReplacer = strings.NewReplacer(
	" ", "", "_", "", "-", "",
	"₀", "0", "₁", "1", "₂", "2", "₃", "3", "₄", "4",
	"₅", "5", "₆", "6", "₇", "7", "₈", "8", "₉", "9",
)

// key is the lookup form of a name.
func key(name string) string {
	return keyReplacer.Replace(strings.ToLower(strings.TrimSpace(name)))
}
