package borgerkiosk

import "time"

// DelegationState is where a delegation is in its life:
// pending_acceptance → active | declined | revoked | expired;
// active → revoked (by principal) | renounced (by delegate) | expired.
// Declined is final. DelegationEdges has every edge and who may take it.
type DelegationState string

const (
	DelegationPending   DelegationState = "pending_acceptance"
	DelegationActive    DelegationState = "active"
	DelegationDeclined  DelegationState = "declined"
	DelegationExpired   DelegationState = "expired"
	DelegationRevoked   DelegationState = "revoked"
	DelegationRenounced DelegationState = "renounced"
)

// CreatedVia says whether the principal made the delegation alone or with help.
type CreatedVia string

const (
	ViaSelf     CreatedVia = "self"
	ViaAssisted CreatedVia = "assisted"
)

// ScopeGrant is one scope of a delegation; it may end before the delegation.
type ScopeGrant struct {
	ScopeID string    `json:"scope_id"`
	Until   time.Time `json:"until,omitzero"` // zero: until the delegation ends
}

// Delegation is a digital power of attorney: the delegate may act for the
// principal within the scopes, from ValidFrom until ValidTo.
type Delegation struct {
	ID            string          `json:"id"`
	Principal     CPR             `json:"principal"`
	PrincipalName string          `json:"principal_name"`
	Delegate      CPR             `json:"delegate"`
	DelegateName  string          `json:"delegate_name,omitempty"` // from their card, known once accepted
	Scopes        []ScopeGrant    `json:"scopes"`
	ValidFrom     time.Time       `json:"valid_from"`
	ValidTo       time.Time       `json:"valid_to"`
	CreatedVia    CreatedVia      `json:"created_via"`
	AssistedBy    string          `json:"assisted_by,omitempty"` // staff id and name
	CreatedAt     time.Time       `json:"created_at"`
	State         DelegationState `json:"state"`
	ChangedAt     time.Time       `json:"changed_at"`
	ChangedBy     string          `json:"changed_by,omitempty"`

	// DelegateNameTyped is the name the principal typed for the delegate, so
	// a pending delegation is known by a person, not a number.
	DelegateNameTyped string `json:"delegate_name_typed,omitempty"`
}

// StateAt returns the state at time now, with expiry applied.
func (d *Delegation) StateAt(now time.Time) DelegationState {
	if (d.State == DelegationPending || d.State == DelegationActive) && !now.Before(d.ValidTo) {
		return DelegationExpired
	}
	return d.State
}

// DelegateShown is the delegate's name to show: the card's once they have
// accepted, until then the one the principal typed (either may be "").
func (d *Delegation) DelegateShown() string {
	if d.DelegateName != "" {
		return d.DelegateName
	}
	return d.DelegateNameTyped
}

// ActiveScopes returns the scope ids in force at time now.
func (d *Delegation) ActiveScopes(now time.Time) []string {
	if d.StateAt(now) != DelegationActive || now.Before(d.ValidFrom) {
		return nil
	}
	var ids []string
	for _, s := range d.Scopes {
		if s.Until.IsZero() || now.Before(s.Until) {
			ids = append(ids, s.ScopeID)
		}
	}
	return ids
}
