// Package fence is the electronic-fence engine (电子围栏) of AQ 3064.3-2025
// personnel positioning: it compiles the scene's fence features into an
// indexed set and turns position fixes into fence alarms — fence_intrusion
// (越界), fence_exit, overcrowding (超员), understaffing (缺员),
// static_timeout (静止), lingering (滞留), off_post (脱岗, and 串岗 post
// hopping as off_post with details.kind = "post_hopping") and overspeed.
//
// # Model
//
// A Fence is a polygon (or multipolygon) with a rule and its parameters as
// documented in docs/scene-format.md ("### fence"). It may be 3D: a fix
// counts only on the fence's floor, or inside its z_min … z_max band. A
// time_window arms the rule in the site timezone (from > to wraps over
// midnight, and the part after midnight belongs to the weekday it opened
// on; days 1 = Monday … 7 = Sunday). Selectors (authorized, applies_to)
// AND their categories and OR the values within one; `persons` always
// selects the listed ids. An absent applies_to watches everyone; an absent
// authorized authorises nobody.
//
// Fixed fences sit in an R-tree (tidwall/rtree) by their bound grown by the
// exit margin; a fix is tested only against the fences whose bound holds
// it (then an exact point-in-polygon test in local metres). A test proves
// the indexed engine raises exactly what checking every fence for every
// fix raises.
//
// # Moving fences
//
// A fence with property attached_to (an entity id: a vehicle, a permit)
// follows that entity. Convention: the polygon in the scene is drawn where
// the entity was when the fence was compiled (loaded or edited); the fence
// is translated — east/north in metres, never rotated — by the entity's
// displacement since then. If the entity had no position when the fence
// was compiled, the polygon is taken relative to its own centroid, i.e.
// the fence is centred on the entity, and the fence is inactive until the
// entity's first position. The anchor itself is never inside its own
// fence. Other entities are tested against a moved fence at their own
// next fix (AQ 3064.3 tags report at least every 2 s).
//
// # Edge-triggered steps on sample time, and GPS drift
//
// Every condition is a small state machine stepped on sample time — the
// fix's At, or the time the caller passes to Tick — never the wall clock,
// so that tests replay exactly and need no sleeps. Users of tracking
// servers keep asking for dwell or debounce on fence events because GPS and
// BLE drift make a tag parked by a fence line enter and leave it every few
// seconds (Traccar issues #2189, #3609, #6019; Tile38 #816). The engine
// answers with three layers:
//
//   - a spatial deadband: a tag inside stays inside until it is more than
//     Set.MarginM (default 2 m, below the 3 m of the Annex A crossing test)
//     outside the edge, and Config.ZMarginM outside a z band;
//   - an on-delay: an instantaneous condition (entry, exit, overspeed,
//     headcount) must hold for Config.OnDelay (default 3 s) before it
//     raises — one stray fix does not alarm. The delay is budgeted: the
//     site setting fence_alarm_delay_s (default 5 s, AQ 3064.3-2025: a
//     boundary crossing alarms within 5 s of the crossing fix) must cover
//     OnDelay + TickEvery, and Config.Validate refuses more. Dwell-type
//     conditions (lingering, static, off-post, post hopping) use their
//     dwell_s / static_s as their on-delay;
//   - an off-delay: a condition must be absent for Config.OffDelay
//     (default 6 s) before its alarm clears;
//   - for "not moving" (static, 静止): the mean of the last five fixes must
//     leave a Config.StaticRadiusM circle (default 3 m, the AQ 3064.3
//     static accuracy) to count as movement; raw fixes at that accuracy
//     leave a 1.5 m circle every few samples and would hide a man-down.
//
// There is one alarm per (entity, type, fence) — key "type:entity:fence";
// headcount alarms are per fence, key "type:fence" — raised once on the
// rising edge and cleared automatically on the falling edge. The engine
// returns Transitions (raise with a position snapshot in details, or
// clear) and never calls the alarm manager itself.
//
// Time-based conditions (dwell, static, off-post, headcount, time windows,
// pending delays) advance with Engine.Tick, which the caller drives with
// sample time. Off-post counts only for people the engine has located at
// least once: a tag that never reported is tag_offline's business.
// Understaffing waits Config.HeadcountGrace after the first sample so that
// every tag has reported once.
//
// # Concurrency
//
// Set and Fence are immutable and safe for concurrent use. Engine is not:
// one goroutine owns it. Service is that owner: Observe (registered with
// twin.Scene.Observe) queues results with backpressure, Run evaluates them
// and ticks in its own goroutine until its context ends, outside the
// scene's lock (tile38 #491: fence evaluation under the global write lock
// capped writes). Replace swaps the fence set from any goroutine; fence
// upserts and removals seen in the scene's results recompile the set too.
package fence
