package ptytest

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func TestOpenPassesBytesUnchanged(t *testing.T) {
	master, path := Open(t)
	tty, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()

	want := []byte("EVT INSERTED\r\n\x00\x02\x03\n\r")
	if _, err := master.Write(want); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(tty, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("tty read %q; want %q", got, want)
	}

	// And the other way, with no echo back to the master.
	if _, err := tty.Write([]byte("CERT\r\n")); err != nil {
		t.Fatal(err)
	}
	got = make([]byte, 6)
	if _, err := io.ReadFull(master, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "CERT\r\n" {
		t.Errorf("master read %q; want %q", got, "CERT\r\n")
	}
}

func TestCloseUnblocksMasterRead(t *testing.T) {
	master, _ := Open(t)
	done := make(chan error, 1)
	go func() {
		_, err := master.Read(make([]byte, 8))
		done <- err
	}()
	testtool.Blocked(t, "ptytest.TestCloseUnblocksMasterRead", "os.(*File).Read")
	master.Close()
	if err := testtool.Recv(t, done, "the blocked Read to return after Close"); err == nil {
		t.Error("Read after Close returned nil error")
	}
}
