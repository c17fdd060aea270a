// Package twin is the plant's digital twin: every thing in the plant is an
// Entity in one Scene — a scene graph (site → area → building or unit →
// equipment → sensor; people and vehicles under the site) with one R-tree
// (github.com/tidwall/rtree) over all geometries.
//
// # Model
//
// An Entity has an id, a Kind (which puts it in a Layer: an OGC collection
// and a stream layer), a parent, a WGS84 geometry, a height, static Props
// from the scene files, and live state: Mobile (tag, last fix, battery, SOS,
// containing area) for people and vehicles, and State (a merged map) for
// everything else that reports (detectors, weather stations, tanks).
//
// # One mutation path
//
// Every change — a position fix, a detector reading, an API edit, a timer's
// expiry, a scene (re)load — is a Change handed to Scene.Apply. Apply runs
// the changes under the scene's write lock, keeps the graph, the tag
// registry and the R-tree consistent, and returns a Result: the Deltas it
// made (upsert, remove, move; each stamped with the scene revision) and the
// domain Events (area enter/exit, unregistered tag). The same Result goes to
// the observers registered with Observe — the stream hub, the store writer,
// the rules — in revision order, after the lock is released, so that their
// work (encoding, I/O, rule evaluation) never holds the scene.
//
// # Concurrency
//
// A Scene is safe for concurrent use. It has one sync.RWMutex: queries (Get,
// ByTag, View and the Tx methods inside it) share the read lock; Apply takes
// the write lock. The R-tree and maps inside do no locking of their own.
// Entities handed to a View callback are owned by the scene and valid only
// while the callback runs; Clone keeps one. Snapshots in Deltas are clones
// and immutable. Props maps are never mutated in place and State maps are
// replaced, not edited, so clones may share them.
//
// # Time
//
// The twin never reads the wall clock for domain decisions: fixes and
// readings carry their measurement time, and Options.Clock (injectable in
// tests) only stamps changes that carry none.
package twin
