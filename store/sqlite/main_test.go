package sqlite

import (
	"os"
	"testing"
)

// TestMain removes the shared benchmark history (history_bench_test.go)
// after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchHistory.dir != "" {
		os.RemoveAll(benchHistory.dir)
	}
	os.Exit(code)
}
