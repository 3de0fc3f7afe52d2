package borgerkiosk

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The wire types of the kiosk–central protocol. Central serves them under
// /v1 (see docs/api.yaml); the kiosk's sync package speaks them.

// PushItem is one queued action with its place in the kiosk's sequence.
type PushItem struct {
	Seq    uint64  `json:"seq"`
	Hash   []byte  `json:"hash"` // Action.ContentHash
	Action *Action `json:"envelope"`
}

// PushRequest is a batch of actions from one kiosk incarnation, in sequence.
type PushRequest struct {
	Kiosk       string     `json:"kiosk"`
	Incarnation string     `json:"incarnation"`
	Actions     []PushItem `json:"actions"`
}

// PushResponse tells the kiosk how far central has got and what it decided.
type PushResponse struct {
	LastSeq  uint64    `json:"last_seq"`
	Verdicts []Verdict `json:"verdicts"`
}

// Push limits: a batch holds at most this many actions and bytes.
const (
	MaxPushActions = 256
	MaxPushBytes   = 1 << 20
)

// EnrollRequest registers a kiosk's key with a one-time token.
type EnrollRequest struct {
	Token     string            `json:"token"`
	KioskID   string            `json:"kiosk_id"`
	Site      string            `json:"site"`
	PublicKey ed25519.PublicKey `json:"public_key"`
}

// EnrollResponse returns what the kiosk must trust: central's public key.
type EnrollResponse struct {
	KioskID    string            `json:"kiosk_id"`
	CentralKey ed25519.PublicKey `json:"central_key"`
}

// ErrorResponse is the body of every error answer from central.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// CentralTime is central's clock when it refuses a kiosk request with
	// EClockSkew, so the kiosk can say how far off its own clock is.
	CentralTime time.Time `json:"central_time,omitzero"`
}

// CitizenState is what a signed-in citizen sees: their consents (with open
// requests) and delegations both ways. It is fetched live, never stored.
type CitizenState struct {
	Consents  []*Consent    `json:"consents"`
	GivenByMe []*Delegation `json:"given_by_me"`
	GivenToMe []*Delegation `json:"given_to_me"`
	// Contact is the citizen's own contact details, nil when they gave none.
	Contact     *Contact    `json:"contact,omitempty"`
	FetchedAt   time.Time   `json:"fetched_at"`
	Authorities []Authority `json:"-"`
}

// CitizenAuth proves a card holder is present: the card's signature over
// AuthChallenge(nonce) for a nonce central issued moments ago.
type CitizenAuth struct {
	Nonce     []byte `json:"nonce"`
	Cert      []byte `json:"cert"`
	Signature []byte `json:"signature"`
}

// KioskAuthHeader is the HTTP header carrying a kiosk's request signature.
const KioskAuthHeader = "Authorization"

const kioskAuthScheme = "BK-Kiosk "

func kioskRequestBytes(method, path string, ts int64, body []byte) []byte {
	h := sha256.Sum256(body)
	w := newCanonical("borgerkiosk-kiosk-request-v1")
	w.str(method)
	w.str(path)
	w.str(strconv.FormatInt(ts, 10))
	w.bytes(h[:])
	return w.b
}

// SignKioskRequest returns the Authorization header value for a request.
func SignKioskRequest(kioskID string, key ed25519.PrivateKey, method, path string, body []byte, now time.Time) string {
	ts := now.Unix()
	sig := ed25519.Sign(key, kioskRequestBytes(method, path, ts, body))
	return kioskAuthScheme + "id=" + kioskID + ",ts=" + strconv.FormatInt(ts, 10) + ",sig=" + base64.RawURLEncoding.EncodeToString(sig)
}

// ParseKioskAuth splits a header made by SignKioskRequest.
func ParseKioskAuth(header string) (kioskID string, ts int64, sig []byte, err error) {
	bad := Errorf(EUnauthorized, "missing or malformed kiosk authorization")
	rest, ok := strings.CutPrefix(header, kioskAuthScheme)
	if !ok {
		return "", 0, nil, bad
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return "", 0, nil, bad
		}
		switch k {
		case "id":
			kioskID = v
		case "ts":
			if ts, err = strconv.ParseInt(v, 10, 64); err != nil {
				return "", 0, nil, bad
			}
		case "sig":
			if sig, err = base64.RawURLEncoding.DecodeString(v); err != nil {
				return "", 0, nil, bad
			}
		}
	}
	if kioskID == "" || ts == 0 || len(sig) != ed25519.SignatureSize {
		return "", 0, nil, bad
	}
	return kioskID, ts, sig, nil
}

// VerifyKioskRequest checks a request signature made at ts against pub,
// refusing timestamps further than skew from now (limits replay). A bad
// signature is EUnauthorized; a good signature at a time outside the
// window is EClockSkew, so that a kiosk whose clock is wrong learns that
// (and nothing else) is the matter.
func VerifyKioskRequest(pub ed25519.PublicKey, method, path string, body []byte, ts int64, sig []byte, now time.Time, skew time.Duration) error {
	if !ed25519.Verify(pub, kioskRequestBytes(method, path, ts, body), sig) {
		return Errorf(EUnauthorized, "bad kiosk request signature")
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > skew || d < -skew {
		return Errorf(EClockSkew, "The request time is more than %v away from central's clock; the kiosk's clock is wrong.", skew)
	}
	return nil
}

// TokenHash hashes a bearer or enrolment token for storage, so a copy of the
// store does not hold usable tokens.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
