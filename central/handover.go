package central

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// The slot of central's action log where answers given on the handover
// pages are kept, in the order they were made. The kiosk id cannot be an
// enrolled kiosk's ('@' is not allowed in kiosk ids).
const (
	WebKiosk       = "@web"
	WebIncarnation = "handover"
)

// HandoverRecord is, with Redeem, KioskKey and Catalogue, the registry the
// handover pages (handoverweb.Registry) need: the delegation and its
// handover code record, read in one transaction.
func (s *Server) HandoverRecord(ctx context.Context, id string) (*bk.Delegation, handover.CodeRecord, error) {
	var d *bk.Delegation
	var rec handover.CodeRecord
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if d, err = tx.Delegation(id); err != nil {
			return err
		}
		rec, err = tx.HandoverCodes(id)
		return err
	})
	return d, rec, err
}

// Redeem records a delegate's answer on the handover pages. In one store
// transaction it loads the delegation and its handover code record,
// decides with handover.Decide and the server's rules (single use, newest
// code wins, the domain rules), and stores the changed delegation, the code
// record and a record of the web action with its verdict in the action log (WebKiosk,
// WebIncarnation). Refusals (claims that disagree with the record, used,
// superseded, someone else's, unknown delegation, expired code) change
// nothing.
func (s *Server) Redeem(ctx context.Context, r handover.Redemption) (bk.Verdict, error) {
	v, err := s.redeem(ctx, r)
	outcome := string(v.Outcome)
	if err != nil {
		outcome = bk.ErrorCode(err)
		if outcome == bk.EInternal {
			outcome = "error"
		}
	}
	s.metrics.handover.WithLabelValues(outcome).Inc()
	delegation := ""
	if r.Claims != nil {
		delegation = r.Claims.DelegationID
	}
	if err != nil && outcome == "error" {
		s.log.Error("handover redemption failed", "delegation", delegation, "err", err)
	} else {
		s.log.Info("handover redemption", "delegation", delegation, "accept", r.Accept, "method", r.Method,
			"outcome", outcome, "reason", v.Reason, "action", v.ActionID)
	}
	return v, err
}

func (s *Server) redeem(ctx context.Context, r handover.Redemption) (bk.Verdict, error) {
	if r.Claims == nil || r.Claims.DelegationID == "" || len(r.Claims.TokenID) == 0 || r.Delegate.IsZero() {
		return bk.Verdict{}, bk.Errorf(bk.EInvalid, "A handover answer needs the code and the person who signed in.")
	}
	now := s.now().UTC()
	if r.At.IsZero() {
		r.At = now
	}
	// The page checked expiry with its clock; central decides with its own.
	if !now.Before(r.Claims.ExpiresAt) {
		return bk.Verdict{}, bk.Errorf(handover.EExpired, "The handover code has expired. Ask for a new one.")
	}
	id := r.Claims.DelegationID
	var v bk.Verdict
	err := s.store.Update(ctx, func(tx Tx) error {
		d, err := tx.Delegation(id)
		if bk.ErrorCode(err) == bk.ENotFound {
			d, err = nil, nil
		}
		if err != nil {
			return err
		}
		rec, err := tx.HandoverCodes(id)
		if err != nil {
			return err
		}
		var changed *bk.Delegation
		var next handover.CodeRecord
		v, changed, next, err = handover.Decide(d, rec, r, s.rules)
		if err != nil {
			return err
		}
		if changed != nil {
			if err := tx.PutDelegation(changed); err != nil {
				return err
			}
		}
		if err := tx.PutHandoverCodes(id, next); err != nil {
			return err
		}
		return logWebAction(tx, r.Action(v.ActionID), &v, now)
	})
	if err != nil {
		return bk.Verdict{}, err
	}
	return v, nil
}

// logWebAction keeps web action a and its verdict v in the next slot of
// central's action log for the pages (WebKiosk, WebIncarnation), setting
// v.Seq.
func logWebAction(tx Tx, a *bk.Action, v *bk.Verdict, now time.Time) error {
	seq, err := tx.PushCursor(WebKiosk, WebIncarnation)
	if err != nil {
		return err
	}
	seq++
	v.Seq = seq
	err = tx.PutAction(&ActionRecord{
		Kiosk: WebKiosk, Incarnation: WebIncarnation, Seq: seq, Hash: a.ContentHash(),
		Action: a, Verdict: *v, ReceivedAt: now,
	})
	if err != nil {
		return err
	}
	return tx.SetPushCursor(WebKiosk, WebIncarnation, seq)
}

// DelegationsHeld lists the delegations given to cpr, by id, for the
// relative's overview page.
func (s *Server) DelegationsHeld(ctx context.Context, cpr bk.CPR) ([]*bk.Delegation, error) {
	var ds []*bk.Delegation
	err := s.store.View(ctx, func(tx Tx) (err error) {
		ds, err = tx.DelegationsByDelegate(cpr)
		return err
	})
	return ds, err
}

