package borgerkiosk_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// now is the fixed "central's clock" of the rules tests; every birth date and
// timestamp below is relative to it.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// t0 is when the object under test last changed, well before now.
var t0 = now.Add(-time.Hour)

const (
	skewIn  = 2 * time.Minute  // inside DefaultRules' 5-minute clock skew
	skewOut = 30 * time.Minute // clearly beyond it
)

// People, by age on now (26 November 2026).
const (
	principalCPR = "010170-1234" // 56
	delegateCPR  = "020285-2345" // 41
	strangerCPR  = "030390-3456" // 36
	age14CPR     = "271111-4001" // born 27 Nov 2011: turns 15 tomorrow
	age15CPR     = "261111-4001" // born 26 Nov 2011: 15 today
	age17CPR     = "271108-4002" // born 27 Nov 2008: turns 18 tomorrow
	age18CPR     = "261108-4002" // born 26 Nov 2008: 18 today
)

const (
	consentID    = "01900000-0000-7000-8000-000000000001"
	delegationID = "01900000-0000-7000-8000-000000000002"
)

func citizen(cpr, name string) *bk.Certificate {
	return &bk.Certificate{Serial: "S-" + cpr, CPR: bk.MustParseCPR(cpr), Name: name, Role: bk.RoleCitizen}
}

var (
	principal = citizen(principalCPR, "Poul Principal")
	delegate  = citizen(delegateCPR, "Dorte Delegate")
	stranger  = citizen(strangerCPR, "Søren Stranger")
	helper    = &bk.Certificate{Serial: "S-staff", CPR: bk.MustParseCPR("040480-4567"), Name: "Hanne Hjælper", Role: bk.RoleStaff, StaffID: "B1234"}
)

func testRules() *bk.Rules { return bk.DefaultRules(fixture.Catalogue()) }

// consent returns a consent of principal in state s, last changed at t0.
func consent(s bk.ConsentState, mods ...func(*bk.Consent)) *bk.Consent {
	c := &bk.Consent{
		ID:             consentID,
		CPR:            principal.CPR,
		AuthorityID:    "sundhed",
		Purpose:        bk.Text{DA: "Behandling", EN: "Treatment"},
		DataCategories: []string{"health"},
		LegalBasis:     bk.Text{DA: "Samtykke", EN: "Consent"},
		ValidDays:      365,
		RequestedAt:    now.AddDate(0, 0, -30),
		State:          s,
		ChangedAt:      t0,
	}
	if s != bk.ConsentRequested {
		c.ChangedBy = "01900000-0000-7000-8000-0000000000aa"
	}
	if s == bk.ConsentGiven || s == bk.ConsentWithdrawn || s == bk.ConsentRevoked || s == bk.ConsentExpired {
		c.GivenAt = t0
		c.ValidUntil = t0.AddDate(0, 0, c.ValidDays)
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

// expiredByTime is a consent still written as given whose validity ended.
func expiredByTime(c *bk.Consent) {
	c.GivenAt = now.AddDate(-1, 0, -1)
	c.ValidUntil = now.Add(-time.Hour)
	c.ChangedAt = c.GivenAt
}

// delegation returns a delegation from principal to delegate in state s,
// last changed at t0.
func delegation(s bk.DelegationState, mods ...func(*bk.Delegation)) *bk.Delegation {
	d := &bk.Delegation{
		ID:            delegationID,
		Principal:     principal.CPR,
		PrincipalName: principal.Name,
		Delegate:      delegate.CPR,
		Scopes:        []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: now.AddDate(0, 6, 0)}},
		ValidFrom:     now.AddDate(0, 0, -10),
		ValidTo:       now.AddDate(1, 0, 0),
		CreatedVia:    bk.ViaSelf,
		CreatedAt:     now.AddDate(0, 0, -10),
		State:         s,
		ChangedAt:     t0,
		ChangedBy:     "01900000-0000-7000-8000-0000000000bb",
	}
	if s != bk.DelegationPending && s != bk.DelegationDeclined {
		d.DelegateName = delegate.Name
	}
	for _, m := range mods {
		m(d)
	}
	return d
}

// requestedAgo makes a consent whose request was made ago before now; its
// last change (a decline, say) came a day after the request.
func requestedAgo(ago time.Duration) func(*bk.Consent) {
	return func(c *bk.Consent) {
		c.RequestedAt = now.Add(-ago)
		c.ChangedAt = c.RequestedAt.Add(24 * time.Hour)
	}
}

func delegationExpiredByTime(d *bk.Delegation) {
	d.ValidFrom = now.AddDate(-1, 0, -1)
	d.ValidTo = now.Add(-time.Hour)
	d.CreatedAt = d.ValidFrom
}

func delegateIs(cpr string) func(*bk.Delegation) {
	return func(d *bk.Delegation) { d.Delegate = bk.MustParseCPR(cpr) }
}

// createPayload is a valid create_delegation payload for delegate, starting now.
func createPayload(mods ...func(*bk.Payload)) *bk.Payload {
	dc := delegate.CPR
	p := &bk.Payload{
		DelegationID: delegationID,
		Delegate:     &dc,
		Scopes:       []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: now.AddDate(0, 6, 0)}},
		ValidFrom:    now,
		ValidTo:      now.AddDate(1, 0, 0),
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func newAction(tb testing.TB, kind bk.ActionKind, p bk.Payload, at time.Time) *bk.Action {
	tb.Helper()
	a, err := bk.NewAction(kind, p, "kiosk-test", at)
	if err != nil {
		tb.Fatalf("NewAction(%s) = %v", kind, err)
	}
	return a
}

// ruleCase is one call of Apply. want* describe the verdict and, when it is
// Applied, the state of the object returned.
type ruleCase struct {
	name       string
	consent    *bk.Consent
	delegation *bk.Delegation
	kind       bk.ActionKind
	payload    *bk.Payload // nil: just the subject id
	at         time.Time   // occurred_at; zero means now
	actor      *bk.Certificate
	staff      *bk.Certificate
	outcome    bk.Outcome
	reason     string
	state      string // state of the returned object when applied
	check      func(t *testing.T, got bk.Target, a *bk.Action)
}

func targetState(t bk.Target) string {
	switch {
	case t.Consent != nil:
		return string(t.Consent.State)
	case t.Delegation != nil:
		return string(t.Delegation.State)
	}
	return "none"
}

