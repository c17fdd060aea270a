//go:build race

package storetest

// raceEnabled reports a -race build. Under the race detector every SQL call
// of a pure-Go driver runs instrumented, about ten times slower, so the
// concurrency tests write fewer rows: 8 writers × 50 still interleave on
// every call, which is what they prove.
const raceEnabled = true
