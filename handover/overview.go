package handover

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/veraison/go-cose"
)

// A printed overview's proof (format BKO1): central signs, with its own
// key (not a kiosk's), what the paper says of each arrangement, so any
// phone can check the paper at central later. The token names each line's
// arrangement by id and carries a short digest of the line as printed;
// central holds no snapshot: it recomputes each line's digest from its
// record and says which lines still hold.
//
//	claims   CBOR map, integer keys, core deterministic encoding:
//	         1 issued at (unix seconds)  2 lines: array of [id, digest]
//	         (id 1–40 bytes, digest OverviewDigestLen bytes)
//	signed   COSE_Sign1 (untagged), EdDSA, kid in the protected header,
//	         the algorithm bound by external data (as BK2)
//	URL      "HTTPS://<HOST>/O/" + base42 of the COSE bytes: QR
//	         alphanumeric, no escapes
const (
	URLPathOverview   = "/O/"
	OverviewDigestLen = 4
	// MaxOverviewLines bounds a token; a longer overview prints no QR.
	MaxOverviewLines = 20
)

var overviewAAD = []byte("borgerkiosk-overview-BKO1-EdDSA")

// OverviewLine is one line of a printed overview: the arrangement's id
// and the digest of the line as printed.
type OverviewLine struct {
	ID     []byte
	Digest []byte
}

// Overview is what a printed overview's token says.
type Overview struct {
	IssuedAt time.Time
	Lines    []OverviewLine
	KeyID    string
}

type wireOverview struct {
	IssuedAt int64      `cbor:"1,keyasint"`
	Lines    [][][]byte `cbor:"2,keyasint"`
}

// IssueOverview signs o with key, naming it kid unless kid is "", and
// returns the path of its
// page ("/O/…"); the kiosk puts its central's address in front.
func IssueOverview(o Overview, kid string, key crypto.Signer) (string, error) {
	if len(o.Lines) == 0 || len(o.Lines) > MaxOverviewLines {
		return "", invalid("an overview token holds 1 to %d lines", MaxOverviewLines)
	}
	w := wireOverview{IssuedAt: o.IssuedAt.Unix()}
	for _, l := range o.Lines {
		if len(l.ID) == 0 || len(l.ID) > 40 || len(l.Digest) != OverviewDigestLen {
			return "", invalid("malformed overview line")
		}
		w.Lines = append(w.Lines, [][]byte{l.ID, l.Digest})
	}
	payload, err := encMode.Marshal(w)
	if err != nil {
		return "", fmt.Errorf("handover: %w", err)
	}
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, key)
	if err != nil {
		return "", fmt.Errorf("handover: %w", err)
	}
	protected := cose.ProtectedHeader{}
	if kid != "" { // central's one key needs no name; a rotation would
		protected[cose.HeaderLabelKeyID] = []byte(kid)
	}
	msg := cose.UntaggedSign1Message{
		Headers: cose.Headers{Protected: protected, Unprotected: cose.UnprotectedHeader{}},
		Payload: payload,
	}
	if err := msg.Sign(rand.Reader, overviewAAD, signer); err != nil {
		return "", fmt.Errorf("handover: sign: %w", err)
	}
	raw, err := msg.MarshalCBOR()
	if err != nil {
		return "", err
	}
	return URLPathOverview + encodeBase42(raw), nil
}

// VerifyOverview checks the overview token at the end of path (the URL's
// path, any letter case) against key, refusing with an *bk.Error of code
// EMalformed or EBadSignature.
func VerifyOverview(path string, key ed25519.PublicKey) (*Overview, error) {
	u := strings.ToUpper(path)
	if !strings.HasPrefix(u, URLPathOverview) || len(u) > 2048 {
		return nil, fail(EMalformed, errors.New("not an overview path"))
	}
	raw, err := decodeBase42(u[len(URLPathOverview):])
	if err != nil {
		return nil, fail(EMalformed, err)
	}
	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return nil, fail(EMalformed, err)
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	verifier, err := cose.NewVerifier(cose.AlgorithmEdDSA, key)
	if err != nil {
		return nil, fail(EBadSignature, err)
	}
	if err := msg.Verify(overviewAAD, verifier); err != nil {
		return nil, fail(EBadSignature, err)
	}
	var w wireOverview
	if err := decMode.Unmarshal(msg.Payload, &w); err != nil {
		return nil, fail(EMalformed, err)
	}
	o := &Overview{IssuedAt: time.Unix(w.IssuedAt, 0).UTC(), KeyID: string(kid)}
	for _, l := range w.Lines {
		if len(l) != 2 || len(l[0]) == 0 || len(l[1]) != OverviewDigestLen {
			return nil, fail(EMalformed, errors.New("malformed overview line"))
		}
		o.Lines = append(o.Lines, OverviewLine{ID: l[0], Digest: l[1]})
	}
	return o, nil
}

// Kinds of arrangement an overview line names, as the first byte of its
// id (then the 16 bytes of the UUID).
const (
	LineDelegation = 'd'
	LineConsent    = 'c'
)

// OverviewCheck is central's answer for a verified overview token: each
// line, in the token's order, and whether it still holds.
type OverviewCheck struct {
	IssuedAt time.Time
	Lines    []LineCheck
}

// LineCheck is one line's standing: its kind ("delegation" or
// "consent"), whether it is as printed, and else the arrangement's state
// now ("" when central no longer has it).
type LineCheck struct {
	Kind    string
	Current bool
	State   string
}

// Current reports whether every line still holds.
func (c *OverviewCheck) Current() bool {
	for _, l := range c.Lines {
		if !l.Current {
			return false
		}
	}
	return true
}

// LineID is the id of an overview line naming arrangement id (a UUID) of
// kind (LineDelegation, LineConsent), or false if id is no UUID.
func LineID(kind byte, id string) ([]byte, bool) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, false
	}
	return append([]byte{kind}, u[:]...), true
}

// LineArrangement returns the kind and arrangement id an overview line's
// id names, or false if it is malformed.
func LineArrangement(lineID []byte) (kind byte, id string, ok bool) {
	if len(lineID) != 17 || (lineID[0] != LineDelegation && lineID[0] != LineConsent) {
		return 0, "", false
	}
	return lineID[0], uuid.UUID(lineID[1:]).String(), true
}
