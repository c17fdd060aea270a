package ingest

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
)

// parseCase is one row of a parser table: a payload and either the
// rejection reason or a check of the parsed message.
type parseCase struct {
	name    string
	payload string
	reason  Reason         // "" = accepted
	check   func(any) bool // for accepted payloads
	env     *Env           // nil = testEnv
}

func runParseTable(t *testing.T, k Kind, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnv(t)
			if c.env != nil {
				env = *c.env
			}
			v, err := Parse(k, []byte(c.payload), env)
			if got := ReasonOf(err); got != c.reason {
				t.Fatalf("reason %q (err %v), want %q", got, err, c.reason)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "ingest: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if c.check != nil && !c.check(v) {
				t.Fatalf("parsed %+v", v)
			}
		})
	}
}

// ts formats an instant for payloads.
func ts(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) }

func near(a, b orb.Point) bool { return geo.DistanceM(a, b) < 0.01 }

func TestParsePosition(t *testing.T) {
	f := testFrame(t)
	noFrame := Env{Now: t0}
	pos := func(fn func(Position) bool) func(any) bool {
		return func(v any) bool { return fn(v.(Position)) }
	}
	far := f.Point(6000, 0)
	cases := []parseCase{
		{name: "lon lat only", payload: `{"lon":106.5001,"lat":38.0001}`, check: pos(func(p Position) bool {
			return p.Fix.Point == orb.Point{106.5001, 38.0001} && p.Fix.At.Equal(t0) && math.IsNaN(p.Battery) && p.SOS == nil
		})},
		{name: "every field", payload: `{"lon":106.5,"lat":38,"z":1.5,"floor":2,"battery":87.5,"sos":true,"speed":1.2,"accuracy":0.5,"ts":"` + ts(-time.Second) + `"}`,
			check: pos(func(p Position) bool {
				return p.Fix.Z == 1.5 && p.Fix.Floor == 2 && p.Battery == 87.5 && *p.SOS && p.Fix.SpeedMS == 1.2 && p.AccuracyM == 0.5 && p.Fix.At.Equal(t0.Add(-time.Second))
			})},
		{name: "ts epoch ms", payload: `{"lon":106.5,"lat":38,"ts":` + itoa(t0.UnixMilli()-1500) + `}`,
			check: pos(func(p Position) bool { return p.Fix.At.Equal(t0.Add(-1500 * time.Millisecond)) })},
		{name: "ts fractional ms", payload: `{"lon":106.5,"lat":38,"ts":` + itoa(t0.UnixMilli()) + `.5}`,
			check: pos(func(p Position) bool { return p.Fix.At.Equal(t0.Add(500 * time.Microsecond)) })},
		{name: "ts with offset", payload: `{"lon":106.5,"lat":38,"ts":"2026-07-01T16:00:05+08:00"}`,
			check: pos(func(p Position) bool { return p.Fix.At.Equal(t0.Add(5 * time.Second)) })},
		{name: "ts 59 s ahead", payload: `{"lon":106.5,"lat":38,"ts":"` + ts(59*time.Second) + `"}`},
		{name: "ts 9 min old", payload: `{"lon":106.5,"lat":38,"ts":"` + ts(-9*time.Minute) + `"}`},
		{name: "plant x y", payload: `{"x":12.5,"y":-40,"floor":-1}`, check: pos(func(p Position) bool {
			return near(p.Fix.Point, f.Point(12.5, -40)) && p.Fix.Floor == -1
		})},
		{name: "unknown fields ignored", payload: `{"lon":106.5,"lat":38,"rssi":-70,"vendor":{"a":[1,2]}}`},
		{name: "null is absent", payload: `{"lon":106.5,"lat":38,"battery":null,"sos":null,"ts":null}`,
			check: pos(func(p Position) bool { return math.IsNaN(p.Battery) && p.SOS == nil && p.Fix.At.Equal(t0) })},
		{name: "battery bounds", payload: `{"lon":106.5,"lat":38,"battery":0,"speed":60}`,
			check: pos(func(p Position) bool { return p.Battery == 0 && p.Fix.SpeedMS == 60 })},
		{name: "sos false", payload: `{"lon":106.5,"lat":38,"sos":false}`, check: pos(func(p Position) bool { return p.SOS != nil && !*p.SOS })},

		{name: "malformed json", payload: `{"lon":106.5,`, reason: ReasonBadJSON},
		{name: "empty payload", payload: ``, reason: ReasonBadJSON},
		{name: "array", payload: `[106.5,38]`, reason: ReasonBadJSON},
		{name: "null", payload: `null`, reason: ReasonBadJSON},
		{name: "string", payload: `"106.5,38"`, reason: ReasonBadJSON},
		{name: "trailing garbage", payload: `{"lon":106.5,"lat":38}x`, reason: ReasonBadJSON},
		{name: "missing lon lat", payload: `{"battery":50}`, reason: ReasonBadPosition},
		{name: "missing lat", payload: `{"lon":106.5}`, reason: ReasonBadPosition},
		{name: "lon as string", payload: `{"lon":"106.5","lat":38}`, reason: ReasonBadPosition},
		{name: "lon 181", payload: `{"lon":181,"lat":38}`, reason: ReasonBadPosition},
		{name: "lat -91", payload: `{"lon":106.5,"lat":-91}`, reason: ReasonBadPosition},
		{name: "huge exponent", payload: `{"lon":1e999,"lat":38}`, reason: ReasonBadPosition},
		{name: "lon and x", payload: `{"lon":106.5,"lat":38,"x":1,"y":2}`, reason: ReasonBadPosition},
		{name: "x without y", payload: `{"x":1}`, reason: ReasonBadPosition},
		{name: "x y without frame", payload: `{"x":1,"y":2}`, reason: ReasonBadPosition, env: &noFrame},
		{name: "x huge", payload: `{"x":1e300,"y":2}`, reason: ReasonBadPosition},
		{name: "far lon lat", payload: `{"lon":` + ftoa(far[0]) + `,"lat":` + ftoa(far[1]) + `}`, reason: ReasonFarFromSite},
		{name: "far x y", payload: `{"x":0,"y":-5200}`, reason: ReasonFarFromSite},
		{name: "other continent", payload: `{"lon":-74,"lat":40.7}`, reason: ReasonFarFromSite},
		{name: "battery 150", payload: `{"lon":106.5,"lat":38,"battery":150}`, reason: ReasonBadField},
		{name: "battery -1", payload: `{"lon":106.5,"lat":38,"battery":-1}`, reason: ReasonBadField},
		{name: "battery string", payload: `{"lon":106.5,"lat":38,"battery":"50"}`, reason: ReasonBadField},
		{name: "speed -1", payload: `{"lon":106.5,"lat":38,"speed":-1}`, reason: ReasonBadField},
		{name: "accuracy 0", payload: `{"lon":106.5,"lat":38,"accuracy":0}`, reason: ReasonBadField},
		{name: "accuracy 1001", payload: `{"lon":106.5,"lat":38,"accuracy":1001}`, reason: ReasonBadField},
		{name: "speed 61", payload: `{"lon":106.5,"lat":38,"speed":61}`, reason: ReasonBadField},
		{name: "sos string", payload: `{"lon":106.5,"lat":38,"sos":"yes"}`, reason: ReasonBadField},
		{name: "sos number", payload: `{"lon":106.5,"lat":38,"sos":1}`, reason: ReasonBadField},
		{name: "floor fractional", payload: `{"lon":106.5,"lat":38,"floor":1.5}`, reason: ReasonBadField},
		{name: "floor string", payload: `{"lon":106.5,"lat":38,"floor":"2"}`, reason: ReasonBadField},
		{name: "z huge", payload: `{"lon":106.5,"lat":38,"z":1e6}`, reason: ReasonBadField},
		{name: "ts far future", payload: `{"lon":106.5,"lat":38,"ts":"` + ts(2*time.Minute) + `"}`, reason: ReasonFutureTimestamp},
		{name: "ts future ms", payload: `{"lon":106.5,"lat":38,"ts":` + itoa(t0.Add(time.Hour).UnixMilli()) + `}`, reason: ReasonFutureTimestamp},
		{name: "ts stale", payload: `{"lon":106.5,"lat":38,"ts":"` + ts(-11*time.Minute) + `"}`, reason: ReasonStaleTimestamp},
		{name: "ts epoch seconds", payload: `{"lon":106.5,"lat":38,"ts":` + itoa(t0.Unix()) + `}`, reason: ReasonStaleTimestamp},
		{name: "ts not rfc3339", payload: `{"lon":106.5,"lat":38,"ts":"01/07/2026 08:00"}`, reason: ReasonBadField},
		{name: "ts negative", payload: `{"lon":106.5,"lat":38,"ts":-5}`, reason: ReasonBadField},
		{name: "ts huge", payload: `{"lon":106.5,"lat":38,"ts":1e20}`, reason: ReasonBadField},
		{name: "ts bool", payload: `{"lon":106.5,"lat":38,"ts":true}`, reason: ReasonBadField},
		{name: "oversize", payload: `{"lon":106.5,"lat":38,"pad":"` + strings.Repeat("x", DefaultMaxPayload) + `"}`, reason: ReasonOversize},
	}
	runParseTable(t, KindPosition, cases)
}

