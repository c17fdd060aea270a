package park_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/park"
	"github.com/chemtwin/chemtwin/twin"
)

// An uploader wired to a scene pushes the person and zone snapshots and the
// positions that changed; here to a local TLS receiver.
func Example() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env park.Envelope
		_ = json.NewDecoder(r.Body).Decode(&env)
		fmt.Println(env.Table, env.Mode, env.Count, r.Header.Get("Authorization"))
	}))
	defer srv.Close()

	scene := twin.New(twin.Options{})
	scene.Apply(
		twin.Upsert{Entity: &twin.Entity{ID: "AR-1", Kind: twin.KindArea, Name: "罐区",
			Geometry: orb.Polygon{{{106.60, 38.09}, {106.61, 38.09}, {106.61, 38.10}, {106.60, 38.09}}}}},
		twin.Upsert{Entity: &twin.Entity{ID: "P1", Kind: twin.KindPerson, Name: "张三",
			Props: map[string]any{"identity_type": "contractor"}, Mobile: &twin.Mobile{Tag: "T1", Battery: math.NaN()}}},
	)
	up, err := park.New(park.Options{
		Endpoint: srv.URL + "/positioning", Token: "s3cret", EnterpriseCode: "91640000TEST",
		HTTPClient: srv.Client(), Scene: scene,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	scene.Observe(up.ObserveScene)
	scene.Apply(twin.Move{Tag: "T1", Fix: twin.Fix{Point: orb.Point{106.605, 38.095}, At: time.Now()}, Battery: math.NaN()})
	if err := up.Push(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// person full 1 Bearer s3cret
	// zone full 1 Bearer s3cret
	// position incremental 1 Bearer s3cret
}
