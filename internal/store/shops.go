package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Shop is a tenant. Its root key (from which its index keys are derived) is stored wrapped
// under the master key version KeyVersion.
type Shop struct {
	ID         string
	Name       string
	KeyVersion uint32
	WrappedKey []byte
	Created    time.Time
}

// CreateShop inserts a shop; ErrConflict when the name is taken.
func (db *DB) CreateShop(ctx context.Context, s Shop) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM shops WHERE name = ?`), s.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO shops (id, name, key_version, wrapped_key, created_at) VALUES (?, ?, ?, ?, ?)`),
			s.ID, s.Name, s.KeyVersion, s.WrappedKey, micros(s.Created))
		return err
	})
}

const shopCols = `id, name, key_version, wrapped_key, created_at`

func scanShop(row interface{ Scan(...any) error }) (Shop, error) {
	var s Shop
	var created int64
	if err := row.Scan(&s.ID, &s.Name, &s.KeyVersion, &s.WrappedKey, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Shop{}, ErrNotFound
		}
		return Shop{}, err
	}
	s.Created = fromMicros(created)
	return s, nil
}

// Shop returns the shop with id.
func (db *DB) Shop(ctx context.Context, id string) (Shop, error) {
	return scanShop(db.queryRow(ctx, `SELECT `+shopCols+` FROM shops WHERE id = ?`, id))
}

// ShopByName returns the shop called name.
func (db *DB) ShopByName(ctx context.Context, name string) (Shop, error) {
	return scanShop(db.r.QueryRowContext(ctx, db.q(`SELECT `+shopCols+` FROM shops WHERE name = ?`), name))
}

// Shops lists every shop by name.
func (db *DB) Shops(ctx context.Context) ([]Shop, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+shopCols+` FROM shops ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Shop
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RewrapShopKey replaces a shop's wrapped root key if it is still wrapped under oldVersion.
func (db *DB) RewrapShopKey(ctx context.Context, id string, oldVersion, newVersion uint32, wrapped []byte) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE shops SET key_version = ?, wrapped_key = ? WHERE id = ? AND key_version = ?`), newVersion, wrapped, id, oldVersion)
		return expectOne(res, err)
	})
}

// APIKey is a bearer key for the shop API. Only the SHA-256 of the key is stored: keys are
// 192-bit random values, so a fast hash cannot be brute-forced and a slow one would only
// slow every request.
type APIKey struct {
	ID      string
	Shop    string
	Name    string
	Hash    []byte
	Scopes  []string
	Created time.Time
	Revoked *time.Time
	// AllowedIPs limits where the key may be used from (canonical CIDRs); empty: anywhere.
	AllowedIPs []string
	// Expires is when the key stops working; nil: never.
	Expires *time.Time
}

// CreateAPIKey inserts a key.
func (db *DB) CreateAPIKey(ctx context.Context, k APIKey) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var expires sql.NullInt64
		if k.Expires != nil {
			expires = sql.NullInt64{Int64: micros(*k.Expires), Valid: true}
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO api_keys (id, shop_id, name, hash, scopes, created_at, allowed_ips, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			k.ID, k.Shop, k.Name, k.Hash, strings.Join(k.Scopes, " "), micros(k.Created), strings.Join(k.AllowedIPs, " "), expires)
		return err
	})
}

// APIKeyByHash finds a key that is not revoked by the hash of its secret.
func (db *DB) APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error) {
	var k APIKey
	var scopes, ips string
	var created int64
	var expires sql.NullInt64
	err := db.queryRow(ctx, `SELECT id, shop_id, name, hash, scopes, created_at, allowed_ips, expires_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &k.Shop, &k.Name, &k.Hash, &scopes, &created, &ips, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, ErrNotFound
	}
	if err != nil {
		return APIKey{}, err
	}
	k.Scopes = strings.Fields(scopes)
	k.Created = fromMicros(created)
	k.AllowedIPs = strings.Fields(ips)
	if expires.Valid {
		t := fromMicros(expires.Int64)
		k.Expires = &t
	}
	return k, nil
}

// APIKeys lists a shop's keys (revoked ones too), oldest first.
func (db *DB) APIKeys(ctx context.Context, shop string) ([]APIKey, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, shop_id, name, hash, scopes, created_at, revoked_at, allowed_ips, expires_at FROM api_keys WHERE shop_id = ? ORDER BY created_at, id`), shop)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var scopes, ips string
		var created int64
		var revoked, expires sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Shop, &k.Name, &k.Hash, &scopes, &created, &revoked, &ips, &expires); err != nil {
			return nil, err
		}
		k.Scopes, k.Created, k.AllowedIPs = strings.Fields(scopes), fromMicros(created), strings.Fields(ips)
		if expires.Valid {
			t := fromMicros(expires.Int64)
			k.Expires = &t
		}
		if revoked.Valid {
			t := fromMicros(revoked.Int64)
			k.Revoked = &t
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey marks a shop's key revoked.
func (db *DB) RevokeAPIKey(ctx context.Context, shop, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE api_keys SET revoked_at = ? WHERE shop_id = ? AND id = ? AND revoked_at IS NULL`), micros(db.now()), shop, id)
		return expectOne(res, err)
	})
}

func expectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrNotFound
	}
	return nil
}