func TestParseRSSI(t *testing.T) {
	rssi := func(fn func(RSSI) bool) func(any) bool { return func(v any) bool { return fn(v.(RSSI)) } }
	many := `{"beacons":[` + strings.Repeat(`{"id":"b","rssi":-70},`, MaxBeacons) + `{"id":"b","rssi":-70}]}`
	cases := []parseCase{
		{name: "one beacon", payload: `{"beacons":[{"id":"b1","rssi":-70}]}`, check: rssi(func(m RSSI) bool {
			return len(m.Beacons) == 1 && m.Beacons[0] == BeaconRSSI{"b1", -70} && m.At.Equal(t0) && math.IsNaN(m.Battery)
		})},
		{name: "every field", payload: `{"beacons":[{"id":"b1","rssi":-70.5},{"id":"b2","rssi":-120}],"gateway":"gw-7","battery":50,"sos":true,"ts":"` + ts(-time.Second) + `"}`,
			check: rssi(func(m RSSI) bool {
				return len(m.Beacons) == 2 && m.Gateway == "gw-7" && m.Battery == 50 && *m.SOS && m.At.Equal(t0.Add(-time.Second))
			})},
		{name: "repeat keeps strongest", payload: `{"beacons":[{"id":"b1","rssi":-80},{"id":"b1","rssi":-60},{"id":"b2","rssi":0}]}`,
			check: rssi(func(m RSSI) bool { return len(m.Beacons) == 2 && m.Beacons[0].RSSI == -60 && m.Beacons[1].RSSI == 0 })},

		{name: "malformed json", payload: `{"beacons":[`, reason: ReasonBadJSON},
		{name: "missing beacons", payload: `{"gateway":"gw"}`, reason: ReasonBadField},
		{name: "beacons object", payload: `{"beacons":{"id":"b1","rssi":-70}}`, reason: ReasonBadField},
		{name: "beacons empty", payload: `{"beacons":[]}`, reason: ReasonBadField},
		{name: "65 beacons", payload: many, reason: ReasonBadField},
		{name: "entry not object", payload: `{"beacons":["b1"]}`, reason: ReasonBadField},
		{name: "entry null", payload: `{"beacons":[null]}`, reason: ReasonBadField},
		{name: "missing id", payload: `{"beacons":[{"rssi":-70}]}`, reason: ReasonBadField},
		{name: "empty id", payload: `{"beacons":[{"id":"","rssi":-70}]}`, reason: ReasonBadField},
		{name: "id number", payload: `{"beacons":[{"id":7,"rssi":-70}]}`, reason: ReasonBadField},
		{name: "missing rssi", payload: `{"beacons":[{"id":"b1"}]}`, reason: ReasonBadField},
		{name: "rssi positive", payload: `{"beacons":[{"id":"b1","rssi":5}]}`, reason: ReasonBadField},
		{name: "rssi -121", payload: `{"beacons":[{"id":"b1","rssi":-121}]}`, reason: ReasonBadField},
		{name: "rssi string", payload: `{"beacons":[{"id":"b1","rssi":"-70"}]}`, reason: ReasonBadField},
		{name: "rssi overflow", payload: `{"beacons":[{"id":"b1","rssi":-1e400}]}`, reason: ReasonBadField},
		{name: "gateway number", payload: `{"beacons":[{"id":"b1","rssi":-70}],"gateway":1}`, reason: ReasonBadField},
		{name: "battery 150", payload: `{"beacons":[{"id":"b1","rssi":-70}],"battery":150}`, reason: ReasonBadField},
		{name: "ts stale", payload: `{"beacons":[{"id":"b1","rssi":-70}],"ts":"` + ts(-time.Hour) + `"}`, reason: ReasonStaleTimestamp},
	}
	runParseTable(t, KindRSSI, cases)
}