func cloneTarget(t bk.Target) bk.Target {
	var out bk.Target
	if t.Consent != nil {
		c := *t.Consent
		c.DataCategories = slices.Clone(c.DataCategories)
		out.Consent = &c
	}
	if t.Delegation != nil {
		d := *t.Delegation
		d.Scopes = slices.Clone(d.Scopes)
		out.Delegation = &d
	}
	return out
}

func cloneAction(a *bk.Action) *bk.Action {
	b := *a
	b.Payload = slices.Clone(a.Payload)
	b.ActorCert = slices.Clone(a.ActorCert)
	b.ActorSignature = slices.Clone(a.ActorSignature)
	if a.Assist != nil {
		g := *a.Assist
		b.Assist = &g
	}
	return &b
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at.IsZero() {
				at = now
			}
			p := bk.Payload{ConsentID: consentID}
			if !tc.kind.OnConsent() {
				p = bk.Payload{DelegationID: delegationID}
			}
			if tc.payload != nil {
				p = *tc.payload
			}
			a := newAction(t, tc.kind, p, at)
			in := bk.Target{Consent: tc.consent, Delegation: tc.delegation}
			before, beforeAction := cloneTarget(in), cloneAction(a)

			v, got := testRules().Apply(in, a, tc.actor, tc.staff, now)

			if v.Outcome != tc.outcome || v.Reason != tc.reason {
				t.Errorf("Apply(%s, %s) = %s/%s (%q); want %s/%s", targetState(in), tc.kind, v.Outcome, v.Reason, v.Message, tc.outcome, tc.reason)
			}
			if v.ActionID != a.ID {
				t.Errorf("Apply(%s, %s).ActionID = %q; want %q", targetState(in), tc.kind, v.ActionID, a.ID)
			}
			if v.Outcome != bk.Applied && v.Message == "" {
				t.Errorf("Apply(%s, %s) = %s/%s with no message for the person", targetState(in), tc.kind, v.Outcome, v.Reason)
			}
			if !reflect.DeepEqual(in, before) {
				t.Errorf("Apply(%s, %s) modified its target:\n got %+v %+v\nwant %+v %+v", targetState(before), tc.kind, in.Consent, in.Delegation, before.Consent, before.Delegation)
			}
			if !reflect.DeepEqual(a, beforeAction) {
				t.Errorf("Apply(%s, %s) modified the action", targetState(before), tc.kind)
			}
			if v.Outcome != bk.Applied {
				if got.Consent != nil || got.Delegation != nil {
					t.Errorf("Apply(%s, %s) = %s but returned object %s; want none", targetState(in), tc.kind, v.Outcome, targetState(got))
				}
				return
			}
			if s := targetState(got); s != tc.state {
				t.Errorf("Apply(%s, %s) = applied, state %s; want %s", targetState(in), tc.kind, s, tc.state)
			}
			if tc.kind.OnConsent() {
				if got.Consent == nil || got.Delegation != nil {
					t.Fatalf("Apply(%s, %s) returned %+v; want a consent only", targetState(in), tc.kind, got)
				}
				if got.Consent == in.Consent {
					t.Errorf("Apply(%s, %s) returned its input pointer; want a new object", targetState(in), tc.kind)
				}
				if !got.Consent.ChangedAt.Equal(a.OccurredAt) || got.Consent.ChangedBy != a.ID {
					t.Errorf("Apply(%s, %s) changed = %v by %q; want %v by %q", targetState(in), tc.kind, got.Consent.ChangedAt, got.Consent.ChangedBy, a.OccurredAt, a.ID)
				}
			} else {
				if got.Delegation == nil || got.Consent != nil {
					t.Fatalf("Apply(%s, %s) returned %+v; want a delegation only", targetState(in), tc.kind, got)
				}
				if got.Delegation == in.Delegation {
					t.Errorf("Apply(%s, %s) returned its input pointer; want a new object", targetState(in), tc.kind)
				}
				if !got.Delegation.ChangedAt.Equal(a.OccurredAt) || got.Delegation.ChangedBy != a.ID {
					t.Errorf("Apply(%s, %s) changed = %v by %q; want %v by %q", targetState(in), tc.kind, got.Delegation.ChangedAt, got.Delegation.ChangedBy, a.OccurredAt, a.ID)
				}
			}
			if tc.check != nil {
				tc.check(t, got, a)
			}
		})
	}
}

const (
	applied    = bk.Applied
	rejected   = bk.Rejected
	superseded = bk.Superseded
)

