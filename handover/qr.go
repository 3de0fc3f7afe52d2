package handover

// IsAlphanumeric reports whether s uses only the QR alphanumeric character set
// (0-9 A-Z space $ % * + - . / :). The QR encoder chooses the mode from the
// content and falls back to byte mode, which holds about 40 % fewer characters
// per version, for any other character.
func IsAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if base45Value[s[i]] < 0 {
			return false
		}
	}
	return true
}
