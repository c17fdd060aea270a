package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/ingest/broker"
	"github.com/chemtwin/chemtwin/internal/mqtttest"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

func TestPipelineEmbedded(t *testing.T) {
	testPipeline(t, embeddedBroker(t).URL())
}

func TestPipelineMosquitto(t *testing.T) {
	testPipeline(t, mqtttest.Mosquitto(t))
}

// testPipeline drives every topic kind through a real broker into the twin.
func testPipeline(t *testing.T, url string) {
	r := newRig(t, url, nil)
	f := testFrame(t)

	t.Run("registered tag moves", func(t *testing.T) {
		r.publish(r.topic(KindPosition, "T1"), `{"x":10,"y":20,"battery":80,"floor":1,"ts":"`+ts(time.Second)+`"}`)
		var e *twin.Entity
		r.eventually("T1 moved", func() bool {
			e, _ = r.scene.ByTag("T1")
			return e.Mobile.Fix.At.Equal(t0.Add(time.Second))
		})
		if e.ID != "p1" || !near(e.Point(), f.Point(10, 20)) || e.Mobile.Battery != 80 || e.Mobile.AreaID != "area-a" || e.Mobile.Fix.Floor != 1 {
			t.Fatalf("p1 after the fix: %+v %+v", e, e.Mobile)
		}
	})

	t.Run("unknown tag becomes an unregistered person", func(t *testing.T) {
		r.publish(r.topic(KindPosition, "TX9"), `{"lon":106.5002,"lat":38.0001,"sos":true}`)
		var e *twin.Entity
		r.eventually("TX9 registered", func() bool {
			var ok bool
			e, ok = r.scene.ByTag("TX9")
			return ok
		})
		if e.Kind != twin.KindPerson || !e.Mobile.Unregistered || !e.Mobile.SOS || !e.Mobile.Fix.At.Equal(t0) {
			t.Fatalf("TX9: %+v %+v", e, e.Mobile)
		}
		r.eventually("unregistered counted", func() bool { return r.metric("chemtwin_ingest_unregistered_tags_total") == 1 })
	})

	t.Run("rssi is solved into a position", func(t *testing.T) {
		// A tag at (-8, 12), 1.2 m above ground, hears the four beacons
		// (mounted 2.5 m high) as the path-loss model says, without noise.
		tag := [2]float64{-8, 12}
		var beacons []string
		for _, id := range []string{"b1", "b2", "b3", "b4"} {
			xy := beaconXY[id]
			d := math.Sqrt(math.Pow(xy[0]-tag[0], 2) + math.Pow(xy[1]-tag[1], 2) + math.Pow(2.5-1.2, 2))
			beacons = append(beacons, fmt.Sprintf(`{"id":%q,"rssi":%.1f}`, id, locate.DefaultRSSI1m-10*locate.DefaultPathLossExp*math.Log10(d)))
		}
		r.publish(r.topic(KindRSSI, "T1"), `{"beacons":[`+strings.Join(beacons, ",")+`,{"id":"nope","rssi":-40}],"gateway":"gw-1","ts":"`+ts(2*time.Second)+`"}`)
		var e *twin.Entity
		r.eventually("T1 placed by rssi", func() bool {
			e, _ = r.scene.ByTag("T1")
			return e.Mobile.Fix.At.Equal(t0.Add(2 * time.Second))
		})
		if x, y := f.Local(e.Point()); math.Hypot(x-tag[0], y-tag[1]) > 1 || e.Mobile.Fix.Floor != 0 {
			t.Fatalf("fix at %.2f,%.2f floor %d; want within 1 m of %.0f,%.0f outdoors", x, y, e.Mobile.Fix.Floor, tag[0], tag[1])
		}
		if n := r.metric("chemtwin_ingest_unknown_beacons_total"); n != 1 {
			t.Fatalf("unknown beacons counted %v, want 1", n)
		}
	})

	t.Run("a fix with an accuracy goes through the filter", func(t *testing.T) {
		// T1's filter stands at (-8, 12) from the RSSI report; a UWB fix
		// 3 m away with a 0.3 m accuracy moves it there (nearly), and one
		// with a 50 m accuracy barely moves it.
		r.publish(r.topic(KindPosition, "T1"), `{"x":-5,"y":12,"accuracy":0.3,"ts":"`+ts(3*time.Second)+`"}`)
		var e *twin.Entity
		r.eventually("T1 at 3 s", func() bool { e, _ = r.scene.ByTag("T1"); return e.Mobile.Fix.At.Equal(t0.Add(3 * time.Second)) })
		if x, y := f.Local(e.Point()); math.Hypot(x+5, y-12) > 0.6 {
			t.Fatalf("precise fix filtered to %.2f,%.2f; want near -5,12", x, y)
		}
		r.publish(r.topic(KindPosition, "T1"), `{"x":40,"y":12,"accuracy":50,"ts":"`+ts(4*time.Second)+`"}`)
		r.eventually("T1 at 4 s", func() bool { e, _ = r.scene.ByTag("T1"); return e.Mobile.Fix.At.Equal(t0.Add(4 * time.Second)) })
		if x, _ := f.Local(e.Point()); x > 5 {
			t.Fatalf("a 50 m-accuracy fix 45 m away pulled the tag to x=%.1f", x)
		}
	})

	t.Run("detector reading sets state", func(t *testing.T) {
		r.publish(r.topic(KindReading, "gd-1"), `{"value":12.5,"unit":"%LEL","fault":"E7","ts":"`+ts(time.Second)+`"}`)
		var e *twin.Entity
		r.eventually("gd-1 state", func() bool {
			e, _ = r.scene.Get("gd-1")
			return e.State["value"] == 12.5
		})
		want := map[string]any{"value": 12.5, "unit": "%LEL", "fault": true, "fault_code": "E7", "reading_ts": ts(time.Second)}
		for k, v := range want {
			if e.State[k] != v {
				t.Errorf("state %s = %v, want %v", k, e.State[k], v)
			}
		}
		if !e.Updated.Equal(t0.Add(time.Second)) {
			t.Errorf("updated %v", e.Updated)
		}
	})

	t.Run("weather applies", func(t *testing.T) {
		r.publish(r.topic(KindWeather, "ws-1"), `{"wind_speed":3.5,"wind_from":290,"temp_c":21,"stability":"D"}`)
		r.eventually("ws-1 state", func() bool {
			e, _ := r.scene.Get("ws-1")
			return e.State["wind_speed"] == 3.5 && e.State["wind_from"] == 290.0 && e.State["stability"] == "D" && e.State["temp_c"] == 21.0
		})
	})

	t.Run("camera events apply", func(t *testing.T) {
		r.publish(r.topic(KindCamera, "cam-1"), `{"type":"smoking","confidence":0.8}`)
		r.publish(r.topic(KindCamera, "cam-1"), `{"type":"forklift_speeding","confidence":0.6,"ts":"`+ts(time.Second)+`"}`)
		r.eventually("cam-1 state", func() bool {
			e, _ := r.scene.Get("cam-1")
			return e.State["last_event"] == "forklift_speeding" && e.State["confidence"] == 0.6 && e.State["event_ts"] == ts(time.Second)
		})
		r.eventually("unknown event counted", func() bool { return r.metric("chemtwin_ingest_unknown_camera_events_total") == 1 })
	})

	t.Run("rejections are counted with their reason", func(t *testing.T) {
		far := f.Point(0, 6000)
		cases := []struct {
			name, topic, payload string
			kind                 Kind
			reason               Reason
		}{
			{"bad json", r.topic(KindPosition, "T1"), `{"lon":`, KindPosition, ReasonBadJSON},
			{"battery 150", r.topic(KindPosition, "T1"), `{"lon":106.5,"lat":38,"battery":150}`, KindPosition, ReasonBadField},
			{"missing lat", r.topic(KindPosition, "T1"), `{"lon":106.5}`, KindPosition, ReasonBadPosition},
			{"far from site", r.topic(KindPosition, "T1"), fmt.Sprintf(`{"lon":%v,"lat":%v}`, far[0], far[1]), KindPosition, ReasonFarFromSite},
			{"oversize", r.topic(KindPosition, "T1"), `{"lon":106.5,"lat":38,"pad":"` + strings.Repeat("x", DefaultMaxPayload) + `"}`, KindPosition, ReasonOversize},
			{"future ts", r.topic(KindCamera, "cam-1"), `{"type":"fall","confidence":1,"ts":"` + ts(time.Hour) + `"}`, KindCamera, ReasonFutureTimestamp},
			{"stale ts", r.topic(KindWeather, "ws-1"), `{"wind_speed":1,"wind_from":1,"ts":"` + ts(-time.Hour) + `"}`, KindWeather, ReasonStaleTimestamp},
			{"unit mismatch", r.topic(KindReading, "gd-1"), `{"value":3,"unit":"ppm","ts":"` + ts(time.Second) + `"}`, KindReading, ReasonUnitMismatch},
			{"unknown detector", r.topic(KindReading, "gd-404"), `{"value":3,"unit":"%LEL"}`, KindReading, ReasonUnknownEntity},
			{"camera is no detector", r.topic(KindReading, "cam-1"), `{"value":3,"unit":"%LEL"}`, KindReading, ReasonUnknownEntity},
			{"unknown weather station", r.topic(KindWeather, "ws-9"), `{"wind_speed":1,"wind_from":1}`, KindWeather, ReasonUnknownEntity},
			{"no known beacon", r.topic(KindRSSI, "T1"), `{"beacons":[{"id":"zz","rssi":-50}]}`, KindRSSI, ReasonUnknownEntity},
			{"id too long", r.topic(KindPosition, strings.Repeat("x", MaxIDLen+1)), `{"lon":106.5,"lat":38}`, KindUnknown, ReasonUnknownTopic},
			{"reading older than the state", r.topic(KindReading, "gd-1"), `{"value":1,"unit":"%LEL","ts":"` + ts(0) + `"}`, KindReading, ReasonOutOfOrder},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := r.rejected(c.kind, c.reason)
				r.publish(c.topic, c.payload)
				r.eventually(fmt.Sprintf("rejected{%s,%s} to grow", c.kind, c.reason), func() bool {
					return r.rejected(c.kind, c.reason) == before+1
				})
			})
		}
	})

	t.Run("replayed older fix is out_of_order", func(t *testing.T) {
		r.publish(r.topic(KindPosition, "T1"), `{"x":1,"y":1,"ts":"`+ts(10*time.Second)+`"}`)
		r.publish(r.topic(KindPosition, "T1"), `{"x":2,"y":2,"ts":"`+ts(5*time.Second)+`"}`)
		r.eventually("replay rejected", func() bool { return r.rejected(KindPosition, ReasonOutOfOrder) == 1 })
		e, _ := r.scene.ByTag("T1")
		if !e.Mobile.Fix.At.Equal(t0.Add(10*time.Second)) || !near(e.Point(), f.Point(1, 1)) {
			t.Fatalf("the replay changed T1: %+v", e.Mobile.Fix)
		}
	})

	t.Run("accepted messages are counted by kind", func(t *testing.T) {
		want := map[Kind]float64{KindPosition: 5, KindRSSI: 1, KindReading: 1, KindWeather: 1, KindCamera: 2}
		for k, n := range want {
			if got := r.accepted(k); got != n {
				t.Errorf("messages_total{%s} = %v, want %v", k, got, n)
			}
		}
	})

	t.Run("alarm reaches a subscriber", func(t *testing.T) {
		got := make(chan []byte, 1)
		sub := connectClient(t, url, randomID("sub-"))
		tok := sub.Subscribe(AlarmTopic(r.site), 1, func(_ paho.Client, m paho.Message) { got <- m.Payload() })
		if !tok.WaitTimeout(waitFor) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
		ev := alarm.Event{Action: alarm.ActionRaised, Alarm: alarm.Alarm{
			ID: "al-1", Type: alarm.SOS, Level: alarm.LevelHigh, State: alarm.Active, EntityID: "p1",
			AreaID: "area-a", Lon: 106.5, Lat: 38, RaisedAt: t0, UpdatedAt: t0, Message: "人员SOS报警", MessageEn: "SOS from a person",
		}}
		if err := r.in.PublishAlarm(ev); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			var m map[string]any
			if err := json.Unmarshal(p, &m); err != nil {
				t.Fatal(err)
			}
			if m["action"] != "raised" || m["id"] != "al-1" || m["type"] != "sos" || m["level"] != 3.0 ||
				m["message"] != "人员SOS报警" || m["acked_at"] != nil || m["raised_at"] != t0.Format(time.RFC3339) {
				t.Fatalf("alarm payload %s", p)
			}
		case <-time.After(waitFor):
			t.Fatal("alarm never arrived")
		}
		if n := r.metric("chemtwin_ingest_alarms_published_total", "result", "ok"); n != 1 {
			t.Fatalf("alarms published %v", n)
		}
	})

	t.Run("notify reaches the tag", func(t *testing.T) {
		got := make(chan []byte, 1)
		sub := connectClient(t, url, randomID("tag-"))
		tok := sub.Subscribe(NotifyTopic(r.site, "T1"), 1, func(_ paho.Client, m paho.Message) { got <- m.Payload() })
		if !tok.WaitTimeout(waitFor) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
		if err := r.in.PublishNotify("T1", map[string]any{"kind": "gathering", "message": "请立即疏散"}); err != nil {
			t.Fatal(err)
		}
		if err := r.in.PublishNotify("T/1", nil); err == nil {
			t.Fatal("a tag with a topic separator was published to")
		}
		select {
		case p := <-got:
			if string(p) != `{"kind":"gathering","message":"请立即疏散"}` {
				t.Fatalf("notify payload %s", p)
			}
		case <-time.After(waitFor):
			t.Fatal("notify never arrived")
		}
		if ok, bad := r.metric("chemtwin_ingest_notifies_published_total", "result", "ok"), r.metric("chemtwin_ingest_notifies_published_total", "result", "error"); ok != 1 || bad != 1 {
			t.Fatalf("notifies counted ok %v, error %v", ok, bad)
		}
	})
}

