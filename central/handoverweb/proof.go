package handoverweb

import (
	"net/http"
	"strings"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// IsOverviewPath reports whether path is the page that checks a printed
// overview (handover.URLPathOverview, any letter case); central
// rate-limits it like a typed code's page.
func IsOverviewPath(path string) bool {
	return strings.HasPrefix(strings.ToUpper(path), handover.URLPathOverview)
}

// overviewView is the check of a paper as the page shows it: no names,
// no CPR numbers, nothing the paper does not say; line by line, whether
// it still holds.
type overviewView struct {
	Printed string
	Current bool
	Lines   []lineView
}

type lineView struct {
	N       int
	Kind    string
	Current bool
	Now     string // what it is now, when it changed
}

// showOverview checks the overview token in the path: genuine or not,
// and whether each line is still current.
func (h *Handler) showOverview(w http.ResponseWriter, r *http.Request) {
	lang := h.lang(w, r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		h.fail(w, r, http.StatusMethodNotAllowed, "bad_request")
		return
	}
	c, err := h.cfg.Registry.CheckOverview(r.Context(), codePath(r))
	if err != nil {
		code := bk.ErrorCode(err)
		if code == bk.EInternal {
			h.cfg.Logger.Error("overview check", "err", err)
		}
		d := pageData{Lang: lang, OtherLang: other(lang), Title: translate(lang, "proof_false_title"), Message: message(lang, code)}
		if code == handover.EBadSignature || code == handover.EMalformed {
			d.Message = translate(lang, "proof_false")
		}
		h.render(w, statusFor(code), "error.html", d)
		return
	}
	v := &overviewView{Printed: h.cfg.Zone.DateTime(c.IssuedAt, lang), Current: c.Current()}
	for i, l := range c.Lines {
		lv := lineView{N: i + 1, Kind: translate(lang, "proof_"+l.Kind), Current: l.Current}
		if !l.Current {
			lv.Now = translate(lang, "proof_state_"+l.State)
		}
		v.Lines = append(v.Lines, lv)
	}
	title := "proof_current_title"
	if !v.Current {
		title = "proof_changed_title"
	}
	h.render(w, http.StatusOK, "proof.html", pageData{Lang: lang, OtherLang: other(lang), Title: translate(lang, title), Check: v})
}
