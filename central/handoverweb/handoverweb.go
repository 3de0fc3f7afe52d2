// Package handoverweb serves the page a relative's phone opens from a
// handover QR code: it shows what is delegated, by whom (partly masked) and
// until when, lets the delegate sign in, and records their accept or decline.
//
// What the page shows is central's record of the delegation, never the
// code's claims: a kiosk key can sign anything, so a code is only a pointer
// to a delegation plus claims that must agree with the record
// (handover.CheckClaims). A code that disagrees is refused, and nothing
// changes. Whether a code may be answered is decided in package handover
// (Decide); this package keeps the pages and the sign-in.
//
// The pages are server-rendered, in Danish and English, readable on a phone,
// with no external resources. Forms carry a CSRF token; the session cookie is
// HttpOnly and SameSite=Lax, behind TLS also Secure with the __Host- prefix,
// and expires after 15 minutes.
package handoverweb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// Registry is central's side of a handover: the delegations and the single
// use of codes.
type Registry interface {
	// HandoverRecord returns central's record of the delegation with id and
	// of its handover codes, read together, or an *bk.Error with code
	// ENotFound when the delegation is not known.
	HandoverRecord(ctx context.Context, id string) (*bk.Delegation, handover.CodeRecord, error)

	// Redeem records the delegate's answer to the code with claims r.Claims,
	// exactly once per token. It returns the verdict of applying the accept
	// or decline with the domain rules, or an *bk.Error whose code says why
	// the code cannot be used: handover.ECodeUsed, ECodeSuperseded,
	// ECodeMismatch, or the domain's EAlreadyRevoked, EExpired,
	// ENotPermitted, EUnknownSubject.
	Redeem(ctx context.Context, r handover.Redemption) (bk.Verdict, error)

	// KioskKey returns the public key of an enrolled kiosk.
	KioskKey(kid string) (ed25519.PublicKey, bool)

	// Catalogue returns the current catalogue, for scope names.
	Catalogue() *bk.Catalogue

	// TypedClaims resolves a typed code, as the person typed it, to the
	// claims of the code it spells, made from central's record
	// (handover.TypedEntry.Claims), or an *bk.Error with code
	// handover.ETypedMalformed, ETypedUnknown (not sent from the kiosk
	// yet) or EExpired.
	TypedClaims(ctx context.Context, typed string) (*handover.Claims, error)

	// DelegationsHeld lists the delegations given to cpr, by id.
	DelegationsHeld(ctx context.Context, cpr bk.CPR) ([]*bk.Delegation, error)

	// Renounce records the delegate's renounce of a delegation from the
	// overview page, decided with handover.DecideRenounce and the domain
	// rules as at a kiosk. It returns their verdict, or an *bk.Error with
	// code ENotFound or ENotPermitted (someone else's), which change
	// nothing.
	Renounce(ctx context.Context, r handover.Renouncement) (bk.Verdict, error)

	// CheckOverview verifies a printed overview's token at path with
	// central's key and says which of its lines still hold, or returns an
	// *bk.Error with code handover.EMalformed or EBadSignature.
	CheckOverview(ctx context.Context, path string) (*handover.OverviewCheck, error)
}

// EWrongDelegate is the page's refusal when the signed-in person is not the
// one the code is bound to (handover.BindsTo).
const EWrongDelegate = "handover_wrong_delegate"

// Identity is a person signed in on the page.
type Identity struct {
	CPR    bk.CPR
	Name   string
	Method string
}

