// Package store defines chemtwin's durable storage: users, sessions, alarms,
// alarm silences, the event log and the append-only audit log.
// Implementations live in sub-packages (store/sqlite, the embedded default;
// store/postgres with W3) and all pass the conformance suite in
// store/storetest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a unique key is already taken.
var ErrConflict = errors.New("store: conflict")

// ErrInvalid is returned for a record the store refuses (empty keys, text
// that is not UTF-8 or holds NUL, non-finite coordinates). Retrying it cannot
// succeed.
var ErrInvalid = errors.New("store: invalid record")

// ErrClosed is returned by calls after Close.
var ErrClosed = errors.New("store: closed")

// Store is durable storage. Implementations are safe for concurrent use.
type Store interface {
	// PutUser inserts a user or updates the one with the same username.
	PutUser(ctx context.Context, u User) error
	// User returns the user named username.
	User(ctx context.Context, username string) (User, error)
	// Users lists every user ordered by username.
	Users(ctx context.Context) ([]User, error)

	// PutSession stores a login session.
	PutSession(ctx context.Context, s Session) error
	// Session returns the session whose token hashes to tokenHash.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// DeleteSession removes a session (logout).
	DeleteSession(ctx context.Context, tokenHash string) error
	// PurgeSessions deletes sessions that expired before t.
	PurgeSessions(ctx context.Context, t time.Time) (int64, error)

	// SaveAlarm inserts an alarm or updates it by id.
	SaveAlarm(ctx context.Context, a alarm.Alarm) error
	// SaveAlarms saves several alarms in one transaction, in order (a
	// later state of the same id wins): all or none.
	SaveAlarms(ctx context.Context, as []alarm.Alarm) error
	// Alarm returns one alarm.
	Alarm(ctx context.Context, id string) (alarm.Alarm, error)
	// Alarms lists alarms matching f, newest raised first.
	Alarms(ctx context.Context, f alarm.Filter) ([]alarm.Alarm, error)

	// AppendEvents adds events to the event log in one transaction.
	AppendEvents(ctx context.Context, evs []Event) error
	// Events lists events matching f, oldest first.
	Events(ctx context.Context, f EventFilter) ([]Event, error)

	// AppendAudit adds an entry to the append-only audit log.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit lists audit entries matching f, oldest first.
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// History holds positions, readings and rollups.
	History
	// Edits holds the run-time scene edits.
	Edits
	// Silences holds the alarm silencing windows.
	Silences
	// Scenarios holds the saved what-if scenarios.
	Scenarios
	// Permits holds the special-work permits.
	Permits
	// Records holds the domain services' documents (inspections, …).
	Records
	// Blobs holds immutable files (photos).
	Blobs

	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// User is an account that can log in.
type User struct {
	Username     string
	PasswordHash string // bcrypt
	Role         string // admin, manager, emergency, inspector, operator
	PersonID     string // the person entity the user is (and whose tag they carry)
	DisplayName  string
	Disabled     bool
	CreatedAt    time.Time
}

// Session is a login session. Only the SHA-256 of the bearer token is stored.
type Session struct {
	TokenHash string
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Event is one entry of the event log (area entered, tag registered, alarm
// raised …).
type Event struct {
	ID       int64 // assigned by the store
	Type     string
	EntityID string
	AreaID   string
	At       time.Time
	Lon, Lat float64
	Data     map[string]any
}

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	Type     string
	EntityID string
	AreaID   string
	From, To time.Time
	Limit    int // default 1000
}

// AuditEntry records who did what to which record.
type AuditEntry struct {
	ID     int64 // assigned by the store
	At     time.Time
	Actor  string // username, or "system"
	Action string // e.g. "alarm.ack", "auth.login", "fence.update"
	Target string // the record's id
	Detail map[string]any
	Remote string // client address
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	Actor    string
	Action   string
	Target   string
	From, To time.Time
	Limit    int // default 1000
}
