package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
)

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// writeJSON encodes v and writes it with status and content type ct. v is
// encoded before the header goes out, so an encoding failure is still a
// clean 500.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, ct string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		if _, isErr := v.(errorBody); isErr { // cannot happen: plain strings
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.writeBytes(w, r, status, ct, append(b, '\n'))
}

// writeBytes writes an encoded body.
func (s *Server) writeBytes(w http.ResponseWriter, r *http.Request, status int, ct string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := w.Write(b); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "write failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
}

// decodeJSON reads a JSON request body into v: application/json only, at
// most maxBody bytes, no unknown fields, one value. With optional set an
// empty body leaves v untouched.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	if optional && r.Header.Get("Content-Type") == "" {
		if n, _ := io.Copy(io.Discard, io.LimitReader(body, 1)); n == 0 {
			return nil // no body at all
		}
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, codeMediaType, "content type must be application/json, got %q", r.Header.Get("Content-Type"))
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, optional)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return jsonError(err, false)
		}
		return errorf(http.StatusBadRequest, codeBadJSON, "body must hold exactly one JSON value")
	}
	return nil
}

func jsonError(err error, optional bool) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "body exceeds %d bytes", maxBody)
	case errors.Is(err, io.EOF) && optional:
		return nil
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, codeBadJSON, "empty body")
	}
	return &apiError{status: http.StatusBadRequest, code: codeBadJSON, msg: "bad JSON body: " + err.Error(), cause: err}
}
