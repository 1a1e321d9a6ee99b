// Package wise reads a Wise account's profiles, balances and balance statements through
// the Wise Platform API with a personal token, signing the strong customer authentication
// challenge when the user has a key, and turns statements into import lines.
package wise

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Limits of every call to Wise.
const (
	// CallTimeout bounds one request, retries included.
	CallTimeout = 30 * time.Second
	// retriesMax bounds how often a request is repeated after a 429.
	retriesMax = 2
	// retryWaitMax is the longest Retry-After the client waits for; a longer one fails.
	retryWaitMax = 5 * time.Second
	// responseBytesMax bounds a response body.
	responseBytesMax = 16 << 20
	// WindowDaysMax is the longest interval one statement request may cover.
	WindowDaysMax = 469
)

// ErrorKind classifies a failed call for the user.
type ErrorKind string

const (
	ErrUnauthorized ErrorKind = "unauthorized"
	ErrSCARequired  ErrorKind = "sca_required"
	ErrSCARejected  ErrorKind = "sca_rejected"
	ErrRateLimited  ErrorKind = "rate_limited"
	ErrUnavailable  ErrorKind = "unavailable"
	ErrTimeout      ErrorKind = "timeout"
	ErrRejected     ErrorKind = "rejected"
	ErrBadResponse  ErrorKind = "bad_response"
)

// Error is a failed call, with a message fit for the user. It never contains the token.
type Error struct {
	Kind    ErrorKind
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Client calls the Wise API for one user. It is safe for concurrent use.
type Client struct {
	baseURL string
	token   string
	key     *rsa.PrivateKey // nil: SCA challenges are not signed
	http    *http.Client
	sleep   func(ctx context.Context, d time.Duration) error
}

// Option changes a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (its Timeout still applies per attempt).
func WithHTTPClient(client *http.Client) Option { return func(c *Client) { c.http = client } }

// WithSleep replaces the wait before a retry, for tests.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// New returns a client for baseURL (such as https://api.wise.com) with a personal token
// and, optionally, the private key whose public half the user uploaded to Wise.
func New(baseURL, token string, key *rsa.PrivateKey, options ...Option) *Client {
	c := &Client{baseURL: strings.TrimRight(baseURL, "/"), token: token, key: key,
		http: &http.Client{Timeout: CallTimeout}, sleep: sleepContext}
	for _, option := range options {
		option(c)
	}
	return c
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// get calls path with query and decodes the JSON answer into out.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	signed := false
	var approval, signature string
	for attempt := 0; ; attempt++ {
		response, body, err := c.do(ctx, target, approval, signature)
		if err != nil {
			return err
		}
		switch {
		case response.StatusCode == http.StatusOK:
			if err := json.Unmarshal(body, out); err != nil {
				return &Error{Kind: ErrBadResponse, Status: response.StatusCode,
					Message: "Wise answered with something Folio cannot read. Nothing was imported."}
			}
			return nil
		case response.StatusCode == http.StatusForbidden && response.Header.Get("x-2fa-approval") != "":
			if signed {
				return &Error{Kind: ErrSCARejected, Status: response.StatusCode, Message: "Wise refused the signed " +
					"request: check that the public key shown in settings is uploaded to Wise, or import " +
					"the statement file instead. Nothing was imported."}
			}
			if c.key == nil {
				return &Error{Kind: ErrSCARequired, Status: response.StatusCode, Message: "Wise asks for strong " +
					"customer authentication for statements. Generate a signing key in settings and upload " +
					"its public half to Wise (business profiles), or download the statement from Wise and " +
					"import the file. Nothing was imported."}
			}
			approval = response.Header.Get("x-2fa-approval")
			if signature, err = sign(c.key, approval); err != nil {
				return err
			}
			signed = true
		case response.StatusCode == http.StatusTooManyRequests:
			wait, ok := retryAfter(response.Header.Get("Retry-After"))
			if !ok || attempt >= retriesMax {
				return &Error{Kind: ErrRateLimited, Status: response.StatusCode, Message: "Wise is limiting " +
					"requests just now. Try again in a minute. Nothing was imported."}
			}
			if err := c.sleep(ctx, wait); err != nil {
				return timeoutError(err)
			}
		default:
			return statusError(response.StatusCode, body)
		}
	}
}

func (c *Client) do(ctx context.Context, target, approval, signature string) (*http.Response, []byte, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("wise: build request: %w", err)
	}
	request.Header.Set("Authorization", "Bearer "+c.token)
	request.Header.Set("Accept", "application/json")
	if approval != "" {
		request.Header.Set("x-2fa-approval", approval)
		request.Header.Set("X-Signature", signature)
	}
	response, err := c.http.Do(request)
	if err != nil {
		return nil, nil, timeoutError(err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(io.LimitReader(response.Body, responseBytesMax+1))
	if err != nil {
		return nil, nil, timeoutError(err)
	}
	if len(body) > responseBytesMax {
		return nil, nil, &Error{Kind: ErrBadResponse, Status: response.StatusCode,
			Message: "Wise's answer is too large. Choose a shorter date range. Nothing was imported."}
	}
	return response, body, nil
}

// sign signs an SCA one-time token as Wise asks: RSA PKCS #1 v1.5 over its SHA-256.
func sign(key *rsa.PrivateKey, token string) (string, error) {
	digest := sha256.Sum256([]byte(token))
	signature, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("wise: sign the approval token: %w", err)
	}
	return base64.StdEncoding.EncodeToString(signature), nil
}

// retryAfter reads Retry-After in seconds; a wait longer than retryWaitMax is refused.
func retryAfter(header string) (time.Duration, bool) {
	if header == "" {
		return time.Second, true
	}
	seconds, err := strconv.Atoi(strings.TrimSpace(header))
	if err != nil || seconds < 0 {
		return 0, false
	}
	wait := time.Duration(seconds) * time.Second
	return wait, wait <= retryWaitMax
}

func timeoutError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return &Error{Kind: ErrTimeout, Message: "Wise did not answer in time. Try again later. Nothing was imported."}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &Error{Kind: ErrUnavailable, Message: "Folio cannot reach Wise just now. Try again later. Nothing was imported."}
}

