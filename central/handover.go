package central

import (
	"context"
	"encoding/hex"
	"strings"

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
		seq, err := tx.PushCursor(WebKiosk, WebIncarnation)
		if err != nil {
			return err
		}
		seq++
		v.Seq = seq
		a := r.Action(v.ActionID)
		err = tx.PutAction(&ActionRecord{
			Kiosk: WebKiosk, Incarnation: WebIncarnation, Seq: seq, Hash: a.ContentHash(),
			Action: a, Verdict: v, ReceivedAt: now,
		})
		if err != nil {
			return err
		}
		return tx.SetPushCursor(WebKiosk, WebIncarnation, seq)
	})
	if err != nil {
		return bk.Verdict{}, err
	}
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
