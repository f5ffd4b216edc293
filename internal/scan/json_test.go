package scan

import (
	"fmt"
	"strings"
	"testing"
)

// namedKeys is a keyResolver that remembers key names, for tests.
type namedKeys struct {
	idx   map[string]int32
	names []string
}

func (k *namedKeys) keyIndex(key []byte, esc escKind, sjis bool) int32 {
	if k.idx == nil {
		k.idx = map[string]int32{}
	}
	name := string(key)
	if needsDecode(key, esc, sjis) {
		t, _ := decodeValue(nil, nil, key, esc, sjis)
		name = string(t)
	}
	if i, ok := k.idx[name]; ok {
		return i
	}
	k.names = append(k.names, name)
	k.idx[name] = int32(len(k.names) - 1)
	return int32(len(k.names) - 1)
}

func (k *namedKeys) name(i int32) string {
	if i < 0 {
		return "-"
	}
	return k.names[i]
}

// found is a value as tests compare it: absolute span, key name, escaping.
type found struct {
	start, end int
	key        string
	esc        escKind
}

// feed runs an incremental parser the way the producer does: data arrives in pieces ending at
// the given cuts, the parser consumes complete tokens, the consumed prefix is cut off and the
// parser rebased. It returns the values in absolute offsets.
func feed(data []byte, cuts []int, parse func(vals []value, buf []byte, eof bool) []value, pos func() int, rebase func(int), keys *namedKeys) []found {
	var out []found
	base, buf, at := 0, []byte(nil), 0
	cuts = append(cuts, len(data))
	for i, c := range cuts {
		c = max(at, min(c, len(data)))
		buf = append(buf, data[at:c]...)
		at = c
		eof := i == len(cuts)-1
		for _, v := range parse(nil, buf, eof) {
			out = append(out, found{base + int(v.start), base + int(v.end), keys.name(v.col), v.esc})
		}
		n := pos()
		buf = append([]byte(nil), buf[n:]...)
		base += n
		rebase(n)
	}
	return out
}

func lexJSON(data string, cuts ...int) ([]found, *namedKeys) {
	k := &namedKeys{}
	l := &jsonLexer{keys: k, pendingKey: -1}
	return feed([]byte(data), cuts, l.parse, func() int { return l.pos }, l.rebase, k), k
}

func render(data string, fs []found) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s=%s;", f.key, data[f.start:f.end])
	}
	return b.String()
}

// keysOf keeps only the key names of a rendered list, so failure messages show structure and
// never the values (which look like personal data).
func keysOf(rendered string) string {
	var keys []string
	for _, kv := range strings.Split(strings.TrimSuffix(rendered, ";"), ";") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	return strings.Join(keys, ",")
}

func TestJSONLexer(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"flat object", `{"name":"山田","age":42,"tel":"0312345678"}`, "name=山田;tel=0312345678;"},
		{"long number kept", `{"card": 4111111111111111, "n": 123}`, "card=4111111111111111;"},
		{"nested keys carry their parent", `{"customer":{"name":"A","tel":"B"},"x":"C"}`, "customer.name=A;customer.tel=B;x=C;"},
		{"array inherits member", `{"emails":["a@b.jp","c@d.jp"]}`, "emails=a@b.jp;emails=c@d.jp;"},
		{"objects in arrays name the array", `{"items":[{"name":"茶"},{"name":"米"}],"name":"P"}`, "items.name=茶;items.name=米;name=P;"},
		{"top-level array of strings", `["x","y"]`, "-=x;-=y;"},
		{"escaped key and value", `{"n\u0061me":"\u5c71"}`, `name=\u5c71;`},
		{"string with escaped quote", `{"a":"x\"y"}`, `a=x\"y;`},
		{"empty string skipped", `{"a":"","b":"v"}`, "b=v;"},
		{"json lines", "{\"a\":\"1\"}\n{\"b\":\"2\"}\n", "a=1;b=2;"},
		{"truncated string at eof", `{"a":"abc`, "a=abc;"},
		{"garbage does not stop it", `{"a": nope, "b": "v"}`, "b=v;"},
	}
	for _, c := range cases {
		fs, _ := lexJSON(c.in)
		if got := render(c.in, fs); got != c.want {
			t.Errorf("%s: values differ: got keys %s, want keys %s", c.name, keysOf(got), keysOf(c.want))
		}
		// Any cut gives the same values.
		for cut := 1; cut < len(c.in); cut++ {
			fs2, _ := lexJSON(c.in, cut)
			if got := render(c.in, fs2); got != c.want {
				t.Errorf("%s: cutting at %d changed the values (keys %s)", c.name, cut, keysOf(got))
				break
			}
		}
	}
}

func TestJSONLexerDeepNesting(t *testing.T) {
	in := strings.Repeat(`{"a":[`, 1000) + `"v"` + strings.Repeat(`]}`, 1000) + `{"k":"w"}`
	fs, _ := lexJSON(in)
	if got := render(in, fs); got != "a.a=v;k=w;" {
		t.Errorf("deep nesting lost track of structure: keys %s", keysOf(got))
	}
}

func FuzzJSONLexer(f *testing.F) {
	f.Add([]byte(`{"customer":{"name":"山田 太郎","tel":"090-1234-5678"},"items":[{"jan":"4901234567894"}]}`), 7, 30)
	f.Add([]byte(`[{"a":"\u5c71\"x","b":12345678901}]`), 3, 12)
	f.Add([]byte("{\"a\":\"1\"}\n{\"b\":[\"2\",{\"c\":\"3\"}]}"), 1, 2)
	f.Fuzz(func(t *testing.T, data []byte, c1, c2 int) {
		whole, _ := lexJSON(string(data))
		prev := 0
		for _, v := range whole {
			if v.start < prev || v.end < v.start || v.end > len(data) {
				t.Fatalf("value [%d,%d) out of order or bounds", v.start, v.end)
			}
			prev = v.end
		}
		if len(data) == 0 {
			return
		}
		a, b := abs(c1)%len(data), abs(c2)%len(data)
		cut, _ := lexJSON(string(data), min(a, b), max(a, b))
		if render(string(data), cut) != render(string(data), whole) {
			t.Fatalf("cutting the input changed the values")
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
