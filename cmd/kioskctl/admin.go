package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// operatorCall sends an operator request to central and decodes the answer.
func operatorCall(ctx context.Context, base, tokenFile, path string, in, out any) error {
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("reading operator token: %w", err)
	}
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return usageError{fmt.Sprintf("--central: %v", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("central cannot be reached: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e bk.ErrorResponse
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return fmt.Errorf("central refused (%d %s): %s", resp.StatusCode, e.Code, e.Message)
		}
		return fmt.Errorf("central answered %s", resp.Status)
	}
	return json.Unmarshal(b, out)
}

func enrollToken(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("enroll-token")
	base := fs.String("central", "", "central's URL")
	tokenFile := fs.String("operator-token-file", "", "file holding the operator token")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token can be used")
	if err := parse(fs, args, "central", "operator-token-file"); err != nil {
		return err
	}
	var resp bk.EnrollTokenResponse
	if err := operatorCall(ctx, *base, *tokenFile, "/v1/admin/enrollment-tokens", bk.EnrollTokenRequest{TTLSeconds: int64(ttl.Seconds())}, &resp); err != nil {
		return err
	}
	fmt.Fprintln(out, resp.Token)
	return nil
}

func cardRevoke(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("card revoke")
	base := fs.String("central", "", "central's URL")
	tokenFile := fs.String("operator-token-file", "", "file holding the operator token")
	serial := fs.String("serial", "", "card serial to revoke")
	if err := parse(fs, args, "central", "operator-token-file", "serial"); err != nil {
		return err
	}
	var resp json.RawMessage
	if err := operatorCall(ctx, *base, *tokenFile, "/v1/admin/revocations", bk.RevocationRequest{Serial: *serial}, &resp); err != nil {
		return err
	}
	fmt.Fprintf(out, "card %s revoked; kiosks refuse it from their next trust-bundle refresh\n", *serial)
	return nil
}

func enroll(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("enroll")
	base := fs.String("central", "", "central's URL")
	token := fs.String("token", "", "one-time enrolment token (from enroll-token)")
	dir := fs.String("data", "", "the kiosk's data directory")
	id := fs.String("kiosk-id", "", "this kiosk's id")
	site := fs.String("site", "", "where the kiosk stands")
	if err := parse(fs, args, "central", "token", "data", "kiosk-id"); err != nil {
		return err
	}
	ident, err := kiosksync.Enroll(ctx, *dir, *base, *token, *id, *site, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "kiosk %s enrolled with %s\n", ident.KioskID, *base)
	return nil
}
