// Package route is chemtwin's routable network: a graph built from the
// scene's roads, walkways and stairs, in plant-frame metres, with
// nearest-edge snapping, shortest paths and connectivity. It is the base of
// evacuation routing and the path model of the plant simulator.
//
// # Building the graph
//
// Build takes polylines (Line, in plant metres) and makes a graph that is
// planar on each level:
//
//   - every vertex becomes a node; vertices on the same level closer than
//     Options.SnapM (default 0.5 m) merge into one node (a grid hash with
//     cells of SnapM, first come first kept, so the result follows the input
//     order and is deterministic);
//   - two segments on the same level that cross properly are both split at
//     the crossing (noding), so traffic can turn there;
//   - a node lying within SnapM of another segment's interior on the same
//     level splits that segment (a T-junction: a path that ends on a road
//     joins it);
//   - stairs (a line whose Floor and FloorTo are on different levels)
//     connect levels: the first vertex lies on Floor's level, the last on
//     FloorTo's, and the interior belongs to no level, so it crosses
//     nothing; its length includes the climb (ClimbM, or Options.FloorHeightM
//     per storey) in quadrature.
//
// Levels count storeys above ground (Storey): floors are numbered as the
// scene format does, 0 outdoors and 1 the ground floor, and both are level
// 0, so a door path meets the ground-floor corridor; floor 2 is level 1.
//
// Each edge is one straight piece between two nodes and keeps the source
// line's id, its mode flags (vehicle, pedestrian), one-way direction, width,
// speed limit and floor. One-way restricts vehicles only: pedestrians may
// walk both ways along a one-way road.
//
// # Queries
//
// Nearest snaps a point to the closest edge a mode may use; Shortest finds
// the shortest path by length between two snaps (A* with the straight-line
// distance as heuristic, which never overestimates because an edge is never
// shorter than its horizontal extent); Components reports the connected
// parts of the network for a mode, for `scene validate`.
//
// A Graph is immutable after Build and safe for concurrent use.
package route
