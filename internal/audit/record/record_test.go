package record

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"
)

func sample() Event {
	return Event{
		Seq: 42, Time: time.Date(2025, 4, 1, 9, 30, 0, 123456000, time.UTC), Actor: "key:key_abc", ActorIP: "192.0.2.1",
		Action: "search", Shop: "shp_1", Customers: []string{"cus_1", "cus_2"}, Fields: []string{"email"},
		Reason: "", Outcome: "ok", RequestID: "req_1", Query: bytes.Repeat([]byte{0xab}, 16),
	}
}

func TestEncodingRoundTripAndLayout(t *testing.T) {
	e := sample()
	b := Append(nil, &e)
	if b[0] != Version || len(b) != 1+8+8+4*4+len("key:key_abcsearch192.0.2.1shp_1")+4+2*(4+5)+4+4+5+4+4+2+4+5+4+16 {
		t.Fatalf("encoding of %d bytes does not follow the documented layout", len(b))
	}
	var d Event
	if err := Decode(b, &d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Append(nil, &d), b) || d.Time != e.Time || d.Customers[1] != "cus_2" {
		t.Fatal("decode(encode(e)) differs from e")
	}
	var h Header
	if err := ParseHeader(b, &h); err != nil || h.Seq != 42 || h.Micros != e.Micros() || string(h.Actor) != e.Actor || string(h.Action) != e.Action {
		t.Fatalf("header: %v", err)
	}
	var ids []string
	Customers(b, func(id []byte) { ids = append(ids, string(id)) })
	if len(ids) != 2 || ids[0] != "cus_1" {
		t.Fatal("customers not walked")
	}
	// Any change of any byte changes the event or makes it invalid.
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 1
		var x Event
		if Decode(c, &x) == nil && bytes.Equal(Append(nil, &x), b) {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	if Decode(b[:len(b)-1], &d) == nil || Decode(append(bytes.Clone(b), 0), &d) == nil {
		t.Fatal("a truncated or extended encoding was accepted")
	}
}

func TestChain(t *testing.T) {
	e := sample()
	body := Append(nil, &e)
	want := sha256.Sum256(append(Genesis[:], body...))
	if got := Next(&Genesis, body); got != want {
		t.Fatal("Next is not SHA-256(prev || body)")
	}
	if got := NewChainer().Next(Genesis[:], body); !bytes.Equal(got, want[:]) {
		t.Fatal("Chainer.Next is not SHA-256(prev || body)")
	}
	if Genesis != sha256.Sum256([]byte("kinko audit genesis v1")) {
		t.Fatal("the genesis value changed: every existing trail would fail to verify")
	}
}

// FuzzDecode: whatever Decode accepts re-encodes to the same bytes (the encoding is
// canonical, so two different byte strings never verify as the same event), and
// ParseHeader agrees with Decode.
func FuzzDecode(f *testing.F) {
	e := sample()
	f.Add(Append(nil, &e))
	f.Add(Append(nil, &Event{Actor: "system", Action: "login"}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Event
		err := Decode(b, &d)
		var h Header
		if herr := ParseHeader(b, &h); (herr == nil) != (err == nil) {
			t.Fatalf("ParseHeader and Decode disagree: %v / %v", herr, err)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(Append(nil, &d), b) {
			t.Fatal("accepted bytes do not re-encode to themselves")
		}
	})
}

func BenchmarkParseAndChain(b *testing.B) {
	e := sample()
	body := Append(nil, &e)
	c := NewChainer()
	var h Header
	prev := Genesis[:]
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseHeader(body, &h); err != nil {
			b.Fatal(err)
		}
		prev = c.Next(prev, body)
	}
}
