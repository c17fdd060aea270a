// Package coverage checks gas-detector coverage of release sources against
// GB/T 50493-2019 chapter 4: a detector of the right gas must stand within
//
//	                        combustible   toxic
//	outdoors, open building    10 m        4 m    (§4.2.1)
//	enclosed building           5 m        2 m    (§4.2.2)
//
// of every release source. Check is a pure function of one scene revision
// (a twin.Tx) that lists, per source, the detectors that cover it, the
// sources no detector covers and each detector's coverage circle for the
// viewer. Detectors are paired with sources through the scene's R-tree (a
// bounding-box query around the source, then the exact distance), never by
// testing every pair.
//
// # Release sources
//
// A tank, an equipment item or a unit whose `release_source` property is
// true is a release source; false excludes it. Without the property, a tank
// with a `substance` is one (its shell nozzles and root valves), and so is
// equipment whose `equipment_type` is one of the seal, joint and transfer
// points GB 50058 lists as release sources: pump, compressor, flange,
// valve, valve_group, loading_point, loading_arm, sampling_point, drain and
// vent. Reactors, columns, exchangers and vessels are not sources by
// default: their release points are the flanges and seals around them, which
// a scene draws as their own equipment (or it sets release_source: true).
//
// A source's `substance` is looked up in the substance library by id,
// name, alias or formula. A combustible substance (one with an LEL) needs a
// combustible detector within the combustible distance; a toxic one (an
// OEL or IDLH) a toxic detector within the toxic distance; a substance that
// is both (ammonia, methanol, hydrogen sulfide, carbon monoxide) needs, as
// GB/T 50493-2019 §3.0.1 asks, a toxic-gas detector where it is released as
// a single component, and both kinds where it is part of a mixture (the
// source has `mixture: true`); Options.BothKinds requires both everywhere,
// a stricter site policy.
// A substance that is neither (oxygen) needs neither and counts as covered.
// A source whose substance is missing or unknown cannot be checked: it is
// reported uncovered with a problem text, never silently passed.
//
// # Detectors
//
// A detector's gas is its `substance` property, else its `gas`, looked up
// in the same library; it matches a source when both resolve to the same
// library substance, so "CH3OH", "methanol" and "甲醇" are one gas. Its kind
// follows its unit, as for the setpoints in package substance: %LEL or
// %VOL is a combustible-gas detector; ppm, mg/m³ or g/m³ a toxic-gas
// detector, unless the gas has no toxic limit (methane in ppm), when it is
// a combustible one. Without a unit the `detector_type` property decides.
// Oxygen detectors cover nothing here. A combustible detector of another
// combustible gas does not count, because a sensor calibrated for one gas
// reads another with an unknown response factor; Options.AnyCombustible
// relaxes this for plants that accept cross-calibrated catalytic sensors.
//
// # Distance and environment
//
// The standard measures the horizontal distance between detector and
// release source; heights are not used. The distance is taken to the
// source's geometry: to the shell of a tank (centre distance less
// `radius_m`), to the outline of polygonal equipment (0 inside), to the
// point of point equipment. Positions are compared with a slack of 1 mm,
// below survey precision, so that 10.0 m passes the 10 m rule however the
// coordinates round.
//
// A source or detector is inside a building when the building is its
// ancestor in the scene graph or, failing that, its point lies in the
// building's outline. A building is enclosed unless its `enclosure`
// property is "open" (敞开式厂房): "semi_open" and unknown values count as
// enclosed, since §4.2.2 applies the enclosed distances to semi-open
// buildings with poor local ventilation and the scene cannot tell the
// ventilation. Outside every building, or in an open building, the outdoor
// distances apply.
//
// Gas does not pass walls or floor slabs: a detector covers a source only
// in the same space — the same enclosed building on the same floor, or
// both outside enclosed buildings on the same level. The level is the
// `floor` property; without it the floor is derived from the height and
// the building's `floor_height_m`; outdoors it is the ground level 1.
//
// # Concurrency
//
// Check reads the scene through the caller's transaction and keeps no
// state; a Report is a plain value owned by the caller.
package coverage
