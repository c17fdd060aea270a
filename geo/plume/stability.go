package plume

import (
	"fmt"
	"strings"
)

// Stability is a Pasquill–Gifford atmospheric stability class, A (very
// unstable) to F (moderately stable). The zero value is not a class.
type Stability uint8

// The Pasquill stability classes.
const (
	A Stability = iota + 1 // very unstable
	B                      // moderately unstable
	C                      // slightly unstable
	D                      // neutral
	E                      // slightly stable
	F                      // moderately stable
)

// ParseStability parses "A".."F" (case-insensitive, surrounding space ignored).
func ParseStability(s string) (Stability, error) {
	t := strings.TrimSpace(s)
	if len(t) == 1 {
		c := t[0] | 0x20 // ASCII lower case
		if c >= 'a' && c <= 'f' {
			return Stability(c-'a') + A, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want A..F)", ErrStability, s)
}

// Valid reports whether s is one of A..F.
func (s Stability) Valid() bool { return s >= A && s <= F }

// String returns "A".."F", or "Stability(n)" for an invalid value.
func (s Stability) String() string {
	if !s.Valid() {
		return fmt.Sprintf("Stability(%d)", uint8(s))
	}
	return string(rune('A' + s - A))
}

func (s Stability) check() error {
	if !s.Valid() {
		return fmt.Errorf("%w: %s", ErrStability, s)
	}
	return nil
}
