package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Route patterns, as the server registers them; used in requests and in error messages.
const (
	routeCustomers = "/v1/customers"
	routeCustomer  = "/v1/customers/{id}"
	routeCard      = "/v1/customers/{id}/card"
	routeSearch    = "/v1/customers/search"
	routeCheck     = "/v1/check"
	routeHealthz   = "/healthz"
	routeReadyz    = "/readyz"
	routeMetrics   = "/metrics"
)

// errNoID is returned before any request when a call needs a customer id and got none.
var errNoID = errors.New("kinko: customer id is empty")

func customerPath(id string) string { return routeCustomers + "/" + url.PathEscape(id) }

// CreateCustomer stores a new customer and returns its id (random, URL-safe). Scope
// customers:write. A card number in any value fails with CodeCardNumberRefused and nothing
// is stored.
func (c *Client) CreateCustomer(ctx context.Context, in Input) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, request{method: http.MethodPost, route: routeCustomers, path: routeCustomers, body: in, auth: true}, &out)
	if err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("kinko: POST " + routeCustomers + ": the answer holds no id")
	}
	return out.ID, nil
}

// GetCustomer reads a customer. Scope customers:read. An unknown id fails with
// CodeNotFound (IsNotFound), a deleted customer with CodeShredded (IsShredded).
func (c *Client) GetCustomer(ctx context.Context, id string) (*Customer, error) {
	if id == "" {
		return nil, errNoID
	}
	var out Customer
	if err := c.do(ctx, request{method: http.MethodGet, route: routeCustomer, path: customerPath(id), auth: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateCustomer applies p and returns the customer as stored afterwards. Scope
// customers:write; without customers:read the server answers only the id and updated_at,
// so the other fields of the result are empty.
func (c *Client) UpdateCustomer(ctx context.Context, id string, p Patch) (*Customer, error) {
	if id == "" {
		return nil, errNoID
	}
	var out Customer
	if err := c.do(ctx, request{method: http.MethodPatch, route: routeCustomer, path: customerPath(id), body: p, auth: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteCustomer crypto-shreds a customer: its data key is destroyed, so neither the
// database nor a backup can give its data back. Afterwards every call on the id fails with
// CodeShredded. Scope customers:delete.
func (c *Client) DeleteCustomer(ctx context.Context, id string) error {
	if id == "" {
		return errNoID
	}
	return c.do(ctx, request{method: http.MethodDelete, route: routeCustomer, path: customerPath(id), auth: true}, nil)
}

// SetCard attaches a payment provider's card reference to a customer, replacing any
// earlier one, and returns the customer (only id and updated_at without customers:read).
// Scope customers:write.
func (c *Client) SetCard(ctx context.Context, id string, card CardRef) (*Customer, error) {
	if id == "" {
		return nil, errNoID
	}
	var out Customer
	if err := c.do(ctx, request{method: http.MethodPut, route: routeCard, path: customerPath(id) + "/card", body: card, auth: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

type searchAnswer struct {
	Customers []Customer `json:"customers"`
}

// SearchCustomers finds the customers whose field equals value after normalisation (see
// SearchField), at most 100. The value travels in a POST body, never in a URL. Scope
// customers:read. A field the server does not index fails with CodeInvalidQuery, as does a
// value that is empty after normalisation.
func (c *Client) SearchCustomers(ctx context.Context, field SearchField, value string) ([]Customer, error) {
	var out searchAnswer
	body := map[string]string{string(field): value}
	if err := c.do(ctx, request{method: http.MethodPost, route: routeSearch, path: routeSearch, body: body, auth: true}, &out); err != nil {
		return nil, err
	}
	return nonNil(out.Customers), nil
}

// SearchCustomersByQuery is SearchCustomers over GET /v1/customers?field=value. The value is
// then part of the URL, where proxies and access logs may keep it: prefer SearchCustomers.
func (c *Client) SearchCustomersByQuery(ctx context.Context, field SearchField, value string) ([]Customer, error) {
	var out searchAnswer
	q := url.Values{string(field): {value}}
	if err := c.do(ctx, request{method: http.MethodGet, route: routeCustomers, path: routeCustomers, query: q, auth: true}, &out); err != nil {
		return nil, err
	}
	return nonNil(out.Customers), nil
}

func nonNil(cs []Customer) []Customer {
	if cs == nil {
		return []Customer{}
	}
	return cs
}

// Check asks whether text holds sensitive data (a card number above all) before the shop
// stores it elsewhere, such as an inquiry or a memo. The server neither stores nor logs the
// text. Scope check.
func (c *Client) Check(ctx context.Context, text string) ([]Finding, error) {
	var out struct {
		Findings []Finding `json:"findings"`
	}
	body := struct {
		Text string `json:"text"`
	}{text}
	if err := c.do(ctx, request{method: http.MethodPost, route: routeCheck, path: routeCheck, body: body, auth: true}, &out); err != nil {
		return nil, err
	}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	return out.Findings, nil
}

// Healthz reports whether the server is alive (no API key needed).
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodGet, route: routeHealthz, path: routeHealthz}, nil)
}

// Readyz reports whether the server can serve: database reachable and keys loaded. When not,
// the error has CodeNotReady (status 503). No API key needed.
func (c *Client) Readyz(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodGet, route: routeReadyz, path: routeReadyz}, nil)
}

// Metrics returns the server's counters in the Prometheus text format. Scope metrics (or admin).
func (c *Client) Metrics(ctx context.Context) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, route: routeMetrics, path: routeMetrics, auth: true})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", c.apiError(request{method: http.MethodGet, route: routeMetrics}, resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("kinko: GET %s: reading the answer: %w", routeMetrics, err)
	}
	return string(b), nil
}
