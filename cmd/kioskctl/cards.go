package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
)

func issuerInit(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("issuer init")
	path := fs.String("out", "", "where to write the issuer's private key")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	if err := keyfile.SavePrivate(*path, key); err != nil {
		return err
	}
	pubPath := strings.TrimSuffix(*path, ".pem") + ".pub.pem"
	pub := key.Public().(ed25519.PublicKey)
	if err := keyfile.SavePublic(pubPath, pub); err != nil {
		return err
	}
	fmt.Fprintf(out, "issuer key %s written to %s (public key %s)\n", bk.KeyID(pub), *path, pubPath)
	fmt.Fprintf(out, "central must trust it: add its public key to central's config (issuers)\n")
	return nil
}

func cardMint(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("card mint")
	issuerPath := fs.String("issuer", "", "issuer private key file")
	cprText := fs.String("cpr", "", "CPR number, DDMMYY-SSSS")
	name := fs.String("name", "", "card holder's name")
	pin := fs.String("pin", "", "PIN, 4 to 12 digits")
	role := fs.String("role", "citizen", "citizen or staff")
	staffID := fs.String("staff-id", "", "staff id (staff cards)")
	days := fs.Int("days", 5*365, "days the card is valid")
	serial := fs.String("serial", "", "card serial (default: random)")
	path := fs.String("out", "", "card file to write")
	if err := parse(fs, args, "issuer", "cpr", "name", "pin", "out"); err != nil {
		return err
	}
	cpr, err := bk.ParseCPR(*cprText, time.Now())
	if err != nil {
		return usageError{"--cpr: " + bk.ErrorMessage(err)}
	}
	r := bk.Role(*role)
	switch {
	case r != bk.RoleCitizen && r != bk.RoleStaff:
		return usageError{"--role must be citizen or staff"}
	case r == bk.RoleStaff && *staffID == "":
		return usageError{"--staff-id is required for a staff card"}
	case r == bk.RoleCitizen && *staffID != "":
		return usageError{"--staff-id is only for staff cards"}
	case *days < 1 || *days > 10*366:
		return usageError{"--days must be between 1 and 3660"}
	}
	issuer, err := keyfile.LoadPrivate(*issuerPath)
	if err != nil {
		return err
	}
	if *serial == "" {
		b := make([]byte, 6)
		rand.Read(b)
		*serial = "C" + strings.ToUpper(hex.EncodeToString(b))
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Now().UTC().Truncate(time.Second)
	cert := &bk.Certificate{
		Serial: *serial, CPR: cpr, Name: *name, Role: r, StaffID: *staffID,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, *days), CardKey: pub,
	}
	bk.SignCertificate(cert, issuer)
	cf, err := cardsim.NewCardFile(cert.Encode(), priv, *pin)
	if err != nil {
		return err
	}
	cf.Serial, cf.Holder, cf.Role = cert.Serial, cert.Name, string(cert.Role)
	if err := cf.Save(*path); err != nil {
		return err
	}
	fmt.Fprintf(out, "card %s for %s (%s, %s) written to %s, valid until %s\n", cert.Serial, cert.Name, cert.CPR.Masked(), cert.Role, *path, cert.NotAfter.Format("2006-01-02"))
	return nil
}
