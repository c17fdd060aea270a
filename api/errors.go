package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Error codes: the "code" of an error body, and the reason label of
// chemtwin_api_rejected_total for 4xx answers.
const (
	codeBadRequest       = "bad_request"
	codeBadParameter     = "invalid_parameter"
	codeBadBBox          = "invalid_bbox"
	codeBadDatetime      = "invalid_datetime"
	codeBadLimit         = "invalid_limit"
	codeBadJSON          = "invalid_json"
	codeMediaType        = "unsupported_media_type"
	codeTooLarge         = "payload_too_large"
	codeUnauthorized     = "unauthorized"
	codeBadCredentials   = "bad_credentials"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeRateLimited      = "rate_limited"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

// apiError is an error with the HTTP status and code it is answered with.
type apiError struct {
	status int
	code   string
	msg    string // for the client
	cause  error  // for the log
	// details are facts the client may act on (a check-in's distance
	// and radius); nil: none.
	details map[string]any
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.cause }

// errorf returns an apiError whose message is also its cause.
func errorf(status int, code, format string, args ...any) *apiError {
	err := fmt.Errorf(format, args...)
	return &apiError{status: status, code: code, msg: err.Error(), cause: err}
}

// classify maps an error to the apiError it is answered with: domain
// sentinels to their 4xx, anything else to a 500 that hides the cause.
func classify(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, twin.ErrNotFound), errors.Is(err, alarm.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: codeNotFound, msg: err.Error(), cause: err}
	case errors.Is(err, alarm.ErrState), errors.Is(err, store.ErrConflict):
		return &apiError{status: http.StatusConflict, code: codeConflict, msg: err.Error(), cause: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &apiError{status: http.StatusServiceUnavailable, code: codeUnavailable, msg: "request cancelled or timed out", cause: err}
	}
	return &apiError{status: http.StatusInternalServerError, code: codeInternal, msg: "internal error", cause: err}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	ID      string         `json:"id"`
	Details map[string]any `json:"details,omitempty"`
}

// writeError is the one way errors leave the API: it classifies err, counts
// a 4xx as a rejection, logs the error with a fresh id and answers
// {"error":{"code","message","id"}}.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := classify(err)
	id := errorID()
	level := slog.LevelInfo
	if ae.status >= 500 {
		level = slog.LevelError
	} else {
		s.metrics.rejected.WithLabelValues(ae.code).Inc()
	}
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("error_id", id), slog.String("code", ae.code), slog.Int("status", ae.status),
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", ae.cause))
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="chemtwin"`)
	}
	s.writeJSON(w, r, ae.status, "application/json", errorBody{errorDetail{Code: ae.code, Message: ae.msg, ID: id, Details: ae.details}})
}

// errorID returns 8 random bytes in hex, to find an answer in the log.
func errorID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
