package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// maxResponseBytes bounds what is read from central: a full trust bundle
// with a million revoked serials is about 14 MB.
const maxResponseBytes = 64 << 20

// Client talks to central's /v1 API as an enrolled kiosk: every request is
// signed with the kiosk key (bk.SignKioskRequest).
type Client struct {
	id   atomic.Pointer[Identity] // swapped on re-enrolment
	http *http.Client
	now  func() time.Time
}

// NewClient makes a client for id. hc nil means a client with a 30 s timeout.
func NewClient(id *Identity, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{http: hc, now: time.Now}
	c.id.Store(id)
	return c
}

// Identity returns the identity the client signs with.
func (c *Client) Identity() *Identity { return c.id.Load() }

// SetIdentity makes the client sign with id from now on (after re-enrolment).
func (c *Client) SetIdentity(id *Identity) { c.id.Store(id) }

// HTTPError is a non-2xx answer from central, with its {code, message} body.
type HTTPError struct {
	Status  int
	Code    string
	Message string
	// CentralTime is central's clock at the answer: the body's
	// central_time, else the Date header; zero when neither is there.
	CentralTime time.Time
	// RetryAfter is how long central asked to wait (a 503 or 429 with a
	// Retry-After header in seconds); zero when it did not say.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("central answered %d %s: %s", e.Status, e.Code, e.Message)
}

// OfflineError is a request that did not get an answer from central.
type OfflineError struct{ Err error }

func (e *OfflineError) Error() string { return "central cannot be reached: " + e.Err.Error() }
func (e *OfflineError) Unwrap() []error {
	return []error{e.Err, bk.Errorf(bk.EUnavailable, "The central service cannot be reached right now. Please try again later.")}
}

// Retryable reports whether err is worth retrying later: no answer, a
// broken answer, a 5xx or a 429.
func Retryable(err error) bool {
	var off *OfflineError
	if errors.As(err, &off) {
		return true
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests || he.Status == http.StatusRequestTimeout
	}
	return false
}

// maxRetryAfter caps what a Retry-After header can make a kiosk wait, so a
// wrong header cannot stop a kiosk from syncing for long.
const maxRetryAfter = 5 * time.Minute

// retryAfter reads a Retry-After header given in seconds (the form central
// sends); a date or garbage is zero.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxRetryAfter)
}

