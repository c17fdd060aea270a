package sim

import (
	"math/rand/v2"

	"github.com/chemtwin/chemtwin/twin"
)

// Video-analytics events (episodes only): one every 3–10 min, the first
// 1–3 min after the start, from a camera drawn at random among those with
// analytics, of a type the camera runs, drawn by how often plants see
// them — a missing helmet far more often than a fall — with a confidence
// of 0.62–0.97. Events go out at QoS 1: a device would not want to lose one.
var eventWeights = map[string]float64{
	"no_helmet": 0.40, "phone": 0.20, "intrusion": 0.15, "smoking": 0.10,
	"fall": 0.05, "smoke_fire": 0.05,
}

// otherEventWeight is the weight of an analytics type not listed above.
const otherEventWeight = 0.05

// defaultAnalytics are assumed when no camera lists any.
var defaultAnalytics = []string{"no_helmet", "smoking", "intrusion", "phone"}

type camera struct {
	topic   string
	types   []string
	weights []float64
}

// cameras is the event schedule of all cameras.
type cameras struct {
	m    *model
	r    *rand.Rand
	cams []camera
}

func (s *Sim) buildCameras(es []*twin.Entity) *cameras {
	c := &cameras{m: s.m, r: newRand(s.m.seed, "episodes/camera")}
	for _, e := range es {
		if !topicLevel(e.ID) {
			s.skipped++
			continue
		}
		var types []string
		if list, ok := e.Props["analytics"].([]any); ok {
			for _, v := range list {
				if t, ok := v.(string); ok && eventType(t) {
					types = append(types, t)
				}
			}
		}
		c.cams = append(c.cams, camera{topic: s.m.site + "cameras/" + e.ID + "/events", types: types})
	}
	any := false
	for _, cam := range c.cams {
		any = any || len(cam.types) > 0
	}
	kept := c.cams[:0]
	for _, cam := range c.cams {
		if !any {
			cam.types = defaultAnalytics
		}
		if len(cam.types) > 0 {
			cam.weights = make([]float64, len(cam.types))
			for i, t := range cam.types {
				cam.weights[i] = otherEventWeight
				if w, ok := eventWeights[t]; ok {
					cam.weights[i] = w
				}
			}
			kept = append(kept, cam)
		}
	}
	c.cams = kept
	return c
}

// eventType reports whether t is a lowercase identifier of at most 32
// bytes ([a-z][a-z0-9_]*), the form camera event types take.
func eventType(t string) bool {
	if t == "" || len(t) > 32 || t[0] < 'a' || t[0] > 'z' {
		return false
	}
	for i := 1; i < len(t); i++ {
		if c := t[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// first returns the due time of the first event, ms after time zero.
func (c *cameras) first() int64 { return int64(uniform(c.r, 60, 180) * 1000) }

func (c *cameras) emit(ms int64) (Message, bool, int64) {
	cam := c.cams[c.r.IntN(len(c.cams))]
	o := newObj(64)
	o.str("type", cam.types[pick(c.r, cam.weights)])
	o.num("confidence", uniform(c.r, 0.62, 0.97), 2)
	o.int("ts", ms)
	next := ms + int64(uniform(c.r, 180, 600)*1000)
	return Message{Topic: cam.topic, Payload: o.done(), QoS: 1}, true, next
}