func TestParseReading(t *testing.T) {
	rd := func(fn func(Reading) bool) func(any) bool { return func(v any) bool { return fn(v.(Reading)) } }
	cases := []parseCase{
		{name: "value unit", payload: `{"value":12.5,"unit":"%LEL"}`, check: rd(func(r Reading) bool {
			return r.Value == 12.5 && r.Unit == "%LEL" && !r.Fault && r.At.Equal(t0)
		})},
		{name: "every unit", payload: `{"value":0,"unit":"mg/m3"}`},
		{name: "ppm", payload: `{"value":3,"unit":"ppm"}`},
		{name: "vol", payload: `{"value":20.9,"unit":"%VOL"}`},
		{name: "zero drift", payload: `{"value":-0.4,"unit":"%LEL"}`, check: rd(func(r Reading) bool { return r.Value == -0.4 })},
		{name: "fault true", payload: `{"value":0,"unit":"%LEL","fault":true}`, check: rd(func(r Reading) bool { return r.Fault && r.FaultCode == "" })},
		{name: "fault code", payload: `{"value":0,"unit":"%LEL","fault":"E12"}`, check: rd(func(r Reading) bool { return r.Fault && r.FaultCode == "E12" })},
		{name: "empty fault code", payload: `{"value":0,"unit":"%LEL","fault":""}`, check: rd(func(r Reading) bool { return !r.Fault })},
		{name: "ts ms", payload: `{"value":1,"unit":"ppm","ts":` + itoa(t0.UnixMilli()) + `}`, check: rd(func(r Reading) bool { return r.At.Equal(t0) })},

		{name: "malformed json", payload: `{"value":1,"unit":"ppm"`, reason: ReasonBadJSON},
		{name: "missing value", payload: `{"unit":"ppm"}`, reason: ReasonBadField},
		{name: "value string", payload: `{"value":"12","unit":"ppm"}`, reason: ReasonBadField},
		{name: "value overflow", payload: `{"value":1e309,"unit":"ppm"}`, reason: ReasonBadField},
		{name: "value absurd", payload: `{"value":2e9,"unit":"ppm"}`, reason: ReasonBadField},
		{name: "missing unit", payload: `{"value":1}`, reason: ReasonBadField},
		{name: "unit ppb", payload: `{"value":1,"unit":"ppb"}`, reason: ReasonBadField},
		{name: "unit lowercase", payload: `{"value":1,"unit":"%lel"}`, reason: ReasonBadField},
		{name: "unit number", payload: `{"value":1,"unit":5}`, reason: ReasonBadField},
		{name: "fault number", payload: `{"value":1,"unit":"ppm","fault":1}`, reason: ReasonBadField},
		{name: "fault code long", payload: `{"value":1,"unit":"ppm","fault":"` + strings.Repeat("E", 65) + `"}`, reason: ReasonBadField},
		{name: "ts future", payload: `{"value":1,"unit":"ppm","ts":"` + ts(time.Hour) + `"}`, reason: ReasonFutureTimestamp},
	}
	runParseTable(t, KindReading, cases)
}

