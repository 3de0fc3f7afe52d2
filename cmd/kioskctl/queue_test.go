package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

func TestQueueListsWithoutFullCPR(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	ob, err := kiosksync.Open(dir, kiosksync.Options{MaintenanceInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	issuer := fixture.NewIssuer()
	karen := issuer.Citizen("0101601234", "Karen Hansen")
	delegate := bk.MustParseCPR("0202705678")
	now := time.Now()
	var ids []string
	for i := 0; i < 3; i++ {
		a := fixture.Action(bk.CreateDelegation, bk.Payload{
			DelegationID: bk.NewID(now), Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		}, karen, nil, now.Add(time.Duration(i)*time.Second))
		if _, err := ob.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	err = ob.Ack(bk.PushResponse{LastSeq: 2, Verdicts: []bk.Verdict{
		{ActionID: ids[0], Seq: 1, Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "blocked"},
		{ActionID: ids[1], Seq: 2, Outcome: bk.Rejected, Reason: bk.ECardRevoked, Message: "blocked"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Dismiss(2, "S-17"); err != nil { // staff dealt with the second
		t.Fatal(err)
	}
	ob.Close()

	out, err := kioskctl(t, "queue", "--data", dir)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	for _, want := range []string{"1 pending", "1 need attention", "ACKNOWLEDGED", "rejected", "card_revoked", ids[2], "010160-xxxx", "DISMISSED", "S-17"} {
		if !strings.Contains(out, want) {
			t.Errorf("queue output lacks %q:\n%s", want, out)
		}
	}
	js, err := kioskctl(t, "queue", "--data", dir, "--json")
	if err != nil {
		t.Fatalf("queue --json: %v", err)
	}
	var rep queueReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("queue --json is not JSON: %v", err)
	}
	if len(rep.PendingItems) != 1 || len(rep.AckedItems) != 2 || rep.AckedItems[0].Outcome != "rejected" || len(rep.Attention) != 1 ||
		len(rep.Dismissed) != 1 || rep.Dismissed[0].By != "S-17" || rep.Dismissed[0].ActionID != ids[1] {
		t.Errorf("queue --json = %+v", rep)
	}
	for _, o := range []string{out, js} {
		if strings.Contains(o, "1234") || strings.Contains(o, "5678") {
			t.Errorf("queue shows a full CPR number:\n%s", o)
		}
	}
}

// queueFixture makes a kiosk data_dir whose outbox holds 2 pending actions,
// and returns it with the outbox still open (as in a running kiosk).
func queueFixture(t *testing.T) (dataDir string, ob *kiosksync.Outbox) {
	t.Helper()
	dataDir = t.TempDir()
	ob, err := kiosksync.Open(filepath.Join(dataDir, "outbox"), kiosksync.Options{MaintenanceInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	issuer := fixture.NewIssuer()
	karen := issuer.Citizen("0101601234", "Karen Hansen")
	delegate := bk.MustParseCPR("0202705678")
	now := time.Now()
	for i := 0; i < 2; i++ {
		a := fixture.Action(bk.CreateDelegation, bk.Payload{
			DelegationID: bk.NewID(now), Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		}, karen, nil, now)
		if _, err := ob.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return dataDir, ob
}

func TestQueueOfDataDir(t *testing.T) {
	dataDir, ob := queueFixture(t)
	ob.Close()
	out, err := kioskctl(t, "queue", "--data", dataDir)
	if err != nil || !strings.Contains(out, "2 pending") {
		t.Fatalf("queue --data DATA_DIR = %q, %v; want 2 pending", out, err)
	}
}

// After an unclean stop (the files as a SIGKILL leaves them: here a copy of
// an open outbox) queue lists everything and changes none of the files.
func TestQueueAfterUncleanStop(t *testing.T) {
	live, _ := queueFixture(t)
	dataDir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(live, "outbox"), filepath.Join(live, "outbox.key"), dataDir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	os.Remove(filepath.Join(dataDir, "outbox", "LOCK"))
	before := treeSums(t, dataDir)
	out, err := kioskctl(t, "queue", "--data", dataDir)
	if err != nil || !strings.Contains(out, "2 pending") || !strings.Contains(out, "did not stop cleanly") {
		t.Fatalf("queue after an unclean stop = %q, %v; want 2 pending and a note", out, err)
	}
	if after := treeSums(t, dataDir); !maps.Equal(before, after) {
		t.Fatalf("queue changed the kiosk's files")
	}
}

// What queue says when it cannot list: each error says what is true.
func TestQueueErrors(t *testing.T) {
	running, _ := queueFixture(t)
	notKiosk := t.TempDir()
	os.WriteFile(filepath.Join(notKiosk, "identity.json"), []byte("{}"), 0o600)
	for _, tt := range []struct {
		name, dir, want string
	}{
		{"kiosk running", running, "running kiosk; stop the kiosk first"},
		{"not a data_dir", notKiosk, "no outbox in " + notKiosk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kioskctl(t, "queue", "--data", tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "key") {
				t.Fatalf("queue --data %s = %v; want an error saying %q (and nothing about the key)", tt.dir, err, tt.want)
			}
		})
	}
}

// treeSums maps each file under dir to its SHA-256.
func treeSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMain(m *testing.M) {
	// The packaging test runs this binary as kioskctl.
	if os.Getenv("BK_AS_KIOSKCTL") != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The package's prerm lists the outbox of the data_dir in kiosk.toml
// (data_dir/outbox), with this kioskctl, after stopping the kiosk.
func TestKioskPrermListsTheOutbox(t *testing.T) {
	dataDir, ob := queueFixture(t)
	ob.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "kioskctl"), []byte("#!/bin/sh\nBK_AS_KIOSKCTL=1 exec "+exe+" \"$@\"\n"), 0o755)
	os.WriteFile(filepath.Join(bin, "systemctl"), []byte("#!/bin/sh\nexit 0\n"), 0o755) // never the host's
	conf := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(conf, []byte("kiosk_id = \"k1\"\n  data_dir = \""+dataDir+"\"   # outbox, keys\n"), 0o600)
	cmd := exec.Command("sh", "../../packaging/deb/kiosk.prerm", "remove")
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "BORGERKIOSK_KIOSK_CONF="+conf)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), filepath.Join(dataDir, "outbox")+" stays") || !strings.Contains(string(out), "2 pending") {
		t.Fatalf("kiosk.prerm remove = %v:\n%s\nwant it to list the 2 pending actions in %s/outbox", err, out, dataDir)
	}
}