// Config configures the handler.
type Config struct {
	Registry Registry
	SignIn   SignIn // nil: NoSignIn (codes can be viewed, not answered)
	// Secure marks cookies Secure; set it whenever central is reached over TLS.
	Secure bool
	// State keeps the sign-ins in progress and the signed-in sessions
	// where every central process finds them (central's store), so that
	// any replica answers any request. nil: in this process's memory,
	// which serves one central process only.
	State Shared
	// Pending keeps the sign-ins in progress; nil: SharedPending in State,
	// or without State a MemPending of DefaultMaxSignIns flows and
	// DefaultMaxSignInBytes.
	Pending PendingStore
	// MaxSessions caps the signed-in delegates held at once (default
	// DefaultMaxSessions); a sign-in beyond it is answered 503.
	MaxSessions int
	// Zone is the time zone of the dates shown (the zero Zone is Danish
	// time, as on the kiosks' screens and receipts).
	Zone   timefmt.Zone
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the handover pages.
type Handler struct {
	cfg      Config
	mux      *http.ServeMux
	patterns []string // the mux's, for Routes
	tmpl     *template.Template
	sessions sessionStore // by session cookie value
	mu       sync.Mutex
	// busyLogged is when busy last logged, busyCount the refusals since;
	// under mu.
	busyLogged time.Time
	busyCount  int
}

type session struct {
	id   Identity
	csrf string
}

const (
	sessionCookie = "bk_handover"
	langCookie    = "bk_lang"
	browserCookie = "bk_signin" // binds a sign-in in progress to the browser that started it
	sessionTTL    = 15 * time.Minute
	signInTTL     = 10 * time.Minute
	maxFormBytes  = 8 << 10
)

//go:embed templates/*.html
var templateFS embed.FS

// New returns the handover pages handler. Mount it at "/" of central: it
// answers /h/…, /hz/… (any letter case) and /handover/… paths.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SignIn == nil {
		cfg.SignIn = NoSignIn{}
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	switch {
	case cfg.State != nil:
		h.sessions = sharedSessions{s: cfg.State, max: cfg.MaxSessions}
		if cfg.Pending == nil {
			h.cfg.Pending = SharedPending{S: cfg.State}
		}
	default:
		h.sessions = &memSessions{m: newExpiring[*session](cfg.MaxSessions, DefaultMaxSessionBytes)}
		if cfg.Pending == nil {
			h.cfg.Pending = NewMemPending(DefaultMaxSignIns, DefaultMaxSignInBytes)
		}
	}
	h.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"t": func(lang, key string) string { return translate(lang, key) },
	}).ParseFS(templateFS, "templates/*.html"))
	h.HandleFunc("GET /handover/signin", h.startSignIn)
	h.HandleFunc("GET /handover/signout", h.signOut)
	h.HandleFunc("GET "+MinePath, h.showMine)
	h.HandleFunc("GET "+MinePath+"/renounce", h.confirmRenounce)
	h.HandleFunc("POST "+MinePath+"/renounce", h.renounce)
	cfg.SignIn.Routes(h, flows{h})
	return h
}

// HandleFunc adds a route to the pages' mux and to Routes; the handler is
// the Mux a SignIn registers on.
func (h *Handler) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	h.mux.HandleFunc(pattern, fn)
	h.patterns = append(h.patterns, pattern)
}

// Routes lists every route the pages answer ("GET /H/{code}"), the
// sign-in's included, so that a test keeps docs/api.yaml in step.
func (h *Handler) Routes() []string {
	out := slices.Clone(h.patterns)
	for _, p := range CodePaths() {
		out = append(out, "GET "+p+"{code}", "POST "+p+"{code}")
	}
	return append(out, "GET "+handover.URLPathOverview+"{code}", "GET "+handover.TypedFormPath, "POST "+handover.TypedFormPath)
}

// IsHandoverPath reports whether central should send path to this handler.
func IsHandoverPath(path string) bool {
	return isCodePath(path) || IsOverviewPath(path) || strings.EqualFold(path, handover.TypedFormPath) || strings.HasPrefix(path, "/handover/")
}

// CodePaths are the path prefixes of a code's page, each answering GET
// and POST: scanned (URLPath, URLPathCompressed, URLPathCompact) or typed
// (TypedPath). docs/api.yaml documents each (TestAPIDoc).
func CodePaths() []string {
	return []string{handover.URLPath, handover.URLPathCompressed, handover.URLPathCompact, handover.TypedPath}
}

// isCodePath reports whether path is the page of a code, in any letter
// case.
func isCodePath(path string) bool {
	u := strings.ToUpper(path)
	return slices.ContainsFunc(CodePaths(), func(p string) bool { return strings.HasPrefix(u, p) })
}

// isTypedPath reports whether path is the page of a typed code.
func isTypedPath(path string) bool {
	return strings.HasPrefix(strings.ToUpper(path), handover.TypedPath)
}

// IsTypedLookupPath reports whether a request for path looks up a typed
// code: central rate-limits these, since each is a guess at a code.
func IsTypedLookupPath(path string) bool { return isTypedPath(path) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	if strings.EqualFold(r.URL.Path, handover.TypedFormPath) {
		h.typedForm(w, r)
		return
	}
	if IsOverviewPath(r.URL.Path) {
		h.showOverview(w, r)
		return
	}
	if isCodePath(r.URL.Path) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.showCode(w, r)
		case http.MethodPost:
			h.answer(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			h.fail(w, r, http.StatusMethodNotAllowed, "bad_request")
		}
		return
	}
	h.mux.ServeHTTP(w, r)
}

