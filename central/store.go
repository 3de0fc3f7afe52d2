package central

import (
	"context"
	"crypto/ed25519"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// Store keeps central's state. Every read and write happens in a transaction.
//
// Implementations: central/badgerstore (embedded, default) and
// central/postgres (for scale). Every implementation must pass
// central/storetest.Run.
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil. When fn returns an error nothing fn wrote is kept, and
	// Update returns that error unchanged. Concurrent Updates are
	// serializable in what fn reads (by key, as PushCursor, Consent or
	// Delegation do, or in a list) and what it writes: a record fn read is
	// not changed by another Update before fn's commits, nor is a key fn
	// read as absent and then writes created meanwhile. The store makes it so by waiting (row locks) or by
	// re-running fn on fresh data, so fn may be called more than once and
	// must not have effects outside tx (or must reset them at its start).
	// Not covered, in every store: a list read inside an Update may miss a
	// record another Update adds to it meanwhile; and the PostgreSQL store does
	// not see two Updates that each read as absent a key the other
	// creates without creating it themselves; no caller decides on either
	// (central/postgres's package comment shows why).
	Update(ctx context.Context, fn func(tx Tx) error) error

	// View runs fn in a read-only transaction that sees one consistent
	// snapshot. Writes inside View return an error.
	View(ctx context.Context, fn func(tx Tx) error) error

	// Ping checks that the store can be used (for /healthz).
	Ping(ctx context.Context) error

	// Close releases the store. Using it afterwards returns errors.
	Close() error
}

