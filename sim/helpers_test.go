package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// testStart is a summer morning at the plant.
var testStart = time.Date(2025, 7, 15, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// sent is a message and the Step time that returned it.
type sent struct {
	at  time.Time
	msg Message
}

// runFor steps sim from testStart for d in ticks of tick.
func runFor(t testing.TB, sim *Sim, d, tick time.Duration) []sent {
	t.Helper()
	var out []sent
	for at := testStart; !at.After(testStart.Add(d)); at = at.Add(tick) {
		for _, m := range sim.Step(at) {
			out = append(out, sent{at, m})
		}
	}
	return out
}

func newTestSim(t testing.TB, tp testPlant, opts Options) *Sim {
	t.Helper()
	if opts.Start.IsZero() {
		opts.Start = testStart
	}
	s, err := New(tp.build(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The DESIGN.md payloads, decoded strictly (unknown fields are errors;
// pointers tell a missing field from a zero).
type (
	positionMsg struct {
		Lon, Lat, Z *float64
		Floor       *int
		Battery     *float64
		SOS         *bool `json:"sos"`
		Speed       *float64
		TS          *int64 `json:"ts"`
	}
	readingMsg struct {
		Value *float64
		Unit  *string
		TS    *int64 `json:"ts"`
	}
	weatherMsg struct {
		WindSpeed  *float64 `json:"wind_speed"`
		WindFrom   *float64 `json:"wind_from"`
		TempC      *float64 `json:"temp_c"`
		CloudOctas *int     `json:"cloud_octas"`
		Stability  *string
		TS         *int64 `json:"ts"`
	}
	rssiMsg struct {
		Beacons *[]struct {
			ID   *string
			RSSI *float64
		}
		Battery *float64
		SOS     *bool  `json:"sos"`
		TS      *int64 `json:"ts"`
	}
	cameraMsg struct {
		Type       *string
		Confidence *float64
		TS         *int64 `json:"ts"`
	}
)

func decodeStrict(t testing.TB, payload []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
}

// topicID returns the id level and the kind of a topic of site plant.
func topicID(topic string) (kind, id string) {
	lv := strings.Split(strings.TrimPrefix(topic, "chemtwin/plant/"), "/")
	switch {
	case len(lv) == 3 && lv[0] == "tags" && (lv[2] == "position" || lv[2] == "rssi"):
		return lv[2], lv[1]
	case len(lv) == 3 && lv[0] == "detectors":
		return "reading", lv[1]
	case len(lv) == 2 && lv[0] == "weather":
		return "weather", lv[1]
	case len(lv) == 3 && lv[0] == "cameras":
		return "camera", lv[1]
	}
	return "", ""
}

func positions(t testing.TB, msgs []sent) map[string][]positionMsg {
	t.Helper()
	out := make(map[string][]positionMsg)
	for _, s := range msgs {
		if kind, id := topicID(s.msg.Topic); kind == "position" {
			var p positionMsg
			decodeStrict(t, s.msg.Payload, &p)
			out[id] = append(out[id], p)
		}
	}
	return out
}

func decodeLoose(t testing.TB, payload []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(payload, v); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
}
