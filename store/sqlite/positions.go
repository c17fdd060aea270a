package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
)

const positionColumns = "entity_id, at, seq, lon, lat, z, floor, area_id"

// trackQuery is one range of the positions primary key, already in order.
const trackQuery = `SELECT at, lon, lat, z, floor, area_id FROM positions
	WHERE entity_id = ? AND at >= ? AND at <= ? ORDER BY at, seq LIMIT ?`

// AppendPositions adds ps in one transaction: all or none. A position is
// refused with ErrInvalid, naming its index, for an empty entity id, a zero
// time, a lon outside [-180, 180] or lat outside [-90, 90] (NaN and ±Inf
// included), a non-finite Z, or text that is not UTF-8 or holds NUL. Rows of
// one entity with the same time are all kept. ps is not modified; an empty
// batch does nothing.
func (db *DB) AppendPositions(ctx context.Context, ps []store.Position) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if len(ps) == 0 {
		return nil
	}
	for i, p := range ps {
		if err := checkPosition(p); err != nil {
			return fmt.Errorf("sqlite: append positions: position %d: %w", i, err)
		}
	}
	err := db.appendRows(ctx, "positions", positionColumns, len(ps), func(args []any, i int, seq int64) []any {
		p := &ps[i]
		return append(args, p.EntityID, millis(p.At), seq, p.Lon, p.Lat, p.Z, p.Floor, p.AreaID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: append positions: %w", err)
	}
	return nil
}

func checkPosition(p store.Position) error {
	if err := checkID("entity id", p.EntityID); err != nil {
		return err
	}
	if p.At.IsZero() {
		return fmt.Errorf("%w: position without time", ErrInvalid)
	}
	if !geo.ValidLonLat(orb.Point{p.Lon, p.Lat}) {
		return fmt.Errorf("%w: coordinate (%v, %v) is not a finite lon/lat in range", ErrInvalid, p.Lon, p.Lat)
	}
	if err := checkFinite("z", p.Z); err != nil {
		return err
	}
	return checkText(p.EntityID, p.AreaID)
}

// Track returns entityID's positions with At in [from, to] (bounds
// truncated to the millisecond), oldest first — rows with equal times in
// append order — at most n of them (n ≤ 0: store.DefaultTrackLimit). An
// empty entityID is ErrInvalid.
func (db *DB) Track(ctx context.Context, entityID string, from, to time.Time, n int) ([]store.Position, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := checkID("entity id", entityID); err != nil {
		return nil, fmt.Errorf("sqlite: track: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, trackQuery, entityID, millis(from), millis(to), limit(n, store.DefaultTrackLimit, 0))
	if err != nil {
		return nil, fmt.Errorf("sqlite: track %q: %w", entityID, err)
	}
	defer rows.Close()
	var ps []store.Position
	for rows.Next() {
		p := store.Position{EntityID: entityID}
		var at int64
		if err := rows.Scan(&at, &p.Lon, &p.Lat, &p.Z, &p.Floor, &p.AreaID); err != nil {
			return nil, fmt.Errorf("sqlite: track %q: %w", entityID, err)
		}
		p.At = fromMillis(at)
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: track %q: %w", entityID, err)
	}
	return ps, nil
}
