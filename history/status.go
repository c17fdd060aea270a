package history

import "fmt"

// Status is the recorder's health, for /healthz.
type Status struct {
	// Healthy is false while a kind is retrying a failed write, is still
	// writing the backlog of an outage, or holds more than a quarter of
	// Options.Buffer.
	Healthy bool `json:"healthy"`
	// Reasons say why it is not.
	Reasons []string `json:"reasons,omitempty"`
	// Kinds has the figures of positions, readings and rollups.
	Kinds map[string]KindStatus `json:"kinds"`
}

// KindStatus are the figures of one kind since the recorder started.
type KindStatus struct {
	Backlog  int   `json:"backlog"` // rows held, not yet written
	Written  int64 `json:"written"`
	Dropped  int64 `json:"dropped"`  // buffer overflow
	Rejected int64 `json:"rejected"` // refused by the store as invalid
	Retrying bool  `json:"retrying"` // the last write failed
	// CatchingUp is set by a failed write and cleared once the buffer has
	// been emptied after it: the outage's rows are all written.
	CatchingUp bool   `json:"catching_up"`
	LastError  string `json:"last_error,omitempty"`
}

// Status returns the recorder's health and figures. It also refreshes the
// backlog gauge.
func (r *Recorder) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Status{Healthy: true, Kinds: make(map[string]KindStatus, len(r.lanes))}
	for _, l := range r.lanes {
		ks := l.status()
		st.Kinds[l.name()] = ks
		r.metrics.backlog.WithLabelValues(l.name()).Set(float64(ks.Backlog))
		switch {
		case ks.Retrying:
			st.Healthy = false
			st.Reasons = append(st.Reasons, fmt.Sprintf("%s: retrying after a failed write: %s", l.name(), ks.LastError))
		case ks.CatchingUp:
			st.Healthy = false
			st.Reasons = append(st.Reasons, fmt.Sprintf("%s: writing the %d rows held during an outage", l.name(), ks.Backlog))
		}
		if ks.Backlog > r.opts.Buffer/4 {
			st.Healthy = false
			st.Reasons = append(st.Reasons, fmt.Sprintf("%s: %d rows waiting to be written", l.name(), ks.Backlog))
		}
	}
	return st
}

// Healthy reports whether the recorder keeps up with the store.
func (r *Recorder) Healthy() bool { return r.Status().Healthy }
