package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// BenchmarkHTTP measures the whole request path over loopback HTTP (auth, decode, card
// check, crypto, group commit, encode) with parallel clients, as a shop's backend sees it.
func BenchmarkHTTP(b *testing.B) {
	e := newAPI(b, storetest.SQLite(b))
	call := benchClient(b, e)
	var n atomic.Int64
	b.Run("create", func(b *testing.B) {
		b.SetParallelism(8)
		cpu := storetest.StartCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call("POST", "/v1/customers", body(n.Add(1)), 201)
			}
		})
		cpu.Stop()
	})
	var ids []string
	for i := range 200 {
		var r struct{ ID string }
		json.Unmarshal(call("POST", "/v1/customers", body(int64(-i)), 201), &r)
		ids = append(ids, r.ID)
	}
	b.Run("get", func(b *testing.B) {
		b.SetParallelism(8)
		cpu := storetest.StartCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call("GET", "/v1/customers/"+ids[n.Add(1)%int64(len(ids))], nil, 200)
			}
		})
		cpu.Stop()
	})
}

// BenchmarkHTTPGet reads customers over loopback HTTP with every read recorded in the
// audit trail (audit-on, the production path) and with a recorder that writes nothing
// (audit-off): issue 5's "reads with audit on stay ≥ 80 % of reads with audit off", for
// the read a shop's backend makes. internal/vault's BenchmarkGet and BenchmarkGetAuditOff
// compare the same without HTTP.
func BenchmarkHTTPGet(b *testing.B) {
	for _, mode := range []string{"audit-on", "audit-off"} {
		for _, clients := range []int{16, 64} {
			b.Run(fmt.Sprintf("%s/c=%d", mode, clients), func(b *testing.B) { benchHTTPGet(b, storetest.SQLite(b), mode, clients) })
		}
	}
	b.Run("postgres/audit-on/c=16", func(b *testing.B) { benchHTTPGet(b, storetest.Postgres(b), "audit-on", 16) })
	b.Run("postgres/audit-off/c=16", func(b *testing.B) { benchHTTPGet(b, storetest.Postgres(b), "audit-off", 16) })
}

func benchHTTPGet(b *testing.B, be storetest.Backend, mode string, clients int) {
	var e *apiEnv
	if mode == "audit-on" {
		e = newAPI(b, be)
	} else {
		e = newAPI(b, be, nopRecorder{})
	}
	call := benchClient(b, e)
	var ids []string
	for i := range 1000 {
		var r struct{ ID string }
		json.Unmarshal(call("POST", "/v1/customers", body(int64(i)), 201), &r)
		ids = append(ids, r.ID)
	}
	var n atomic.Int64
	b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu := storetest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call("GET", "/v1/customers/"+ids[n.Add(1)%int64(len(ids))], nil, 200)
		}
	})
	cpu.Stop()
}

// benchClient returns a function that calls the API of e with its all-scopes key and fails
// the benchmark on an unexpected status.
func benchClient(b *testing.B, e *apiEnv) func(method, path string, payload []byte, want int) []byte {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return func(method, path string, payload []byte, want int) []byte {
		req, _ := http.NewRequest(method, e.url+path, bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+e.keys["all"])
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			b.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
		return out
	}
}

// body is a customer to create: hanako with e-mail address number i.
func body(i int64) []byte {
	m := map[string]any{}
	for k, v := range hanako {
		m[k] = v
	}
	m["email"] = fmt.Sprintf("user%d@example.jp", i)
	j, _ := json.Marshal(m)
	return j
}

type nopRecorder struct{}

func (nopRecorder) AppendRead(context.Context, ...audit.Event) error { return nil }