// TestNoLossUnderBackpressure pushes far more messages than the queue holds
// through a tiny batch size: the callback must block, never drop.
func TestAcksEmbedded(t *testing.T)  { testAcks(t, embeddedBroker(t).URL()) }
func TestAcksMosquitto(t *testing.T) { testAcks(t, mqtttest.Mosquitto(t)) }

// testAcks sends tags' acknowledgements through a real broker to OnAck;
// a bad one is rejected with its reason, and without a listener every ack
// is rejected.
func testAcks(t *testing.T, url string) {
	type got struct {
		tag string
		a   Ack
	}
	acks := make(chan got, 4)
	r := newRig(t, url, func(o *Options) { o.OnAck = func(tag string, a Ack) { acks <- got{tag, a} } })
	r.publish(r.topic(KindAck, "T1"), `{"ref":"EV-1","ts":"`+ts(-2*time.Second)+`"}`)
	select {
	case g := <-acks:
		if g.tag != "T1" || g.a.Ref != "EV-1" || !g.a.At.Equal(t0.Add(-2*time.Second)) {
			t.Fatalf("ack %+v", g)
		}
	case <-time.After(waitFor):
		t.Fatal("no ack reached OnAck")
	}
	r.eventually("ack counted", func() bool { return r.accepted(KindAck) == 1 })
	r.publish(r.topic(KindAck, "T1"), `{"ref":""}`)
	r.eventually("bad ack rejected", func() bool { return r.rejected(KindAck, ReasonBadField) == 1 })
	if len(acks) != 0 {
		t.Errorf("a bad ack reached OnAck: %+v", <-acks)
	}

	deaf := newRig(t, url, nil)
	deaf.publish(deaf.topic(KindAck, "T1"), `{"ref":"EV-1"}`)
	deaf.eventually("ack without a listener rejected", func() bool { return deaf.rejected(KindAck, ReasonUnknownEntity) == 1 })
}

