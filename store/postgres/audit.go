package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

// AppendAudit adds e to the append-only audit log (the table refuses
// UPDATE, DELETE and TRUNCATE by trigger). The store assigns the id; a zero
// At is stamped with the current time, since an entry without a time proves
// nothing.
func (db *DB) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("postgres: append audit: %w: entry without actor or action", ErrInvalid)
	}
	if err := checkText(e.Actor, e.Action, e.Target, e.Remote); err != nil {
		return fmt.Errorf("postgres: append audit: %w", err)
	}
	detail, err := encodeJSON(e.Detail)
	if err != nil {
		return fmt.Errorf("postgres: append audit: detail: %w", err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	const q = "INSERT INTO audit (at, actor, action, target, detail, remote) VALUES ($1, $2, $3, $4, $5, $6)"
	if err := db.exec(ctx, q, ts(e.At), e.Actor, e.Action, e.Target, detail, e.Remote); err != nil {
		return fmt.Errorf("postgres: append audit: %w", storeErr(err))
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
		" ORDER BY at, id LIMIT " + w.next(limit(f.Limit, DefaultLogLimit, 0))
	var es []store.AuditEntry
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, w.args...)
		var err error
		es, err = collect(rows, scanAudit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit: %w", err)
	}
	return es, nil
}

func scanAudit(row pgx.CollectableRow) (store.AuditEntry, error) {
	var e store.AuditEntry
	var detail []byte
	if err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &detail, &e.Remote); err != nil {
		return store.AuditEntry{}, err
	}
	e.At = fromTS(e.At)
	var err error
	if e.Detail, err = decodeJSON(detail); err != nil {
		return store.AuditEntry{}, fmt.Errorf("audit entry %d: %w", e.ID, err)
	}
	return e, nil
}
