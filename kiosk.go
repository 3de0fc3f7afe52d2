package borgerkiosk

import (
	"context"
	"time"
)

// This file is the kiosk application's port: what the screens need from the
// rest of the kiosk, as WTF Dial keeps DialService in dial.go. session
// implements it with the card reader, printer, scanner, outbox and central
// client; ui/fake implements it in memory for tests and demos; ui draws it.
// Every error that reaches a person is an *Error (or *PINError) whose code
// the screens turn into a translated message; any other error is shown as a
// generic fault.

// CardInfo is what the kiosk read from the card in the slot.
type CardInfo struct {
	Serial  string
	Name    string
	CPR     CPR // shown masked only (CPR.Masked)
	Role    Role
	StaffID string // only for staff cards
}

// Staff names the staff member who assists a citizen session.
type Staff struct {
	ID   string
	Name string
}

// DeviceState is the health of a device, as shown to staff.
type DeviceState string

const (
	DeviceOK       DeviceState = "ok"
	DevicePaperOut DeviceState = "paper_out" // printers only
	DeviceOffline  DeviceState = "offline"   // unplugged or not answering
)

// Status is the kiosk's health, shown in banners and on the staff home.
type Status struct {
	Online        bool
	Pending       int       // actions stored but not yet acknowledged by central
	OldestPending time.Time // zero when nothing is pending
	LastSync      time.Time // zero before the first successful sync
	Attention     int       // rejected or superseded actions staff should look at
	Printer       DeviceState
	Reader        DeviceState
	Scanner       DeviceState
	TrustStale    bool // the trust bundle is older than its max age: widening actions are refused
	// ClockSkew is how far the kiosk clock is ahead of central's (behind
	// when negative) while central refuses it for that; zero: no problem.
	ClockSkew time.Duration
}

// AttentionItem is an action central did not apply, for the staff list.
type AttentionItem struct {
	ActionID   string
	Kind       ActionKind
	OccurredAt time.Time
	Actor      string // masked CPR or staff id; never a full CPR
	ActorName  string // the name on the card, while the action is kept; "" after
	Verdict    Verdict
}

// Events receives what happens at the kiosk. Each callback may be nil, may
// be called from any goroutine and must not block (the UI hands the work to
// the Fyne thread with fyne.Do).
type Events struct {
	Card   func(CardEvent)   // card inserted or removed
	Scan   func(code string) // the QR scanner read a code
	Status func(Status)      // any change of Status
}

// Kiosk is the kiosk-level service: devices, sync state and sign-in.
type Kiosk interface {
	// Subscribe delivers events until cancel is called. A CardRemoved event
	// must be delivered as soon as the card leaves the slot; the session
	// signed in with that card is closed (and wiped) before it is delivered.
	Subscribe(e Events) (cancel func())

	// CardPresent reports whether a card is in the slot now.
	CardPresent() bool

	// ReadCard reads and verifies the certificate of the card in the slot.
	// Errors: ENoCard; ECardExpired, ECardNotYet, ECardRevoked,
	// EUnknownIssuer, EBadSignature (the card cannot be used);
	// EUnavailable (the reader does not answer).
	ReadCard(ctx context.Context) (CardInfo, error)

	// SignIn checks pin on the card in the slot and opens a session for its
	// holder. For a citizen card, assist (if not nil) is a staff grant made
	// by Session.GrantAssist on a staff session moments before; every action
	// of the session then carries it. Errors: *PINError (wrong PIN, tries
	// left), ECardLocked, ENoCard, EForbidden (the grant has expired or is
	// for another kiosk), EWrongRole (a grant with a staff card), and the
	// ReadCard errors.
	SignIn(ctx context.Context, pin string, assist *StaffGrant) (Session, error)

	// Status returns the current status.
	Status() Status

	// Attention returns actions central did not apply, newest first.
	// Errors: EUnavailable when the local queue cannot be read.
	Attention(ctx context.Context) ([]AttentionItem, error)

	// SyncNow asks the pusher to sync at once; it returns when that attempt
	// ends. Errors: EUnavailable when central cannot be reached.
	SyncNow(ctx context.Context) error

	// Catalogue returns the catalogue of the current trust bundle.
	Catalogue() *Catalogue

	// VerifyHandover checks a scanned handover code offline and says what it
	// grants. Errors: EInvalid (not a handover code), EBadSignature,
	// EExpired (the code or the delegation has run out), EAlreadyRevoked.
	VerifyHandover(ctx context.Context, code string) (HandoverInfo, error)

	// CallStaff signals that a person at the kiosk needs help (a lamp, a
	// pager or an entry on the staff list). Errors: EUnavailable.
	CallStaff(ctx context.Context, reason string) error
}

// StaffGrant is a staff grant: an Assist signed by the staff card, plus who
// the staff member is, for the banner and receipts.
type StaffGrant struct {
	Grant *Assist
	Staff Staff
}

