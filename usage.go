package borgerkiosk

import "time"

// UsageKind says what a usage record records.
type UsageKind string

const (
	UsageConsentCheck    UsageKind = "consent_check"    // an authority asked whether a consent allows it to use data
	UsageDelegationCheck UsageKind = "delegation_check" // an authority asked whether a delegate may act for the principal
	UsageTokenExchange   UsageKind = "token_exchange"   // a service got an on-behalf token for a delegate
)

// UsageAnswer is what central answered.
type UsageAnswer string

const (
	UsageAllowed UsageAnswer = "allowed" // yes
	UsageDenied  UsageAnswer = "denied"  // no: nothing allows it
	UsageRefused UsageAnswer = "refused" // the question was not allowed (Reason says why), so nothing was looked up
)

// UsageRole says whose usage log a record is in: the principal's (their data
// or their delegation was used) or the delegate's (a delegation they hold
// was asked about or used).
type UsageRole string

const (
	UsagePrincipal UsageRole = "principal"
	UsageDelegate  UsageRole = "delegate"
)

// UsageRecord is one use of a citizen's data or of a delegation: who asked,
// what for, when, and the answer. It holds no CPR number: central keeps it
// under the keyed CPR index of each person it concerns, and only their own
// card-signed request reads it. General enough for every kind: a consent
// check fills DataCategory and ConsentID, a delegation check Scope and
// DelegationID, a token exchange also Service and the acting delegate.
type UsageRecord struct {
	ID   string    `json:"id"` // NewID(At): newest first is by id
	At   time.Time `json:"at"`
	Kind UsageKind `json:"kind"`
	Role UsageRole `json:"role"` // whose log this copy is in

	Authority string `json:"authority"`         // catalogue id of the authority that asked, or whose service it is
	Service   string `json:"service,omitempty"` // the service (OAuth client) that asked, for a token exchange

	DataCategory string `json:"data_category,omitempty"`
	Scope        string `json:"scope,omitempty"`
	Purpose      string `json:"purpose,omitempty"`

	Answer UsageAnswer `json:"answer"`
	Reason string      `json:"reason,omitempty"` // the error code of a refusal

	ConsentID    string `json:"consent_id,omitempty"`
	DelegationID string `json:"delegation_id,omitempty"`
	// The names on the delegation asked about, when one was found, so a
	// screen can say "… whether Bo may act for you" without a lookup.
	PrincipalName string `json:"principal_name,omitempty"`
	DelegateName  string `json:"delegate_name,omitempty"`
}

// UsageRequest asks central for a page of the signed-in citizen's usage log
// (POST /v1/citizen/usage): newest first, records older than Before (a
// record id, from UsageLog.Next) when it is set, at most Limit of them
// (0: 50; at most 200).
type UsageRequest struct {
	Auth   CitizenAuth `json:"auth"`
	Before string      `json:"before,omitempty"`
	Limit  int         `json:"limit,omitempty"`
}

// Usage log page sizes.
const (
	DefaultUsagePage = 50
	MaxUsagePage     = 200
)

// UsageLog is a page of a citizen's usage log, newest first. Next, when
// set, is the Before of the next page. The log is for the session only.
type UsageLog struct {
	Records   []*UsageRecord `json:"records"`
	Next      string         `json:"next,omitempty"`
	FetchedAt time.Time      `json:"fetched_at"`
}

// MaxUsageStatement is the most records a printed usage statement holds:
// the statement is of the whole log (central keeps 15 months of it), and
// only a log longer than this prints its newest and says so. 300 records
// are about 51 KB of ESC/POS, under a minute at 9600 baud.
const MaxUsageStatement = 300

// UsageStatement gathers the records of a printed statement from the
// newest on, a page of MaxUsagePage at a time through page (a Session's
// UsageLog from before, say), until the log ends or MaxUsageStatement are
// in; Next is set when older records were left out.
func UsageStatement(page func(before string) (*UsageLog, error)) (*UsageLog, error) {
	out := &UsageLog{}
	before := ""
	for {
		l, err := page(before)
		if err != nil {
			return nil, err
		}
		if out.FetchedAt.IsZero() {
			out.FetchedAt = l.FetchedAt
		}
		room := MaxUsageStatement - len(out.Records)
		if len(l.Records) > room {
			out.Records = append(out.Records, l.Records[:room]...)
			out.Next = l.Records[room-1].ID
			return out, nil
		}
		out.Records = append(out.Records, l.Records...)
		if l.Next == "" || len(l.Records) == 0 {
			return out, nil
		}
		if len(out.Records) == MaxUsageStatement {
			out.Next = l.Next
			return out, nil
		}
		before = l.Next
	}
}