func TestApplyGiveConsent(t *testing.T) {
	minor := func(c *bk.Consent) { c.CPR = bk.MustParseCPR(age14CPR) }
	fifteen := func(c *bk.Consent) { c.CPR = bk.MustParseCPR(age15CPR) }
	short := func(c *bk.Consent) { c.ValidDays = 30 }
	runRuleCases(t, []ruleCase{
		{name: "requested", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, at: now.Add(-time.Minute), actor: principal, outcome: applied, state: "given",
			check: func(t *testing.T, got bk.Target, a *bk.Action) {
				c := got.Consent
				if !c.GivenAt.Equal(a.OccurredAt) || !c.ValidUntil.Equal(a.OccurredAt.AddDate(0, 0, 365)) {
					t.Errorf("given at %v until %v; want %v until %v", c.GivenAt, c.ValidUntil, a.OccurredAt, a.OccurredAt.AddDate(0, 0, 365))
				}
				if c.AssistedBy != "" {
					t.Errorf("AssistedBy = %q; want empty without staff", c.AssistedBy)
				}
			}},
		{name: "requested assisted", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, actor: principal, staff: helper, outcome: applied, state: "given",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if want := "B1234 Hanne Hjælper"; got.Consent.AssistedBy != want {
					t.Errorf("AssistedBy = %q; want %q", got.Consent.AssistedBy, want)
				}
			}},
		{name: "given", consent: consent(bk.ConsentGiven), kind: bk.GiveConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "declined concurrent later give", consent: consent(bk.ConsentDeclined), kind: bk.GiveConsent, at: t0.Add(skewIn), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "declined concurrent earlier give", consent: consent(bk.ConsentDeclined), kind: bk.GiveConsent, at: t0.Add(-skewIn), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "declined clearly earlier give", consent: consent(bk.ConsentDeclined), kind: bk.GiveConsent, at: t0.Add(-skewOut), actor: principal, outcome: superseded, reason: bk.EConflict},
		// People change their minds while the request is open...
		{name: "declined then later give", consent: consent(bk.ConsentDeclined), kind: bk.GiveConsent, at: t0.Add(skewOut), actor: principal, outcome: applied, state: "given"},
		{name: "declined, give on the request's last open day", consent: consent(bk.ConsentDeclined, requestedAgo(365*24*time.Hour-time.Minute)), kind: bk.GiveConsent, actor: principal, outcome: applied, state: "given"},
		// ...not once it has expired.
		{name: "declined, request expired", consent: consent(bk.ConsentDeclined, requestedAgo(365*24*time.Hour)), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "declined, request long expired", consent: consent(bk.ConsentDeclined, requestedAgo(3*365*24*time.Hour)), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "requested, request expired", consent: consent(bk.ConsentRequested, requestedAgo(365*24*time.Hour)), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "requested, given while open, arrives after", consent: consent(bk.ConsentRequested, requestedAgo(365*24*time.Hour+time.Hour)), kind: bk.GiveConsent, at: now.Add(-2 * time.Hour), actor: principal, outcome: applied, state: "given"},
		{name: "withdrawn concurrent", consent: consent(bk.ConsentWithdrawn), kind: bk.GiveConsent, at: t0.Add(skewIn), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "withdrawn then later give", consent: consent(bk.ConsentWithdrawn), kind: bk.GiveConsent, at: t0.Add(skewOut), actor: principal, outcome: rejected, reason: bk.EInvalidState},
		{name: "revoked concurrent", consent: consent(bk.ConsentRevoked), kind: bk.GiveConsent, at: t0.Add(skewIn), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "revoked then later give", consent: consent(bk.ConsentRevoked), kind: bk.GiveConsent, at: t0.Add(skewOut), actor: principal, outcome: rejected, reason: bk.EInvalidState},
		{name: "expired", consent: consent(bk.ConsentExpired), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "expired by time", consent: consent(bk.ConsentGiven, expiredByTime), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "expires exactly now", consent: consent(bk.ConsentGiven, func(c *bk.Consent) { c.ValidUntil = now }), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "period already over when it arrives", consent: consent(bk.ConsentRequested, short), kind: bk.GiveConsent, at: now.AddDate(0, 0, -31), actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "wrong person", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "delegate is not the citizen", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, actor: delegate, outcome: rejected, reason: bk.ENotPermitted},
		{name: "age 14", consent: consent(bk.ConsentRequested, minor), kind: bk.GiveConsent, actor: citizen(age14CPR, "Mads Mindreårig"), outcome: rejected, reason: bk.EAgeRule},
		{name: "age 15 today", consent: consent(bk.ConsentRequested, fifteen), kind: bk.GiveConsent, actor: citizen(age15CPR, "Frida Femten"), outcome: applied, state: "given"},
		{name: "future beyond skew", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, at: now.Add(6 * time.Minute), actor: principal, outcome: rejected, reason: bk.EClockSkew},
		{name: "future within skew", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, at: now.Add(4 * time.Minute), actor: principal, outcome: applied, state: "given"},
		{name: "unknown subject", kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
		{name: "delegation is not a consent", delegation: delegation(bk.DelegationActive), kind: bk.GiveConsent, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
		{name: "missing consent id", consent: consent(bk.ConsentRequested), kind: bk.GiveConsent, payload: &bk.Payload{}, actor: principal, outcome: rejected, reason: bk.EInvalid},
	})
}

func TestApplyDeclineConsent(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "requested", consent: consent(bk.ConsentRequested), kind: bk.DeclineConsent, actor: principal, outcome: applied, state: "declined"},
		{name: "requested assisted", consent: consent(bk.ConsentRequested), kind: bk.DeclineConsent, actor: principal, staff: helper, outcome: applied, state: "declined",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if want := "B1234 Hanne Hjælper"; got.Consent.AssistedBy != want {
					t.Errorf("AssistedBy = %q; want %q", got.Consent.AssistedBy, want)
				}
			}},
		// Declining needs no minimum age: only widening actions do.
		{name: "requested age 14", consent: consent(bk.ConsentRequested, func(c *bk.Consent) { c.CPR = bk.MustParseCPR(age14CPR) }), kind: bk.DeclineConsent, actor: citizen(age14CPR, "Mads"), outcome: applied, state: "declined"},
		{name: "given concurrent later decline", consent: consent(bk.ConsentGiven), kind: bk.DeclineConsent, at: t0.Add(skewIn), actor: principal, outcome: applied, state: "withdrawn"},
		{name: "given concurrent earlier decline", consent: consent(bk.ConsentGiven), kind: bk.DeclineConsent, at: t0.Add(-skewIn), actor: principal, outcome: applied, state: "withdrawn"},
		{name: "given clearly later", consent: consent(bk.ConsentGiven), kind: bk.DeclineConsent, at: t0.Add(-skewOut), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "given then later decline", consent: consent(bk.ConsentGiven), kind: bk.DeclineConsent, at: t0.Add(skewOut), actor: principal, outcome: applied, state: "withdrawn"},
		{name: "declined", consent: consent(bk.ConsentDeclined), kind: bk.DeclineConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "withdrawn", consent: consent(bk.ConsentWithdrawn), kind: bk.DeclineConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "expired", consent: consent(bk.ConsentExpired), kind: bk.DeclineConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "expired by time", consent: consent(bk.ConsentGiven, expiredByTime), kind: bk.DeclineConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "revoked", consent: consent(bk.ConsentRevoked), kind: bk.DeclineConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "wrong person", consent: consent(bk.ConsentRequested), kind: bk.DeclineConsent, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "future beyond skew", consent: consent(bk.ConsentRequested), kind: bk.DeclineConsent, at: now.Add(time.Hour), actor: principal, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.DeclineConsent, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

func TestApplyWithdrawConsent(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "given", consent: consent(bk.ConsentGiven), kind: bk.WithdrawConsent, actor: principal, outcome: applied, state: "withdrawn"},
		{name: "given concurrent earlier withdraw", consent: consent(bk.ConsentGiven), kind: bk.WithdrawConsent, at: t0.Add(-skewIn), actor: principal, outcome: applied, state: "withdrawn"},
		{name: "given assisted", consent: consent(bk.ConsentGiven), kind: bk.WithdrawConsent, actor: principal, staff: helper, outcome: applied, state: "withdrawn"},
		{name: "requested", consent: consent(bk.ConsentRequested), kind: bk.WithdrawConsent, actor: principal, outcome: rejected, reason: bk.EInvalidState},
		{name: "declined", consent: consent(bk.ConsentDeclined), kind: bk.WithdrawConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "withdrawn", consent: consent(bk.ConsentWithdrawn), kind: bk.WithdrawConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "expired", consent: consent(bk.ConsentExpired), kind: bk.WithdrawConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "expired by time", consent: consent(bk.ConsentGiven, expiredByTime), kind: bk.WithdrawConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "revoked", consent: consent(bk.ConsentRevoked), kind: bk.WithdrawConsent, actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "wrong person", consent: consent(bk.ConsentGiven), kind: bk.WithdrawConsent, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "future beyond skew", consent: consent(bk.ConsentGiven), kind: bk.WithdrawConsent, at: now.Add(time.Hour), actor: principal, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.WithdrawConsent, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

// unbornDelegate sets a delegate as a decoded payload holds it: the clock is
// for Apply to check.
func unbornDelegate(t *testing.T, cpr string) func(*bk.Payload) {
	c := cprFromJSON(t, cpr)
	return func(p *bk.Payload) { p.Delegate = &c }
}

func TestApplyCreateDelegation(t *testing.T) {
	startOfDay := now.Truncate(24 * time.Hour)
	withDelegate := func(cpr string) func(*bk.Payload) {
		return func(p *bk.Payload) { c := bk.MustParseCPR(cpr); p.Delegate = &c }
	}
	scopes := func(s ...bk.ScopeGrant) func(*bk.Payload) {
		return func(p *bk.Payload) { p.Scopes = s }
	}
	period := func(from, to time.Time) func(*bk.Payload) {
		return func(p *bk.Payload) { p.ValidFrom, p.ValidTo = from, to }
	}
	maxDelegation := testRules().MaxDelegation
	runRuleCases(t, []ruleCase{
		{name: "self", kind: bk.CreateDelegation, payload: createPayload(), actor: principal, outcome: applied, state: "pending_acceptance",
			check: func(t *testing.T, got bk.Target, a *bk.Action) {
				d := got.Delegation
				if d.ID != delegationID || d.Principal != principal.CPR || d.Delegate != delegate.CPR {
					t.Errorf("created %s from %v to %v; want %s from %v to %v", d.ID, d.Principal, d.Delegate, delegationID, principal.CPR, delegate.CPR)
				}
				if d.CreatedVia != bk.ViaSelf || d.AssistedBy != "" {
					t.Errorf("created via %q assisted by %q; want self, nobody", d.CreatedVia, d.AssistedBy)
				}
				if d.PrincipalName != principal.Name || d.DelegateName != "" {
					t.Errorf("names %q, %q; want %q, \"\"", d.PrincipalName, d.DelegateName, principal.Name)
				}
				if !d.ValidFrom.Equal(now) || !d.ValidTo.Equal(now.AddDate(1, 0, 0)) || !d.CreatedAt.Equal(a.OccurredAt) {
					t.Errorf("valid %v–%v created %v; want %v–%v created %v", d.ValidFrom, d.ValidTo, d.CreatedAt, now, now.AddDate(1, 0, 0), a.OccurredAt)
				}
				want := []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: now.AddDate(0, 6, 0)}}
				if !reflect.DeepEqual(d.Scopes, want) {
					t.Errorf("scopes = %+v; want %+v", d.Scopes, want)
				}
			}},
		{name: "assisted", kind: bk.CreateDelegation, payload: createPayload(), actor: principal, staff: helper, outcome: applied, state: "pending_acceptance",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if d := got.Delegation; d.CreatedVia != bk.ViaAssisted || d.AssistedBy != "B1234 Hanne Hjælper" {
					t.Errorf("created via %q assisted by %q; want assisted, %q", d.CreatedVia, d.AssistedBy, "B1234 Hanne Hjælper")
				}
			}},
		{name: "principal name from the card, not the payload", kind: bk.CreateDelegation, payload: createPayload(func(p *bk.Payload) { p.PrincipalName = "Someone Else" }), actor: principal, outcome: applied, state: "pending_acceptance",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if got.Delegation.PrincipalName != "Poul Principal" {
					t.Errorf("PrincipalName = %q; want the card's %q", got.Delegation.PrincipalName, "Poul Principal")
				}
			}},
		{name: "delegate name as typed", kind: bk.CreateDelegation, payload: createPayload(func(p *bk.Payload) { p.DelegateName = "Dorte Ærø-Ås" }), actor: principal, outcome: applied, state: "pending_acceptance",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if d := got.Delegation; d.DelegateNameTyped != "Dorte Ærø-Ås" || d.DelegateName != "" || d.DelegateShown() != "Dorte Ærø-Ås" {
					t.Errorf("typed %q, card %q, shown %q; want the typed name until accepted", d.DelegateNameTyped, d.DelegateName, d.DelegateShown())
				}
			}},
		{name: "delegate name with a digit", kind: bk.CreateDelegation, payload: createPayload(func(p *bk.Payload) { p.DelegateName = "Dorte 2" }), actor: principal, outcome: rejected, reason: bk.EBadName},
		{name: "delegate name too long", kind: bk.CreateDelegation, payload: createPayload(func(p *bk.Payload) { p.DelegateName = strings.Repeat("a", bk.MaxNameRunes+1) }), actor: principal, outcome: rejected, reason: bk.EBadName},
		{name: "already exists", delegation: delegation(bk.DelegationPending), kind: bk.CreateDelegation, payload: createPayload(), actor: principal, outcome: rejected, reason: bk.EConflict},
		{name: "principal 14", kind: bk.CreateDelegation, payload: createPayload(), actor: citizen(age14CPR, "Mads"), outcome: rejected, reason: bk.EAgeRule},
		{name: "principal 15 today", kind: bk.CreateDelegation, payload: createPayload(), actor: citizen(age15CPR, "Frida"), outcome: applied, state: "pending_acceptance"},
		{name: "delegate 17", kind: bk.CreateDelegation, payload: createPayload(withDelegate(age17CPR)), actor: principal, outcome: rejected, reason: bk.EAgeRule},
		{name: "delegate 18 today", kind: bk.CreateDelegation, payload: createPayload(withDelegate(age18CPR)), actor: principal, outcome: applied, state: "pending_acceptance"},
		// A number whose birth date is after today has not been issued: no one has it.
		{name: "delegate born tomorrow", kind: bk.CreateDelegation, payload: createPayload(unbornDelegate(t, "271126-4000")), actor: principal, outcome: rejected, reason: bk.ECPRFutureBirth},
		{name: "delegate born in 2036", kind: bk.CreateDelegation, payload: createPayload(unbornDelegate(t, "010136-9000")), actor: principal, outcome: rejected, reason: bk.ECPRFutureBirth},
		{name: "delegate is principal", kind: bk.CreateDelegation, payload: createPayload(withDelegate(principalCPR)), actor: principal, outcome: rejected, reason: bk.EInvalid},
		{name: "no delegate", kind: bk.CreateDelegation, payload: createPayload(func(p *bk.Payload) { p.Delegate = nil }), actor: principal, outcome: rejected, reason: bk.EInvalid},
		{name: "no scopes", kind: bk.CreateDelegation, payload: createPayload(scopes()), actor: principal, outcome: rejected, reason: bk.EUnknownScope},
		{name: "unknown scope", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax"}, bk.ScopeGrant{ScopeID: "pension"})), actor: principal, outcome: rejected, reason: bk.EUnknownScope},
		{name: "duplicate scope", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax"}, bk.ScopeGrant{ScopeID: "tax", Until: now.AddDate(0, 1, 0)})), actor: principal, outcome: rejected, reason: bk.EUnknownScope},
		{name: "scope ends at start", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax", Until: now})), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "scope ends before start", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax", Until: now.Add(-time.Hour)})), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "scope ends after end", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax", Until: now.AddDate(1, 0, 1)})), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "scope ends with delegation", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax", Until: now.AddDate(1, 0, 0)})), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "ends at start", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax"}), period(now, now)), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "ends before start", kind: bk.CreateDelegation, payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax"}), period(now.AddDate(0, 1, 0), now)), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "starts yesterday", kind: bk.CreateDelegation, payload: createPayload(period(now.AddDate(0, 0, -1), now.AddDate(1, 0, 0))), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "starts just before today beyond skew", kind: bk.CreateDelegation, payload: createPayload(period(startOfDay.Add(-10*time.Minute), now.AddDate(1, 0, 0))), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "starts at beginning of today", kind: bk.CreateDelegation, payload: createPayload(period(startOfDay, now.AddDate(1, 0, 0))), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "starts next month", kind: bk.CreateDelegation, payload: createPayload(period(now.AddDate(0, 1, 0), now.AddDate(1, 0, 0))), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "longest allowed", kind: bk.CreateDelegation, payload: createPayload(period(now, now.Add(maxDelegation))), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "longer than allowed", kind: bk.CreateDelegation, payload: createPayload(period(now, now.Add(maxDelegation+time.Second))), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "already ended when it arrives", kind: bk.CreateDelegation, at: now.AddDate(0, 0, -30),
			payload: createPayload(scopes(bk.ScopeGrant{ScopeID: "tax"}), period(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))), actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "future beyond skew", kind: bk.CreateDelegation, at: now.Add(6 * time.Minute), payload: createPayload(), actor: principal, outcome: rejected, reason: bk.EClockSkew},
	})
}

