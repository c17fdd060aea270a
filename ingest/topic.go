package ingest

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of an inbound message, named after its topic. It is the
// `kind` label of the ingest counters.
type Kind string

// Message kinds.
const (
	KindPosition Kind = "position" // chemtwin/{site}/tags/{tag}/position
	KindRSSI     Kind = "rssi"     // chemtwin/{site}/tags/{tag}/rssi
	KindReading  Kind = "reading"  // chemtwin/{site}/detectors/{id}/reading
	KindWeather  Kind = "weather"  // chemtwin/{site}/weather/{station}
	KindCamera   Kind = "camera"   // chemtwin/{site}/cameras/{id}/events
	KindAck      Kind = "ack"      // chemtwin/{site}/tags/{tag}/ack (W8: a wearer acknowledged a notice)
	KindUnknown  Kind = "unknown"  // anything else (only in counters)
)

// Kinds lists the routable message kinds.
var Kinds = []Kind{KindPosition, KindRSSI, KindReading, KindWeather, KindCamera, KindAck}

// TopicRoot is the first level of every chemtwin topic.
const TopicRoot = "chemtwin"

// MaxIDLen bounds the id level of a topic (a tag, detector, station or
// camera id), in bytes.
const MaxIDLen = 128

// Topic is a routed inbound topic: what kind of message, about which id.
type Topic struct {
	Kind Kind
	// ID is the topic's id level: the tag for positions and RSSI, else the
	// entity id of the detector, weather station or camera.
	ID string
}

// String returns the MQTT topic of t on site.
func (t Topic) String(site string) string {
	p := TopicRoot + "/" + site + "/"
	switch t.Kind {
	case KindPosition:
		return p + "tags/" + t.ID + "/position"
	case KindRSSI:
		return p + "tags/" + t.ID + "/rssi"
	case KindReading:
		return p + "detectors/" + t.ID + "/reading"
	case KindWeather:
		return p + "weather/" + t.ID
	case KindCamera:
		return p + "cameras/" + t.ID + "/events"
	case KindAck:
		return p + "tags/" + t.ID + "/ack"
	}
	return ""
}

// Filters returns the subscription filters for site, one per kind.
func Filters(site string) []string {
	fs := make([]string, len(Kinds))
	for i, k := range Kinds {
		fs[i] = Topic{Kind: k, ID: "+"}.String(site)
	}
	return fs
}

// AlarmTopic is the topic chemtwin publishes alarm events on.
func AlarmTopic(site string) string { return TopicRoot + "/" + site + "/alarms" }

// ParseTopic routes an inbound topic of site. Topics outside the contract,
// of another site, or with an empty or malformed id level are ErrUnknownTopic.
func ParseTopic(site, topic string) (Topic, error) {
	var buf [6]string // the contract's topics have 4 or 5 levels
	lv := splitLevels(topic, buf[:0])
	if len(lv) < 4 || lv[0] != TopicRoot || lv[1] != site {
		return Topic{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	}
	var t Topic
	switch {
	case len(lv) == 5 && lv[2] == "tags" && lv[4] == "position":
		t = Topic{KindPosition, lv[3]}
	case len(lv) == 5 && lv[2] == "tags" && lv[4] == "rssi":
		t = Topic{KindRSSI, lv[3]}
	case len(lv) == 5 && lv[2] == "detectors" && lv[4] == "reading":
		t = Topic{KindReading, lv[3]}
	case len(lv) == 4 && lv[2] == "weather":
		t = Topic{KindWeather, lv[3]}
	case len(lv) == 5 && lv[2] == "cameras" && lv[4] == "events":
		t = Topic{KindCamera, lv[3]}
	case len(lv) == 5 && lv[2] == "tags" && lv[4] == "ack":
		t = Topic{KindAck, lv[3]}
	default:
		return Topic{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	}
	if err := checkID(t.ID); err != nil {
		return Topic{}, fmt.Errorf("%w: %q: %v", ErrUnknownTopic, topic, err)
	}
	return t, nil
}

// splitLevels splits topic at '/' into lv (without allocating while it
// has room), stopping after cap(lv)+1 levels: a longer topic is refused
// anyway.
func splitLevels(topic string, lv []string) []string {
	for len(lv) < cap(lv) {
		level, rest, more := strings.Cut(topic, "/")
		lv = append(lv, level)
		if !more {
			return lv
		}
		topic = rest
	}
	return append(lv, topic) // beyond the room: too many levels
}

// checkID accepts a non-empty, valid UTF-8 id of at most MaxIDLen bytes
// without control characters or MQTT wildcards.
func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("empty id")
	case len(id) > MaxIDLen:
		return fmt.Errorf("id longer than %d bytes", MaxIDLen)
	case !utf8.ValidString(id):
		return fmt.Errorf("id is not UTF-8")
	case strings.ContainsAny(id, "+#"):
		return fmt.Errorf("id holds a wildcard")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fmt.Errorf("id holds a control character")
	}
	return nil
}
