// Package record is the audit trail's wire format: the event fields, their canonical
// encoding and the hash chain over it. It is a leaf (standard library only) so that the
// store can chain events inside its write transaction and the audit package can verify
// them with one definition of the bytes (docs/audit.md describes them byte by byte).
//
// Invariants:
//   - An Event holds identifiers, names of actions and fields, reasons, outcomes and HMACs
//     only; it has no field meant for a value of personal data.
//   - Encode is canonical: one event has exactly one encoding, and Decode accepts only
//     that encoding (Encode(Decode(b)) == b for every b Decode accepts).
//   - hash_n = SHA-256(hash_{n-1} || Encode(event_n)), hash_0 = Genesis.
package record

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"time"
)

// Version is the first byte of every encoding; a new layout gets a new number and Decode
// keeps reading the old ones.
const Version = 1

// Limits keep one event small and a decoder safe against lengths that lie. They are far
// above real use: an id or a field name is tens of bytes, a search names at most a page of
// customers.
const (
	MaxString = 1024  // bytes in one string field
	MaxList   = 10000 // entries in Customers or Fields
	MaxQuery  = 64    // bytes of a search term's blind-index HMAC (16 today)
)

// HashSize is the size of a chain hash (SHA-256).
const HashSize = sha256.Size

// Genesis is hash_0, the value the first event chains from: SHA-256 of a fixed label, so a
// trail cannot start from a value of the attacker's choosing.
var Genesis = sha256.Sum256([]byte("kinko audit genesis v1"))

// Event is one audited action. Seq is assigned by the store when the event is appended.
type Event struct {
	Seq       uint64
	Time      time.Time // stored to the microsecond, UTC
	Actor     string    // "key:<api key id>", "staff:<staff id>", "system"
	ActorIP   string    // the client address the request came from ("" for the CLI)
	Action    string    // create, read, search, update, reveal, delete, card_refused, login, …
	Shop      string    // shop id
	Customers []string  // customer ids the action touched (several for a search)
	Fields    []string  // field names (email, phone…), never their values
	Reason    string    // why (required to reveal); written by staff, never filled from data
	Outcome   string    // ok, denied, refused, error
	RequestID string    // the id shared with the log line and the error answer
	Query     []byte    // the blind-index HMAC of a search term, never the term
}

// Micros is the event time as stored and hashed: microseconds since the Unix epoch.
func (e *Event) Micros() int64 { return e.Time.UnixMicro() }

var (
	errShort   = errors.New("audit record: truncated")
	errVersion = errors.New("audit record: unknown version")
	errTrail   = errors.New("audit record: bytes after the last field")
	errLimit   = errors.New("audit record: a field is longer than allowed")
)

// Validate reports whether e fits the encoding's limits.
func (e *Event) Validate() error {
	for _, s := range [...]string{e.Actor, e.ActorIP, e.Action, e.Shop, e.Reason, e.Outcome, e.RequestID} {
		if len(s) > MaxString {
			return errLimit
		}
	}
	if len(e.Customers) > MaxList || len(e.Fields) > MaxList || len(e.Query) > MaxQuery {
		return errLimit
	}
	for _, l := range [2][]string{e.Customers, e.Fields} {
		for _, s := range l {
			if len(s) > MaxString {
				return errLimit
			}
		}
	}
	if e.Actor == "" || e.Action == "" {
		return errors.New("audit record: actor and action are required")
	}
	// The store joins actor and action with a NUL when it reads them back for verification.
	if strings.IndexByte(e.Actor, 0) >= 0 || strings.IndexByte(e.Action, 0) >= 0 {
		return errors.New("audit record: actor and action must not contain NUL")
	}
	return nil
}

// Append appends the canonical encoding of e, with e.Seq as its sequence number, to dst.
//
//	version  1 byte (1)
//	seq      8 bytes, big-endian
//	time     8 bytes, big-endian two's complement, microseconds since the Unix epoch
//	actor, action, actor_ip, shop          each: 4-byte big-endian length, bytes
//
// Seq, time, actor and action come first, at offsets the store can check its columns
// against without decoding (internal/store/audit.go).
//
//	customers, fields                      each: 4-byte count, then each entry as above
//	reason, outcome, request_id, query     each: 4-byte length, bytes
//
// The caller must have checked Validate.
func Append(dst []byte, e *Event) []byte {
	dst = append(dst, Version)
	dst = binary.BigEndian.AppendUint64(dst, e.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Micros()))
	dst = appendString(dst, e.Actor)
	dst = appendString(dst, e.Action)
	dst = appendString(dst, e.ActorIP)
	dst = appendString(dst, e.Shop)
	dst = appendList(dst, e.Customers)
	dst = appendList(dst, e.Fields)
	dst = appendString(dst, e.Reason)
	dst = appendString(dst, e.Outcome)
	dst = appendString(dst, e.RequestID)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(e.Query)))
	return append(dst, e.Query...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

func appendList(dst []byte, l []string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(l)))
	for _, s := range l {
		dst = appendString(dst, s)
	}
	return dst
}

