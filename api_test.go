package borgerkiosk_test

import (
	"cmp"
	"crypto/ed25519"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestKioskRequestAuth(t *testing.T) {
	key := seededKey(4)
	pub := key.Public().(ed25519.PublicKey)
	body := []byte(`{"kiosk":"kiosk-1","actions":[]}`)
	const skew = 5 * time.Minute
	h := bk.SignKioskRequest("kiosk-1", key, "POST", "/v1/push", body, now)

	id, ts, sig, err := bk.ParseKioskAuth(h)
	if err != nil || id != "kiosk-1" || ts != now.Unix() || len(sig) != ed25519.SignatureSize {
		t.Fatalf("ParseKioskAuth(%q) = %q, %d, %d bytes, %v; want kiosk-1, %d, 64 bytes, nil", h, id, ts, len(sig), err, now.Unix())
	}
	if err := bk.VerifyKioskRequest(pub, "POST", "/v1/push", body, ts, sig, now, skew); err != nil {
		t.Fatalf("VerifyKioskRequest(round trip) = %v; want nil", err)
	}

	tests := []struct {
		name         string
		pub          ed25519.PublicKey
		method, path string
		body         []byte
		ts           int64
		at           time.Time
		ok           bool
		code         string // of the refusal; "" is bk.EUnauthorized
	}{
		{"within skew ahead", pub, "POST", "/v1/push", body, ts, now.Add(skew), true, ""},
		{"within skew behind", pub, "POST", "/v1/push", body, ts, now.Add(-skew), true, ""},
		{"too old", pub, "POST", "/v1/push", body, ts, now.Add(skew + time.Second), false, bk.EClockSkew},
		{"from the future", pub, "POST", "/v1/push", body, ts, now.Add(-skew - time.Second), false, bk.EClockSkew},
		{"wrong body", pub, "POST", "/v1/push", []byte(`{"kiosk":"kiosk-1","actions":[{}]}`), ts, now, false, ""},
		{"empty body", pub, "POST", "/v1/push", nil, ts, now, false, ""},
		{"wrong path", pub, "POST", "/v1/enroll", body, ts, now, false, ""},
		{"path with query", pub, "POST", "/v1/push?x=1", body, ts, now, false, ""},
		{"wrong method", pub, "PUT", "/v1/push", body, ts, now, false, ""},
		{"wrong timestamp", pub, "POST", "/v1/push", body, ts + 1, now, false, ""},
		{"wrong key", seededKey(5).Public().(ed25519.PublicKey), "POST", "/v1/push", body, ts, now, false, ""},
		{"far past timestamp", pub, "POST", "/v1/push", body, -1 << 63, now, false, ""},
		{"far future timestamp", pub, "POST", "/v1/push", body, 1<<63 - 1, now, false, ""},
	}
	for _, tt := range tests {
		err := bk.VerifyKioskRequest(tt.pub, tt.method, tt.path, tt.body, tt.ts, sig, tt.at, skew)
		want := cmp.Or(tt.code, bk.EUnauthorized)
		if (err == nil) != tt.ok || (err != nil && bk.ErrorCode(err) != want) {
			t.Errorf("VerifyKioskRequest(%s) = %v; want ok=%v (else %q)", tt.name, err, tt.ok, want)
		}
	}
	bad := append([]byte(nil), sig...)
	bad[0] ^= 1
	if err := bk.VerifyKioskRequest(pub, "POST", "/v1/push", body, ts, bad, now, skew); bk.ErrorCode(err) != bk.EUnauthorized {
		t.Errorf("VerifyKioskRequest(flipped signature) = %v; want %q", err, bk.EUnauthorized)
	}
}

func TestParseKioskAuthGarbage(t *testing.T) {
	h := bk.SignKioskRequest("kiosk-1", seededKey(4), "POST", "/v1/push", nil, now)
	sig := h[strings.Index(h, "sig=")+4:]
	ts := strconv.FormatInt(now.Unix(), 10)
	short := base64.RawURLEncoding.EncodeToString(make([]byte, 63))
	tests := []string{
		"",
		"BK-Kiosk",
		"BK-Kiosk ",
		"Bearer abc",
		"bk-kiosk id=kiosk-1,ts=" + ts + ",sig=" + sig,
		"BK-Kiosk  id=kiosk-1,ts=" + ts + ",sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=" + ts,
		"BK-Kiosk ts=" + ts + ",sig=" + sig,
		"BK-Kiosk id=,ts=" + ts + ",sig=" + sig,
		"BK-Kiosk id=kiosk-1,sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=0,sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=yesterday,sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=99999999999999999999,sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + sig + "=",
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + sig[:len(sig)-1] + "!",
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + short,
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + base64.StdEncoding.EncodeToString(make([]byte, 64)),
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + sig + ",",
		"BK-Kiosk id=kiosk-1;ts=" + ts + ";sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",garbage,sig=" + sig,
		"BK-Kiosk id=kiosk-1,ts=" + ts + ",sig=" + sig + "\x00",
	}
	for _, in := range tests {
		id, ts, s, err := bk.ParseKioskAuth(in)
		if bk.ErrorCode(err) != bk.EUnauthorized || id != "" || ts != 0 || s != nil {
			t.Errorf("ParseKioskAuth(%q) = %q, %d, %x, %v; want a refusal with code %q", in, id, ts, s, err, bk.EUnauthorized)
		}
	}
}

func TestTokenHash(t *testing.T) {
	a, b := bk.TokenHash("enrol-123"), bk.TokenHash("enrol-124")
	if a != bk.TokenHash("enrol-123") || a == b || len(a) != 64 || strings.Contains(a, "enrol") {
		t.Errorf("TokenHash = %q, %q; want stable, distinct 64-hex hashes that hide the token", a, b)
	}
}

func FuzzParseKioskAuth(f *testing.F) {
	f.Add(bk.SignKioskRequest("kiosk-1", seededKey(4), "POST", "/v1/push", []byte("{}"), now))
	f.Add("BK-Kiosk id=a,ts=1,sig=")
	f.Add("BK-Kiosk ,,,=")
	f.Fuzz(func(t *testing.T, h string) {
		id, ts, sig, err := bk.ParseKioskAuth(h)
		if err != nil {
			if bk.ErrorCode(err) != bk.EUnauthorized {
				t.Fatalf("ParseKioskAuth(%q) = %v; want an %q error", h, err, bk.EUnauthorized)
			}
			return
		}
		if id == "" || ts == 0 || len(sig) != ed25519.SignatureSize {
			t.Fatalf("ParseKioskAuth(%q) = %q, %d, %d-byte sig, nil; want a complete header", h, id, ts, len(sig))
		}
	})
}
