package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/chemtwin/chemtwin/store"
)

const recordColumns = "collection, id, status, owner, ref, at, updated_at, doc"

// recordUpsert stores one record, replacing every field of the stored one.
const recordUpsert = `INSERT INTO records (` + recordColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (collection, id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
		ref = excluded.ref, at = excluded.at, updated_at = excluded.updated_at, doc = excluded.doc`

// recordArgs are r's values for recordUpsert.
func recordArgs(r store.Record) []any {
	return []any{r.Collection, r.ID, r.Status, r.Owner, r.Ref, millis(r.At), millis(r.UpdatedAt), string(r.Doc)}
}

// PutRecord stores a record, replacing the one of its collection and id.
func (db *DB) PutRecord(ctx context.Context, r store.Record) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckRecord(r); err != nil {
		return fmt.Errorf("sqlite: put record: %w", err)
	}
	st, err := db.prepared(ctx, recordUpsert)
	if err == nil && st != nil {
		_, err = st.ExecContext(ctx, recordArgs(r)...)
	} else if err == nil {
		_, err = db.w.ExecContext(ctx, recordUpsert, recordArgs(r)...)
	}
	if err != nil {
		return fmt.Errorf("sqlite: put record %s/%q: %w", r.Collection, r.ID, storeErr(err))
	}
	return nil
}

// PutRecords stores records in one transaction, in order: all or none.
func (db *DB) PutRecords(ctx context.Context, rs []store.Record) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	for i, r := range rs {
		if err := store.CheckRecord(r); err != nil {
			return fmt.Errorf("sqlite: put records: record %d: %w", i, err)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	prep, err := db.prepared(ctx, recordUpsert)
	if err != nil {
		return fmt.Errorf("sqlite: put records: %w", storeErr(err))
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put records: %w", storeErr(err))
	}
	defer tx.Rollback()
	st, err := txStmt(ctx, tx, prep, recordUpsert)
	if err != nil {
		return fmt.Errorf("sqlite: put records: %w", storeErr(err))
	}
	for i, r := range rs {
		if _, err := st.ExecContext(ctx, recordArgs(r)...); err != nil {
			return fmt.Errorf("sqlite: put records: record %d (%s/%q): %w", i, r.Collection, r.ID, storeErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put records: %w", storeErr(err))
	}
	return nil
}

// GetRecord returns one record.
func (db *DB) GetRecord(ctx context.Context, collection, id string) (store.Record, error) {
	if err := db.enter(); err != nil {
		return store.Record{}, err
	}
	defer db.leave()
	err := store.CheckCollection(collection)
	var rs []store.Record
	if err == nil {
		rs, err = db.records(ctx, " WHERE collection = ? AND id = ?", []any{collection, id})
	}
	if err == nil && len(rs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("sqlite: record %s/%q: %w", collection, id, err)
	}
	return rs[0], nil
}

// ListRecords returns the records f selects, by at then id (or the
// reverse).
func (db *DB) ListRecords(ctx context.Context, f store.RecordFilter) ([]store.Record, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := store.CheckCollection(f.Collection); err != nil {
		return nil, fmt.Errorf("sqlite: records: %w", err)
	}
	q, args := listRecords(f)
	rs, err := db.records(ctx, q, args)
	if err != nil {
		return nil, fmt.Errorf("sqlite: records %s: %w", f.Collection, err)
	}
	return rs, nil
}

// listRecords returns the WHERE, ORDER BY and LIMIT clauses of f, with
// their arguments.
func listRecords(f store.RecordFilter) (string, []any) {
	var w where
	w.and("collection = ?", f.Collection)
	if len(f.Status) > 0 {
		in := make([]any, len(f.Status))
		for i, s := range f.Status {
			in[i] = s
		}
		w.and("status IN (?"+strings.Repeat(", ?", len(in)-1)+")", in...)
	}
	w.add("owner = ?", f.Owner)
	w.add("ref = ?", f.Ref)
	w.add("at >= ?", f.From)
	w.add("at < ?", f.To)
	order := " ORDER BY at, id"
	if f.Desc {
		order = " ORDER BY at DESC, id DESC"
	}
	n := f.Limit
	if n <= 0 {
		n = -1 // SQLite: no limit
	}
	return w.String() + order + " LIMIT ?", append(w.args, n)
}

func (db *DB) records(ctx context.Context, tail string, args []any) ([]store.Record, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+recordColumns+" FROM records"+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		var r store.Record
		var at, updated int64
		if err := rows.Scan(&r.Collection, &r.ID, &r.Status, &r.Owner, &r.Ref, &at, &updated, &r.Doc); err != nil {
			return nil, err
		}
		r.At, r.UpdatedAt = fromMillis(at), fromMillis(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteRecord removes a record; store.ErrNotFound if there is none.
func (db *DB) DeleteRecord(ctx context.Context, collection, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckCollection(collection); err != nil {
		return fmt.Errorf("sqlite: delete record: %w", err)
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM records WHERE collection = ? AND id = ?", collection, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete record %s/%q: %w", collection, id, storeErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete record %s/%q: %w", collection, id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: delete record %s/%q: %w", collection, id, store.ErrNotFound)
	}
	return nil
}

// PutBlob stores a file; an id already stored is store.ErrConflict.
func (db *DB) PutBlob(ctx context.Context, b store.Blob) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckBlob(b); err != nil {
		return fmt.Errorf("sqlite: put blob: %w", err)
	}
	const q = `INSERT INTO blobs (id, content_type, data, created_at, by) VALUES (?, ?, ?, ?, ?)`
	if _, err := db.w.ExecContext(ctx, q, b.ID, b.ContentType, b.Data, millis(b.CreatedAt), b.By); err != nil {
		return fmt.Errorf("sqlite: put blob %q: %w", b.ID, storeErr(err))
	}
	return nil
}

// GetBlob returns one file.
func (db *DB) GetBlob(ctx context.Context, id string) (store.Blob, error) {
	if err := db.enter(); err != nil {
		return store.Blob{}, err
	}
	defer db.leave()
	b := store.Blob{ID: id}
	var created int64
	err := db.r.QueryRowContext(ctx, "SELECT content_type, data, created_at, by FROM blobs WHERE id = ?", id).
		Scan(&b.ContentType, &b.Data, &created, &b.By)
	if err != nil {
		return store.Blob{}, fmt.Errorf("sqlite: blob %q: %w", id, storeErr(err))
	}
	b.CreatedAt = fromMillis(created)
	return b, nil
}
