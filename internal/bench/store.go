package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/postgres"
	"github.com/chemtwin/chemtwin/store/sqlite"
)

// EnvPostgres names the variable with a PostgreSQL URL the store benchmark
// (and the PostgreSQL tests) use when no --db is given.
const EnvPostgres = "CHEMTWIN_TEST_POSTGRES"

// StoreOptions size the store benchmark; zero values are the defaults.
type StoreOptions struct {
	// Postgres is a postgres:// URL; default $CHEMTWIN_TEST_POSTGRES; with
	// neither only SQLite is measured. The benchmark works in a schema of
	// its own, dropped at the end.
	Postgres string
	Rows     int // rows per kind in the append phase; default 200,000
	Batch    int // rows per append, as the history recorder writes them; default 5,000
	// People, History and FixEvery shape the simulated history loaded
	// before the track query: People each with one kept fix every FixEvery
	// over History. Defaults 300 people, 12 h, 5 s (the demo keeps one fix
	// per ~4.5 s and person); a week is History 168h: 36M rows, ~25 min
	// for both backends on the 2-core development machine.
	People   int
	History  time.Duration
	FixEvery time.Duration
	Queries  int // track queries timed; default 20
}

func (o StoreOptions) withDefaults() StoreOptions {
	if o.Postgres == "" {
		o.Postgres = os.Getenv(EnvPostgres)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Rows, 200000)
	def(&o.Batch, 5000)
	def(&o.People, 300)
	def(&o.Queries, 20)
	if o.History <= 0 {
		o.History = 12 * time.Hour
	}
	if o.FixEvery <= 0 {
		o.FixEvery = 5 * time.Second
	}
	return o
}

// StoreResult is what `chemtwin bench store` prints: one entry per backend.
type StoreResult struct {
	Backends []BackendResult `json:"backends"`
	// Targets of W3: PostgreSQL ≥ 50k position rows/s, SQLite ≥ 20k rows/s,
	// an 8 h track in < 3 s (AQ 3064.3-2025).
	TargetPostgresRowsPerS int `json:"target_postgres_rows_per_s"`
	TargetSQLiteRowsPerS   int `json:"target_sqlite_rows_per_s"`
	TargetTrackMs          int `json:"target_track_8h_ms"`
}

// BackendResult are the figures of one store.
type BackendResult struct {
	Backend          string  `json:"backend"`
	Batch            int     `json:"batch"`
	Rows             int     `json:"rows"`
	PositionsPerS    float64 `json:"positions_rows_per_s"`
	ReadingsPerS     float64 `json:"readings_rows_per_s"`
	People           int     `json:"history_people"`
	HistoryHours     float64 `json:"history_hours"`
	FixEveryS        float64 `json:"history_fix_every_s"`
	HistoryRows      int     `json:"history_rows"`
	HistoryLoadPerS  float64 `json:"history_load_rows_per_s"`
	TrackFixes       int     `json:"track_8h_fixes"` // per query
	TrackP50Ms       float64 `json:"track_8h_p50_ms"`
	TrackMaxMs       float64 `json:"track_8h_max_ms"`
	PresenceP50Ms    float64 `json:"presence_1h_p50_ms"` // a 100 m square, one hour
	PresenceEntities int     `json:"presence_1h_entities"`
}

// Store measures the history writes (AppendPositions, AppendReadings in
// batches) and the 8 h track query on SQLite in a temporary folder and, when
// a URL is given, on PostgreSQL in a throw-away schema.
func Store(ctx context.Context, o StoreOptions) (StoreResult, error) {
	o = o.withDefaults()
	res := StoreResult{TargetPostgresRowsPerS: 50000, TargetSQLiteRowsPerS: 20000, TargetTrackMs: 3000}
	dir, err := os.MkdirTemp("", "chemtwin-bench-store")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"), sqlite.Options{Logger: log})
	if err != nil {
		return res, err
	}
	r, err := measureStore(ctx, "sqlite", db, o)
	db.Close()
	if err != nil {
		return res, fmt.Errorf("bench store: sqlite: %w", err)
	}
	res.Backends = append(res.Backends, r)
	if o.Postgres == "" {
		return res, nil
	}
	r, err = measurePostgres(ctx, o, log)
	if err != nil {
		return res, fmt.Errorf("bench store: postgres: %w", err)
	}
	res.Backends = append(res.Backends, r)
	return res, nil
}

