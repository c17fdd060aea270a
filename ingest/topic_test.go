package ingest

import (
	"slices"
	"strings"
	"testing"
)

func TestParseTopic(t *testing.T) {
	cases := []struct {
		topic string
		want  Topic // zero = unknown_topic
	}{
		{"chemtwin/demo/tags/T1/position", Topic{KindPosition, "T1"}},
		{"chemtwin/demo/tags/T-0042/rssi", Topic{KindRSSI, "T-0042"}},
		{"chemtwin/demo/detectors/gd-1/reading", Topic{KindReading, "gd-1"}},
		{"chemtwin/demo/weather/ws-1", Topic{KindWeather, "ws-1"}},
		{"chemtwin/demo/cameras/cam 1/events", Topic{KindCamera, "cam 1"}},
		{"chemtwin/demo/tags/标签7/position", Topic{KindPosition, "标签7"}},
		{"chemtwin/demo/tags/T1/ack", Topic{KindAck, "T1"}},
		{"chemtwin/demo/tags/T1/acks", Topic{}},
		{"chemtwin/demo/tags/T1/ack/x", Topic{}},

		{"chemtwin/other/tags/T1/position", Topic{}},
		{"chemtwin/demo/tags/T1/positions", Topic{}},
		{"chemtwin/demo/tags/T1", Topic{}},
		{"chemtwin/demo/tags//position", Topic{}},
		{"chemtwin/demo/tags/T1/position/extra", Topic{}},
		{"chemtwin/demo/tags/T1/position/a/b/c", Topic{}},
		{"chemtwin/demo/tags/a/b/c/d/e/position", Topic{}},
		{"chemtwin/demo/tags/T1/position/", Topic{}},
		{"chemtwin/demo/weather/ws-1/extra", Topic{}},
		{"chemtwin/demo/weather/", Topic{}},
		{"chemtwin/demo/alarms", Topic{}},
		{"chemtwin/demo/detectors/gd-1/readings", Topic{}},
		{"Chemtwin/demo/tags/T1/position", Topic{}},
		{"/chemtwin/demo/tags/T1/position", Topic{}},
		{"chemtwin/demo/tags/" + strings.Repeat("x", MaxIDLen+1) + "/position", Topic{}},
		{"chemtwin/demo/tags/a\x00b/position", Topic{}},
		{"chemtwin/demo/tags/\xff/position", Topic{}},
		{"chemtwin/demo/tags/+/position", Topic{}},
		{"", Topic{}},
	}
	for _, c := range cases {
		t.Run(c.topic, func(t *testing.T) {
			got, err := ParseTopic("demo", c.topic)
			if c.want == (Topic{}) {
				if ReasonOf(err) != ReasonUnknownTopic {
					t.Fatalf("routed to %+v (err %v), want unknown_topic", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("%+v, %v; want %+v", got, err, c.want)
			}
			if s := got.String("demo"); s != c.topic {
				t.Fatalf("String() = %q", s)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	want := []string{
		"chemtwin/s1/tags/+/position", "chemtwin/s1/tags/+/rssi", "chemtwin/s1/detectors/+/reading",
		"chemtwin/s1/weather/+", "chemtwin/s1/cameras/+/events", "chemtwin/s1/tags/+/ack",
	}
	if got := Filters("s1"); !slices.Equal(got, want) {
		t.Fatalf("%q", got)
	}
	if AlarmTopic("s1") != "chemtwin/s1/alarms" {
		t.Fatal(AlarmTopic("s1"))
	}
}
