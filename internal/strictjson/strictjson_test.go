package strictjson

import (
	"errors"
	"testing"
)

type doc struct {
	Version string `json:"version"`
	N       int    `json:"n"`
}

func TestUnmarshal(t *testing.T) {
	var d doc
	if err := Unmarshal([]byte(" {\"version\": \"1\", \"n\": 2}\n"), &d); err != nil || d.Version != "1" || d.N != 2 {
		t.Fatalf("%+v %v", d, err)
	}
	for name, in := range map[string]string{
		"unknown field": `{"version": "1", "colour": "red"}`,
		"second value":  `{"version": "1"} {}`,
		"trailing junk": `{"version": "1"} x`,
		"not an object": `[1]`,
		"empty":         ``,
		"wrong type":    `{"n": "two"}`,
	} {
		if err := Unmarshal([]byte(in), &doc{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Unmarshal([]byte(`{} {}`), &doc{}); !errors.Is(err, ErrTrailing) {
		t.Errorf("trailing: %v", err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"version": "1", "n": 2}`))
	f.Add([]byte(`{"version": "1"} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d doc
		_ = Unmarshal(b, &d) // never panics
	})
}