// Renounce records a delegate's renounce made on the overview page, the
// way Redeem records an answer: in one store transaction it loads the
// delegation, decides with handover.DecideRenounce and the server's rules
// (the rules a kiosk's renounce meets), and stores the changed delegation
// and the web action with its verdict in the action log. A delegation that
// is unknown or someone else's is refused and nothing is recorded.
func (s *Server) Renounce(ctx context.Context, r handover.Renouncement) (bk.Verdict, error) {
	now := s.now().UTC()
	if r.At.IsZero() {
		r.At = now
	}
	var v bk.Verdict
	err := s.store.Update(ctx, func(tx Tx) error {
		d, err := tx.Delegation(r.DelegationID)
		if bk.ErrorCode(err) == bk.ENotFound {
			d, err = nil, nil
		}
		if err != nil {
			return err
		}
		var changed *bk.Delegation
		var a *bk.Action
		if v, changed, a, err = handover.DecideRenounce(d, r, s.rules); err != nil {
			return err
		}
		if changed != nil && v.Outcome == bk.Applied {
			if err := tx.PutDelegation(changed); err != nil {
				return err
			}
		}
		return logWebAction(tx, a, &v, now)
	})
	if err != nil {
		if code := bk.ErrorCode(err); code == bk.EInternal {
			s.log.Error("web renounce failed", "delegation", r.DelegationID, "err", err)
		} else {
			s.log.Info("web renounce refused", "delegation", r.DelegationID, "code", code)
		}
		return bk.Verdict{}, err
	}
	s.log.Info("web renounce", "delegation", r.DelegationID, "method", r.Method, "outcome", v.Outcome, "reason", v.Reason, "action", v.ActionID)
	return v, nil
}

// handoverToken returns the token id a kiosk's accept or decline names, in
// lower-case hex, or "" when it names none or not a well-formed one.
func handoverToken(p bk.Payload) string {
	t := strings.ToLower(strings.TrimSpace(p.HandoverToken))
	b, err := hex.DecodeString(t)
	if err != nil || len(b) < 8 || len(b) > 16 {
		return ""
	}
	return t
}

// markTokenUsed records that the handover code with token was answered at a
// kiosk, so the same code cannot be redeemed again (apply refused it, in
// the same transaction, had it been used).
func markTokenUsed(tx Tx, delegationID, token string) error {
	rec, err := tx.HandoverCodes(delegationID)
	if err != nil {
		return err
	}
	rec.Use(token)
	return tx.PutHandoverCodes(delegationID, rec)
}

// indexTypedCode indexes the typed form of the first handover code that
// create action a (payload p) announces for delegation d, so the code can be
// typed on the pages (TypedClaims). A create without one indexes nothing. A
// code already taken by another delegation (50 random bits: a kiosk fault,
// not chance) is logged and left out; the create stands.
func (s *Server) indexTypedCode(tx Tx, a *bk.Action, p bk.Payload, d *bk.Delegation) error {
	tok, err := hex.DecodeString(handoverToken(p))
	if err != nil || len(tok) == 0 {
		return nil
	}
	e, ok := handover.NewTypedEntry(d.ID, tok, a.OccurredAt, p.HandoverExpires, d.ValidTo)
	if !ok {
		return nil
	}
	err = tx.PutTypedCode(e)
	if bk.ErrorCode(err) == bk.EConflict {
		s.log.Warn("typed handover code taken; left out", "delegation", d.ID, "kiosk", a.Kiosk)
		return nil
	}
	return err
}

// TypedClaims resolves a typed handover code, as a person typed it, to
// the claims of the code it spells, made from central's record
// (handover.TypedEntry.Claims), for the pages to treat like a scanned
// code's. It refuses, with an *bk.Error: a malformed code
// (handover.ETypedMalformed), one central has not heard of, which the
// kiosk may not have sent yet (handover.ETypedUnknown), and an expired one
// (handover.EExpired). Whether it is used or superseded is the pages'
// and Redeem's business, by the same rules as a scanned code. Each
// lookup is logged with the code's first four characters only.
func (s *Server) TypedClaims(ctx context.Context, typed string) (*handover.Claims, error) {
	c, err := s.typedClaims(ctx, typed)
	outcome := "found"
	if err != nil {
		outcome = bk.ErrorCode(err)
	}
	s.metrics.typed.WithLabelValues(outcome).Inc()
	shown := ""
	if code, perr := handover.ParseTyped(typed); perr == nil {
		shown = code[:4] + "…"
	}
	if outcome == bk.EInternal {
		s.log.Error("typed handover code lookup failed", "code", shown, "err", err)
	} else {
		s.log.Info("typed handover code lookup", "code", shown, "outcome", outcome)
	}
	return c, err
}

func (s *Server) typedClaims(ctx context.Context, typed string) (*handover.Claims, error) {
	code, err := handover.ParseTyped(typed)
	if err != nil {
		return nil, err
	}
	var c *handover.Claims
	err = s.store.View(ctx, func(tx Tx) error {
		e, err := tx.TypedCode(code)
		if bk.ErrorCode(err) == bk.ENotFound {
			return bk.Errorf(handover.ETypedUnknown, "This code is not known yet. If the power of attorney was made just now, the kiosk may not have sent it yet: try again later.")
		}
		if err != nil {
			return err
		}
		d, err := tx.Delegation(e.DelegationID)
		if err != nil {
			return err
		}
		c = e.Claims(d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !s.now().Before(c.ExpiresAt) {
		return nil, bk.Errorf(handover.EExpired, "The handover code has expired. Ask for a new one.")
	}
	return c, nil
}
