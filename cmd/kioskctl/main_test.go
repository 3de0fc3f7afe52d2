package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
)

func kioskctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out)
	return out.String(), err
}

func TestIssuerAndCardMint(t *testing.T) {
	dir := t.TempDir()
	issuer := filepath.Join(dir, "issuer.pem")
	if _, err := kioskctl(t, "issuer", "init", "--out", issuer); err != nil {
		t.Fatalf("issuer init: %v", err)
	}
	if _, err := kioskctl(t, "issuer", "init", "--out", issuer); err == nil {
		t.Errorf("issuer init over an existing key succeeded")
	}
	card := filepath.Join(dir, "staff.json")
	out, err := kioskctl(t, "card", "mint", "--issuer", issuer, "--cpr", "0101801234", "--name", "Sofie Staff",
		"--pin", "2468", "--role", "staff", "--staff-id", "S-17", "--out", card)
	if err != nil {
		t.Fatalf("card mint: %v", err)
	}
	if strings.Contains(out, "1234") {
		t.Errorf("card mint printed the full CPR: %q", out)
	}
	cf, err := cardsim.LoadCardFile(card)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := bk.DecodeCertificate(cf.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Role != bk.RoleStaff || cert.StaffID != "S-17" || !cf.CheckPIN("2468") || cf.CheckPIN("1111") {
		t.Errorf("minted card = %+v", cert)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := [][]string{
		{"frobnicate"},
		{"card", "mint", "--issuer", "x"},
		{"card", "mint", "--issuer", "x", "--cpr", "1", "--name", "n", "--pin", "1234", "--out", filepath.Join(dir, "c"), "--role", "king"},
		{"card", "mint", "--issuer", "x", "--cpr", "1", "--name", "n", "--pin", "1234", "--out", filepath.Join(dir, "c"), "--role", "staff"},
		{"queue"},
		{"enroll-token", "--central", "http://x"},
		{"issuer", "init", "--out", "a", "extra"},
	}
	for _, args := range tests {
		_, err := kioskctl(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("kioskctl %v = %v; want a usage error", args, err)
		}
	}
	if _, err := kioskctl(t, "card", "mint", "--issuer", filepath.Join(dir, "none.pem"), "--cpr", "320190-1234", "--name", "n", "--pin", "1234", "--out", filepath.Join(dir, "c")); err == nil || !strings.Contains(err.Error(), "real date") {
		t.Errorf("card mint with a bad CPR = %v", err)
	}
}