// do sends a JSON request (signed when sign is set) and decodes a JSON
// answer into out. A transport failure or an unreadable 2xx body is an
// *OfflineError; a non-2xx answer is an *HTTPError.
func do(ctx context.Context, hc *http.Client, base, method, path string, in, out any, sign func(method, path string, body []byte) string) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + path)
	if err != nil {
		return fmt.Errorf("bad central URL %q: %w", base, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if sign != nil {
		req.Header.Set(bk.KioskAuthHeader, sign(method, u.EscapedPath(), body))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &OfflineError{Err: err}
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &OfflineError{Err: fmt.Errorf("reading answer: %w", err)}
	}
	if resp.StatusCode/100 != 2 {
		var er bk.ErrorResponse
		if json.Unmarshal(rb, &er) != nil || er.Code == "" {
			er = bk.ErrorResponse{Code: http.StatusText(resp.StatusCode), Message: strings.TrimSpace(string(rb[:min(len(rb), 200)]))}
		}
		he := &HTTPError{Status: resp.StatusCode, Code: er.Code, Message: er.Message, CentralTime: er.CentralTime}
		if he.CentralTime.IsZero() {
			he.CentralTime, _ = http.ParseTime(resp.Header.Get("Date"))
		}
		he.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
		return he
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rb, out); err != nil {
		// A cut-off or garbled answer: central may have acted, so the caller
		// must treat it like no answer and retry (push is idempotent).
		return &OfflineError{Err: fmt.Errorf("unreadable answer: %w", err)}
	}
	return nil
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	id := c.id.Load()
	sign := func(method, path string, body []byte) string {
		return bk.SignKioskRequest(id.KioskID, id.Key, method, path, body, c.now())
	}
	return do(ctx, c.http, id.BaseURL, method, path, in, out, sign)
}

// Push sends one batch (POST /v1/push).
func (c *Client) Push(ctx context.Context, req *bk.PushRequest) (*bk.PushResponse, error) {
	var resp bk.PushResponse
	if err := c.call(ctx, http.MethodPost, "/v1/push", req, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// TrustBundle fetches the signed trust bundle (GET /v1/trust-bundle): with
// since (Bundles.Since) a delta of the revocations after it, else, or when
// central cannot give one, the full bundle. The caller verifies it (see
// Bundles). With kiosks too (Bundles.KiosksDigest), a delta leaves out the
// kiosk keys when they have not changed.
func (c *Client) TrustBundle(ctx context.Context, since, kiosks string) (*bk.SignedBundle, error) {
	path := "/v1/trust-bundle"
	if since != "" {
		q := url.Values{"since": {since}}
		if kiosks != "" {
			q.Set("kiosks", kiosks)
		}
		path += "?" + q.Encode()
	}
	var sb bk.SignedBundle
	if err := c.call(ctx, http.MethodGet, path, nil, &sb); err != nil {
		return nil, err
	}
	return &sb, nil
}

// Nonce asks central for a fresh nonce for a card to sign
// (POST /v1/citizen/nonce). Offline it returns an error with code
// bk.EUnavailable and a message for the screen.
func (c *Client) Nonce(ctx context.Context) ([]byte, error) {
	var r struct {
		Nonce []byte `json:"nonce"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/citizen/nonce", struct{}{}, &r); err != nil {
		return nil, citizenError(err)
	}
	if len(r.Nonce) < 16 {
		return nil, bk.Errorf(bk.EUnavailable, "The central service gave an unusable answer. Please try again later.")
	}
	return r.Nonce, nil
}

// CitizenState fetches a signed-in citizen's consents and delegations
// (POST /v1/citizen/state). The result is for the session only: it is never
// stored. Offline it returns an error with code bk.EUnavailable.
func (c *Client) CitizenState(ctx context.Context, auth bk.CitizenAuth) (*bk.CitizenState, error) {
	var st bk.CitizenState
	if err := c.call(ctx, http.MethodPost, "/v1/citizen/state", auth, &st); err != nil {
		return nil, citizenError(err)
	}
	return &st, nil
}

// UsageLog fetches a page of a signed-in citizen's usage log: who used
// their data and delegations, newest first (POST /v1/citizen/usage). auth
// is made as for CitizenState, with a fresh nonce per page; before is the
// Next of the previous page ("" for the newest), limit 0 means central's
// default. The result is for the session only. Offline it returns an
// error with code bk.EUnavailable.
func (c *Client) UsageLog(ctx context.Context, auth bk.CitizenAuth, before string, limit int) (*bk.UsageLog, error) {
	var l bk.UsageLog
	req := bk.UsageRequest{Auth: auth, Before: before, Limit: limit}
	if err := c.call(ctx, http.MethodPost, "/v1/citizen/usage", req, &l); err != nil {
		return nil, citizenError(err)
	}
	return &l, nil
}

// OverviewToken asks central for the signed proof of a signed-in
// citizen's printed overview (POST /v1/citizen/overview-token; auth as for
// CitizenState) and returns the path of the page that checks it
// ("/O/…"), to print after central's address as a QR code. Offline it
// returns an error with code bk.EUnavailable.
func (c *Client) OverviewToken(ctx context.Context, auth bk.CitizenAuth) (string, error) {
	var r struct {
		Path     string    `json:"path"`
		IssuedAt time.Time `json:"issued_at"`
		IDs      []string  `json:"ids"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/citizen/overview-token", auth, &r); err != nil {
		return "", citizenError(err)
	}
	return r.Path, nil
}

// citizenError turns a failure into something a screen can show.
func citizenError(err error) error {
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Code == bk.EClockSkew:
			return errors.Join(err, bk.Errorf(bk.EUnavailable, "The central service cannot be used from this kiosk right now because its clock is wrong. Please ask staff."))
		case he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden:
			return bk.Errorf(bk.EUnauthorized, "Your card could not be confirmed by the central service. Please sign in again.")
		case he.Status/100 == 4 && he.Code != "":
			return &bk.Error{Code: he.Code, Message: he.Message}
		}
		return errors.Join(err, bk.Errorf(bk.EUnavailable, "The central service is not answering properly right now. Please try again later."))
	}
	return err // *OfflineError already carries EUnavailable
}

// Enroll registers this kiosk with central using a one-time token: it makes
// a new kiosk key, sends the public half, and saves the identity (key file
// mode 0600) with central's public key in dir. An earlier identity in dir is
// replaced only when central accepts the new one.
func Enroll(ctx context.Context, dir, baseURL, token, kioskID, site string, hc *http.Client) (*Identity, error) {
	if baseURL == "" || token == "" || kioskID == "" {
		return nil, bk.Errorf(bk.EInvalid, "enrolment needs the central URL, a token and a kiosk id")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	key := newKioskKey()
	req := bk.EnrollRequest{Token: token, KioskID: kioskID, Site: site, PublicKey: key.Public().(ed25519.PublicKey)}
	var resp bk.EnrollResponse
	if err := do(ctx, hc, baseURL, http.MethodPost, "/v1/enroll", req, &resp, nil); err != nil {
		return nil, fmt.Errorf("enrolling with %s: %w", baseURL, err)
	}
	if len(resp.CentralKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("enrolling with %s: central sent no usable key", baseURL)
	}
	if resp.KioskID == "" {
		resp.KioskID = kioskID
	}
	id := &Identity{KioskID: resp.KioskID, Site: site, BaseURL: strings.TrimRight(baseURL, "/"), CentralKey: resp.CentralKey, EnrolledAt: time.Now().UTC(), Key: key}
	if err := id.save(dir); err != nil {
		return nil, err
	}
	return id, nil
}