func TestNoLossUnderBackpressure(t *testing.T) {
	r := newRig(t, embeddedBroker(t).URL(), func(o *Options) { o.BatchSize = 4 }) // queue of 32
	const tags, rounds, window = 200, 10, 100
	var toks []paho.Token
	for round := range rounds {
		for i := range tags {
			p := fmt.Sprintf(`{"lon":106.5,"lat":38,"ts":%d}`, t0.Add(time.Duration(round)*time.Millisecond).UnixMilli())
			toks = append(toks, r.pub.Publish(r.topic(KindPosition, fmt.Sprintf("bp-%d", i)), 1, false, p))
			if len(toks) == window {
				waitTokens(t, toks)
				toks = toks[:0]
			}
		}
	}
	waitTokens(t, toks)
	r.eventually("every message applied", func() bool { return r.accepted(KindPosition) == tags*rounds })
	if n := r.metric("chemtwin_ingest_unregistered_tags_total"); n != tags {
		t.Fatalf("unregistered %v, want %d", n, tags)
	}
	e, _ := r.scene.ByTag("bp-7")
	if want := t0.Add((rounds - 1) * time.Millisecond); !e.Mobile.Fix.At.Equal(want) {
		t.Fatalf("bp-7 last fix at %v, want %v", e.Mobile.Fix.At, want)
	}
}

