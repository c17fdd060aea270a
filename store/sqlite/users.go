package sqlite

import (
	"context"
	"fmt"
	"time"

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
		return err
	}
	const q = `INSERT INTO users (` + userColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET
			password_hash = excluded.password_hash, role = excluded.role,
			person_id = excluded.person_id, display_name = excluded.display_name,
			disabled = excluded.disabled, created_at = excluded.created_at`
	_, err := db.w.ExecContext(ctx, q, u.Username, u.PasswordHash, u.Role, u.PersonID,
		u.DisplayName, u.Disabled, millis(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put user %q: %w", u.Username, storeErr(err))
	}
	return nil
}

// User returns the user named username.
func (db *DB) User(ctx context.Context, username string) (store.User, error) {
	if err := db.enter(); err != nil {
		return store.User{}, err
	}
	defer db.leave()
	row := db.r.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", username)
	u, err := scanUser(row)
	if err != nil {
		return store.User{}, fmt.Errorf("sqlite: user %q: %w", username, storeErr(err))
	}
	return u, nil
}

// Users lists every user, ordered by username byte-wise (code-point order).
func (db *DB) Users(ctx context.Context) ([]store.User, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	rows, err := db.r.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var us []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return us, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (store.User, error) {
	var u store.User
	var created int64
	err := row.Scan(&u.Username, &u.PasswordHash, &u.Role, &u.PersonID, &u.DisplayName, &u.Disabled, &created)
	u.CreatedAt = fromMillis(created)
	return u, err
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
		return err
	}
	const q = "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)"
	if _, err := db.w.ExecContext(ctx, q, s.TokenHash, s.Username, millis(s.CreatedAt), millis(s.ExpiresAt)); err != nil {
		return fmt.Errorf("sqlite: put session of %q: %w", s.Username, storeErr(err))
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
	const q = "SELECT token_hash, username, created_at, expires_at FROM sessions WHERE token_hash = ?"
	var s store.Session
	var created, expires int64
	err := db.r.QueryRowContext(ctx, q, tokenHash).Scan(&s.TokenHash, &s.Username, &created, &expires)
	if err != nil {
		return store.Session{}, fmt.Errorf("sqlite: session: %w", storeErr(err))
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return s, nil
}

// DeleteSession removes a session; store.ErrNotFound if there is none.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	res, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: delete session: %w", store.ErrNotFound)
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
	res, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < ?", millis(t))
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge sessions: %w", err)
	}
	return n, nil
}
