// Package stream is the websocket hub behind GET /ws: it turns the twin's
// deltas and the alarm engine's events into live frames for the viewer and
// other clients, per client layers and bbox, with bounded memory for slow
// clients.
//
// Wiring:
//
//	hub := stream.New(stream.Options{Scene: scene, Registerer: reg, ActiveAlarms: activeAlarms})
//	scene.Observe(hub.Publish)          // every Apply's deltas
//	onAlarmEvent := hub.PublishAlarm    // every alarm lifecycle step
//	mux.Handle("GET /ws", hub)
//	g.Go(func() error { return hub.Run(ctx) })
//
// A Hub is safe for concurrent use. Publish and PublishAlarm never block on
// clients and do no encoding of features; Run is the flush loop and, when
// its context ends, closes every client (1001) and waits for their
// goroutines.
//
// # Protocol
//
// JSON text frames, one object each, with a "type". Every server frame has
// "seq" (see Sequence numbers) and "ts" (server time, epoch milliseconds).
//
// Client → server:
//
//	{"type":"subscribe","layers":["people","vehicles","gas_detectors","alarms"],
//	 "bbox":[minLon,minLat,maxLon,maxLat],"token":"…"}
//	{"type":"resync"}
//
// layers are twin layer ids (twin.Layers; at least one); "alarms" is a
// layer too and subscribes to alarm frames. bbox is optional (WGS84
// degrees, min ≤ max; no antimeridian crossing). token is needed when the
// server requires one and the client did not connect with ?token=. A new
// subscribe replaces the subscription and is answered by a new snapshot;
// resync asks for a fresh snapshot of the current one.
//
// A malformed message, an unknown type, an unknown layer or a bad bbox is
// answered with {"type":"error","seq","ts","code":"bad_request","message"}
// and the connection stays up. A refused token gets code "unauthorized"
// and the connection is closed with 1008. A message over 64 KiB (after
// decompression) closes the connection with 1009.
//
// Server → client:
//
//	{"type":"snapshot","seq","ts","rev","layers":{"people":<FeatureCollection>,…},"alarms":[…]}
//
// The subscribed layers as GeoJSON FeatureCollections (features whose
// bound meets the bbox; without a bbox also unplaced entities, with a null
// geometry), at scene revision rev. "alarms" holds the active alarms and is
// present when the alarms layer is subscribed. A snapshot replaces all the
// client's state for its subscription.
//
//	{"type":"delta","seq","ts","rev","upserts":[<Feature>…],"removes":[{"id","layer"}…]}
//
// Entities added or changed (the whole feature, same shape as in the
// snapshot and /api/v1/entities/{id}) and removed. An upsert is sent when
// the entity's bound meets the bbox; a remove for any entity of a
// subscribed layer (ignore ids you do not hold). An entity that moves into
// the bbox arrives as an upsert first.
//
// A remove is also how the client learns that a change took an entity it
// was shown out of its view while the entity lives on: an edit whose new
// geometry no longer meets the bbox (a fence redrawn elsewhere), or a kind
// change into another layer; the remove names the layer the entity left.
// Should the entity come back into view, it arrives as an upsert again.
// After a kind change, a client holding both layers gets the remove from
// the old layer in a delta of its own, before the delta with the upsert in
// the new one. People and vehicles that leave the bbox by a move are told
// by their positions item instead (below).
//
//	{"type":"positions","seq","ts","rev","items":[[id,lon,lat,z,floor,ts_ms],…]}
//
// Moves of people and vehicles, batched (FlushInterval, 20 ms) and
// coalesced: one item per entity, its latest fix. lon/lat are rounded to
// 1e-7° (~1 cm), z (metres above ground) to 1 mm, floor is the building
// floor (0 outdoors), ts_ms the fix's measurement time. A move is sent when
// the new or the previous position is in the bbox: an item outside the
// bbox means the entity left it. The server sends a batch's delta frame
// before its positions frame; apply frames in order.
//
//	{"type":"alarm","seq","ts","action":"raised|updated|acknowledged|cleared","alarm":{…}}
//
// One alarm lifecycle step, the alarm as in the REST API; not filtered by
// the bbox. Keep the alarm by id; "cleared" takes it off the active list.
//
// # Sequence numbers
//
// snapshot, delta and positions share the live sequence of the client's
// subscription: after a snapshot with seq S the next live frame has
// seq S+1, then S+2, …. A gap means live frames were dropped because the
// client fell behind; the server already has a fresh snapshot on the way
// (the client may also send resync). alarm frames carry the hub's alarm
// sequence, which rises by one per alarm event: alarms are never dropped,
// so a gap cannot happen while connected. error frames count this
// connection's errors. "rev" is the scene revision (the highest in the
// frame), for ordering against REST reads.
//
// Right after a snapshot, a live frame built just before it may still
// arrive (its seq is above the snapshot's). Applying it is safe — a newer
// update for the same entity follows — but to avoid a visible step back,
// ignore a position older than the one you hold: positions items carry
// the fix time (ts_ms), features carry it in properties.ts (RFC 3339).
//
// # Backpressure
//
// Kernel socket buffers can hide 30–40 s of stale data from a slow client
// before a 5 s write deadline trips, and per-client copies of every frame
// cost ~1 GB with 2,000 clients at 10 Hz (measured with gorilla/websocket).
// So:
//
//   - Publish folds deltas into one pending batch: moves latest-wins per
//     entity, upserts/removes latest-wins per entity. Its size is bounded by
//     the scene however long a flush waits.
//   - The flush loop, at most every FlushInterval, groups clients by
//     identical subscription (layers + bbox) and builds each group's delta
//     and positions frames once, as websocket.PreparedMessage: encoded once,
//     and compressed once per group (permessage-deflate is negotiated).
//     Items and features are encoded once per batch and shared by groups.
//   - Each client has one writer goroutine and small bounded queues: alarms
//     (AlarmQueue, 1024) are written first, then error replies, then a due
//     snapshot, then live frames (QueueFrames, 8).
//   - When a client's live queue is full, its queued live frames are thrown
//     away (chemtwin_ws_dropped_frames_total{reason="queue_full"}) and it is
//     marked for resync: its writer builds a fresh snapshot when it is ready
//     to write (latest state wins). The flush loop never waits for a client.
//   - Alarms are never dropped. A client whose alarm queue overflows (more
//     than AlarmQueue alarms waiting: a burst faster than its connection)
//     is disconnected with 1013 (try again later) and logged; on reconnect
//     its snapshot carries the active alarms.
//   - Members of a group that need a snapshot at the same live seq share
//     one (built, encoded and compressed once), so a resync storm after a
//     stall costs one snapshot per group.
//   - Each socket's kernel send buffer is shrunk to SendBuffer (64 KiB), every
//     write has a deadline (WriteTimeout, 5 s), and a ping every
//     PingInterval (20 s), sent between frames even while busy, expects a
//     pong (or any message) within 2.5 intervals. A client that stops
//     reading is disconnected by the write deadline.
//   - Snapshots are cloned under the scene's read lock and encoded after it.
//   - The hub remembers the layer and bound its clients were last shown of
//     each entity (one map entry per entity, advanced by every flush), so
//     that an edit taking an entity out of a client's view costs one
//     lookup, not a scan.
//
// Metrics: chemtwin_ws_clients, chemtwin_ws_frames_total{type},
// chemtwin_ws_dropped_frames_total{reason}, chemtwin_ws_rejected_total{reason},
// chemtwin_ws_resyncs_total, chemtwin_ws_disconnects_total{reason},
// chemtwin_ws_encode_errors_total.
//
// # Client recipe
//
// Connect, subscribe, wait for the snapshot and replace your state with it.
// Apply delta and positions frames in order. On a seq gap, keep going: a
// snapshot follows; send resync if none comes. On close 1013 or any drop,
// reconnect with backoff and subscribe again. Re-subscribe with the new
// bbox when the camera moves far (with some margin, to avoid churn).
package stream
