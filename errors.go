package borgerkiosk

import (
	"errors"
	"fmt"
)

// Error codes. A code is stable and machine-readable; the message that goes
// with it is safe to show a person (it never holds a full CPR number or a PIN).
const (
	EInvalid            = "invalid"      // malformed input
	ENotFound           = "not_found"    // no such object
	EConflict           = "conflict"     // state does not allow the request
	EUnauthorized       = "unauthorized" // no or bad credentials
	EForbidden          = "forbidden"    // credentials fine, not allowed
	EInternal           = "internal"     // a fault of ours; details are logged
	EUnavailable        = "unavailable"  // a device or service cannot be reached
	ENoCard             = "no_card"      // no card in the reader
	EWrongPIN           = "wrong_pin"    // PIN did not match; see PINError
	ECardLocked         = "card_locked"  // too many wrong PINs
	ENotAuthed          = "not_authenticated"
	EUnknownIssuer      = "unknown_issuer" // certificate from an issuer we do not trust
	EBadSignature       = "bad_signature"  // a signature does not verify
	ECardRevoked        = "card_revoked"   // certificate serial is on the revocation list
	ECardExpired        = "card_expired"   // certificate validity has ended
	ECardNotYet         = "card_not_yet_valid"
	EWrongRole          = "wrong_role"      // e.g. a citizen card where a staff card is needed
	EStaleTrust         = "stale_trust"     // the trust bundle is older than its max age
	EUnknownSubject     = "unknown_subject" // the consent or delegation is not known
	EAlreadyRevoked     = "already_revoked"
	EAlreadyDeclined    = "already_declined" // a declined delegation is final
	EAgeRule            = "age_rule"
	EExpired            = "expired"
	EInvalidState       = "invalid_state" // the object's state does not allow this action
	ENotPermitted       = "not_permitted" // the actor is not the person this object belongs to
	EUnknownScope       = "unknown_scope"
	EBadValidity        = "bad_validity"
	EClockSkew          = "clock_skew"           // a time is too far from the receiver's clock
	ECPRFutureBirth     = "cpr_future_birth"     // the CPR number's date of birth is after today
	EUnknownKiosk       = "unknown_kiosk"        // central has no kiosk with this id: enrol it (again)
	ECategoryNotAllowed = "category_not_allowed" // the catalogue does not let this authority ask for the category
	EScopeNotAllowed    = "scope_not_allowed"    // the catalogue does not let this authority check delegations of the scope
	EPurposeTooLong     = "purpose_too_long"     // a consent request's purpose is longer than MaxPurposeRunes
)

// Error is a domain error: a code for programs and a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var p *PINError
	if errors.As(err, &p) {
		return EWrongPIN
	}
	return EInternal
}

// ErrorMessage returns the person-safe message of err; other errors get a
// generic message so that internal details never reach a screen.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	var p *PINError
	if errors.As(err, &p) {
		return p.Error()
	}
	return "An internal error occurred."
}

// PINError reports a wrong PIN and how many tries are left before the card locks.
type PINError struct {
	TriesLeft int
}

func (e *PINError) Error() string {
	return fmt.Sprintf("wrong PIN, %d tries left", e.TriesLeft)
}
