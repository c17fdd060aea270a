package plume

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParseStability(f *testing.F) {
	for _, s := range []string{"A", "f", " D ", "", "G", "AB", "\x00", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseStability(in)
		if err != nil {
			if !errors.Is(err, ErrStability) {
				t.Fatalf("error %v does not wrap ErrStability", err)
			}
			return
		}
		if !s.Valid() || !strings.EqualFold(strings.TrimSpace(in), s.String()) {
			t.Fatalf("%q parsed to %v", in, s)
		}
		if back, err := ParseStability(s.String()); err != nil || back != s {
			t.Fatalf("round trip of %v: %v, %v", s, back, err)
		}
	})
}

func FuzzParseSigmaSet(f *testing.F) {
	for _, s := range []string{"briggs_rural", "ISC3", " ccps_puff", "", "briggs", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		set, err := ParseSigmaSet(in)
		if err != nil {
			if !errors.Is(err, ErrSigmaSet) {
				t.Fatalf("error %v does not wrap ErrSigmaSet", err)
			}
			return
		}
		if _, _, err := set.Sigma(D, 100); err != nil {
			t.Fatalf("parsed set %q does not evaluate: %v", set, err)
		}
	})
}