// Next returns hash_n = SHA-256(prev || body) without allocating.
func Next(prev *[HashSize]byte, body []byte) [HashSize]byte {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(body)
	var out [HashSize]byte
	h.Sum(out[:0])
	return out
}

// Chainer computes hash_n = SHA-256(hash_{n-1} || body) repeatedly with one hash state, for
// verification loops that must not allocate per event.
type Chainer struct {
	h   hash.Hash
	out [HashSize]byte
}

// NewChainer returns a Chainer.
func NewChainer() *Chainer { return &Chainer{h: sha256.New()} }

// Next returns SHA-256(prev || body); the result is valid until the next call.
func (c *Chainer) Next(prev, body []byte) []byte {
	c.h.Reset()
	c.h.Write(prev)
	c.h.Write(body)
	return c.h.Sum(c.out[:0])
}

// Header is the part of an encoding that the store also keeps in columns of its own (for
// indexes): verification checks that the columns say what the hashed bytes say.
type Header struct {
	Seq    uint64
	Micros int64
	Actor  []byte // aliases the encoding
	Action []byte // aliases the encoding
}

// ParseHeader reads the header fields of an encoding without allocating and checks that
// the whole encoding is well formed.
func ParseHeader(b []byte, h *Header) error {
	if len(b) < 17 {
		return errShort
	}
	if b[0] != Version {
		return errVersion
	}
	h.Seq = binary.BigEndian.Uint64(b[1:])
	h.Micros = int64(binary.BigEndian.Uint64(b[9:]))
	p := b[17:]
	var err error
	if h.Actor, p, err = field(p, MaxString); err != nil {
		return err
	}
	if h.Action, p, err = field(p, MaxString); err != nil {
		return err
	}
	if _, p, err = field(p, MaxString); err != nil { // actor_ip
		return err
	}
	if _, p, err = field(p, MaxString); err != nil { // shop
		return err
	}
	for range 2 { // customers, fields
		if p, err = skipList(p); err != nil {
			return err
		}
	}
	for range 3 { // reason, outcome, request_id
		if _, p, err = field(p, MaxString); err != nil {
			return err
		}
	}
	if _, p, err = field(p, MaxQuery); err != nil {
		return err
	}
	if len(p) != 0 {
		return errTrail
	}
	return nil
}

func field(p []byte, limit int) ([]byte, []byte, error) {
	if len(p) < 4 {
		return nil, nil, errShort
	}
	n := binary.BigEndian.Uint32(p)
	if n > uint32(limit) {
		return nil, nil, errLimit
	}
	p = p[4:]
	if uint32(len(p)) < n {
		return nil, nil, errShort
	}
	return p[:n:n], p[n:], nil
}

func skipList(p []byte) ([]byte, error) {
	if len(p) < 4 {
		return nil, errShort
	}
	n := binary.BigEndian.Uint32(p)
	if n > MaxList {
		return nil, errLimit
	}
	p = p[4:]
	var err error
	for range n {
		if _, p, err = field(p, MaxString); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Customers calls fn for each customer id in an encoding (already checked by ParseHeader),
// without allocating.
func Customers(b []byte, fn func(id []byte)) {
	p := b[17:]
	for range 4 {
		_, p, _ = field(p, MaxString)
	}
	n := binary.BigEndian.Uint32(p)
	p = p[4:]
	for range n {
		var id []byte
		id, p, _ = field(p, MaxString)
		fn(id)
	}
}

// Decode parses an encoding into e. It accepts exactly what Append produces.
func Decode(b []byte, e *Event) error {
	var h Header
	if err := ParseHeader(b, &h); err != nil {
		return err
	}
	p := b[17:]
	next := func() string {
		var f []byte
		f, p, _ = field(p, MaxString)
		return string(f)
	}
	list := func() []string {
		n := binary.BigEndian.Uint32(p)
		p = p[4:]
		if n == 0 {
			return nil
		}
		l := make([]string, n)
		for i := range l {
			l[i] = next()
		}
		return l
	}
	*e = Event{Seq: h.Seq, Time: time.UnixMicro(h.Micros).UTC()}
	e.Actor, e.Action, e.ActorIP, e.Shop = next(), next(), next(), next()
	e.Customers, e.Fields = list(), list()
	e.Reason, e.Outcome, e.RequestID = next(), next(), next()
	if q, _, _ := field(p, MaxQuery); len(q) > 0 {
		e.Query = append([]byte(nil), q...)
	}
	return nil
}
