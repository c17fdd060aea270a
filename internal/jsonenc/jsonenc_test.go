package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "张伟", "<script>&", "\x00\x1f\x7f", "\b\f\n\r\t\"\\", "\u2028\u2029", "\xff\xfe bad utf8", "a\xe4\xb8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-6, 9.99e-7, 1e20, 1e21, 123456789.123, 5e-324, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		want, _ := json.Marshal(v)
		if got := AppendFloat(nil, v); string(got) != string(want) {
			t.Fatalf("AppendFloat(%v) = %s, want %s", v, got, want)
		}
	})
}

// TestAppendValue: the fast paths and the fallback give json.Marshal's
// bytes, and fail where it fails.
func TestAppendValue(t *testing.T) {
	for _, v := range []any{
		nil, "x<y>", true, 1.5, -7, int64(1 << 40), []string{"a", "&"}, []string(nil),
		map[string]any{"z": 1.0, "a": []any{"b", nil, map[string]any{}}, "m": map[string]int{"k": 2}},
		map[string]any(nil), []any(nil), json.RawMessage(`{"r": 1}`), struct{ A int }{3}, uint8(9),
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendValue(nil, v)
		if err != nil || string(got) != string(want) {
			t.Errorf("AppendValue(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	for _, v := range []any{math.NaN(), map[string]any{"x": math.Inf(1)}, []any{math.Inf(-1)}, make(chan int)} {
		if _, err := AppendValue(nil, v); err == nil {
			t.Errorf("AppendValue(%v) accepted what json.Marshal refuses", v)
		}
	}
}

func TestAppendTime(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600)),
		{},
	} {
		want, _ := json.Marshal(at)
		got, err := AppendTime(nil, at)
		if err != nil || string(got) != string(want) {
			t.Errorf("AppendTime(%v) = %s, %v; want %s", at, got, err, want)
		}
	}
	if _, err := AppendTime(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("year 10000 accepted")
	}
}
