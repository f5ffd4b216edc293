// Package client is the Go client for kinko's JSON API: a shop's backend uses it to store,
// read, change, search and delete customers in the vault, to attach a payment provider's
// card reference, and to ask whether a text holds a card number.
//
// Every call takes a context and returns either a result or an error. Errors the server
// answered are *APIError values carrying the HTTP status and kinko's stable error code, so
// callers match on the code rather than on text:
//
//	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
//	id, err := c.CreateCustomer(ctx, client.Input{Name: new("山田 太郎"), Phone: new("090-1234-5678")})
//	var apiErr *client.APIError
//	if errors.As(err, &apiErr) && apiErr.Code == client.CodeCardNumberRefused {
//		// a card number was typed into a field: ask the customer again
//	}
//
// The client never puts a request body or a personal value into an error: an error names
// the call (method and route pattern), the status and the server's code, message and
// request id, which the server also writes to its log. Searches send the value in a POST
// body (SearchCustomers) so that it stays out of URLs and proxy logs; SearchCustomersByQuery
// uses GET with the value in the query string and exists for parity with the API.
//
// The client's types mirror the API's JSON (docs/openapi.yaml in the kinko repository);
// they are its own and import nothing from kinko's internal packages.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls one kinko server with one API key. It is safe for concurrent use.
type Client struct {
	base      string // scheme://host[/prefix], no trailing slash
	key       string
	hc        *http.Client
	userAgent string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests through hc (timeouts, TLS settings,
// proxies, instrumentation). The default is http.DefaultClient; set a timeout in production
// or pass contexts with deadlines.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a Client for the server at baseURL (such as "http://127.0.0.1:8740", or a URL
// with a path prefix when kinko sits behind a reverse proxy) that authenticates with apiKey.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{
		base:      strings.TrimRight(baseURL, "/"),
		key:       apiKey,
		hc:        http.DefaultClient,
		userAgent: "kinko-go-client",
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// maxResponse bounds how much of a response the client reads. A search answers at most 100
// customers of at most a few hundred KiB each, so 64 MiB is far above any honest answer.
const maxResponse = 64 << 20

// request describes one call. route is the API's route pattern, used in error messages in
// place of the real path and query, which may hold an id or a searched value.
type request struct {
	method, route string
	path          string     // escaped path below base
	query         url.Values // nil for none
	body          any        // marshalled as JSON; nil for no body
	auth          bool       // send the API key
}

// do performs r and decodes a 2xx JSON answer into out (when out is not nil). Anything
// other than 2xx becomes an *APIError.
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(r, resp)
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxResponse))
	if err := dec.Decode(out); err != nil {
		// json's messages name types and offsets, never the values read.
		return fmt.Errorf("kinko: %s %s: decoding the answer: %w", r.method, r.route, err)
	}
	return nil
}

// send builds and sends the HTTP request. Transport errors are rewrapped without the
// request URL: *url.Error would print it, and a GET search carries the value in its query.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("kinko: %s %s: encoding the request: %w", r.method, r.route, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		// NewRequest's errors may quote the URL; say only which call failed.
		return nil, fmt.Errorf("kinko: %s %s: invalid base URL or request", r.method, r.route)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.auth {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("kinko: %s %s: %w", r.method, r.route, err)
	}
	return resp, nil
}

// apiError reads kinko's error shape {"error":{"code","message","field","id"}}. An answer in
// another shape (a proxy's HTML page) keeps only its status: its body is not repeated.
func (c *Client) apiError(r request, resp *http.Response) error {
	e := &APIError{Status: resp.StatusCode, Method: r.method, Route: r.route, ID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
			ID      string `json:"id"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &body) == nil && body.Error != nil && body.Error.Code != "" {
		e.Code, e.Message, e.Field = body.Error.Code, body.Error.Message, body.Error.Field
		if body.Error.ID != "" {
			e.ID = body.Error.ID
		}
		return e
	}
	e.Message = "unexpected answer: " + http.StatusText(resp.StatusCode)
	return e
}
