package api

import (
	"errors"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chemtwin/chemtwin/store"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userInfo  `json:"user"`
}

// userInfo is a user as the API shows it (GET /api/v1/auth/me).
type userInfo struct {
	Username    string `json:"username"`
	Role        string `json:"role"`
	PersonID    string `json:"person_id"`
	Tag         string `json:"tag"`
	DisplayName string `json:"display_name"`
}

// login answers POST /api/v1/auth/login: a bearer token for valid
// credentials; 401 otherwise; 429 once the caller's address failed too often.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Clock()
	remote := remoteHost(r)
	if limited, wait := s.limiter.blocked(remote, now); limited {
		s.metrics.logins.WithLabelValues("limited").Inc()
		w.Header().Set("Retry-After", retryAfter(wait))
		s.writeError(w, r, errorf(http.StatusTooManyRequests, codeRateLimited, "too many failed logins; retry later"))
		return
	}
	var req loginRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Username == "" || req.Password == "" || len(req.Username) > maxUsername {
		s.writeError(w, r, errorf(http.StatusBadRequest, codeBadRequest, "username (≤ %d bytes) and password are required", maxUsername))
		return
	}
	u, err := s.checkPassword(r, req)
	if err != nil {
		if ae := classify(err); ae.code == codeBadCredentials {
			s.limiter.fail(remote, now)
			s.metrics.logins.WithLabelValues("failed").Inc()
			s.audit(r, req.Username, "auth.login_failed", req.Username, nil)
		}
		s.writeError(w, r, err)
		return
	}
	token := newToken()
	sess := store.Session{TokenHash: tokenHash(token), Username: u.Username, CreatedAt: now.UTC(), ExpiresAt: now.Add(s.opts.TokenTTL).UTC()}
	if err := s.opts.Store.PutSession(r.Context(), sess); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.limiter.reset(remote)
	s.purgeSessions(r, now)
	s.metrics.logins.WithLabelValues("ok").Inc()
	s.audit(r, u.Username, "auth.login", u.Username, nil)
	s.writeJSON(w, r, http.StatusOK, typeJSON, loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: s.userInfo(u)})
}

// checkPassword returns the user if the password matches. Unknown and
// disabled users cost one bcrypt comparison too, so timing does not tell
// which usernames exist.
func (s *Server) checkPassword(r *http.Request, req loginRequest) (store.User, error) {
	u, err := s.opts.Store.User(r.Context(), req.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	hash := []byte(u.PasswordHash)
	if err != nil || u.Disabled || len(req.Password) > maxPassword {
		hash = dummyHash()
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) == nil
	if err != nil || u.Disabled || len(req.Password) > maxPassword || !match {
		return u, errorf(http.StatusUnauthorized, codeBadCredentials, "unknown user or wrong password")
	}
	return u, nil
}

// purgeSessions drops expired sessions; logins are its occasion, so the
// table stays bounded without a goroutine of its own.
func (s *Server) purgeSessions(r *http.Request, now time.Time) {
	if _, err := s.opts.Store.PurgeSessions(r.Context(), now); err != nil {
		s.log.Warn("session purge failed", "err", err)
	}
}

// logout answers POST /api/v1/auth/logout: the session ends.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p principal) {
	if err := s.opts.Store.DeleteSession(r.Context(), p.tokenHash); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, p.user.Username, "auth.logout", p.user.Username, nil)
	w.WriteHeader(http.StatusNoContent)
}

// me answers GET /api/v1/auth/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request, p principal) {
	s.writeJSON(w, r, http.StatusOK, typeJSON, s.userInfo(p.user))
}

// userInfo shows u with the tag of the person it is bound to.
func (s *Server) userInfo(u store.User) userInfo {
	info := userInfo{Username: u.Username, Role: u.Role, PersonID: u.PersonID, DisplayName: u.DisplayName}
	if u.PersonID != "" {
		if e, ok := s.opts.Scene.Get(u.PersonID); ok && e.Mobile != nil {
			info.Tag = e.Mobile.Tag
		}
	}
	return info
}
