package borgerkiosk

// Party is who may take an edge of a state machine.
type Party string

const (
	ByAuthority Party = "authority" // through central's authority API
	ByCitizen   Party = "citizen"   // the person a consent request is for
	ByPrincipal Party = "principal" // the person who gives a power of attorney
	ByDelegate  Party = "delegate"  // the person it is given to
	ByTime      Party = "time"      // no action: a validity runs out
)

// Edge is one transition of a state machine: an object in state From goes
// to state To when Action (none for ByTime) is taken by By, under When.
// From is "" for the edge that makes the object.
type Edge struct {
	From, To string
	Action   ActionKind
	By       Party
	When     string
}

// ConsentEdges is the consent state machine, every edge there is. The rules
// refuse, as an internal fault, a change that is not one of them; the
// package comment and docs/state-machines.md show this table, and a test
// keeps all three the same. ConsentRevoked (the authority ends a consent)
// has no edge yet: no API offers it.
var ConsentEdges = []Edge{
	{"", string(ConsentRequested), "", ByAuthority, "a consent request to central"},
	{string(ConsentRequested), string(ConsentGiven), GiveConsent, ByCitizen, "aged 15 or more; the request open (RequestOpen, a year); the consent period not over when it arrives"},
	{string(ConsentRequested), string(ConsentDeclined), DeclineConsent, ByCitizen, "always"},
	{string(ConsentDeclined), string(ConsentGiven), GiveConsent, ByCitizen, "a change of mind: clearly after the decline (beyond ClockSkew), with the request still open; refused (expired) once it is not"},
	{string(ConsentGiven), string(ConsentWithdrawn), WithdrawConsent, ByCitizen, "always"},
	{string(ConsentGiven), string(ConsentWithdrawn), DeclineConsent, ByCitizen, "unless the give was clearly later (then the give stands)"},
	{string(ConsentGiven), string(ConsentExpired), "", ByTime, "valid_until reached"},
}

// DelegationEdges is the delegation state machine, every edge there is (see
// ConsentEdges). Declined, revoked and renounced are final: the principal
// must create a new power of attorney. Expired is final too, but for
// renewal within RenewGrace.
var DelegationEdges = []Edge{
	{"", string(DelegationPending), CreateDelegation, ByPrincipal, "principal 15 or more, delegate 18 or more and born, not to oneself; known areas; a valid period"},
	{string(DelegationPending), string(DelegationActive), AcceptDelegation, ByDelegate, "aged 18 or more; not about the same time as a decline or renunciation"},
	{string(DelegationPending), string(DelegationDeclined), DeclineDelegation, ByDelegate, "always"},
	{string(DelegationPending), string(DelegationDeclined), RenounceDelegation, ByDelegate, "renouncing before accepting is declining"},
	{string(DelegationPending), string(DelegationRevoked), RevokeDelegation, ByPrincipal, "always"},
	{string(DelegationPending), string(DelegationExpired), "", ByTime, "valid_to reached"},
	{string(DelegationActive), string(DelegationRevoked), RevokeDelegation, ByPrincipal, "always"},
	{string(DelegationActive), string(DelegationRenounced), RenounceDelegation, ByDelegate, "always"},
	{string(DelegationActive), string(DelegationRenounced), DeclineDelegation, ByDelegate, "the decline not clearly before the accept"},
	{string(DelegationActive), string(DelegationDeclined), DeclineDelegation, ByDelegate, "the decline clearly before the accept (beyond ClockSkew) but arriving after it: declined is final, the accept is void"},
	{string(DelegationActive), string(DelegationExpired), "", ByTime, "valid_to reached"},
	{string(DelegationPending), string(DelegationPending), RenewDelegation, ByPrincipal, "a new period before it is accepted"},
	{string(DelegationActive), string(DelegationActive), RenewDelegation, ByPrincipal, "a new period; the same areas or fewer"},
	{string(DelegationActive), string(DelegationPending), RenewDelegation, ByPrincipal, "a new period with an area it did not have: the delegate accepts again"},
	{string(DelegationExpired), string(DelegationActive), RenewDelegation, ByPrincipal, "ended at most RenewGrace (90 days) ago, had been accepted; the same areas or fewer"},
	{string(DelegationExpired), string(DelegationPending), RenewDelegation, ByPrincipal, "ended at most RenewGrace (90 days) ago, never accepted or with an area it did not have"},
}

// IsEdge reports whether edges hold a transition from → to by action and by.
func IsEdge(edges []Edge, from, to string, action ActionKind, by Party) bool {
	for _, e := range edges {
		if e.From == from && e.To == to && e.Action == action && e.By == by {
			return true
		}
	}
	return false
}
