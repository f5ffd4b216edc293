package httpapi_test

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/httpapi"
)

// docs/openapi.yaml must describe exactly the routes the server registers: same methods,
// same path patterns ({id} placeholders spelt alike), same scope. go.mod has no YAML
// library, so the document keeps its paths section in a regular shape (rules at the top of
// the file) and readPaths reads that shape line by line, refusing anything else rather than
// silently missing an operation.

const openAPIFile = "../../docs/openapi.yaml"

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("reading the API document: %v", err)
	}
	ops, err := readPaths(string(b))
	if err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	doc := map[string]docOp{}
	for _, op := range ops {
		k := op.method + " " + op.path
		if prev, dup := doc[k]; dup {
			t.Errorf("%s:%d: %s is described twice (also line %d)", openAPIFile, op.line, k, prev.line)
		}
		doc[k] = op
	}
	served := map[string]httpapi.Route{}
	for _, r := range httpapi.New(httpapi.Config{}).Routes() {
		served[r.Method+" "+r.Pattern] = r
	}
	if len(served) == 0 {
		t.Fatal("Routes() is empty")
	}
	for _, k := range sortedKeys(served) {
		r := served[k]
		op, ok := doc[k]
		if !ok {
			t.Errorf("the server serves %s but %s does not describe it", k, openAPIFile)
			continue
		}
		if op.scope != r.Scope {
			t.Errorf("%s:%d: %s: the document says scope %q, the server requires %q", openAPIFile, op.line, k, op.scope, r.Scope)
		}
	}
	for _, k := range sortedKeys(doc) {
		if _, ok := served[k]; !ok {
			t.Errorf("%s:%d: describes %s, which the server does not serve", openAPIFile, doc[k].line, k)
		}
	}
}

// TestOpenAPIReferences checks that every $ref names a component the document defines, so
// an operation cannot point at a response or schema that is not there.
func TestOpenAPIReferences(t *testing.T) {
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("reading the API document: %v", err)
	}
	defined := map[string]bool{}
	kind := ""
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "components:":
			in = true
		case in && len(line) > 0 && line[0] != ' ' && line[0] != '#':
			in = false
		case in && indentOf(line) == 2 && strings.HasSuffix(line, ":"):
			kind = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case in && indentOf(line) == 4 && strings.HasSuffix(line, ":"):
			defined["#/components/"+kind+"/"+strings.TrimSuffix(strings.TrimSpace(line), ":")] = true
		}
	}
	refs := regexp.MustCompile(`\$ref: '([^']*)'`).FindAllStringSubmatch(string(b), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref found: the reader no longer matches the document")
	}
	for _, m := range refs {
		if !defined[m[1]] {
			t.Errorf("$ref %s names no component", m[1])
		}
	}
}

// TestOpenAPIErrorCodes checks that every error code the API's code can answer with appears
// in the document's error table. Codes are found as literals in httpapi and vault (the
// packages that make the client-visible errors).
func TestOpenAPIErrorCodes(t *testing.T) {
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("reading the API document: %v", err)
	}
	doc := string(b)
	literal := regexp.MustCompile(`(?:errorf\(http\.Status\w+, |Code: +)"([a-z0-9_]+)"`)
	codes := map[string]string{}
	for _, dir := range []string{".", "../vault"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
				codes[m[1]] = f
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in the source: the pattern no longer matches how errors are made", len(codes))
	}
	for _, c := range sortedKeys(codes) {
		if !strings.Contains(doc, "| `"+c+"` |") {
			t.Errorf("error code %s (made in %s) is not in the document's error table", c, codes[c])
		}
	}
}

func TestReadPaths(t *testing.T) {
	good := `openapi: 3.1.0
paths:
  # a comment
  /a:
    get:
      security: []
      responses:
        '200':
          description: x
  /b/{id}:
    parameters:
      - $ref: '#/components/parameters/ID'
    put:
      security:
        - bearer: [customers:write]
    delete:
      security:
        - bearer: [customers:delete]
components:
  schemas:
    get:
      type: object
`
	ops, err := readPaths(good)
	if err != nil {
		t.Fatalf("good document: %v", err)
	}
	var got []string
	for _, op := range ops {
		got = append(got, op.method+" "+op.path+" "+op.scope)
	}
	want := []string{"GET /a ", "PUT /b/{id} customers:write", "DELETE /b/{id} customers:delete"}
	if !slices.Equal(got, want) {
		t.Errorf("good document: got %q, want %q", got, want)
	}

	bad := []struct{ name, doc string }{
		{"no paths section", "openapi: 3.1.0\n"},
		{"flow-style path item", "paths:\n  /a: {get: {}}\n"},
		{"quoted path", "paths:\n  '/a':\n    get:\n      security: []\n"},
		{"upper-case method", "paths:\n  /a:\n    GET:\n      security: []\n"},
		{"unknown key at method level", "paths:\n  /a:\n    gett:\n      security: []\n"},
		{"operation without security", "paths:\n  /a:\n    get:\n      responses: {}\n"},
		{"security in another shape", "paths:\n  /a:\n    get:\n      security:\n        - bearer: []\n"},
		{"two scopes", "paths:\n  /a:\n    get:\n      security:\n        - bearer: [a, b]\n"},
		{"tab indentation", "paths:\n  /a:\n\tget:\n"},
		{"odd indentation", "paths:\n   /a:\n"},
		{"path without operations", "paths:\n  /a:\n  /b:\n    get:\n      security: []\n"},
	}
	for _, tc := range bad {
		if ops, err := readPaths(tc.doc); err == nil {
			t.Errorf("%s: no error (read %d operations)", tc.name, len(ops))
		}
	}
}

