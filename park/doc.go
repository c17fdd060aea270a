// Package park uploads personnel-positioning data to a chemical park's
// platform (园区平台数据上报), as AQ 3064.3-2025 asks: incremental, with
// positions at least every 30 s, in the fields of its Annex B, in CGCS2000.
//
// An Uploader takes scene results (ObserveScene, registered with
// twin.Scene.Observe) and alarm lifecycle steps (ObserveAlarm, registered
// with alarm.Manager.Observe), queues what the park must learn, and Run
// POSTs it over HTTPS every Interval (default and maximum 30 s).
//
// # Envelope
//
// Every push sends one POST per table that has something to send, in this
// order: person, zone, position, person_alarm, zone_alarm, gathering. The
// body is one JSON object:
//
//	{
//	  "enterprise_code": "91640000XXXXXXXXXX",  // Options.EnterpriseCode (企业编码)
//	  "table":   "position",                    // one of the six tables below
//	  "mode":    "incremental",                 // or "full": the whole table, rows absent are gone
//	  "sent_at": "2026-07-01 08:00:30",         // China Standard Time
//	  "count":   2,                             // len(records)
//	  "records": [ {…}, {…} ]
//	}
//
// with "Authorization: Bearer TOKEN" when a token is set. Any 2xx answer
// accepts the batch. 400, 413 and 422 refuse it as malformed: it is dropped,
// counted (chemtwin_park_batches_rejected_total) and logged, since sending
// it again would fail again. Every other answer or a network error fails
// the push: the batch and everything after it wait, and Run retries with
// exponential backoff (RetryMin doubling up to Interval). Records are
// idempotent upserts: a person or zone by ID, a position by PERSON_ID and
// TIME, an alarm by ID and STATUS, so a batch delivered twice (an answer
// lost after the park stored it) does no harm.
//
// # Tables and fields
//
// Field names are upper snake case as in AQ 3064.3-2025 Annex B. ID,
// PERSON_NAME, PERSON_TYPE, POSITION_NAME, ZONE_TYPE, GEO, ALARM_TYPE, X and
// Y, and the codes below, are the Annex B ones; the other names follow the
// same convention. Codes are JSON strings ("01", "0"), levels and counts
// numbers.
//
//   - person (mode full, on start and whenever a person's static data
//     changes): ID, PERSON_NAME, PERSON_TYPE ("01" internal, "02"
//     contractor, "03" visitor; an unregistered tag is sent as "03", the
//     least-privileged class), POSITION_NAME (post, 岗位), DEPARTMENT,
//     COMPANY (contractors), TAG_ID.
//   - zone (mode full, on start and whenever an area or fence changes):
//     ID, ZONE_NAME, ZONE_TYPE ("1" fixed: the scene's areas and fences;
//     "0" temporary: a fence with attached_to — a permit's work area, a
//     vehicle — or with "temporary": true, or created after the first
//     snapshot, e.g. over REST), ZONE_KIND ("area" or "fence"), RULE,
//     RISK_LEVEL, FLOOR (3D fences), MAX_PERSONS, MIN_PERSONS, GEO.
//   - position (incremental): PERSON_ID, TAG_ID, X, Y, Z (metres above
//     ground), FLOOR, ZONE_ID (the area holding the fix), TIME. Only people
//     whose position changed since the park last accepted one, each at most
//     once per push with their latest fix. "Changed" is judged on the values
//     as sent (X/Y to 1e-7°, about 1 cm; Z to 1 cm; FLOOR): a person
//     standing still is not sent again.
//   - person_alarm, zone_alarm, gathering (incremental, in event order):
//     see the mapping below; STATUS "1" active (raised, or updated with new
//     figures), "0" cleared, with END_TIME. Acknowledgements, closes and
//     alarm-event records stay local.
//
// Alarm mapping (our alarm type → table, ALARM_TYPE):
//
//	sos              person_alarm  0  一键报警 (SOS)
//	fence_intrusion  person_alarm  1  越界 (boundary crossing)
//	lingering        person_alarm  2  滞留 (lingering)
//	static_timeout   person_alarm  3  静止 (static / man-down)
//	overcrowding     zone_alarm    1  超员 (over-staffing)
//	understaffing    zone_alarm    2  缺员 (under-staffing)
//	gathering        gathering     —  人员聚集 (WARNING_LEVEL 1 yellow, 2 orange, 3 red)
//
// Every other type (fence_exit, off_post, gas, permits, …) is not sent.
// person_alarm carries ID (our alarm id), PERSON_ID, PERSON_NAME,
// ALARM_TYPE, ALARM_LEVEL, ZONE_ID/ZONE_NAME (the fence, else the area), X,
// Y, FLOOR, ALARM_TIME, END_TIME, STATUS, CONTENT (zh-CN message);
// zone_alarm ID, ZONE_ID, ZONE_NAME, ALARM_TYPE, ALARM_LEVEL, PERSON_COUNT,
// LIMIT_COUNT, PERSON_IDS, MISSING_PERSON_IDS, X, Y, times, STATUS,
// CONTENT; gathering ID, AREA_ID, AREA_NAME, PERSON_COUNT, PERSON_IDS,
// WARNING_LEVEL, COLOUR, X, Y (the centre), FLOOR, RADIUS (m), times,
// STATUS, CONTENT.
//
// # Coordinates, geometry and time
//
// X and Y are longitude and latitude in degrees, CGCS2000. The twin holds
// WGS84 (EPSG:4326); the two frames agree to a few centimetres, far below
// positioning accuracy (AQ 3064.3: ≤ 3 m static), so coordinates pass
// unchanged. GEO is WKT ("POLYGON((lon lat, …))", the same axis order),
// which GIS tools and spatial databases on the park side read directly.
// Every time is "2006-01-02 15:04:05" in China Standard Time (UTC+8,
// Asia/Shanghai), the usual form of Chinese government data interfaces.
//
// # Queue bound
//
// Positions coalesce to the latest per person, so they are bounded by the
// number of people; alarm records accumulate while the park is unreachable.
// When positions plus alarm records exceed MaxQueue, the oldest positions
// are dropped first (the next move of that person is sent anyway); only
// when no position is left is the oldest alarm record dropped — unavoidable
// then, since memory is bounded. Drops are counted in
// chemtwin_park_records_dropped_total{table} and logged once per push.
// The person and zone tables are snapshots rebuilt from the twin and are
// never dropped. A table with more than MaxBatch waiting records is sent
// in several pushes, RetryMin apart; the person and zone snapshots are
// always sent whole.
//
// # Concurrency
//
// Uploader is safe for concurrent use. ObserveScene and ObserveAlarm take a
// short lock and never touch the network; Run is the only goroutine that
// posts, and it starts none of its own.
package park
