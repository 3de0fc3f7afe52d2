package central_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
)

// limitedCentral is the real central on a clock the test moves.
func limitedCentral(t *testing.T, configure func(*central.Config)) (*centraltest.Harness, *atomic.Int64) {
	var offset atomic.Int64
	start := time.Now()
	h := centraltest.StartWith(t, centraltest.Options{
		Now:       func() time.Time { return start.Add(time.Duration(offset.Load())) },
		Configure: configure,
	})
	return h, &offset
}

// get sends a GET with headers and returns status, Retry-After and body.
func get(t *testing.T, h *centraltest.Harness, path string, header http.Header) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", h.URL+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	hc := *h.HTTP.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse } // one request, one count
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// count sends n requests and returns how many were answered 429 and the
// index of the first of them (-1: none).
func count(n int, send func() int) (refused, first int) {
	first = -1
	for i := range n {
		if send() == http.StatusTooManyRequests {
			if first < 0 {
				first = i
			}
			refused++
		}
	}
	return refused, first
}

func TestRateLimitDevSignIn(t *testing.T) {
	for _, path := range []string{"/handover/dev?state=x", "/handover/signin?next=/H/x"} {
		h, clock := limitedCentral(t, nil)
		refused, first := count(200, func() int { s, _, _ := get(t, h, path, nil); return s })
		// Burst 20 at 60 a minute; the clock stands still.
		if first != 20 || refused != 180 {
			t.Errorf("200 rapid GET %s: %d refused from request %d; want 180 from request 20", path, refused, first)
		}
		status, retry, body := get(t, h, path, nil)
		if status != 429 || retry != "1" {
			t.Errorf("GET %s when limited = %d, Retry-After %q; want 429 with 1 s", path, status, retry)
		}
		if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "For mange forsøg") || !strings.Contains(body, "Too many attempts") {
			t.Errorf("429 page = %q; want an alert in Danish and English", body)
		}
		// A spoofed X-Forwarded-For does not make another client while
		// it is not trusted.
		if s, _, _ := get(t, h, path, http.Header{"X-Forwarded-For": {"203.0.113.7"}}); s != 429 {
			t.Errorf("GET %s with an untrusted X-Forwarded-For = %d; want 429", path, s)
		}
		// Other pages and the API are not limited by the sign-in limit.
		if s, _, _ := get(t, h, "/healthz", nil); s != 200 {
			t.Errorf("GET /healthz while sign-in is limited = %d; want 200", s)
		}
		clock.Add(int64(time.Second)) // one more token
		if s, _, _ := get(t, h, path, nil); s == 429 {
			t.Errorf("GET %s 1 s later = 429; want it served", path)
		}
		if n := strings.Count(h.Logs(), "rate limit: request refused"); n < 1 || !strings.Contains(h.Logs(), "limit=sign-in") {
			t.Errorf("central logged %d refusals; want the first one at least, naming the limit", n)
		}
	}
}

func TestRateLimitTrustedForwardedFor(t *testing.T) {
	h, _ := limitedCentral(t, func(c *central.Config) { c.RateLimits.TrustForwardedFor = true })
	from := func(addr string) int {
		s, _, _ := get(t, h, "/handover/dev?state=x", http.Header{"X-Forwarded-For": {"198.51.100.1, " + addr}})
		return s
	}
	if refused, first := count(50, func() int { return from("203.0.113.7") }); first != 20 || refused != 30 {
		t.Errorf("50 from one forwarded client: %d refused from %d; want 30 from 20", refused, first)
	}
	if s := from("203.0.113.8"); s != 200 {
		t.Errorf("another forwarded client = %d; want 200", s)
	}
	// One IPv6 subscriber holds a /64: changing the low bits is no escape.
	count(20, func() int { return from("2001:db8:1:2::1") })
	if s := from("2001:db8:1:2:ffff::9"); s != 429 {
		t.Errorf("the same /64 after its burst = %d; want 429", s)
	}
}

func TestRateLimitAuthorityFailures(t *testing.T) {
	h, _ := limitedCentral(t, nil)
	wrong := 0
	refused, first := count(200, func() int {
		wrong++
		s, _ := h.Do(t, "GET", "/v1/authority/consent-requests", "Bearer wrong-"+strconv.Itoa(wrong), nil)
		return s
	})
	if first != 10 || refused != 190 {
		t.Errorf("200 wrong authority tokens: %d refused from %d; want 190 from 10", refused, first)
	}
	status, body := h.Do(t, "GET", "/v1/authority/consent-requests", "Bearer still-wrong", nil)
	wantError(t, "a wrong token when limited", status, body, 429, central.ECodeTooManyRequests)
	// A correct token is never counted or refused.
	for i := range 20 {
		if status, body := h.Authority(t, "sundhed", "GET", "/v1/authority/consent-requests", nil); status != 200 {
			t.Fatalf("correct authority token %d while limited = %d %s; want 200", i, status, body)
		}
	}
	// The checks count the same, and a correct token still gets its answer.
	check := []byte(`{"principal":"` + cprKaren + `","delegate":"` + cprBo + `","scope":"tax","purpose":"Årsopgørelse"}`)
	status, body = h.Do(t, "POST", "/v1/authority/delegation-checks", "Bearer still-wrong", check)
	wantError(t, "a delegation check with a wrong token when limited", status, body, 429, central.ECodeTooManyRequests)
	if status, body := h.Authority(t, "skat", "POST", "/v1/authority/delegation-checks", check); status != 200 {
		t.Errorf("delegation check with a correct token while limited = %d %s; want 200", status, body)
	}
	// Wrong operator tokens count the same.
	status, body = h.Do(t, "POST", "/v1/admin/enrollment-tokens", "Bearer nope", nil)
	wantError(t, "a wrong operator token when limited", status, body, 429, central.ECodeTooManyRequests)
	if strings.Contains(h.Logs(), "wrong-1") {
		t.Error("a token reached the log")
	}
}

func TestRateLimitEnroll(t *testing.T) {
	h, _ := limitedCentral(t, func(c *central.Config) { c.RateLimits.Enroll = central.RateLimit{} }) // the default
	body, _ := json.Marshal(bk.EnrollRequest{Token: "nope", KioskID: "k1", PublicKey: make([]byte, 32)})
	refused, first := count(30, func() int { s, _ := h.Do(t, "POST", "/v1/enroll", "", body); return s })
	if first != 10 || refused != 20 {
		t.Errorf("30 enrolments: %d refused from %d; want 20 from 10", refused, first)
	}
}

func TestRateLimitsConfigurable(t *testing.T) {
	h, _ := limitedCentral(t, func(c *central.Config) {
		c.RateLimits.SignIn = central.RateLimit{PerMinute: -1}           // off
		c.RateLimits.Enroll = central.RateLimit{PerMinute: 60, Burst: 2} // tighter
	})
	if refused, _ := count(100, func() int { s, _, _ := get(t, h, "/handover/dev?state=x", nil); return s }); refused != 0 {
		t.Errorf("sign-in limit off: %d refused; want 0", refused)
	}
	if refused, first := count(5, func() int { s, _ := h.Do(t, "POST", "/v1/enroll", "", []byte(`{}`)); return s }); first != 2 || refused != 3 {
		t.Errorf("enrol burst 2: %d refused from %d; want 3 from 2", refused, first)
	}
}
