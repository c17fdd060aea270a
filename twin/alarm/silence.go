package alarm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// Silence is an alarm silencing window (报警静默): alarms of the given types
// in the given areas, raised or updated between From and To, are still
// recorded, persisted and sent to observers, but carry
// Details[DetailSilencedBy] = the silence id so that the viewer and the
// field devices can suppress the sound. Silencing hides nothing.
type Silence struct {
	ID      string    `json:"id"`
	Types   []Type    `json:"types,omitempty"`    // empty: every type
	AreaIDs []string  `json:"area_ids,omitempty"` // area or zone ids; empty: everywhere
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	By      string    `json:"by"` // who set it (required)
	Reason  string    `json:"reason,omitempty"`
}

// Detail keys the manager owns. A Raise that updates an alarm cannot
// remove them, and they do not count as a change of the condition.
const (
	DetailSilencedBy      = "silenced_by"       // id of the Silence that covered the last raise or update
	DetailEventRecordedAt = "event_recorded_at" // RFC 3339: when the alarm became an alarm event record
	DetailClosedBy        = "closed_by"         // who confirmed and closed the alarm (Manager.Close)
	DetailClosedAt        = "closed_at"         // RFC 3339
	DetailCloseNote       = "close_note"
)

var managerDetails = []string{DetailSilencedBy, DetailEventRecordedAt, DetailClosedBy, DetailClosedAt, DetailCloseNote}

// ErrSilence is returned for an invalid silence.
var ErrSilence = errors.New("alarm: invalid silence")

// Unsilenceable reports whether alarms of type t are never silenced.
//
// An SOS (一键报警) is a person asking for help: AQ 3064.3 requires it to
// reach the relevant people within 5 s, and a silenced SOS could be a
// death. A gas level-2 alarm (二级报警, GB/T 50493-2019 §5.5) means a
// concentration at which people must act or leave now; a maintenance
// silence for nuisance level-1 alarms must not swallow it.
func Unsilenceable(t Type) bool { return t == SOS || t == GasLevel2 }

// Validate checks a silence: a name, a window with To after From, known
// types.
func (s Silence) Validate() error {
	if s.By == "" {
		return fmt.Errorf("%w: needs the name of who sets it", ErrSilence)
	}
	if s.From.IsZero() || s.To.IsZero() || !s.To.After(s.From) {
		return fmt.Errorf("%w: window %v … %v is empty", ErrSilence, s.From, s.To)
	}
	for _, t := range s.Types {
		if !t.Valid() {
			return fmt.Errorf("%w: unknown type %q", ErrSilence, t)
		}
	}
	return nil
}

// Covers reports whether the silence applies to a at time at.
func (s Silence) Covers(a *Alarm, at time.Time) bool {
	if Unsilenceable(a.Type) || at.Before(s.From) || !at.Before(s.To) {
		return false
	}
	if len(s.Types) > 0 && !slices.Contains(s.Types, a.Type) {
		return false
	}
	return len(s.AreaIDs) == 0 || slices.Contains(s.AreaIDs, a.AreaID)
}

// SilenceStore keeps silences across restarts (store.Store is one). When
// the manager's Store is also a SilenceStore, NewManager loads the
// silences not yet ended and every AddSilence and RemoveSilence is
// written through before it takes effect; otherwise silences live in
// memory and end with the process.
type SilenceStore interface {
	// PutSilence stores s, replacing the silence with the same ID.
	PutSilence(ctx context.Context, s Silence) error
	// DeleteSilence removes the silence with id.
	DeleteSilence(ctx context.Context, id string) error
	// ActiveSilences returns the silences with To after at, upcoming ones
	// included.
	ActiveSilences(ctx context.Context, at time.Time) ([]Silence, error)
}

// silenceStore returns the manager's store as a SilenceStore, if it is one.
func (m *Manager) silenceStore() (SilenceStore, bool) {
	ss, ok := m.opts.Store.(SilenceStore)
	return ss, ok
}