// cookie returns the pages' cookie name with value for maxAge seconds
// (negative: delete it): HttpOnly, SameSite=Lax, Path /, and behind TLS
// Secure and named with the __Host- prefix (cookieName).
func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: h.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: h.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

// cookieName prefixes name with __Host- behind TLS: browsers take such a
// cookie only from this very host, Secure and for Path /, so a sibling
// subdomain cannot plant its own session or sign-in cookie here (session
// fixation, login CSRF by cookie tossing).
func (h *Handler) cookieName(name string) string {
	if h.cfg.Secure {
		return "__Host-" + name
	}
	return name
}

// tokenLen is the length of randomToken's result.
const tokenLen = 32

func randomToken() string {
	b := make([]byte, tokenLen*3/4)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// lang picks the page language: ?lang=, then the cookie, then the browser's
// first preference, then Danish.
func (h *Handler) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "da" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", HttpOnly: true, Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 3600})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "da" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "da"):
			return "da"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "da"
}

func (h *Handler) session(r *http.Request) *session {
	c, err := r.Cookie(h.cookieName(sessionCookie))
	if err != nil {
		return nil
	}
	s, err := h.sessions.get(r.Context(), c.Value, h.cfg.Now())
	if err != nil {
		// Shown as signed out: signing in again is what the person can do.
		h.cfg.Logger.Error("handover session", "err", err)
	}
	return s
}

// codePath returns the request's path if it is a handover path and nothing else.
func codePath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if len(p) > 4096 {
		return ""
	}
	return p
}

// load verifies the request's code and reads central's record of its
// delegation, refusing a code whose claims disagree with the record. On
// failure it has written the refusal page and returns ok false.
func (h *Handler) load(w http.ResponseWriter, r *http.Request) (c *handover.Claims, d *bk.Delegation, rec handover.CodeRecord, ok bool) {
	var err error
	if isTypedPath(r.URL.Path) {
		typed := r.URL.Path[len(handover.TypedPath):]
		c, err = h.cfg.Registry.TypedClaims(r.Context(), typed)
		if code := bk.ErrorCode(err); code == handover.ETypedUnknown || code == handover.ETypedMalformed {
			h.showTypedForm(w, r, statusFor(code), typed, code)
			return nil, nil, handover.CodeRecord{}, false
		}
	} else {
		c, err = handover.Verify(codePath(r), h.cfg.Registry.KioskKey, h.cfg.Now())
	}
	if err == nil {
		d, rec, err = h.cfg.Registry.HandoverRecord(r.Context(), c.DelegationID)
		if bk.ErrorCode(err) == bk.ENotFound {
			err = bk.Errorf(bk.EUnknownSubject, "The power of attorney is not known yet.")
		}
	}
	if err == nil {
		if err = handover.CheckClaims(c, d); err != nil {
			// A genuine kiosk signature over claims central never recorded:
			// that kiosk's key is misused or its software is wrong.
			h.cfg.Logger.Warn("handover code disagrees with central's record", "kiosk", c.KeyID, "delegation", c.DelegationID, "err", err)
		}
	}
	if err != nil {
		code := bk.ErrorCode(err)
		if code == bk.EInternal {
			h.cfg.Logger.Error("handover record", "err", err)
		}
		h.fail(w, r, statusFor(code), code)
		return nil, nil, handover.CodeRecord{}, false
	}
	return c, d, rec, true
}

type scopeView struct{ Name, Description, Until string }

type pageData struct {
	Lang        string
	OtherLang   string
	Path        string
	Title       string
	Principal   string
	Scopes      []scopeView
	ValidFrom   string
	ValidTo     string
	CodeExpires string
	SignedIn    *Identity
	SignInName  string
	Demo        bool
	CSRF        string
	Message     string
	Closed      bool   // the code can no longer be answered; Message says why
	Step        string // "decline": the page asks to confirm declining; kept by the language link
	Outcome     string
	State       string
	Typed       string        // typed.html: what the person typed
	Held        []heldView    // mine.html: active delegations
	Offered     []heldView    // mine.html: delegations not answered yet
	Item        *heldView     // renounce.html: the delegation to renounce
	Done        bool          // renounce.html: the renounce was applied
	Back        bool          // error.html: link back to the overview
	Check       *overviewView // proof.html: the paper's lines now
}

