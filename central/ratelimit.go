package central

import (
	"container/list"
	"fmt"
	"html"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/borgerkiosk/borgerkiosk/handover"
)

// RateLimit is a token bucket per client: PerMinute requests a minute on
// average, Burst at once. Zero value: the default named on the field of
// RateLimits; PerMinute < 0: no limit.
type RateLimit struct {
	PerMinute float64
	Burst     int
}

// RateLimits bounds what one client (one IP address; one /64 for IPv6)
// may do. A refusal is 429 with Retry-After.
type RateLimits struct {
	// SignIn counts every request to the handover sign-in (GET
	// /handover/signin) and the development sign-in (/handover/dev); 60
	// a minute, burst 20 (a sign-in takes two or three requests).
	SignIn RateLimit
	// AuthFailures counts refused authority and operator bearer tokens
	// (missing or wrong); 10 a minute, burst 10. A correct token is never
	// counted or refused: guessing 192-bit tokens is hopeless anyway, and
	// someone sharing an address with the real authority must not be able
	// to lock it out.
	AuthFailures RateLimit
	// Enroll counts every POST /v1/enroll; 6 a minute, burst 10 (a site
	// installing several kiosks at once).
	Enroll RateLimit
	// TypedCode counts every request for the page of a typed handover
	// code (/K/…), each a guess at a code; 10 a minute, burst 10 (one
	// answer takes three or four). TypedCodeTotal bounds the same requests
	// from all clients together, so that many addresses guess no faster;
	// 300 a minute, burst 300. See docs/decisions.md for the entropy.
	TypedCode, TypedCodeTotal RateLimit
	// TrustForwardedFor takes the client's address from the last
	// X-Forwarded-For entry, as the reverse proxy in front of central
	// appends it. Off by default: without such a proxy anyone could send
	// the header and pick a fresh address for every request.
	TrustForwardedFor bool
	// MaxClients bounds the clients each limit remembers (10,000); beyond
	// it the longest unused is forgotten. A client unused long enough for
	// its bucket to be full again is forgotten anyway.
	MaxClients int
}

// ECodeTooManyRequests is the code of a 429 answer.
const ECodeTooManyRequests = "too_many_requests"

func (l *RateLimit) orDefault(perMinute float64, burst int) {
	if l.PerMinute == 0 && l.Burst == 0 {
		l.PerMinute, l.Burst = perMinute, burst
	}
}

func (l RateLimit) check(name string) error {
	if l.PerMinute > 0 && (l.Burst < 1 || math.IsInf(l.PerMinute, 0) || math.IsNaN(l.PerMinute)) {
		return fmt.Errorf("central: rate limit %s: burst must be 1 or more and the rate a number", name)
	}
	return nil
}

// clientLimiter is one token bucket per client key, with a bounded map:
// the buckets are kept in least-recently-used order, so forgetting idle
// ones costs nothing per request beyond those forgotten.
type clientLimiter struct {
	name  string
	limit rate.Limit
	burst int
	max   int
	idle  time.Duration // unused this long, a bucket is full again

	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   list.List // of *bucket, most recently used first
}

type bucket struct {
	key     string
	lim     *rate.Limiter
	last    time.Time
	refused bool // its last request was refused
}

// newClientLimiter returns nil (no limit) for a negative rate.
func newClientLimiter(name string, l RateLimit, maxClients int) *clientLimiter {
	if l.PerMinute <= 0 {
		return nil
	}
	lim := rate.Limit(l.PerMinute / 60)
	return &clientLimiter{
		name: name, limit: lim, burst: l.Burst, max: maxClients,
		idle:  time.Duration(float64(l.Burst) / float64(lim) * float64(time.Second)),
		byKey: map[string]*list.Element{},
	}
}