// measurePostgres runs the measurements in a new schema and drops it.
func measurePostgres(ctx context.Context, o StoreOptions, log *slog.Logger) (BackendResult, error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "chemtwin_bench_" + hex.EncodeToString(b)
	db, err := postgres.Open(ctx, o.Postgres, postgres.Options{Logger: log, Schema: schema})
	if err != nil {
		return BackendResult{}, err
	}
	r, err := measureStore(ctx, "postgres", db, o)
	db.Close()
	return r, errors.Join(err, dropSchema(o.Postgres, schema))
}

func dropSchema(url, schema string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("drop schema %s: %w", schema, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", schema, err)
	}
	return nil
}

func measureStore(ctx context.Context, name string, st store.Store, o StoreOptions) (BackendResult, error) {
	r := BackendResult{Backend: name, Batch: o.Batch, Rows: o.Rows, People: o.People,
		HistoryHours: o.History.Hours(), FixEveryS: o.FixEvery.Seconds()}
	var err error
	// The append phase writes a day before the history so that its rows do
	// not show in the queries.
	appendAt := time.Now().UTC().Truncate(time.Hour).Add(-o.History - 24*time.Hour)
	if r.PositionsPerS, err = appendPositions(ctx, st, o, appendAt); err != nil {
		return r, err
	}
	if r.ReadingsPerS, err = appendReadings(ctx, st, o, appendAt); err != nil {
		return r, err
	}
	end := time.Now().UTC().Truncate(time.Minute)
	if r.HistoryRows, r.HistoryLoadPerS, err = loadHistory(ctx, st, o, end); err != nil {
		return r, err
	}
	if err = r.queryTracks(ctx, st, o, end); err != nil {
		return r, err
	}
	return r, r.queryPresence(ctx, st, o, end)
}

// benchOrigin is the south-west corner of the 1 km square the simulated
// people walk in (the demo plant's origin).
var benchOrigin = orb.Point{106.6, 38.1}

func appendPositions(ctx context.Context, st store.History, o StoreOptions, start time.Time) (float64, error) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	batch := make([]store.Position, o.Batch)
	begin := time.Now()
	for done := 0; done < o.Rows; done += len(batch) {
		batch = batch[:min(o.Batch, o.Rows-done)]
		for i := range batch {
			n := done + i
			batch[i] = store.Position{EntityID: fmt.Sprintf("PS-%04d", n%o.People), At: start.Add(time.Duration(n/o.People) * time.Second),
				Lon: benchOrigin[0] + rng.Float64()*0.01, Lat: benchOrigin[1] + rng.Float64()*0.01, Floor: n % 3, AreaID: fmt.Sprintf("A-%02d", n%12)}
		}
		if err := st.AppendPositions(ctx, batch); err != nil {
			return 0, err
		}
	}
	return float64(o.Rows) / time.Since(begin).Seconds(), nil
}

func appendReadings(ctx context.Context, st store.History, o StoreOptions, start time.Time) (float64, error) {
	rng := mrand.New(mrand.NewPCG(3, 4))
	batch := make([]store.Reading, o.Batch)
	begin := time.Now()
	for done := 0; done < o.Rows; done += len(batch) {
		batch = batch[:min(o.Batch, o.Rows-done)]
		for i := range batch {
			n := done + i
			batch[i] = store.Reading{DetectorID: fmt.Sprintf("GD-%03d", n%161), At: start.Add(time.Duration(n/161) * time.Second),
				Value: rng.Float64() * 5, Unit: "%LEL"}
		}
		if err := st.AppendReadings(ctx, batch); err != nil {
			return 0, err
		}
	}
	return float64(o.Rows) / time.Since(begin).Seconds(), nil
}

