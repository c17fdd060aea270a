// Package form renders special-work permits (特殊作业票, twin/permit) for
// people and for other systems: Print writes one permit as a printable
// HTML page laid out as the permit forms of GB 30871-2022 Annex A (动火、
// 受限空间、盲板抽堵、高处、吊装、临时用电、动土、断路安全作业票), and
// Export turns permits and their alarms into exchange records after
// AQ 3064.2—2025 Annex A (JSON, Document), with WriteCSV for a spreadsheet.
//
// The permit record does not hold everything the paper form asks for (the
// applying unit, the site and area names, the description of the work):
// the caller gives those in PrintOptions and ExportOptions. Nothing here
// reads a clock: the printed-at and generated-at times are the caller's.
//
// The published field table of AQ 3064.2—2025 Annex A was not available
// when this package was written (searched: documentation, web pages and
// public code; none held it). The exchange records therefore use English
// snake_case names designed from what REFERENCE §3 gives — the type codes
// 01–70, the status codes 0–6 and the PTW alarm codes — and every field
// name is to be verified against AQ 3064.2 Annex A before a park platform
// relies on it.
//
// Print and Export only read the permits they are given; they are safe
// for concurrent use as long as nobody changes those permits meanwhile.
package form
