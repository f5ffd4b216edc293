package scan

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kinko-jp/kinko/internal/detect"
)

func TestAppendDec(t *testing.T) {
	cases := []struct {
		name string
		v    int64
		room int // spare capacity after the prefix
	}{
		{"zero", 0, 32},
		{"one digit", 7, 32},
		{"two digits", 42, 32},
		{"three digits", 100, 32},
		{"power of ten", 1_000_000_000, 32},
		{"just below a power of ten", 999_999_999_999, 32},
		{"odd digit count", 1_234_567, 32},
		{"largest", math.MaxInt64, 32},
		{"negative", -1234, 32},
		{"no room", 123_456_789, 0},
		{"exact room", 123_456_789, 9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := append(make([]byte, 0, 3+c.room), `"x"`...)
			got := string(appendDec(b, c.v))
			if want := `"x"` + strconv.FormatInt(c.v, 10); got != want {
				t.Errorf("appendDec(%d) = %q, want %q", c.v, got, want)
			}
		})
	}
}

// TestAppendDecEveryLength checks each digit count, around every power of ten (where the
// digit count and the four-digit steps change) and at pseudo-random values.
func TestAppendDecEveryLength(t *testing.T) {
	var vs []int64
	for p := int64(1); p <= 1e18; p *= 10 {
		vs = append(vs, p-1, p, p+1, p*5+3)
	}
	x := uint64(0x9E3779B97F4A7C15)
	for range 10000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		vs = append(vs, int64(x>>(1+x%63)))
	}
	for _, v := range vs {
		b := make([]byte, 0, 24)
		if got, want := string(appendDec(b, v)), strconv.FormatInt(v, 10); got != want {
			t.Fatalf("appendDec(%d) = %q", v, got)
		}
	}
}

// TestTypeIndex checks the shortcut of typeIndex against the order of typeNames, and that
// every name has a typeSlot of its own.
func TestTypeIndex(t *testing.T) {
	for i, n := range typeNames {
		if got := typeIndex(n); int(got) != i {
			t.Errorf("typeIndex(%q) = %d, want %d", n, got, i)
		}
		if k := typeSlot[(len(n)+int(n[1]))&31]; typeNames[k] != n {
			t.Errorf("%q shares its typeSlot with %q", n, typeNames[k])
		}
		// A Type built at run time, not the constant, gives the same index.
		if got := typeIndex(detect.Type(string([]byte(n)))); int(got) != i {
			t.Errorf("typeIndex(copy of %q) = %d, want %d", n, got, i)
		}
	}
}

// TestJSONLRenderMatchesReporter renders findings the way workers do and checks the bytes
// against JSONLReporter.Finding, with enough distinct reasons that the tail cache replaces
// slots while the last tail of each type is still remembered.
func TestJSONLRenderMatchesReporter(t *testing.T) {
	var hits []hit
	for i := range 6000 {
		// The first type always has one constant reason; the others have reasons built at
		// run time, each new, which fill the cache and write over its slots.
		reason, conf := "luhn+issuer(visa)", 0.97
		if i%len(typeNames) != 0 {
			reason, conf = "reason-"+strconv.Itoa(i), 0.9
		}
		hits = append(hits, hit{start: int64(i * 40), end: int64(i*40 + 12 + i%5), reason: reason, conf: conf,
			line: i / 7, typ: uint8(i % len(typeNames))})
	}
	// Offsets on both sides of 10^8, where appendHit leaves its eight-digit stores, and 0.
	for i, s := range []int64{0, 9, 99_999_990, 99_999_999, 100_000_000, 123_456_789_012} {
		for d := range int64(12) {
			hits = append(hits, hit{start: s + d, end: s + d + 1 + d%3*5, reason: "luhn+issuer(visa)", conf: 0.97,
				line: 1_000 + i, typ: uint8(d % int64(len(typeNames)))})
		}
	}
	// Line numbers on both sides of 10^8, where `,"line":N` no longer fits the two words
	// appendHit stores it with, and back.
	for i, l := range []int{99_999_999, 100_000_000, 123_456_789_012, 7, 100_000_001, 99_999_998} {
		hits = append(hits, hit{start: int64(200_000_000 + i*20), end: int64(200_000_010 + i*20), reason: "luhn+issuer(visa)",
			conf: 0.97, line: l, typ: uint8(i % len(typeNames))})
	}
	checkRenderedLikeReporter(t, hits)
}

// TestDecimal8 checks decimal8 against strconv for every value below 10^8 that a step of
// 7 reaches, and the edges of each digit count, with and without room for its word.
func TestDecimal8(t *testing.T) {
	check := func(v uint32) {
		want := strconv.FormatUint(uint64(v)+1e8, 10)[1:]
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], decimal8(v))
		if string(b[:]) != want {
			t.Fatalf("decimal8(%d) = %q, want %q", v, b[:], want)
		}
	}
	for v := uint32(0); v < 1e8; v += 7 {
		check(v)
	}
	for p := uint32(1); p <= 1e8; p *= 10 {
		check(p - 1)
		if p < 1e8 {
			check(p)
		}
	}
	for _, room := range []int{0, 3, 7, 8, 16} {
		for _, v := range []int64{0, 9, 10, 99_999_999, 100_000_000, 12_345} {
			b := append(make([]byte, 0, 3+room), `"x"`...)
			if got, want := string(appendDec(b, v)), `"x"`+strconv.FormatInt(v, 10); got != want {
				t.Errorf("appendDec(%d) with room %d = %q, want %q", v, room, got, want)
			}
		}
	}
}

