package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/devices/ptyhost"
	"github.com/borgerkiosk/borgerkiosk/devices/qrscanner"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// rig is a kiosk built by build() against a real central, with simulated
// devices speaking their real protocols over pseudo-terminals.
type rig struct {
	t       *testing.T
	central *centraltest.Harness
	k       *kiosk
	reader  *cardsim.Simulator
	printer *printersim.Simulator
	scanner *qrscanner.Sim
	cards   string
}

func startRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, central: centraltest.Start(t), cards: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	readerPTY := openPTY(t)
	r.reader = cardsim.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	go r.reader.Serve(ctx, readerPTY.Master)
	printerPTY := openPTY(t)
	r.printer = printersim.New(t.TempDir())
	go r.printer.Serve(ctx, printerPTY.Master)
	scannerPTY := openPTY(t)
	r.scanner = &qrscanner.Sim{W: scannerPTY.Master, Framing: qrscanner.Framing{AIM: "Q1", Suffix: qrscanner.SuffixCRLF}}

	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte(r.central.EnrollToken(t)), 0o600)
	cfg := DefaultConfig()
	cfg.KioskID = "test-kiosk"
	cfg.DataDir = t.TempDir()
	cfg.CentralURL = r.central.URL
	cfg.EnrollTokenFile = tokenFile
	cfg.Devices.CardReader = readerPTY.TTYPath
	cfg.Devices.Printer = printerPTY.TTYPath
	cfg.Devices.Scanner = scannerPTY.TTYPath
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	k, err := build(ctx, cfg, log)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	t.Cleanup(k.Close)
	r.k = k
	r.eventually("the trust bundle arrives", func() bool { return k.bundles.Bundle() != nil })
	return r
}

func openPTY(t *testing.T) *ptyhost.PTY {
	p, err := ptyhost.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// eventually waits for cond; the generous bound only stops a hung test.
func (r *rig) eventually(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// card writes a card file for c with pin.
func (r *rig) card(name string, c *fixture.Card, pin string) string {
	cf, err := cardsim.NewCardFile(c.Cert.Encode(), c.Key, pin)
	if err != nil {
		r.t.Fatal(err)
	}
	p := filepath.Join(r.cards, name+".json")
	if err := cf.Save(p); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) insert(path string) {
	r.t.Helper()
	if err := r.reader.Insert(path); err != nil {
		r.t.Fatal(err)
	}
	r.eventually("the kiosk sees the card", r.k.svc.CardPresent)
}

func (r *rig) remove() {
	r.t.Helper()
	if err := r.reader.Remove(); err != nil {
		r.t.Fatal(err)
	}
	r.eventually("the kiosk sees the card leave", func() bool { return !r.k.svc.CardPresent() })
}

func (r *rig) centralDelegation(id string) *bk.Delegation {
	var d *bk.Delegation
	r.central.Store.View(context.Background(), func(tx central.Tx) error {
		d, _ = tx.Delegation(id)
		return nil
	})
	return d
}

// TestKioskEndToEnd walks a delegation from the principal's card at the
// kiosk, through the outbox and the pusher, to central; prints the handover
// slip on the simulated printer, reads its QR code back with zbarimg, and has
// the delegate accept it at the kiosk with their own card.
func TestKioskEndToEnd(t *testing.T) {
	zbarimg := testtool.Require(t, "zbarimg")
	r := startRig(t)
	ctx := context.Background()
	ingrid := r.card("ingrid", r.central.Issuer.Citizen("150550-1234", "Ingrid Sørensen"), "1234")
	mads := r.card("mads", r.central.Issuer.Citizen("230492-2345", "Mads Nielsen"), "2345")

	r.insert(ingrid)
	if _, err := r.k.svc.SignIn(ctx, "9999", nil); bk.ErrorCode(err) != bk.EWrongPIN {
		t.Fatalf("SignIn with a wrong PIN = %v; want wrong_pin", err)
	}
	sess, err := r.k.svc.SignIn(ctx, "1234", nil)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if _, err := sess.State(ctx); err != nil {
		t.Fatalf("State: %v", err)
	}
	now := time.Now().UTC()
	delegate := bk.MustParseCPR("230492-2345")
	id := bk.NewID(now)
	res, err := sess.Do(ctx, bk.CreateDelegation, bk.Payload{
		DelegationID: id, Delegate: &delegate,
		Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}},
		ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
	})
	if err != nil {
		t.Fatalf("Do(create): %v", err)
	}
	// Online, the kiosk waits a moment for central's verdict; on a slow
	// machine it may still say pending, but never confirm what it does not know.
	switch {
	case !res.Receipt.Printed:
		t.Errorf("Do(create) receipt not printed: %v", res.Receipt.Err)
	case res.Pending && !strings.Contains(res.Receipt.Text, "Afventer"):
		t.Errorf("pending action's receipt does not say so:\n%s", res.Receipt.Text)
	case !res.Pending && (res.Verdict.Outcome != bk.Applied || !strings.Contains(res.Receipt.Text, "Bekræftet")):
		t.Errorf("confirmed action = %+v; want applied and a receipt that says so:\n%s", res.Verdict, res.Receipt.Text)
	}
	r.eventually("central has the delegation", func() bool { return r.centralDelegation(id) != nil })

	h, err := sess.HandoverCode(ctx, id)
	if err != nil || !h.Receipt.Printed {
		t.Fatalf("HandoverCode = %+v, %v", h, err)
	}
	r.eventually("the slip is printed", func() bool { return len(r.printer.Printed()) >= 2 })
	slip := r.printer.Printed()[len(r.printer.Printed())-1]
	if !strings.Contains(slip.Text, "test-kiosk") || strings.Contains(slip.Text, "2345") {
		t.Errorf("slip text:\n%s", slip.Text)
	}
	testtool.KeepArtifact(t, slip.PNGPath, "handover-slip.png")
	out, err := exec.Command(zbarimg, "--nodbus", "--raw", "-q", slip.PNGPath).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", slip.PNGPath, err)
	}
	scanned := strings.TrimSpace(string(out))
	if scanned != h.Code {
		t.Fatalf("QR on the slip = %q; want %q", scanned, h.Code)
	}
	r.remove()
	if _, err := sess.State(ctx); bk.ErrorCode(err) != bk.ENotAuthed {
		t.Errorf("State after the card left = %v; want not_authenticated", err)
	}

	// The delegate scans the slip at the kiosk scanner (serial, AIM prefix)
	// and accepts with their own card.
	scans := make(chan string, 1)
	cancelScans := r.k.svc.Subscribe(bk.Events{Scan: func(code string) { scans <- code }})
	defer cancelScans()
	r.eventually("the scanner is connected", func() bool { return r.k.svc.Status().Scanner == bk.DeviceOK })
	if _, err := r.scanner.ScanImage(ctx, slip.PNGPath); err != nil {
		t.Fatalf("scanning the slip: %v", err)
	}
	var fromScanner string
	select {
	case fromScanner = <-scans:
	case <-time.After(30 * time.Second):
		t.Fatal("the kiosk never heard the scan")
	}
	if fromScanner != scanned {
		t.Fatalf("scanner delivered %q; want %q", fromScanner, scanned)
	}
	info, err := r.k.svc.VerifyHandover(ctx, fromScanner)
	if err != nil || info.DelegationID != id || info.PrincipalName != "Ingrid S." {
		t.Fatalf("VerifyHandover = %+v, %v", info, err)
	}
	r.insert(mads)
	msess, err := r.k.svc.SignIn(ctx, "2345", nil)
	if err != nil {
		t.Fatalf("SignIn delegate: %v", err)
	}
	if _, err := msess.State(ctx); err != nil {
		t.Fatalf("State delegate: %v", err)
	}
	if _, err := msess.Do(ctx, bk.AcceptDelegation, bk.Payload{DelegationID: id}); err != nil {
		t.Fatalf("Do(accept): %v", err)
	}
	r.eventually("central has the delegation active", func() bool {
		d := r.centralDelegation(id)
		return d != nil && d.State == bk.DelegationActive
	})
	st := r.k.svc.Status()
	if st.Reader != bk.DeviceOK || st.Printer != bk.DeviceOK || st.TrustStale {
		t.Errorf("Status = %+v; want devices ok and a fresh bundle", st)
	}
}

