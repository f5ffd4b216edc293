package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Staff is a shop's staff member as stored. Secrets are never here in clear: the password is
// an argon2id hash, the TOTP secret is sealed, the setup token and recovery codes are
// SHA-256 hashes.
type Staff struct {
	ID             string
	Shop           string
	Email          string // normalised work address
	Role           string
	Status         string
	PasswordHash   string // "" until set
	TOTPSecret     []byte // sealed; nil when not enrolled
	TOTPKeyVersion uint32
	TOTPConfirmed  bool
	TOTPLastStep   int64
	SetupHash      []byte // nil when no setup link is open
	SetupExpires   time.Time
	LastLogin      time.Time // zero: never
	LastLoginIP    string
	Created        time.Time
	Updated        time.Time

	// RecoveryHashes, when not nil after an UpdateStaff function (or in CreateStaff),
	// replaces the member's recovery codes (empty: none). Reads leave it nil.
	RecoveryHashes [][]byte
}

const staffCols = `id, shop_id, email, role, status, password_hash, totp_secret, totp_key_version, totp_confirmed,
	totp_last_step, setup_hash, setup_expires, last_login_at, last_login_ip, created_at, updated_at`

func scanStaff(row interface{ Scan(...any) error }) (Staff, error) {
	var s Staff
	var pw sql.NullString
	var confirmed int64
	var setupExp, last, created, updated int64
	err := row.Scan(&s.ID, &s.Shop, &s.Email, &s.Role, &s.Status, &pw, &s.TOTPSecret, &s.TOTPKeyVersion, &confirmed,
		&s.TOTPLastStep, &s.SetupHash, &setupExp, &last, &s.LastLoginIP, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, ErrNotFound
	}
	if err != nil {
		return Staff{}, err
	}
	s.PasswordHash = pw.String
	s.TOTPConfirmed = confirmed != 0
	if setupExp != 0 {
		s.SetupExpires = fromMicros(setupExp)
	}
	if last != 0 {
		s.LastLogin = fromMicros(last)
	}
	s.Created, s.Updated = fromMicros(created), fromMicros(updated)
	return s, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// CreateStaff inserts a staff member; ErrConflict when the shop already has that email.
func (db *DB) CreateStaff(ctx context.Context, s Staff) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM staff WHERE shop_id = ? AND email = ?`), s.Shop, s.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO staff (`+staffCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			s.ID, s.Shop, s.Email, s.Role, s.Status, nullString(s.PasswordHash), s.TOTPSecret, s.TOTPKeyVersion, boolInt(s.TOTPConfirmed),
			s.TOTPLastStep, s.SetupHash, optMicros(s.SetupExpires), optMicros(s.LastLogin), s.LastLoginIP, micros(s.Created), micros(s.Updated))
		if err != nil {
			return err
		}
		return db.replaceRecovery(ctx, tx, s.ID, s.RecoveryHashes)
	})
}

// StaffByID returns the staff member with id.
func (db *DB) StaffByID(ctx context.Context, id string) (Staff, error) {
	return scanStaff(db.queryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE id = ?`, id))
}

// StaffByEmail returns a shop's staff member by normalised email.
func (db *DB) StaffByEmail(ctx context.Context, shop, email string) (Staff, error) {
	return scanStaff(db.queryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE shop_id = ? AND email = ?`, shop, email))
}

