package borgerkiosk

import (
	"time"
	"unicode/utf8"
)

// ConsentState is where a consent is in its life: requested → given |
// declined; declined → given while the request is open; given → withdrawn |
// expired. ConsentEdges has every edge and who may take it.
type ConsentState string

const (
	ConsentRequested ConsentState = "requested"
	ConsentGiven     ConsentState = "given"
	ConsentDeclined  ConsentState = "declined"
	ConsentWithdrawn ConsentState = "withdrawn"
	ConsentExpired   ConsentState = "expired"
	ConsentRevoked   ConsentState = "revoked" // ended by the authority; no API does this yet
)

// ConsentRequest is what an authority sends to ask a citizen for consent.
type ConsentRequest struct {
	CPR            CPR      `json:"cpr"`
	Purpose        Text     `json:"purpose"`
	DataCategories []string `json:"data_categories"`
	LegalBasis     Text     `json:"legal_basis"`
	ValidDays      int      `json:"valid_days"` // how long a given consent lasts
}

// MaxConsentDays bounds what an authority may ask for: five years.
const MaxConsentDays = 5 * 366

// MaxPurposeRunes bounds a purpose, in characters, in each language. The
// purpose is printed on the receipt after its label ("Formål:") and shown on
// the consent screen: 200 characters wrap to six lines of the 42-column
// receipt (escpos.DefaultColumns) and stay a short paragraph on the screen at
// large text. The demo's longest purpose has 97; a purpose that needs more
// is a purpose a citizen cannot take in at a kiosk.
const MaxPurposeRunes = 200

// Validate checks the request of authority against the catalogue (the data
// categories it may request, EInvalid for unknown ones and
// ECategoryNotAllowed for others), the purpose's length (EPurposeTooLong)
// and, for the CPR number's date of birth, the clock (see ParseCPR).
func (r *ConsentRequest) Validate(cat *Catalogue, authorityID string, now time.Time) error {
	if _, ok := cat.Authority(authorityID); !ok {
		return Errorf(EInvalid, "authority %q is not in the catalogue", authorityID)
	}
	if r.CPR.IsZero() {
		return Errorf(EInvalid, "cpr is required")
	}
	if err := r.CPR.CheckBorn(now); err != nil {
		return err
	}
	if r.Purpose.DA == "" || r.Purpose.EN == "" {
		return Errorf(EInvalid, "purpose is required in Danish (da) and English (en)")
	}
	for _, p := range []struct{ lang, text string }{{"da", r.Purpose.DA}, {"en", r.Purpose.EN}} {
		if n := utf8.RuneCountInString(p.text); n > MaxPurposeRunes {
			return Errorf(EPurposeTooLong, "purpose.%s has %d characters; at most %d fit on a receipt and a kiosk screen", p.lang, n, MaxPurposeRunes)
		}
	}
	if r.LegalBasis.DA == "" || r.LegalBasis.EN == "" {
		return Errorf(EInvalid, "legal_basis is required in Danish (da) and English (en)")
	}
	if len(r.DataCategories) == 0 {
		return Errorf(EInvalid, "data_categories must name at least one data category")
	}
	seen := map[string]bool{}
	for _, id := range r.DataCategories {
		if _, ok := cat.DataCategory(id); !ok {
			return Errorf(EInvalid, "unknown data category %q", id)
		}
		if seen[id] {
			return Errorf(EInvalid, "data category %q appears twice", id)
		}
		seen[id] = true
		if !cat.MayRequest(authorityID, id) {
			return Errorf(ECategoryNotAllowed, "authority %q may not ask for data category %q; the catalogue lists those it may", authorityID, id)
		}
	}
	if r.ValidDays < 1 || r.ValidDays > MaxConsentDays {
		return Errorf(EInvalid, "valid_days must be between 1 and %d", MaxConsentDays)
	}
	return nil
}

// Consent is one authority's request to use one citizen's data, and the
// citizen's answer to it.
type Consent struct {
	ID             string       `json:"id"`
	CPR            CPR          `json:"cpr"`
	AuthorityID    string       `json:"authority_id"`
	Purpose        Text         `json:"purpose"`
	DataCategories []string     `json:"data_categories"`
	LegalBasis     Text         `json:"legal_basis"`
	ValidDays      int          `json:"valid_days"`
	RequestedAt    time.Time    `json:"requested_at"`
	State          ConsentState `json:"state"`
	GivenAt        time.Time    `json:"given_at,omitzero"`
	ValidUntil     time.Time    `json:"valid_until,omitzero"` // set when given
	ChangedAt      time.Time    `json:"changed_at"`           // occurred_at of the last change
	ChangedBy      string       `json:"changed_by,omitempty"` // action id of the last change
	AssistedBy     string       `json:"assisted_by,omitempty"`
}

// NewConsent turns an authority's request into a consent in state requested.
func NewConsent(id, authorityID string, r *ConsentRequest, now time.Time) *Consent {
	return &Consent{
		ID:             id,
		CPR:            r.CPR,
		AuthorityID:    authorityID,
		Purpose:        r.Purpose,
		DataCategories: append([]string(nil), r.DataCategories...),
		LegalBasis:     r.LegalBasis,
		ValidDays:      r.ValidDays,
		RequestedAt:    now.UTC(),
		State:          ConsentRequested,
		ChangedAt:      now.UTC(),
	}
}

// StateAt returns the state at time now: a given consent past its validity
// has expired even if nothing has written that down yet.
func (c *Consent) StateAt(now time.Time) ConsentState {
	if c.State == ConsentGiven && !now.Before(c.ValidUntil) {
		return ConsentExpired
	}
	return c.State
}

// Covers reports whether c, at time now, allows authority to use category.
func (c *Consent) Covers(authorityID, category string, now time.Time) bool {
	if c.AuthorityID != authorityID || c.StateAt(now) != ConsentGiven {
		return false
	}
	for _, d := range c.DataCategories {
		if d == category {
			return true
		}
	}
	return false
}
