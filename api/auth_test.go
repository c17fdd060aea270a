package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/store"
)

type loginOut struct {
	Token     string
	ExpiresAt time.Time `json:"expires_at"`
	User      meOut
}

type meOut struct {
	Username    string
	Role        string
	PersonID    string `json:"person_id"`
	Tag         string
	DisplayName string `json:"display_name"`
}

func (h *harness) audit(action string) []store.AuditEntry {
	h.t.Helper()
	es, err := h.store.Audit(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

func TestLogin(t *testing.T) {
	h := newHarness(t)
	r := h.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "operator", "password": testPassword})
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var out loginOut
	r.json(t, &out)
	raw, err := base64.RawURLEncoding.DecodeString(out.Token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q: %d bytes, %v", out.Token, len(raw), err)
	}
	if !out.ExpiresAt.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("expires_at %v", out.ExpiresAt)
	}
	want := meOut{Username: "operator", Role: "operator", PersonID: "P-001", Tag: "T-001", DisplayName: "操作 Operator"}
	if out.User != want {
		t.Errorf("user %+v, want %+v", out.User, want)
	}
	sum := sha256.Sum256([]byte(out.Token))
	if s, err := h.store.Session(t.Context(), hex.EncodeToString(sum[:])); err != nil || s.Username != "operator" {
		t.Errorf("session by token hash: %+v %v", s, err)
	}
	if _, err := h.store.Session(t.Context(), out.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the raw token must not be stored: %v", err)
	}
	if a := h.audit("auth.login"); len(a) != 1 || a[0].Actor != "operator" || a[0].Remote != "127.0.0.1" || !a[0].At.Equal(t0) {
		t.Errorf("audit %+v", a)
	}
	if n := h.metric("chemtwin_api_logins_total", map[string]string{"result": "ok"}); n != 1 {
		t.Errorf("logins ok = %v", n)
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel() // unknown users cost a full bcrypt comparison each
	h := newHarness(t)
	for _, c := range []struct{ name, user, pw string }{
		{"wrong password", "operator", "nope"},
		{"unknown user", "mallory", testPassword},
		{"disabled user", "gone", testPassword},
		{"overlong password", "operator", strings.Repeat("x", 100)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": c.user, "password": c.pw})
			wantError(t, r, http.StatusUnauthorized, "bad_credentials")
		})
	}
	if a := h.audit("auth.login_failed"); len(a) != 4 || a[1].Actor != "mallory" {
		t.Errorf("failed logins audited: %+v", a)
	}
	if n := h.metric("chemtwin_api_logins_total", map[string]string{"result": "failed"}); n != 4 {
		t.Errorf("failed logins counted %v", n)
	}
}

