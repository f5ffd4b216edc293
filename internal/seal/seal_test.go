package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
)

func testKey(t testing.TB) Key {
	raw, err := NewRandomKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenBindsAssociatedData(t *testing.T) {
	k, other := testKey(t), testKey(t)
	pt := []byte("鈴木 花子")
	ad := FieldAD("shop1", "cust1", "name", 1)
	ct, err := Default.Seal(k, pt, ad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, pt) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if len(ct) != len(pt)+Overhead || ct[0] != FormatV1 {
		t.Fatalf("layout: len %d, first byte %#x", len(ct), ct[0])
	}
	got, err := Open(k, ct, ad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("round trip failed: %v", err)
	}
	cases := []struct {
		name string
		k    Key
		ct   []byte
		ad   []byte
	}{
		{"other customer", k, ct, FieldAD("shop1", "cust2", "name", 1)},
		{"other field", k, ct, FieldAD("shop1", "cust1", "email", 1)},
		{"other shop", k, ct, FieldAD("shop2", "cust1", "name", 1)},
		{"other key version", k, ct, FieldAD("shop1", "cust1", "name", 2)},
		{"other key", other, ct, ad},
		{"wrapped-key label", k, ct, DEKAD("shop1", "cust1", 1)},
		{"truncated", k, ct[:len(ct)-1], ad},
		{"too short", k, ct[:Overhead-1], ad},
		{"flipped bit", k, flip(ct, 20), ad},
		{"unknown format", k, flip(ct, 0), ad},
		{"zero key", Key{}, ct, ad},
	}
	for _, c := range cases {
		if _, err := Open(c.k, c.ct, c.ad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: opened or wrong error: %v", c.name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

func TestNoncesDiffer(t *testing.T) {
	k := testKey(t)
	a, _ := Default.Seal(k, []byte("x"), nil)
	b, _ := Default.Seal(k, []byte("x"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical: nonce reuse")
	}
}

func TestADIsUnambiguous(t *testing.T) {
	if bytes.Equal(FieldAD("ab", "c", "f", 1), FieldAD("a", "bc", "f", 1)) {
		t.Fatal("associated data is ambiguous")
	}
	if bytes.Equal(DEKAD("s", "c", 1), ShopKeyAD("s", 1)) {
		t.Fatal("purposes share associated data")
	}
}

func TestDeriveAndBlindIndex(t *testing.T) {
	root := bytes.Repeat([]byte{7}, KeySize)
	k1, err := Derive(root, "kinko/index/v1/email")
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := Derive(root, "kinko/index/v1/phone")
	if bytes.Equal(k1, k2) || len(k1) != KeySize {
		t.Fatal("derived keys must differ per purpose and be 32 bytes")
	}
	a := BlindIndex(k1, []byte("hanako@example.jp"))
	if len(a) != IndexSize || !bytes.Equal(a, BlindIndex(k1, []byte("hanako@example.jp"))) {
		t.Fatal("blind index must be deterministic and 16 bytes")
	}
	if bytes.Equal(a, BlindIndex(k2, []byte("hanako@example.jp"))) {
		t.Fatal("same value under two field keys must give different indexes")
	}
	if _, err := Derive(root[:5], "x"); err == nil {
		t.Fatal("short root accepted")
	}
	if _, err := NewKey(root[:16]); err == nil {
		t.Fatal("AES-128 key accepted; kinko uses 256-bit keys only")
	}
}

func FuzzOpen(f *testing.F) {
	k := testKey(f)
	ct, _ := Default.Seal(k, []byte("seed"), []byte("ad"))
	f.Add(ct, []byte("ad"))
	f.Add([]byte{1}, []byte{})
	f.Fuzz(func(t *testing.T, ct, ad []byte) {
		// Must never panic; anything not made by Seal with this key must fail.
		pt, err := Open(k, ct, ad)
		if err == nil && !(bytes.Equal(ad, []byte("ad")) && bytes.Equal(pt, []byte("seed"))) {
			t.Fatalf("a forged ciphertext opened")
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	k := testKey(b)
	pt := []byte("hanako.suzuki@example.jp")
	ad := FieldAD("shop", "customer", "email", 1)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		Default.Seal(k, pt, ad)
	}
}

func BenchmarkOpen(b *testing.B) {
	k := testKey(b)
	ad := FieldAD("shop", "customer", "email", 1)
	ct, _ := Default.Seal(k, []byte("hanako.suzuki@example.jp"), ad)
	b.SetBytes(int64(len(ct)))
	for b.Loop() {
		Open(k, ct, ad)
	}
}

// TestIndexerMatchesBlindIndex: an Indexer gives exactly BlindIndex's bytes, for every key
// and value, used again and again and from several goroutines at once.
func TestIndexerMatchesBlindIndex(t *testing.T) {
	keys := [][]byte{bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{0xa5}, KeySize), []byte("a key longer than the sixty-four bytes of a SHA-256 block, hashed first")}
	values := [][]byte{nil, []byte(""), []byte("hanako@example.jp"), []byte("09012345678"), []byte("スズキハナコ"), bytes.Repeat([]byte("x"), 200)}
	for _, k := range keys {
		ix := NewIndexer(k)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					for _, v := range values {
						if got, want := ix.Index(v), BlindIndex(k, v); !bytes.Equal(got, want) {
							t.Errorf("Indexer gave %x, BlindIndex %x", got, want)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	a, b := NewIndexer(keys[0]).Index(values[2]), NewIndexer(keys[1]).Index(values[2])
	if len(a) != IndexSize || bytes.Equal(a, b) {
		t.Fatal("indexes under two keys must differ and be 16 bytes")
	}
}

func FuzzIndexer(f *testing.F) {
	f.Add([]byte("key"), []byte("hanako@example.jp"))
	f.Add(bytes.Repeat([]byte{7}, 100), []byte{})
	f.Fuzz(func(t *testing.T, key, v []byte) {
		ix := NewIndexer(key)
		for range 2 {
			if got, want := ix.Index(v), BlindIndex(key, v); !bytes.Equal(got, want) {
				t.Fatalf("Indexer gave %x, BlindIndex %x", got, want)
			}
		}
	})
}

func BenchmarkIndexer(b *testing.B) {
	ix := NewIndexer(bytes.Repeat([]byte{1}, KeySize))
	v := []byte("hanako.suzuki@example.jp")
	b.ReportAllocs()
	for b.Loop() {
		ix.Index(v)
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	key := bytes.Repeat([]byte{1}, KeySize)
	v := []byte("hanako.suzuki@example.jp")
	for b.Loop() {
		BlindIndex(key, v)
	}
}
