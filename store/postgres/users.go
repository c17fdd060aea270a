package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chemtwin/chemtwin/store"
)

const userColumns = "username, password_hash, role, person_id, display_name, disabled, created_at"

// PutUser inserts u or replaces every field of the user with its username.
func (db *DB) PutUser(ctx context.Context, u store.User) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if u.Username == "" {
		return fmt.Errorf("%w: user without username", ErrInvalid)
	}
	if err := checkText(u.Username, u.PasswordHash, u.Role, u.PersonID, u.DisplayName); err != nil {
		return fmt.Errorf("postgres: put user: %w", err)
	}
	const q = `INSERT INTO users (` + userColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (username) DO UPDATE SET
			password_hash = excluded.password_hash, role = excluded.role,
			person_id = excluded.person_id, display_name = excluded.display_name,
			disabled = excluded.disabled, created_at = excluded.created_at`
	err := db.exec(ctx, q, u.Username, u.PasswordHash, u.Role, u.PersonID, u.DisplayName, u.Disabled, ts(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put user %q: %w", u.Username, storeErr(err))
	}
	return nil
}

// User returns the user named username.
func (db *DB) User(ctx context.Context, username string) (store.User, error) {
	if err := db.enter(); err != nil {
		return store.User{}, err
	}
	defer db.leave()
	var us []store.User
	err := checkKey(username)
	if err == nil {
		us, err = db.users(ctx, "SELECT "+userColumns+" FROM users WHERE username = $1", username)
	}
	if err == nil && len(us) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("postgres: user %q: %w", username, storeErr(err))
	}
	return us[0], nil
}

// Users lists every user, ordered by username byte-wise (code-point order:
// the column is COLLATE "C").
func (db *DB) Users(ctx context.Context) ([]store.User, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	us, err := db.users(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	return us, nil
}

func (db *DB) users(ctx context.Context, q string, args ...any) ([]store.User, error) {
	var us []store.User
	err := db.conn(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, q, args...)
		var err error
		us, err = collect(rows, scanUser)
		return err
	})
	return us, err
}

func scanUser(row pgx.CollectableRow) (store.User, error) {
	var u store.User
	err := row.Scan(&u.Username, &u.PasswordHash, &u.Role, &u.PersonID, &u.DisplayName, &u.Disabled, &u.CreatedAt)
	u.CreatedAt = fromTS(u.CreatedAt)
	return u, err
}

// exec runs one statement on a connection of the pool.
func (db *DB) exec(ctx context.Context, q string, args ...any) error {
	return db.conn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, q, args...)
		return err
	})
}

// execN runs one statement and returns the number of rows it affected.
func (db *DB) execN(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := db.conn(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, q, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// PutSession stores a new session. A token hash already stored is
// store.ErrConflict; a username with no user is store.ErrNotFound.
func (db *DB) PutSession(ctx context.Context, s store.Session) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if s.TokenHash == "" || s.Username == "" {
		return fmt.Errorf("%w: session without token hash or username", ErrInvalid)
	}
	if err := checkText(s.TokenHash, s.Username); err != nil {
		return fmt.Errorf("postgres: put session: %w", err)
	}
	const q = "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)"
	if err := db.exec(ctx, q, s.TokenHash, s.Username, ts(s.CreatedAt), ts(s.ExpiresAt)); err != nil {
		return fmt.Errorf("postgres: put session of %q: %w", s.Username, storeErr(err))
	}
	return nil
}

// Session returns the session whose token hashes to tokenHash, expired or
// not: the caller judges ExpiresAt.
func (db *DB) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	if err := db.enter(); err != nil {
		return store.Session{}, err
	}
	defer db.leave()
	const q = "SELECT token_hash, username, created_at, expires_at FROM sessions WHERE token_hash = $1"
	var s store.Session
	err := checkKey(tokenHash)
	if err == nil {
		err = db.conn(ctx, func(c *pgx.Conn) error {
			return c.QueryRow(ctx, q, tokenHash).Scan(&s.TokenHash, &s.Username, &s.CreatedAt, &s.ExpiresAt)
		})
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("postgres: session: %w", storeErr(err))
	}
	s.CreatedAt, s.ExpiresAt = fromTS(s.CreatedAt), fromTS(s.ExpiresAt)
	return s, nil
}

// DeleteSession removes a session; store.ErrNotFound if there is none.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if checkKey(tokenHash) != nil {
		return fmt.Errorf("postgres: delete session: %w", store.ErrNotFound)
	}
	n, err := db.execN(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	if err != nil {
		return fmt.Errorf("postgres: delete session: %w", storeErr(err))
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete session: %w", store.ErrNotFound)
	}
	return nil
}

// PurgeSessions deletes the sessions that expired strictly before t and
// returns how many.
func (db *DB) PurgeSessions(ctx context.Context, t time.Time) (int64, error) {
	if err := db.enter(); err != nil {
		return 0, err
	}
	defer db.leave()
	n, err := db.execN(ctx, "DELETE FROM sessions WHERE expires_at < $1", ts(t))
	if err != nil {
		return 0, fmt.Errorf("postgres: purge sessions: %w", storeErr(err))
	}
	return n, nil
}
