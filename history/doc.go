// Package history records the plant's time series — kept position fixes of
// people and vehicles, raw gas-detector readings and their per-minute
// rollups — into a store.History, and deletes them again when they are older
// than the retention periods.
//
// # Recording
//
// A Recorder observes the twin (twin.Scene.Observe(rec.Observe)). Observe
// runs on the scene's publishing path, so it only down-samples and appends
// rows to bounded in-memory buffers; it never does I/O and never waits for
// the store. Run, in its own goroutine, writes the buffers in batches (the
// store turns a batch into one COPY on PostgreSQL or one WAL transaction on
// SQLite), one writer per kind:
//
//	positions  OpMove deltas of people and vehicles, down-sampled per entity:
//	           a fix is kept when it is the first, lies more than KeepMoveM
//	           from the last kept fix (geo.DistanceM), is KeepEvery or more
//	           after it, or changes floor or area.
//	readings   OpUpsert deltas of gas detectors that carry a new reading
//	           (value, unit, fault at Entity.Reported); upserts that only
//	           change the derived "state" are skipped.
//	rollups    per detector and UTC minute: min, max, sum and count of the
//	           non-faulted readings, emitted when the minute closes (a later
//	           minute's reading arrives, or the clock passes the minute's end
//	           plus RollupGrace) and at shutdown. A minute emitted twice (a late
//	           reading, a restart) is merged by the store.
//
// # Failures
//
// A batch the store fails to write is kept and retried with exponential
// backoff (RetryMin … RetryMax) while new rows keep arriving; a batch the
// store refuses as invalid (store.ErrInvalid) is bisected so that only the
// invalid rows are dropped (counted as rejected). When a buffer is full the
// oldest rows are dropped, counted in chemtwin_history_dropped_total{kind}
// and reported to Options.OnOverflow. Status reports the recorder degraded,
// for /healthz, while a kind is retrying, is still writing what it held
// during an outage, or is backlogged. Writes are at least once: a batch
// whose commit succeeded but whose answer was lost is written again.
//
// # Retention
//
// Retention deletes, per kind, the rows older than its period (positions
// and readings 400 days, rollups 3 years by default; AQ 3064.3-2025 asks for
// positioning data to be kept at least one year), once at start and then
// hourly.
//
// # Concurrency
//
// Recorder and Retention are safe for concurrent use. Run may be called once
// per value; it returns when its context ends, after flushing what the
// recorder still holds (bounded by Options.FlushTimeout).
package history
