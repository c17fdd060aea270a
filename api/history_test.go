package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/history"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

// ms formats a time as the history endpoints write it.
func ms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// trackDoc is the answer of GET /api/v1/entities/{id}/track.
type trackDoc struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		EntityID  string    `json:"entity_id"`
		Name      string    `json:"name"`
		Kind      string    `json:"kind"`
		From      string    `json:"from"`
		To        string    `json:"to"`
		Count     int       `json:"count"`
		Truncated bool      `json:"truncated"`
		Times     []string  `json:"times"`
		Floors    []int     `json:"floors"`
		Z         []float64 `json:"z"`
	} `json:"properties"`
}

// walk stores n fixes of id every 2 s from start, 1.5 m apart eastwards
// from plant (x0, 40), on floor 1 from the fifth fix.
func (h *harness) walk(id string, start time.Time, n int, x0 float64) []store.Position {
	h.t.Helper()
	ps := make([]store.Position, n)
	for i := range ps {
		p := h.frame.Point(x0+1.5*float64(i), 40)
		ps[i] = store.Position{EntityID: id, At: start.Add(time.Duration(2*i) * time.Second), Lon: p[0], Lat: p[1], Floor: min(i/4, 1), Z: 3 * float64(min(i/4, 1))}
	}
	if err := h.store.AppendPositions(context.Background(), ps); err != nil {
		h.t.Fatal(err)
	}
	return ps
}

func TestTrack(t *testing.T) {
	h := newHarness(t)
	start := t0.Add(-time.Hour)
	ps := h.walk("P-001", start, 10, 20)
	h.walk("P-001", t0.Add(-9*time.Hour), 3, 20) // outside the default 8 h window
	h.walk("P-002", start, 1, 60)
	h.walk("P-gone", start, 2, 0) // a person no longer in the scene

	var doc trackDoc
	r := h.get("/api/v1/entities/P-001/track")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("track: %d %s", r.status, r.body)
	}
	r.json(t, &doc)
	pr := doc.Properties
	if doc.Type != "Feature" || doc.ID != "P-001" || doc.Geometry == nil || doc.Geometry.Type != "LineString" {
		t.Fatalf("track document %s", r.body)
	}
	var coords [][]float64
	json.Unmarshal(doc.Geometry.Coordinates, &coords)
	if len(coords) != 10 || pr.Count != 10 || len(pr.Times) != 10 || len(pr.Floors) != 10 || len(pr.Z) != 10 {
		t.Fatalf("10 fixes expected: %s", r.body)
	}
	for i, p := range ps {
		if math.Abs(coords[i][0]-p.Lon) > 1e-9 || math.Abs(coords[i][1]-p.Lat) > 1e-9 || pr.Times[i] != ms(p.At) || pr.Floors[i] != p.Floor || pr.Z[i] != p.Z {
			t.Fatalf("vertex %d = %v %s floor %d z %v, want %+v", i, coords[i], pr.Times[i], pr.Floors[i], pr.Z[i], p)
		}
	}
	if pr.EntityID != "P-001" || pr.Name != "员工P-001" || pr.Kind != "person" || pr.From != ms(t0.Add(-8*time.Hour)) || pr.To != ms(t0) || pr.Truncated {
		t.Fatalf("properties %+v", pr)
	}

	tests := []struct {
		name, path string
		geometry   string // "" for null
		count      int
	}{
		{"explicit window", "/api/v1/entities/P-001/track?from=" + url.QueryEscape(ms(t0.Add(-10*time.Hour))) + "&to=" + url.QueryEscape(ms(start.Add(2*time.Second))), "LineString", 5},
		{"a whole day", "/api/v1/entities/P-001/track?from=2026-11-27&to=2026-11-27", "LineString", 3},
		{"limit truncates", "/api/v1/entities/P-001/track?limit=4", "LineString", 4},
		{"single fix is a Point", "/api/v1/entities/P-002/track", "Point", 1},
		{"no fix: geometry null", "/api/v1/entities/P-003/track", "", 0},
		{"removed entity with history", "/api/v1/entities/P-gone/track", "LineString", 2},
		{"vehicle", "/api/v1/entities/V-1/track", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc trackDoc
			r := h.get(tc.path)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			r.json(t, &doc)
			geom := ""
			if doc.Geometry != nil {
				geom = doc.Geometry.Type
			}
			if geom != tc.geometry || doc.Properties.Count != tc.count || len(doc.Properties.Times) != tc.count {
				t.Fatalf("geometry %q count %d, want %q %d: %s", geom, doc.Properties.Count, tc.geometry, tc.count, r.body)
			}
			if tc.name == "limit truncates" && !doc.Properties.Truncated {
				t.Fatal("a track cut at the limit is not marked truncated")
			}
		})
	}
}

