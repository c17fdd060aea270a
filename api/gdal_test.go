package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// ogrinfo runs GDAL's ogrinfo against the harness's OGC API, or skips when
// GDAL is absent (fails instead with CHEMTWIN_REQUIRE_GDAL=1, as in CI).
func (h *harness) ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CHEMTWIN_REQUIRE_GDAL") == "1" {
			t.Fatalf("ogrinfo not found and CHEMTWIN_REQUIRE_GDAL=1: %v", err)
		}
		t.Skip("ogrinfo (gdal-bin) not installed; set CHEMTWIN_REQUIRE_GDAL=1 to require it")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-ro"}, args...)...)
	// loopback only, no proxy, no cache between runs
	cmd.Env = append(os.Environ(), "GDAL_HTTP_PROXY=", "HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=",
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1", "CPL_VSIL_CURL_NON_CACHED=YES", "GDAL_HTTP_TIMEOUT=30")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestGDALReadsOGC(t *testing.T) {
	h := newHarness(t)
	ds := "OAPIF:" + h.ts.URL + "/ogc"

	t.Run("lists layers", func(t *testing.T) {
		out := h.ogrinfo(t, "-so", ds)
		for _, l := range twin.Layers {
			if !regexp.MustCompile(`(?m)^\d+: ` + string(l.ID) + `\b`).MatchString(out) {
				t.Errorf("layer %s missing from ogrinfo:\n%s", l.ID, out)
			}
		}
	})

	t.Run("reads people", func(t *testing.T) {
		out := h.ogrinfo(t, "-al", ds, "people")
		if !strings.Contains(out, "Feature Count: 5") && !strings.Contains(out, "OGRFeature(people):") {
			t.Fatalf("no features:\n%s", out)
		}
		if got := fieldValues(out, "id"); !slices.Equal(got, []string{"P-001", "P-002", "P-003", "P-004", "P-005"}) {
			t.Errorf("ids %v\n%s", got, out)
		}
		if got := fieldValues(out, "tag"); !slices.Equal(got, []string{"T-001", "T-002", "T-003", "T-004", "T-005"}) {
			t.Errorf("tags %v", got)
		}
		if n := strings.Count(out, "POINT ("); n != 5 {
			t.Errorf("%d point geometries", n)
		}
	})

	t.Run("follows next links", func(t *testing.T) {
		before := h.metric("chemtwin_http_requests_total", map[string]string{"route": "GET /ogc/collections/{collectionId}/items", "code": "200"})
		out := h.ogrinfo(t, "-al", "-oo", "PAGE_SIZE=2", ds, "people")
		if got := fieldValues(out, "id"); !slices.Equal(got, []string{"P-001", "P-002", "P-003", "P-004", "P-005"}) {
			t.Errorf("paged ids %v\n%s", got, out)
		}
		after := h.metric("chemtwin_http_requests_total", map[string]string{"route": "GET /ogc/collections/{collectionId}/items", "code": "200"})
		if after-before < 3 {
			t.Errorf("GDAL made %v items requests; 5 features at 2 a page need 3", after-before)
		}
	})

	t.Run("reads detectors with live state", func(t *testing.T) {
		out := h.ogrinfo(t, "-al", ds, "gas_detectors")
		if got := fieldValues(out, "state"); !slices.Equal(got, []string{"normal", "alarm1", "fault"}) {
			t.Errorf("states %v\n%s", got, out)
		}
	})

	t.Run("reads alarms", func(t *testing.T) {
		h.raise(alarm.GasLevel1, "GD-2", 250, 50, t0.Add(-2*time.Hour))
		h.raise(alarm.SOS, "P-001", 20, 40, t0.Add(-time.Hour))
		out := h.ogrinfo(t, "-al", ds, "alarms")
		if got := fieldValues(out, "type"); !slices.Equal(got, []string{"sos", "gas_level1"}) {
			t.Errorf("alarm types %v\n%s", got, out)
		}
		if got := fieldValues(out, "entity_id"); !slices.Equal(got, []string{"P-001", "GD-2"}) {
			t.Errorf("alarm entities %v", got)
		}
	})

	t.Run("spatial filter", func(t *testing.T) {
		a, b := h.frame.Point(0, 0), h.frame.Point(100, 100)
		out := h.ogrinfo(t, "-al", "-spat", fmt.Sprint(a[0]), fmt.Sprint(a[1]), fmt.Sprint(b[0]), fmt.Sprint(b[1]), ds, "people")
		if got := fieldValues(out, "id"); !slices.Equal(got, []string{"P-001", "P-002", "P-003"}) {
			t.Errorf("ids in the west area %v\n%s", got, out)
		}
	})
}

// fieldValues returns the values of a string field in ogrinfo -al output,
// in feature order.
func fieldValues(out, field string) []string {
	re := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(field) + ` \(String\) = (.*)$`)
	var vals []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		vals = append(vals, strings.TrimSpace(m[1]))
	}
	return vals
}
