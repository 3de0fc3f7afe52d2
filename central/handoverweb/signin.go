package handoverweb

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// SignIn is a way for the delegate to prove who they are.
type SignIn interface {
	// Name is "oidc", "dev" or "none".
	Name() string
	// Start begins signing in for flow f, whose State is set, and returns
	// where to send the browser. It may set f's provider fields (Verifier,
	// Nonce); the handler keeps f until the provider's handler takes it
	// back with Flows.Take.
	Start(r *http.Request, f *Flow) (redirect string, err error)
	// Routes registers the provider's own handlers (callback, form), which
	// finish through fl.
	Routes(mux Mux, fl Flows)
}

// Mux is where a SignIn registers its handlers: the pages' own, which
// also lists them (Handler.Routes), or an *http.ServeMux.
type Mux interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Flow is one sign-in in progress, from GET /handover/signin until the
// provider's callback.
type Flow struct {
	// State is random and travels through the provider and back; it names
	// the flow.
	State string
	// Browser is the value of the sign-in cookie of the browser that
	// started the flow: only that browser can finish it, so a victim who
	// opens an attacker's callback URL is not signed in as the attacker
	// (login CSRF).
	Browser string
	Next    string // the code page to return to, a path of this site
	Expires time.Time
	// Verifier is the OIDC flow's PKCE code verifier and Nonce the nonce
	// its ID token must carry.
	Verifier, Nonce string
}

// Flows is how a SignIn's handlers finish a sign-in.
type Flows interface {
	// Take removes the flow named state and returns it if it has not
	// expired and this browser started it. Otherwise it writes the refusal
	// page and returns false. A flow can be taken once.
	Take(w http.ResponseWriter, r *http.Request, state string) (Flow, bool)
	// Finish signs the browser in as id and sends it back to f.Next.
	Finish(w http.ResponseWriter, r *http.Request, f Flow, id Identity)
	// Fail logs err and writes the refusal page for code.
	Fail(w http.ResponseWriter, r *http.Request, code string, err error)
}

// flows is the Handler's side of Flows.
type flows struct{ h *Handler }

// maxNextLen caps the code page a sign-in returns to: a handover code
// (handover's limit on what it reads) with room for its URL escapes. It
// bounds what a pending flow holds.
const maxNextLen = 2048

// safeNext keeps post-sign-in redirects on handover paths of this site:
// printable ASCII, at most maxNextLen bytes, an absolute path and no
// scheme, host or backslash.
func safeNext(next string) string {
	if len(next) > maxNextLen || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if next[i] < 0x21 || next[i] > 0x7e {
			return ""
		}
	}
	if !isCodePath(next) && next != MinePath {
		return ""
	}
	return next
}

// browserBinding returns the browser's sign-in cookie value, making one if
// it has none, and sets the cookie so it lasts as long as a new flow.
// Reusing it lets the same browser sign in from two tabs.
func (h *Handler) browserBinding(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(h.cookieName(browserCookie)); err == nil && len(c.Value) == tokenLen {
		v = c.Value
	} else {
		v = randomToken()
	}
	// SameSite Lax still sends it on the provider's top-level redirect back.
	http.SetCookie(w, h.cookie(browserCookie, v, int(signInTTL.Seconds())))
	return v
}

func (h *Handler) startSignIn(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if next == "" {
		h.fail(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	h.lang(w, r) // a ?lang= choice is kept in its cookie for the pages after sign-in
	now := h.cfg.Now()
	f := Flow{State: randomToken(), Next: next, Expires: now.Add(signInTTL)}
	to, err := h.cfg.SignIn.Start(r, &f)
	if errors.Is(err, ErrNoSignIn) {
		h.fail(w, r, http.StatusServiceUnavailable, "signin_none")
		return
	}
	if err != nil {
		h.cfg.Logger.Error("handover sign-in start", "err", err)
		h.fail(w, r, http.StatusBadGateway, "signin_unavailable")
		return
	}
	f.Browser = h.browserBinding(w, r)
	if err := h.cfg.Pending.Put(r.Context(), f, now); errors.Is(err, ErrBusy) {
		h.busy(w, r, err)
		return
	} else if err != nil {
		h.cfg.Logger.Error("handover sign-in start", "err", err)
		h.fail(w, r, http.StatusInternalServerError, bk.EInternal)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (fl flows) Take(w http.ResponseWriter, r *http.Request, state string) (Flow, bool) {
	h := fl.h
	f, ok, err := h.cfg.Pending.Take(r.Context(), state, h.cfg.Now())
	if err != nil {
		h.cfg.Logger.Error("handover sign-in", "err", err)
		h.fail(w, r, http.StatusInternalServerError, bk.EInternal)
		return Flow{}, false
	}
	if !ok {
		fl.Fail(w, r, "signin_expired", nil)
		return Flow{}, false
	}
	c, err := r.Cookie(h.cookieName(browserCookie))
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.Browser)) != 1 {
		fl.Fail(w, r, "signin_browser", errors.New("the sign-in was started in another browser"))
		return Flow{}, false
	}
	return f, true
}

func (fl flows) Finish(w http.ResponseWriter, r *http.Request, f Flow, id Identity) {
	h := fl.h
	now := h.cfg.Now()
	sid, s := randomToken(), &session{id: id, csrf: randomToken()}
	if err := h.sessions.put(r.Context(), sid, s, now.Add(sessionTTL), now); errors.Is(err, errSessionsFull) {
		h.busy(w, r, err)
		return
	} else if err != nil {
		h.cfg.Logger.Error("handover sign-in", "err", err)
		h.fail(w, r, http.StatusInternalServerError, bk.EInternal)
		return
	}
	http.SetCookie(w, h.cookie(sessionCookie, sid, int(sessionTTL.Seconds())))
	h.cfg.Logger.Info("handover sign-in", "method", id.Method, "delegate", id.CPR)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

// busy answers 503 with Retry-After when a bound on sign-ins or sessions is
// reached: the page says to try again shortly, and nothing grows. A flood
// would fill the log too, so it logs at most once a minute, with the count.
func (h *Handler) busy(w http.ResponseWriter, r *http.Request, err error) {
	now := h.cfg.Now()
	h.mu.Lock()
	h.busyCount++
	n, log := h.busyCount, now.Sub(h.busyLogged) >= time.Minute
	if log {
		h.busyLogged, h.busyCount = now, 0
	}
	h.mu.Unlock()
	if log {
		h.cfg.Logger.Warn("handover sign-ins refused: full", "refused", n, "err", err)
	}
	w.Header().Set("Retry-After", "60")
	h.fail(w, r, http.StatusServiceUnavailable, "busy")
}

func (fl flows) Fail(w http.ResponseWriter, r *http.Request, code string, err error) {
	if err != nil {
		fl.h.cfg.Logger.Info("handover sign-in refused", "code", code, "err", err)
	}
	fl.h.fail(w, r, statusFor(code), code)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(h.cookieName(sessionCookie)); err == nil {
		if err := h.sessions.delete(r.Context(), c.Value); err != nil {
			h.cfg.Logger.Error("handover sign-out", "err", err)
			h.fail(w, r, http.StatusInternalServerError, bk.EInternal)
			return
		}
	}
	http.SetCookie(w, h.cookie(sessionCookie, "", -1))
	next := safeNext(r.URL.Query().Get("next"))
	if next == "" {
		lang := h.lang(w, r)
		h.render(w, http.StatusOK, "error.html", pageData{Lang: lang, OtherLang: other(lang), Title: translate(lang, "signed_out_title"), Message: translate(lang, "close_page")})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
