package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

const recordColumns = "collection, id, status, owner, ref, at, updated_at, doc"

// recordUpsert stores one record, replacing every field of the stored one.
const recordUpsert = `INSERT INTO records (` + recordColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
	ON CONFLICT (collection, id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
		ref = excluded.ref, at = excluded.at, updated_at = excluded.updated_at, doc = excluded.doc`

// recordArgs are r's values for recordUpsert.
func recordArgs(r store.Record) []any {
	return []any{r.Collection, r.ID, r.Status, r.Owner, r.Ref, ts(r.At), ts(r.UpdatedAt), string(r.Doc)}
}

// PutRecord stores a record, replacing the one of its collection and id.
func (db *DB) PutRecord(ctx context.Context, r store.Record) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckRecord(r); err != nil {
		return fmt.Errorf("postgres: put record: %w", err)
	}
	if err := db.exec(ctx, recordUpsert, recordArgs(r)...); err != nil {
		return fmt.Errorf("postgres: put record %s/%q: %w", r.Collection, r.ID, storeErr(err))
	}
	return nil
}

// PutRecords stores records in one transaction, in order: all or none.
// The upserts go as one pipelined batch, each its own statement, so that a
// later record of the same key replaces the earlier one, sorted by key
// (stably, so that this still holds): concurrent batches then lock the
// rows they share in the same order and cannot deadlock.
func (db *DB) PutRecords(ctx context.Context, rs []store.Record) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	for i, r := range rs {
		if err := store.CheckRecord(r); err != nil {
			return fmt.Errorf("postgres: put records: record %d: %w", i, err)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(strings.Compare(rs[i].Collection, rs[j].Collection), strings.Compare(rs[i].ID, rs[j].ID))
	})
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var batch pgx.Batch
		for _, i := range order {
			batch.Queue(recordUpsert, recordArgs(rs[i])...)
		}
		res := tx.SendBatch(ctx, &batch)
		for _, i := range order {
			if _, err := res.Exec(); err != nil {
				res.Close()
				return fmt.Errorf("record %d (%s/%q): %w", i, rs[i].Collection, rs[i].ID, err)
			}
		}
		return res.Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: put records: %w", storeErr(err))
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
	if err == nil {
		err = checkKey(id)
	}
	var rs []store.Record
	if err == nil {
		rs, err = db.records(ctx, " WHERE collection = $1 AND id = $2", []any{collection, id})
	}
	if err == nil && len(rs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("postgres: record %s/%q: %w", collection, id, storeErr(err))
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
		return nil, fmt.Errorf("postgres: records: %w", err)
	}
	var w where
	w.and("collection = ?", f.Collection)
	if len(f.Status) > 0 {
		var in []string
		for _, s := range f.Status {
			if checkText(s) == nil { // other text no record holds
				in = append(in, s)
			}
		}
		if len(in) == 0 {
			w.conds = append(w.conds, "false")
		} else {
			w.and("status = ANY(?)", in)
		}
	}
	w.add("owner = ?", f.Owner)
	w.add("ref = ?", f.Ref)
	w.add("at >= ?", f.From)
	w.add("at < ?", f.To)
	q := w.String() + " ORDER BY at, id"
	if f.Desc {
		q = w.String() + " ORDER BY at DESC, id DESC"
	}
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rs, err := db.records(ctx, q, w.args)
	if err != nil {
		return nil, fmt.Errorf("postgres: records %s: %w", f.Collection, storeErr(err))
	}
	return rs, nil
}

func (db *DB) records(ctx context.Context, tail string, args []any) ([]store.Record, error) {
	var out []store.Record
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, "SELECT "+recordColumns+" FROM records"+tail, args...)
		var err error
		out, err = collect(rows, func(row pgx.CollectableRow) (store.Record, error) {
			var r store.Record
			var doc string
			if err := row.Scan(&r.Collection, &r.ID, &r.Status, &r.Owner, &r.Ref, &r.At, &r.UpdatedAt, &doc); err != nil {
				return r, err
			}
			r.At, r.UpdatedAt, r.Doc = fromTS(r.At), fromTS(r.UpdatedAt), []byte(doc)
			return r, nil
		})
		return err
	})
	return out, err
}

// DeleteRecord removes a record; store.ErrNotFound if there is none.
func (db *DB) DeleteRecord(ctx context.Context, collection, id string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := store.CheckCollection(collection); err != nil {
		return fmt.Errorf("postgres: delete record: %w", err)
	}
	if checkKey(id) != nil {
		return fmt.Errorf("postgres: delete record %s/%q: %w", collection, id, store.ErrNotFound)
	}
	n, err := db.execN(ctx, "DELETE FROM records WHERE collection = $1 AND id = $2", collection, id)
	if err != nil {
		return fmt.Errorf("postgres: delete record %s/%q: %w", collection, id, storeErr(err))
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete record %s/%q: %w", collection, id, store.ErrNotFound)
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
		return fmt.Errorf("postgres: put blob: %w", err)
	}
	const q = `INSERT INTO blobs (id, content_type, data, created_at, by) VALUES ($1, $2, $3, $4, $5)`
	if err := db.exec(ctx, q, b.ID, b.ContentType, b.Data, ts(b.CreatedAt), b.By); err != nil {
		return fmt.Errorf("postgres: put blob %q: %w", b.ID, storeErr(err))
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
	err := checkKey(id)
	if err == nil {
		err = db.conn(ctx, func(c *pgx.Conn) error {
			return c.QueryRow(ctx, "SELECT content_type, data, created_at, by FROM blobs WHERE id = $1", id).
				Scan(&b.ContentType, &b.Data, &b.CreatedAt, &b.By)
		})
	}
	if err != nil {
		return store.Blob{}, fmt.Errorf("postgres: blob %q: %w", id, storeErr(err))
	}
	b.CreatedAt = fromTS(b.CreatedAt)
	return b, nil
}
