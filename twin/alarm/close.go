package alarm

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// DefaultEventAfter is how long an alarm may stay uncleared before it
// becomes an alarm event record (报警事件): 30 s, AQ 3064.3—2025.
const DefaultEventAfter = 30 * time.Second

// Close confirms and closes an alarm by a named person (确认并关闭): for
// conditions that must be confirmed by someone on site before the alarm
// ends (a dispersed orange or red gathering, an alarm whose source cannot
// report that it is gone). An open alarm becomes cleared; one not yet
// acknowledged is acknowledged by the same person with the same note. The
// closure is recorded in Details (DetailClosedBy, DetailClosedAt,
// DetailCloseNote) and observers get ActionClosed. Closing needs a name and
// happens once: closing a closed alarm is ErrState.
//
// Close does not check the condition itself: the rule that owns it does
// (gather.Service.Confirm refuses while the group is still together). If
// the condition persists, the rule's next Raise opens a new alarm.
func (m *Manager) Close(ctx context.Context, id, by, note string) (Alarm, error) {
	a, seq, err := m.close(ctx, id, by, note)
	if err != nil {
		return a, err
	}
	return a, m.waitStored(ctx, seq)
}

func (m *Manager) close(ctx context.Context, id, by, note string) (Alarm, uint64, error) {
	if by == "" {
		return Alarm{}, 0, fmt.Errorf("%w: closing needs a name", ErrState)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.openByID(id)
	if a == nil {
		stored, err := m.storedAlarm(ctx, id)
		if err != nil {
			return Alarm{}, 0, err
		}
		a = &stored
	}
	if who, ok := a.Details[DetailClosedBy]; ok {
		return *a, 0, fmt.Errorf("%w: %s was closed by %v", ErrState, id, who)
	}
	now := m.opts.Clock()
	if a.AckedAt == nil {
		a.AckedAt, a.AckedBy, a.AckNote = &now, by, note
	}
	closed := map[string]any{DetailClosedBy: by, DetailClosedAt: now.UTC().Format(time.RFC3339Nano)}
	if note != "" {
		closed[DetailCloseNote] = note
	}
	a.Details, a.UpdatedAt = withDetails(a.Details, closed), now
	if a.State != Cleared {
		delete(m.open, a.Key)
		m.openByType.WithLabelValues(string(a.Type)).Dec()
		a.State, a.ClearedAt = Cleared, &now
	}
	seq, err := m.commit(ctx, ActionClosed, *a)
	return *a, seq, err
}

// RecordEvents marks every open alarm raised at least EventAfter ago and
// not yet marked as an alarm event record (AQ 3064.3—2025: an alarm not
// cleared within 30 s is recorded as an alarm event): Details gains
// DetailEventRecordedAt (the manager's clock) and observers get
// ActionEvent, once per alarm. Run calls it every EventEvery; it returns
// the alarms it marked, oldest raised first.
func (m *Manager) RecordEvents(ctx context.Context) ([]Alarm, error) {
	now := m.opts.Clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*Alarm
	for _, a := range m.open {
		if _, done := a.Details[DetailEventRecordedAt]; !done && now.Sub(a.RaisedAt) >= m.opts.EventAfter {
			due = append(due, a)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].RaisedAt.Equal(due[j].RaisedAt) {
			return due[i].RaisedAt.Before(due[j].RaisedAt)
		}
		return due[i].ID < due[j].ID
	})
	out := make([]Alarm, 0, len(due))
	var errs []error
	stampAt := now.UTC().Format(time.RFC3339Nano)
	for _, a := range due {
		a.Details = withDetails(a.Details, map[string]any{DetailEventRecordedAt: stampAt})
		a.UpdatedAt = now
		out = append(out, *a)
		_, err := m.commit(ctx, ActionEvent, *a)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// sleep waits d, recording alarm events on every tick meanwhile. It
// returns false when ctx ends first.
func (m *Manager) sleep(ctx context.Context, tick <-chan time.Time, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tick:
			m.recordEvents(ctx)
		case <-t.C:
			return true
		}
	}
}

// recordEvents is RecordEvents for Run: failures are logged by commit and
// retried with the other dirty alarms.
func (m *Manager) recordEvents(ctx context.Context) {
	if marked, _ := m.RecordEvents(ctx); len(marked) > 0 {
		m.log.Info("alarm events recorded", "alarms", len(marked))
	}
}
