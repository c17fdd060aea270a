package park

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// RejectedError is a batch the park refused as malformed (HTTP 400, 413 or
// 422): sending it again would fail again, so it is dropped.
type RejectedError struct {
	Status int
	Body   string // the first bytes of the response
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("park: batch refused with HTTP %d: %s", e.Status, e.Body)
}

// StatusError is a response that may succeed when retried (401, 403, 404,
// 408, 429, 5xx, …).
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("park: HTTP %d: %s", e.Status, e.Body)
}

// maxReply bounds how much of a response is read.
const maxReply = 64 << 10

// encode writes the envelope of one batch.
func (u *Uploader) encode(b batch) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256 + 200*b.n)
	env := Envelope{EnterpriseCode: u.opts.EnterpriseCode, Table: b.table, Mode: b.mode,
		SentAt: stamp(u.opts.Clock()), Count: b.n, Records: b.records}
	if err := json.NewEncoder(&buf).Encode(env); err != nil {
		return nil, fmt.Errorf("encode %s: %w", b.table, err)
	}
	return buf.Bytes(), nil
}

// post sends one batch; a 2xx answer accepts it.
func (u *Uploader) post(ctx context.Context, b batch) error {
	body, err := u.encode(b)
	if err != nil {
		return &RejectedError{Body: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.opts.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "chemtwin-park")
	if u.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+u.opts.Token)
	}
	resp, err := u.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxReply))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	snippet := strings.ToValidUTF8(string(reply[:min(len(reply), 200)]), "?")
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return &RejectedError{Status: resp.StatusCode, Body: snippet}
	}
	return &StatusError{Status: resp.StatusCode, Body: snippet}
}