// viewOf is the page's view of central's record del for the session s (nil:
// signed out); of the code c it uses only the code's own expiry. The
// principal's name is masked as on the code, since anyone holding the code
// may open the page, until the delegate signs in: they see it in full, as
// on their overview and at a kiosk, so one person has one name from there.
func (h *Handler) viewOf(lang string, r *http.Request, s *session, c *handover.Claims, del *bk.Delegation) pageData {
	name := handover.MaskName(del.PrincipalName)
	if s != nil && s.id.CPR == del.Delegate {
		name = del.PrincipalName
	}
	d := pageData{
		Lang: lang, OtherLang: other(lang), Path: codePath(r),
		Principal:   name,
		ValidFrom:   h.cfg.Zone.Date(del.ValidFrom, lang),
		ValidTo:     h.cfg.Zone.Date(del.ValidTo, lang),
		CodeExpires: fmt.Sprintf(translate(lang, "code_expires"), h.until(c.ExpiresAt, lang)),
		SignInName:  h.cfg.SignIn.Name(),
		Demo:        h.cfg.SignIn.Name() == "dev",
	}
	d.Scopes = h.scopesOf(lang, del)
	return d
}

// until says until when something ending at t holds, as the slip does
// (timefmt's End): "til og med" a day when it ends at midnight, else "til"
// to the minute, since a code made at 14.05 stops at 14.05, not at the
// day's end.
func (h *Handler) until(t time.Time, lang string) string {
	key := "until"
	through, s := h.cfg.Zone.End(t, lang)
	if through {
		key = "through"
	}
	return translate(lang, key) + " " + s
}

// scopesOf names del's scopes in lang from the catalogue, each with its
// own end date when it ends before the delegation does.
func (h *Handler) scopesOf(lang string, del *bk.Delegation) []scopeView {
	var out []scopeView
	cat := h.cfg.Registry.Catalogue()
	for _, g := range del.Scopes {
		v := scopeView{Name: g.ScopeID}
		if s, ok := cat.Scope(g.ScopeID); ok {
			v = scopeView{Name: s.Name.In(lang), Description: s.Description.In(lang)}
		}
		if !g.Until.IsZero() && g.Until.Before(del.ValidTo) {
			v.Until = h.until(g.Until, lang)
		}
		out = append(out, v)
	}
	return out
}

func other(lang string) string {
	if lang == "en" {
		return "da"
	}
	return "en"
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.tmpl.ExecuteTemplate(w, name, d); err != nil {
		h.cfg.Logger.Error("handover page", "template", name, "err", err)
	}
}

// fail shows a refusal page in the person's language for an error code.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, code string) {
	lang := h.lang(w, r)
	h.render(w, status, "error.html", pageData{Lang: lang, OtherLang: other(lang), Path: codePath(r), Title: translate(lang, "error_title"), Message: message(lang, code)})
}

func statusFor(code string) int {
	switch code {
	case handover.EMalformed, handover.ETypedMalformed, "bad_request":
		return http.StatusBadRequest
	case handover.EUnknownKey, handover.EBadSignature, EWrongDelegate, bk.ENotPermitted, "csrf":
		return http.StatusForbidden
	case bk.ENotFound, bk.EUnknownSubject, handover.ETypedUnknown:
		return http.StatusNotFound
	case bk.EInternal:
		return http.StatusInternalServerError
	case handover.EExpired, handover.ECodeUsed, handover.ECodeSuperseded, bk.EAlreadyRevoked, bk.EAlreadyDeclined, bk.EExpired,
		handover.EStateAccepted, handover.EStateDeclined, handover.EStateRenounced:
		return http.StatusGone
	case "signin_required":
		return http.StatusUnauthorized
	case "signin_expired", "signin_browser", "signin_failed", "signin_no_cpr":
		return http.StatusBadRequest
	case "signin_unavailable", "busy":
		return http.StatusServiceUnavailable
	}
	return http.StatusConflict
}