func TestHistoryRejections(t *testing.T) {
	h := newHarness(t)
	from, to := url.QueryEscape(ms(t0.Add(-time.Hour))), url.QueryEscape(ms(t0))
	window := "&from=" + from + "&to=" + to
	tests := []struct {
		name, path string
		status     int
		code       string
	}{
		{"unknown entity", "/api/v1/entities/nobody/track", 404, "not_found"},
		{"track of a building", "/api/v1/entities/B-ctrl/track", 404, "not_found"},
		{"bad from", "/api/v1/entities/P-001/track?from=yesterday", 400, "invalid_datetime"},
		{"reversed window", "/api/v1/entities/P-001/track?from=" + to + "&to=" + from, 400, "invalid_datetime"},
		{"window too long", "/api/v1/entities/P-001/track?from=2026-01-01&to=2026-03-01", 400, "invalid_parameter"},
		{"unknown parameter", "/api/v1/entities/P-001/track?since=1h", 400, "invalid_parameter"},
		{"bad limit", "/api/v1/entities/P-001/track?limit=0", 400, "invalid_limit"},
		{"series of a person", "/api/v1/detectors/P-001/series", 404, "not_found"},
		{"series of nothing", "/api/v1/detectors/GD-9/series", 404, "not_found"},
		{"step below a minute", "/api/v1/detectors/GD-1/series?step=30s", 400, "invalid_parameter"},
		{"step not whole minutes", "/api/v1/detectors/GD-1/series?step=90s", 400, "invalid_parameter"},
		{"step gibberish", "/api/v1/detectors/GD-1/series?step=often", 400, "invalid_parameter"},
		{"presence without window", "/api/v1/history/presence?area=A-west", 400, "invalid_parameter"},
		{"presence without area", "/api/v1/history/presence?" + window[1:], 400, "invalid_parameter"},
		{"presence with area and bbox", "/api/v1/history/presence?area=A-west&bbox=106,38,107,39" + window, 400, "invalid_parameter"},
		{"presence bad bbox", "/api/v1/history/presence?bbox=107,38,106,39" + window, 400, "invalid_bbox"},
		{"presence unknown area", "/api/v1/history/presence?area=A-none" + window, 404, "not_found"},
		{"presence area without polygon", "/api/v1/history/presence?area=GD-1" + window, 400, "invalid_parameter"},
		{"presence 32 days", "/api/v1/history/presence?area=A-west&from=2026-01-01T00:00:00Z&to=2026-02-02T00:00:01Z", 400, "invalid_parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantError(t, h.get(tc.path), tc.status, tc.code) })
	}
	if n := h.metric("chemtwin_api_rejected_total", map[string]string{"reason": "invalid_datetime"}); n != 2 {
		t.Errorf("invalid_datetime rejections counted %v, want 2", n)
	}
}

// seriesDoc is the answer of GET /api/v1/detectors/{id}/series.
type seriesDoc struct {
	DetectorID string `json:"detector_id"`
	Step       string `json:"step"`
	Unit       string `json:"unit"`
	Count      int    `json:"count"`
	Points     []struct {
		At            string
		Min, Max, Avg float64
		N             int
	} `json:"points"`
	Readings []struct {
		At    string
		Value float64
		Unit  string
		Fault bool
	} `json:"readings"`
}

func TestSeries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	m0 := t0.Add(-2 * time.Hour).Truncate(time.Hour)
	var rollups []store.Rollup
	var readings []store.Reading
	for k := range 10 { // minutes 0–9: values k and k+2, twice a minute
		minute := m0.Add(time.Duration(k) * time.Minute)
		v := float64(k)
		rollups = append(rollups, store.Rollup{DetectorID: "GD-1", Minute: minute, Min: v, Max: v + 2, Sum: 2*v + 2, N: 2, Unit: "%LEL"})
		readings = append(readings, store.Reading{DetectorID: "GD-1", At: minute, Value: v, Unit: "%LEL"},
			store.Reading{DetectorID: "GD-1", At: minute.Add(30 * time.Second), Value: v + 2, Unit: "%LEL", Fault: k == 9})
	}
	if err := h.store.AppendRollups(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AppendReadings(ctx, readings); err != nil {
		t.Fatal(err)
	}
	window := "from=" + url.QueryEscape(ms(m0)) + "&to=" + url.QueryEscape(ms(m0.Add(10*time.Minute)))

	var doc seriesDoc
	h.get("/api/v1/detectors/GD-1/series?"+window).json(t, &doc)
	if doc.DetectorID != "GD-1" || doc.Step != "1m" || doc.Unit != "%LEL" || doc.Count != 10 || len(doc.Points) != 10 {
		t.Fatalf("per-minute series %+v", doc)
	}
	if p := doc.Points[3]; p.At != ms(m0.Add(3*time.Minute)) || p.Min != 3 || p.Max != 5 || p.Avg != 4 || p.N != 2 {
		t.Fatalf("minute 3 = %+v", p)
	}

	doc = seriesDoc{}
	h.get("/api/v1/detectors/GD-1/series?step=5m&"+window).json(t, &doc)
	if doc.Step != "5m" || len(doc.Points) != 2 {
		t.Fatalf("5-minute series %+v", doc)
	}
	if p := doc.Points[1]; p.At != ms(m0.Add(5*time.Minute)) || p.Min != 5 || p.Max != 11 || p.Avg != 8 || p.N != 10 {
		t.Fatalf("second 5-minute bucket = %+v", p)
	}

	doc = seriesDoc{}
	h.get("/api/v1/detectors/GD-1/series?step=raw&limit=19&"+window).json(t, &doc)
	if doc.Step != "raw" || len(doc.Readings) != 19 || doc.Readings[1].Value != 2 || doc.Readings[1].At != ms(m0.Add(30*time.Second)) {
		t.Fatalf("raw series %+v", doc)
	}

	doc = seriesDoc{}
	if r := h.get("/api/v1/detectors/GD-2/series?step=1h"); r.status != 200 {
		t.Fatalf("empty series: %d %s", r.status, r.body)
	} else if r.json(t, &doc); doc.Count != 0 || doc.Points == nil || doc.Step != "1h" {
		t.Fatalf("empty series %s", r.body)
	}
}

// presenceDoc is the answer of GET /api/v1/history/presence.
type presenceDoc struct {
	Area     string    `json:"area"`
	BBox     []float64 `json:"bbox"`
	Count    int       `json:"count"`
	Entities []struct {
		EntityID     string `json:"entity_id"`
		Kind         string `json:"kind"`
		Name         string `json:"name"`
		Tag          string `json:"tag"`
		Department   string `json:"department"`
		IdentityType string `json:"identity_type"`
		First, Last  string
		Fixes        int
	} `json:"entities"`
}

func TestPresence(t *testing.T) {
	h := newHarness(t)
	h.must(h.scene.Apply(twin.Upsert{Entity: &twin.Entity{ID: "P-009", Kind: twin.KindPerson, Name: "承包商", Parent: "demo",
		Props: map[string]any{"department": "检修", "identity_type": "contractor"}, Mobile: &twin.Mobile{Tag: "T-009", Battery: math.NaN()}}}))
	start := t0.Add(-time.Hour)
	h.walk("P-009", start, 10, 90)                  // x 90 … 103.5: inside A-west (0–100) for the first 7 fixes
	h.walk("P-004", start, 5, 220)                  // A-east
	h.walk("P-001", start.Add(-2*time.Hour), 3, 20) // A-west, before the window
	h.walk("P-gone", start, 2, 10)                  // A-west, unknown to the twin
	window := "&from=" + url.QueryEscape(ms(start)) + "&to=" + url.QueryEscape(ms(t0))

	var doc presenceDoc
	r := h.get("/api/v1/history/presence?area=A-west" + window)
	if r.status != 200 {
		t.Fatalf("presence: %d %s", r.status, r.body)
	}
	r.json(t, &doc)
	var ids []string
	for _, e := range doc.Entities {
		ids = append(ids, e.EntityID)
	}
	if doc.Area != "A-west" || len(doc.BBox) != 4 || doc.Count != 2 || !slices.Equal(ids, []string{"P-009", "P-gone"}) {
		t.Fatalf("presence in A-west: %s", r.body)
	}
	if e := doc.Entities[0]; e.Name != "承包商" || e.Kind != "person" || e.Tag != "T-009" || e.Department != "检修" || e.IdentityType != "contractor" ||
		e.Fixes != 7 || e.First != ms(start) || e.Last != ms(start.Add(12*time.Second)) {
		t.Fatalf("P-009 entry %+v", e)
	}
	if e := doc.Entities[1]; e.Name != "" || e.Fixes != 2 {
		t.Fatalf("entry of an entity the twin lost: %+v", e)
	}

	b := h.rect(200, 0, 300, 100).Bound()
	doc = presenceDoc{}
	bbox := fmt.Sprintf("%.8f,%.8f,%.8f,%.8f", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	h.get("/api/v1/history/presence?bbox="+url.QueryEscape(bbox)+window).json(t, &doc)
	if doc.Count != 1 || doc.Entities[0].EntityID != "P-004" || doc.Area != "" {
		t.Fatalf("presence in the east bbox: %+v", doc)
	}
}

// TestTrackRecordedFromTheTwin runs the real recorder on the harness's
// scene: fixes applied to the twin are down-sampled, written to SQLite and
// served as the track.
func TestTrackRecordedFromTheTwin(t *testing.T) {
	h := newHarness(t)
	rec, err := history.NewRecorder(history.Options{Store: h.store, Scene: h.scene, Logger: quietLog(), FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	for i := range 20 { // 0.3 m per 2 s: a fix kept every 10 s or 1.2 m
		h.must(h.scene.Apply(twin.Move{ID: "P-003", Fix: twin.Fix{Point: h.frame.Point(90+0.3*float64(i), 60), At: t0.Add(time.Duration(2*i) * time.Second)}, Battery: math.NaN()}))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var doc trackDoc
	h.get("/api/v1/entities/P-003/track?from="+url.QueryEscape(ms(t0))+"&to="+url.QueryEscape(ms(t0.Add(time.Minute)))).json(t, &doc)
	want := []string{ms(t0), ms(t0.Add(8 * time.Second)), ms(t0.Add(16 * time.Second)), ms(t0.Add(24 * time.Second)), ms(t0.Add(32 * time.Second))}
	if !slices.Equal(doc.Properties.Times, want) {
		t.Fatalf("recorded track times %v, want %v", doc.Properties.Times, want)
	}
}

func TestHealthDegradedByAComponent(t *testing.T) {
	h := newHarness(t, func(o *api.Options) {
		o.Health = func(context.Context) map[string]any {
			return map[string]any{"history": map[string]any{"healthy": false}, "degraded": []string{"history: positions: retrying"}}
		}
	})
	var body struct {
		Status   string         `json:"status"`
		Store    string         `json:"store"`
		Degraded []string       `json:"degraded"`
		History  map[string]any `json:"history"`
	}
	r := h.get("/healthz")
	r.json(t, &body)
	if r.status != http.StatusServiceUnavailable || body.Status != "degraded" || body.Store != "ok" ||
		!slices.Equal(body.Degraded, []string{"history: positions: retrying"}) || body.History["healthy"] != false {
		t.Fatalf("healthz with a degraded component: %d %s", r.status, r.body)
	}
	h.store.Close()
	r = h.get("/healthz")
	r.json(t, &body)
	if r.status != http.StatusServiceUnavailable || len(body.Degraded) != 2 {
		t.Fatalf("healthz with the store closed too: %d %s", r.status, r.body)
	}
}

func TestTracks(t *testing.T) {
	h := newHarness(t)
	start := t0.Add(-time.Hour)
	h.walk("P-001", start, 10, 20)
	h.walk("P-002", start, 4, 60)
	h.walk("P-gone", start, 2, 0)
	var fc struct {
		Type     string     `json:"type"`
		Features []trackDoc `json:"features"`
	}
	r := h.get("/api/v1/tracks?ids=P-001,P-002,P-gone,P-003,P-001")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("tracks: %d %s", r.status, r.body)
	}
	r.json(t, &fc)
	got := map[string]int{}
	for _, f := range fc.Features {
		got[f.ID] = f.Properties.Count
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 4 || got["P-001"] != 10 || got["P-002"] != 4 || got["P-gone"] != 2 || got["P-003"] != 0 {
		t.Fatalf("tracks %v: %s", got, r.body)
	}
	wantError(t, h.get("/api/v1/tracks"), 400, "invalid_parameter")
	wantError(t, h.get("/api/v1/tracks?ids=GD-1"), 400, "invalid_parameter")
	wantError(t, h.get("/api/v1/tracks?ids=P-001&from=nope"), 400, "invalid_datetime")
	many := ""
	for i := range 51 {
		many += fmt.Sprintf("X-%d,", i)
	}
	wantError(t, h.get("/api/v1/tracks?ids="+many), 400, "invalid_parameter")
}
