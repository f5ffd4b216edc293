package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// IndexFields are the fields with a blind index, each stored in column ix_<field>.
var IndexFields = [...]string{"email", "phone", "name", "name_kana"}

func indexColumn(field string) (string, bool) {
	for _, f := range IndexFields {
		if f == field {
			return "ix_" + f, true
		}
	}
	return "", false
}

// indexArgs orders idx as the ix_ columns; fields absent from idx are NULL.
func indexArgs(idx []Index) []any {
	out := make([]any, len(IndexFields))
	for i, f := range IndexFields {
		var v []byte
		for _, ix := range idx {
			if ix.Field == f {
				v = ix.HMAC
			}
		}
		out[i] = v
	}
	return out
}

func ixCols() string {
	var b strings.Builder
	for _, f := range IndexFields {
		b.WriteString(", ix_" + f)
	}
	return b.String()
}

// Index is one blind-index entry of a customer.
type Index struct {
	Field string
	HMAC  []byte
}

var customerCols = "id, shop_id, shredded, revision, created_at, updated_at, key_version, dek_version, wrapped_dek, " + strings.Join(Fields[:], ", ")

var (
	updateCustomerSQL = func() string {
		var b strings.Builder
		b.WriteString("UPDATE customers SET revision = ?, updated_at = ?")
		for _, f := range Fields {
			b.WriteString(", " + f + " = ?")
		}
		for _, f := range IndexFields {
			b.WriteString(", ix_" + f + " = ?")
		}
		b.WriteString(" WHERE id = ? AND shop_id = ? AND revision = ? AND shredded = 0")
		return b.String()
	}()
	shredCustomerSQL = func() string {
		var b strings.Builder
		b.WriteString("UPDATE customers SET shredded = 1, wrapped_dek = NULL, revision = revision + 1, updated_at = ?")
		for _, f := range Fields {
			b.WriteString(", " + f + " = NULL")
		}
		for _, f := range IndexFields {
			b.WriteString(", ix_" + f + " = NULL")
		}
		b.WriteString(" WHERE id = ? AND shop_id = ?")
		return b.String()
	}()
)

var selectCustomerSQL = `SELECT ` + customerCols + ` FROM customers WHERE id = ? AND shop_id = ?`

var insertCustomerSQL = "INSERT INTO customers (" + customerCols + ixCols() + ") VALUES (?" + strings.Repeat(", ?", 8+NumFields+len(IndexFields)) + ")"

// InsertCustomer stores a new customer, its blind indexes and its audit events in one
// transaction: the customer exists only if its events are on record.
func (db *DB) InsertCustomer(ctx context.Context, c Customer, idx []Index, events ...AuditRow) error {
	args := []any{c.ID, c.Shop, 0, c.Revision, micros(c.Created), micros(c.Updated), c.KeyVersion, c.DEKVersion, c.WrappedDEK}
	for _, f := range c.Sealed {
		args = append(args, f)
	}
	args = append(args, indexArgs(idx)...)
	return db.writer.doStatements(ctx, []statement{{insertCustomerSQL, args}}, events, func(tx *sql.Tx, st statement) error {
		_, err := db.exec(ctx, tx, st.query, st.args...)
		return err
	})
}

// Customer returns the customer id of shop (shredded ones too: the caller answers 410).
func (db *DB) Customer(ctx context.Context, shop, id string) (Customer, error) {
	if db.dialect == Postgres {
		return db.pgCustomer(ctx, shop, id)
	}
	return db.lite.customer(ctx, shop, id)
}

// UpdateCustomer replaces a customer's sealed fields and blind indexes if its revision is
// still c.Revision-1 (the caller increments it); ErrConflict if someone else updated it first.
func (db *DB) UpdateCustomer(ctx context.Context, c Customer, idx []Index, events ...AuditRow) error {
	// A lost race is reported through conflict, not as an error, so that it does not roll
	// back the neighbours batched into the same transaction.
	var conflict bool
	err := db.writeAudited(ctx, func(tx *sql.Tx) ([]AuditRow, error) {
		conflict = false
		args := []any{c.Revision, micros(c.Updated)}
		for _, f := range c.Sealed {
			args = append(args, f)
		}
		args = append(args, indexArgs(idx)...)
		args = append(args, c.ID, c.Shop, c.Revision-1)
		res, err := db.exec(ctx, tx, updateCustomerSQL, args...)
		if err := expectOne(res, err); err != nil {
			if errors.Is(err, ErrNotFound) {
				conflict = true
				return nil, nil // nothing changed, nothing to record
			}
			return nil, err
		}
		return events, nil
	})
	if err == nil && conflict {
		return ErrConflict
	}
	return err
}

// ShredCustomer destroys a customer's wrapped data key, sealed fields and index entries and
// marks the row shredded, with its audit events in the same transaction. It is idempotent;
// ErrNotFound if the customer never existed.
func (db *DB) ShredCustomer(ctx context.Context, shop, id string, events ...AuditRow) error {
	return db.writeAudited(ctx, func(tx *sql.Tx) ([]AuditRow, error) {
		res, err := db.exec(ctx, tx, shredCustomerSQL, micros(db.now()), id, shop)
		if err := expectOne(res, err); err != nil {
			return nil, err
		}
		return events, nil
	})
}

// FindByIndex returns the ids of a shop's customers whose field has the blind index hmac,
// oldest first, at most limit.
func (db *DB) FindByIndex(ctx context.Context, shop, field string, hmac []byte, limit int) ([]string, error) {
	col, ok := indexColumn(field)
	if !ok {
		return nil, fmt.Errorf("store: %q has no blind index", field)
	}
	// The shop check is belt and braces: index keys are per shop, so another shop's HMAC
	// for the same value differs anyway.
	rows, err := db.query(ctx, `SELECT id FROM customers WHERE `+col+` = ? AND shop_id = ? AND shredded = 0 ORDER BY created_at, id LIMIT ?`, hmac, shop, limit)
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
