package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// TestEvacuationOrderReachesTags: on the demo, emergency staff plan an
// evacuation around a drawn hazard and order it; a tag placed in the plant
// over MQTT receives its route and muster point on its notify topic,
// acknowledges on its ack topic, and the order counts the acknowledgement;
// the all-clear reaches the tag too.
func TestEvacuationOrderReachesTags(t *testing.T) {
	p := launch(t, "--demo")
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(p.mqtt).SetClientID("e2e-evac").SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("mqtt connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	const tag = "T99021"
	notices := make(chan []byte, 16)
	if tok := c.Subscribe("chemtwin/demo/tags/"+tag+"/notify", 1, func(_ mqtt.Client, m mqtt.Message) { notices <- m.Payload() }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	lon, lat := siteCentre(t, p.url)
	mPerLon := 111320 * math.Cos(lat*math.Pi/180)
	// The tag stands by the first vertex of a road, and keeps reporting
	// from there (so it stays accounted for) while the test runs.
	var roads struct {
		Features []struct {
			Geometry struct {
				Coordinates [][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	must(t, 200, http.MethodGet, p.url+"/ogc/collections/roads/items?limit=1", "", nil, &roads)
	if len(roads.Features) == 0 {
		t.Fatal("the demo has no roads")
	}
	at := roads.Features[0].Geometry.Coordinates[0]
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"ts":%d}`, at[0], at[1]+3/111320.0, time.Now().UnixMilli())
			c.Publish("chemtwin/demo/tags/"+tag+"/position", 1, false, payload).WaitTimeout(5 * time.Second)
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
		}
	}()
	var login struct{ Token string }
	must(t, 200, http.MethodPost, p.url+"/api/v1/auth/login", "", map[string]string{"username": "emergency", "password": "demo"}, &login)
	person := "tag-" + tag // an unregistered tag is a person of its own
	deadline := time.Now().Add(15 * time.Second)
	for tryJSON(http.MethodGet, p.url+"/api/v1/entities/"+person, "", nil, nil) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the tag never reached the twin")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A hazard at the middle of the plant.
	d := 30.0
	ring := [][2]float64{}
	for _, c := range [][2]float64{{-d, -d}, {d, -d}, {d, d}, {-d, d}, {-d, -d}} {
		ring = append(ring, [2]float64{lon + c[0]/mPerLon, lat + c[1]/111320})
	}
	var plan struct {
		ID     string `json:"id"`
		Routes struct {
			Features []struct {
				Properties struct {
					Person string  `json:"person_id"`
					Muster string  `json:"muster_id"`
					Length float64 `json:"length_m"`
				} `json:"properties"`
			} `json:"features"`
		} `json:"routes"`
		Unreachable []struct {
			Person string `json:"person_id"`
			Reason string `json:"reason"`
		} `json:"unreachable"`
		People int `json:"people"`
	}
	must(t, 201, http.MethodPost, p.url+"/api/v1/evacuation/plans", login.Token,
		map[string]any{"hazards": []any{map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}}}, &plan)
	muster := ""
	for _, f := range plan.Routes.Features {
		if f.Properties.Person == person {
			muster = f.Properties.Muster
		}
	}
	if muster == "" {
		t.Fatalf("the tag's person has no route in plan %s of %d people (unreachable %+v)", plan.ID, plan.People, plan.Unreachable)
	}

	var order struct {
		ID    string `json:"id"`
		Sent  int    `json:"sent"`
		Acked int    `json:"acked"`
	}
	sent := time.Now()
	must(t, 201, http.MethodPost, p.url+"/api/v1/evacuation/orders", login.Token, map[string]any{"plan_id": plan.ID}, &order)
	if order.Sent < 1 || order.Acked != 0 {
		t.Fatalf("order %+v", order)
	}
	var n struct {
		Kind    string       `json:"kind"`
		OrderID string       `json:"order_id"`
		Muster  string       `json:"muster_id"`
		Route   [][2]float64 `json:"route"`
		Message string       `json:"message"`
	}
	for n.Kind != "evacuation" {
		select {
		case b := <-notices:
			if err := json.Unmarshal(b, &n); err != nil {
				t.Fatalf("notice %s: %v", b, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no evacuation notice on the tag's notify topic")
		}
	}
	if n.OrderID != order.ID || n.Muster != muster || len(n.Route) < 2 || n.Message == "" {
		t.Fatalf("notice %+v", n)
	}
	t.Logf("the evacuation notice reached the tag %v after the order", time.Since(sent).Round(time.Millisecond))

	c.Publish("chemtwin/demo/tags/"+tag+"/ack", 1, false, fmt.Sprintf(`{"ref":%q}`, order.ID)).WaitTimeout(5 * time.Second)
	var view struct {
		Acked int `json:"acked"`
		Acks  []struct {
			Person string `json:"person_id"`
		} `json:"acks"`
	}
	deadline = time.Now().Add(10 * time.Second)
	for view.Acked == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the acknowledgement was not counted")
		}
		time.Sleep(100 * time.Millisecond)
		must(t, 200, http.MethodGet, p.url+"/api/v1/evacuation/orders/"+order.ID, "", nil, &view)
	}
	if view.Acks[0].Person != person {
		t.Errorf("acks %+v", view.Acks)
	}

	must(t, 200, http.MethodPost, p.url+"/api/v1/evacuation/orders/"+order.ID+"/end", login.Token, nil, nil)
	for n.Kind != "evacuation_end" {
		select {
		case b := <-notices:
			if err := json.Unmarshal(b, &n); err != nil {
				t.Fatalf("notice %s: %v", b, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no all-clear on the tag's notify topic")
		}
	}
	p.stop()
}
