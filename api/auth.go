package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chemtwin/chemtwin/store"
)

// Roles (DESIGN.md).
const (
	roleAdmin     = "admin"
	roleManager   = "manager"
	roleEmergency = "emergency"
	roleInspector = "inspector"
	roleOperator  = "operator"
)

// Roles lists the user roles.
var Roles = []string{roleAdmin, roleManager, roleEmergency, roleInspector, roleOperator}

// bcryptCost is the work factor of stored password hashes.
const bcryptCost = 10

// Credential bounds: bcrypt reads at most 72 bytes of a password.
const (
	maxUsername = 64
	maxPassword = 72
	tokenBytes  = 32
)

// HashPassword returns the bcrypt hash (cost 10) of pw.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("api: hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against for unknown users, so that a login takes
// as long whether or not the user exists.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("chemtwin-no-such-user"), bcryptCost)
	return h
})

// SeedUsers creates or updates each user with password (hashed), keeping
// the creation time of users that exist. It is used for the --demo users.
func SeedUsers(ctx context.Context, st store.Store, users []store.User, password string) error {
	for _, u := range users {
		if u.Username == "" || len(u.Username) > maxUsername || !slices.Contains(Roles, u.Role) {
			return fmt.Errorf("api: seed user %q: bad username or role %q", u.Username, u.Role)
		}
		h, err := HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
		old, err := st.User(ctx, u.Username)
		switch {
		case err == nil:
			u.CreatedAt = old.CreatedAt
		case errors.Is(err, store.ErrNotFound):
			u.CreatedAt = time.Now().UTC()
		default:
			return fmt.Errorf("api: seed user %q: %w", u.Username, err)
		}
		if err := st.PutUser(ctx, u); err != nil {
			return fmt.Errorf("api: seed user %q: %w", u.Username, err)
		}
	}
	return nil
}

// principal is the authenticated caller of a request.
type principal struct {
	user      store.User
	tokenHash string
}

// authed wraps h: it requires a valid bearer token (401) of a user whose
// role is one of roles (403; any role when roles is empty).
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, principal), roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err == nil && len(roles) > 0 && !slices.Contains(roles, p.user.Role) {
			err = errorf(http.StatusForbidden, codeForbidden, "role %q may not do this", p.user.Role)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, p)
	}
}

// authenticate resolves the request's bearer token to a live session's user.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 128 {
		return principal{}, errorf(http.StatusUnauthorized, codeUnauthorized, "a bearer token is required")
	}
	hash := tokenHash(token)
	bad := errorf(http.StatusUnauthorized, codeUnauthorized, "invalid or expired token")
	sess, err := s.opts.Store.Session(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return principal{}, bad
	} else if err != nil {
		return principal{}, fmt.Errorf("api: session: %w", err)
	}
	if !s.opts.Clock().Before(sess.ExpiresAt) {
		return principal{}, bad
	}
	u, err := s.opts.Store.User(r.Context(), sess.Username)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return principal{}, bad
	} else if err != nil {
		return principal{}, fmt.Errorf("api: session user: %w", err)
	}
	return principal{user: u, tokenHash: hash}, nil
}

// tokenHash is the stored form of a bearer token: SHA-256, hex.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// newToken returns 32 random bytes, base64url without padding.
func newToken() string {
	var b [tokenBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// remoteHost is the client address used for limits and audit: the peer's
// host (proxy headers are not trusted).
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// audit appends an audit entry; a failure is logged, not answered: the
// action it records has already happened.
func (s *Server) audit(r *http.Request, actor, action, target string, detail map[string]any) {
	ctx := context.WithoutCancel(r.Context()) // record it even if the client left
	err := s.opts.Store.AppendAudit(ctx, store.AuditEntry{
		At: s.opts.Clock().UTC(), Actor: actor, Action: action, Target: target, Detail: detail, Remote: remoteHost(r),
	})
	if err != nil {
		s.log.Error("audit append failed", "action", action, "actor", actor, "target", target, "err", err)
	}
}

// retryAfter formats a wait for the Retry-After header, in whole seconds.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(max(d, time.Second).Seconds())))
}
