// Package handover makes and checks handover codes: the signed, compact,
// offline-verifiable tokens in a QR code that a relative scans to accept a
// delegation (digital power of attorney).
//
// # Format BK1
//
//	claims   CBOR map, integer keys, core deterministic encoding:
//	         1 delegation id (16 raw UUID bytes)   2 scope ids (text array)
//	         3 / 4 delegation valid from / to      5 / 6 code issued at / expires
//	         (unix seconds)                        7 token id (8–16 random bytes)
//	         8 principal's first name and initial  9 delegate binding (8 bytes)
//	signed   COSE_Sign1 (untagged), EdDSA (Ed25519); protected header holds
//	         only alg and kid (the issuing kiosk key); unprotected is empty
//	text     "BK1:" + Base45 (RFC 9285), or "BK1Z:" + Base45 of the zlib
//	         stream when zlib makes it shorter (rare: most bytes are random)
//	URL      upper-case "HTTPS://<HOST>/H/<Base45>" ("/HZ/" for zlib), with
//	         space, '%' and '/' percent-escaped (%20 %25 %2F) so that the path
//	         survives browsers and HTTP routers; every character is in the QR
//	         alphanumeric set
//	QR       alphanumeric mode, error correction Q
//
// Issue makes the bare code, URL turns it into the URL, PNG and Version draw
// and size the QR code, Parse accepts either form (and central's request
// path), Verify checks signature and times, BindsTo checks the delegate.
//
// The delegate binding is argon2id(delegate's ten CPR digits, token id); the
// token id doubles as the salt, being random and unique per code, which saves
// 10 bytes of QR. See bind.go for why the hash is slow and what it does not
// protect against.
//
// # Size
//
// A typical code (three scope ids, a seven-character kid, host
// borgerkiosk.dk) is 177 bytes of COSE, 66 of them the signature. That is 270
// characters bare (QR version 12-Q) and 309–325 as a URL, depending on how
// many characters need escaping (version 13-Q). The design's target of 242
// characters (version 10-Q) is out of reach with these claims; see
// TestTypicalSize.
//
// # Redemption rules (enforced by central)
//
// Verify says only that a kiosk we trust made the code and that it is in
// date. Central decides whether it may be redeemed, in one transaction:
//
//   - Single use: central records every redeemed token id; a second
//     redemption of the same token id is refused (an accept action carrying
//     it is a duplicate if it is the same action, else rejected).
//   - Reprint supersedes: central records the latest token id issued for
//     each delegation and refuses a code whose token id is not the latest,
//     so a lost slip is disarmed by printing a new one. Central must learn
//     each token id from the issuing kiosk (for example in the payload of
//     the create-delegation action and of an action for each reprint); until
//     it has, it cannot tell the newest code.
//   - Revocation: a code for a delegation that is not pending_acceptance
//     (revoked, declined, expired, or already active) is refused, as is any
//     code signed by a kiosk key that central has withdrawn from the trust
//     bundle (the KeyLookup then no longer knows the kid).
//   - The delegate: central compares the CPR number of the person who signs
//     the accept action with the delegation's delegate; the binding in the
//     code only lets a kiosk (or central's page) say early, and offline,
//     "this code is not for you".
//   - Expiry: central re-checks ExpiresAt against its own clock.
package handover
