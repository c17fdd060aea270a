package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// addPeople places n more people on a 100 × 100 grid of the plant.
func (h *harness) addPeople(n int) {
	changes := make([]twin.Change, 0, 2*n)
	for i := range n {
		id := fmt.Sprintf("W-%05d", i)
		changes = append(changes, twin.Upsert{Entity: &twin.Entity{ID: id, Kind: twin.KindPerson, Name: "工人" + id,
			Props: map[string]any{"department": "生产部", "identity_type": "01"}, Mobile: &twin.Mobile{Tag: "WT-" + id, Battery: math.NaN()}}})
		changes = append(changes, twin.Move{ID: id, Fix: twin.Fix{Point: h.frame.Point(float64(i%100)*3, float64(i/100)*2), At: t0.Add(-time.Second), SpeedMS: 1.2}, Battery: 77})
	}
	h.must(h.scene.Apply(changes...))
}

func benchItems(b *testing.B, path string) {
	h := newHarness(b)
	h.addPeople(10000)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}

// BenchmarkItemsPeople10k encodes one page of 10 000 people.
func BenchmarkItemsPeople10k(b *testing.B) {
	benchItems(b, "/ogc/collections/people/items?limit=10000")
}

// BenchmarkItemsPeoplePage100 is a GIS client paging through the middle of
// 10 000 people, 100 at a time (cursor and prev link computed).
func BenchmarkItemsPeoplePage100(b *testing.B) {
	benchItems(b, "/ogc/collections/people/items?limit=100&cursor=Vy0wNTAwMA")
}

// BenchmarkItemsPeopleBBox100 filters 10 000 people by a bbox.
func BenchmarkItemsPeopleBBox100(b *testing.B) {
	benchItems(b, "/ogc/collections/people/items?limit=100&bbox=106.6,38.1,106.601,38.1005")
}
