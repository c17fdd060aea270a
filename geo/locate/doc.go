// Package locate is chemtwin's positioning solver (解算引擎): it turns the
// BLE beacon signal strengths a tag reports (chemtwin/{site}/tags/{tag}/rssi)
// into positions on the plant map, and passes position fixes from UWB or
// GNSS tags (…/position) through the same per-tag filter.
//
// # Pipeline of one report
//
//  1. Measurement model (model.go): the log-distance path-loss model,
//     RSSI = RSSI₁ₘ − 10·n·log₁₀(d) + X, X ~ N(0, σ²), with each beacon's
//     position, mount height and `rssi_1m` from the scene, the path-loss
//     exponent n and the shadowing σ as site calibration (Options).
//  2. Robust weighted least squares (wls.go): maximum likelihood in the dB
//     domain — Gauss–Newton on the residuals in dB with Huber weights
//     (IRLS), then rejection of residuals beyond 3.5σ — in plant metres,
//     with the beacons' heights against the tag's (floor base + 1.2 m),
//     started from the filter's prediction (or a weighted centroid) whose
//     covariance also regularises directions the beacons cannot see (a row
//     of beacons along a walkway says little across it).
//  3. Floor (floor.go): inside a multi-storey building, each report scores
//     the floors above and below against the current one; a floor change
//     needs consecutive evidence (a CUSUM test of the log-likelihood ratio).
//     A first fix takes the best of all the building's floors, seeded by a
//     weighted vote of the strongest beacons' floors. Outdoors is floor 0.
//  4. Filter (filter.go): an interacting-multiple-model Kalman filter per
//     tag of two motion models, standing still and walking (constant
//     velocity), so a tag at rest averages its reports down and a walking
//     tag is followed. The least-squares fix enters as a measurement with
//     its information matrix (possibly singular).
//  5. Map constraint (constrain.go): outdoors a walking estimate is pulled
//     onto the nearest walkway (a pseudo-measurement across the walkway with
//     the walkway's width, on the walk model); a standing one only where
//     the report cannot tell the sides of the walkway apart, as people
//     stand by equipment off the walkways; indoors the estimate is kept
//     inside the building footprint,
//     on its floor. Entering or leaving a building needs two reports in a
//     row (hysteresis).
//
// # Concurrency
//
// A Map is immutable and safe for concurrent use. A Solver is safe for
// concurrent use: per-tag state sits in shards with their own locks, and
// each tag's state has its own mutex, so different tags solve in parallel.
// Reports of one tag must arrive in time order (ingest feeds a tag from one
// goroutine); an older or equal timestamp is rejected with ErrOutOfOrder.
//
// The solver counts nothing itself: a Fix (or the error) says how many
// beacons were used and how many the map did not know, so the caller's
// metrics count them.
package locate
