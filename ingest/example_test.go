package ingest_test

import (
	"fmt"
	"time"

	"github.com/chemtwin/chemtwin/ingest"
)

func ExampleParsePosition() {
	now := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	p, err := ingest.ParsePosition([]byte(`{"lon":106.5,"lat":38,"battery":87,"ts":"2026-07-01T16:00:00+08:00"}`), ingest.Env{Now: now})
	fmt.Println(p.Fix.Point, p.Battery, p.Fix.At.Equal(now), err)

	_, err = ingest.ParsePosition([]byte(`{"lon":106.5,"lat":38,"battery":150}`), ingest.Env{Now: now})
	fmt.Println(ingest.ReasonOf(err), err)
	// Output:
	// [106.5 38] 87 true <nil>
	// bad_field ingest: bad field: battery: 150 outside [0, 100]
}

func ExampleParseTopic() {
	t, err := ingest.ParseTopic("demo", "chemtwin/demo/detectors/gd-101/reading")
	fmt.Println(t.Kind, t.ID, err)
	_, err = ingest.ParseTopic("demo", "chemtwin/demo/detectors/gd-101")
	fmt.Println(ingest.ReasonOf(err))
	// Output:
	// reading gd-101 <nil>
	// unknown_topic
}
