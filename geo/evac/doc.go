// Package evac plans emergency evacuations on foot (W8): it routes every
// person to a safe muster point over the plant's pedestrian network
// (geo/route), around hazards and closures, away from the downwind side of
// a release, within the muster points' capacity. It is pure computation in
// plant-frame metres (x east, y north); the service feeds it the scene's
// people, muster points, drawn hazards and closures, live threat zones and
// the wind, and publishes what it returns.
//
// # Model
//
// Hazards are areas (polygons, holes honoured) nobody should walk through;
// closures are closed areas (walked like hazards), barrier lines (no edge
// they cross may be walked across) and closed source lines (walkways,
// stairs) of the network. Both are footprints that apply to every level.
// Each plan classifies each pedestrian edge: the fractions of it inside
// hazards or closed areas (clipped exactly, with the graph's R-tree as
// prefilter), inside downwind sectors, and where barriers cut it.
//
// A route's cost is lexicographic: first the length walked inside hazards
// and closures, counted in whole millimetres rounded up per edge piece (so
// the comparison is exact and any piece with length inside counts), then
// the weighted length, where a metre in a downwind sector counts
// Options.DownwindFactor. A route with nothing inside therefore always
// beats one with something inside, however long. Someone starting outside
// every hazard and closure is never routed into one: if every way to a
// safe muster point enters one, they are reported CutOff. Someone starting
// inside one (or snapped onto a part of the network inside one) gets the
// route that walks the least inside it, the shortest way out, and then the
// cheapest way on.
//
// With a wind of at least CalmBelowWindMS, each hazard has a downwind
// sector: the points within Options.DownwindRangeM of it in a direction
// within ±Options.DownwindHalfAngleDeg of downwind (the Minkowski sum of
// the hazard's convex hull and a circular sector), following the US DOT
// Emergency Response Guidebook's advice to move upwind or crosswind of a
// release, never downwind; see the constants for the figures and their
// sources. Routes avoid walking there (the factor), and a muster point
// whose disc (RadiusM) reaches into a hazard, a closed area or a downwind
// sector is unsafe and receives nobody (MusterResult.Status says why).
//
// # Search
//
// People and muster points snap to the nearest pedestrian edge on their
// floor within Options.MaxSnapM. One multi-source Dijkstra runs from the
// safe muster points over the network (pedestrians walk every edge both
// ways at the same cost, so the reverse graph is the graph) and gives
// every junction its cheapest way to safety; each person reads their
// route off it in constant time: to either end of their chain and on, or
// along the chain straight to a muster point on it. The search runs on the
// network contracted to its junctions (a drawn walkway's vertices are
// nodes of degree two), numbered along a Hilbert curve for locality; route
// geometry is expanded from the search's tree only when asked for
// (Plan.Path), so 10,000 routes cost nothing until they are drawn.
//
// Capacity: people are served in order of cost, each to their nearest
// open safe muster point; when a point fills, the people still wanting it
// wait, and one more search runs from the points still open (stopping once
// every waiting person's junctions are settled). There is at most one
// extra search per point that fills. This greedy assignment keeps each
// route a shortest way to the point it names and never exceeds a
// capacity, but it is not the assignment of least total (or least
// latest) walking: that is a transportation problem (one search per muster
// point and a min-cost flow over people × points), which can move a
// near person to a slightly farther point to let a far one in. With ample
// capacity everyone goes to their nearest safe point.
//
// ETAs use the walking speeds of the SFPE Handbook's hydraulic model
// (DefaultWalkMS on the level, DefaultStairsMS along stairs), for an
// unhurried, uncrowded walk; queues at doors and stairs are not modelled.
//
// # Re-planning
//
// A Planner is made once per network (NewPlanner: the junction graph and
// a snapping grid) and keeps, between plans, each person's and muster
// point's snap while they do not move, and the clipping of each hazard,
// closed area and downwind sector while its coordinates (and for a
// sector the wind) do not change. A re-plan after one new hazard clips
// that hazard and its sector and runs the searches.
package evac
