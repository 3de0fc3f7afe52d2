package borgerkiosk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// RevocationVersion names one state of central's revocation list, which only
// grows: how many serials it holds, and the digest of them in the order they
// were revoked (RevocationChain). A kiosk asks for the serials added after
// its version; the digest lets it check that its own copy of the list is
// exactly the one central signed, so no serial can be dropped on the way or
// on its disk.
type RevocationVersion struct {
	Count  uint64 `json:"count"`
	Digest []byte `json:"digest,omitempty"` // empty for the empty list
}

const revocationChainTag = "borgerkiosk-revocations-v1"

// RevocationChain is the digest of a revocation list whose digest was prev
// (empty for the empty list) after serial is added to it.
func RevocationChain(prev []byte, serial string) []byte {
	h := sha256.New()
	h.Write([]byte(revocationChainTag))
	h.Write(prev)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(serial))))
	h.Write([]byte(serial))
	return h.Sum(nil)
}

// Add returns the version after serials are added to the list at v.
func (v RevocationVersion) Add(serials []string) RevocationVersion {
	for _, s := range serials {
		v.Digest = RevocationChain(v.Digest, s)
	}
	v.Count += uint64(len(serials))
	return v
}

// Equal reports whether v and w name the same list.
func (v RevocationVersion) Equal(w RevocationVersion) bool {
	return v.Count == w.Count && bytes.Equal(v.Digest, w.Digest)
}

// String is the version as a kiosk sends it (GET /v1/trust-bundle?since=):
// the count, a dash, the digest in hex ("0" for the empty list).
func (v RevocationVersion) String() string {
	if v.Count == 0 {
		return "0"
	}
	return strconv.FormatUint(v.Count, 10) + "-" + hex.EncodeToString(v.Digest)
}

// ParseRevocationVersion reads what String wrote.
func ParseRevocationVersion(s string) (RevocationVersion, error) {
	if s == "0" {
		return RevocationVersion{}, nil
	}
	c, d, ok := strings.Cut(s, "-")
	n, err := strconv.ParseUint(c, 10, 64)
	digest, herr := hex.DecodeString(d)
	if !ok || err != nil || n == 0 || herr != nil || len(digest) != sha256.Size {
		return RevocationVersion{}, Errorf(EInvalid, "since must be a revocation list version as a trust bundle gave it (count-digest)")
	}
	return RevocationVersion{Count: n, Digest: digest}, nil
}

// checkRevocations checks that b's list (whole, in a full bundle) is the
// one its version names. A full bundle from before versions (none named)
// gets the version of its list, so a kiosk that saved one keeps it.
func (b *TrustBundle) checkRevocations() error {
	if b.DeltaFrom != nil {
		return nil // checked when it is applied (Apply)
	}
	v := RevocationVersion{}.Add(b.Revoked)
	if b.Revocations.Count == 0 && len(b.Revocations.Digest) == 0 {
		b.Revocations = v
		return nil
	}
	if !v.Equal(b.Revocations) {
		return Errorf(EInvalid, "The trust bundle's revocation list does not match its version.")
	}
	return nil
}

// Apply returns the bundle delta makes of b: delta's keys, kiosks (b's when
// delta keeps them, KiosksUnchanged) and catalogue, with b's revoked serials and the ones delta adds. delta must
// follow on b's revocation list (its DeltaFrom is b's version) and lead to
// the version it names; anything else is an error and b stays as it was.
// A full bundle is returned as it is.
func (b *TrustBundle) Apply(delta *TrustBundle) (*TrustBundle, error) {
	if delta.DeltaFrom == nil {
		return delta, nil
	}
	if b == nil || !delta.DeltaFrom.Equal(b.Revocations) {
		return nil, Errorf(EConflict, "The trust bundle adds to revocation list %s, but this kiosk has %s.", delta.DeltaFrom, b.version())
	}
	if !b.Revocations.Add(delta.Revoked).Equal(delta.Revocations) {
		return nil, Errorf(EInvalid, "The trust bundle's added revocations do not lead to its version.")
	}
	out := *delta
	if delta.KiosksUnchanged {
		if !bytes.Equal(KiosksDigest(b.Kiosks), delta.KiosksDigest) {
			return nil, Errorf(EConflict, "The trust bundle keeps a kiosk key list this kiosk does not have.")
		}
		out.Kiosks, out.KiosksUnchanged = b.Kiosks, false
	}
	out.Revoked = append(append(make([]string, 0, len(b.Revoked)+len(delta.Revoked)), b.Revoked...), delta.Revoked...)
	out.DeltaFrom = nil
	return &out, nil
}

func (b *TrustBundle) version() fmt.Stringer {
	if b == nil {
		return RevocationVersion{}
	}
	return b.Revocations
}