func TestApplyRevokeDelegation(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "pending", delegation: delegation(bk.DelegationPending), kind: bk.RevokeDelegation, actor: principal, outcome: applied, state: "revoked"},
		{name: "active", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, actor: principal, outcome: applied, state: "revoked"},
		{name: "active concurrent earlier revoke", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, at: t0.Add(-skewIn), actor: principal, outcome: applied, state: "revoked"},
		{name: "active clearly earlier revoke", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, at: t0.Add(-skewOut), actor: principal, outcome: applied, state: "revoked"},
		{name: "active assisted", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, actor: principal, staff: helper, outcome: applied, state: "revoked"},
		{name: "revoked", delegation: delegation(bk.DelegationRevoked), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EAlreadyRevoked},
		{name: "declined", delegation: delegation(bk.DelegationDeclined), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EInvalidState},
		{name: "renounced", delegation: delegation(bk.DelegationRenounced), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EInvalidState},
		{name: "expired", delegation: delegation(bk.DelegationExpired), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EInvalidState},
		{name: "active expired by time", delegation: delegation(bk.DelegationActive, delegationExpiredByTime), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EInvalidState},
		{name: "pending expired by time", delegation: delegation(bk.DelegationPending, delegationExpiredByTime), kind: bk.RevokeDelegation, actor: principal, outcome: superseded, reason: bk.EInvalidState},
		{name: "by delegate", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, actor: delegate, outcome: rejected, reason: bk.ENotPermitted},
		{name: "by stranger", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "future beyond skew", delegation: delegation(bk.DelegationActive), kind: bk.RevokeDelegation, at: now.Add(time.Hour), actor: principal, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.RevokeDelegation, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
		{name: "consent is not a delegation", consent: consent(bk.ConsentGiven), kind: bk.RevokeDelegation, actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

func TestApplyAcceptDelegation(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "pending", delegation: delegation(bk.DelegationPending), kind: bk.AcceptDelegation, actor: delegate, outcome: applied, state: "active",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if got.Delegation.DelegateName != delegate.Name {
					t.Errorf("DelegateName = %q; want %q", got.Delegation.DelegateName, delegate.Name)
				}
			}},
		{name: "the card's name replaces the typed one", delegation: delegation(bk.DelegationPending, func(d *bk.Delegation) { d.DelegateNameTyped = "Dorte" }), kind: bk.AcceptDelegation, actor: delegate, outcome: applied, state: "active",
			check: func(t *testing.T, got bk.Target, _ *bk.Action) {
				if got.Delegation.DelegateShown() != delegate.Name {
					t.Errorf("DelegateShown() = %q; want the card's %q", got.Delegation.DelegateShown(), delegate.Name)
				}
			}},
		{name: "pending assisted", delegation: delegation(bk.DelegationPending), kind: bk.AcceptDelegation, actor: delegate, staff: helper, outcome: applied, state: "active"},
		{name: "pending not started yet", delegation: delegation(bk.DelegationPending, func(d *bk.Delegation) { d.ValidFrom = now.AddDate(0, 1, 0) }), kind: bk.AcceptDelegation, actor: delegate, outcome: applied, state: "active"},
		{name: "active", delegation: delegation(bk.DelegationActive), kind: bk.AcceptDelegation, actor: delegate, outcome: superseded, reason: bk.EConflict},
		{name: "revoked after accept was made", delegation: delegation(bk.DelegationRevoked), kind: bk.AcceptDelegation, at: t0.Add(-skewOut), actor: delegate, outcome: rejected, reason: bk.EAlreadyRevoked},
		{name: "revoked concurrent", delegation: delegation(bk.DelegationRevoked), kind: bk.AcceptDelegation, at: t0.Add(skewIn), actor: delegate, outcome: rejected, reason: bk.EAlreadyRevoked},
		{name: "revoked before accept was made", delegation: delegation(bk.DelegationRevoked), kind: bk.AcceptDelegation, at: t0.Add(skewOut), actor: delegate, outcome: rejected, reason: bk.EAlreadyRevoked},
		{name: "expired", delegation: delegation(bk.DelegationExpired), kind: bk.AcceptDelegation, actor: delegate, outcome: rejected, reason: bk.EExpired},
		{name: "pending expired by time", delegation: delegation(bk.DelegationPending, delegationExpiredByTime), kind: bk.AcceptDelegation, actor: delegate, outcome: rejected, reason: bk.EExpired},
		{name: "declined concurrent", delegation: delegation(bk.DelegationDeclined), kind: bk.AcceptDelegation, at: t0.Add(skewIn), actor: delegate, outcome: superseded, reason: bk.EConflict},
		{name: "declined clearly earlier accept", delegation: delegation(bk.DelegationDeclined), kind: bk.AcceptDelegation, at: t0.Add(-skewOut), actor: delegate, outcome: superseded, reason: bk.EConflict},
		// Declined is final: the principal was told and may have arranged something else.
		{name: "declined then later accept", delegation: delegation(bk.DelegationDeclined), kind: bk.AcceptDelegation, at: t0.Add(skewOut), actor: delegate, outcome: rejected, reason: bk.EAlreadyDeclined},
		{name: "declined a year before the accept", delegation: delegation(bk.DelegationDeclined, func(d *bk.Delegation) { d.ChangedAt = now.AddDate(-1, 0, 0) }), kind: bk.AcceptDelegation, actor: delegate, outcome: rejected, reason: bk.EAlreadyDeclined},
		{name: "renounced concurrent", delegation: delegation(bk.DelegationRenounced), kind: bk.AcceptDelegation, at: t0.Add(skewIn), actor: delegate, outcome: superseded, reason: bk.EConflict},
		{name: "renounced then later accept", delegation: delegation(bk.DelegationRenounced), kind: bk.AcceptDelegation, at: t0.Add(skewOut), actor: delegate, outcome: rejected, reason: bk.EInvalidState},
		{name: "by principal", delegation: delegation(bk.DelegationPending), kind: bk.AcceptDelegation, actor: principal, outcome: rejected, reason: bk.ENotPermitted},
		{name: "by stranger", delegation: delegation(bk.DelegationPending), kind: bk.AcceptDelegation, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "delegate 17", delegation: delegation(bk.DelegationPending, delegateIs(age17CPR)), kind: bk.AcceptDelegation, actor: citizen(age17CPR, "Sytten"), outcome: rejected, reason: bk.EAgeRule},
		{name: "delegate 18 today", delegation: delegation(bk.DelegationPending, delegateIs(age18CPR)), kind: bk.AcceptDelegation, actor: citizen(age18CPR, "Atten"), outcome: applied, state: "active"},
		{name: "future beyond skew", delegation: delegation(bk.DelegationPending), kind: bk.AcceptDelegation, at: now.Add(time.Hour), actor: delegate, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.AcceptDelegation, actor: delegate, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

func TestApplyDeclineDelegation(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "pending", delegation: delegation(bk.DelegationPending), kind: bk.DeclineDelegation, actor: delegate, outcome: applied, state: "declined"},
		// A minor may always say no.
		{name: "pending delegate 17", delegation: delegation(bk.DelegationPending, delegateIs(age17CPR)), kind: bk.DeclineDelegation, actor: citizen(age17CPR, "Sytten"), outcome: applied, state: "declined"},
		{name: "active concurrent later decline", delegation: delegation(bk.DelegationActive), kind: bk.DeclineDelegation, at: t0.Add(skewIn), actor: delegate, outcome: applied, state: "renounced"},
		{name: "active concurrent earlier decline", delegation: delegation(bk.DelegationActive), kind: bk.DeclineDelegation, at: t0.Add(-skewIn), actor: delegate, outcome: applied, state: "renounced"},
		// The decline came first and is final: the accept is void, as if the decline had arrived first.
		{name: "accepted clearly later", delegation: delegation(bk.DelegationActive), kind: bk.DeclineDelegation, at: t0.Add(-skewOut), actor: delegate, outcome: applied, state: "declined"},
		{name: "active then later decline", delegation: delegation(bk.DelegationActive), kind: bk.DeclineDelegation, at: t0.Add(skewOut), actor: delegate, outcome: applied, state: "renounced"},
		{name: "declined", delegation: delegation(bk.DelegationDeclined), kind: bk.DeclineDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "revoked", delegation: delegation(bk.DelegationRevoked), kind: bk.DeclineDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "renounced", delegation: delegation(bk.DelegationRenounced), kind: bk.DeclineDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "expired", delegation: delegation(bk.DelegationExpired), kind: bk.DeclineDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "pending expired by time", delegation: delegation(bk.DelegationPending, delegationExpiredByTime), kind: bk.DeclineDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "by principal", delegation: delegation(bk.DelegationPending), kind: bk.DeclineDelegation, actor: principal, outcome: rejected, reason: bk.ENotPermitted},
		{name: "by stranger", delegation: delegation(bk.DelegationPending), kind: bk.DeclineDelegation, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "future beyond skew", delegation: delegation(bk.DelegationPending), kind: bk.DeclineDelegation, at: now.Add(time.Hour), actor: delegate, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.DeclineDelegation, actor: delegate, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

func TestApplyRenounceDelegation(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "active", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, actor: delegate, outcome: applied, state: "renounced"},
		{name: "active concurrent earlier renounce", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, at: t0.Add(-skewIn), actor: delegate, outcome: applied, state: "renounced"},
		// Renouncing never loses to an accept: it can only have been made
		// after the person saw the delegation in force.
		{name: "active clearly earlier renounce", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, at: t0.Add(-skewOut), actor: delegate, outcome: applied, state: "renounced"},
		{name: "pending", delegation: delegation(bk.DelegationPending), kind: bk.RenounceDelegation, actor: delegate, outcome: applied, state: "declined"},
		{name: "declined", delegation: delegation(bk.DelegationDeclined), kind: bk.RenounceDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "revoked", delegation: delegation(bk.DelegationRevoked), kind: bk.RenounceDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "renounced", delegation: delegation(bk.DelegationRenounced), kind: bk.RenounceDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "expired", delegation: delegation(bk.DelegationExpired), kind: bk.RenounceDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "active expired by time", delegation: delegation(bk.DelegationActive, delegationExpiredByTime), kind: bk.RenounceDelegation, actor: delegate, outcome: superseded, reason: bk.EInvalidState},
		{name: "by principal", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, actor: principal, outcome: rejected, reason: bk.ENotPermitted},
		{name: "by stranger", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "future beyond skew", delegation: delegation(bk.DelegationActive), kind: bk.RenounceDelegation, at: now.Add(time.Hour), actor: delegate, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.RenounceDelegation, actor: delegate, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

// renewPayload is a renew_delegation payload with the test delegation's
// areas (tax, and health until six months from now) for two years from now.
func renewPayload(mods ...func(*bk.Payload)) *bk.Payload {
	p := &bk.Payload{
		DelegationID: delegationID,
		Scopes:       []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: now.AddDate(1, 0, 0)}},
		ValidFrom:    now,
		ValidTo:      now.AddDate(2, 0, 0),
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func TestApplyRenewDelegation(t *testing.T) {
	taxOnly := func(p *bk.Payload) { p.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}} }
	// The test catalogue has two areas: a delegation of tax alone renewed
	// with both widens.
	hadTaxOnly := func(d *bk.Delegation) { d.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}} }
	endedAgo := func(ago time.Duration) func(*bk.Delegation) {
		return func(d *bk.Delegation) {
			d.ValidFrom, d.ValidTo = now.AddDate(-1, 0, 0), now.Add(-ago)
			d.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}}
		}
	}
	grace := testRules().RenewGrace
	newPeriod := func(t *testing.T, got bk.Target, _ *bk.Action) {
		d := got.Delegation
		if !d.ValidFrom.Equal(now) || !d.ValidTo.Equal(now.AddDate(2, 0, 0)) {
			t.Errorf("period %v – %v; want %v – %v", d.ValidFrom, d.ValidTo, now, now.AddDate(2, 0, 0))
		}
		if d.Delegate != delegate.CPR || d.Principal != principal.CPR || d.ID != delegationID {
			t.Errorf("renewed %s from %v to %v; want the same delegation between the same people", d.ID, d.Principal, d.Delegate)
		}
	}
	runRuleCases(t, []ruleCase{
		{name: "active, same areas", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "active",
			check: func(t *testing.T, got bk.Target, a *bk.Action) {
				newPeriod(t, got, a)
				if got.Delegation.DelegateName != delegate.Name {
					t.Errorf("DelegateName = %q; want the accepted %q kept", got.Delegation.DelegateName, delegate.Name)
				}
				if u := got.Delegation.Scopes[1].Until; !u.Equal(now.AddDate(1, 0, 0)) {
					t.Errorf("health until %v; want the renewed %v", u, now.AddDate(1, 0, 0))
				}
			}},
		{name: "active, fewer areas", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(taxOnly), actor: principal, outcome: applied, state: "active"},
		{name: "active, an area more: the delegate accepts again", delegation: delegation(bk.DelegationActive, hadTaxOnly), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "pending_acceptance", check: newPeriod},
		{name: "active assisted", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, staff: helper, outcome: applied, state: "active"},
		{name: "pending, same areas", delegation: delegation(bk.DelegationPending), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "pending_acceptance", check: newPeriod},
		{name: "expired yesterday, had been accepted", delegation: delegation(bk.DelegationActive, endedAgo(24*time.Hour)), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "active", check: newPeriod},
		{name: "expired at the end of the grace", delegation: delegation(bk.DelegationActive, endedAgo(grace)), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "active"},
		{name: "expired just beyond the grace", delegation: delegation(bk.DelegationActive, endedAgo(grace+time.Second)), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EExpired},
		{name: "expired, an area more", delegation: delegation(bk.DelegationActive, endedAgo(24*time.Hour), hadTaxOnly), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "expired, never accepted", delegation: delegation(bk.DelegationPending, endedAgo(24*time.Hour)), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: applied, state: "pending_acceptance"},
		{name: "revoked", delegation: delegation(bk.DelegationRevoked), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EAlreadyRevoked},
		{name: "renounced", delegation: delegation(bk.DelegationRenounced), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EInvalidState},
		{name: "declined", delegation: delegation(bk.DelegationDeclined), kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EInvalidState},
		// The restrictive action wins when the two are about simultaneous.
		{name: "renounced concurrent", delegation: delegation(bk.DelegationRenounced), kind: bk.RenewDelegation, at: t0.Add(skewIn), payload: renewPayload(), actor: principal, outcome: superseded, reason: bk.EConflict},
		{name: "by delegate", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(), actor: delegate, outcome: rejected, reason: bk.ENotPermitted},
		{name: "by stranger", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(), actor: stranger, outcome: rejected, reason: bk.ENotPermitted},
		{name: "no areas", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(func(p *bk.Payload) { p.Scopes = nil }), actor: principal, outcome: rejected, reason: bk.EUnknownScope},
		{name: "unknown area", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(func(p *bk.Payload) { p.Scopes = []bk.ScopeGrant{{ScopeID: "moon"}} }), actor: principal, outcome: rejected, reason: bk.EUnknownScope},
		{name: "longer than allowed", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(func(p *bk.Payload) { p.ValidTo = now.Add(testRules().MaxDelegation + time.Second) }), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "starts in the past", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, payload: renewPayload(func(p *bk.Payload) { p.ValidFrom = now.AddDate(0, 0, -3) }), actor: principal, outcome: rejected, reason: bk.EBadValidity},
		{name: "future beyond skew", delegation: delegation(bk.DelegationActive), kind: bk.RenewDelegation, at: now.Add(time.Hour), payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EClockSkew},
		{name: "unknown subject", kind: bk.RenewDelegation, payload: renewPayload(), actor: principal, outcome: rejected, reason: bk.EUnknownSubject},
	})
}