// Receipt says whether the receipt of an action was printed.
type Receipt struct {
	Printed bool
	Err     error  // why not: an *Error with code EUnavailable; the action is saved all the same
	Text    string // what the receipt says, for reading aloud
	Lang    string // the language Text is in ("da" or "en"): it is read with that voice
}

// Result is the outcome of Session.Do for an action that was stored.
type Result struct {
	ActionID string
	// Verdict is the preview from the shared rules on the state the kiosk
	// knows; its Outcome is "" when the kiosk is offline and cannot preview.
	Verdict Verdict
	Pending bool // stored at the kiosk, not yet confirmed by central
	Receipt Receipt
}

// Handover is a handover code made for a delegation.
type Handover struct {
	Code    string    // the text in the QR code (a URL a phone opens)
	Expires time.Time // when the code stops working
	// Typed is the same code to type, grouped ("K7M4-XQ9-P2R"), at
	// TypedAddress ("borgerkiosk.dk/kode"); both "" for a code central
	// cannot resolve typed (one made in an earlier session).
	Typed, TypedAddress string
	Receipt             Receipt // the printed slip
}

// HandoverInfo is what a verified handover code grants. From the code
// alone the principal is a masked name and Principal is empty; once the
// delegate has signed in, the UI fills both from central's record.
type HandoverInfo struct {
	Code          string
	DelegationID  string
	PrincipalName string // partly masked from the code, e.g. "Karen H."; in full from central
	Principal     string // masked CPR, DDMMYY-xxxx; empty until central's record is known
	Scopes        []ScopeGrant
	ValidFrom     time.Time
	ValidTo       time.Time
	CodeExpires   time.Time
}

// Session is one signed-in person. It ends when Close is called (logout,
// card removed, idle timeout); after that every method returns ENotAuthed.
type Session interface {
	// Person returns the card holder.
	Person() CardInfo

	// AssistedBy returns the staff member helping, or nil.
	AssistedBy() *Staff

	// SetLang sets the language ("da" or "en") of the receipts printed
	// from now on; the UI calls it when the person switches language.
	SetLang(lang string)

	// State fetches the citizen's consents and delegations live from central.
	// Errors: EUnavailable when offline (the screens then say what can
	// still be done).
	State(ctx context.Context) (*CitizenState, error)

	// Do signs the action with the card, stores it durably, prints a
	// receipt and returns. It never returns nil error before the action is
	// on disk. Errors: EStaleTrust (a widening action with a stale bundle);
	// a rule refusal seen in the preview (EAgeRule, EInvalid, EBadValidity,
	// ENotPermitted, …: nothing is stored); ENoCard; EInternal when storing
	// failed. A printer fault is not an error: see Result.Receipt.
	Do(ctx context.Context, kind ActionKind, p Payload) (Result, error)

	// HandoverCode makes and prints a handover code for a delegation this
	// person created. Errors: ENotFound, ENotPermitted, EStaleTrust.
	HandoverCode(ctx context.Context, delegationID string) (Handover, error)

	// PrintOverview prints everything the person has (consents and
	// delegations); offline it prints what the kiosk knows and says so.
	// Errors: EUnavailable (printer), ENotAuthed.
	PrintOverview(ctx context.Context) error

	// UsageLog fetches a page of the person's usage log live from central:
	// who asked about their data and their delegations, and what was asked
	// or done with the delegations they hold, newest first. before is the
	// Next of the page before ("" for the newest); limit 0 is central's
	// default (DefaultUsagePage), at most MaxUsagePage. Errors:
	// EUnavailable when offline; EInvalid for a before that is no record id
	// or a limit out of range; ENotAuthed after Close.
	UsageLog(ctx context.Context, before string, limit int) (*UsageLog, error)

	// PrintUsage prints a statement of the person's usage log as central
	// keeps it (15 months by default), newest first, at most
	// MaxUsagePage records. Errors: EUnavailable when offline (nothing
	// is printed); ENotAuthed. A printer fault is not an error: see
	// Receipt.Err.
	PrintUsage(ctx context.Context) (Receipt, error)

	// PrintReminder prints a paper reminder of r, one of Rules.Reminders
	// of the person's state: what ends or waits, when, and what they can
	// do. Errors: EInvalid for a reminder that names no one or nothing;
	// ENotAuthed. A printer fault is not an error: see Receipt.Err.
	PrintReminder(ctx context.Context, r Reminder) (Receipt, error)

	// GrantAssist signs a staff grant with a staff card for d (at most
	// MaxAssist). Errors: EWrongRole for a citizen session, ENoCard.
	GrantAssist(ctx context.Context, d time.Duration) (*StaffGrant, error)

	// DismissAttention takes the action actionID off the attention list
	// once the staff member signed in has dealt with it; the kiosk records
	// who did and when. Errors: EWrongRole for a citizen session, ENotFound
	// when the action is not on the list, ENotAuthed after Close.
	DismissAttention(ctx context.Context, actionID string) error

	// Close ends the session and wipes what it held in memory.
	Close()
}