// Tx is one transaction. Objects are returned as fresh copies: changing them
// changes nothing in the store until they are put back.
//
// Errors: a lookup of something absent returns an *bk.Error with code
// bk.ENotFound; a put that would break uniqueness returns code bk.EConflict;
// anything else (I/O, corruption) is an ordinary error. Lists are never nil
// on success, possibly empty, in the order each method states.
type Tx interface {
	WebStateTx // webstate.go

	// Prefetch says which records fn is about to read by key, so that a
	// store can fetch them together in one round trip and, where it locks
	// what an Update reads, lock them in one fixed order. A hint: every
	// read answers the same with or without it, and a store may ignore it.
	Prefetch(k Keys) error

	// Kiosk returns the kiosk with id, or ENotFound.
	Kiosk(id string) (*Kiosk, error)
	// PutKiosk adds a kiosk; EConflict if the id is taken.
	PutKiosk(k *Kiosk) error
	// Kiosks lists every enrolled kiosk by id.
	Kiosks() ([]*Kiosk, error)

	// EnrollToken returns the unused enrolment token with that hash
	// (bk.TokenHash), or ENotFound. It may return tokens past ExpiresAt:
	// the caller checks expiry.
	EnrollToken(hash string) (*EnrollToken, error)
	// PutEnrollToken stores a token; EConflict if the hash exists.
	PutEnrollToken(t *EnrollToken) error
	// DeleteEnrollToken removes a token (it was used); ENotFound if absent.
	DeleteEnrollToken(hash string) error

	// PushCursor returns the last sequence number accepted from a kiosk
	// incarnation; 0 when nothing was accepted yet.
	PushCursor(kiosk, incarnation string) (uint64, error)
	// SetPushCursor records last for a kiosk incarnation.
	SetPushCursor(kiosk, incarnation string, last uint64) error

	// PutAction stores the record of a pushed action and its verdict under
	// (Kiosk, Incarnation, Seq); EConflict if that slot is taken. The first
	// record with a given action id that TookEffect is the one ActionByID
	// returns; refused records are kept in their slot but never indexed by
	// id, so a refused copy cannot hide the genuine action.
	PutAction(r *ActionRecord) error
	// ActionAt returns the record in a slot, or ENotFound.
	ActionAt(kiosk, incarnation string, seq uint64) (*ActionRecord, error)
	// ActionByID returns the first record with action id that TookEffect,
	// or ENotFound.
	ActionByID(id string) (*ActionRecord, error)
	// Actions lists a kiosk incarnation's records with Seq > after, in
	// sequence order, at most limit of them (limit <= 0: all).
	Actions(kiosk, incarnation string, after uint64, limit int) ([]*ActionRecord, error)

	// Consent returns the consent with id, or ENotFound.
	Consent(id string) (*bk.Consent, error)
	// PutConsent adds or replaces a consent. CPR and AuthorityID of an
	// existing consent never change; a put that changes them is EInvalid.
	PutConsent(c *bk.Consent) error
	// ConsentsByCPR lists a citizen's consents by id.
	ConsentsByCPR(cpr bk.CPR) ([]*bk.Consent, error)
	// ConsentsByAuthority lists an authority's consents by id; with a
	// non-zero cpr only that citizen's.
	ConsentsByAuthority(authorityID string, cpr bk.CPR) ([]*bk.Consent, error)
	// ConsentsPage lists an authority's consents with id > after (from
	// the first when after is empty), by id, at most limit of them (limit
	// <= 0: all). It reads one range of an index on (authority, id), so a
	// page costs the same whatever the authority holds.
	ConsentsPage(authorityID, after string, limit int) ([]*bk.Consent, error)

	// Delegation returns the delegation with id, or ENotFound.
	Delegation(id string) (*bk.Delegation, error)
	// PutDelegation adds or replaces a delegation. Principal and Delegate
	// of an existing delegation never change; a put that changes them is
	// EInvalid.
	PutDelegation(d *bk.Delegation) error
	// DelegationsByPrincipal lists the delegations cpr has given, by id.
	DelegationsByPrincipal(cpr bk.CPR) ([]*bk.Delegation, error)
	// DelegationsByDelegate lists the delegations given to cpr, by id.
	DelegationsByDelegate(cpr bk.CPR) ([]*bk.Delegation, error)

	// HandoverCodes returns what is known of a delegation's handover codes
	// (used token ids, newest issue time); a record with an empty, non-nil
	// Used map when nothing is known. It does not need the delegation to
	// exist.
	HandoverCodes(delegationID string) (handover.CodeRecord, error)
	// PutHandoverCodes replaces a delegation's handover code record; an
	// empty delegation id is EInvalid.
	PutHandoverCodes(delegationID string, rec handover.CodeRecord) error
	// TypedCode returns the index entry of a typed handover code (as
	// handover.ParseTyped returns it), or ENotFound.
	TypedCode(code string) (handover.TypedEntry, error)
	// PutTypedCode indexes a typed code. Storing an entry again is a no-op;
	// a code already indexed with different contents keeps the first and
	// is EConflict; an entry without code or delegation id is EInvalid.
	PutTypedCode(e handover.TypedEntry) error

	// Revoke adds a card serial to the revocation list; revoking a serial
	// twice keeps the first record and is not an error. The store numbers
	// the new record (whatever r holds there): Seq one after the last
	// revocation's, without gaps, in commit order, and Chain
	// bk.RevocationChain of the last one's Chain and the serial.
	Revoke(r Revocation) error
	// RevocationsSince lists the revocations with Seq > seq, in Seq order,
	// at most limit of them (limit <= 0: all), from an index on Seq.
	RevocationsSince(seq uint64, limit int) ([]Revocation, error)
	// LastRevocation returns the revocation with the highest Seq, or the
	// zero Revocation when none was made.
	LastRevocation() (Revocation, error)
	// Revocation returns the record of a revoked serial, or ENotFound. It
	// is one index lookup, whatever the number revoked.
	Revocation(serial string) (Revocation, error)
	// Revocations lists revoked serials, sorted by serial.
	Revocations() ([]Revocation, error)

	// PutNonce stores a citizen sign-in nonce; EConflict if it exists.
	PutNonce(n *Nonce) error
	// Nonce returns a stored nonce, or ENotFound. A store may forget a
	// nonce once it has expired.
	Nonce(value []byte) (*Nonce, error)
	// DeleteNonce removes a nonce (it was used); ENotFound if absent.
	DeleteNonce(value []byte) error

	// Contact returns a citizen's contact details, or ENotFound when they
	// never set any.
	Contact(cpr bk.CPR) (*bk.Contact, error)
	// PutContact adds or replaces a citizen's contact details (an empty
	// Email is kept: it records that the address was removed, and when).
	// The CPR number is kept only as a keyed index digest, never in a
	// value, as for the usage log. EInvalid for a zero cpr or a contact
	// that fails Check.
	PutContact(cpr bk.CPR, c *bk.Contact) error

	// AddNotice adds a notice unless one with its ID exists, and reports
	// whether it did (a notice is stored once, however often it is found).
	// EInvalid for a notice CheckNotice refuses.
	AddNotice(n *Notice) (bool, error)
	// PutNotice replaces a stored notice (its delivery record); ENotFound
	// if there is none with its ID.
	PutNotice(n *Notice) error
	// Notice returns the notice with id, or ENotFound.
	Notice(id string) (*Notice, error)
	// DueNotices lists pending notices whose NextAt is not after now, by
	// NextAt then ID, at most limit (limit <= 0: all).
	DueNotices(now time.Time, limit int) ([]*Notice, error)
	// NoticesIn lists the notices in state with ID > after, by ID, at most
	// limit (limit <= 0: all).
	NoticesIn(state NoticeState, after string, limit int) ([]*Notice, error)
	// AddTimer adds a timer; one with its ID already there is kept (not an
	// error). EInvalid for a timer CheckTimer refuses.
	AddTimer(t *Timer) error
	// DueTimers lists timers whose DueAt is not after now, by DueAt then
	// ID, at most limit (limit <= 0: all).
	DueTimers(now time.Time, limit int) ([]*Timer, error)
	// DeleteTimer removes a timer; ENotFound if absent.
	DeleteTimer(id string) error

	// PutUsage adds usage records, each to the log of its principal and,
	// when its Delegate is not zero, to the delegate's log too, with Role
	// set in each copy. The CPR numbers are kept only as keyed index
	// digests, never in a value. EInvalid for an entry without a record
	// id, a time, a principal, or with the same person as both; EConflict
	// when a record id is already in one of those logs.
	PutUsage(entries []UsageEntry) error
	// Usage lists cpr's usage records newest first (by id, descending):
	// those with id < before when before is not empty, at most limit of
	// them (limit <= 0: all).
	Usage(cpr bk.CPR, before string, limit int) ([]*bk.UsageRecord, error)
	// DeleteUsageBefore deletes the usage records whose At is before t,
	// with all their copies, oldest first, at most limit records (limit
	// <= 0: all), and returns how many records it deleted.
	DeleteUsageBefore(t time.Time, limit int) (int, error)
}