func TestParseWeather(t *testing.T) {
	wx := func(fn func(Weather) bool) func(any) bool { return func(v any) bool { return fn(v.(Weather)) } }
	cases := []parseCase{
		{name: "wind only", payload: `{"wind_speed":3.2,"wind_from":270}`, check: wx(func(w Weather) bool {
			return w.WindSpeedMS == 3.2 && w.WindFromDeg == 270 && w.TempC == nil && w.CloudOctas == nil && w.Stability == ""
		})},
		{name: "every field", payload: `{"wind_speed":0,"wind_from":360,"temp_c":-12.5,"cloud_octas":8,"stability":"F","ts":"` + ts(0) + `"}`,
			check: wx(func(w Weather) bool {
				return *w.TempC == -12.5 && *w.CloudOctas == 8 && w.Stability == "F" && w.WindFromDeg == 360
			})},

		{name: "malformed", payload: `wind`, reason: ReasonBadJSON},
		{name: "missing wind_speed", payload: `{"wind_from":90}`, reason: ReasonBadField},
		{name: "missing wind_from", payload: `{"wind_speed":2}`, reason: ReasonBadField},
		{name: "wind 80", payload: `{"wind_speed":80,"wind_from":90}`, reason: ReasonBadField},
		{name: "wind negative", payload: `{"wind_speed":-1,"wind_from":90}`, reason: ReasonBadField},
		{name: "from 361", payload: `{"wind_speed":2,"wind_from":361}`, reason: ReasonBadField},
		{name: "from string", payload: `{"wind_speed":2,"wind_from":"N"}`, reason: ReasonBadField},
		{name: "temp 70", payload: `{"wind_speed":2,"wind_from":90,"temp_c":70}`, reason: ReasonBadField},
		{name: "octas 9", payload: `{"wind_speed":2,"wind_from":90,"cloud_octas":9}`, reason: ReasonBadField},
		{name: "octas fractional", payload: `{"wind_speed":2,"wind_from":90,"cloud_octas":2.5}`, reason: ReasonBadField},
		{name: "stability G", payload: `{"wind_speed":2,"wind_from":90,"stability":"G"}`, reason: ReasonBadField},
		{name: "stability lowercase", payload: `{"wind_speed":2,"wind_from":90,"stability":"d"}`, reason: ReasonBadField},
		{name: "stability two letters", payload: `{"wind_speed":2,"wind_from":90,"stability":"AB"}`, reason: ReasonBadField},
		{name: "stability number", payload: `{"wind_speed":2,"wind_from":90,"stability":4}`, reason: ReasonBadField},
		{name: "ts stale", payload: `{"wind_speed":2,"wind_from":90,"ts":"` + ts(-time.Hour) + `"}`, reason: ReasonStaleTimestamp},
	}
	runParseTable(t, KindWeather, cases)
}

