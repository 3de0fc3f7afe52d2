// Package borgerkiosk is the domain of Borgerkiosk: CPR numbers, card
// certificates, consents, delegations (digital powers of attorney), actions,
// verdicts and the rules that apply an action to a consent or a delegation.
// The kiosk runs the rules to show the likely outcome, central to decide.
//
// # State machines
//
// A consent and a delegation change state only along the edges below, each
// taken by the party named (or by time, when a validity runs out). The
// tables are ConsentEdges and DelegationEdges: Rules.Apply refuses a change
// that is not one of them, docs/state-machines.md shows the same tables, and
// TestStateMachineDocs keeps all three alike. Every edge also needs the
// actor's card to be the party's and the action not to be dated beyond
// ClockSkew in the future; any other action is rejected or superseded and
// changes nothing.
//
// Consents (revoked, the authority ending a consent, has no edge yet: no API
// offers it):
//
//	| from | to | action | by | when |
//	|---|---|---|---|---|
//	| (new) | requested | — | authority | a consent request to central |
//	| requested | given | give_consent | citizen | aged 15 or more; the request open (RequestOpen, a year); the consent period not over when it arrives |
//	| requested | declined | decline_consent | citizen | always |
//	| declined | given | give_consent | citizen | a change of mind: clearly after the decline (beyond ClockSkew), with the request still open; refused (expired) once it is not |
//	| given | withdrawn | withdraw_consent | citizen | always |
//	| given | withdrawn | decline_consent | citizen | unless the give was clearly later (then the give stands) |
//	| given | expired | — | time | valid_until reached |
//
// Delegations. Declined, revoked and renounced are final: the principal
// must create a new one. Expired is final after RenewGrace; before, the
// principal may renew it. A renewal waits for the delegate to accept again
// only when it adds an area (or the delegation was never accepted).
//
//	| from | to | action | by | when |
//	|---|---|---|---|---|
//	| (new) | pending_acceptance | create_delegation | principal | principal 15 or more, delegate 18 or more and born, not to oneself; known areas; a valid period |
//	| pending_acceptance | active | accept_delegation | delegate | aged 18 or more; not about the same time as a decline or renunciation |
//	| pending_acceptance | declined | decline_delegation | delegate | always |
//	| pending_acceptance | declined | renounce_delegation | delegate | renouncing before accepting is declining |
//	| pending_acceptance | revoked | revoke_delegation | principal | always |
//	| pending_acceptance | expired | — | time | valid_to reached |
//	| active | revoked | revoke_delegation | principal | always |
//	| active | renounced | renounce_delegation | delegate | always |
//	| active | renounced | decline_delegation | delegate | the decline not clearly before the accept |
//	| active | declined | decline_delegation | delegate | the decline clearly before the accept (beyond ClockSkew) but arriving after it: declined is final, the accept is void |
//	| active | expired | — | time | valid_to reached |
//	| pending_acceptance | pending_acceptance | renew_delegation | principal | a new period before it is accepted |
//	| active | active | renew_delegation | principal | a new period; the same areas or fewer |
//	| active | pending_acceptance | renew_delegation | principal | a new period with an area it did not have: the delegate accepts again |
//	| expired | active | renew_delegation | principal | ended at most RenewGrace (90 days) ago, had been accepted; the same areas or fewer |
//	| expired | pending_acceptance | renew_delegation | principal | ended at most RenewGrace (90 days) ago, never accepted or with an area it did not have |
//
// When two actions of the same person are concurrent (their occurred_at
// within ClockSkew), the restrictive one (decline, withdraw, revoke,
// renounce) wins whichever reaches central first; further apart, the later
// wins, except that nothing comes back from a final state.
package borgerkiosk
