package central

// The push path: a kiosk's batch of signed actions, checked (precheck,
// outside the store transaction) and applied exactly once to the registry
// in one transaction (Push, apply).

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// ForkError reports that a kiosk incarnation sent a sequence number again
// with different content: two devices share an incarnation, or a kiosk's
// outbox was tampered with. Nothing of the batch is kept.
type ForkError struct {
	Kiosk, Incarnation string
	Seq                uint64
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("fork: kiosk %s incarnation %s sent sequence number %d again with different content", e.Kiosk, e.Incarnation, e.Seq)
}

// prechecked is what precheck found of one item: its signature checks and
// its decoded payload.
type prechecked struct {
	checked *bk.Checked
	payload bk.Payload
	err     error // from Decode
}

// precheck makes the signature checks of the items of req that may be new
// (after the cursor as a snapshot read finds it), and decodes their
// payloads, outside the store transaction, so that a transaction that runs
// again does not redo them. An item missing from the map is checked inside
// (the cursor only rises, so that does not happen unless the snapshot read
// fails).
func (s *Server) precheck(ctx context.Context, kioskID string, req *bk.PushRequest) map[uint64]*prechecked {
	var last uint64
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		last, err = tx.PushCursor(kioskID, req.Incarnation)
		return err
	})
	if err != nil {
		return nil
	}
	trust := s.trust()
	out := make(map[uint64]*prechecked, len(req.Actions))
	for _, it := range req.Actions {
		if it.Seq > last && it.Action != nil && it.Action.Kiosk == kioskID {
			p, err := it.Action.Decode()
			out[it.Seq] = &prechecked{checked: trust.CheckAction(it.Action), payload: p, err: err}
		}
	}
	return out
}

// prefetch names, for tx.Prefetch, what the items of req after last will
// look up: their slots, ids, targets, handover code records and card
// serials.
func prefetch(kioskID string, req *bk.PushRequest, last uint64, pre map[uint64]*prechecked) Keys {
	k := Keys{Kiosk: kioskID, Incarnation: req.Incarnation}
	for _, it := range req.Actions {
		k.Seqs = append(k.Seqs, it.Seq)
		pc := pre[it.Seq]
		if it.Seq <= last || pc == nil || pc.err != nil {
			continue
		}
		a := it.Action
		k.ActionIDs = append(k.ActionIDs, a.ID)
		k.Revocations = append(k.Revocations, pc.checked.Serials()...)
		subject := pc.payload.Subject(a.Kind)
		switch {
		case a.Kind.OnContact(): // keyed by the signer, read as it comes
		case a.Kind.OnConsent():
			k.Consents = append(k.Consents, subject)
		default:
			k.Delegations = append(k.Delegations, subject)
		}
		switch a.Kind {
		case bk.AcceptDelegation, bk.DeclineDelegation:
			k.HandoverCodes = append(k.HandoverCodes, subject)
		case bk.CreateDelegation, bk.RenewDelegation: // indexTypedCode
			if tok, err := hex.DecodeString(handoverToken(pc.payload)); err == nil {
				if code, ok := handover.TypedCode(tok); ok {
					k.TypedCodes = append(k.TypedCodes, code)
				}
			}
		}
	}
	return k
}

