package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kinko-jp/kinko/client"
)

// These tests cover what a real server cannot easily make happen: the exact JSON a Patch
// sends, answers that are not kinko's, and transport failures.

func TestPatchJSON(t *testing.T) {
	cases := []struct {
		name  string
		patch client.Patch
		want  string // JSON, compared as a value
	}{
		{"empty", client.Patch{}, `{}`},
		{"set", client.Patch{Set: client.Input{Name: new("x"), BirthDate: new("2000-01-02")}}, `{"name":"x","birth_date":"2000-01-02"}`},
		{"set empty string", client.Patch{Set: client.Input{Gender: new("")}}, `{"gender":""}`},
		{"clear", client.Patch{Clear: []client.Field{client.FieldEmail, client.FieldAddress}}, `{"email":null,"address":null}`},
		{"set and clear others", client.Patch{Set: client.Input{Phone: new("1")}, Clear: []client.Field{client.FieldAttributes}}, `{"phone":"1","attributes":null}`},
		{"empty attributes replace", client.Patch{Set: client.Input{Attributes: map[string]string{}}}, `{"attributes":{}}`},
		{"address", client.Patch{Set: client.Input{Address: &client.Address{City: "c"}}}, `{"address":{"prefecture":"","city":"c","line1":"","line2":""}}`},
		{"every field cleared", client.Patch{Clear: []client.Field{"name", "name_kana", "email", "phone", "postal_code", "address", "birth_date", "gender", "attributes"}},
			`{"name":null,"name_kana":null,"email":null,"phone":null,"postal_code":null,"address":null,"birth_date":null,"gender":null,"attributes":null}`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.patch)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got, want any
		json.Unmarshal(b, &got)
		json.Unmarshal([]byte(tc.want), &want)
		if !jsonEqual(got, want) {
			t.Errorf("%s: got %s, want %s", tc.name, b, tc.want)
		}
	}

	bad := []struct {
		name  string
		patch client.Patch
	}{
		{"set and cleared", client.Patch{Set: client.Input{Email: new("secret@example.jp")}, Clear: []client.Field{client.FieldEmail}}},
		{"attributes set and cleared", client.Patch{Set: client.Input{Attributes: map[string]string{}}, Clear: []client.Field{client.FieldAttributes}}},
		{"unknown field", client.Patch{Clear: []client.Field{"card"}}},
		{"a value in Clear", client.Patch{Clear: []client.Field{"山田太郎"}}},
	}
	for _, tc := range bad {
		_, err := json.Marshal(tc.patch)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if strings.Contains(err.Error(), "secret@") || strings.Contains(err.Error(), "山田") {
			t.Errorf("%s: the error repeats a value", tc.name)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestForeignAnswers(t *testing.T) {
	const secret = "山田太郎 090-1234-5678"
	cases := []struct {
		name   string
		status int
		ctype  string
		body   string
		code   string
	}{
		{"proxy HTML page", 502, "text/html", "<html>bad gateway " + secret + "</html>", ""},
		{"empty body", 500, "", "", ""},
		{"JSON of another shape", 400, "application/json", `{"message":"` + secret + `"}`, ""},
		{"kinko error", 409, "application/json", `{"error":{"code":"conflict","message":"retry","id":"abc123"}}`, client.CodeConflict},
	}
	for _, tc := range cases {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.ctype != "" {
				w.Header().Set("Content-Type", tc.ctype)
			}
			w.Header().Set("X-Request-Id", "hdr-id")
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		_, err := client.New(ts.URL, "k").GetCustomer(context.Background(), "aaaaaaaaaaaaaaaaaaaaaaaaaa")
		ts.Close()
		var e *client.APIError
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want an *APIError", tc.name, err)
			continue
		}
		if e.Status != tc.status || e.Code != tc.code {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, e.Status, e.Code, tc.status, tc.code)
		}
		if e.ID == "" {
			t.Errorf("%s: no request id (the X-Request-Id header should stand in)", tc.name)
		}
		if strings.Contains(err.Error(), "山田") || strings.Contains(err.Error(), "090") {
			t.Errorf("%s: the error repeats the answer's body", tc.name)
		}
		if e.Route != "/v1/customers/{id}" || e.Method != "GET" {
			t.Errorf("%s: the error names the call as %s %s", tc.name, e.Method, e.Route)
		}
		if tc.code == client.CodeConflict && (!client.IsConflict(err) || e.ID != "abc123") {
			t.Errorf("%s: IsConflict or the body's id is wrong", tc.name)
		}
	}
}

func TestTransportErrorHidesTheURL(t *testing.T) {
	// A port nobody listens on: the request fails in the transport, whose *url.Error would
	// print the URL, query (and searched value) included.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := client.New("http://"+addr, "k")
	_, err = c.SearchCustomersByQuery(context.Background(), client.SearchEmail, "hidden.person@example.jp")
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if strings.Contains(err.Error(), "hidden.person") || strings.Contains(err.Error(), "example.jp") {
		t.Errorf("the transport error holds the searched value")
	}
	if !strings.Contains(err.Error(), "GET /v1/customers") {
		t.Errorf("the transport error does not name the call")
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		t.Errorf("a transport failure became an *APIError")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.GetCustomer(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: got %v, want context.Canceled in the chain", err)
	}
}

func TestRequests(t *testing.T) {
	type seen struct{ method, path, query, auth, ctype, body string }
	var last seen
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		last = seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST" && r.URL.Path == "/prefix/v1/customers":
			w.WriteHeader(201)
			io.WriteString(w, `{"id":"abc"}`)
		case r.Method == "DELETE":
			w.WriteHeader(204)
		case strings.HasSuffix(r.URL.Path, "/search"), r.URL.Path == "/prefix/v1/customers":
			io.WriteString(w, `{"customers":[]}`)
		case r.URL.Path == "/prefix/v1/check":
			io.WriteString(w, `{"findings":[]}`)
		default:
			io.WriteString(w, `{"id":"abc","name":"n","future_field":1}`)
		}
	}))
	defer ts.Close()
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := client.New(ts.URL+"/prefix/", "kinko_key", client.WithHTTPClient(counting))
	ctx := context.Background()

	cases := []struct {
		name string
		call func() error
		want seen
	}{
		{"create", func() error { _, err := c.CreateCustomer(ctx, client.Input{Name: new("n")}); return err },
			seen{"POST", "/prefix/v1/customers", "", "Bearer kinko_key", "application/json", `{"name":"n"}`}},
		{"get escapes the id", func() error { _, err := c.GetCustomer(ctx, "a/b?c"); return err },
			seen{"GET", "/prefix/v1/customers/a%2Fb%3Fc", "", "Bearer kinko_key", "", ""}},
		{"update", func() error {
			_, err := c.UpdateCustomer(ctx, "abc", client.Patch{Clear: []client.Field{client.FieldName}})
			return err
		}, seen{"PATCH", "/prefix/v1/customers/abc", "", "Bearer kinko_key", "application/json", `{"name":null}`}},
		{"delete", func() error { return c.DeleteCustomer(ctx, "abc") },
			seen{"DELETE", "/prefix/v1/customers/abc", "", "Bearer kinko_key", "", ""}},
		{"set card", func() error {
			_, err := c.SetCard(ctx, "abc", client.CardRef{Provider: "p", Token: "t", Brand: "b", Last4: "1234", ExpMonth: 1, ExpYear: 2030})
			return err
		}, seen{"PUT", "/prefix/v1/customers/abc/card", "", "Bearer kinko_key", "application/json",
			`{"provider":"p","token":"t","brand":"b","last4":"1234","exp_month":1,"exp_year":2030}`}},
		{"search by POST keeps the value out of the URL", func() error {
			_, err := c.SearchCustomers(ctx, client.SearchEmail, "a+b@example.jp")
			return err
		}, seen{"POST", "/prefix/v1/customers/search", "", "Bearer kinko_key", "application/json", `{"email":"a+b@example.jp"}`}},
		{"search by GET escapes the value", func() error {
			_, err := c.SearchCustomersByQuery(ctx, client.SearchEmail, "a+b@example.jp")
			return err
		}, seen{"GET", "/prefix/v1/customers", "email=a%2Bb%40example.jp", "Bearer kinko_key", "", ""}},
		{"check", func() error { _, err := c.Check(ctx, "text"); return err },
			seen{"POST", "/prefix/v1/check", "", "Bearer kinko_key", "application/json", `{"text":"text"}`}},
		{"healthz sends no key", func() error { return c.Healthz(ctx) },
			seen{"GET", "/prefix/healthz", "", "", "", ""}},
		{"readyz sends no key", func() error { return c.Readyz(ctx) },
			seen{"GET", "/prefix/readyz", "", "", "", ""}},
	}
	for _, tc := range cases {
		n := calls.Load()
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if calls.Load() != n+1 {
			t.Errorf("%s: the request did not go through the HTTP client given", tc.name)
		}
		if last != tc.want {
			t.Errorf("%s: sent %+v, want %+v", tc.name, last, tc.want)
		}
	}

	// Unknown fields in an answer are ignored (newer servers may add some).
	got, err := c.GetCustomer(ctx, "abc")
	if err != nil || got.Name == nil || *got.Name != "n" {
		t.Errorf("decoding an answer with an unknown field: %v", err)
	}
	// Calls that need an id refuse an empty one without a request.
	n := calls.Load()
	if _, err := c.GetCustomer(ctx, ""); err == nil {
		t.Errorf("get with an empty id: no error")
	}
	if err := c.DeleteCustomer(ctx, ""); err == nil {
		t.Errorf("delete with an empty id: no error")
	}
	if calls.Load() != n {
		t.Errorf("an empty id was sent to the server")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
