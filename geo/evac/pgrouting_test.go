package evac

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/geo/route"
)

// Environment of the pgRouting check: the URL of a PostgreSQL server (as
// the store's tests), and whether a missing pgrouting extension fails the
// test instead of skipping it (CI sets it).
const (
	envPostgres         = "CHEMTWIN_TEST_POSTGRES"
	envRequirePGRouting = "CHEMTWIN_REQUIRE_PGROUTING"
)

// pgrouting connects to the test server and makes sure the postgis and
// pgrouting extensions exist, or skips t.
func pgrouting(t *testing.T) *pgx.Conn {
	t.Helper()
	url := os.Getenv(envPostgres)
	if url == "" {
		t.Skip(envPostgres + " not set: skipping the pgRouting check (set it to a server with the pgrouting " +
			"extension available, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	missing := func(err error) {
		if os.Getenv(envRequirePGRouting) == "1" {
			t.Fatalf("pgrouting unavailable (%s=1): %v", envRequirePGRouting, err)
		}
		t.Skipf("pgrouting unavailable: %v", err)
	}
	var available bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting')").Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		missing(fmt.Errorf("the server has no pgrouting extension (Debian: postgresql-15-pgrouting)"))
	}
	// The store's setup lock: one creator of extensions at a time.
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('chemtwin.setup', 0))"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pgrouting SCHEMA public")
		return err
	})
	if err != nil {
		missing(err)
	}
	return c
}

