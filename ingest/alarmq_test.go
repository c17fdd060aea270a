package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

func queuedAlarm(i int) alarm.Event {
	act := alarm.ActionRaised
	if i%2 == 1 {
		act = alarm.ActionCleared
	}
	return alarm.Event{Action: act, Alarm: alarm.Alarm{
		ID: fmt.Sprintf("al-%04d", i), Type: alarm.FenceIntrusion, Level: alarm.LevelHigh, State: alarm.Active,
		Key: fmt.Sprintf("fence_intrusion:p%d:F<1>", i), EntityID: fmt.Sprintf("p%d", i), AreaID: "area-a",
		Lon: 106.5, Lat: 38, RaisedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Millisecond),
		Message: "人员闯入 <罐区> & 围栏", MessageEn: "fence intrusion",
		Details: map[string]any{"fence_id": "F<1>", "x": float64(i) / 3, "cams": []any{"c1", "c2"}},
	}}
}

// subscribeAlarms collects the payloads on the site's alarm topic.
func subscribeAlarms(t *testing.T, url, site string) (func() [][]byte, paho.Client) {
	t.Helper()
	var mu sync.Mutex
	var got [][]byte
	sub := connectClient(t, url, randomID("sub-"))
	tok := sub.Subscribe(AlarmTopic(site), 1, func(_ paho.Client, m paho.Message) {
		mu.Lock()
		got = append(got, bytes.Clone(m.Payload()))
		mu.Unlock()
	})
	if !tok.WaitTimeout(waitFor) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	return func() [][]byte { mu.Lock(); defer mu.Unlock(); return append([][]byte(nil), got...) }, sub
}

// TestEnqueueAlarm: queued alarms reach a subscriber in order, each
// payload byte for byte json.Marshal(AlarmMessage).
func TestEnqueueAlarm(t *testing.T) {
	b := embeddedBroker(t)
	r := newRig(t, b.URL(), nil)
	got, _ := subscribeAlarms(t, b.URL(), r.site)
	const n = 500
	for i := range n {
		r.in.EnqueueAlarm(queuedAlarm(i))
	}
	r.eventually("all alarms delivered", func() bool { return len(got()) == n })
	for i, p := range got() {
		ev := queuedAlarm(i)
		want, err := json.Marshal(AlarmMessage{Alarm: ev.Alarm, Action: ev.Action})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, want) {
			t.Fatalf("alarm %d:\n got %s\nwant %s", i, p, want)
		}
	}
	r.eventually("all counted", func() bool { return r.metric("chemtwin_ingest_alarms_published_total", "result", "ok") == n })
	if r.in.AlarmBacklog() != 0 {
		t.Errorf("backlog %d after delivery", r.in.AlarmBacklog())
	}
}

// TestEnqueueAlarmBeforeConnect: alarms queued before the client has
// connected are held and delivered once it has.
func TestEnqueueAlarmBeforeConnect(t *testing.T) {
	b := embeddedBroker(t)
	site := randomID("t")
	got, _ := subscribeAlarms(t, b.URL(), site)
	reg := prometheus.NewRegistry()
	in, err := New(Options{Scene: testScene(t, site), BrokerURL: b.URL(), Logger: quietLogger(), Registerer: reg,
		Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		in.EnqueueAlarm(queuedAlarm(i))
	}
	if in.AlarmBacklog() != 20 {
		t.Fatalf("backlog %d before Run, want 20", in.AlarmBacklog())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(waitFor)
	for len(got()) < 20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(got()); n != 20 || in.AlarmBacklog() != 0 {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "chemtwin_ingest_alarms_published_total" {
				t.Log(mf.String())
			}
		}
		t.Fatalf("%d of 20 delivered, backlog %d", n, in.AlarmBacklog())
	}
}

// TestEnqueueAlarmBacklogBound: beyond MaxAlarmBacklog the oldest go,
// counted as dropped.
func TestEnqueueAlarmBacklogBound(t *testing.T) {
	site := randomID("t")
	reg := prometheus.NewRegistry()
	in, err := New(Options{Scene: testScene(t, site), BrokerURL: "tcp://127.0.0.1:1", Logger: quietLogger(), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxAlarmBacklog + 5 {
		in.EnqueueAlarm(queuedAlarm(i))
	}
	if n := in.AlarmBacklog(); n != MaxAlarmBacklog {
		t.Fatalf("backlog %d, want %d", n, MaxAlarmBacklog)
	}
	if d := gathered(t, reg, "chemtwin_ingest_alarms_published_total", "result", "dropped"); d != 5 {
		t.Fatalf("dropped %v, want 5", d)
	}
	if first := in.alarmQ[0].Alarm.ID; first != "al-0005" {
		t.Fatalf("oldest kept %s, want al-0005", first)
	}
}