func waitTokens(t *testing.T, toks []paho.Token) {
	t.Helper()
	for _, tok := range toks {
		if !tok.WaitTimeout(waitFor) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}
}

// TestResubscribeAfterBrokerRestart restarts the broker on the same address:
// the ingest reconnects, resubscribes and applies again.
func TestResubscribeAfterBrokerRestart(t *testing.T) {
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	r := newRig(t, b.URL(), nil)
	r.pub.Disconnect(0)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	r.eventually("ingest notices the loss", func() bool { return !r.in.Connected() })
	b2, err := broker.Start(broker.Options{Addr: addr, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b2.Close() })
	r.eventually("ingest reconnected and resubscribed", r.in.Connected)
	r.pub = connectClient(t, b2.URL(), randomID("pub-"))
	r.publish(r.topic(KindPosition, "T1"), `{"x":3,"y":4}`)
	r.eventually("T1 moved after the restart", func() bool {
		e, _ := r.scene.ByTag("T1")
		return e.Placed()
	})
}

func TestRunLifecycle(t *testing.T) {
	b := embeddedBroker(t)
	in, err := New(Options{Scene: testScene(t, "life"), BrokerURL: b.URL(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.PublishAlarm(alarm.Event{Action: alarm.ActionRaised}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("PublishAlarm before Run: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	deadline := time.Now().Add(waitFor)
	for !in.Connected() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !in.Connected() {
		t.Fatal("never connected")
	}
	if err := in.Run(ctx); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run did not return")
	}
	if in.Connected() {
		t.Fatal("connected after Run returned")
	}
}

func TestRunStopsWhileBrokerUnreachable(t *testing.T) {
	in, err := New(Options{Scene: testScene(t, "nobroker"), BrokerURL: "tcp://127.0.0.1:1", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run did not return while the broker was unreachable")
	}
}

func TestOptionsValidate(t *testing.T) {
	s := testScene(t, "v")
	cases := map[string]Options{
		"no scene":      {},
		"negative":      {Scene: s, MaxAge: -1},
		"site with /":   {Scene: s, SiteID: "a/b"},
		"site wildcard": {Scene: s, SiteID: "a+"},
		"bad url":       {Scene: s, BrokerURL: "127.0.0.1:1883"},
		"bad scheme":    {Scene: s, BrokerURL: "http://127.0.0.1:1883"},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := New(o); !errors.Is(err, ErrOptions) {
				t.Fatalf("New: %v, want ErrOptions", err)
			}
		})
	}
	in, err := New(Options{Scene: s})
	if err != nil {
		t.Fatal(err)
	}
	if in.site != "v" || in.opts.BatchSize != DefaultBatchSize || in.env.MaxPayload != DefaultMaxPayload ||
		in.env.Origin == nil || !geo.ValidLonLat(*in.env.Origin) || !strings.HasPrefix(in.opts.ClientID, "chemtwin-v-") {
		t.Fatalf("defaults: %+v %+v", in.opts, in.env)
	}
}
