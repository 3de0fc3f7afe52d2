package handoverweb

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// DevSignIn lets a developer type a CPR number and name. It exists only when
// central runs with --demo, and every page it touches says so.
type DevSignIn struct{}

func (DevSignIn) Name() string { return "dev" }

func (DevSignIn) Start(_ *http.Request, f *Flow) (string, error) {
	return "/handover/dev?state=" + url.QueryEscape(f.State), nil
}

var devForm = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if eq .Lang "en"}}Development sign-in{{else}}Udviklings-login{{end}}</title>
<style>body{font:18px/1.5 system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:1rem;color:#111;background:#fff}
.warn{background:#fff3b0;border:3px solid #111;padding:1rem;font-weight:bold}
label{display:block;margin-top:1rem;font-weight:bold}input{font-size:1.2rem;padding:.6rem;width:100%;box-sizing:border-box;border:2px solid #111}
button{margin-top:1.5rem;font-size:1.2rem;min-height:3rem;padding:.6rem 1.2rem;background:#0b4f8a;color:#fff;border:0;border-radius:.3rem}
.err{color:#a00000;font-weight:bold}</style></head><body><main>
<h1>{{if eq .Lang "en"}}Development sign-in{{else}}Udviklings-login{{end}}</h1>
<p class="warn" role="alert">{{if eq .Lang "en"}}This sign-in exists only because the central service runs in demo mode. It is not MitID and must never be used for real people.{{else}}Dette login findes kun, fordi den centrale tjeneste kører i demo-tilstand. Det er ikke MitID og må aldrig bruges til rigtige personer.{{end}}</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/handover/dev">
<input type="hidden" name="state" value="{{.State}}">
<label for="cpr">{{if eq .Lang "en"}}CPR number (DDMMYY-SSSS){{else}}CPR-nummer (DDMMÅÅ-SSSS){{end}}</label>
<input id="cpr" name="cpr" inputmode="numeric" autocomplete="off" required>
<label for="name">{{if eq .Lang "en"}}Name{{else}}Navn{{end}}</label>
<input id="name" name="name" autocomplete="off" required>
<button type="submit" id="signin">{{if eq .Lang "en"}}Sign in{{else}}Log ind{{end}}</button>
</form></main></body></html>`))

func (DevSignIn) Routes(mux Mux, fl Flows) {
	render := func(w http.ResponseWriter, r *http.Request, state, errMsg string, status int) {
		lang := "da"
		if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
			lang = "en"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		devForm.Execute(w, map[string]string{"Lang": lang, "State": state, "Error": errMsg})
	}
	mux.HandleFunc("GET /handover/dev", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, r.URL.Query().Get("state"), "", http.StatusOK)
	})
	mux.HandleFunc("POST /handover/dev", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			render(w, r, "", "Bad request.", http.StatusBadRequest)
			return
		}
		// The sign-in state is single use, short-lived and bound to the
		// browser that started it (Flows.Take): it is the CSRF token of
		// this form.
		state := r.PostForm.Get("state")
		cpr, err := bk.ParseCPR(strings.TrimSpace(r.PostForm.Get("cpr")), time.Now())
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if err != nil || name == "" || len(name) > 100 {
			msg := "Type a valid CPR number and a name."
			if c, e := r.Cookie(langCookie); e != nil || c.Value != "en" {
				msg = "Skriv et gyldigt CPR-nummer og et navn."
			}
			render(w, r, state, msg, http.StatusBadRequest)
			return
		}
		f, ok := fl.Take(w, r, state)
		if !ok {
			return
		}
		fl.Finish(w, r, f, Identity{CPR: cpr, Name: name, Method: "dev"})
	})
}