// Keys names records for Tx.Prefetch. Unknown keys are fine (they are
// absent).
type Keys struct {
	Consents      []string // Consent ids
	Delegations   []string // Delegation ids
	HandoverCodes []string // HandoverCodes delegation ids
	ActionIDs     []string // ActionByID ids
	Revocations   []string // Revocation serials
	TypedCodes    []string // TypedCode codes
	// Seqs are ActionAt slots of the incarnation Incarnation of Kiosk.
	Kiosk, Incarnation string
	Seqs               []uint64
}

// UsageEntry is a usage record and the people in whose logs it goes.
type UsageEntry struct {
	Record    *bk.UsageRecord
	Principal bk.CPR // whose data or delegation was used; required
	Delegate  bk.CPR // the delegate asked about or acting, else zero
}

// Check reports what is wrong with e for PutUsage (EInvalid), else nil.
func (e UsageEntry) Check() error {
	switch {
	case e.Record == nil || e.Record.ID == "" || e.Record.At.IsZero():
		return bk.Errorf(bk.EInvalid, "a usage record needs an id and a time")
	case e.Principal.IsZero():
		return bk.Errorf(bk.EInvalid, "a usage record needs a principal")
	case e.Principal == e.Delegate:
		return bk.Errorf(bk.EInvalid, "the principal and delegate of a usage record must be two people")
	}
	return nil
}

// Copies returns the copies of e's record PutUsage stores, each with the
// CPR number whose log it goes in and its Role set.
func (e UsageEntry) Copies() []UsageCopy {
	p := *e.Record
	p.Role = bk.UsagePrincipal
	out := []UsageCopy{{CPR: e.Principal, Record: &p}}
	if !e.Delegate.IsZero() {
		d := *e.Record
		d.Role = bk.UsageDelegate
		out = append(out, UsageCopy{CPR: e.Delegate, Record: &d})
	}
	return out
}

// UsageCopy is one copy of a usage record, in the log of CPR.
type UsageCopy struct {
	CPR    bk.CPR
	Record *bk.UsageRecord
}

// Kiosk is an enrolled kiosk and the key it signs requests with.
type Kiosk struct {
	ID         string            `json:"id"`
	Site       string            `json:"site"`
	PublicKey  ed25519.PublicKey `json:"public_key"`
	EnrolledAt time.Time         `json:"enrolled_at"`
}

// EnrollToken is a one-time enrolment token. Only its hash is kept.
type EnrollToken struct {
	Hash      string    `json:"hash"` // bk.TokenHash of the token
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ActionRecord is what central keeps of one pushed action: where it came
// from, its place in that kiosk incarnation's sequence, and the verdict.
type ActionRecord struct {
	Kiosk       string     `json:"kiosk"`
	Incarnation string     `json:"incarnation"`
	Seq         uint64     `json:"seq"`
	Hash        []byte     `json:"hash"` // Action.ContentHash
	Action      *bk.Action `json:"action"`
	Verdict     bk.Verdict `json:"verdict"`
	ReceivedAt  time.Time  `json:"received_at"`
}

// TookEffect reports whether the record's action was decided on its merits
// and changed (or was outranked in) the registry: applied or superseded.
// Only such records count when a later push of the same action id asks
// "was this received?". A refusal must not count: a copy of a genuine
// action pushed first by another kiosk (wrong_kiosk), or with a broken hash
// or signature, is refused, and if it counted, the genuine action would come
// back "duplicate" and never be applied.
func (r *ActionRecord) TookEffect() bool {
	return r.Verdict.Outcome == bk.Applied || r.Verdict.Outcome == bk.Superseded
}

// Revocation is a revoked card serial. Seq and Chain place it in the
// list's order: the list of the first Seq revocations has the version
// bk.RevocationVersion{Count: Seq, Digest: Chain}.
type Revocation struct {
	Serial    string    `json:"serial"`
	RevokedAt time.Time `json:"revoked_at"`
	Seq       uint64    `json:"seq,omitempty"`
	Chain     []byte    `json:"chain,omitempty"`
}

// Version is the version of the revocation list that ends with r.
func (r Revocation) Version() bk.RevocationVersion {
	return bk.RevocationVersion{Count: r.Seq, Digest: r.Chain}
}

// Numbered returns r as the revocation after last.
func (r Revocation) Numbered(last Revocation) Revocation {
	r.Seq, r.Chain = last.Seq+1, bk.RevocationChain(last.Chain, r.Serial)
	return r
}

// Nonce is a single-use challenge for a citizen sign-in at one kiosk.
type Nonce struct {
	Value     []byte    `json:"value"`
	Kiosk     string    `json:"kiosk"`
	ExpiresAt time.Time `json:"expires_at"`
}