func TestParseCameraEvent(t *testing.T) {
	cam := func(fn func(CameraEvent) bool) func(any) bool { return func(v any) bool { return fn(v.(CameraEvent)) } }
	cases := []parseCase{
		{name: "known", payload: `{"type":"no_helmet","confidence":0.91}`, check: cam(func(c CameraEvent) bool {
			return c.Type == "no_helmet" && c.Confidence == 0.91 && c.Known && c.At.Equal(t0)
		})},
		{name: "unknown type accepted", payload: `{"type":"forklift_speeding2","confidence":1}`, check: cam(func(c CameraEvent) bool { return !c.Known })},
		{name: "32 bytes", payload: `{"type":"` + strings.Repeat("a", 32) + `","confidence":0}`},

		{name: "malformed", payload: `{"type":}`, reason: ReasonBadJSON},
		{name: "missing type", payload: `{"confidence":0.5}`, reason: ReasonBadField},
		{name: "empty type", payload: `{"type":"","confidence":0.5}`, reason: ReasonBadField},
		{name: "uppercase", payload: `{"type":"No_Helmet","confidence":0.5}`, reason: ReasonBadField},
		{name: "leading digit", payload: `{"type":"9lives","confidence":0.5}`, reason: ReasonBadField},
		{name: "space", payload: `{"type":"no helmet","confidence":0.5}`, reason: ReasonBadField},
		{name: "33 bytes", payload: `{"type":"` + strings.Repeat("a", 33) + `","confidence":0.5}`, reason: ReasonBadField},
		{name: "type number", payload: `{"type":3,"confidence":0.5}`, reason: ReasonBadField},
		{name: "confidence 1.2", payload: `{"type":"fall","confidence":1.2}`, reason: ReasonBadField},
		{name: "missing confidence", payload: `{"type":"fall"}`, reason: ReasonBadField},
		{name: "ts future", payload: `{"type":"fall","confidence":0.5,"ts":"` + ts(5*time.Minute) + `"}`, reason: ReasonFutureTimestamp},
	}
	runParseTable(t, KindCamera, cases)
}

