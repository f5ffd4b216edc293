package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// shopSettingsMigration holds what a shop's owner sets in the console (migration 5):
// a display name for the console's header (the shop's name stays its login identifier and
// never changes) and session limits stricter than the defaults (0: the default).
const shopSettingsMigration = `CREATE TABLE shop_settings (
		shop_id TEXT PRIMARY KEY REFERENCES shops(id),
		display_name TEXT NOT NULL DEFAULT '',
		idle_timeout_sec BIGINT NOT NULL DEFAULT 0,
		max_age_sec BIGINT NOT NULL DEFAULT 0,
		updated_at BIGINT NOT NULL
	)`

// ShopSettings are a shop's settings; the zero value means none were set.
type ShopSettings struct {
	Shop        string
	DisplayName string
	IdleTimeout time.Duration // 0: the default
	MaxAge      time.Duration // 0: the default
	Updated     time.Time
}

// ShopSettings returns a shop's settings (the zero value, with Shop set, when none were set).
func (db *DB) ShopSettings(ctx context.Context, shop string) (ShopSettings, error) {
	s := ShopSettings{Shop: shop}
	var idle, maxAge, updated int64
	err := db.queryRow(ctx, `SELECT display_name, idle_timeout_sec, max_age_sec, updated_at FROM shop_settings WHERE shop_id = ?`, shop).
		Scan(&s.DisplayName, &idle, &maxAge, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return ShopSettings{}, err
	}
	s.IdleTimeout, s.MaxAge, s.Updated = time.Duration(idle)*time.Second, time.Duration(maxAge)*time.Second, fromMicros(updated)
	return s, nil
}

// UpdateShopSettings reads a shop's settings inside a write transaction, lets fn change them
// and writes them back, all or nothing.
func (db *DB) UpdateShopSettings(ctx context.Context, shop string, at time.Time, fn func(s *ShopSettings) error) (ShopSettings, error) {
	var out ShopSettings
	err := db.write(ctx, func(tx *sql.Tx) error {
		s := ShopSettings{Shop: shop}
		var idle, maxAge, updated int64
		err := tx.QueryRowContext(ctx, db.q(`SELECT display_name, idle_timeout_sec, max_age_sec, updated_at FROM shop_settings WHERE shop_id = ?`), shop).
			Scan(&s.DisplayName, &idle, &maxAge, &updated)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		s.IdleTimeout, s.MaxAge = time.Duration(idle)*time.Second, time.Duration(maxAge)*time.Second
		if err := fn(&s); err != nil {
			return err
		}
		s.Updated = at
		q := `INSERT INTO shop_settings (display_name, idle_timeout_sec, max_age_sec, updated_at, shop_id) VALUES (?, ?, ?, ?, ?)`
		if exists {
			q = `UPDATE shop_settings SET display_name = ?, idle_timeout_sec = ?, max_age_sec = ?, updated_at = ? WHERE shop_id = ?`
		}
		if _, err := tx.ExecContext(ctx, db.q(q), s.DisplayName, int64(s.IdleTimeout/time.Second), int64(s.MaxAge/time.Second), micros(at), shop); err != nil {
			return err
		}
		out = s
		return nil
	})
	return out, err
}
