package handoverweb

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/borgerkiosk/borgerkiosk/handover"
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
	Routes(mux *http.ServeMux, fl Flows)
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
	Lang    string
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

// safeNext keeps post-sign-in redirects on handover paths of this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u := strings.ToUpper(next)
	if !strings.HasPrefix(u, handover.URLPath) && !strings.HasPrefix(u, handover.URLPathCompressed) {
		return ""
	}
	return next
}

// browserBinding returns the browser's sign-in cookie value, making one if
// it has none, and sets the cookie so it lasts as long as a new flow.
// Reusing it lets the same browser sign in from two tabs.
func (h *Handler) browserBinding(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) == len(randomToken()) {
		v = c.Value
	} else {
		v = randomToken()
	}
	// Path "/handover/" reaches the OIDC callback and the development form;
	// SameSite Lax still sends it on the provider's top-level redirect back.
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: v, Path: "/handover/", HttpOnly: true, Secure: h.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(signInTTL.Seconds())})
	return v
}

func (h *Handler) startSignIn(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if next == "" {
		h.fail(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	lang := h.lang(w, r)
	now := h.cfg.Now()
	f := Flow{State: randomToken(), Next: next, Lang: lang, Expires: now.Add(signInTTL)}
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
	h.mu.Lock()
	h.sweep(now)
	h.pending[f.State] = f
	h.mu.Unlock()
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (fl flows) Take(w http.ResponseWriter, r *http.Request, state string) (Flow, bool) {
	h := fl.h
	now := h.cfg.Now()
	h.mu.Lock()
	f, ok := h.pending[state]
	delete(h.pending, state)
	h.mu.Unlock()
	if !ok || !now.Before(f.Expires) {
		fl.Fail(w, r, "signin_expired", nil)
		return Flow{}, false
	}
	c, err := r.Cookie(browserCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.Browser)) != 1 {
		fl.Fail(w, r, "signin_browser", errors.New("the sign-in was started in another browser"))
		return Flow{}, false
	}
	return f, true
}

func (fl flows) Finish(w http.ResponseWriter, r *http.Request, f Flow, id Identity) {
	h := fl.h
	now := h.cfg.Now()
	sid := randomToken()
	h.mu.Lock()
	h.sweep(now)
	h.sessions[sid] = &session{id: id, csrf: randomToken(), expires: now.Add(sessionTTL)}
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds())})
	h.cfg.Logger.Info("handover sign-in", "method", id.Method, "delegate", id.CPR)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

func (fl flows) Fail(w http.ResponseWriter, r *http.Request, code string, err error) {
	if err != nil {
		fl.h.cfg.Logger.Info("handover sign-in refused", "code", code, "err", err)
	}
	fl.h.fail(w, r, statusFor(code), code)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		h.mu.Lock()
		delete(h.sessions, c.Value)
		h.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: h.cfg.Secure, MaxAge: -1})
	next := safeNext(r.URL.Query().Get("next"))
	if next == "" {
		lang := h.lang(w, r)
		h.render(w, http.StatusOK, "error.html", pageData{Lang: lang, OtherLang: other(lang), Title: translate(lang, "signed_out_title"), Message: translate(lang, "signed_out")})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
