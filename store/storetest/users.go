package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/store"
)

func user(name, role string) store.User {
	return store.User{
		Username:     name,
		PasswordHash: "$2a$10$" + strings.Repeat("x", 53), // bcrypt-shaped
		Role:         role,
		PersonID:     "person-" + name,
		DisplayName:  name,
		CreatedAt:    base,
	}
}

func (s suite) testUsers(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)

	if us, err := st.Users(c); err != nil || len(us) != 0 {
		t.Fatalf("Users on an empty store = %v, %v; want none", us, err)
	}
	if _, err := st.User(c, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("User(nobody) error = %v, want store.ErrNotFound", err)
	}

	zhang := user("张伟", "inspector")
	zhang.DisplayName = "张伟（巡检）"
	names := []string{"zhang", "张伟", "Bob", "alice", "admin"}
	want := map[string]store.User{}
	for _, n := range names {
		u := user(n, "operator")
		if n == "张伟" {
			u = zhang
		}
		if err := st.PutUser(c, u); err != nil {
			t.Fatalf("PutUser(%s): %v", n, err)
		}
		want[n] = u
	}

	// Update by username replaces every field.
	upd := want["alice"]
	upd.Role, upd.DisplayName, upd.Disabled = "admin", "Alice Liu 刘", true
	upd.PasswordHash, upd.PersonID, upd.CreatedAt = "$2a$10$new", "person-9", at(time.Hour)
	if err := st.PutUser(c, upd); err != nil {
		t.Fatalf("PutUser(update): %v", err)
	}
	want["alice"] = upd

	for _, n := range names {
		got, err := st.User(c, n)
		if err != nil {
			t.Fatalf("User(%s): %v", n, err)
		}
		same(t, "User("+n+")", got, want[n])
	}

	us, err := st.Users(c)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted) // byte order: "Bob" < "admin" < … < "张伟"
	var wantList []store.User
	for _, n := range sorted {
		wantList = append(wantList, want[n])
	}
	same(t, "Users", us, wantList)

	for name, u := range map[string]store.User{
		"empty username":   user("", "admin"),
		"invalid UTF-8":    user("bad\xff", "admin"),
		"NUL in username":  user("nul\x00", "admin"),
		"NUL in role text": user("ok", "ad\x00min"),
	} {
		if err := st.PutUser(c, u); err == nil {
			t.Errorf("PutUser(%s) = nil, want an error", name)
		}
	}
	if us, _ := st.Users(c); len(us) != len(names) {
		t.Errorf("after refused puts: %d users, want %d", len(us), len(names))
	}
}

func (s suite) testSessions(t *testing.T) {
	t.Parallel()
	st := s.fresh(t)
	c := ctx(t)
	if err := st.PutUser(c, user("operator", "operator")); err != nil {
		t.Fatal(err)
	}

	s1 := store.Session{TokenHash: "h1", Username: "operator", CreatedAt: base, ExpiresAt: at(8 * time.Hour)}
	if err := st.PutSession(c, s1); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if got, err := st.Session(c, "h1"); err != nil {
		t.Fatalf("Session: %v", err)
	} else {
		same(t, "Session(h1)", got, s1)
	}
	if err := st.PutSession(c, s1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutSession(same hash) error = %v, want store.ErrConflict", err)
	}
	ghost := store.Session{TokenHash: "h2", Username: "ghost", CreatedAt: base, ExpiresAt: at(time.Hour)}
	if err := st.PutSession(c, ghost); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSession(unknown user) error = %v, want store.ErrNotFound", err)
	}
	if err := st.PutSession(c, store.Session{Username: "operator", ExpiresAt: base}); err == nil {
		t.Error("PutSession(empty token hash) = nil, want an error")
	}
	if _, err := st.Session(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session(unknown) error = %v, want store.ErrNotFound", err)
	}

	if err := st.DeleteSession(c, "h1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := st.Session(c, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after delete: error = %v, want store.ErrNotFound", err)
	}
	if err := st.DeleteSession(c, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSession twice: error = %v, want store.ErrNotFound", err)
	}

	s.testPurge(t, st)
}

// testPurge checks that PurgeSessions(t) removes exactly the sessions that
// expired strictly before t.
func (s suite) testPurge(t *testing.T, st store.Store) {
	c := ctx(t)
	expiries := map[string]time.Duration{
		"gone-1h": -time.Hour, "gone-1ms": -time.Millisecond,
		"keep-0": 0, "keep+1ms": time.Millisecond, "keep+1h": time.Hour,
	}
	for h, d := range expiries {
		se := store.Session{TokenHash: h, Username: "operator", CreatedAt: at(-2 * time.Hour), ExpiresAt: at(d)}
		if err := st.PutSession(c, se); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.PurgeSessions(c, base)
	if err != nil || n != 2 {
		t.Errorf("PurgeSessions = %d, %v; want 2, nil", n, err)
	}
	for h := range expiries {
		_, err := st.Session(c, h)
		if gone := strings.HasPrefix(h, "gone"); gone != errors.Is(err, store.ErrNotFound) {
			t.Errorf("after purge, Session(%s) error = %v (expected gone: %v)", h, err, gone)
		}
	}
	if n, err := st.PurgeSessions(c, base); err != nil || n != 0 {
		t.Errorf("PurgeSessions again = %d, %v; want 0, nil", n, err)
	}
}
