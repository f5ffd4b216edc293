package detect

import "testing"

// detCase is one named table case: text (free text when key is empty, else
// the value under that key) and the exact substrings of one type expected.
type detCase struct {
	name string
	key  string
	text string
	want []string
}

var allEngine = New(nil)

// runDetCases scans each case with every detector on (so detectors compete
// as in production) and compares the findings of typ. Failure messages name
// the case and offsets, never the values.
func runDetCases(t *testing.T, typ Type, cases []detCase) {
	t.Helper()
	for _, tc := range cases {
		var ctx Context
		if tc.key != "" {
			ctx = KeyContext(tc.key)
		}
		all := allEngine.Scan(nil, []byte(tc.text), ctx)
		checkInvariants(t, tc.name, tc.text, all)
		var got []Finding
		for _, f := range all {
			if f.Type == typ {
				got = append(got, f)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %d %s findings (all: %s), want %d", tc.name, len(got), typ, spans(all), len(tc.want))
			continue
		}
		for i, f := range got {
			if tc.text[f.Start:f.End] != tc.want[i] {
				t.Errorf("%s: %s finding %d at [%d,%d) is not the expected span", tc.name, typ, i, f.Start, f.End)
			}
		}
		// The single-type engine finds the same spans.
		one := New([]Type{typ}).Scan(nil, []byte(tc.text), ctx)
		checkInvariants(t, tc.name+" (single type)", tc.text, one)
		for _, f := range one {
			if f.Type != typ {
				t.Errorf("%s: single-type engine reported %s", tc.name, f.Type)
			}
		}
	}
}

// fuzzDetector is the shared body of the per-detector fuzz tests: every
// engine result satisfies the invariants, with and without a key context,
// and the type-restricted engine never reports another type.
func fuzzDetector(f *testing.F, typ Type, seeds []string) {
	for _, s := range seeds {
		f.Add(s, "")
		f.Add(s, string(typ))
	}
	one := New([]Type{typ})
	f.Fuzz(func(t *testing.T, s, key string) {
		var ctx Context
		if key != "" {
			ctx = KeyContext(key)
		}
		all := allEngine.Scan(nil, []byte(s), ctx)
		checkInvariants(t, "all", s, all)
		fs := one.Scan(nil, []byte(s), ctx)
		checkInvariants(t, "one", s, fs)
		for _, x := range fs {
			if x.Type != typ {
				t.Fatalf("single-type engine reported %s", x.Type)
			}
		}
		// Appending to a non-empty dst keeps the earlier findings.
		pre := []Finding{{Type: typ, Start: 0, End: 0, Confidence: 1, Reason: "sentinel"}}
		more := one.Scan(pre, []byte(s), ctx)
		if len(more) != len(fs)+1 || more[0].Reason != "sentinel" {
			t.Fatalf("Scan did not append to dst")
		}
	})
}
