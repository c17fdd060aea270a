package alarm

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// plain is Alarm without its methods: encoding/json's reflection encoding,
// the reference AppendJSON must match byte for byte (Alarm has no
// MarshalJSON either; plain keeps the test right if one is added).
type plain Alarm

func reference(t testing.TB, a Alarm) []byte {
	t.Helper()
	data, err := json.Marshal(plain(a))
	if err != nil {
		t.Fatalf("reference encoding: %v", err)
	}
	return data
}

func sample(rng *rand.Rand) Alarm {
	strs := []string{"", "a", "越界报警 FN-1", "<script>&amp;</script>", "tab\there\nnew \"q\" \\", "\x00\x1f\x7f", "bad \xff utf8", "line\u2028sep\u2029", "😀 emoji"}
	str := func() string { return strs[rng.IntN(len(strs))] }
	num := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1:
			return rng.NormFloat64() * 1e-8
		case 2:
			return rng.NormFloat64() * 1e22
		case 3:
			return float64(rng.IntN(1000))
		default:
			return rng.NormFloat64() * 100
		}
	}
	at := time.Date(2026, 7, 1, 8, 0, 0, rng.IntN(1e9), time.FixedZone("CST", 8*3600)).Add(time.Duration(rng.IntN(1e6)) * time.Second)
	a := Alarm{ID: str(), Type: Type(str()), Level: rng.IntN(5) - 1, State: State(str()), Key: str(), EntityID: str(), AreaID: str(),
		Lon: num(), Lat: num(), RaisedAt: at, UpdatedAt: at.Add(time.Second), AckedBy: str(), AckNote: str(), Message: str(), MessageEn: str()}
	if rng.IntN(2) == 0 {
		t := at.Add(time.Minute).UTC()
		a.AckedAt = &t
	}
	if rng.IntN(2) == 0 {
		t := at.Add(2 * time.Minute)
		a.ClearedAt = &t
	}
	if rng.IntN(4) > 0 {
		a.Details = map[string]any{
			str(): str(), "n": num(), "i": rng.IntN(100), "b": rng.IntN(2) == 0, "nil": nil,
			"list": []any{str(), num(), map[string]any{"z": str(), "a": num()}},
			"ids":  []string{str(), str()}, "typed": map[string]int{"x": 1},
			"raw": json.RawMessage(`{"k": [1, 2]}`), "i64": int64(-7), "empty": map[string]any{},
		}
	}
	return a
}

// TestAppendJSONMatchesEncodingJSON: random alarms, including awkward text
// and numbers, encode to exactly encoding/json's bytes.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		a := sample(rng)
		got, err := a.AppendJSON(nil)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if want := reference(t, a); !bytes.Equal(got, want) {
			t.Fatalf("%d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestAppendJSONRefuses what encoding/json refuses, leaving dst as it was.
func TestAppendJSONRefuses(t *testing.T) {
	for _, a := range []Alarm{
		{ID: "nan", Lon: math.NaN()},
		{ID: "inf", Lat: math.Inf(1)},
		{ID: "detail", Details: map[string]any{"x": math.Inf(-1)}},
		{ID: "chan", Details: map[string]any{"c": make(chan int)}},
		{ID: "year", RaisedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		dst := []byte("keep")
		out, err := a.AppendJSON(dst)
		if err == nil || string(out) != "keep" {
			t.Errorf("%s: %q, %v; want an error and dst unchanged", a.ID, out, err)
		}
		if _, refErr := json.Marshal(plain(a)); refErr == nil {
			t.Errorf("%s: encoding/json accepts it", a.ID)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("FN-1", "越界 <b>&", "tab\t\"q\"", 106.6, 38.1, int64(1782892800))
	f.Add("\xff\xfe", "\u2028", "\x00", 1e-9, 1e22, int64(0))
	f.Fuzz(func(t *testing.T, id, msg, note string, lon, lat float64, unix int64) {
		at := time.Unix(unix%(1<<35), 0).UTC()
		a := Alarm{ID: id, Message: msg, AckNote: note, Lon: lon, Lat: lat, RaisedAt: at, UpdatedAt: at,
			Details: map[string]any{msg: note, "n": lat, "l": []any{id, lon}}}
		got, err := a.AppendJSON(nil)
		want, refErr := json.Marshal(plain(a))
		if (err != nil) != (refErr != nil) {
			t.Fatalf("errors differ: %v vs %v", err, refErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	a := sample(rand.New(rand.NewPCG(3, 3)))
	a.Details = map[string]any{"fence_id": "FN-12", "fence_name": "罐区禁入", "rule": "forbidden", "x": 12.5, "y": -3.25, "floor": 0.0,
		"position": map[string]any{"lon": 106.60012, "lat": 38.10003, "z": 1.2}}
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, _ = a.AppendJSON(buf[:0])
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(plain(a))
		}
	})
}

// TestEventJSONOnce: the manager's events encode their alarm once for all
// observers; an event made elsewhere encodes on each call.
func TestEventJSONOnce(t *testing.T) {
	m, _ := newManager(t, newMemStore(), &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)})
	var got [][]byte
	for range 2 {
		m.Observe(func(ev Event) {
			js, err := ev.JSON()
			if err != nil {
				t.Error(err)
			}
			got = append(got, js)
		})
	}
	a, _, err := m.Raise(t.Context(), Raise{Type: SOS, EntityID: "p1", Message: "<SOS> & 求救", Details: map[string]any{"x": 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || &got[0][0] != &got[1][0] {
		t.Fatalf("observers got %d encodings, not one shared", len(got))
	}
	if want := reference(t, a); !bytes.Equal(got[0], want) {
		t.Fatalf("\n got %s\nwant %s", got[0], want)
	}
	plainEv := Event{Action: ActionRaised, Alarm: a}
	js, err := plainEv.JSON()
	if err != nil || !bytes.Equal(js, got[0]) {
		t.Fatalf("event without a shared encoding: %s, %v", js, err)
	}
}
