package fake

import (
	"maps"
	"sort"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// AddConsentRequest makes an authority's request to the citizen with cpr,
// as central would on receiving it, and returns its id.
func (k *Kiosk) AddConsentRequest(cpr, authorityID string, purpose bk.Text, categories []string, days int) string {
	now := k.now()
	r := &bk.ConsentRequest{CPR: bk.MustParseCPR(cpr), Purpose: purpose, DataCategories: categories,
		LegalBasis: bk.Text{DA: "Dit samtykke", EN: "Your consent"}, ValidDays: days}
	if err := r.Validate(&k.bundle.Catalogue, authorityID, now); err != nil {
		panic(err) // a test's own fixture is wrong
	}
	c := bk.NewConsent(bk.NewID(now), authorityID, r, now)
	k.mu.Lock()
	k.consents[c.ID] = c
	k.mu.Unlock()
	return c.ID
}

// GiveDelegation puts at central a power of attorney from principal to
// delegate (named as on their cards) for scopes, accepted, ending in days:
// the way a test gets one that ends soon. It returns its id.
func (k *Kiosk) GiveDelegation(principal, principalName, delegate, delegateName string, scopes []string, days int) string {
	now := k.now()
	d := &bk.Delegation{ID: bk.NewID(now), Principal: bk.MustParseCPR(principal), PrincipalName: principalName,
		Delegate: bk.MustParseCPR(delegate), DelegateName: delegateName, ValidFrom: now.AddDate(-1, 0, 0),
		ValidTo: now.AddDate(0, 0, days), CreatedVia: bk.ViaSelf, CreatedAt: now.AddDate(-1, 0, 0),
		State: bk.DelegationActive, ChangedAt: now.AddDate(-1, 0, 0)}
	for _, id := range scopes {
		d.Scopes = append(d.Scopes, bk.ScopeGrant{ScopeID: id})
	}
	k.mu.Lock()
	k.delegations[d.ID] = d
	k.mu.Unlock()
	return d.ID
}

// Consent returns a copy of central's consent id, or nil.
func (k *Kiosk) Consent(id string) *bk.Consent {
	k.mu.Lock()
	defer k.mu.Unlock()
	if c, ok := k.consents[id]; ok {
		cp := *c
		return &cp
	}
	return nil
}

// Delegation returns a copy of central's delegation id, or nil.
func (k *Kiosk) Delegation(id string) *bk.Delegation {
	k.mu.Lock()
	defer k.mu.Unlock()
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return &cp
	}
	return nil
}

// Delegations returns copies of every delegation central knows, oldest first.
func (k *Kiosk) Delegations() []*bk.Delegation {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*bk.Delegation
	for _, d := range k.delegations {
		cp := *d
		out = append(out, &cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) || out[i].ID < out[j].ID })
	return out
}

// Queued returns the actions waiting in the outbox.
func (k *Kiosk) Queued() []*bk.Action {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*bk.Action(nil), k.outbox...)
}

// pushLocked plays central: every queued action is verified with central's
// revocation list and applied with the rules; what is not applied goes on
// the attention list.
func (k *Kiosk) pushLocked() {
	now := k.now()
	trust := k.bundle.Trust()
	trust.Revoked = maps.Clone(trust.Revoked) // the bundle's set is shared
	for s := range k.centralRevoked {
		trust.Revoked[s] = true
	}
	for _, a := range k.outbox {
		var v bk.Verdict
		actor, staff, err := trust.VerifyAction(a)
		if err != nil {
			v = bk.Refuse(a.ID, err)
		} else {
			var next bk.Target
			v, next = k.rules.Apply(k.targetLocked(a), a, actor, staff, now)
			if v.Outcome == bk.Applied {
				if next.Consent != nil {
					k.consents[next.Consent.ID] = next.Consent
				}
				if next.Delegation != nil {
					k.delegations[next.Delegation.ID] = next.Delegation
				}
				if next.Contact != nil {
					k.contacts[actor.CPR] = next.Contact
				}
			}
		}
		if v.NeedsAttention() {
			// As the outbox does: from the action's certificate, checked or
			// not (a refused card's action is the one that needs attention).
			who, name := a.ActorSerial, ""
			if c, err := bk.DecodeCertificate(a.ActorCert); err == nil {
				who, name = c.CPR.Masked(), c.Name
			}
			k.attention = append(k.attention, bk.AttentionItem{ActionID: a.ID, Kind: a.Kind, OccurredAt: a.OccurredAt, Actor: who, ActorName: name, Verdict: v})
		}
	}
	k.outbox = nil
	k.lastSync = now
}

func (k *Kiosk) targetLocked(a *bk.Action) bk.Target {
	id, err := a.Subject()
	if err != nil {
		return bk.Target{}
	}
	if a.Kind.OnContact() {
		actor, err := bk.DecodeCertificate(a.ActorCert)
		if err != nil {
			return bk.Target{}
		}
		if c, ok := k.contacts[actor.CPR]; ok {
			cp := *c
			return bk.Target{Contact: &cp}
		}
		return bk.Target{}
	}
	if a.Kind.OnConsent() {
		if c, ok := k.consents[id]; ok {
			cp := *c
			return bk.Target{Consent: &cp}
		}
		return bk.Target{}
	}
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return bk.Target{Delegation: &cp}
	}
	return bk.Target{}
}
