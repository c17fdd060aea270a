package permit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Entry is one step in a permit's log: who did what, when, and the hash
// chaining it to the entry before (SHA-256 over the previous hash and this
// entry's canonical JSON), so that a changed, dropped or reordered entry
// shows (VerifyLog). The service anchors each new head hash in the
// append-only audit log as well.
type Entry struct {
	Seq    int            `json:"seq"` // from 1
	At     time.Time      `json:"at"`
	By     string         `json:"by"`
	Action string         `json:"action"` // create, apply, confirm_measure, gas_analysis, approve, start, …
	Detail map[string]any `json:"detail,omitempty"`
	Status string         `json:"status"` // the permit's status after the step
	Prev   string         `json:"prev"`   // the previous entry's hash; "" for the first
	Hash   string         `json:"hash"`
}

// entryHash is the hash of e chained to prev: SHA-256 of prev and the JSON
// of e without its hash (encoding/json sorts map keys, so the encoding is
// canonical for a given entry).
func entryHash(e Entry) (string, error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Record appends a step to p's log and returns its hash. Times are kept
// to the millisecond (as the stores keep them) and in UTC.
func (p *Permit) Record(by, action string, detail map[string]any, at time.Time) (string, error) {
	e := Entry{Seq: len(p.Log) + 1, At: at.UTC().Truncate(time.Millisecond), By: by, Action: action, Detail: detail, Status: p.Status}
	if n := len(p.Log); n > 0 {
		e.Prev = p.Log[n-1].Hash
	}
	if detail != nil {
		// Round-trip the detail so that it hashes the same after a store
		// round trip (numbers as float64, structs as maps).
		b, err := json.Marshal(detail)
		if err != nil {
			return "", fmt.Errorf("permit: log detail: %w", err)
		}
		e.Detail = nil
		if err := json.Unmarshal(b, &e.Detail); err != nil {
			return "", fmt.Errorf("permit: log detail: %w", err)
		}
	}
	h, err := entryHash(e)
	if err != nil {
		return "", fmt.Errorf("permit: log: %w", err)
	}
	e.Hash = h
	p.Log = append(p.Log, e)
	return h, nil
}

// VerifyLog checks p's log: sequence numbers from 1, each entry chained to
// the one before and hashing to its recorded hash. It names the first
// entry that fails.
func (p *Permit) VerifyLog() error {
	prev := ""
	for i, e := range p.Log {
		if e.Seq != i+1 || e.Prev != prev {
			return fmt.Errorf("%w: permit %s log entry %d: out of sequence or chain", ErrInvalid, p.ID, i+1)
		}
		h, err := entryHash(e)
		if err != nil || h != e.Hash {
			return fmt.Errorf("%w: permit %s log entry %d (%s): altered", ErrInvalid, p.ID, e.Seq, e.Action)
		}
		prev = e.Hash
	}
	return nil
}
