package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// zoneFeature is the part of an OGC threat_zones item the suite reads.
type zoneFeature struct {
	ID       string `json:"id"`
	Geometry struct {
		Type        string         `json:"type"`
		Coordinates [][][2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		Zone         string   `json:"zone"`
		Level        int      `json:"level"`
		Substance    string   `json:"substance"`
		SourceID     *string  `json:"source_id"`
		SourceLon    float64  `json:"source_lon"`
		SourceLat    float64  `json:"source_lat"`
		RateGS       float64  `json:"rate_g_s"`
		Confidence   float64  `json:"confidence"`
		WindFrom     float64  `json:"wind_from"`
		Stability    string   `json:"stability"`
		Warnings     []string `json:"warnings"`
		PeopleAtRisk int      `json:"people_at_risk"`
		People       []string `json:"people"`
	} `json:"properties"`
}

// TestScenarioAmmoniaLeak runs `chemtwin serve --demo --scenario
// ammonia-leak` and follows the whole chain from outside: the simulator's
// plume readings over MQTT raise gas alarms on the ammonia detectors by the
// pump, the threat service places the source at the pump and draws ammonia
// threat zones (OGC collection threat_zones), and a tag carried into a
// zone is listed among its people at risk, told the way out on its tag
// and named by an evacuation alarm.
func TestScenarioAmmoniaLeak(t *testing.T) {
	p := launch(t, "--demo", "--scenario", "ammonia-leak", "--scenario-start", "1s")
	begin := time.Now()

	// 1. A gas alarm on an ammonia detector.
	var alarmed string
	waitUntil(t, 90*time.Second, "a gas alarm on an ammonia detector", func() bool {
		var list struct {
			Alarms []struct {
				Type     string         `json:"type"`
				EntityID string         `json:"entity_id"`
				Details  map[string]any `json:"details"`
			} `json:"alarms"`
		}
		tryJSON(http.MethodGet, p.url+"/api/v1/alarms?open=true", "", nil, &list)
		for _, a := range list.Alarms {
			if (a.Type == "gas_level1" || a.Type == "gas_level2") && a.Details["substance"] == "ammonia" {
				alarmed = a.EntityID
				return true
			}
		}
		return false
	})
	t.Logf("%s alarmed %v after start", alarmed, time.Since(begin).Round(time.Second))

	// 2. Ammonia threat zones from a source at the pump.
	var pump struct {
		Geometry struct {
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	must(t, 200, http.MethodGet, p.url+"/api/v1/entities/P-101A", "", nil, &pump)
	var zones []zoneFeature
	waitUntil(t, 60*time.Second, "ammonia threat zones", func() bool {
		zones = ammoniaZones(p.url)
		return len(zones) > 0
	})
	z := zones[0]
	pr := z.Properties
	srcID := "free grid"
	if pr.SourceID != nil {
		srcID = *pr.SourceID
	}
	off := metresBetween(pump.Geometry.Coordinates, [2]float64{pr.SourceLon, pr.SourceLat})
	t.Logf("%d zones %v after start; source %s %.0f m from P-101A, %.1f g/s (released 100), confidence %.2f, wind from %.0f° class %s, warnings %v",
		len(zones), time.Since(begin).Round(time.Second), srcID, off, pr.RateGS, pr.Confidence, pr.WindFrom, pr.Stability, pr.Warnings)
	if off > 30 {
		t.Errorf("source placed %.0f m from the leaking pump", off)
	}
	if !(pr.RateGS > 0) {
		t.Errorf("rate %g g/s", pr.RateGS)
	}
	var threats struct {
		Incidents []struct {
			Substance string `json:"substance"`
			Detectors []string
		} `json:"incidents"`
	}
	must(t, 200, http.MethodGet, p.url+"/api/v1/threats", "", nil, &threats)
	if len(threats.Incidents) == 0 || threats.Incidents[0].Substance != "ammonia" || len(threats.Incidents[0].Detectors) == 0 {
		t.Errorf("GET /api/v1/threats: %+v", threats)
	}

	// 3. A person walks into the innermost zone (the red one when it is
	// drawn; it lies within the plant).
	var inner *zoneFeature
	for i, z := range zones {
		if z.Properties.Zone == "threat" && (inner == nil || z.Properties.Level > inner.Properties.Level) {
			inner = &zones[i]
		}
	}
	if inner == nil || inner.Geometry.Type != "Polygon" || len(inner.Geometry.Coordinates) == 0 {
		t.Fatalf("no threat zone polygon among %d zones", len(zones))
	}
	in := vertexMean(inner.Geometry.Coordinates[0])
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(p.mqtt).SetClientID("e2e-scenario").SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("mqtt connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	notices := make(chan []byte, 8)
	if tok := c.Subscribe("chemtwin/demo/tags/T99101/notify", 1, func(_ mqtt.Client, m mqtt.Message) { notices <- m.Payload() }); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	waitUntil(t, 30*time.Second, "the tag in the zone listed among the people at risk", func() bool {
		payload := fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"ts":%d}`, in[0], in[1], time.Now().UnixMilli())
		c.Publish("chemtwin/demo/tags/T99101/position", 1, false, payload).WaitTimeout(5 * time.Second)
		for _, z := range ammoniaZones(p.url) {
			if z.ID == inner.ID {
				for _, id := range z.Properties.People {
					if id == "tag-T99101" {
						t.Logf("%s lists %d people at risk, among them %s", z.ID, z.Properties.PeopleAtRisk, id)
						return z.Properties.PeopleAtRisk >= len(z.Properties.People)
					}
				}
			}
		}
		return false
	})

	// 4. They are told the way out on their tag, and an evacuation alarm
	// lists them.
	select {
	case b := <-notices:
		var n struct {
			Kind       string  `json:"kind"`
			Evacuate   bool    `json:"evacuate"`
			ZoneID     string  `json:"zone_id"`
			HeadingDeg float64 `json:"heading_deg"`
			Message    string  `json:"message"`
		}
		if err := json.Unmarshal(b, &n); err != nil || n.Kind != "evacuate" || !n.Evacuate || n.Message == "" {
			t.Fatalf("notice %s (%v)", b, err)
		}
		t.Logf("notice: %s, heading %.0f°: %s", n.ZoneID, n.HeadingDeg, n.Message)
	case <-time.After(10 * time.Second):
		t.Fatal("no evacuation notice on the tag within 10 s")
	}
	waitUntil(t, 10*time.Second, "an evacuation alarm listing the tag", func() bool {
		var list struct {
			Alarms []struct {
				Type    string         `json:"type"`
				Details map[string]any `json:"details"`
			} `json:"alarms"`
		}
		tryJSON(http.MethodGet, p.url+"/api/v1/alarms?type=evacuation&open=true", "", nil, &list)
		for _, a := range list.Alarms {
			if people, ok := a.Details["people"].([]any); ok && a.Type == "evacuation" && slices.Contains(people, any("tag-T99101")) {
				return true
			}
		}
		return false
	})
	p.stop()
}

// ammoniaZones returns the ammonia threat zones of the OGC collection.
func ammoniaZones(base string) []zoneFeature {
	var fc struct {
		Features []zoneFeature `json:"features"`
	}
	tryJSON(http.MethodGet, base+"/ogc/collections/threat_zones/items?limit=100", "", nil, &fc)
	var out []zoneFeature
	for _, f := range fc.Features {
		if f.Properties.Substance == "ammonia" && strings.HasPrefix(f.ID, "TZ-") {
			out = append(out, f)
		}
	}
	return out
}

// waitUntil polls ok every half second until it holds, failing the test
// after d.
func waitUntil(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, d)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// metresBetween is the distance between two lon/lat points on a sphere of
// Earth's mean radius (equirectangular: exact enough within a plant).
func metresBetween(a, b [2]float64) float64 {
	const r = 6371008.8
	lat := (a[1] + b[1]) / 2 * math.Pi / 180
	dx := (b[0] - a[0]) * math.Pi / 180 * r * math.Cos(lat)
	dy := (b[1] - a[1]) * math.Pi / 180 * r
	return math.Hypot(dx, dy)
}

// vertexMean is the mean of a ring's vertices (the closing one left out):
// inside a convex zone.
func vertexMean(ring [][2]float64) [2]float64 {
	var s [2]float64
	n := len(ring) - 1
	for _, v := range ring[:n] {
		s[0] += v[0] / float64(n)
		s[1] += v[1] / float64(n)
	}
	return s
}