// docOp is one operation as the document describes it.
type docOp struct {
	method, path, scope string
	line                int
}

var (
	pathKeyRE   = regexp.MustCompile(`^  (/[^\s:'"{}]*(?:\{[a-z_]+\}[^\s:'"{}]*)*):$`)
	methodKeyRE = regexp.MustCompile(`^    ([a-z]+):$`)
	otherKeyRE  = regexp.MustCompile(`^    ([A-Za-z$]+):`)
	scopeRE     = regexp.MustCompile(`^        - bearer: \[([a-z:]+)\]$`)
)

// Keys of an OpenAPI path item other than operations, which the reader passes over.
var pathItemFields = map[string]bool{"$ref": true, "summary": true, "description": true, "servers": true, "parameters": true}

var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}

// readPaths reads the operations under `paths:` (shape rules at the top of
// docs/openapi.yaml). It fails on any line it cannot place, so a document that drifts from
// the shape fails the test instead of hiding an operation.
func readPaths(doc string) ([]docOp, error) {
	var ops []docOp
	var path string
	pathOps := 0
	inPaths, seen := false, false
	cur := -1          // index in ops of the operation being read
	wantScope := false // the previous line was `security:`
	endPath := func(n int) error {
		if path != "" && pathOps == 0 {
			return fmt.Errorf("line %d: path %s has no operation", n, path)
		}
		return nil
	}
	endOp := func(n int) error {
		if wantScope {
			return fmt.Errorf("line %d: `security:` is not followed by `- bearer: [scope]`", n)
		}
		if cur >= 0 && ops[cur].scope == "\x00" {
			return fmt.Errorf("line %d: %s %s states no security (use `security: []` for none)", ops[cur].line, ops[cur].method, ops[cur].path)
		}
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(doc))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line == "paths:" {
			inPaths, seen = true, true
			continue
		}
		if !inPaths {
			continue
		}
		if strings.ContainsRune(line[:len(line)-len(strings.TrimLeft(line, " \t"))], '\t') {
			return nil, fmt.Errorf("line %d: tab in indentation", n)
		}
		ind := indentOf(line)
		if ind == 0 { // the next top-level key ends the section
			break
		}
		if wantScope {
			m := scopeRE.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: expected `        - bearer: [scope]` (one scope) after `security:`", n)
			}
			ops[cur].scope = m[1]
			wantScope = false
			continue
		}
		switch ind {
		case 2:
			if err := cmp.Or(endOp(n), endPath(n)); err != nil {
				return nil, err
			}
			m := pathKeyRE.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: a path key must be a plain /path followed by a colon", n)
			}
			path, pathOps, cur = m[1], 0, -1
		case 4:
			if path == "" {
				return nil, fmt.Errorf("line %d: indented 4 before any path", n)
			}
			if err := endOp(n); err != nil {
				return nil, err
			}
			cur = -1
			if m := methodKeyRE.FindStringSubmatch(line); m != nil && methods[m[1]] {
				ops = append(ops, docOp{method: strings.ToUpper(m[1]), path: path, scope: "\x00", line: n})
				cur = len(ops) - 1
				pathOps++
				continue
			}
			if m := otherKeyRE.FindStringSubmatch(line); m != nil && pathItemFields[m[1]] {
				continue
			}
			return nil, fmt.Errorf("line %d: expected a lower-case method (get:, post:…) or a path-item field at indent 4", n)
		case 6:
			if cur < 0 {
				continue // inside parameters: or another path-item field
			}
			switch {
			case trimmed == "security: []":
				if ops[cur].scope != "\x00" {
					return nil, fmt.Errorf("line %d: security stated twice", n)
				}
				ops[cur].scope = ""
			case trimmed == "security:":
				if ops[cur].scope != "\x00" {
					return nil, fmt.Errorf("line %d: security stated twice", n)
				}
				wantScope = true
			case strings.HasPrefix(trimmed, "security"):
				return nil, fmt.Errorf("line %d: security must be `security: []` or `security:` and one `- bearer: [scope]` line", n)
			}
		default:
			if ind%2 != 0 {
				return nil, fmt.Errorf("line %d: indentation of %d spaces is not a multiple of two", n, ind)
			}
		}
	}
	if !seen {
		return nil, fmt.Errorf("no `paths:` section at column 0")
	}
	if err := cmp.Or(endOp(n), endPath(n)); err != nil {
		return nil, err
	}
	return ops, nil
}

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