func TestWidens(t *testing.T) {
	g := func(ids ...string) []bk.ScopeGrant {
		var out []bk.ScopeGrant
		for _, id := range ids {
			out = append(out, bk.ScopeGrant{ScopeID: id})
		}
		return out
	}
	tests := []struct {
		from, to []bk.ScopeGrant
		want     bool
	}{
		{g("tax"), g("tax"), false},
		{g("tax", "health"), g("health"), false},
		{g("tax"), []bk.ScopeGrant{{ScopeID: "tax", Until: now}}, false},
		{g("tax"), g("tax", "health"), true},
		{g("tax"), g("health"), true},
		{nil, g("tax"), true},
	}
	for _, tt := range tests {
		if got := bk.Widens(tt.from, tt.to); got != tt.want {
			t.Errorf("Widens(%v, %v) = %v; want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// step is one action in a sequence applied to the same object.
type step struct {
	kind  bk.ActionKind
	actor *bk.Certificate
	at    time.Time
}

// applyInOrder applies steps in the given order, each to the result of the
// ones before that were applied, and returns the final object.
func applyInOrder(t *testing.T, start bk.Target, steps []step, order []int) bk.Target {
	t.Helper()
	r := testRules()
	cur := start
	for _, i := range order {
		s := steps[i]
		p := bk.Payload{ConsentID: consentID}
		if !s.kind.OnConsent() {
			p = bk.Payload{DelegationID: delegationID}
		}
		v, next := r.Apply(cur, newAction(t, s.kind, p, s.at), s.actor, nil, now)
		if v.Outcome == bk.Applied {
			cur = next
		}
	}
	return cur
}

// TestConcurrentOrderIndependent checks that when a restrictive and a
// widening action are concurrent, the restrictive one wins whichever reaches
// central first; and that beyond the skew the later one wins either way.
func TestConcurrentOrderIndependent(t *testing.T) {
	base := now.Add(-2 * time.Hour)
	inForce := func(tg bk.Target) bool {
		if tg.Consent != nil {
			return tg.Consent.StateAt(now) == bk.ConsentGiven
		}
		return tg.Delegation.StateAt(now) == bk.DelegationActive
	}
	tests := []struct {
		name  string
		start bk.Target
		steps []step
		want  bool // in force at the end
	}{
		{"decline and give concurrent", bk.Target{Consent: consent(bk.ConsentRequested)},
			[]step{{bk.DeclineConsent, principal, base}, {bk.GiveConsent, principal, base.Add(skewIn)}}, false},
		{"give and decline concurrent", bk.Target{Consent: consent(bk.ConsentRequested)},
			[]step{{bk.GiveConsent, principal, base}, {bk.DeclineConsent, principal, base.Add(skewIn)}}, false},
		{"decline then clearly later give", bk.Target{Consent: consent(bk.ConsentRequested)},
			[]step{{bk.DeclineConsent, principal, base}, {bk.GiveConsent, principal, base.Add(skewOut)}}, true},
		{"give then clearly later decline", bk.Target{Consent: consent(bk.ConsentRequested)},
			[]step{{bk.GiveConsent, principal, base}, {bk.DeclineConsent, principal, base.Add(skewOut)}}, false},
		{"decline and accept concurrent", bk.Target{Delegation: delegation(bk.DelegationPending)},
			[]step{{bk.DeclineDelegation, delegate, base}, {bk.AcceptDelegation, delegate, base.Add(skewIn)}}, false},
		{"accept and decline concurrent", bk.Target{Delegation: delegation(bk.DelegationPending)},
			[]step{{bk.AcceptDelegation, delegate, base}, {bk.DeclineDelegation, delegate, base.Add(skewIn)}}, false},
		// Declined is final, whichever arrives first.
		{"decline then clearly later accept", bk.Target{Delegation: delegation(bk.DelegationPending)},
			[]step{{bk.DeclineDelegation, delegate, base}, {bk.AcceptDelegation, delegate, base.Add(skewOut)}}, false},
		{"renounce and accept concurrent", bk.Target{Delegation: delegation(bk.DelegationPending)},
			[]step{{bk.RenounceDelegation, delegate, base}, {bk.AcceptDelegation, delegate, base.Add(skewIn)}}, false},
		{"revoke and accept", bk.Target{Delegation: delegation(bk.DelegationPending)},
			[]step{{bk.RevokeDelegation, principal, base.Add(skewOut)}, {bk.AcceptDelegation, delegate, base}}, false},
	}
	for _, tt := range tests {
		for _, order := range [][]int{{0, 1}, {1, 0}} {
			got := applyInOrder(t, tt.start, tt.steps, order)
			if inForce(got) != tt.want {
				t.Errorf("%s, arriving in order %v: final state %s, in force = %v; want %v", tt.name, order, targetState(got), inForce(got), tt.want)
			}
		}
	}
}

// An action of an unknown kind (Validate would refuse it first) is still
// refused by Apply, never applied.
func TestApplyUnknownKind(t *testing.T) {
	a := &bk.Action{ID: bk.NewID(now), Kind: "erase_delegation", OccurredAt: now, Kiosk: "k", Payload: []byte(`{"delegation_id":"` + delegationID + `"}`)}
	in := bk.Target{Delegation: delegation(bk.DelegationActive)}
	before := cloneTarget(in)
	v, got := testRules().Apply(in, a, principal, nil, now)
	if v.Outcome != bk.Rejected || v.Reason != bk.EInvalid || got.Delegation != nil || got.Consent != nil {
		t.Errorf("Apply(active, erase_delegation) = %s/%s, %+v; want rejected/%s and nothing", v.Outcome, v.Reason, got, bk.EInvalid)
	}
	if !reflect.DeepEqual(in, before) {
		t.Errorf("Apply(active, erase_delegation) modified its target")
	}
}

// A create for an id that already exists is refused whatever the state of
// the existing delegation: ids are never reused.
func TestApplyCreateOverExisting(t *testing.T) {
	var cases []ruleCase
	for _, s := range []bk.DelegationState{bk.DelegationPending, bk.DelegationActive, bk.DelegationDeclined, bk.DelegationExpired, bk.DelegationRevoked, bk.DelegationRenounced} {
		cases = append(cases, ruleCase{name: string(s), delegation: delegation(s), kind: bk.CreateDelegation, payload: createPayload(), actor: principal, outcome: rejected, reason: bk.EConflict})
	}
	cases = append(cases, ruleCase{name: "expired by time", delegation: delegation(bk.DelegationActive, delegationExpiredByTime), kind: bk.CreateDelegation, payload: createPayload(), actor: principal, outcome: rejected, reason: bk.EConflict})
	runRuleCases(t, cases)
}
