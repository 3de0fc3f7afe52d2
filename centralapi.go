package borgerkiosk

import "time"

// The wire types of central's own endpoints: the operator's, the
// authorities' and the citizen sign-in's (docs/api.yaml). They sit here with
// the kiosk's wire types in api.go, not in central, so that a client such as
// kioskctl speaks them without linking the server (docs/decisions.md).

// EnrollTokenRequest asks for an enrolment token; the body may be empty.
type EnrollTokenRequest struct {
	TTLSeconds int64 `json:"ttl_seconds,omitempty"` // default central's Config.EnrollTokenTTL; at most 30 days
}

// EnrollTokenResponse carries a new one-time enrolment token.
type EnrollTokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RevocationRequest revokes a card serial.
type RevocationRequest struct {
	Serial string `json:"serial"`
}

// NonceResponse is a citizen sign-in challenge.
type NonceResponse struct {
	Nonce     []byte    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ConsentList is one page of an authority's list of its consents, by id.
// NextCursor, when not empty, asks for the next page (the cursor query
// parameter); the last page has none.
type ConsentList struct {
	Consents   []*Consent `json:"consents"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// ConsentCheck asks whether an authority may use a category of a citizen's
// data now. Purpose says why; it is logged with the check.
type ConsentCheck struct {
	CPR          CPR    `json:"cpr"`
	DataCategory string `json:"data_category"`
	Purpose      string `json:"purpose"`
}

// ConsentCheckResult answers a ConsentCheck; ConsentID names the consent
// that allows it.
type ConsentCheckResult struct {
	Allowed   bool   `json:"allowed"`
	ConsentID string `json:"consent_id,omitempty"`
}

// Health is the body of /healthz.
type Health struct {
	Status string `json:"status"`
}
