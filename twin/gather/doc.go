// Package gather detects gatherings of people (人员聚集): at least
// MinPersons people on one floor within RadiusM of one of them (a disc
// centred where people are, anywhere — not a zone) for longer than
// Duration — 15 m, 60 s and 3
// people by default (2023 gathering-risk guide; AQ 3064.3—2025 §3.5,
// §5.2.3; see REFERENCE.md §2). Levels by head count: yellow 3, orange 4–6,
// red more than 6; a gathering near an active gas alarm escalates to level
// 3 with an evacuation order.
//
// Detection is incremental: people sit in a uniform hash grid (cell = R)
// per floor, and a fix re-evaluates only the people within 2R of the
// moved person's old and new positions. The Detector is pure and stepped
// on sample time (Update, Tick); Service adapts it to twin.Scene results,
// the alarm manager and member notifications.
package gather
