package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
	"github.com/borgerkiosk/borgerkiosk/internal/oidctest"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// replicaEnv makes this test binary run as central (main) instead of its
// tests: TestReplicas starts real central processes that way, with no
// separate build.
const replicaEnv = "BK_TEST_CENTRAL_PROCESS"

// runAsCentral is called first by TestMain.
func runAsCentral() {
	if os.Getenv(replicaEnv) == "1" {
		main()
		os.Exit(0)
	}
}

// The registry the replica test builds: kiosks, each with a citizen who
// gives a consent and creates delegations; one delegation is accepted on
// the relative's phone through OIDC.
const (
	replicaKiosks  = 4
	replicaDelegs  = 8 // delegations per kiosk's citizen
	replicaBatch   = 3
	replicaRelName = "Rasmus Slægtning"
)

// scenario is the input both runs replay: the same cards, kiosks and
// delegation ids, so their final states can be compared.
type scenario struct {
	issuer   *fixture.Issuer
	kiosks   []scenarioKiosk
	relative bk.CPR // the delegate who accepts on the phone
	authTok  map[string]string
	opToken  string
	start    time.Time // the delegations' ValidFrom (whole seconds)
}

type scenarioKiosk struct {
	id      string
	key     ed25519.PrivateKey
	citizen *fixture.Card
	delegs  []string // delegation ids
	to      []bk.CPR // their delegates
}

func newScenario() *scenario {
	s := &scenario{issuer: fixture.NewIssuer(), authTok: map[string]string{}, opToken: "operator-" + bk.NewID(time.Now()),
		start: time.Now().UTC().Truncate(time.Second)}
	for _, a := range []string{"sundhed", "skat"} {
		s.authTok[a] = a + "-" + bk.NewID(time.Now())
	}
	s.relative = bk.MustParseCPR("120385-2345")
	for i := range replicaKiosks {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		k := scenarioKiosk{id: fmt.Sprintf("replica-kiosk-%d", i), key: key,
			citizen: s.issuer.Citizen(fmt.Sprintf("0%d0250-1234", i+1), fmt.Sprintf("Karen Jensen %d", i))}
		for j := range replicaDelegs {
			to := bk.MustParseCPR(fmt.Sprintf("%02d%02d60-4321", 10+i, 1+j))
			if i == 0 && j == 0 {
				to = s.relative
			}
			k.delegs = append(k.delegs, bk.NewID(time.Now()))
			k.to = append(k.to, to)
		}
		s.kiosks = append(s.kiosks, k)
	}
	return s
}

// replica is one running central process.
type replica struct {
	url string
	cmd *exec.Cmd
	log *testtool.Buffer
}

// startReplicas starts n central processes on the database dsn, each with
// its own data directory holding copies of one central.key, behind
// public URL pub, and returns them once each listens.
func startReplicas(t *testing.T, s *scenario, n int, dsn, pub string, idp *mockoidc.MockOIDC) []*replica {
	t.Helper()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "central.key")
	if _, _, err := keyfile.LoadOrCreate(keyPath); err != nil {
		t.Fatal(err)
	}
	centralKey, _ := os.ReadFile(keyPath)
	issuerPub := filepath.Join(dir, "issuer.pub")
	if err := keyfile.SavePublic(issuerPub, s.issuer.Key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "oidc.secret")
	dsnFile := filepath.Join(dir, "dsn")
	os.WriteFile(secret, []byte(idp.Config().ClientSecret+"\n"), 0o600)
	os.WriteFile(dsnFile, []byte(dsn+"\n"), 0o600)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "store = \"postgres\"\npostgres_dsn_file = %q\nissuer_files = [%q]\npublic_url = %q\n", dsnFile, issuerPub, pub)
	for a, tok := range s.authTok {
		fmt.Fprintf(&cfg, "[[authorities]]\nid = %q\ntoken_sha256 = %q\n", a, bk.TokenHash(tok))
	}
	fmt.Fprintf(&cfg, "[oidc]\nissuer = %q\nclient_id = %q\nclient_secret_file = %q\n", idp.Issuer(), idp.Config().ClientID, secret)
	cfg.WriteString("[rate_limits]\nenroll_per_minute = 0\n") // the kiosks enrol from one address
	cfg.WriteString("[[token_exchange.clients]]\nauthority = \"skat\"\nbroker_client_ids = [\"skat-web\"]\n")
	conf := filepath.Join(dir, "central.toml")
	os.WriteFile(conf, []byte(cfg.String()), 0o600)

	var out []*replica
	for i := range n {
		data := filepath.Join(dir, fmt.Sprintf("data-%d", i))
		os.MkdirAll(data, 0o700)
		os.WriteFile(filepath.Join(data, "central.key"), centralKey, 0o600)
		os.WriteFile(filepath.Join(data, "operator.token"), []byte(s.opToken+"\n"), 0o600)
		cmd := exec.Command(os.Args[0], "--config", conf, "--data", data, "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), replicaEnv+"=1")
		dieWithParent(cmd)
		stdout, _ := cmd.StdoutPipe()
		r := &replica{cmd: cmd, log: &testtool.Buffer{}}
		cmd.Stderr = r.log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			if t.Failed() {
				t.Logf("replica %d log:\n%s", i, r.log)
			}
		})
		listening := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				fmt.Fprintln(r.log, sc.Text())
				if u, ok := strings.CutPrefix(sc.Text(), "central listening on "); ok {
					listening <- strings.TrimSpace(u)
				}
			}
		}()
		select {
		case r.url = <-listening:
		case <-time.After(testtool.WaitTimeout):
			t.Fatalf("replica %d did not listen:\n%s", i, r.log)
		}
		out = append(out, r)
	}
	return out
}

