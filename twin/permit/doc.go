// Package permit holds the rules of electronic special-work permits
// (特殊作业票) after GB 30871-2022 and AQ 3064.2—2025 (REFERENCE §3) as
// data: the eight types with their levels and AQ type codes, validity,
// approvers (GB 30871 Table B.1), the measure checklists of the permit
// forms, when a gas analysis is needed and how old it may be, the gas pass
// rule (Rules.CheckGas: LEL ≥ 4 %vol → ≤ 0.5 %vol, below → ≤ 0.2 %vol;
// oxygen 19.5–21 %vol, ≤ 23.5 % enriched; toxic gases at GBZ 2.1), the
// hot-work upgrade (Rules.UpgradeReasons: night, rest days, holidays, special
// periods from a site Calendar, wind of Beaufort 5 or more), the status
// words with their AQ 3064.2 Annex A codes and the PTW alarm codes.
//
// The workflow (permit.go) checks and applies one step at a time on a
// Permit: New books it (a known type and level, workers, a guardian who
// is not one of them, approvers, a window within the level's validity;
// blind pull and plug on one permit is a hard block), then Apply,
// IdentifyRisk, Brief, ConfirmMeasure, AddGasAnalysis, Approve (the next
// approver in order, on site; risk analysis, briefing, every measure and
// a fresh passing gas analysis where the type needs one), Start, Suspend,
// Resume (a new analysis after the break), Close, Cancel (with a reason)
// and Expire. A refusal is an *Error with the REST error code and, for a
// hard block, the PTW alarm code it raises (errors.Is ErrBlocked).
//
// Service (service.go) keeps the permits: each step checked by the rules,
// logged, stored (store.Permits) and mirrored into the scene as a permit
// entity (the permits layer, with its status and AQ codes); the approval
// right opens only while the approver's tag is within 30 m of the work
// (a fix at most 60 s old); a hard block raises a permit_blocked alarm with
// its PTW code; the work lies in a fire and explosion hazard area when an
// area or unit with `fire_zone: true` holds it.
//
// Run (watch.go) watches the work in progress once a second: the guardian
// off post (outside the type's fence radius, or no fresh fix) for over
// 60 s → permit_guardian_absent (PTW 31) and a stop flag in the log;
// anyone inside the fence not on the permit → permit_overcrowded; a gas
// detector within the sampling radius alarming or reading above the gas
// pass rule → permit_gas_exceeded and the work suspended; and every 30 s
// the permits past their window expire with permit_expired (PTW 10).
//
// Work started beside conflicting work (hot work within 30 m of an
// approved or running blind-plate job, or of a venting point, and the
// reverse) carries a warning on the permit.
//
// The tables are rules.json, embedded and versioned; every table names its
// source, and the measure wordings are marked to be checked against the
// published forms. Parse refuses tables that break the contract (the eight
// type keys and nine status words of the REST API, unique two-digit codes,
// known approvers, sane limits).
package permit
