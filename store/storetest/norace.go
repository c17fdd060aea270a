//go:build !race

package storetest

// raceEnabled reports a -race build; see race.go.
const raceEnabled = false
