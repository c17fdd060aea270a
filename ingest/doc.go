// Package ingest feeds the twin from MQTT: gateways, gas detectors,
// weather stations and cameras publish JSON, and ingest validates every
// message, turns it into a twin.Change (Move for tags, SetState for the
// rest) and hands it to Scene.Apply. It also publishes alarm events back
// on MQTT. The broker is chemtwin's embedded one (package ingest/broker) or
// any external MQTT 3.1.1/5 broker (`--mqtt tcp://host:port`).
//
// # Topics
//
// {site} is Options.SiteID (the scene's site id by default; `demo` in the
// demo). Ingest subscribes with QoS 1 to one `+` filter per kind; the
// publisher's QoS caps each delivery (positions are usually QoS 0).
//
//	chemtwin/{site}/tags/{tag}/position      kind "position"
//	chemtwin/{site}/tags/{tag}/rssi          kind "rssi"
//	chemtwin/{site}/detectors/{id}/reading   kind "reading"
//	chemtwin/{site}/weather/{station}        kind "weather"
//	chemtwin/{site}/cameras/{id}/events      kind "camera"
//	chemtwin/{site}/tags/{tag}/ack           kind "ack" (a wearer acknowledged a notice)
//	chemtwin/{site}/alarms                   published by chemtwin (PublishAlarm)
//	chemtwin/{site}/tags/{tag}/notify        published by chemtwin (PublishNotify)
//
// The id level must be 1–128 bytes of UTF-8 without control characters.
//
// # Payloads
//
// Every payload is a JSON object of at most MaxPayload bytes (64 KiB).
// Field names match exactly; unknown fields are ignored; null counts as
// absent. `ts` is the measurement time, RFC 3339 (any offset, fractions
// allowed) or epoch milliseconds (a JSON number); when absent the receive
// time is used. Epoch seconds are not accepted (they read as 1970 and are
// rejected as stale).
//
//	position  lon, lat (degrees, WGS84) or x, y (plant-frame metres; refused
//	          when the scene has no frame), never both; optional z (metres
//	          above ground, −500…5000), floor (integer −99…999), battery
//	          (percent 0–100), sos (boolean), speed (m/s 0–60), accuracy
//	          (1σ horizontal metres, (0, 1000]). A fix with an accuracy is
//	          a raw UWB/GNSS fix: it goes through the tag's positioning
//	          filter (geo/locate: same filter, floors and map constraint as
//	          BLE); one without is taken as already solved (a vendor's
//	          positioning engine, the simulator). → twin.Move by tag. A tag no one holds becomes an unregistered
//	          person (twin's registry; counted).
//	rssi      beacons: [{"id": string, "rssi": dBm −120…0}], 1–64 entries (a
//	          repeated id keeps its strongest); optional gateway (string),
//	          battery, sos. Beacon ids the scene does not hold as beacons are
//	          skipped and counted. The positioning solver (geo/locate:
//	          log-distance path loss, robust weighted least squares, an
//	          IMM Kalman filter per tag constrained by walkways, building
//	          footprints and floors) turns the report into a fix with a
//	          floor. Reports of one tag must come in time order (an older
//	          one is out_of_order). → twin.Move by tag.
//	reading   value (finite number, |value| ≤ 1e9), unit (%LEL, ppm, mg/m3,
//	          %VOL; must equal the detector's `unit` prop when it has one);
//	          optional fault (boolean, or a string fault code: "" = none).
//	          → SetState on the gas_detector: value, unit, fault (boolean),
//	          fault_code (string, removed when none), reading_ts (RFC 3339).
//	weather   wind_speed (m/s at 10 m, 0–75), wind_from (degrees 0–360);
//	          optional temp_c (−60…60), cloud_octas (integer 0–8), stability
//	          (Pasquill class "A"…"F"). → SetState on the weather_station:
//	          the same keys plus reading_ts; absent optional keys are removed.
//	camera    type (lowercase identifier [a-z][a-z0-9_]*, ≤ 32 bytes; known:
//	          no_helmet, smoking, intrusion, smoke_fire, fall, phone; others
//	          accepted and counted), confidence (0–1). → SetState on the
//	          camera: last_event, confidence, event_ts.
//	ack       ref (the acknowledged notice's id, e.g. an evacuation order's;
//	          1–128 bytes as an id level). → Options.OnAck, no scene
//	          change (rejected as unknown_entity without a listener).
//
// # Validation and rejection reasons
//
// The parsers (ParsePosition, ParseRSSI, ParseReading, ParseWeather,
// ParseCameraEvent, ParseAck, ParseTopic) are pure functions of the payload and an Env
// (receive time, limits, plant frame, site origin), fuzzed. Scene checks
// (entity exists and is of the topic's kind, unit, known beacons) happen in
// the applier. Each rejected message is counted once with one reason:
//
//	bad_json          not a JSON object (malformed, array, null, …)
//	bad_field         a field missing, of the wrong type, not finite
//	                  (e.g. 1e999) or out of range
//	bad_position      no lon/lat or x/y, both, half a pair, out of range, or
//	                  x/y without a plant frame
//	oversize          payload larger than MaxPayload
//	unknown_topic     topic outside the contract or with a bad id level
//	unknown_entity    detector, station or camera id not in the scene or of
//	                  another kind; an RSSI message with no known beacon
//	unit_mismatch     reading unit differs from the detector's unit
//	future_timestamp  ts more than MaxFutureSkew (60 s) ahead of now
//	stale_timestamp   ts more than MaxAge (10 min) before now
//	out_of_order      older than the entity's current state (twin.ErrStale; a
//	                  fix must be newer than the last fix): a replayed or
//	                  reordered message
//	far_from_site     a position more than MaxDistanceM (5 km) from the site
//	                  origin (the frame origin, else the site root's point)
//	apply_failed      the twin refused the change for another reason
//	internal          a parser panicked (a bug; recovered and logged)
//
// Rejections are logged at debug level, and at warn level at most once per
// reason every 10 s (with the number suppressed since).
//
// # Metrics
//
//	chemtwin_ingest_messages_total{kind}                 accepted and applied
//	chemtwin_ingest_rejected_total{kind,reason}          rejected (kind "unknown" for bad topics)
//	chemtwin_ingest_unregistered_tags_total              unknown tags registered as people
//	chemtwin_ingest_unknown_beacons_total                beacon entries skipped
//	chemtwin_ingest_unknown_camera_events_total          camera events of unknown types
//	chemtwin_ingest_apply_seconds                        histogram: one Scene.Apply
//	chemtwin_ingest_batch_size                           histogram: changes per Apply
//	chemtwin_ingest_queue_length                         parsed messages waiting
//	chemtwin_ingest_connected                            1 while connected and subscribed
//	chemtwin_ingest_alarms_published_total{result}       PublishAlarm outcomes (ok, error)
//
// # Flow and backpressure
//
// The MQTT callback only routes, parses and enqueues into a bounded queue
// (8 × BatchSize). One applier goroutine drains it into batches of up to
// BatchSize (or what is queued), checks them against the scene under one
// read lock and applies them with one Scene.Apply. A full queue blocks the
// callback, which stops the client reading from the broker: backpressure
// into TCP, never a drop inside chemtwin. (A broker may still drop for a
// subscriber that stays behind for long: mochi beyond 8,192 pending
// messages, mosquitto beyond max_queued_messages.)
//
// The client reconnects by itself and resubscribes on every connect. With
// the default client id the session is clean; an explicit Options.ClientID
// asks for a persistent session, so that the broker queues QoS 1 messages
// while chemtwin is away.
//
// # Concurrency
//
// An Ingest is safe for concurrent use: Run once, Connected and
// PublishAlarm from any goroutine. The parse functions are pure and safe
// for concurrent use.
package ingest