// delegationsOf returns the delegations central holds for a principal.
func (r *rig) delegationsOf(cpr string) []*bk.Delegation {
	var ds []*bk.Delegation
	r.central.Store.View(context.Background(), func(tx central.Tx) error {
		ds, _ = tx.DelegationsByPrincipal(bk.MustParseCPR(cpr))
		return nil
	})
	return ds
}

// TestStaffAssistEndToEnd: a staff member signs a grant with their card,
// takes it out, and the citizen acts with their own card; central verifies
// both signatures and records who helped.
func TestStaffAssistEndToEnd(t *testing.T) {
	r := startRig(t)
	ctx := context.Background()
	sofie := r.card("sofie", r.central.Issuer.Staff("120385-1111", "Sofie Holm", "S-0042"), "9999")
	ingrid := r.card("ingrid", r.central.Issuer.Citizen("150550-1234", "Ingrid Sørensen"), "1234")

	r.insert(sofie)
	staff, err := r.k.svc.SignIn(ctx, "9999", nil)
	if err != nil {
		t.Fatalf("staff SignIn: %v", err)
	}
	assist, err := staff.GrantAssist(ctx, time.Hour)
	if err != nil {
		t.Fatalf("GrantAssist: %v", err)
	}
	r.remove()

	r.insert(ingrid)
	sess, err := r.k.svc.SignIn(ctx, "1234", assist)
	if err != nil {
		t.Fatalf("assisted SignIn: %v", err)
	}
	if s := sess.AssistedBy(); s == nil || s.Name != "Sofie Holm" {
		t.Fatalf("AssistedBy = %+v; want Sofie Holm", s)
	}
	now := time.Now().UTC()
	delegate := bk.MustParseCPR("230492-2345")
	id := bk.NewID(now)
	res, err := sess.Do(ctx, bk.CreateDelegation, bk.Payload{
		DelegationID: id, Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
	})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if !strings.Contains(res.Receipt.Text, "Sofie Holm") {
		t.Errorf("receipt does not name who helped:\n%s", res.Receipt.Text)
	}
	r.eventually("central has the delegation", func() bool { return r.centralDelegation(id) != nil })
	d := r.centralDelegation(id)
	if d.CreatedVia != bk.ViaAssisted || !strings.Contains(d.AssistedBy, "S-0042") {
		t.Errorf("delegation at central: created via %q, assisted by %q; want assisted by S-0042", d.CreatedVia, d.AssistedBy)
	}
}
