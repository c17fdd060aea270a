package store

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzAt = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)

// FuzzCheckRecord: CheckRecord never panics, refuses only with ErrInvalid,
// and what it accepts keeps every rule of Record.
func FuzzCheckRecord(f *testing.F) {
	f.Add("inspection_tasks", "t-1", "open", "zhang.wei", "route-1", int64(0), []byte(`{"a": 1}`))
	f.Add("", "", "", "", "", int64(-1), []byte(nil))
	f.Add("Bad-Name", "t\xff", "\x00", "", "", int64(1<<62), []byte(`"\xff"`))
	f.Add(strings.Repeat("a", 64), strings.Repeat("é", 100), "", "", "", int64(5), []byte(`[1, 2] 3`))
	f.Fuzz(func(t *testing.T, coll, id, status, owner string, ref string, ms int64, doc []byte) {
		r := Record{Collection: coll, ID: id, Status: status, Owner: owner, Ref: ref,
			At: fuzzAt.Add(time.Duration(ms) * time.Millisecond), UpdatedAt: fuzzAt, Doc: doc}
		err := CheckRecord(r)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckRecord = %v, want ErrInvalid", err)
			}
			return
		}
		if CheckCollection(coll) != nil || id == "" || len(id) > MaxKeyBytes || len(doc) > MaxRecordDocBytes || !json.Valid(doc) {
			t.Fatalf("CheckRecord accepted %+v", r)
		}
		for _, s := range []string{id, status, owner, ref, string(doc)} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || s != string(doc) && len(s) > MaxKeyBytes {
				t.Fatalf("CheckRecord accepted the text %q", s)
			}
		}
	})
}

// FuzzCheckBlob: CheckBlob never panics, refuses only with ErrInvalid,
// and accepts only data that begins with its type's signature.
func FuzzCheckBlob(f *testing.F) {
	f.Add("p-1", "image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0}, "li.na")
	f.Add("p-2", "image/png", []byte("\x89PNG\r\n\x1a\n"), "li.na")
	f.Add("p-3", "image/webp", []byte("RIFF\x00\x00\x00\x00WEBP"), "li.na")
	f.Add("p-4", "image/webp", []byte("RIFF\x00\x00"), "")
	f.Add("", "text/html", []byte("<script>"), "\xff")
	f.Fuzz(func(t *testing.T, id, typ string, data []byte, by string) {
		b := Blob{ID: id, ContentType: typ, Data: data, CreatedAt: fuzzAt, By: by}
		err := CheckBlob(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckBlob = %v, want ErrInvalid", err)
			}
			return
		}
		ok := typ == "image/jpeg" && strings.HasPrefix(string(data), "\xff\xd8\xff") ||
			typ == "image/png" && strings.HasPrefix(string(data), "\x89PNG\r\n\x1a\n") ||
			typ == "image/webp" && len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
		if !ok || id == "" || by == "" || !utf8.ValidString(id+by) {
			t.Fatalf("CheckBlob accepted %q %q (%d bytes) by %q", id, typ, len(data), by)
		}
	})
}

func TestCheckRecordTimes(t *testing.T) {
	ok := Record{Collection: "c", ID: "i", At: fuzzAt, UpdatedAt: fuzzAt, Doc: []byte("{}")}
	for name, tm := range map[string]time.Time{
		"zero":       {},
		"year 10000": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		"year 0":     time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		r := ok
		r.At = tm
		if err := CheckRecord(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("At %s: %v, want ErrInvalid", name, err)
		}
		r = ok
		r.UpdatedAt = tm
		if err := CheckRecord(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("UpdatedAt %s: %v, want ErrInvalid", name, err)
		}
	}
	// The last instant of 9999 in UTC, written in UTC+8 (the year 10000 there).
	r := ok
	r.At = time.Date(10000, 1, 1, 7, 59, 59, 0, time.FixedZone("CST", 8*3600))
	if err := CheckRecord(r); err != nil {
		t.Errorf("the end of 9999 UTC: %v", err)
	}
}
