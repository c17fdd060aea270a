package api_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

// BenchmarkTrack8h serves one person's 8 h track at one kept fix per 2 s
// (14,400 fixes, the worst case of AQ 3064.3-2025's "8 h trajectory within
// 3 s") from SQLite over HTTP: query, GeoJSON encoding and transfer.
func BenchmarkTrack8h(b *testing.B) {
	h := newHarness(b)
	start := t0.Add(-8 * time.Hour)
	ps := make([]store.Position, 0, 14400)
	for i := range 14400 {
		p := h.frame.Point(float64(i%200), float64(i/200))
		ps = append(ps, store.Position{EntityID: "P-001", At: start.Add(time.Duration(2*i) * time.Second), Lon: p[0], Lat: p[1]})
	}
	if err := h.store.AppendPositions(context.Background(), ps); err != nil {
		b.Fatal(err)
	}
	path := "/api/v1/entities/P-001/track?from=" + url.QueryEscape(start.Format(time.RFC3339)) + "&to=" + url.QueryEscape(t0.Format(time.RFC3339))
	for b.Loop() {
		if r := h.get(path); r.status != 200 || len(r.body) < 14400*30 {
			b.Fatalf("track: %d, %d bytes", r.status, len(r.body))
		}
	}
}
