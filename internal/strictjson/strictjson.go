// Package strictjson decodes the versioned data files the binary embeds
// (the substance library, the permit rules) as strictly as data that
// carries safety rules must be read: a misspelt field or a second value
// after the first is an error, not silently ignored.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is returned for data after the one top-level value.
var ErrTrailing = errors.New("data after the top-level value")

// Unmarshal decodes data into v: unknown object fields are errors, and so
// is anything but white space after the one top-level value.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ErrTrailing
	}
	return nil
}
