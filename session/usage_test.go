package session_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// The printed statement is of the whole log (the last 15 months), not of
// its first page: every record, fetched a page at a time, and only a log
// longer than bk.MaxUsageStatement prints its newest with a word about the
// rest.
func TestPrintUsageWholeLog(t *testing.T) {
	for _, tc := range []struct {
		records, printed int
		more             bool
	}{
		{0, 0, false},
		{bk.MaxUsagePage, bk.MaxUsagePage, false},
		{bk.MaxUsagePage + 50, bk.MaxUsagePage + 50, false},
		{bk.MaxUsageStatement, bk.MaxUsageStatement, false},
		{bk.MaxUsageStatement + 1, bk.MaxUsageStatement, true},
		{2*bk.MaxUsagePage + 1, bk.MaxUsageStatement, true}, // a last page only partly taken
	} {
		t.Run(fmt.Sprint(tc.records), func(t *testing.T) {
			k := newKit(t)
			now := k.clock.Now()
			k.central.usage = nil
			for i := range tc.records { // newest first, an hour apart
				at := now.Add(-time.Duration(i+1) * time.Hour)
				k.central.usage = append(k.central.usage, &bk.UsageRecord{ID: bk.NewID(at), At: at, Kind: bk.UsageConsentCheck,
					Role: bk.UsagePrincipal, Authority: "sundhed", DataCategory: "health", Purpose: "Invitation", Answer: bk.UsageDenied})
			}
			s := k.signIn(k.alice, nil)
			r, err := s.PrintUsage(context.Background())
			if err != nil || !r.Printed {
				t.Fatalf("PrintUsage = %+v, %v; want it printed", r, err)
			}
			paper, _ := k.lastPaper()
			if n := strings.Count(paper, "Formål: Invitation"); n != tc.printed {
				t.Errorf("the statement holds %d of %d records; want %d", n, tc.records, tc.printed)
			}
			if more := strings.Contains(paper, "Her står kun"); more != tc.more {
				t.Errorf("the statement says only the newest are on it: %v; want %v", more, tc.more)
			}
		})
	}
}
