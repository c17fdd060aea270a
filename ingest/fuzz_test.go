package ingest

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/geo"
)

// fuzzEnv is a fixed environment; fuzz targets cannot call t.Fatal in a
// setup shared across inputs, so the frame is built once.
var fuzzEnv = func() Env {
	f, err := geo.NewFrame(origin, 1150, 30)
	if err != nil {
		panic(err)
	}
	o, _ := f.Origin()
	return Env{Now: t0, Frame: f, Origin: &o}.withDefaults()
}()

// checkRejection fails unless err is a rejection with a reason.
func checkRejection(t *testing.T, err error) {
	t.Helper()
	if ReasonOf(err) == "" {
		t.Fatalf("error without a rejection reason: %v", err)
	}
}

// checkTime fails unless at lies in the accepted window about Now.
func checkTime(t *testing.T, at time.Time) {
	t.Helper()
	if at.Before(t0.Add(-fuzzEnv.MaxAge)) || at.After(t0.Add(fuzzEnv.MaxFutureSkew)) {
		t.Fatalf("accepted ts %v outside the window", at)
	}
}

func finiteIn(v, lo, hi float64) bool { return !math.IsNaN(v) && v >= lo && v <= hi }

func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{
		`{"lon":106.5,"lat":38}`, `{"x":10,"y":-20,"z":1,"floor":2}`,
		`{"lon":106.5,"lat":38,"battery":50,"sos":true,"speed":1.5,"ts":"2026-07-01T08:00:00Z"}`,
		`{"lon":106.5,"lat":38,"ts":1782892800000}`, `{"lon":1e999,"lat":38}`, `{"lon":"x"}`,
		`[]`, `null`, `{"lon":106.5,"lat":38,"ts":1e300}`, `{"x":1e308,"y":-1e308}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		p, err := ParsePosition(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if !geo.ValidLonLat(p.Fix.Point) || geo.DistanceM(*fuzzEnv.Origin, p.Fix.Point) > fuzzEnv.MaxDistanceM {
			t.Fatalf("accepted point %v", p.Fix.Point)
		}
		if !finiteIn(p.Fix.Z, MinZ, MaxZ) || !finiteIn(p.Fix.SpeedMS, 0, MaxSpeedMS) ||
			p.Fix.Floor < MinFloor || p.Fix.Floor > MaxFloor || !(math.IsNaN(p.Battery) || finiteIn(p.Battery, 0, 100)) {
			t.Fatalf("accepted out-of-range fields %+v", p)
		}
		checkTime(t, p.Fix.At)
	})
}

func FuzzParseRSSI(f *testing.F) {
	for _, s := range []string{
		`{"beacons":[{"id":"b1","rssi":-70}]}`,
		`{"beacons":[{"id":"b1","rssi":-70},{"id":"b1","rssi":-50}],"gateway":"gw","battery":10,"sos":false}`,
		`{"beacons":[]}`, `{"beacons":[null]}`, `{"beacons":[{"id":1,"rssi":"x"}]}`, `{"beacons":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := ParseRSSI(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if len(m.Beacons) == 0 || len(m.Beacons) > MaxBeacons {
			t.Fatalf("accepted %d beacons", len(m.Beacons))
		}
		seen := map[string]bool{}
		for _, b := range m.Beacons {
			if b.ID == "" || seen[b.ID] || !finiteIn(b.RSSI, MinRSSI, MaxRSSI) {
				t.Fatalf("accepted beacon %+v", b)
			}
			seen[b.ID] = true
		}
		checkTime(t, m.At)
	})
}