// loadHistory writes People random walks with one fix every FixEvery over
// History up to end, in time order as the recorder would.
func loadHistory(ctx context.Context, st store.History, o StoreOptions, end time.Time) (int, float64, error) {
	rng := mrand.New(mrand.NewPCG(5, 6))
	lonM, latM := geo.MetresPerDegree(benchOrigin[1])
	pos := make([]orb.Point, o.People)
	for i := range pos {
		pos[i] = orb.Point{rng.Float64() * 1000, rng.Float64() * 1000}
	}
	steps := int(o.History / o.FixEvery)
	start := end.Add(-time.Duration(steps) * o.FixEvery)
	batch := make([]store.Position, 0, o.Batch)
	rows, begin := 0, time.Now()
	for s := 0; s < steps; s++ {
		at := start.Add(time.Duration(s) * o.FixEvery)
		for i := range pos {
			p := &pos[i]
			p[0] = min(1000, max(0, p[0]+rng.NormFloat64()*3))
			p[1] = min(1000, max(0, p[1]+rng.NormFloat64()*3))
			batch = append(batch, store.Position{EntityID: fmt.Sprintf("PS-%04d", i), At: at,
				Lon: benchOrigin[0] + p[0]/lonM, Lat: benchOrigin[1] + p[1]/latM, AreaID: fmt.Sprintf("A-%02d", int(p[0]/250)*4+int(p[1]/250))})
			if len(batch) == cap(batch) {
				if err := st.AppendPositions(ctx, batch); err != nil {
					return rows, 0, err
				}
				rows, batch = rows+len(batch), batch[:0]
			}
		}
	}
	if err := st.AppendPositions(ctx, batch); err != nil {
		return rows, 0, err
	}
	rows += len(batch)
	return rows, float64(rows) / time.Since(begin).Seconds(), nil
}

// queryTracks times Queries 8 h tracks of random people (AQ 3064.3-2025:
// one person's 8 h trajectory within 3 s).
func (r *BackendResult) queryTracks(ctx context.Context, st store.History, o StoreOptions, end time.Time) error {
	rng := mrand.New(mrand.NewPCG(7, 8))
	span := 8 * time.Hour
	var ms []float64
	for range o.Queries {
		to := end
		if o.History > span {
			to = end.Add(-time.Duration(rng.Int64N(int64(o.History - span))))
		}
		id := fmt.Sprintf("PS-%04d", rng.IntN(o.People))
		begin := time.Now()
		fixes, err := st.Track(ctx, id, to.Add(-span), to, 0)
		if err != nil {
			return err
		}
		ms = append(ms, float64(time.Since(begin).Microseconds())/1000)
		r.TrackFixes = len(fixes)
	}
	r.TrackP50Ms, r.TrackMaxMs = median(ms), slices.Max(ms)
	return nil
}

// queryPresence times "who was in this 100 m square during the last hour".
func (r *BackendResult) queryPresence(ctx context.Context, st store.History, o StoreOptions, end time.Time) error {
	lonM, latM := geo.MetresPerDegree(benchOrigin[1])
	var ms []float64
	for i := range 5 {
		x, y := float64(100+150*i), float64(400)
		area := orb.Bound{Min: orb.Point{benchOrigin[0] + x/lonM, benchOrigin[1] + y/latM}, Max: orb.Point{benchOrigin[0] + (x+100)/lonM, benchOrigin[1] + (y+100)/latM}}
		begin := time.Now()
		found, err := st.Presence(ctx, store.PresenceQuery{Area: area, From: end.Add(-time.Hour), To: end})
		if err != nil {
			return err
		}
		ms = append(ms, float64(time.Since(begin).Microseconds())/1000)
		r.PresenceEntities = len(found)
	}
	r.PresenceP50Ms = median(ms)
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