// Push applies a batch from kioskID (already authenticated) exactly once, in
// one store transaction. Items at or below the incarnation's cursor are
// duplicates when their content is what was stored, else the whole batch is
// refused with a *ForkError. The item right after the cursor is verified,
// run through the rules, stored with its verdict, and moves the cursor. A
// gap stops the batch; the answer's LastSeq tells the kiosk where to resume.
func (s *Server) Push(ctx context.Context, kioskID string, req *bk.PushRequest) (*bk.PushResponse, error) {
	if req.Kiosk != kioskID {
		return nil, bk.Errorf(bk.EForbidden, "The batch names another kiosk than the one that signed the request.")
	}
	defer observeSince(s.metrics.pushTime, time.Now())
	now := s.now().UTC()
	checked := s.precheck(ctx, kioskID, req)
	var resp *bk.PushResponse
	err := s.store.Update(ctx, func(tx Tx) error {
		resp = &bk.PushResponse{Verdicts: []bk.Verdict{}} // fn may run again
		last, err := tx.PushCursor(kioskID, req.Incarnation)
		if err != nil {
			return err
		}
		start := last
		if err := tx.Prefetch(prefetch(kioskID, req, last, checked)); err != nil {
			return err
		}
	items:
		for _, it := range req.Actions {
			hash := it.Action.ContentHash()
			switch {
			case it.Seq <= last:
				rec, err := tx.ActionAt(kioskID, req.Incarnation, it.Seq)
				if err != nil {
					return fmt.Errorf("push cursor at %d but no record of %d: %w", last, it.Seq, err)
				}
				if !bytes.Equal(rec.Hash, hash) {
					return &ForkError{Kiosk: kioskID, Incarnation: req.Incarnation, Seq: it.Seq}
				}
				first := rec.Verdict
				first.First = nil
				resp.Verdicts = append(resp.Verdicts, bk.Verdict{
					ActionID: rec.Action.ID, Seq: it.Seq, Outcome: bk.Duplicate,
					Message: "Already received; its first verdict was " + string(rec.Verdict.Outcome) + ".",
					First:   &first,
				})
			case it.Seq == last+1:
				v, err := s.apply(tx, checked[it.Seq], kioskID, it, hash, now)
				if err != nil {
					return err
				}
				v.Seq = it.Seq
				err = tx.PutAction(&ActionRecord{
					Kiosk: kioskID, Incarnation: req.Incarnation, Seq: it.Seq, Hash: hash,
					Action: it.Action, Verdict: v, ReceivedAt: now,
				})
				if err != nil {
					return err
				}
				resp.Verdicts = append(resp.Verdicts, v)
				last = it.Seq
			default:
				break items // a gap: the kiosk resends from LastSeq+1
			}
		}
		resp.LastSeq = last
		if last == start {
			return nil
		}
		return tx.SetPushCursor(kioskID, req.Incarnation, last)
	})
	if fe, ok := err.(*ForkError); ok {
		s.metrics.forks.Inc()
		s.log.Error("fork alarm: a kiosk sent different content for a sequence number it sent before",
			"kiosk", fe.Kiosk, "incarnation", fe.Incarnation, "seq", fe.Seq)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	for _, v := range resp.Verdicts {
		s.metrics.pushActions.WithLabelValues(string(v.Outcome)).Inc()
		if v.NeedsAttention() {
			s.log.Info("action not applied", "kiosk", kioskID, "action", v.ActionID, "seq", v.Seq, "outcome", v.Outcome, "reason", v.Reason)
		}
	}
	s.log.Info("push", "kiosk", kioskID, "incarnation", req.Incarnation, "items", len(req.Actions), "last_seq", resp.LastSeq)
	return resp, nil
}

// apply decides one new action pushed by kioskID. Refusals are verdicts;
// only store faults are errors.
// pre is its precheck, or nil to make the checks here.
func (s *Server) apply(tx Tx, pre *prechecked, kioskID string, it bk.PushItem, hash []byte, now time.Time) (bk.Verdict, error) {
	a := it.Action
	// The payload is decoded once, and passed on: decoding it again for
	// the subject, the handover token and the rules was most of the CPU
	// an action cost after its signatures.
	var checked *bk.Checked
	var p bk.Payload
	var err error
	if pre != nil {
		checked, p, err = pre.checked, pre.payload, pre.err
	} else {
		p, err = a.Decode()
	}
	if err != nil {
		return bk.Refuse(a.ID, err), nil
	}
	// The kiosk field is signed by the card and binds a staff grant to its
	// kiosk; an action another kiosk pushes was copied (a stolen kiosk key
	// replaying a grant meant for elsewhere). Checked before the duplicate
	// check, so a kiosk cannot probe which actions exist elsewhere.
	if a.Kiosk != kioskID {
		return bk.Refuse(a.ID, bk.Errorf(ECodeWrongKiosk, "The action was made at kiosk %q, not at the kiosk that sent it.", a.Kiosk)), nil
	}
	if !bytes.Equal(it.Hash, hash) {
		return bk.Refuse(a.ID, bk.Errorf(bk.EInvalid, "The hash sent with the action does not match its content.")), nil
	}
	if _, err := tx.ActionByID(a.ID); err == nil {
		return bk.Verdict{ActionID: a.ID, Outcome: bk.Duplicate, Message: "This action was already received."}, nil
	} else if bk.ErrorCode(err) != bk.ENotFound {
		return bk.Verdict{}, err
	}
	if checked == nil {
		checked = s.trust().CheckAction(a)
	}
	actor, staff, refusal, err := checked.Decide(revoked(tx))
	if err != nil {
		return bk.Verdict{}, err
	}
	if refusal != nil {
		return bk.Refuse(a.ID, refusal), nil
	}
	subject := p.Subject(a.Kind)
	// A handover code answers once, wherever it is answered.
	if a.Kind == bk.AcceptDelegation || a.Kind == bk.DeclineDelegation {
		if token := handoverToken(p); token != "" {
			rec, err := tx.HandoverCodes(subject)
			if err != nil {
				return bk.Verdict{}, err
			}
			if refusal := rec.CheckUnused(token); refusal != nil {
				return bk.Refuse(a.ID, refusal), nil
			}
		}
	}
	var target bk.Target
	switch {
	case a.Kind.OnContact():
		// The subject is the signer; their card's CPR, never the payload's.
		target.Contact, err = tx.Contact(actor.CPR)
	case a.Kind.OnConsent():
		target.Consent, err = tx.Consent(subject)
	default:
		target.Delegation, err = tx.Delegation(subject)
	}
	if err != nil && bk.ErrorCode(err) != bk.ENotFound {
		return bk.Verdict{}, err
	}
	v, changed := s.rules.ApplyDecoded(target, a, p, actor, staff, now)
	if v.Outcome != bk.Applied {
		return v, nil
	}
	switch {
	case changed.Contact != nil:
		err = tx.PutContact(actor.CPR, changed.Contact)
		if err == nil {
			err = reopenUnreachable(tx, s.cfg.Notices.Reminders, actor.CPR, changed.Contact, now)
		}
	case changed.Consent != nil:
		err = tx.PutConsent(changed.Consent)
	case changed.Delegation != nil:
		err = tx.PutDelegation(changed.Delegation)
	}
	if err != nil {
		return v, err
	}
	// An answer given at a kiosk uses up the handover code it answered, so
	// the same code cannot be redeemed again on the web.
	if a.Kind == bk.AcceptDelegation || a.Kind == bk.DeclineDelegation {
		if token := handoverToken(p); token != "" {
			err = markTokenUsed(tx, subject, token)
		}
	}
	// A renewal that widens the areas carries a first code as a create
	// does: the delegate accepts again with it.
	if (a.Kind == bk.CreateDelegation || a.Kind == bk.RenewDelegation && changed.Delegation.State == bk.DelegationPending) && err == nil {
		err = s.indexTypedCode(tx, a, p, changed.Delegation)
	}
	if err == nil {
		// The outbox: what people must hear of this change, in its transaction.
		err = storeDerived(tx, deriveNotices(s.cfg.Notices.Reminders, target, changed, a, now))
	}
	return v, err
}
