package borgerkiosk

// Outcome is central's decision on one action.
type Outcome string

const (
	Applied    Outcome = "applied"    // the action changed state
	Duplicate  Outcome = "duplicate"  // already seen; nothing changed
	Superseded Outcome = "superseded" // a conflicting action won; nothing changed
	Rejected   Outcome = "rejected"   // refused for Reason; nothing changed
)

// Verdict is central's answer for one action. A rejection is a result, not
// an error: the queue moves on and staff see it on the attention list.
type Verdict struct {
	ActionID string  `json:"action_id"`
	Seq      uint64  `json:"seq,omitempty"`
	Outcome  Outcome `json:"outcome"`
	Reason   string  `json:"reason,omitempty"`  // an error code, e.g. card_revoked
	Message  string  `json:"message,omitempty"` // safe to show a person
	// First is central's original verdict when Outcome is Duplicate because
	// the kiosk sent the same action again (its first answer was lost), so
	// the kiosk still learns of a rejection it never saw.
	First *Verdict `json:"first,omitempty"`
}

// NeedsAttention reports whether staff should look at the action.
func (v Verdict) NeedsAttention() bool {
	return v.Outcome == Rejected || v.Outcome == Superseded
}

// Refuse makes a rejected verdict from a domain error.
func Refuse(actionID string, err error) Verdict {
	return Verdict{ActionID: actionID, Outcome: Rejected, Reason: ErrorCode(err), Message: ErrorMessage(err)}
}
