package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Windows and steps of the history endpoints.
const (
	// maxHistoryWindow caps from–to of every history query.
	maxHistoryWindow = 31 * 24 * time.Hour
	// defaultTrackWindow: AQ 3064.3-2025 asks for one person's 8 h
	// trajectory within 3 s; it is the window a track shows by default.
	defaultTrackWindow  = 8 * time.Hour
	defaultSeriesWindow = 24 * time.Hour
	defaultSeriesStep   = time.Minute
	maxSeriesStep       = 24 * time.Hour
)

// timeMillis is how history times are written: RFC 3339, UTC, milliseconds.
const timeMillis = "2006-01-02T15:04:05.000Z07:00"

// window is the from–to of a history query, both inclusive.
type window struct {
	from, to time.Time
}

// parseWindow reads from and to (RFC 3339 date-times, or dates: from a
// date is the day's start, to a date its end). Without required, a missing
// to is now and a missing from is def before to. The window may not end
// before it starts nor span more than maxHistoryWindow.
func parseWindow(q url.Values, now time.Time, def time.Duration, required bool) (window, error) {
	fromS, toS := q.Get("from"), q.Get("to")
	if required && (fromS == "" || toS == "") {
		return window{}, errorf(http.StatusBadRequest, codeBadParameter, "from and to are required (RFC 3339 date-times)")
	}
	w := window{to: now}
	if toS != "" {
		_, last, err := parseInstant(toS)
		if err != nil {
			return window{}, datetimeError("to", err)
		}
		w.to = last
	}
	w.from = w.to.Add(-def)
	if fromS != "" {
		first, _, err := parseInstant(fromS)
		if err != nil {
			return window{}, datetimeError("from", err)
		}
		w.from = first
	}
	if w.from.After(w.to) {
		return window{}, errorf(http.StatusBadRequest, codeBadDatetime, "from %s is after to %s", w.from.Format(timeMillis), w.to.Format(timeMillis))
	}
	if w.to.Sub(w.from) > maxHistoryWindow {
		return window{}, errorf(http.StatusBadRequest, codeBadParameter, "the window from–to spans %s; at most %d days are allowed", w.to.Sub(w.from).Round(time.Second), int(maxHistoryWindow.Hours()/24))
	}
	return w, nil
}

func datetimeError(name string, err error) error {
	return &apiError{status: http.StatusBadRequest, code: codeBadDatetime, msg: name + ": " + err.Error(), cause: err}
}

// checkParams refuses parameters not in allowed.
func checkParams(q url.Values, allowed ...string) error {
next:
	for name := range q {
		for _, a := range allowed {
			if name == a {
				continue next
			}
		}
		return errorf(http.StatusBadRequest, codeBadParameter, "unknown parameter %q (allowed: %s)", name, strings.Join(allowed, ", "))
	}
	return nil
}

// ParseStep parses the step of a detector series: "" is one minute;
// "raw" or "0" asks for the raw readings (step 0); otherwise a duration
// ("5m", "1h", "90s") that is a whole number of minutes, from 1 min to
// 24 h.
func ParseStep(s string) (time.Duration, error) {
	switch s {
	case "":
		return defaultSeriesStep, nil
	case "raw", "0":
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w: step %q is not \"raw\" or a duration such as 1m, 15m, 1h", ErrQuery, s)
	}
	if d < time.Minute || d > maxSeriesStep || d%time.Minute != 0 {
		return 0, fmt.Errorf("%w: step %s must be a whole number of minutes from 1m to 24h", ErrQuery, d)
	}
	return d, nil
}

// formatStep writes a step the way ParseStep reads it: "raw", "15m", "2h".
func formatStep(d time.Duration) string {
	switch {
	case d == 0:
		return "raw"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// parseHistoryLimit reads limit (1 … most; default most).
func parseHistoryLimit(q url.Values, most int) (int, error) {
	n, err := ParseLimit(q.Get("limit"), most, most)
	if err != nil {
		return 0, &apiError{status: http.StatusBadRequest, code: codeBadLimit, msg: err.Error(), cause: err}
	}
	return n, nil
}

// presenceArea is the area of a presence query: an entity's polygon, or a
// bbox.
type presenceArea struct {
	id   string // entity id, "" for a bbox
	geom orb.Geometry
	bbox orb.Bound
}

// parsePresenceArea reads area=ID or bbox=… (exactly one); resolve looks
// an entity's polygon up.
func parsePresenceArea(q url.Values, resolve func(id string) (orb.Geometry, error)) (presenceArea, error) {
	id, bbox := q.Get("area"), q.Get("bbox")
	switch {
	case (id == "") == (bbox == ""):
		return presenceArea{}, errorf(http.StatusBadRequest, codeBadParameter, "give exactly one of area=ID or bbox=minLon,minLat,maxLon,maxLat")
	case bbox != "":
		b, err := ParseBBox(bbox)
		if err != nil {
			return presenceArea{}, &apiError{status: http.StatusBadRequest, code: codeBadBBox, msg: err.Error(), cause: err}
		}
		return presenceArea{geom: b, bbox: b}, nil
	}
	g, err := resolve(id)
	if err != nil {
		return presenceArea{}, err
	}
	return presenceArea{id: id, geom: g, bbox: g.Bound()}, nil
}