func (h *Handler) showCode(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	c, del, rec, ok := h.load(w, r)
	if !ok {
		return
	}
	s := h.session(r)
	d := h.viewOf(lang, r, s, c, del)
	d.Title = translate(lang, "page_title")
	if s != nil {
		d.SignedIn = &s.id
	}
	// A code that can no longer be answered says so at once, in place of
	// the sign-in and the form.
	if code := handover.Standing(c, del, rec, h.cfg.Now()); code != "" {
		d.Closed, d.Title, d.Message = true, translate(lang, "error_title"), message(lang, code)
		h.render(w, statusFor(code), "code.html", d)
		return
	}
	if s != nil {
		d.CSRF = s.csrf
		switch {
		case s.id.CPR != del.Delegate:
			d.Message = message(lang, bk.ENotPermitted)
		case !bindsTo(c, s.id.CPR):
			d.Message = message(lang, EWrongDelegate)
		}
	}
	// Declining cannot be undone, so "Nej tak" only asks (?step=decline,
	// a GET that changes nothing); the confirming POST decides, as for a
	// renounce.
	if r.URL.Query().Get("step") == "decline" && s != nil && d.Message == "" {
		d.Step, d.Title = "decline", translate(lang, "decline_title")
		h.render(w, http.StatusOK, "decline.html", d)
		return
	}
	h.render(w, http.StatusOK, "code.html", d)
}

func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	s := h.session(r)
	if s == nil {
		h.fail(w, r, http.StatusUnauthorized, "signin_required")
		return
	}
	if got := r.PostForm.Get("csrf"); got == "" || got != s.csrf {
		h.fail(w, r, http.StatusForbidden, "csrf")
		return
	}
	var accept bool
	switch r.PostForm.Get("answer") {
	case "accept":
		accept = true
	case "decline":
	default:
		h.fail(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	c, del, _, ok := h.load(w, r)
	if !ok {
		return
	}
	if !bindsTo(c, s.id.CPR) {
		h.fail(w, r, http.StatusForbidden, EWrongDelegate)
		return
	}
	v, err := h.cfg.Registry.Redeem(r.Context(), handover.Redemption{
		Claims: c, Delegate: s.id.CPR, DelegateName: s.id.Name, Accept: accept, Method: s.id.Method, At: h.cfg.Now(),
	})
	if err != nil {
		code := bk.ErrorCode(err)
		if code == bk.EInternal {
			h.cfg.Logger.Error("handover redeem", "err", err)
		}
		h.fail(w, r, statusFor(code), code)
		return
	}
	d := h.viewOf(lang, r, s, c, del)
	d.SignedIn = &s.id
	switch {
	case v.Outcome == bk.Applied && accept:
		d.Outcome, d.Title = "accepted", translate(lang, "accepted_title")
	case v.Outcome == bk.Applied:
		d.Outcome, d.Title = "declined", translate(lang, "declined_title")
	default:
		d.Outcome, d.Title = "refused", translate(lang, "error_title")
		d.Message = message(lang, v.Reason)
	}
	h.cfg.Logger.Info("handover answered", "delegation", c.DelegationID, "accept", accept, "outcome", v.Outcome, "reason", v.Reason, "delegate", s.id.CPR)
	h.render(w, http.StatusOK, "result.html", d)
}

// bindsTo reports whether the code with claims c was made for cpr. Typed
// and compact codes carry no binding: who may answer is decided from
// central's record anyway (Decide's delegate check).
func bindsTo(c *handover.Claims, cpr bk.CPR) bool {
	return !c.HasBinding() || handover.BindsTo(c, cpr.Digits())
}

// typedForm serves the short address: GET shows the form for typing a
// code; POST reads it (handover.ParseTyped) and sends the browser on to
// the code's page, or shows the form again saying what a code looks like.
// It looks nothing up: the code's page does, under central's rate limit.
func (h *Handler) typedForm(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.showTypedForm(w, r, http.StatusOK, "", "")
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			h.fail(w, r, http.StatusBadRequest, "bad_request")
			return
		}
		typed := r.PostForm.Get("code")
		code, err := handover.ParseTyped(typed)
		if err != nil {
			h.showTypedForm(w, r, http.StatusBadRequest, typed, bk.ErrorCode(err))
			return
		}
		http.Redirect(w, r, handover.TypedPath+code, http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.fail(w, r, http.StatusMethodNotAllowed, "bad_request")
	}
}

// showTypedForm renders the typed-code form with what was typed and the
// message for refusal code ("" for none).
func (h *Handler) showTypedForm(w http.ResponseWriter, r *http.Request, status int, typed, code string) {
	lang := h.lang(w, r)
	d := pageData{Lang: lang, OtherLang: other(lang), Path: handover.TypedFormPath, Title: translate(lang, "typed_title"), Typed: typed}
	if len(d.Typed) > 64 {
		d.Typed = ""
	}
	if code != "" {
		d.Message = message(lang, code)
	}
	h.render(w, status, "typed.html", d)
}
