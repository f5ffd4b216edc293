package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Fields are the sealed columns of a customer, in the order of Customer.Sealed.
var Fields = [NumFields]string{"name", "name_kana", "email", "phone", "postal_code", "address", "birth_date", "gender", "attributes", "card"}

// NumFields is the number of sealed columns.
const NumFields = 10

// Customer is a customer row: wrapped data key and sealed fields, nothing in clear.
type Customer struct {
	Shop       string
	ID         string
	Shredded   bool
	Revision   int64 // incremented by every update; guards read-modify-write
	Created    time.Time
	Updated    time.Time
	KeyVersion uint32 // master key version wrapping WrappedDEK
	DEKVersion uint32
	WrappedDEK []byte
	Sealed     [NumFields][]byte // nil = field absent
}

// Index is one blind-index entry of a customer.
type Index struct {
	Field string
	HMAC  []byte
}

var customerCols = "id, shop_id, shredded, revision, created_at, updated_at, key_version, dek_version, wrapped_dek, " + strings.Join(Fields[:], ", ")

func scanCustomer(row interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	var shredded, created, updated int64
	dest := []any{&c.ID, &c.Shop, &shredded, &c.Revision, &created, &updated, &c.KeyVersion, &c.DEKVersion, &c.WrappedDEK}
	for i := range c.Sealed {
		dest = append(dest, &c.Sealed[i])
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Customer{}, ErrNotFound
		}
		return Customer{}, err
	}
	c.Shredded, c.Created, c.Updated = shredded != 0, fromMicros(created), fromMicros(updated)
	return c, nil
}

var insertCustomerSQL = "INSERT INTO customers (" + customerCols + ") VALUES (?" + strings.Repeat(", ?", 8+NumFields) + ")"

// InsertCustomer stores a new customer and its index entries in one transaction.
func (db *DB) InsertCustomer(ctx context.Context, c Customer, idx []Index) error {
	q, qi := db.q(insertCustomerSQL), db.q(insertIndexSQL)
	return db.write(ctx, func(tx *sql.Tx) error {
		args := []any{c.ID, c.Shop, 0, c.Revision, micros(c.Created), micros(c.Updated), c.KeyVersion, c.DEKVersion, c.WrappedDEK}
		for _, f := range c.Sealed {
			args = append(args, f)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		return insertIndex(ctx, tx, qi, c.Shop, c.ID, idx)
	})
}

const insertIndexSQL = `INSERT INTO customer_index (shop_id, field, hmac, customer_id) VALUES (?, ?, ?, ?)`

func insertIndex(ctx context.Context, tx *sql.Tx, q, shop, id string, idx []Index) error {
	for _, ix := range idx {
		if _, err := tx.ExecContext(ctx, q, shop, ix.Field, ix.HMAC, id); err != nil {
			return err
		}
	}
	return nil
}

// Customer returns the customer id of shop (shredded ones too: the caller answers 410).
func (db *DB) Customer(ctx context.Context, shop, id string) (Customer, error) {
	return scanCustomer(db.r.QueryRowContext(ctx, db.q(`SELECT `+customerCols+` FROM customers WHERE id = ? AND shop_id = ?`), id, shop))
}

// UpdateCustomer replaces a customer's sealed fields and index entries if its revision is
// still c.Revision-1 (the caller increments it); ErrConflict if someone else updated it first.
func (db *DB) UpdateCustomer(ctx context.Context, c Customer, idx []Index) error {
	var b strings.Builder
	b.WriteString("UPDATE customers SET revision = ?, updated_at = ?")
	for _, f := range Fields {
		b.WriteString(", " + f + " = ?")
	}
	b.WriteString(" WHERE id = ? AND shop_id = ? AND revision = ? AND shredded = 0")
	q, qi := db.q(b.String()), db.q(insertIndexSQL)
	qd := db.q(`DELETE FROM customer_index WHERE customer_id = ?`)
	// A lost race is reported through conflict, not as an error, so that it does not roll
	// back the neighbours batched into the same transaction.
	var conflict bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		conflict = false
		args := []any{c.Revision, micros(c.Updated)}
		for _, f := range c.Sealed {
			args = append(args, f)
		}
		args = append(args, c.ID, c.Shop, c.Revision-1)
		res, err := tx.ExecContext(ctx, q, args...)
		if err := expectOne(res, err); err != nil {
			if errors.Is(err, ErrNotFound) {
				conflict = true
				return nil
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, qd, c.ID); err != nil {
			return err
		}
		return insertIndex(ctx, tx, qi, c.Shop, c.ID, idx)
	})
	if err == nil && conflict {
		return ErrConflict
	}
	return err
}

