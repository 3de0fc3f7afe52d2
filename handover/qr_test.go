package handover

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/qr"
)

// targetURLLen is the design's target for a whole handover URL (QR version 10
// at level Q holds 251 alphanumeric characters). It cannot be met with the
// claims the design asks for: the Ed25519 signature alone is 99 characters,
// the URL's percent-escapes add ~13 % and the host 25 (see the package doc).
// maxTypicalURLLen and maxTypicalVersion guard the measured figures against
// growth instead.
const (
	targetURLLen      = 242
	maxTypicalURLLen  = 340
	maxTypicalVersion = 13
)

// TestTypicalSize measures typical codes (three scopes, a UUIDv7 delegation
// id, a seven-character kid, "Karen J.", host borgerkiosk.dk). The URL's
// length depends on how many characters need escaping, which depends on the
// random token id and signature, so it measures 64 codes whose token ids come
// from a fixed seed.
func TestTypicalSize(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var lens []int
	var bare, raw, maxV, maxVBare int
	for range 64 {
		c := typicalClaims()
		c.TokenID = binary.BigEndian.AppendUint64(nil, r.Uint64())
		code := mustIssue(t, c)
		url, err := URL(testBase, code)
		if err != nil {
			t.Fatal(err)
		}
		v := qrVersion(t, url)
		vb := qrVersion(t, code)
		b, _ := DecodeBase45(code[len(Prefix):])
		bare, raw = len(code), len(b)
		maxV, maxVBare = max(maxV, v), max(maxVBare, vb)
		lens = append(lens, len(url))
		// skip2 picks byte mode for any character outside the alphanumeric
		// set. Needing no higher version than the same number of letters
		// shows the URL is in alphanumeric (and numeric) segments only.
		if va := qrVersion(t, strings.Repeat("A", len(url))); v > va {
			t.Errorf("Version(%q) = %d; want ≤ %d (alphanumeric mode)", url, v, va)
		}
	}
	slices.Sort(lens)
	t.Logf("COSE_Sign1 %d bytes; bare code %d chars (QR version ≤ %d-Q); URL %d–%d chars, median %d (QR version ≤ %d-Q); design target %d chars, version 10",
		raw, bare, maxVBare, lens[0], lens[len(lens)-1], lens[len(lens)/2], maxV, targetURLLen)
	if lens[len(lens)-1] > maxTypicalURLLen || maxV > maxTypicalVersion {
		t.Errorf("typical URL up to %d chars, QR version %d-Q; want ≤ %d, ≤ %d", lens[len(lens)-1], maxV, maxTypicalURLLen, maxTypicalVersion)
	}
}

// qrVersion is the QR version (1–40) s needs at level Q. Package
// handovertest has the same for other packages' tests; this package's own
// tests cannot import it (it imports handover).
func qrVersion(t *testing.T, s string) int {
	t.Helper()
	q, err := qr.New(s, qr.Default)
	if err != nil {
		t.Fatal(err)
	}
	return q.Version
}

// needTool finds an external tool or skips (fails under CI or BK_REQUIRE_TOOLS).
func needTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Require(t, name)
}

// The QR code must be readable by a decoder nobody here wrote.
func TestQRRoundTrip(t *testing.T) {
	zbar := needTool(t, "zbarimg")
	code := mustIssue(t, typicalClaims())
	url, err := URL(testBase, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{url, code} {
		png, err := qr.PNG(content, 512)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "code.png")
		if err := os.WriteFile(file, png, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--nodbus", "--raw", "-q", file).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", file, err)
		}
		got := strings.TrimRight(string(out), "\n")
		if got != content {
			t.Errorf("zbarimg read %q; want %q", got, content)
		}
		if _, err := Verify(got, testKeys, testIssued); err != nil {
			t.Errorf("Verify(zbarimg output) = %v", err)
		}
	}
}
