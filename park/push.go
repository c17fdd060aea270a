package park

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/chemtwin/chemtwin/twin"
)

// Batch modes of the envelope.
const (
	ModeFull        = "full"        // the whole table: rows absent are gone
	ModeIncremental = "incremental" // rows changed since the last accepted push
)

// Envelope is the body of one POST: one table of one push.
type Envelope struct {
	EnterpriseCode string `json:"enterprise_code"`
	Table          string `json:"table"`
	Mode           string `json:"mode"`
	SentAt         string `json:"sent_at"` // TimeLayout, China Standard Time
	Count          int    `json:"count"`
	Records        any    `json:"records"`
}

// batch is one table's records of a push and what to do once accepted.
type batch struct {
	table, mode string
	records     any
	n           int
	commit      func() // called under mu when the park accepted the batch
}

// collect builds the batches of one push, in table order: the snapshot
// tables first (so that ids are known), then positions, then alarms.
func (u *Uploader) collect() []batch {
	u.mu.Lock()
	defer u.mu.Unlock()
	var bs []batch
	u.more = false
	if gen := u.personGen; gen != u.personSent {
		recs := make([]PersonRecord, 0, len(u.people))
		for _, p := range u.people {
			recs = append(recs, p.rec)
		}
		sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
		bs = append(bs, batch{TablePerson, ModeFull, recs, len(recs), func() { u.personSent = gen }})
	}
	if gen := u.zoneGen; gen != u.zoneSent {
		recs := make([]ZoneRecord, 0, len(u.zones))
		for _, z := range u.zones {
			recs = append(recs, z.rec)
		}
		sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
		bs = append(bs, batch{TableZone, ModeFull, recs, len(recs), func() { u.zoneSent = gen }})
	}
	if b, ok := u.positions(); ok {
		bs = append(bs, b)
	}
	for _, t := range []string{TablePersonAlarm, TableZoneAlarm, TableGathering} {
		if b, ok := u.alarmBatch(t); ok {
			bs = append(bs, b)
		}
	}
	return bs
}

// positions batches the people whose position changed since the park last
// accepted one, each once, latest fix, at most MaxBatch.
func (u *Uploader) positions() (batch, bool) {
	ids := make([]string, 0, len(u.pending))
	for id, f := range u.pending {
		if k, ok := u.acked[id]; ok && k == keyOf(f) {
			delete(u.pending, id) // not moved: nothing to send
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return batch{}, false
	}
	sort.Strings(ids)
	if len(ids) > u.opts.MaxBatch {
		ids, u.more = ids[:u.opts.MaxBatch], true
	}
	recs := make([]PositionRecord, len(ids))
	sent := make(map[string]twin.Fix, len(ids))
	for i, id := range ids {
		f := u.pending[id]
		var tag, area string
		if p := u.people[id]; p != nil {
			tag, area = p.rec.TagID, p.area
		}
		recs[i] = positionRecord(id, tag, area, f)
		sent[id] = f
	}
	commit := func() {
		for id, f := range sent {
			if cur, ok := u.pending[id]; ok && !cur.At.After(f.At) {
				delete(u.pending, id)
			}
			u.acked[id] = keyOf(f)
		}
	}
	return batch{TablePosition, ModeIncremental, recs, len(recs), commit}, true
}

// alarmBatch takes the oldest alarm records of a table, in order.
func (u *Uploader) alarmBatch(table string) (batch, bool) {
	q := u.alarms[table]
	if len(q) == 0 {
		return batch{}, false
	}
	if len(q) > u.opts.MaxBatch {
		q, u.more = q[:u.opts.MaxBatch], true
	}
	recs := make([]json.RawMessage, len(q))
	for i, r := range q {
		recs[i] = r.raw
	}
	last := q[len(q)-1].seq
	commit := func() {
		cur := u.alarms[table]
		n := sort.Search(len(cur), func(i int) bool { return cur[i].seq > last })
		u.alarms[table] = cur[n:]
		u.nalarms -= n
	}
	return batch{table, ModeIncremental, recs, len(recs), commit}, true
}

// backlog reports whether the last push left records behind because a
// table held more than MaxBatch (after an outage): Run pushes again soon.
func (u *Uploader) backlog() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.more
}

// Push sends everything waiting, one POST per table. It stops at the first
// batch that fails (the rest waits for the next push, order kept) and
// returns that error; a batch the park refuses as malformed is dropped,
// counted and logged, and the push goes on. The first Push reads the scene
// (Options.Scene) for the initial snapshot.
func (u *Uploader) Push(ctx context.Context) error {
	u.pushMu.Lock()
	defer u.pushMu.Unlock()
	u.seed()
	for _, b := range u.collect() {
		err := u.post(ctx, b)
		var rej *RejectedError
		switch {
		case errors.As(err, &rej):
			u.m.rejected.WithLabelValues(b.table).Inc()
			u.m.dropped.WithLabelValues(b.table).Add(float64(b.n))
			u.log.Error("park refused a batch; dropped", "table", b.table, "records", b.n, "status", rej.Status, "body", rej.Body)
		case err != nil:
			u.m.failed.WithLabelValues(b.table).Inc()
			return fmt.Errorf("park: push %s: %w", b.table, err)
		default:
			u.m.sent.WithLabelValues(b.table).Inc()
			u.m.records.WithLabelValues(b.table).Add(float64(b.n))
		}
		u.mu.Lock()
		b.commit()
		u.mu.Unlock()
	}
	u.m.lastOK.Set(float64(u.opts.Clock().UnixNano()) / 1e9)
	return nil
}