// ShredCustomer destroys a customer's wrapped data key, sealed fields and index entries and
// marks the row shredded. It is idempotent; ErrNotFound if the customer never existed.
func (db *DB) ShredCustomer(ctx context.Context, shop, id string) error {
	var b strings.Builder
	b.WriteString("UPDATE customers SET shredded = 1, wrapped_dek = NULL, revision = revision + 1, updated_at = ?")
	for _, f := range Fields {
		b.WriteString(", " + f + " = NULL")
	}
	b.WriteString(" WHERE id = ? AND shop_id = ?")
	q := db.q(b.String())
	qd := db.q(`DELETE FROM customer_index WHERE customer_id = ?`)
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, micros(db.now()), id, shop)
		if err := expectOne(res, err); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qd, id)
		return err
	})
}

// FindByIndex returns the ids of a shop's customers whose field has the blind index hmac,
// oldest first, at most limit.
func (db *DB) FindByIndex(ctx context.Context, shop, field string, hmac []byte, limit int) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT i.customer_id FROM customer_index i JOIN customers c ON c.id = i.customer_id
		WHERE i.shop_id = ? AND i.field = ? AND i.hmac = ? ORDER BY c.created_at, c.id LIMIT ?`), shop, field, hmac, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// WrappedKeyRef names a customer's wrapped data key for rotation.
type WrappedKeyRef struct {
	Shop, ID   string
	KeyVersion uint32
	WrappedDEK []byte
}

// WrappedKeysBelow lists up to limit live customers whose data key is wrapped under a master
// version lower than v, after the id after (keyset pagination).
func (db *DB) WrappedKeysBelow(ctx context.Context, v uint32, after string, limit int) ([]WrappedKeyRef, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT shop_id, id, key_version, wrapped_dek FROM customers
		WHERE key_version < ? AND shredded = 0 AND id > ? ORDER BY id LIMIT ?`), v, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WrappedKeyRef
	for rows.Next() {
		var r WrappedKeyRef
		if err := rows.Scan(&r.Shop, &r.ID, &r.KeyVersion, &r.WrappedDEK); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rewrap is one re-wrapped data key.
type Rewrap struct {
	ID         string
	OldVersion uint32
	NewVersion uint32
	WrappedDEK []byte
}

// RewrapDEKs stores re-wrapped data keys in one transaction; a row whose version changed
// meanwhile (or that was shredded) is left alone. It returns how many rows changed.
func (db *DB) RewrapDEKs(ctx context.Context, rs []Rewrap) (int, error) {
	q := db.q(`UPDATE customers SET key_version = ?, wrapped_dek = ? WHERE id = ? AND key_version = ? AND shredded = 0`)
	var n int
	err := db.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, r := range rs {
			res, err := tx.ExecContext(ctx, q, r.NewVersion, r.WrappedDEK, r.ID, r.OldVersion)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// KeyVersionCounts counts live wrapped keys (customers and shops) per master key version.
func (db *DB) KeyVersionCounts(ctx context.Context) (map[uint32]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT key_version, COUNT(*) FROM customers WHERE shredded = 0 GROUP BY key_version
		UNION ALL SELECT key_version, COUNT(*) FROM shops GROUP BY key_version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]int{}
	for rows.Next() {
		var v uint32
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		out[v] += n
	}
	return out, rows.Err()
}

// CountCustomers counts a shop's live customers.
func (db *DB) CountCustomers(ctx context.Context, shop string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM customers WHERE shop_id = ? AND shredded = 0`), shop).Scan(&n)
	return n, err
}