// TestJSONLRenderBatches renders batches the way workers do, both ways (appendHits, and
// appendFinding then flush), with files that change between batches, runs of findings of a
// few types (whose tails and heads are written joined), reasons built at run time that
// give the tail cache's slots to other tails, chunks that fill, and offsets and lines on
// both sides of 10^8, and checks the bytes against JSONLReporter.Finding.
func TestJSONLRenderBatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	consts := []string{"luhn+issuer(visa)", "email-syntax", "email-syntax; key email", "jp-phone-shape; key phone", "postal; key zip",
		"address", "birth; key birthday", "name; key name", "mynumber-checkdigit; key my_number", "a", ""}
	paths := []string{"a.csv", "dir/b.json", "/tmp/some/very/long/path/that/goes/on/and/on/and/on/customers_sjis.csv", "x\"y.csv"}
	var r jsonlRender
	var c chunkPool
	for round := range 16 {
		var want bytes.Buffer
		rep := NewJSONLReporter(&want)
		var got []byte
		for batch := 0; batch < 20; batch++ {
			path := paths[rng.IntN(len(paths))]
			nh := rng.IntN(3000)
			if rng.IntN(4) == 0 {
				nh = rng.IntN(5)
			}
			var hits []hit
			off := int64(rng.IntN(1000))
			if rng.IntN(5) == 0 {
				off = 99_999_000 + int64(rng.IntN(2000))
			}
			line := rng.IntN(100)
			if rng.IntN(8) == 0 {
				line = 99_999_990
			}
			for k := range nh {
				// Mostly a record's three types in turn, each with its own reason.
				typ := uint8(k % 3)
				if rng.IntN(3) == 0 {
					typ = uint8(rng.IntN(len(typeNames)))
				}
				reason := consts[int(typ)%len(consts)]
				// Now and then another reason or confidence, constant or built at run time:
				// tails then take the slots of others, and the lines after them join anew.
				switch rng.IntN(8) {
				case 0:
					reason = "rt-" + strconv.Itoa(rng.IntN(2000))
				case 1, 2:
					reason = consts[rng.IntN(len(consts))]
				}
				conf := 0.97
				if rng.IntN(4) == 0 {
					conf = []float64{0.9, 0.6, 1, 0.95, 0.8}[rng.IntN(5)]
				}
				off += int64(rng.IntN(40))
				e := off + 1 + int64(rng.IntN(30))
				if rng.IntN(3) == 0 {
					line++
				}
				hits = append(hits, hit{start: off, end: e, reason: reason, conf: conf, line: line, typ: typ})
			}
			for _, h := range hits {
				f := Finding{Path: path, Type: typeNames[h.typ], Start: h.start, End: h.end, Line: h.line,
					Confidence: h.conf, Reason: h.reason, typ: h.typ}
				if err := rep.Finding(&f); err != nil {
					t.Fatal(err)
				}
			}
			var chunks [][]byte
			if batch%2 == 0 {
				chunks = r.appendHits(nil, &c, path, hits)
			} else {
				r.setPath(path)
				r.out, r.chunk = nil, nil
				for _, h := range hits {
					r.appendFinding(&c, h.typ, h.start, h.end, h.line, h.reason, h.conf)
				}
				chunks = r.flush()
			}
			for _, ch := range chunks {
				got = append(got, ch...)
			}
			c.put(chunks)
		}
		if err := rep.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < len(got) && i < want.Len() && got[i] == want.Bytes()[i] {
				i++
			}
			t.Fatalf("round %d differs at %d:\n%q\n%q", round, i, got[max(0, i-200):min(len(got), i+100)], want.Bytes()[max(0, i-200):min(want.Len(), i+100)])
		}
	}
}

// TestJSONLRenderSlotReuse: a tail whose slot in the cache is given to another tail must not
// be written from a join made for the slot's old tail. Two types alternate with their own
// reasons (joined), then reasons built at run time take the slots one after the other, each
// rendered twice (the second pending) and followed by a line of the first two types.
func TestJSONLRenderSlotReuse(t *testing.T) {
	var hits []hit
	add := func(typ uint8, reason string) {
		n := int64(len(hits))
		hits = append(hits, hit{start: 10 * n, end: 10*n + 5, reason: reason, conf: 0.97, line: len(hits) / 3, typ: typ})
	}
	for range 50 {
		add(0, "luhn+issuer(visa)")
		add(1, "email-syntax")
	}
	for k := range 3000 {
		r := "rt-" + strconv.Itoa(k)
		add(2, r)
		add(2, r)
		add(uint8(k%2), []string{"luhn+issuer(visa)", "email-syntax"}[k%2])
	}
	checkRenderedLikeReporter(t, hits)
}

// checkRenderedLikeReporter renders hits with jsonlRender and fails unless the lines are
// byte for byte those of the JSON Lines reporter.
func checkRenderedLikeReporter(t *testing.T, hits []hit) {
	t.Helper()
	const path = "dir/customers.csv"
	var want bytes.Buffer
	rep := NewJSONLReporter(&want)
	for _, h := range hits {
		f := Finding{Path: path, Type: typeNames[h.typ], Start: h.start, End: h.end, Line: h.line,
			Confidence: h.conf, Reason: h.reason, typ: h.typ}
		if err := rep.Finding(&f); err != nil {
			t.Fatal(err)
		}
	}
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	var r jsonlRender
	var c chunkPool
	var got []byte
	for _, chunk := range r.appendHits(nil, &c, path, hits) {
		got = append(got, chunk...)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("rendered lines differ from the reporter's (%d and %d bytes)", len(got), want.Len())
	}
}
