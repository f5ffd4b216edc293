package scan

import (
	"math"
	"strconv"
	"testing"
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
