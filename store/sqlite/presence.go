package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
)

// presenceQuery selects the candidates of a presence query: window and
// bounding box, from the covering index positions_at.
const presenceQuery = `SELECT entity_id, at, lon, lat FROM positions
	WHERE at >= ? AND at <= ? AND lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?`

// Presence returns every entity with at least one position inside q.Area
// with At in [q.From, q.To] (bounds truncated to the millisecond), ordered
// by entity id in byte order, at most store.MaxPresenceEntries (the
// smallest ids). Inside is geo.Contains: the boundary counts, as with
// PostGIS ST_Intersects. q.Area must be an orb.Polygon or orb.MultiPolygon
// of closed rings of at least 4 finite points, or an orb.Bound with finite
// Min ≤ Max; anything else is ErrInvalid.
//
// The window and the area's bounding box select candidates in SQL, from the
// covering index positions_at; the exact test runs here, on each candidate.
func (db *DB) Presence(ctx context.Context, q store.PresenceQuery) ([]store.Presence, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	if err := checkArea(q.Area); err != nil {
		return nil, fmt.Errorf("sqlite: presence: %w", err)
	}
	b := q.Area.Bound()
	rows, err := db.r.QueryContext(ctx, presenceQuery, millis(q.From), millis(q.To), b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	if err != nil {
		return nil, fmt.Errorf("sqlite: presence: %w", err)
	}
	defer rows.Close()
	seen := map[string]*store.Presence{}
	var id sql.RawBytes // reused: no allocation per candidate row
	var at int64
	var p orb.Point
	for rows.Next() {
		if err := rows.Scan(&id, &at, &p[0], &p[1]); err != nil {
			return nil, fmt.Errorf("sqlite: presence: %w", err)
		}
		if !geo.Contains(q.Area, p) {
			continue
		}
		tally(seen, id, at)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: presence: %w", err)
	}
	return sortPresence(seen), nil
}

// tally counts a fix of entity id at time at (unix ms) inside the area.
func tally(seen map[string]*store.Presence, id []byte, at int64) {
	e := seen[string(id)]
	if e == nil {
		t := fromMillis(at)
		seen[string(id)] = &store.Presence{EntityID: string(id), First: t, Last: t, Fixes: 1}
		return
	}
	if t := fromMillis(at); t.Before(e.First) {
		e.First = t
	} else if t.After(e.Last) {
		e.Last = t
	}
	e.Fixes++
}

// sortPresence returns the entries ordered by entity id, at most
// store.MaxPresenceEntries.
func sortPresence(seen map[string]*store.Presence) []store.Presence {
	out := make([]store.Presence, 0, len(seen))
	for _, e := range seen {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b store.Presence) int { return strings.Compare(a.EntityID, b.EntityID) })
	return out[:min(len(out), store.MaxPresenceEntries)]
}

// checkArea accepts the areas Presence can test.
func checkArea(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Bound:
		if err := checkFinite("area bound", g.Min[0], g.Min[1], g.Max[0], g.Max[1]); err != nil {
			return err
		}
		if g.Min[0] > g.Max[0] || g.Min[1] > g.Max[1] {
			return fmt.Errorf("%w: area bound with Min %v above Max %v", ErrInvalid, g.Min, g.Max)
		}
		return nil
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty area multipolygon", ErrInvalid)
		}
		for i, p := range g {
			if err := checkPolygon(p); err != nil {
				return fmt.Errorf("polygon %d: %w", i, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: area is a %T, want an orb.Polygon, orb.MultiPolygon or orb.Bound", ErrInvalid, g)
}

func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: area polygon without rings", ErrInvalid)
	}
	for i, r := range p {
		if len(r) < 4 || r[0] != r[len(r)-1] {
			return fmt.Errorf("%w: area ring %d is not closed with at least 4 points", ErrInvalid, i)
		}
		for _, pt := range r {
			if err := checkFinite("area vertex", pt[0], pt[1]); err != nil {
				return err
			}
		}
	}
	return nil
}
