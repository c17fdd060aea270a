package tiles

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// FuzzTilePath: any path parses without panicking; a parsed one is in
// range and formats back to itself; the server answers it with a status it
// documents.
func FuzzTilePath(f *testing.F) {
	for _, p := range []string{
		"/", "", "/demo.json", "/fixture/0/0/0.png", "/fixture/2/3/3.png", "/demo/19/425397/202052.png",
		"/a/30/1073741823/1073741823.mvt", "/a/31/0/0.png", "/a/1/2/0.png", "/a/01/0/0.png", "/a/-1/0/0.png",
		"/a/1/0/0.PNG", "/a/1/0/0.", "/a/1/0/.png", "//0/0/0.png", "/a/b/c/d/e.png", "/../../etc/passwd",
		"/a%2fb.json", "/fixture/0/0/0.png?x=1", "/x.json.json", "/fixture/0/0/0.pbf", "/vector/0/0/0.mvt",
		"/a/1/0/0.png.png", "/é/0/0/0.png", "/a/99999999999/0/0.png", "/a/4/15/15.jpeg",
	} {
		f.Add(p)
	}
	s, err := NewServer(context.Background(), Options{Dir: "testdata"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, p string) {
		req, err := parsePath(p)
		if err == nil {
			checkRequest(t, p, req)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL = &url.URL{Path: p}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		switch w.Code {
		case 200, 204, 400, 404:
		default:
			t.Errorf("%q: status %d", p, w.Code)
		}
		if err != nil && w.Code < 400 {
			t.Errorf("%q: unparsable path answered %d", p, w.Code)
		}
	})
}

func checkRequest(t *testing.T, p string, req request) {
	t.Helper()
	if req.route == routeIndex {
		return
	}
	if !validName(req.name) {
		t.Errorf("%q: bad name %q accepted", p, req.name)
	}
	if req.route == routeTile && (req.z > maxZoom || uint64(req.x)>>req.z != 0 || uint64(req.y)>>req.z != 0 || !validExt(req.ext)) {
		t.Errorf("%q: out of range %+v", p, req)
	}
	if req.String() != p {
		t.Errorf("%q formats back as %q", p, req.String())
	}
	again, err := parsePath(req.String())
	if err != nil || again != req {
		t.Errorf("%q: round trip %+v, %v", p, again, err)
	}
}

// FuzzInspect: any bytes are checked without panicking or allocating
// without bound, and an archive Inspect accepts decodes the same way in
// go-pmtiles, whose decoder does no checking of its own.
func FuzzInspect(f *testing.F) {
	fixture := fixtureArchive(f)
	f.Add(fixture)
	f.Add(vectorArchive(f))
	f.Add(fixture[:127])
	f.Add(fixture[:200])
	f.Add([]byte("PMTiles\x03"))
	f.Add(bytes.Repeat([]byte{0xff}, 300))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		h := info.Header
		root := data[h.RootOffset : h.RootOffset+h.RootLength]
		mine, err := decodeDirectory(root, h.InternalCompression)
		if err != nil {
			t.Fatalf("accepted archive's root does not decode: %v", err)
		}
		theirs := pmtiles.DeserializeEntries(bytes.NewBuffer(root), h.InternalCompression)
		if len(mine) != len(theirs) {
			t.Fatalf("go-pmtiles decodes %d entries, Inspect %d", len(theirs), len(mine))
		}
		for i := range mine {
			if mine[i] != theirs[i] {
				t.Fatalf("entry %d: go-pmtiles %+v, Inspect %+v", i, theirs[i], mine[i])
			}
		}
	})
}
