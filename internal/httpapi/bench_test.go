package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// BenchmarkHTTP measures the whole request path over loopback HTTP (auth, decode, card
// check, crypto, group commit, encode) with parallel clients, as a shop's backend sees it.
func BenchmarkHTTP(b *testing.B) {
	e := newAPI(b, storetest.SQLite(b))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	body := func(i int64) []byte {
		m := map[string]any{}
		for k, v := range hanako {
			m[k] = v
		}
		m["email"] = fmt.Sprintf("user%d@example.jp", i)
		j, _ := json.Marshal(m)
		return j
	}
	call := func(method, path string, payload []byte, want int) []byte {
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
	var n atomic.Int64
	b.Run("create", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call("POST", "/v1/customers", body(n.Add(1)), 201)
			}
		})
	})
	var ids []string
	for i := range 200 {
		var r struct{ ID string }
		json.Unmarshal(call("POST", "/v1/customers", body(int64(-i)), 201), &r)
		ids = append(ids, r.ID)
	}
	b.Run("get", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call("GET", "/v1/customers/"+ids[n.Add(1)%int64(len(ids))], nil, 200)
			}
		})
	})
}
