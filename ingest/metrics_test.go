package ingest

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRejectLogRateLimitsWarnings(t *testing.T) {
	var buf bytes.Buffer
	l := newRejectLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	err := errors.New("x")
	for range 3 {
		l.add(KindPosition, "T1", ReasonBadJSON, err)
	}
	l.add(KindReading, "gd-1", ReasonUnitMismatch, err)
	l.add(KindPosition, "T1", ReasonBadJSON, err)
	out := buf.String()
	if n := strings.Count(out, "level=WARN"); n != 2 {
		t.Errorf("%d warnings, want one per reason:\n%s", n, out)
	}
	if n := strings.Count(out, "level=DEBUG"); n != 3 {
		t.Errorf("%d debug lines, want 3:\n%s", n, out)
	}
	if !strings.Contains(out, "reason=unit_mismatch") || !strings.Contains(out, "suppressed=0") {
		t.Errorf("missing attributes:\n%s", out)
	}
}