// StaffBySetupHash returns the staff member whose open setup link has this token hash.
func (db *DB) StaffBySetupHash(ctx context.Context, hash []byte) (Staff, error) {
	return scanStaff(db.queryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE setup_hash = ?`, hash))
}

// ListStaff returns a shop's staff by email.
func (db *DB) ListStaff(ctx context.Context, shop string) ([]Staff, error) {
	rows, err := db.query(ctx, `SELECT `+staffCols+` FROM staff WHERE shop_id = ? ORDER BY email`, shop)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateStaff reads the member with id inside a write transaction (locking the row on
// PostgreSQL), lets fn change it and writes it back, all or nothing. fn may run more than
// once and must have no effect outside s; an error from fn is returned unchanged and
// nothing is written. The updated member is returned.
func (db *DB) UpdateStaff(ctx context.Context, id string, fn func(s *Staff) error) (Staff, error) {
	var out Staff
	q := `SELECT ` + staffCols + ` FROM staff WHERE id = ?`
	if db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		s, err := scanStaff(tx.QueryRowContext(ctx, db.q(q), id))
		if err != nil {
			return err
		}
		if err := fn(&s); err != nil {
			return err
		}
		s.ID = id
		_, err = tx.ExecContext(ctx, db.q(`UPDATE staff SET email = ?, role = ?, status = ?, password_hash = ?, totp_secret = ?,
			totp_key_version = ?, totp_confirmed = ?, totp_last_step = ?, setup_hash = ?, setup_expires = ?, last_login_at = ?,
			last_login_ip = ?, updated_at = ? WHERE id = ?`),
			s.Email, s.Role, s.Status, nullString(s.PasswordHash), s.TOTPSecret, s.TOTPKeyVersion, boolInt(s.TOTPConfirmed),
			s.TOTPLastStep, s.SetupHash, optMicros(s.SetupExpires), optMicros(s.LastLogin), s.LastLoginIP, micros(s.Updated), id)
		if err != nil {
			return err
		}
		if err := db.replaceRecovery(ctx, tx, id, s.RecoveryHashes); err != nil {
			return err
		}
		s.RecoveryHashes = nil
		out = s
		return nil
	})
	return out, err
}

func (db *DB) replaceRecovery(ctx context.Context, tx *sql.Tx, staffID string, hashes [][]byte) error {
	if hashes == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM staff_recovery_codes WHERE staff_id = ?`), staffID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO staff_recovery_codes (staff_id, hash) VALUES (?, ?)`), staffID, h); err != nil {
			return err
		}
	}
	return nil
}

// RecoveryCodesLeft counts a member's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, staffID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at = 0`, staffID).Scan(&n)
	return n, err
}

// UseRecoveryCode marks the member's unused code with this hash used; ErrNotFound when
// there is none (wrong, or used before).
func (db *DB) UseRecoveryCode(ctx context.Context, staffID string, hash []byte, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE staff_recovery_codes SET used_at = ? WHERE staff_id = ? AND hash = ? AND used_at = 0`),
			micros(at), staffID, hash)
		return expectOne(res, err)
	})
}

// StaffSession is a login session; only the SHA-256 of its token is stored.
type StaffSession struct {
	Hash       []byte
	ID         string
	StaffID    string
	Shop       string
	Restricted bool // may only enrol 2FA
	IP         string
	Created    time.Time
	LastSeen   time.Time
}

// LoginSuccess is everything a successful login writes, in one transaction.
type LoginSuccess struct {
	Shop    string
	Account []byte // as in RecordLoginFailure: its failures are cleared
	Session StaffSession
	// Known are (kind, hash) pairs the member is seen with, e.g. the IP and the device; the
	// answer says which were new.
	Known [][2]string
	At    time.Time
}

// RecordLogin clears the account's failures, notes the member's last login, inserts the
// session and records which of Known were seen for the first time (returned by index).
func (db *DB) RecordLogin(ctx context.Context, l LoginSuccess) (firstSeen []bool, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		firstSeen = make([]bool, len(l.Known))
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_failures WHERE shop_id = ? AND account = ?`), l.Shop, l.Account); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_locks WHERE shop_id = ? AND account = ?`), l.Shop, l.Account); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE staff SET last_login_at = ?, last_login_ip = ? WHERE id = ?`), micros(l.At), l.Session.IP, l.Session.StaffID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		s := l.Session
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO staff_sessions (hash, id, staff_id, shop_id, restricted, ip, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			s.Hash, s.ID, s.StaffID, s.Shop, boolInt(s.Restricted), s.IP, micros(s.Created), micros(s.LastSeen)); err != nil {
			return err
		}
		for i, k := range l.Known {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM staff_known WHERE staff_id = ? AND kind = ? AND hash = ?`), s.StaffID, k[0], []byte(k[1])).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			firstSeen[i] = true
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO staff_known (staff_id, kind, hash, first_seen) VALUES (?, ?, ?, ?)`), s.StaffID, k[0], []byte(k[1]), micros(l.At)); err != nil {
				return err
			}
		}
		return nil
	})
	return firstSeen, err
}

// SessionByHash returns the session with this token hash and its staff member.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (StaffSession, Staff, error) {
	var s StaffSession
	var restricted, created, seen int64
	err := db.queryRow(ctx, `SELECT hash, id, staff_id, shop_id, restricted, ip, created_at, last_seen FROM staff_sessions WHERE hash = ?`, hash).
		Scan(&s.Hash, &s.ID, &s.StaffID, &s.Shop, &restricted, &s.IP, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffSession{}, Staff{}, ErrNotFound
	}
	if err != nil {
		return StaffSession{}, Staff{}, err
	}
	s.Restricted, s.Created, s.LastSeen = restricted != 0, fromMicros(created), fromMicros(seen)
	m, err := db.StaffByID(ctx, s.StaffID)
	if err != nil {
		return StaffSession{}, Staff{}, err
	}
	return s, m, nil
}

