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
// Issue makes the bare code, URL turns it into the URL, Parse accepts either
// form (and central's request path), Verify checks signature and times,
// BindsTo checks the delegate. Drawing the QR code is the printer's business
// (devices/receipt); tests size and draw it with handovertest.
//
// The delegate binding is argon2id(delegate's ten CPR digits, token id); the
// token id doubles as the salt, being random and unique per code, which saves
// 10 bytes of QR. See bind.go for why the hash is slow and what it does not
// protect against.
//
// # Size
//
// A typical BK1 code (three scope ids, a seven-character kid, host
// borgerkiosk.dk) is 177 bytes of COSE, 66 of them the signature: 309–325
// characters as a URL (QR version 13-Q; see TestTypicalSize). Format BK2
// (compact.go, IssueCompact) leaves out what central knows (scopes,
// validity) and the delegate binding, and names the algorithm by its
// prefix: 126 bytes, 214 characters, QR version 10-Q, which zbarimg reads
// from more degraded images (TestDecodeRate, docs/benchmarks.md). Verify
// and the pages take both.
//
// # Typed codes
//
// typed.go: a slip's code in ten characters a person can type, spelling the
// token id of its QR code.
//
// # Redemption
//
// Verify says only that a kiosk we trust made the code and that it is in
// date. Whether it may be answered is central's decision, with its record
// of the delegation's codes: CodeRecord, Decide and Standing in redeem.go,
// and the redemption rules at CodeRecord.CheckUnused, the single-use check
// that the web pages and the kiosk push path share.
package handover
