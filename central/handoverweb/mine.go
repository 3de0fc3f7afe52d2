package handoverweb

import (
	"net/http"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// MinePath is the relative's overview: signed in, they see the delegations
// they hold and have been offered, and can renounce one they hold.
const MinePath = "/handover/mine"

// heldView is one delegation on the overview, as its delegate sees it. The
// principal's full name is shown: only the signed-in delegate sees it, as
// at a kiosk; their CPR number never is.
type heldView struct {
	Lang      string // for the "scopes" template
	ID        string
	Principal string
	Scopes    []scopeView
	ValidFrom string
	ValidTo   string
}

func (h *Handler) heldOf(lang string, d *bk.Delegation) heldView {
	return heldView{Lang: lang, ID: d.ID, Principal: d.PrincipalName, Scopes: h.scopesOf(lang, d),
		ValidFrom: h.cfg.Zone.Date(d.ValidFrom, lang), ValidTo: h.cfg.Zone.Date(d.ValidTo, lang)}
}

func (h *Handler) minePage(lang string) pageData {
	return pageData{Lang: lang, OtherLang: other(lang), Path: MinePath, Title: translate(lang, "mine_title"),
		SignInName: h.cfg.SignIn.Name(), Demo: h.cfg.SignIn.Name() == "dev"}
}

// showMine serves the overview, or the sign-in to it.
func (h *Handler) showMine(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	d := h.minePage(lang)
	s := h.session(r)
	if s == nil {
		h.render(w, http.StatusOK, "mine.html", d)
		return
	}
	d.SignedIn = &s.id
	ds, err := h.cfg.Registry.DelegationsHeld(r.Context(), s.id.CPR)
	if err != nil {
		h.cfg.Logger.Error("handover overview", "err", err)
		h.failMine(w, r, bk.EInternal)
		return
	}
	now := h.cfg.Now()
	for _, del := range ds {
		switch del.StateAt(now) {
		case bk.DelegationActive:
			d.Held = append(d.Held, h.heldOf(lang, del))
		case bk.DelegationPending:
			d.Offered = append(d.Offered, h.heldOf(lang, del))
		}
	}
	h.render(w, http.StatusOK, "mine.html", d)
}

// held returns the signed-in delegate's active delegation named by the
// request's id, or writes the refusal and returns false.
func (h *Handler) held(w http.ResponseWriter, r *http.Request, s *session, id string) (*bk.Delegation, bool) {
	ds, err := h.cfg.Registry.DelegationsHeld(r.Context(), s.id.CPR)
	if err != nil {
		h.cfg.Logger.Error("handover overview", "err", err)
		h.failMine(w, r, bk.EInternal)
		return nil, false
	}
	for _, d := range ds {
		if d.ID == id {
			return d, true
		}
	}
	// Someone else's, or none: the same answer, so ids cannot be probed.
	h.failMine(w, r, bk.ENotPermitted)
	return nil, false
}

// confirmRenounce asks the delegate to confirm, saying what stops.
func (h *Handler) confirmRenounce(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	s := h.session(r)
	if s == nil {
		http.Redirect(w, r, MinePath, http.StatusSeeOther)
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" { // the language link drops the query: back to the list
		http.Redirect(w, r, MinePath, http.StatusSeeOther)
		return
	}
	del, ok := h.held(w, r, s, id)
	if !ok {
		return
	}
	if del.StateAt(h.cfg.Now()) != bk.DelegationActive {
		h.failMine(w, r, bk.EInvalidState)
		return
	}
	d := h.minePage(lang)
	v := h.heldOf(lang, del)
	d.SignedIn, d.CSRF, d.Item, d.Title = &s.id, s.csrf, &v, translate(lang, "renounce_title")
	h.render(w, http.StatusOK, "renounce.html", d)
}

// renounce applies a confirmed renounce through the registry, which
// decides it with the domain rules as for a kiosk's.
func (h *Handler) renounce(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.failMine(w, r, "bad_request")
		return
	}
	s := h.session(r)
	if s == nil {
		h.failMine(w, r, "signin_required")
		return
	}
	if got := r.PostForm.Get("csrf"); got == "" || got != s.csrf {
		h.failMine(w, r, "csrf")
		return
	}
	id := r.PostForm.Get("id")
	v, err := h.cfg.Registry.Renounce(r.Context(), handover.Renouncement{
		DelegationID: id, Delegate: s.id.CPR, DelegateName: s.id.Name, Method: s.id.Method, At: h.cfg.Now(),
	})
	if err != nil {
		code := bk.ErrorCode(err)
		if code == bk.ENotFound {
			code = bk.ENotPermitted // as held does
		}
		h.failMine(w, r, code)
		return
	}
	if v.Outcome != bk.Applied {
		h.failMine(w, r, v.Reason)
		return
	}
	h.cfg.Logger.Info("handover renounced", "delegation", id, "delegate", s.id.CPR)
	d := h.minePage(lang)
	d.SignedIn, d.Done, d.Title = &s.id, true, translate(lang, "renounced_title")
	if del, _, err := h.cfg.Registry.HandoverRecord(r.Context(), id); err == nil {
		v := h.heldOf(lang, del)
		d.Item = &v
	}
	h.render(w, http.StatusOK, "renounce.html", d)
}

// failMine shows a refusal of the overview in the person's language.
func (h *Handler) failMine(w http.ResponseWriter, r *http.Request, code string) {
	lang := h.lang(w, r)
	h.render(w, statusFor(code), "error.html", pageData{Lang: lang, OtherLang: other(lang), Path: MinePath,
		Title: translate(lang, "mine_error_title"), Message: message(lang, code), Back: true})
}