// roundRobin is the load balancer: each request goes to the next replica,
// and the answer names the replica in X-Replica.
type roundRobin struct {
	replicas []*replica
	next     atomic.Int64
	proxies  []*httputil.ReverseProxy
	served   []atomic.Int64
}

func newRoundRobin(rs []*replica) *roundRobin {
	p := &roundRobin{replicas: rs, served: make([]atomic.Int64, len(rs))}
	for _, r := range rs {
		u, _ := url.Parse(r.url)
		p.proxies = append(p.proxies, httputil.NewSingleHostReverseProxy(u))
	}
	return p
}

func (p *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(p.next.Add(1)-1) % len(p.proxies)
	p.served[i].Add(1)
	w.Header().Set("X-Replica", fmt.Sprint(i))
	p.proxies[i].ServeHTTP(w, r)
}

// world is one run of the scenario against central behind base.
type world struct {
	s    *scenario
	base string
	hc   *http.Client
}

func (w *world) call(t *testing.T, method, path, auth string, in, out any) int {
	t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req, _ := http.NewRequest(method, w.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		t.Errorf("%s %s = %d %s", method, path, resp.StatusCode, b)
	} else if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Errorf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// enrol enrols every kiosk and signs its actions: the consent its citizen
// gives (requested by sundhed through the API), then the delegations.
func (w *world) enrol(t *testing.T) map[string][]bk.PushItem {
	t.Helper()
	items := map[string][]bk.PushItem{}
	for _, k := range w.s.kiosks {
		var tok bk.EnrollTokenResponse
		w.call(t, "POST", "/v1/admin/enrollment-tokens", "Bearer "+w.s.opToken, bk.EnrollTokenRequest{}, &tok)
		w.call(t, "POST", "/v1/enroll", "", bk.EnrollRequest{Token: tok.Token, KioskID: k.id, Site: "Test", PublicKey: k.key.Public().(ed25519.PublicKey)}, nil)
		var c bk.Consent
		w.call(t, "POST", "/v1/authority/consent-requests", "Bearer "+w.s.authTok["sundhed"], bk.ConsentRequest{
			CPR: k.citizen.Cert.CPR, Purpose: bk.Text{DA: "Prøve", EN: "Test"}, DataCategories: []string{"health"},
			LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
		}, &c)
		now := time.Now()
		as := []*bk.Action{fixture.KioskAction(k.id, bk.GiveConsent, bk.Payload{ConsentID: c.ID}, k.citizen, nil, now)}
		for j, id := range k.delegs {
			as = append(as, fixture.KioskAction(k.id, bk.CreateDelegation, bk.Payload{
				DelegationID: id, Delegate: &k.to[j], Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
				ValidFrom: w.s.start, ValidTo: w.s.start.AddDate(1, 0, 0),
			}, k.citizen, nil, now))
		}
		for j, a := range as {
			items[k.id] = append(items[k.id], bk.PushItem{Seq: uint64(j + 1), Hash: a.ContentHash(), Action: a})
		}
	}
	return items
}

// push sends every kiosk's batches in order, all kiosks at once; with
// twice each batch goes twice at the same moment (a retry racing the
// first attempt), so through the balancer the two copies land on two
// replicas. It fails the test unless every push is answered and every
// action is applied exactly once.
func (w *world) push(t *testing.T, items map[string][]bk.PushItem, twice bool) {
	t.Helper()
	var wg sync.WaitGroup
	for _, k := range w.s.kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			list := items[k.id]
			for off := 0; off < len(list); off += replicaBatch {
				req := bk.PushRequest{Kiosk: k.id, Incarnation: "inc-1", Actions: list[off:min(off+replicaBatch, len(list))]}
				body, _ := json.Marshal(req)
				copies := 1
				if twice {
					copies = 2
				}
				answers := make([]bk.PushResponse, copies)
				var cw sync.WaitGroup
				for c := range copies {
					cw.Add(1)
					go func() {
						defer cw.Done()
						w.signedPush(t, k, body, &answers[c])
					}()
				}
				cw.Wait()
				for _, a := range answers {
					if a.LastSeq < list[min(off+replicaBatch, len(list))-1].Seq {
						t.Errorf("kiosk %s: push of seq %d… answered last_seq %d", k.id, list[off].Seq, a.LastSeq)
					}
					for _, v := range a.Verdicts {
						if v.Outcome == bk.Duplicate && v.First != nil {
							v = *v.First
						}
						if v.Outcome != bk.Applied {
							t.Errorf("kiosk %s: verdict %+v; want applied (or a duplicate of applied)", k.id, v)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
}

// signedPush sends one push body signed by kiosk k, retrying while central
// asks it to come back (503, admission control), as the pusher does.
func (w *world) signedPush(t *testing.T, k scenarioKiosk, body []byte, out *bk.PushResponse) {
	deadline := time.Now().Add(testtool.WaitTimeout)
	for {
		req, _ := http.NewRequest("POST", w.base+"/v1/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", bk.SignKioskRequest(k.id, k.key, "POST", "/v1/push", body, time.Now()))
		resp, err := w.hc.Do(req)
		if err != nil {
			t.Errorf("push: %v", err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp.StatusCode != 200 {
			t.Errorf("push = %d %s", resp.StatusCode, b)
			return
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Errorf("push answer: %v", err)
		}
		return
	}
}

// phone is the relative's phone: it keeps cookies and shows each redirect.
type phone struct {
	c     *http.Client
	steps []string // "what@replica" for each request to central
}

func newPhone() *phone {
	jar, _ := cookiejar.New(nil)
	return &phone{c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *phone) do(t *testing.T, step, method, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if r := resp.Header.Get("X-Replica"); r != "" {
		p.steps = append(p.steps, step+"@"+r)
	}
	return resp.StatusCode, string(b), resp
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// acceptOnPhone has the relative open a handover code from kiosk 0 for its
// first delegation, sign in at the OIDC provider and accept.
func (w *world) acceptOnPhone(t *testing.T, idp *mockoidc.MockOIDC) *phone {
	t.Helper()
	k := w.s.kiosks[0]
	code, err := handover.Issue(handover.Claims{
		DelegationID: k.delegs[0], Scopes: []string{"tax"}, ValidFrom: w.s.start, ValidTo: w.s.start.AddDate(1, 0, 0),
		PrincipalName: handover.MaskName(k.citizen.Cert.Name), TokenID: []byte("0123456789abcdef"), IssuedAt: time.Now().UTC().Truncate(time.Second),
	}, w.s.relative.Full(), k.id, k.key)
	if err != nil {
		t.Fatal(err)
	}
	codeURL, err := handover.URL(w.base, code)
	if err != nil {
		t.Fatal(err)
	}
	p := newPhone()
	if status, page, _ := p.do(t, "code page", "GET", codeURL, nil); status != 200 || !strings.Contains(page, "/handover/signin") {
		t.Fatalf("code page = %d; want 200 with a sign-in link:\n%s", status, page)
	}
	status, _, resp := p.do(t, "sign-in", "GET", w.base+"/handover/signin?next="+url.QueryEscape(codeURL[len(w.base):]), nil)
	auth, _ := resp.Location()
	if status != http.StatusSeeOther || auth == nil {
		t.Fatalf("sign-in start = %d; want 303 to the provider", status)
	}
	idp.QueueUser(oidctest.User{CPR: w.s.relative.Full(), Name: replicaRelName})
	status, page, resp := p.do(t, "provider", "GET", auth.String(), nil)
	cb, _ := resp.Location()
	if status != http.StatusFound || cb == nil {
		t.Fatalf("provider = %d; want 302 back to central:\n%s", status, page)
	}
	status, page, resp = p.do(t, "callback", "GET", cb.String(), nil)
	if loc, _ := resp.Location(); status != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.Path, "/H/") {
		t.Fatalf("callback = %d to %v; want 303 back to the code page:\n%s", status, loc, page)
	}
	status, page, _ = p.do(t, "signed-in code page", "GET", codeURL, nil)
	m := csrfInput.FindStringSubmatch(page)
	if status != 200 || m == nil || !strings.Contains(page, replicaRelName) {
		t.Fatalf("code page after sign-in = %d; want the answer form for %s:\n%s", status, replicaRelName, page)
	}
	status, page, _ = p.do(t, "accept", "POST", codeURL, url.Values{"csrf": {m[1]}, "answer": {"accept"}})
	if status != 200 || !strings.Contains(page, "Du har taget imod fuldmagten") {
		t.Fatalf("accept = %d; want the accepted page:\n%s", status, page)
	}
	// The overview on the next replica lists it; signing out on one ends
	// the session on all.
	if status, page, _ := p.do(t, "overview", "GET", w.base+"/handover/mine", nil); status != 200 || !strings.Contains(page, k.citizen.Cert.Name) {
		t.Errorf("overview after accepting = %d; want %s's delegation listed:\n%s", status, k.citizen.Cert.Name, page)
	}
	base, _ := url.Parse(w.base)
	kept := p.c.Jar.Cookies(base) // a copy of the session cookie, as a thief would keep it
	if status, _, _ := p.do(t, "sign-out", "GET", w.base+"/handover/signout", nil); status != 200 {
		t.Errorf("sign-out = %d; want 200", status)
	}
	p.c.Jar.SetCookies(base, kept)
	for i := range 3 {
		if _, page, _ := p.do(t, "overview after sign-out", "GET", w.base+"/handover/mine", nil); strings.Contains(page, `id="signed-in"`) || strings.Contains(page, k.citizen.Cert.Name) {
			t.Errorf("overview %d with the session cookie kept from before signing out is still signed in", i)
		}
	}
	return p
}

// checks asks, concurrently, every consent and delegation check of the
// scenario and returns the answers by question.
func (w *world) checks(t *testing.T) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for _, k := range w.s.kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c bk.ConsentCheckResult
			w.call(t, "POST", "/v1/authority/consent-checks", "Bearer "+w.s.authTok["sundhed"],
				bk.ConsentCheck{CPR: k.citizen.Cert.CPR, DataCategory: "health", Purpose: "Prøve"}, &c)
			mu.Lock()
			got["consent "+k.citizen.Cert.CPR.Masked()] = c.Allowed
			mu.Unlock()
			for _, to := range k.to {
				var d central.DelegationCheckResult
				w.call(t, "POST", "/v1/authority/delegation-checks", "Bearer "+w.s.authTok["skat"],
					central.DelegationCheck{Principal: k.citizen.Cert.CPR, Delegate: to, Scope: "tax", Purpose: "Prøve"}, &d)
				mu.Lock()
				got["delegation "+k.citizen.Cert.CPR.Masked()+" → "+to.Masked()] = d.Allowed
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return got
}

// dump is the store's final state, without what differs between two runs
// by nature (ids central makes, times): per kiosk its cursor and each
// slot's kind, outcome and reason; per citizen their consents' authority
// and state and their delegations' id, delegate, state and accepting
// method.
func dump(t *testing.T, dsn string, s *scenario) []string {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	now := time.Now()
	err = st.View(context.Background(), func(tx central.Tx) error {
		for _, k := range s.kiosks {
			n, err := tx.PushCursor(k.id, "inc-1")
			if err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("kiosk %s cursor %d", k.id, n))
			recs, err := tx.Actions(k.id, "inc-1", 0, 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				out = append(out, fmt.Sprintf("kiosk %s seq %d %s %s %s", k.id, r.Seq, r.Action.Kind, r.Verdict.Outcome, r.Verdict.Reason))
			}
			cs, err := tx.ConsentsByCPR(k.citizen.Cert.CPR)
			if err != nil {
				return err
			}
			for _, c := range cs {
				out = append(out, fmt.Sprintf("consent %s %s %s", c.CPR.Masked(), c.AuthorityID, c.StateAt(now)))
			}
			ds, err := tx.DelegationsByPrincipal(k.citizen.Cert.CPR)
			if err != nil {
				return err
			}
			for _, d := range ds {
				out = append(out, fmt.Sprintf("delegation %s %s → %s %s %s", d.ID, d.Principal.Masked(), d.Delegate.Masked(), d.StateAt(now), d.DelegateName))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestReplicas runs three central processes on one PostgreSQL behind a
// round-robin balancer: the kiosks push through it (each batch twice at
// once, so a kiosk's batches land on different processes concurrently),
// the relative signs in with OIDC and accepts with each step on another
// process than the one before (and signing out on one ends the session on
// all), and the authorities check; the replicas
// publish one token-exchange JWKS. The final state
// (store and checks) must equal that of the same scenario on one process.
// If a sign-in or session lived in one process's memory, the callback or
// the answer would reach a process that never saw it.
func TestReplicas(t *testing.T) {
	s := newScenario()
	idp := oidctest.Start(t)
	run := func(n int) (state []string, checks map[string]bool, steps []string, lb *roundRobin) {
		dsn := pgtest.NewSchema(t)
		// The balancer's address is the public URL the replicas put in
		// redirects, so it listens before they start.
		lbSrv := httptest.NewUnstartedServer(nil)
		pub := "http://" + lbSrv.Listener.Addr().String()
		rs := startReplicas(t, s, n, dsn, pub, idp)
		lb = newRoundRobin(rs)
		lbSrv.Config.Handler = lb
		lbSrv.Start()
		t.Cleanup(lbSrv.Close)
		w := &world{s: s, base: pub, hc: &http.Client{Timeout: testtool.WaitTimeout}}
		items := w.enrol(t)
		w.push(t, items, n > 1)
		w.push(t, items, false) // all again: duplicates, nothing changes
		p := w.acceptOnPhone(t, idp)
		checks = w.checks(t)
		return dump(t, dsn, s), checks, p.steps, lb
	}
	one, oneChecks, _, _ := run(1)
	if t.Failed() {
		t.FailNow()
	}
	three, threeChecks, steps, lb := run(3)
	if t.Failed() {
		t.FailNow()
	}

	// Token exchange: every replica publishes the same signing keys (derived
	// from the central.key they share), so a token one signs verifies with
	// the JWKS another serves.
	var jwks []string
	for i, r := range lb.replicas {
		status, body := get(t, r.url+"/.well-known/jwks.json")
		if status != 200 || !strings.Contains(body, `"kid"`) {
			t.Errorf("replica %d JWKS = %d %s", i, status, body)
		}
		jwks = append(jwks, body)
	}
	if jwks[0] != jwks[1] || jwks[1] != jwks[2] {
		t.Errorf("the replicas publish different JWKS:\n%s", strings.Join(jwks, "\n"))
	}
	for i := range lb.served {
		if n := lb.served[i].Load(); n < 10 {
			t.Errorf("replica %d served %d requests; want its share", i, n)
		}
	}
	// The phone's requests to central went round the replicas: the
	// callback and the answer reached other processes than the steps that
	// made the sign-in and the session.
	at := map[string]string{}
	for _, s := range steps {
		step, r, _ := strings.Cut(s, "@")
		at[step] = r
	}
	if at["sign-in"] == at["callback"] || at["callback"] == at["accept"] || at["callback"] == at["signed-in code page"] {
		t.Errorf("phone steps %v; want the callback on another replica than the sign-in, and the session used on others than the callback", steps)
	}

	want := 2*replicaKiosks + replicaKiosks*replicaDelegs + replicaKiosks*(1+replicaDelegs)
	if len(one) != want {
		t.Errorf("one process: %d state lines; want %d:\n%s", len(one), want, strings.Join(one, "\n"))
	}
	if !slices.Equal(one, three) {
		t.Errorf("three replicas' final state differs from one process's:\n--- one\n%s\n--- three\n%s", strings.Join(one, "\n"), strings.Join(three, "\n"))
	}
	accepted := "delegation " + s.kiosks[0].delegs[0] + " " + s.kiosks[0].citizen.Cert.CPR.Masked() + " → " + s.relative.Masked() + " active " + replicaRelName
	if !slices.Contains(three, accepted) {
		t.Errorf("no %q in the replicas' state:\n%s", accepted, strings.Join(three, "\n"))
	}
	allowed := 0
	for q, ok := range threeChecks {
		if ok {
			allowed++
		}
		if oneChecks[q] != ok {
			t.Errorf("check %s: %v on three replicas, %v on one", q, ok, oneChecks[q])
		}
	}
	if len(threeChecks) != len(oneChecks) || allowed != replicaKiosks+1 {
		t.Errorf("%d checks (%d allowed) on three replicas, %d on one; want the consents and the accepted delegation allowed (%d)",
			len(threeChecks), allowed, len(oneChecks), replicaKiosks+1)
	}
}