// loadSilences reads back the silences not yet ended (NewManager).
func (m *Manager) loadSilences(ctx context.Context) error {
	ss, ok := m.silenceStore()
	if !ok {
		return nil
	}
	list, err := ss.ActiveSilences(ctx, m.opts.Clock())
	if err != nil {
		return fmt.Errorf("alarm: load silences: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range list {
		m.silences[s.ID] = s
	}
	if len(list) > 0 {
		m.log.Info("alarm silences loaded", "silences", len(list))
	}
	return nil
}

// AddSilence registers a silence (a new id when ID is empty; an existing id
// is replaced) and returns it. Its window is kept to the millisecond, as
// the store keeps it. With a SilenceStore the silence is written first:
// when the write fails, nothing changes and the error is returned.
// Silences that ended are dropped here.
func (m *Manager) AddSilence(s Silence) (Silence, error) {
	s.From, s.To = s.From.Truncate(time.Millisecond), s.To.Truncate(time.Millisecond)
	if err := s.Validate(); err != nil {
		return Silence{}, err
	}
	s.Types, s.AreaIDs = slices.Clone(s.Types), slices.Clone(s.AreaIDs)
	now := m.opts.Clock()
	if s.ID == "" {
		s.ID = "SI" + newID(now)[2:]
	}
	m.silenceMu.Lock() // one silence write at a time: the store and memory agree on the last
	defer m.silenceMu.Unlock()
	if ss, ok := m.silenceStore(); ok {
		if err := m.writeSilence(func(ctx context.Context) error { return ss.PutSilence(ctx, s) }); err != nil {
			return Silence{}, fmt.Errorf("alarm: persist silence %s: %w", s.ID, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, old := range m.silences {
		if !old.To.After(now) {
			delete(m.silences, id)
		}
	}
	m.silences[s.ID] = s
	m.log.Info("alarm silence added", "id", s.ID, "by", s.By, "types", s.Types, "areas", s.AreaIDs, "from", s.From, "to", s.To)
	return s, nil
}

// RemoveSilence ends a silence now; ErrNotFound for an unknown id. With a
// SilenceStore the removal is written first: when the write fails, the
// silence stays and the error is returned.
func (m *Manager) RemoveSilence(id string) error {
	m.silenceMu.Lock()
	defer m.silenceMu.Unlock()
	m.mu.Lock()
	_, ok := m.silences[id]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: silence %s", ErrNotFound, id)
	}
	if ss, ok := m.silenceStore(); ok {
		if err := m.writeSilence(func(ctx context.Context) error { return ss.DeleteSilence(ctx, id) }); err != nil {
			return fmt.Errorf("alarm: persist removal of silence %s: %w", id, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.silences, id)
	m.log.Info("alarm silence removed", "id", id)
	return nil
}

// writeSilence runs one silence write, bounded like a retried alarm
// write, without holding mu: alarms keep flowing while the disk works.
func (m *Manager) writeSilence(write func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), retryTimeout)
	defer cancel()
	return write(ctx)
}

// Silences returns the silences not yet ended, earliest start first.
func (m *Manager) Silences() []Silence {
	now := m.opts.Clock()
	m.mu.Lock()
	out := make([]Silence, 0, len(m.silences))
	for _, s := range m.silences {
		if s.To.After(now) {
			out = append(out, s)
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].From.Equal(out[j].From) {
			return out[i].From.Before(out[j].From)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// silencedBy returns the id of a silence covering a at time at, or "". The
// caller holds mu.
func (m *Manager) silencedBy(a *Alarm, at time.Time) string {
	best := ""
	for id, s := range m.silences {
		if s.Covers(a, at) && (best == "" || id < best) {
			best = id
		}
	}
	return best
}

// stamp returns the details of a raise or update of a: next with the
// manager's keys carried over from prev and the silence re-evaluated at
// time at. It never modifies prev or next (observers may hold them). The
// caller holds mu.
func (m *Manager) stamp(a *Alarm, prev, next map[string]any, at time.Time) map[string]any {
	out := maps.Clone(next)
	if out == nil {
		out = make(map[string]any, 1)
	}
	for _, k := range managerDetails {
		delete(out, k)
		if v, ok := prev[k]; ok && k != DetailSilencedBy {
			out[k] = v
		}
	}
	if id := m.silencedBy(a, at); id != "" {
		out[DetailSilencedBy] = id
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sameCondition reports whether a raise's details equal the open alarm's,
// ignoring the manager's keys.
func sameCondition(open, raised map[string]any) bool {
	n := 0
	for k, v := range raised {
		if slices.Contains(managerDetails, k) {
			continue
		}
		w, ok := open[k]
		if !ok || fmt.Sprint(v) != fmt.Sprint(w) {
			return false
		}
		n++
	}
	for k := range open {
		if !slices.Contains(managerDetails, k) {
			n--
		}
	}
	return n == 0
}

// withDetails returns a copy of d with the entries of add set.
func withDetails(d, add map[string]any) map[string]any {
	out := maps.Clone(d)
	if out == nil {
		out = make(map[string]any, len(add))
	}
	maps.Copy(out, add)
	return out
}