// take spends one token of key's bucket at now. When none is left it
// reports how long until one is, and whether this is the first refusal
// after an allowed request (the one worth a log line).
func (c *clientLimiter) take(key string, now time.Time) (ok bool, retry time.Duration, first bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.Back(); e != nil && now.Sub(e.Value.(*bucket).last) >= c.idle; e = c.lru.Back() {
		c.remove(e)
	}
	e, found := c.byKey[key]
	if !found {
		if c.lru.Len() >= c.max {
			c.remove(c.lru.Back())
		}
		e = c.lru.PushFront(&bucket{key: key, lim: rate.NewLimiter(c.limit, c.burst)})
		c.byKey[key] = e
	}
	c.lru.MoveToFront(e)
	b := e.Value.(*bucket)
	b.last = now
	if b.lim.AllowN(now, 1) {
		b.refused = false
		return true, 0, false
	}
	first = !b.refused
	b.refused = true
	missing := 1 - b.lim.TokensAt(now)
	return false, time.Duration(missing / float64(c.limit) * float64(time.Second)), first
}

func (c *clientLimiter) remove(e *list.Element) {
	delete(c.byKey, e.Value.(*bucket).key)
	c.lru.Remove(e)
}

// clients returns how many clients the limiter remembers.
func (c *clientLimiter) clients() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// clientKey is who a request comes from for the limits: the remote
// address (or the last X-Forwarded-For entry when trusted), an IPv6
// address by its /64, which one subscriber usually holds whole.
func (s *Server) clientKey(r *http.Request) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if s.cfg.RateLimits.TrustForwardedFor {
		if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
			entries := strings.Split(v[len(v)-1], ",")
			if last := strings.TrimSpace(entries[len(entries)-1]); last != "" {
				host = last
			}
		}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// allow spends a token of c for r's client; when none is left it has
// answered 429 (an HTML page when page is set) and returns false.
func (s *Server) allow(c *clientLimiter, w http.ResponseWriter, r *http.Request, page bool) bool {
	if c == nil {
		return true
	}
	return s.allowKey(c, s.clientKey(r), w, r, page)
}

// allowKey is allow for the bucket key, "*" for a limit on all clients.
func (s *Server) allowKey(c *clientLimiter, key string, w http.ResponseWriter, r *http.Request, page bool) bool {
	if c == nil {
		return true
	}
	ok, retry, first := c.take(key, s.now())
	if ok {
		return true
	}
	secs := max(1, int(math.Ceil(retry.Seconds())))
	level := slog.LevelDebug
	if first {
		level = slog.LevelWarn
	}
	s.log.Log(r.Context(), level, "rate limit: request refused", "limit", c.name, "client", key,
		"method", r.Method, "path", logPath(r.URL.Path), "retry_after_s", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if page {
		tooManyPage(w, secs)
		return false
	}
	writeError(w, http.StatusTooManyRequests, ECodeTooManyRequests,
		fmt.Sprintf("Too many requests from this address. Try again in %d seconds.", secs))
	return false
}

// tooManyPage is the 429 answer of the page routes: a page in Danish and
// English, like the handover pages, that needs nothing else to show.
func tooManyPage(w http.ResponseWriter, secs int) {
	n := html.EscapeString(strconv.Itoa(secs))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprint(w, `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>For mange forsøg</title></head>
<body><main role="alert">
<h1>For mange forsøg</h1><p>Vent `+n+` sekunder, og prøv så igen.</p>
<p lang="en">Too many attempts. Wait `+n+` seconds, then try again.</p>
</main></body></html>
`)
}

// isTypedLookupPath reports whether path is the page of a typed handover
// code (the pages that TypedCode and TypedCodeTotal limit).
func isTypedLookupPath(path string) bool {
	return strings.HasPrefix(strings.ToUpper(path), handover.TypedPath)
}

// isOverviewPath reports whether path checks a printed overview: limited
// like a typed code's page, since each look-up verifies a signature and
// reads the store.
func isOverviewPath(path string) bool {
	return strings.HasPrefix(strings.ToUpper(path), handover.URLPathOverview)
}

// logPath is path as a log line may show it: a typed code, which works
// like a password until used, only by its first four characters.
func logPath(path string) string {
	if isTypedLookupPath(path) && len(path) > len(handover.TypedPath)+4 {
		return path[:len(handover.TypedPath)+4] + "…"
	}
	return path
}

// isSignInPath reports whether path starts a handover sign-in (the pages
// that SignIn limits).
func isSignInPath(path string) bool {
	return path == "/handover/signin" || path == "/handover/dev"
}