// TestPGRouting loads the plans' graphs, split at every snap, into
// PostgreSQL and checks that pgr_dijkstra finds the same costs: for
// people starting outside every hazard, the weighted cost to the nearest
// safe muster point over the pieces with nothing inside a hazard or
// closure (and none for those cut off); for people inside, the least
// length inside, over every piece a barrier does not cut.
func TestPGRouting(t *testing.T) {
	c := pgrouting(t)
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := pgx.Identifier{"chemtwin_evac_test_" + hex.EncodeToString(b)}.Sanitize()
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	var version string
	if err := c.QueryRow(ctx, "SELECT pgr_version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("pgRouting %s", version)
	outside, inside, cutOff := 0, 0, 0
	for seed := range uint64(6) {
		rng := mrand.New(mrand.NewPCG(seed, 7))
		g, in, err := scenario(rng, false)
		if err != nil {
			t.Fatal(err)
		}
		pl := mustPlan(t, g, in)
		o, i, k := comparePGRouting(t, c, schema, g, in, pl)
		outside, inside, cutOff = outside+o, inside+i, cutOff+k
	}
	t.Logf("compared %d people outside, %d inside, %d cut off", outside, inside, cutOff)
	if outside == 0 || inside == 0 {
		t.Errorf("compared %d people outside and %d inside", outside, inside)
	}
}

// pgEdge is one row of the edge table.
type pgEdge struct {
	source, target int64
	w, inside      float64 // weighted metres; metres inside hazards and closures
	clean          bool    // nothing inside (0 mm)
}

func comparePGRouting(t *testing.T, c *pgx.Conn, schema string, g *route.Graph, in Input, pl *Plan) (outside, inside, cutOff int) {
	t.Helper()
	ctx := context.Background()
	ref := newRefWorld(g, Options{}, in)
	// Split every pedestrian edge at the people's and the safe muster
	// points' snaps: vertex ids 1…N are the graph's nodes, then one per
	// snap, then the sink joined to every safe muster point.
	n := int64(g.NumNodes())
	type stop struct {
		t  float64
		id int64
	}
	splits := map[int][]stop{}
	person := map[int]int64{}
	next := n + 1
	for i, r := range pl.Routes {
		if r.Reason != NoNetwork && r.Reason != NoSafeMuster {
			splits[r.Snap.Edge] = append(splits[r.Snap.Edge], stop{r.Snap.T, next})
			person[i] = next
			next++
		}
	}
	var musters []int64
	for _, m := range pl.Musters {
		if m.Safe() {
			splits[m.Snap.Edge] = append(splits[m.Snap.Edge], stop{m.Snap.T, next})
			musters = append(musters, next)
			next++
		}
	}
	sink := next
	var edges []pgEdge
	for e := range g.NumEdges() {
		ed := g.Edge(e)
		if !ed.Pedestrian {
			continue
		}
		stops := append([]stop{{0, int64(ed.From) + 1}}, splits[e]...)
		slices.SortStableFunc(stops[1:], func(x, y stop) int {
			switch {
			case x.t < y.t:
				return -1
			case x.t > y.t:
				return 1
			}
			return 0
		})
		stops = append(stops, stop{1, int64(ed.To) + 1})
		for k := 0; k+1 < len(stops); k++ {
			rc, ok := ref.piece(e, stops[k].t, stops[k+1].t)
			if !ok {
				continue // a barrier cuts it
			}
			p, q := g.Node(ed.From).P, g.Node(ed.To).P
			insideM := unionIn(ref.nogo, p, q, stops[k].t, stops[k+1].t) * ed.LengthM
			if ref.closed[ed.Source] {
				insideM = (stops[k+1].t - stops[k].t) * ed.LengthM
			}
			edges = append(edges, pgEdge{stops[k].id, stops[k+1].id, rc.w, insideM, rc.mm == 0})
		}
	}
	for _, m := range musters {
		edges = append(edges, pgEdge{m, sink, 0, 0, true})
	}
	table := schema + ".edges"
	if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE "+table+" (id bigint PRIMARY KEY, source bigint, target bigint, w float8, inside float8, clean bool)"); err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, len(edges))
	for i, e := range edges {
		rows[i] = []any{int64(i + 1), e.source, e.target, e.w, e.inside, e.clean}
	}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{schema[1 : len(schema)-1], "edges"},
		[]string{"id", "source", "target", "w", "inside", "clean"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	// agg returns pgr_dijkstra's cost from each start to the sink over the
	// edges the SQL selects, and the number of edges of the path.
	type found struct {
		cost float64
		legs int
	}
	agg := func(edgesSQL string, starts []int64) map[int64]found {
		out := map[int64]found{}
		if len(starts) == 0 {
			return out
		}
		rs, err := c.Query(ctx, "SELECT start_vid, max(agg_cost), count(*) FROM pgr_dijkstra($1, $2::bigint[], $3::bigint, directed => false) GROUP BY start_vid",
			edgesSQL, starts, sink)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var v, rows int64
			var cost float64
			if err := rs.Scan(&v, &cost, &rows); err != nil {
				t.Fatal(err)
			}
			out[v] = found{cost, int(rows) - 1}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var out, in_ []int64
	for i, r := range pl.Routes {
		if v, ok := person[i]; ok {
			if r.StartsInside {
				in_ = append(in_, v)
			} else {
				out = append(out, v)
			}
		}
	}
	clean := agg("SELECT id, source, target, w AS cost FROM "+table+" WHERE clean", out)
	least := agg("SELECT id, source, target, inside AS cost FROM "+table, in_)
	for i, r := range pl.Routes {
		v, ok := person[i]
		if !ok {
			continue
		}
		switch {
		case !r.StartsInside:
			f, ok := clean[v]
			switch {
			case r.Reason == CutOff && !ok:
				cutOff++
			case r.Routed() && ok && math.Abs(f.cost-r.CostM) <= 1e-6*math.Max(1, f.cost):
				outside++
			default:
				t.Errorf("%s: plan %q %v m, pgr_dijkstra %+v (found %v)", r.PersonID, r.Reason, r.CostM, f, ok)
			}
		case r.Routed():
			// The plan rounds each piece's length inside up to the
			// millimetre: pgRouting's least is at most that much less.
			f, ok := least[v]
			if !ok || r.InsideM < f.cost-1e-9 || r.InsideM > f.cost+1e-3*float64(f.legs) {
				t.Errorf("%s: plan %v m inside, pgr_dijkstra %+v (found %v)", r.PersonID, r.InsideM, f, ok)
			} else {
				inside++
			}
		case r.Reason == CutOff:
			if f, ok := least[v]; ok {
				t.Errorf("%s: cut off, pgr_dijkstra finds %+v", r.PersonID, f)
			}
		}
	}
	return outside, inside, cutOff
}
