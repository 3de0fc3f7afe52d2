package handover

import "testing"

// BenchmarkVerify is the cost of checking a code without the delegate
// binding: Base45, COSE, one Ed25519 verification, CBOR.
func BenchmarkVerify(b *testing.B) {
	url, err := URL(testBase, mustIssue(b, typicalClaims()))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Verify(url, testKeys, testIssued); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBindsTo is the cost of the delegate binding check: one argon2id
// with the format's parameters. It is also the cost per guess for anyone
// brute-forcing a delegate's CPR number from a code.
func BenchmarkBindsTo(b *testing.B) {
	c, err := Verify(mustIssue(b, typicalClaims()), testKeys, testIssued)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !BindsTo(c, delegateCPR) {
			b.Fatal("BindsTo = false")
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	c := typicalClaims()
	for b.Loop() {
		mustIssue(b, c)
	}
}
