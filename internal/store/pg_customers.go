package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgCustomer reads customer id of shop on PostgreSQL with pgx's own interface on a
// connection of the pool: the row in binary format, scanned straight into the Customer,
// without database/sql's conversion of each of its nineteen columns (docs/performance-log.md).
func (db *DB) pgCustomer(ctx context.Context, shop, id string) (Customer, error) {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return Customer{}, err
	}
	defer conn.Close()
	var cu Customer
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a PostgreSQL connection of type %T", dc)
		}
		var shredded, created, updated, kv, dv int64
		dest := []any{&cu.ID, &cu.Shop, &shredded, &cu.Revision, &created, &updated, &kv, &dv, &cu.WrappedDEK}
		for i := range cu.Sealed {
			dest = append(dest, &cu.Sealed[i])
		}
		if err := c.Conn().QueryRow(ctx, pgSelectCustomerSQL, id, shop).Scan(dest...); err != nil {
			return err
		}
		cu.Shredded, cu.Created, cu.Updated = shredded != 0, fromMicros(created), fromMicros(updated)
		cu.KeyVersion, cu.DEKVersion = uint32(kv), uint32(dv)
		return nil
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Customer{}, ErrNotFound
	}
	return cu, err
}

var pgSelectCustomerSQL = (&DB{dialect: Postgres}).q(selectCustomerSQL)
