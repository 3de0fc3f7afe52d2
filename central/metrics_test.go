package central_test

import (
	"regexp"
	"strconv"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestLatencyHistograms: after a real push, consent check and delegation
// check over HTTP, /metrics shows each as a histogram with buckets, counting
// exactly those requests, and the store's transactions behind them.
func TestLatencyHistograms(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	c := h.RequestConsent(t, "sundhed", cprKaren)
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(1, give(t, h, karen, c.ID))}})
	wantOutcomes(t, "push", r, 1, "applied")
	for range 2 {
		status, body := h.Authority(t, "sundhed", "POST", "/v1/authority/consent-checks",
			[]byte(`{"cpr":"`+cprKaren+`","data_category":"health","purpose":"Behandling"}`))
		if status != 200 {
			t.Fatalf("consent check = %d %s", status, body)
		}
	}
	status, body := h.Authority(t, "skat", "POST", "/v1/authority/delegation-checks",
		[]byte(`{"principal":"`+cprKaren+`","delegate":"`+cprBo+`","scope":"tax","purpose":"Årsopgørelse"}`))
	if status != 200 {
		t.Fatalf("delegation check = %d %s", status, body)
	}

	_, m := h.Do(t, "GET", "/metrics", "", nil)
	count := func(series string) int {
		t.Helper()
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\d+)$`)
		got := re.FindSubmatch(m)
		if got == nil {
			t.Errorf("metrics lack %s", series)
			return 0
		}
		n, _ := strconv.Atoi(string(got[1]))
		return n
	}
	for series, want := range map[string]int{
		`borgerkiosk_central_push_duration_seconds_count`:                                   1,
		`borgerkiosk_central_push_duration_seconds_bucket{le="+Inf"}`:                       1,
		`borgerkiosk_central_check_duration_seconds_count{kind="consent_check"}`:            2,
		`borgerkiosk_central_check_duration_seconds_bucket{kind="consent_check",le="+Inf"}`: 2,
		`borgerkiosk_central_check_duration_seconds_count{kind="delegation_check"}`:         1,
	} {
		if got := count(series); got != want {
			t.Errorf("%s = %d; want %d", series, got, want)
		}
	}
	// Every kiosk request reads its kiosk, the push and the consent request
	// write: the counts are at least the requests made.
	if n := count(`borgerkiosk_central_store_duration_seconds_count{op="update"}`); n < 2 {
		t.Errorf("store updates observed = %d; want at least the consent request and the push", n)
	}
	if n := count(`borgerkiosk_central_store_duration_seconds_count{op="view"}`); n < 4 {
		t.Errorf("store views observed = %d; want at least one per kiosk request and check", n)
	}
	// A bucket below the +Inf one, with its bound: the histogram has buckets.
	if !regexp.MustCompile(`(?m)^borgerkiosk_central_check_duration_seconds_bucket\{kind="consent_check",le="0\.0005"\} \d+$`).Match(m) {
		t.Error("the consent check histogram has no 0.5 ms bucket")
	}
}
