package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// TestSOSReachesPeopleNearby: an SOS is pushed to the tags of the people
// within 50 m (AQ 3064.3-2025: an SOS reaches the relevant people within
// 5 s), not to those far away.
func TestSOSReachesPeopleNearby(t *testing.T) {
	p := launch(t, "--demo")
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(p.mqtt).SetClientID("e2e-sos").SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("mqtt connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	near, far := make(chan []byte, 4), make(chan []byte, 4)
	for topic, ch := range map[string]chan []byte{"chemtwin/demo/tags/T99002/notify": near, "chemtwin/demo/tags/T99003/notify": far} {
		if tok := c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) { ch <- m.Payload() }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
	}
	lon, lat := siteCentre(t, p.url)
	mPerDegLat := 111320.0
	mPerDegLon := mPerDegLat * math.Cos(lat*math.Pi/180)
	pub := func(tag string, dx float64, sos bool) {
		payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"sos":%v,"ts":%d}`, lon+dx/mPerDegLon, lat, sos, time.Now().UnixMilli())
		c.Publish("chemtwin/demo/tags/"+tag+"/position", 1, false, payload).WaitTimeout(5 * time.Second)
	}
	pub("T99001", 0, false)
	pub("T99002", 10, false)
	pub("T99003", 200, false)
	time.Sleep(500 * time.Millisecond) // the three are in the twin
	sent := time.Now()
	pub("T99001", 0, true)
	select {
	case b := <-near:
		var n struct {
			Kind      string  `json:"kind"`
			DistanceM float64 `json:"distance_m"`
			Message   string  `json:"message"`
		}
		if err := json.Unmarshal(b, &n); err != nil || n.Kind != "sos" || n.DistanceM < 9 || n.DistanceM > 11 || n.Message == "" {
			t.Fatalf("notice %s (%v)", b, err)
		}
		t.Logf("SOS notice reached the tag 10 m away %v after the SOS was published", time.Since(sent).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("no SOS notice for the person 10 m away within 5 s")
	}
	select {
	case b := <-far:
		t.Fatalf("the person 200 m away was told: %s", b)
	case <-time.After(time.Second):
	}
	p.stop()
}
