package handover

import (
	"crypto/subtle"

	"golang.org/x/crypto/argon2"
)

// The delegate binding lets a kiosk check, when the delegate signs in with
// their card, that the code was made for them, without the code revealing who
// they are: the code carries argon2id(cpr, salt) and never the CPR number.
//
// Why a slow hash: a CPR number is ten digits, six of them a birth date, so
// there are only some 4·10^8 numbers for people alive today, and about 10^4
// for someone whose birthday is known. A fast hash (SHA-256: ~10^7 per second
// per core) would give up any delegate's CPR number in well under a minute.
// Argon2id at these parameters costs ~20 ms and 19 MiB per guess on one core
// of the development machine (see BenchmarkBindsTo), so trawling all numbers
// costs ~90 core-days, and the memory cost blunts GPUs. It does not stop a
// determined attacker who already knows the delegate's birthday (~10^4 guesses,
// a few core-minutes), which is why the code also shows no more than the
// principal's first name and initial, and why central, not the binding, is the
// authority on who may accept. A key held by central would stop even that,
// but then an offline kiosk could not check the binding.
//
// The parameters are OWASP's minimum for argon2id (m=19 MiB, t=2, p=1); they are
// part of format BK1 and cannot change without a new prefix.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	// BindingLen is the length of the binding tag in bytes. The tag's length
	// does not change the brute-force cost above (that is the hash's cost); 8
	// bytes make a false match for another person's CPR a 2^-64 event while
	// keeping the QR code small.
	BindingLen = 8
	// CompactBindingLen is the binding's length in a BK2 code: two bytes
	// still tell a kiosk "not for you" but for one person in 65,536, which
	// is all an early, offline word needs (central decides from its
	// record), and they give a CPR guesser 65,536 times more candidates.
	CompactBindingLen = 2
)

// binding returns argon2id of the ten CPR digits under salt, n bytes.
func binding(cprDigits string, salt []byte, n int) []byte {
	return argon2.IDKey([]byte(cprDigits), salt, argonTime, argonMemory, argonThreads, uint32(n))
}

// cprDigits returns the ten digits of a CPR number written as DDMMYYSSSS or
// DDMMYY-SSSS, or false. It checks only the shape: whether the number is a real
// one is the domain's business, and a wrong number simply does not bind.
func cprDigits(cpr string) (string, bool) {
	if len(cpr) == 11 && cpr[6] == '-' {
		cpr = cpr[:6] + cpr[7:]
	}
	if len(cpr) != 10 {
		return "", false
	}
	for i := 0; i < len(cpr); i++ {
		if cpr[i] < '0' || cpr[i] > '9' {
			return "", false
		}
	}
	return cpr, true
}

// HasBinding reports whether claims c carry a delegate binding: BK1 and
// BK2 codes do (BK2 a short one); typed codes (Typed) do not, and who may
// answer them is decided by central from its record alone.
func (c *Claims) HasBinding() bool {
	return c != nil && (len(c.Binding) == BindingLen || c.Compact && len(c.Binding) == CompactBindingLen)
}

// BindsTo reports whether the code with claims c was made for the delegate
// with CPR number cpr (DDMMYYSSSS or DDMMYY-SSSS). It costs one argon2id
// evaluation (tens of milliseconds) and compares in constant time. A nil c, a
// malformed cpr or claims without a proper binding never bind.
func BindsTo(c *Claims, cpr string) bool {
	if !c.HasBinding() || len(c.TokenID) < minTokenLen || len(c.TokenID) > maxTokenLen {
		return false
	}
	digits, ok := cprDigits(cpr)
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare(binding(digits, c.TokenID, len(c.Binding)), c.Binding) == 1
}
