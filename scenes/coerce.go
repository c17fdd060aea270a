package scenes

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// coerce converts a decoded JSON value to type t, accepting what GIS tools
// write: numbers as text ("12.5"), booleans as 0/1 or text, lists and
// nested objects as JSON text. sub is the member schema of objects. Empty
// values (null, "") come back as nil with no error: the caller drops them.
func coerce(v any, t ftype, sub fields) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && t != fString {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, nil
		}
		v = s
	}
	switch t {
	case fString:
		return toString(v)
	case fNumber, fInt:
		return toNumber(v, t == fInt)
	case fBool:
		return toBool(v)
	case fStrings, fNumbers, fObjects:
		return toList(v, t, sub)
	case fObject:
		return toObject(v, sub)
	}
	return v, nil
}

func wantErr(t ftype, v any) error {
	return fmt.Errorf("want %s, got %s", typeNames[t], describe(v))
}

// describe shows a value in a problem message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(clip(v))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	b, _ := json.Marshal(v)
	return clip(string(b))
}

func toString(v any) (any, error) {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil, nil
		}
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return nil, wantErr(fString, v)
}

func toNumber(v any, integer bool) (any, error) {
	t := fNumber
	if integer {
		t = fInt
	}
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case string:
		var err error
		if f, err = strconv.ParseFloat(v, 64); err != nil {
			return nil, wantErr(t, v)
		}
	default:
		return nil, wantErr(t, v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || (integer && (f != math.Trunc(f) || math.Abs(f) > 1<<53)) {
		return nil, wantErr(t, v)
	}
	return f, nil
}

func toBool(v any) (any, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case float64:
		if v == 0 || v == 1 {
			return v == 1, nil
		}
	case string:
		switch strings.ToLower(v) {
		case "true", "t", "yes", "y", "1", "是":
			return true, nil
		case "false", "f", "no", "n", "0", "否":
			return false, nil
		}
	}
	return nil, wantErr(fBool, v)
}

// toList accepts a JSON list, JSON text holding one, or (for lists of text
// and numbers) comma-separated text.
func toList(v any, t ftype, sub fields) (any, error) {
	if s, ok := v.(string); ok {
		if strings.HasPrefix(s, "[") {
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, fmt.Errorf("want %s, got malformed JSON text %s", typeNames[t], describe(s))
			}
		} else if t != fObjects {
			parts := strings.Split(s, ",")
			list := make([]any, 0, len(parts))
			for _, p := range parts {
				list = append(list, strings.TrimSpace(p))
			}
			v = list
		}
	}
	list, ok := v.([]any)
	if !ok {
		return nil, wantErr(t, v)
	}
	out := make([]any, 0, len(list))
	for i, item := range list {
		var c any
		var err error
		switch t {
		case fStrings:
			c, err = toString(item)
		case fNumbers:
			c, err = toNumber(item, false)
		case fObjects:
			c, err = toObject(item, sub)
		}
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// toObject accepts a JSON object or JSON text holding one, and coerces the
// members sub knows; other members are kept as they are.
func toObject(v any, sub fields) (any, error) {
	if s, ok := v.(string); ok {
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("want an object, got malformed JSON text %s", describe(s))
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, wantErr(fObject, v)
	}
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		t, known := sub[k]
		if !known {
			if m[k] != nil {
				out[k] = m[k]
			}
			continue
		}
		c, err := coerce(m[k], t, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if c != nil {
			out[k] = c
		}
	}
	return out, nil
}

// checkEnum reports a value outside the enumeration of property name.
func checkEnum(name string, v any) error {
	allowed, ok := enums[name]
	if !ok {
		return nil
	}
	if s, _ := v.(string); !slices.Contains(allowed, s) {
		return fmt.Errorf("unknown %s %s (want one of %s)", name, describe(v), strings.Join(allowed, ", "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
