package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestParkUpload runs the demo with the park upload pointed at a local
// receiver: the person and zone tables and the positions of the people on
// site arrive, with the token and the enterprise code, and positions keep
// coming at the configured period (AQ 3064.3-2025: at least every 30 s).
func TestParkUpload(t *testing.T) {
	type envelope struct {
		Enterprise string            `json:"enterprise_code"`
		Table      string            `json:"table"`
		Records    []json.RawMessage `json:"records"`
	}
	var mu sync.Mutex
	got := map[string]int{}   // table → records
	posts := map[string]int{} // table → batches
	var auth, enterprise string
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e envelope
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[e.Table] += len(e.Records)
		posts[e.Table]++
		auth, enterprise = r.Header.Get("Authorization"), e.Enterprise
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer rx.Close()
	t.Setenv("CHEMTWIN_PARK_TOKEN", "s3cret")
	p := launch(t, "--demo", "--park-url", rx.URL+"/aq3064/upload", "--park-enterprise", "NDEC-0001", "--park-interval", "2s")
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		ok := got["person"] >= 300 && got["zone"] > 10 && posts["position"] >= 3 && got["position"] > 100
		snapshot := map[string]int{}
		for k, v := range got {
			snapshot[k] = v
		}
		a, e := auth, enterprise
		mu.Unlock()
		if ok {
			if a != "Bearer s3cret" || e != "NDEC-0001" {
				t.Fatalf("auth %q, enterprise %q", a, e)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("park receiver got %v within 30 s", snapshot)
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.stop()
}
