package store

import (
	"context"
	"fmt"
	"sync"
)

// liteCustomers reads customers by id on SQLite through SQLite's C API (liteConn): the one
// read every GET /v1/customers/{id} and every console page of a customer makes. Through
// database/sql the row's nineteen columns cost more than SQLite finding it: the driver asks
// each column's declared type, takes the connection's mutex for every call and copies each
// value twice (docs/performance-log.md). Here the statement is prepared once per connection,
// the columns are read in place and copied once.
//
// A pool of liteCustomerConns like the database/sql pool it stands in for: at most
// liteCustomerConns connections, each used by one goroutine at a time. The free ones are a
// stack, the last one put back taken first: every commit (of a change, of the journal's
// read events) empties each connection's page cache and map of the file (SQLite unmaps
// the whole file when the database changed) the next time it reads, and refilling it costs
// page faults, dear on a virtual machine (checkpoint.go). Two cores keep two or three
// reads in SQLite at a time, so taken in turn, as a queue did, all eight connections went
// cold after every commit; taken from the top, the same two or three stay warm.
type liteCustomers struct {
	path  string
	slots chan struct{} // one per connection in use (or being opened)
	quit  chan struct{}

	mu     sync.Mutex
	free   []*liteCustomerConn
	closed bool
}

// liteCustomerConns is the number of connections: as many as the database/sql readers.
const liteCustomerConns = 8

type liteCustomerConn struct {
	c  *liteConn
	st *liteStmt
}

func newLiteCustomers(path string) *liteCustomers {
	return &liteCustomers{path: path, slots: make(chan struct{}, liteCustomerConns), quit: make(chan struct{})}
}

// get takes a slot (waiting while liteCustomerConns are in use), then the most recently
// used free connection, or opens one.
func (p *liteCustomers) get(ctx context.Context) (*liteCustomerConn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-p.quit:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.slots
		return nil, errClosed
	}
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := p.dial()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

func (p *liteCustomers) dial() (*liteCustomerConn, error) {
	c, err := openLite(p.path, true)
	if err != nil {
		return nil, err
	}
	st, err := c.prepare(selectCustomerSQL)
	if err != nil {
		c.close()
		return nil, err
	}
	return &liteCustomerConn{c: c, st: st}, nil
}

// put returns a connection to the top of the free stack (or closes it when the pool is
// closed) and frees its slot.
func (p *liteCustomers) put(c *liteCustomerConn) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.close()
	} else {
		p.free = append(p.free, c)
		p.mu.Unlock()
	}
	<-p.slots
}

func (p *liteCustomers) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.quit)
	free := p.free
	p.free = nil
	p.mu.Unlock()
	for _, c := range free {
		c.close()
	}
}

func (c *liteCustomerConn) close() {
	c.st.close()
	c.c.close()
}

// customer reads customer id of shop (ErrNotFound when there is none).
func (p *liteCustomers) customer(ctx context.Context, shop, id string) (Customer, error) {
	c, err := p.get(ctx)
	if err != nil {
		return Customer{}, fmt.Errorf("reading a customer: %w", err)
	}
	defer p.put(c)
	s := c.st
	s.end()
	if err := s.bindText(1, id); err != nil {
		return Customer{}, err
	}
	if err := s.bindText(2, shop); err != nil {
		return Customer{}, err
	}
	defer s.end() // ends the read transaction
	ok, err := s.next()
	if err != nil {
		return Customer{}, err
	}
	if !ok {
		return Customer{}, ErrNotFound
	}
	// The columns of customerCols, in order.
	var cu Customer
	cu.ID, cu.Shop = string(s.bytes(0)), string(s.bytes(1))
	shredded, _ := s.int64(2)
	cu.Revision, _ = s.int64(3)
	created, _ := s.int64(4)
	updated, _ := s.int64(5)
	kv, _ := s.int64(6)
	dv, _ := s.int64(7)
	cu.Shredded, cu.Created, cu.Updated = shredded != 0, fromMicros(created), fromMicros(updated)
	cu.KeyVersion, cu.DEKVersion = uint32(kv), uint32(dv)
	cu.WrappedDEK = s.copied(8)
	for i := range cu.Sealed {
		cu.Sealed[i] = s.copied(int32(9 + i))
	}
	return cu, nil
}
