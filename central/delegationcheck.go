package central

import (
	"context"
	"net/http"
	"slices"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// DelegationCheck asks whether a delegate may act for a principal in one
// scope now. Purpose says why; it goes into both people's usage logs.
type DelegationCheck struct {
	Principal bk.CPR `json:"principal"`
	Delegate  bk.CPR `json:"delegate"`
	Scope     string `json:"scope"`
	Purpose   string `json:"purpose"`
}

// DelegationCheckResult answers a DelegationCheck. When allowed it names the
// delegation that allows it, when the asked scope ends (the earlier of the
// scope's own end and the delegation's), and the scopes of that delegation
// in force now that the asking authority may check, each with its end. A
// refusal says nothing more: an authority does not learn whether a pending,
// revoked or other-scope delegation exists.
type DelegationCheckResult struct {
	Allowed      bool           `json:"allowed"`
	DelegationID string         `json:"delegation_id,omitempty"`
	Until        time.Time      `json:"until,omitzero"`
	Scopes       []ScopeInForce `json:"scopes,omitempty"`
}

// ScopeInForce is one scope of a delegation in force, until when.
type ScopeInForce struct {
	ScopeID string    `json:"scope_id"`
	Until   time.Time `json:"until"`
}

// maxCheckPurpose bounds the purpose of a consent or delegation check.
const maxCheckPurpose = 500

// CheckDelegation tells an authority whether an active delegation lets
// delegate act for principal in scope now. The catalogue must let the
// authority check that scope (else EScopeNotAllowed).
func (s *Server) CheckDelegation(ctx context.Context, authorityID string, q *DelegationCheck) (*DelegationCheckResult, error) {
	return s.CheckDelegationAs(ctx, bk.UsageDelegationCheck, authorityID, "", q)
}

// CheckDelegationAs is CheckDelegation recorded in the usage logs as kind,
// asked by service (an OAuth client of the authority; empty for none): the
// token exchange decides with it as bk.UsageTokenExchange, so that a token
// and a check never disagree and the two people read that a service got
// (or was refused) an on-behalf token, once, not that it checked.
func (s *Server) CheckDelegationAs(ctx context.Context, kind bk.UsageKind, authorityID, service string, q *DelegationCheck) (*DelegationCheckResult, error) {
	defer observeSince(s.metrics.checkTime.WithLabelValues(string(kind)), time.Now())
	now := s.now()
	for _, p := range []struct {
		name string
		cpr  bk.CPR
	}{{"principal", q.Principal}, {"delegate", q.Delegate}} {
		if p.cpr.IsZero() {
			return nil, bk.Errorf(bk.EInvalid, "%s is required", p.name)
		}
		if err := p.cpr.CheckBorn(now); err != nil {
			return nil, err
		}
	}
	if q.Principal == q.Delegate {
		return nil, bk.Errorf(bk.EInvalid, "principal and delegate must be two different people")
	}
	if _, ok := s.cfg.Catalogue.Scope(q.Scope); !ok {
		return nil, bk.Errorf(bk.EUnknownScope, "unknown scope %q", q.Scope)
	}
	if q.Purpose == "" || len(q.Purpose) > maxCheckPurpose {
		return nil, bk.Errorf(bk.EInvalid, "purpose is required (at most %d characters)", maxCheckPurpose)
	}
	rec := &bk.UsageRecord{Kind: kind, Authority: authorityID, Service: service, Scope: q.Scope, Purpose: q.Purpose}
	entry := UsageEntry{Record: rec, Principal: q.Principal, Delegate: q.Delegate}
	if !s.cfg.Catalogue.MayCheckScope(authorityID, q.Scope) {
		s.log.Info("delegation check refused: scope not allowed", "authority", authorityID, "principal", q.Principal, "scope", q.Scope)
		// Both people see that it was asked, and that central refused.
		rec.Answer, rec.Reason = bk.UsageRefused, bk.EScopeNotAllowed
		if err := s.usage.Record(entry); err != nil {
			return nil, err
		}
		return nil, bk.Errorf(bk.EScopeNotAllowed, "The catalogue does not let this authority check delegations of the scope %q.", q.Scope)
	}
	var list []*bk.Delegation
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = tx.DelegationsByPrincipal(q.Principal)
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &DelegationCheckResult{}
	var best *bk.Delegation
	for _, d := range list {
		if d.Delegate != q.Delegate {
			continue
		}
		// The names of any delegation between the two, for the log.
		rec.PrincipalName, rec.DelegateName = d.PrincipalName, d.DelegateName
		if until, ok := scopeUntil(d, q.Scope, now); ok && until.After(res.Until) {
			best, res.Until = d, until
		}
	}
	if best != nil {
		res.Allowed, res.DelegationID = true, best.ID
		for _, id := range best.ActiveScopes(now) {
			if s.cfg.Catalogue.MayCheckScope(authorityID, id) {
				u, _ := scopeUntil(best, id, now)
				res.Scopes = append(res.Scopes, ScopeInForce{ScopeID: id, Until: u.UTC()})
			}
		}
		res.Until = res.Until.UTC()
		rec.DelegationID, rec.PrincipalName, rec.DelegateName = best.ID, best.PrincipalName, best.DelegateName
	}
	rec.Answer = answer(res.Allowed)
	if err := s.usage.Record(entry); err != nil {
		return nil, err
	}
	s.log.Info("delegation check", "authority", authorityID, "principal", q.Principal, "delegate", q.Delegate,
		"scope", q.Scope, "purpose", q.Purpose, "allowed", res.Allowed)
	return res, nil
}

// scopeUntil returns when scope of d ends, if it is in force now: the
// scope's own end when it has one before the delegation's.
func scopeUntil(d *bk.Delegation, scope string, now time.Time) (time.Time, bool) {
	if !slices.Contains(d.ActiveScopes(now), scope) {
		return time.Time{}, false
	}
	until := d.ValidTo
	for _, g := range d.Scopes {
		if g.ScopeID == scope && !g.Until.IsZero() && g.Until.Before(until) {
			until = g.Until
		}
	}
	return until, true
}

func (s *Server) handleDelegationCheck(w http.ResponseWriter, r *http.Request, authorityID string) {
	var q DelegationCheck
	if !s.readJSON(w, r, &q, false) {
		return
	}
	res, err := s.CheckDelegation(r.Context(), authorityID, &q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
