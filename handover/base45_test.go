package handover

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The examples of RFC 9285 section 4.
func TestEncodeBase45RFC9285(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
	} {
		if got := EncodeBase45([]byte(tt.in)); got != tt.want {
			t.Errorf("EncodeBase45(%q) = %q; want %q", tt.in, got, tt.want)
		}
		got, err := DecodeBase45(tt.want)
		if err != nil || string(got) != tt.in {
			t.Errorf("DecodeBase45(%q) = %q, %v; want %q", tt.want, got, err, tt.in)
		}
	}
}

func TestDecodeBase45Refuses(t *testing.T) {
	for _, in := range []string{
		"GGW",         // 65535+1 = 0x10000: over 0xFFFF
		":::",         // 44+44·45+44·2025 = 91124
		"QED8WEX",     // a single character left over
		"A",           // the same, alone
		"qed8wex0",    // lowercase is not in the alphabet
		"QED8WEX#",    // '#' is not in the alphabet
		"QED\x008WEX", // NUL
		"QEDÆ",        // non-ASCII
		"::",          // 44+44·45 = 2024: over 0xFF for a final pair
		"BB8\n",       // trailing newline is not stripped here
	} {
		if got, err := DecodeBase45(in); err == nil {
			t.Errorf("DecodeBase45(%q) = %x, nil; want an error", in, got)
		}
	}
}

func TestDecodeBase45Boundaries(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []byte
	}{
		{"FGW", []byte{0xFF, 0xFF}}, // 15+16·45+31·2025 = 65535
		{"U5", []byte{0xFF}},        // 30+5·45 = 255
		{"000", []byte{0, 0}},
		{"00", []byte{0}},
	} {
		got, err := DecodeBase45(tt.in)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("DecodeBase45(%q) = %x, %v; want %x", tt.in, got, err, tt.want)
		}
	}
}

func TestBase45RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		s := EncodeBase45(b)
		if !IsAlphanumeric(s) {
			t.Fatalf("EncodeBase45(%x) = %q is not QR alphanumeric", b, s)
		}
		got, err := DecodeBase45(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("DecodeBase45(EncodeBase45(%x)) = %x, %v", b, got, err)
		}
	}
}

func FuzzBase45Decode(f *testing.F) {
	for _, s := range []string{"BB8", "%69 VD92EX0", "UJCLQE7W581", "QED8WEX0", "GGW", "A", "", "::", "FGW"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase45(s)
		if err != nil {
			return
		}
		// Decoding is strict, so an accepted text is the one encoding of b.
		if again := EncodeBase45(b); again != s {
			t.Fatalf("EncodeBase45(DecodeBase45(%q)) = %q", s, again)
		}
	})
}