func isTimeout(err error) bool {
	var timeout interface{ Timeout() bool }
	return errors.As(err, &timeout) && timeout.Timeout()
}

// wiseErrorBody covers the error shapes Wise uses.
type wiseErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Message          string `json:"message"`
	Errors           []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func statusError(status int, body []byte) error {
	switch {
	case status == http.StatusUnauthorized:
		return &Error{Kind: ErrUnauthorized, Status: status, Message: "Wise did not accept the API token: " +
			"it may have expired or been revoked. Store a new token in settings. Nothing was imported."}
	case status >= 500:
		return &Error{Kind: ErrUnavailable, Status: status, Message: fmt.Sprintf("Wise had a problem (%d). "+
			"Try again later. Nothing was imported.", status)}
	}
	var parsed wiseErrorBody
	detail := ""
	if json.Unmarshal(body, &parsed) == nil {
		detail = firstNonEmpty(parsed.ErrorDescription, parsed.Message)
		if len(parsed.Errors) > 0 {
			detail = firstNonEmpty(parsed.Errors[0].Message, parsed.Errors[0].Code)
		}
	}
	if len(detail) > 200 {
		detail = detail[:200]
	}
	message := fmt.Sprintf("Wise refused the request (%d)", status)
	if detail != "" {
		message += ": " + detail
	}
	return &Error{Kind: ErrRejected, Status: status, Message: message + ". Nothing was imported."}
}

func firstNonEmpty(values ...string) string {
	for _, value := range values {
		if value != "" {
			return value
		}
	}
	return ""
}

// Money is an amount in a currency as Wise writes it. Values are JSON numbers, read
// exactly from their digits, never through a float.
type Money struct {
	Value    decimal.Decimal `json:"value"`
	Currency string          `json:"currency"`
}

// Profile is a personal or business profile.
type Profile struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"`
	FullName     string `json:"fullName"`
	BusinessName string `json:"businessName"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Details      struct {
		Name      string `json:"name"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"details"`
}

// Name is the profile's name in whichever field the API version filled.
func (p Profile) Name() string {
	return firstNonEmpty(p.FullName, p.BusinessName, strings.TrimSpace(p.FirstName+" "+p.LastName),
		p.Details.Name, strings.TrimSpace(p.Details.FirstName+" "+p.Details.LastName), strconv.FormatInt(p.ID, 10))
}

// Balance is one currency balance of a profile.
type Balance struct {
	ID       int64   `json:"id"`
	Currency string  `json:"currency"`
	Type     string  `json:"type"`
	Name     *string `json:"name"`
	Amount   Money   `json:"amount"`
}

// Profiles lists the token's profiles.
func (c *Client) Profiles(ctx context.Context) ([]Profile, error) {
	var profiles []Profile
	err := c.get(ctx, "/v2/profiles", nil, &profiles)
	return profiles, err
}

// Balances lists a profile's standard and savings balances.
func (c *Client) Balances(ctx context.Context, profileID int64) ([]Balance, error) {
	var balances []Balance
	err := c.get(ctx, "/v4/profiles/"+strconv.FormatInt(profileID, 10)+"/balances",
		url.Values{"types": {"STANDARD,SAVINGS"}}, &balances)
	return balances, err
}
