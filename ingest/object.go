package ingest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// object is a decoded JSON object whose values are still raw, so that every
// field can be type-checked on its own. Keys match exactly (unlike
// encoding/json's struct decoding); for a repeated key the last one wins
// (as with encoding/json's maps); unknown keys are ignored; a null value
// counts as absent.
//
// Decoding validates the whole payload with json.Valid, then splits the
// top-level members without reflection: the hot path of ingest (see
// BenchmarkParsePosition) allocates one slice per message.
type object []member

type member struct {
	key []byte // unescaped
	val []byte // raw JSON, no surrounding space
}

// decode checks the payload size and decodes a JSON object.
func decode(payload []byte, env Env) (object, error) {
	if len(payload) > env.MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrOversize, len(payload), env.MaxPayload)
	}
	if !json.Valid(payload) {
		var v any
		err := json.Unmarshal(payload, &v) // for the message only
		return nil, fmt.Errorf("%w: %v", ErrBadJSON, err)
	}
	o, ok := splitObject(payload)
	if !ok {
		return nil, fmt.Errorf("%w: not an object", ErrBadJSON)
	}
	return o, nil
}

// splitObject splits a valid JSON text into its members; ok is false when
// the text is not an object.
func splitObject(b []byte) (o object, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	o = make(object, 0, 12)
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		end := skipString(b, i)
		key := unquote(b[i:end])
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // ':'
		vEnd := skipValue(b, i)
		o = append(o, member{key, b[i:vEnd]})
		i = skipSpace(b, vEnd)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return o, true
}

// splitArray splits a valid JSON array into its raw elements; ok is false
// when raw is not an array.
func splitArray(raw []byte) (elems [][]byte, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		elems = append(elems, raw[i:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return elems, true
}

// The skip functions assume valid JSON (checked by decode) and stay within
// b even when it is not.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// unquote returns the content of a JSON string literal, unescaped.
func unquote(lit []byte) []byte {
	if len(lit) < 2 {
		return nil
	}
	in := lit[1 : len(lit)-1]
	for _, c := range in {
		if c == '\\' || c >= utf8.RuneSelf {
			var s string
			_ = json.Unmarshal(lit, &s) // escapes, or invalid UTF-8 to replace as encoding/json does
			return []byte(s)
		}
	}
	return in
}

// raw returns the value of key (the last one when repeated), or nil when
// absent or null.
func (o object) raw(key string) []byte {
	for i := len(o) - 1; i >= 0; i-- {
		if string(o[i].key) == key {
			if string(o[i].val) == "null" {
				return nil
			}
			return o[i].val
		}
	}
	return nil
}

func (o object) has(key string) bool { return o.raw(key) != nil }