// TouchSession moves a session's last activity to at.
func (db *DB) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE staff_sessions SET last_seen = ? WHERE hash = ?`), micros(at), hash)
		return expectOne(res, err)
	})
}

// UnrestrictSessions lifts the enrolment restriction from every session of a member (after
// the member confirmed 2FA).
func (db *DB) UnrestrictSessions(ctx context.Context, staffID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`UPDATE staff_sessions SET restricted = 0 WHERE staff_id = ?`), staffID)
		return err
	})
}

// DeleteSession removes the session with this token hash; ErrNotFound when there is none.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM staff_sessions WHERE hash = ?`), hash)
		return expectOne(res, err)
	})
}

// DeleteStaffSessions removes every session of a member and says how many there were.
func (db *DB) DeleteStaffSessions(ctx context.Context, staffID string) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM staff_sessions WHERE staff_id = ?`), staffID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// LoginFailure is one failed login attempt. Account identifies what was tried (an HMAC of
// shop and email, whether or not such a member exists).
type LoginFailure struct {
	Shop    string
	Account []byte
	IP      string
	At      time.Time
}

// RecordLoginFailure stores f, forgets failures older than window, and when the account
// then has limit failures within window locks it until f.At+lockFor. It reports whether
// the account is now locked.
func (db *DB) RecordLoginFailure(ctx context.Context, f LoginFailure, window time.Duration, limit int, lockFor time.Duration) (locked bool, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		locked = false
		since := micros(f.At.Add(-window))
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_failures WHERE at < ?`), since); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO login_failures (shop_id, account, ip, at) VALUES (?, ?, ?, ?)`), f.Shop, f.Account, f.IP, micros(f.At)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM login_failures WHERE shop_id = ? AND account = ? AND at >= ?`), f.Shop, f.Account, since).Scan(&n); err != nil {
			return err
		}
		if n < limit {
			return nil
		}
		locked = true
		until := micros(f.At.Add(lockFor))
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_locks WHERE shop_id = ? AND account = ?`), f.Shop, f.Account); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO login_locks (shop_id, account, locked_until) VALUES (?, ?, ?)`), f.Shop, f.Account, until)
		return err
	})
	return locked, err
}

// LoginState answers, before a login is tried, until when the account is locked (zero: not
// locked) and how many failures came from ip since since.
func (db *DB) LoginState(ctx context.Context, shop string, account []byte, ip string, since time.Time) (lockedUntil time.Time, ipFailures int, err error) {
	var until int64
	err = db.queryRow(ctx, `SELECT locked_until FROM login_locks WHERE shop_id = ? AND account = ?`, shop, account).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, 0, err
	}
	if until != 0 {
		lockedUntil = fromMicros(until)
	}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM login_failures WHERE ip = ? AND at >= ?`, ip, micros(since)).Scan(&ipFailures); err != nil {
		return time.Time{}, 0, err
	}
	return lockedUntil, ipFailures, nil
}

// ClearLoginLock lifts an account's lock and forgets its failures (an owner unlocking a
// member).
func (db *DB) ClearLoginLock(ctx context.Context, shop string, account []byte) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_failures WHERE shop_id = ? AND account = ?`), shop, account); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_locks WHERE shop_id = ? AND account = ?`), shop, account)
		return err
	})
}

// AddShopCIDR adds a network (canonical CIDR text) to a shop's staff allow-list; adding one
// that is there is not an error.
func (db *DB) AddShopCIDR(ctx context.Context, shop, cidr string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM shop_ip_allow WHERE shop_id = ? AND cidr = ?`), shop, cidr).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO shop_ip_allow (shop_id, cidr, created_at) VALUES (?, ?, ?)`), shop, cidr, micros(at))
		return err
	})
}

// RemoveShopCIDR removes a network from a shop's allow-list; ErrNotFound when absent.
func (db *DB) RemoveShopCIDR(ctx context.Context, shop, cidr string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM shop_ip_allow WHERE shop_id = ? AND cidr = ?`), shop, cidr)
		return expectOne(res, err)
	})
}

// ShopCIDRs lists a shop's allow-list in the order the networks were added.
func (db *DB) ShopCIDRs(ctx context.Context, shop string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT cidr FROM shop_ip_allow WHERE shop_id = ? ORDER BY created_at, cidr`, shop)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(c))
	}
	return out, rows.Err()
}