func TestLoginBadBodies(t *testing.T) {
	h := newHarness(t)
	post := func(ct, body string) response {
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/api/v1/auth/login", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return h.send(req)
	}
	tests := []struct {
		name, ct, body string
		status         int
		code           string
	}{
		{"no content type", "", `{"username":"a","password":"b"}`, 415, "unsupported_media_type"},
		{"text", "text/plain", `{"username":"a","password":"b"}`, 415, "unsupported_media_type"},
		{"unknown field", "application/json", `{"username":"a","password":"b","admin":true}`, 400, "invalid_json"},
		{"wrong type", "application/json", `{"username":1,"password":"b"}`, 400, "invalid_json"},
		{"two values", "application/json", `{"username":"a","password":"b"}{}`, 400, "invalid_json"},
		{"empty", "application/json", ``, 400, "invalid_json"},
		{"missing password", "application/json; charset=utf-8", `{"username":"a"}`, 400, "bad_request"},
		{"too large", "application/json", `{"username":"` + strings.Repeat("a", 70<<10) + `","password":"b"}`, 413, "payload_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantError(t, post(tt.ct, tt.body), tt.status, tt.code) })
	}
	if n := h.metric("chemtwin_api_rejected_total", map[string]string{"reason": "invalid_json"}); n != 4 {
		t.Errorf("rejected invalid_json = %v", n)
	}
}

func TestLoginLimiter(t *testing.T) {
	h := newHarness(t)
	bad := map[string]string{"username": "operator", "password": "guess"}
	for i := 0; i < 10; i++ {
		wantError(t, h.do(http.MethodPost, "/api/v1/auth/login", "", bad), 401, "bad_credentials")
	}
	good := map[string]string{"username": "operator", "password": testPassword}
	r := h.do(http.MethodPost, "/api/v1/auth/login", "", good)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.header.Get("Retry-After") != "300" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	h.clock.Add(5*time.Minute + time.Second)
	h.login("operator") // the window has passed
	// a success clears the count: 9 + 9 failures around one success pass
	for round := 0; round < 2; round++ {
		for i := 0; i < 9; i++ {
			wantError(t, h.do(http.MethodPost, "/api/v1/auth/login", "", bad), 401, "bad_credentials")
		}
		h.login("operator")
	}
	if n := h.metric("chemtwin_api_logins_total", map[string]string{"result": "limited"}); n != 1 {
		t.Errorf("limited logins %v", n)
	}
}

func TestMeExpiryLogout(t *testing.T) {
	h := newHarness(t)
	tok := h.login("inspector")
	var me meOut
	r := h.do(http.MethodGet, "/api/v1/auth/me", tok, nil)
	r.json(t, &me)
	if r.status != 200 || me.Role != "inspector" || me.PersonID != "P-002" || me.Tag != "T-002" {
		t.Fatalf("me: %d %s", r.status, r.body)
	}
	r = h.do(http.MethodGet, "/api/v1/auth/me", "", nil)
	wantError(t, r, 401, "unauthorized")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	wantError(t, h.do(http.MethodGet, "/api/v1/auth/me", "not-a-token", nil), 401, "unauthorized")

	h.clock.Add(12*time.Hour - time.Second)
	if r := h.do(http.MethodGet, "/api/v1/auth/me", tok, nil); r.status != 200 {
		t.Fatalf("before expiry: %d", r.status)
	}
	h.clock.Add(time.Second)
	wantError(t, h.do(http.MethodGet, "/api/v1/auth/me", tok, nil), 401, "unauthorized")
	sum := sha256.Sum256([]byte(tok))
	if _, err := h.store.Session(t.Context(), hex.EncodeToString(sum[:])); err != nil {
		t.Fatalf("expired session gone before any login: %v", err)
	}

	h.clock.Add(time.Second) // PurgeSessions drops sessions that expired before now
	tok = h.login("admin")
	if _, err := h.store.Session(t.Context(), hex.EncodeToString(sum[:])); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a login did not purge the expired session: %v", err)
	}
	if r := h.do(http.MethodPost, "/api/v1/auth/logout", tok, nil); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodGet, "/api/v1/auth/me", tok, nil), 401, "unauthorized")
	wantError(t, h.do(http.MethodPost, "/api/v1/auth/logout", tok, nil), 401, "unauthorized")
	if a := h.audit("auth.logout"); len(a) != 1 || a[0].Actor != "admin" {
		t.Errorf("logout audit %+v", a)
	}
}

func TestTokenTTLOption(t *testing.T) {
	h := newHarness(t, func(o *api.Options) { o.TokenTTL = time.Minute })
	tok := h.login("manager")
	h.clock.Add(time.Minute)
	wantError(t, h.do(http.MethodGet, "/api/v1/auth/me", tok, nil), 401, "unauthorized")
}

func TestSeedUsers(t *testing.T) {
	t.Parallel() // bcrypt at cost 10
	h := newHarness(t)
	ctx := t.Context()
	users := []store.User{{Username: "demo-op", Role: "operator", PersonID: "P-003", DisplayName: "演示"}}
	if err := api.SeedUsers(ctx, h.store, users, "demo"); err != nil {
		t.Fatal(err)
	}
	first, _ := h.store.User(ctx, "demo-op")
	if first.CreatedAt.IsZero() || !strings.HasPrefix(first.PasswordHash, "$2a$10$") {
		t.Fatalf("seeded %+v", first)
	}
	r := h.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "demo-op", "password": "demo"})
	var out loginOut
	r.json(t, &out)
	if r.status != 200 || out.User.Tag != "T-003" {
		t.Fatalf("login as seeded user: %d %s", r.status, r.body)
	}
	users[0].DisplayName = "演示 2"
	if err := api.SeedUsers(ctx, h.store, users, "demo2"); err != nil {
		t.Fatal(err)
	}
	again, _ := h.store.User(ctx, "demo-op")
	if !again.CreatedAt.Equal(first.CreatedAt) || again.DisplayName != "演示 2" || again.PasswordHash == first.PasswordHash {
		t.Errorf("re-seeded %+v", again)
	}
	if err := api.SeedUsers(ctx, h.store, []store.User{{Username: "x", Role: "superuser"}}, "pw"); err == nil {
		t.Error("unknown role accepted")
	}
}
