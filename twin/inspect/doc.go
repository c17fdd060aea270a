// Package inspect models inspections (智能巡检, W7) at map points: the
// inspection points of the scene with their codes and checklists, routes,
// plans and the tasks generated from them, check-ins verified by the
// inspector's tag (position, dwell, code) so that fake, proxy and skipped
// checks (假检/代检/漏检) cannot hide, missed points, and the hidden
// dangers (隐患) failed items raise. In AQ 3064.1 an inspection is a
// dual-prevention check task: a check-in is a check record, a missed point
// is "not checked" (REFERENCE §4).
package inspect
