package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// AppendAudit adds e to the append-only audit log (the table refuses UPDATE
// and DELETE by trigger). The store assigns the id; a zero At is stamped
// with the current time, since an entry without a time proves nothing.
func (db *DB) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("sqlite: append audit: %w: entry without actor or action", ErrInvalid)
	}
	if err := checkText(e.Actor, e.Action, e.Target, e.Remote); err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
	}
	detail, err := encodeJSON(e.Detail)
	if err != nil {
		return fmt.Errorf("sqlite: append audit: detail: %w", err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	const q = "INSERT INTO audit (at, actor, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?)"
	if _, err := db.w.ExecContext(ctx, q, millis(e.At), e.Actor, e.Action, e.Target, detail, e.Remote); err != nil {
		return fmt.Errorf("sqlite: append audit: %w", storeErr(err))
	}
	return nil
}

// Audit lists the audit entries matching f, oldest first (ties: smaller id
// first). Limit ≤ 0 means DefaultLogLimit.
func (db *DB) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var w where
	w.add("actor = ?", f.Actor)
	w.add("action = ?", f.Action)
	w.add("target = ?", f.Target)
	w.add("at >= ?", f.From)
	w.add("at <= ?", f.To)
	q := "SELECT id, at, actor, action, target, detail, remote FROM audit" + w.String() +
		" ORDER BY at, id LIMIT ?"
	rows, err := db.r.QueryContext(ctx, q, append(w.args, limit(f.Limit, DefaultLogLimit, 0))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit: %w", err)
	}
	defer rows.Close()
	var es []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		var detail sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &detail, &e.Remote); err != nil {
			return nil, fmt.Errorf("sqlite: audit: %w", err)
		}
		e.At = fromMillis(at)
		if e.Detail, err = decodeJSON(detail); err != nil {
			return nil, fmt.Errorf("sqlite: audit entry %d: %w", e.ID, err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit: %w", err)
	}
	return es, nil
}
