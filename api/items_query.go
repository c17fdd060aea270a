package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"
)

// Paging limits of /items (OGC 17-069r4 §7.15.2 example values).
const (
	defaultLimit = 100
	maxLimit     = 10000
)

// itemsQuery is a parsed /items query.
type itemsQuery struct {
	bbox   *orb.Bound
	when   *Interval
	limit  int
	cursor string            // decoded: an entity id, or an alarm offset
	props  map[string]string // property equality filters (OGC 17-069r4 §7.15.5)
}

// reservedParams are the /items parameters that are not property filters.
var reservedParams = map[string]bool{
	"f": true, "bbox": true, "bbox-crs": true, "datetime": true, "limit": true, "cursor": true, "crs": true,
}

// propertyName is what a property filter's name may look like.
var propertyName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// parseItemsQuery parses and checks an /items query string.
func parseItemsQuery(q url.Values) (itemsQuery, error) {
	iq := itemsQuery{}
	if err := checkFormat(q); err != nil {
		return iq, err
	}
	for name, vs := range q {
		if len(vs) > 1 {
			return iq, errorf(http.StatusBadRequest, codeBadParameter, "parameter %q given %d times", name, len(vs))
		}
	}
	if err := iq.parseSpaceTime(q); err != nil {
		return iq, err
	}
	var err error
	if iq.limit, err = ParseLimit(q.Get("limit"), defaultLimit, maxLimit); err != nil {
		return iq, &apiError{status: http.StatusBadRequest, code: codeBadLimit, msg: err.Error(), cause: err}
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || len(b) == 0 {
			return iq, errorf(http.StatusBadRequest, codeBadParameter, "bad cursor %q", c)
		}
		iq.cursor = string(b)
	}
	if crs := q.Get("crs"); crs != "" && crs != crs84 {
		return iq, errorf(http.StatusBadRequest, codeBadParameter, "unsupported crs %q: only %s", crs, crs84)
	}
	for name := range q {
		if reservedParams[name] {
			continue
		}
		if !propertyName.MatchString(name) {
			return iq, errorf(http.StatusBadRequest, codeBadParameter, "unknown parameter %q", name)
		}
		if iq.props == nil {
			iq.props = make(map[string]string)
		}
		iq.props[name] = q.Get(name)
	}
	return iq, nil
}

func (iq *itemsQuery) parseSpaceTime(q url.Values) error {
	if v := q.Get("bbox"); v != "" || q.Has("bbox") {
		b, err := ParseBBox(v)
		if err != nil {
			return &apiError{status: http.StatusBadRequest, code: codeBadBBox, msg: err.Error(), cause: err}
		}
		iq.bbox = &b
	}
	switch c := q.Get("bbox-crs"); c {
	case "", crs84, crs84h:
	default:
		return errorf(http.StatusBadRequest, codeBadBBox, "unsupported bbox-crs %q: only %s", c, crs84)
	}
	if v := q.Get("datetime"); v != "" || q.Has("datetime") {
		iv, err := ParseDatetime(v)
		if err != nil {
			return &apiError{status: http.StatusBadRequest, code: codeBadDatetime, msg: err.Error(), cause: err}
		}
		iq.when = &iv
	}
	return nil
}

// encodeCursor makes a cursor for a next/prev link.
func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// matchProps reports whether the properties satisfy every equality filter;
// values compare in their JSON text form without quotes.
func matchProps(props map[string]any, want map[string]string) bool {
	for k, v := range want {
		if propText(props[k]) != v {
			return false
		}
	}
	return true
}

func propText(v any) string {
	switch v := v.(type) {
	case nil:
		return "\x00" // matches no query value
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}
