package cesium

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

func TestHandlerServesTheApp(t *testing.T) {
	h := Handler("")
	cases := []struct {
		path, typ, cache string
	}{
		{"/", "text/html", "no-cache"},
		{"/js/main.js", "javascript", "no-cache"},
		{"/js/state.js", "javascript", "no-cache"},
		{"/i18n/zh-CN.js", "javascript", "no-cache"},
		{"/css/app.css", "text/css", "no-cache"},
		{"/vendor/README.md", "", "max-age=86400"},
		{"/m/", "text/html", "no-cache"}, // the inspector's phone page
		{"/m/js/app.js", "javascript", "no-cache"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != 200 {
			t.Errorf("%s: %d", c.path, rec.Code)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, c.typ) {
			t.Errorf("%s: content type %q", c.path, ct)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, c.cache) {
			t.Errorf("%s: cache-control %q", c.path, cc)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope.js", nil))
	if rec.Code != 404 {
		t.Errorf("missing file: %d", rec.Code)
	}
}

func TestBundledMatchesTheVendorFolder(t *testing.T) {
	_, err := os.Stat(filepath.Join("vendor", "cesium", "Cesium.js"))
	if Bundled() != (err == nil) {
		t.Fatalf("Bundled() = %v, but vendor/cesium/Cesium.js exists = %v", Bundled(), err == nil)
	}
}

func TestDevDirOverridesEmbed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>dev copy</p>"), 0o644)
	rec := httptest.NewRecorder()
	Handler(dir).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !strings.Contains(rec.Body.String(), "dev copy") {
		t.Fatalf("dev dir not served: %q", rec.Body.String())
	}
}

// TestEveryAlarmTypeIsNamed checks that the viewer names every alarm type
// of the contract in both languages, so that a new type never shows up in
// the alarm panel as a bare key.
func TestEveryAlarmTypeIsNamed(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		b, err := os.ReadFile(filepath.Join("i18n", lang+".js"))
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range alarm.Types {
			if !strings.Contains(string(b), `"alarm.type.`+string(typ)+`":`) {
				t.Errorf("i18n/%s.js does not name alarm type %s", lang, typ)
			}
		}
	}
}
