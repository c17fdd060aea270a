package park

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOptionsRefused(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := Options{Endpoint: "https://park.example.cn/api/v1/positioning", EnterpriseCode: "E1"}
	tests := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"no endpoint", func(o *Options) { o.Endpoint = "" }, "endpoint URL is required"},
		{"plain http to a remote host", func(o *Options) { o.Endpoint = "http://park.example.cn/api" }, "only for a loopback host"},
		{"plain http to a private address", func(o *Options) { o.Endpoint = "http://10.0.0.8/api" }, "only for a loopback host"},
		{"other scheme", func(o *Options) { o.Endpoint = "ftp://park.example.cn/" }, `scheme "ftp"`},
		{"no host", func(o *Options) { o.Endpoint = "https:///api" }, "has no host"},
		{"relative", func(o *Options) { o.Endpoint = "/api" }, "has no host"},
		{"credentials in the URL", func(o *Options) { o.Endpoint = "https://u:p@park.example.cn/" }, "credentials"},
		{"unparsable", func(o *Options) { o.Endpoint = "https://park.example.cn/%zz" }, "endpoint"},
		{"no enterprise code", func(o *Options) { o.EnterpriseCode = "  " }, "enterprise code"},
		{"interval above 30 s", func(o *Options) { o.Interval = 31 * time.Second }, "exceeds 30s"},
		{"negative interval", func(o *Options) { o.Interval = -time.Second }, "negative"},
		{"negative queue", func(o *Options) { o.MaxQueue = -1 }, "negative"},
		{"token with a line break", func(o *Options) { o.Token = "a\r\nX-Evil: 1" }, "line break"},
		{"missing CA file", func(o *Options) { o.CAFile = filepath.Join(dir, "none.pem") }, "CA file"},
		{"CA file without PEM", func(o *Options) { o.CAFile = notPEM }, "no PEM certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.mod(&o)
			_, err := New(o)
			if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want ErrOptions mentioning %q", err, tc.want)
			}
		})
	}
	for _, ep := range []string{"https://park.example.cn/api", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/"} {
		o := ok
		o.Endpoint = ep
		u, err := New(o)
		if err != nil {
			t.Errorf("%s refused: %v", ep, err)
			continue
		}
		if u.opts.Interval != MaxInterval || u.opts.MaxQueue != DefaultMaxQueue || u.opts.HTTPClient.Timeout == 0 {
			t.Errorf("defaults not filled: %+v", u.opts)
		}
	}
}

// TestTLSVerification: the default client refuses the receiver's self-signed
// certificate, and trusts it once its CA is given as a file.
func TestTLSVerification(t *testing.T) {
	recv := newReceiver(t)
	ca := filepath.Join(t.TempDir(), "park-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: recv.srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		caFile string
		ok     bool
	}{{"", false}, {ca, true}} {
		u, err := New(Options{Endpoint: recv.srv.URL, EnterpriseCode: "E1", CAFile: tc.caFile})
		if err != nil {
			t.Fatal(err)
		}
		err = u.Push(context.Background())
		if tc.ok && err != nil || !tc.ok && (err == nil || !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("CA file %q: push = %v", tc.caFile, err)
		}
	}
	if got := recv.take(); len(got) != 2 || got[0].Env.Table != TablePerson {
		t.Errorf("received %v, want the two snapshot tables once", tables(got))
	}
}