func TestParseAck(t *testing.T) {
	ack := func(fn func(Ack) bool) func(any) bool { return func(v any) bool { return fn(v.(Ack)) } }
	cases := []parseCase{
		{name: "order", payload: `{"ref":"EV-20261129-1"}`, check: ack(func(a Ack) bool { return a.Ref == "EV-20261129-1" && a.At.Equal(t0) })},
		{name: "with ts", payload: `{"ref":"撤离令1","ts":"` + ts(-3*time.Second) + `"}`, check: ack(func(a Ack) bool { return a.Ref == "撤离令1" && a.At.Equal(t0.Add(-3*time.Second)) })},
		{name: "128 bytes", payload: `{"ref":"` + strings.Repeat("r", MaxIDLen) + `"}`},

		{name: "malformed", payload: `{"ref":`, reason: ReasonBadJSON},
		{name: "missing ref", payload: `{"ts":"` + ts(0) + `"}`, reason: ReasonBadField},
		{name: "empty ref", payload: `{"ref":""}`, reason: ReasonBadField},
		{name: "ref number", payload: `{"ref":7}`, reason: ReasonBadField},
		{name: "ref too long", payload: `{"ref":"` + strings.Repeat("r", MaxIDLen+1) + `"}`, reason: ReasonBadField},
		{name: "ref wildcard", payload: `{"ref":"EV-#"}`, reason: ReasonBadField},
		{name: "ref control", payload: `{"ref":"EV\u0000"}`, reason: ReasonBadField},
		{name: "ts stale", payload: `{"ref":"EV-1","ts":"` + ts(-time.Hour) + `"}`, reason: ReasonStaleTimestamp},
	}
	runParseTable(t, KindAck, cases)
}

func TestLimitsFromEnv(t *testing.T) {
	env := testEnv(t)
	env.MaxPayload, env.MaxFutureSkew, env.MaxAge, env.MaxDistanceM = 64, time.Second, time.Minute, 10
	for _, c := range []struct {
		payload string
		reason  Reason
	}{
		{`{"lon":106.5,"lat":38,"pad":"` + strings.Repeat("x", 40) + `"}`, ReasonOversize},
		{`{"lon":106.5,"lat":38,"ts":"` + ts(2*time.Second) + `"}`, ReasonFutureTimestamp},
		{`{"lon":106.5,"lat":38,"ts":"` + ts(-2*time.Minute) + `"}`, ReasonStaleTimestamp},
		{`{"x":11,"y":0}`, ReasonFarFromSite},
		{`{"x":9,"y":0}`, ""},
	} {
		if _, err := ParsePosition([]byte(c.payload), env); ReasonOf(err) != c.reason {
			t.Errorf("%s: %v, want %q", c.payload, err, c.reason)
		}
	}
}

func TestReasonOf(t *testing.T) {
	if ReasonOf(nil) != "" || ReasonOf(errors.New("x")) != "" {
		t.Fatal("non-rejections have a reason")
	}
	if r := ReasonOf(applyError(errors.New("boom"))); r != ReasonApplyFailed {
		t.Fatalf("reason %q", r)
	}
}
