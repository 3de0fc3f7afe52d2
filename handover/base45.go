package handover

import (
	"errors"
	"fmt"
	"strings"
)

// base45Alphabet is the RFC 9285 alphabet. It is exactly the character set of
// QR alphanumeric mode, which is why Base45 text makes small QR codes.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a byte to its Base45 value, or -1 for a byte outside the
// alphabet.
var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

// EncodeBase45 encodes b as RFC 9285 Base45: every two bytes become three
// characters, a last odd byte becomes two.
func EncodeBase45(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b)/2*3 + 2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[n/45%45])
		sb.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[n/45])
	}
	return sb.String()
}

// ErrBase45Length reports Base45 text whose length leaves one character over,
// which no byte string encodes to.
var ErrBase45Length = errors.New("base45: a single character is left over")

// DecodeBase45 decodes RFC 9285 Base45 text. It refuses characters outside the
// alphabet (including lowercase letters), a single leftover character, and
// groups whose value does not fit the bytes they stand for (over 0xFFFF for
// three characters, over 0xFF for two), so every accepted text has exactly one
// byte string and decoding then re-encoding gives the same text.
func DecodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, ErrBase45Length
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		group := s[i:min(i+3, len(s))]
		n := 0
		weight := 1
		for j := 0; j < len(group); j++ {
			v := base45Value[group[j]]
			if v < 0 {
				return nil, fmt.Errorf("base45: invalid character %q at offset %d", group[j], i+j)
			}
			n += int(v) * weight
			weight *= 45
		}
		if len(group) == 3 {
			if n > 0xFFFF {
				return nil, fmt.Errorf("base45: group %q at offset %d is over 0xFFFF", group, i)
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xFF {
				return nil, fmt.Errorf("base45: final group %q at offset %d is over 0xFF", group, i)
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}
