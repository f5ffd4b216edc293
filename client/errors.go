package client

import (
	"errors"
	"strconv"
)

// APIError is an error answer from the server: the HTTP status, kinko's stable error code,
// a message safe to show or log (it never holds a value that was sent) and the request id
// that the server's log line for the same request also carries.
type APIError struct {
	Status  int
	Code    string // one of the Code… constants; "" when the answer was not kinko's error shape
	Message string
	Field   string // the request member concerned (e.g. "phone" for card_number_refused), if any
	ID      string // request id, to find the server's log line

	// Method and Route name the call: the route pattern ("/v1/customers/{id}"), never the
	// real path or query.
	Method, Route string
}

func (e *APIError) Error() string {
	s := "kinko: " + e.Method + " " + e.Route + ": " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.ID != "" {
		s += " (request id " + e.ID + ")"
	}
	return s
}

// Error codes the API answers with (docs/openapi.yaml lists which status carries which).
const (
	CodeInvalidJSON          = "invalid_json"           // 400: body is not one JSON object
	CodeInvalidUTF8          = "invalid_utf8"           // 400
	CodeUnknownField         = "unknown_field"          // 400
	CodeInvalidField         = "invalid_field"          // 400: a field's type, shape or length; the message names the field
	CodeTooManyAttributes    = "too_many_attributes"    // 400: more than 64 attributes
	CodeInvalidQuery         = "invalid_query"          // 400: search needs exactly one known field with a non-empty value
	CodeUnreadableBody       = "unreadable_body"        // 400
	CodeUnauthorized         = "unauthorized"           // 401: missing, unknown or revoked API key
	CodeForbidden            = "forbidden"              // 403: the key lacks the route's scope
	CodeNotFound             = "not_found"              // 404: no customer with this id in the key's shop
	CodeNoRoute              = "no_route"               // 404: no such API route
	CodeMethodNotAllowed     = "method_not_allowed"     // 405
	CodeConflict             = "conflict"               // 409: concurrent updates; retry
	CodeShredded             = "shredded"               // 410: the customer was deleted and its data destroyed
	CodeBodyTooLarge         = "body_too_large"         // 413: request body over 1 MiB
	CodeUnsupportedMediaType = "unsupported_media_type" // 415
	CodeCardNumberRefused    = "card_number_refused"    // 422: a value held a card number; the message names the field
	CodeInternal             = "internal"               // 500
	CodeIntegrityError       = "integrity_error"        // 500: stored data failed its integrity check
	CodeNotReady             = "not_ready"              // 503: database or keys unavailable
)

// Code returns the API error code of err ("" when err is not an *APIError).
func Code(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err says the customer does not exist (in the key's shop).
func IsNotFound(err error) bool { return Code(err) == CodeNotFound }

// IsShredded reports whether err says the customer was deleted and its data destroyed.
func IsShredded(err error) bool { return Code(err) == CodeShredded }

// IsCardNumberRefused reports whether err says a value held a card number and nothing was
// stored.
func IsCardNumberRefused(err error) bool { return Code(err) == CodeCardNumberRefused }

// IsUnauthorized reports whether the API key was missing, unknown or revoked.
func IsUnauthorized(err error) bool { return Code(err) == CodeUnauthorized }

// IsForbidden reports whether the API key lacks the scope the call needs.
func IsForbidden(err error) bool { return Code(err) == CodeForbidden }

// IsConflict reports whether concurrent updates kept colliding; the call may be retried.
func IsConflict(err error) bool { return Code(err) == CodeConflict }