func FuzzParseReading(f *testing.F) {
	for _, s := range []string{
		`{"value":12.5,"unit":"%LEL"}`, `{"value":0,"unit":"ppm","fault":"E1"}`,
		`{"value":-1,"unit":"%VOL","fault":true,"ts":"2026-07-01T07:59:59.5+00:00"}`,
		`{"value":1e400,"unit":"ppm"}`, `{"value":"1","unit":"mg/m3"}`, `{"unit":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		r, err := ParseReading(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if !finiteIn(r.Value, -maxReadingAbs, maxReadingAbs) || r.FaultCode != "" && !r.Fault {
			t.Fatalf("accepted %+v", r)
		}
		switch r.Unit {
		case "%LEL", "ppm", "mg/m3", "%VOL":
		default:
			t.Fatalf("accepted unit %q", r.Unit)
		}
		checkTime(t, r.At)
	})
}

func FuzzParseWeather(f *testing.F) {
	for _, s := range []string{
		`{"wind_speed":3,"wind_from":270}`,
		`{"wind_speed":0,"wind_from":360,"temp_c":-60,"cloud_octas":8,"stability":"A"}`,
		`{"wind_speed":76,"wind_from":0}`, `{"wind_speed":1,"wind_from":1,"stability":"Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		w, err := ParseWeather(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		ok := finiteIn(w.WindSpeedMS, 0, MaxWindSpeedMS) && finiteIn(w.WindFromDeg, 0, 360) &&
			(w.TempC == nil || finiteIn(*w.TempC, MinTempC, MaxTempC)) &&
			(w.CloudOctas == nil || *w.CloudOctas >= 0 && *w.CloudOctas <= MaxCloudOctas) &&
			(w.Stability == "" || len(w.Stability) == 1 && w.Stability >= "A" && w.Stability <= "F")
		if !ok {
			t.Fatalf("accepted %+v", w)
		}
		checkTime(t, w.At)
	})
}

func FuzzParseCameraEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"no_helmet","confidence":0.9}`, `{"type":"new_thing_2","confidence":0}`,
		`{"type":"Smoking","confidence":0.5}`, `{"type":"fall","confidence":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := ParseCameraEvent(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if !identifier(c.Type) || len(c.Type) > maxCameraEvent || !finiteIn(c.Confidence, 0, 1) {
			t.Fatalf("accepted %+v", c)
		}
		checkTime(t, c.At)
	})
}

func FuzzParseAck(f *testing.F) {
	for _, s := range []string{`{"ref":"EV-1"}`, `{"ref":"EV-1","ts":1700000000000}`, `{"ref":""}`, `{"ref":"a#"}`, `{"ref":7}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		a, err := ParseAck(payload, fuzzEnv)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if checkID(a.Ref) != nil {
			t.Fatalf("accepted ref %q", a.Ref)
		}
		checkTime(t, a.At)
	})
}

func FuzzTopic(f *testing.F) {
	for _, s := range []string{
		"chemtwin/demo/tags/T1/position", "chemtwin/demo/tags/T1/rssi", "chemtwin/demo/detectors/d/reading",
		"chemtwin/demo/weather/w", "chemtwin/demo/cameras/c/events", "chemtwin/demo/alarms",
		"chemtwin/demo/tags//position", "chemtwin/x/tags/T1/position", "a/b/c/d/e",
	} {
		f.Add("demo", s)
	}
	f.Fuzz(func(t *testing.T, site, topic string) {
		got, err := ParseTopic(site, topic)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if checkID(got.ID) != nil || got.String(site) != topic {
			t.Fatalf("routed %q to %+v (String %q)", topic, got, got.String(site))
		}
	})
}

// FuzzDecodeObject checks the reflection-free object splitter against
// encoding/json: same acceptance, same members (last repeated key wins),
// same raw values, same array elements.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x","c":[1,{"d":[]}],"a":2}`, ` { "k\u0041" : null , "\ud800":true } `,
		`{"beacons":[{"id":"b\"1","rssi":-70}, {"id":"b2","rssi":-1e2}]}`, `[]`, `null`, `{"a":}`,
		"{\"\xff\":1}", `{"":{"":""}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		o, err := decode(payload, fuzzEnv)
		var want map[string]json.RawMessage
		jerr := json.Unmarshal(payload, &want)
		if jerr != nil || want == nil || len(payload) > fuzzEnv.MaxPayload {
			if err == nil {
				t.Fatalf("accepted what encoding/json refuses (%v)", jerr)
			}
			return
		}
		if err != nil {
			t.Fatalf("refused a JSON object: %v", err)
		}
		got := map[string]string{}
		for _, m := range o {
			got[string(m.key)] = string(m.val)
		}
		if len(got) != len(want) {
			t.Fatalf("%d members, encoding/json has %d", len(got), len(want))
		}
		for k, v := range want {
			if got[k] != string(v) {
				t.Fatalf("member %q = %s, encoding/json has %s", k, got[k], v)
			}
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil || elems == nil {
				continue
			}
			split, ok := splitArray(v)
			if !ok || len(split) != len(elems) {
				t.Fatalf("array %s split into %d, encoding/json has %d", v, len(split), len(elems))
			}
			for i := range elems {
				if string(split[i]) != string(elems[i]) {
					t.Fatalf("element %d = %s, encoding/json has %s", i, split[i], elems[i])
				}
			}
		}
	})
}
