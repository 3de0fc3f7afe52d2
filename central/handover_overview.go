package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// OverviewKeyID names central's key in overview tokens: none, to keep the
// QR small while central has one key.
const OverviewKeyID = ""

// OverviewTokenResponse is central's answer to a kiosk asking for the
// signed proof of a citizen's printed overview.
type OverviewTokenResponse struct {
	// Path is the page that checks the paper ("/O/…"); the kiosk prints
	// its central's address in front of it, upper-cased, as a QR code.
	Path     string    `json:"path"`
	IssuedAt time.Time `json:"issued_at"`
	// IDs are the arrangements the token covers, in its order.
	IDs []string `json:"ids"`
}

// overviewLine is the digest of what a printed overview says of delegation
// d or consent c: the fields the paper shows, and nothing that changes
// without the paper becoming wrong.
func overviewLine(d *bk.Delegation, c *bk.Consent, now time.Time) (handover.OverviewLine, bool) {
	var kind byte
	var id, text string
	switch {
	case d != nil:
		kind, id = handover.LineDelegation, d.ID
		var b strings.Builder
		fmt.Fprintf(&b, "%s|%s|%s|%s|%d|%d", d.ID, d.StateAt(now), d.PrincipalName, d.DelegateName, d.ValidFrom.Unix(), d.ValidTo.Unix())
		for _, g := range d.Scopes {
			fmt.Fprintf(&b, "|%s:%d", g.ScopeID, g.Until.Unix())
		}
		text = b.String()
	case c != nil:
		kind, id = handover.LineConsent, c.ID
		text = fmt.Sprintf("%s|%s|%s|%d|%s", c.ID, c.StateAt(now), c.AuthorityID, c.ValidUntil.Unix(), strings.Join(c.DataCategories, ","))
	}
	lineID, ok := handover.LineID(kind, id)
	if !ok {
		return handover.OverviewLine{}, false
	}
	sum := sha256.Sum256([]byte(text))
	return handover.OverviewLine{ID: lineID, Digest: sum[:handover.OverviewDigestLen]}, true
}

// OverviewToken checks that the card holder is present (signIn), as
// CitizenState does, and signs with central's key the digests of the
// arrangements their overview prints: the consents and delegations
// CitizenState returns. Central keeps nothing: CheckOverview recomputes
// each line from its record.
func (s *Server) OverviewToken(ctx context.Context, kioskID string, auth *bk.CitizenAuth) (*OverviewTokenResponse, error) {
	st, err := s.CitizenState(ctx, kioskID, auth)
	if err != nil {
		return nil, err
	}
	now := st.FetchedAt
	o := handover.Overview{IssuedAt: now}
	resp := &OverviewTokenResponse{IssuedAt: now.Truncate(time.Second), IDs: []string{}}
	add := func(d *bk.Delegation, c *bk.Consent) {
		if l, ok := overviewLine(d, c, now); ok {
			o.Lines = append(o.Lines, l)
			_, id, _ := handover.LineArrangement(l.ID)
			resp.IDs = append(resp.IDs, id)
		}
	}
	for _, c := range st.Consents {
		add(nil, c)
	}
	for _, d := range st.GivenByMe {
		add(d, nil)
	}
	for _, d := range st.GivenToMe {
		add(d, nil)
	}
	if len(o.Lines) == 0 {
		return nil, bk.Errorf(bk.ENotFound, "There are no arrangements to prove.")
	}
	if len(o.Lines) > handover.MaxOverviewLines {
		return nil, bk.Errorf(bk.EInvalid, "The overview has more than %d lines; it is printed without a proof.", handover.MaxOverviewLines)
	}
	if resp.Path, err = handover.IssueOverview(o, OverviewKeyID, s.cfg.Key); err != nil {
		return nil, err
	}
	s.log.Info("overview token issued", "kiosk", kioskID, "lines", len(o.Lines))
	return resp, nil
}

// CheckOverview verifies the overview token at path (its page's path)
// with central's key and says of each line whether it still holds. A token
// that is not central's is refused with handover.EBadSignature, a damaged
// one with EMalformed.
func (s *Server) CheckOverview(ctx context.Context, path string) (*handover.OverviewCheck, error) {
	o, err := handover.VerifyOverview(path, s.cfg.Key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	check := &handover.OverviewCheck{IssuedAt: o.IssuedAt}
	err = s.store.View(ctx, func(tx Tx) error {
		for _, l := range o.Lines {
			kind, id, ok := handover.LineArrangement(l.ID)
			if !ok {
				return bk.Errorf(handover.EMalformed, "malformed overview line")
			}
			var d *bk.Delegation
			var c *bk.Consent
			var err error
			lc := handover.LineCheck{}
			switch kind {
			case handover.LineDelegation:
				lc.Kind = "delegation"
				d, err = tx.Delegation(id)
			default:
				lc.Kind = "consent"
				c, err = tx.Consent(id)
			}
			switch {
			case bk.ErrorCode(err) == bk.ENotFound:
			case err != nil:
				return err
			case d != nil:
				lc.State = string(d.StateAt(now))
			default:
				lc.State = string(c.StateAt(now))
			}
			if err == nil {
				cur, _ := overviewLine(d, c, now)
				lc.Current = bytes.Equal(cur.Digest, l.Digest)
			}
			check.Lines = append(check.Lines, lc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("overview checked", "issued", o.IssuedAt, "lines", len(check.Lines), "current", check.Current())
	return check, nil
}

func (s *Server) handleOverviewToken(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte) {
	var auth bk.CitizenAuth
	if err := DecodeJSON(body, &auth); err != nil {
		s.fail(w, r, err)
		return
	}
	resp, err := s.OverviewToken(r.Context(), k.ID, &auth)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
