package tokenexchange

import (
	"fmt"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The URNs of RFC 8693.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
)

// The error codes of RFC 6749 §5.2 and RFC 8693 §2.2.2.
const (
	ErrInvalidRequest       = "invalid_request"
	ErrInvalidClient        = "invalid_client"
	ErrInvalidGrant         = "invalid_grant"
	ErrUnauthorizedClient   = "unauthorized_client"
	ErrUnsupportedGrantType = "unsupported_grant_type"
	ErrInvalidScope         = "invalid_scope"
	ErrInvalidTarget        = "invalid_target"
	ErrServerError          = "server_error"
	ErrUnavailable          = "temporarily_unavailable"
)

// Error is a refusal in the form of RFC 6749 §5.2: a code and a description
// safe to show (it never holds a CPR number or a token).
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func refuse(code, description string) *Error { return &Error{Code: code, Description: description} }

// Request is a parsed token exchange request (RFC 8693 §2.1) with the one
// extension central needs: Principal, the CPR number of the person the
// delegate acts for.
type Request struct {
	ClientID           string   // from the body, if the client sent it; must match HTTP Basic
	SubjectToken       string   // the delegate's ID token from the eID broker
	SubjectTokenType   string   // TokenTypeIDToken
	RequestedTokenType string   // empty, TokenTypeAccess or TokenTypeJWT
	Scopes             []string // delegation scope ids, each once, in the order given
	Principal          string   // the principal's CPR number, as sent
	Audience           string   // optional; must be the client itself
	Resource           []string // optional; central knows no resource URIs
	// Purpose says why, in words the principal and delegate read in their
	// usage logs; optional (MaxPurpose bytes), an extension parameter.
	Purpose string
}

// MaxPurpose bounds the purpose parameter.
const MaxPurpose = 500

// MaxRequestBytes bounds a token request body; an ID token is a few KiB.
const MaxRequestBytes = 16 << 10

// ParseRequest parses the body of a token request, which must be
// application/x-www-form-urlencoded. Parameters sent without a value count
// as absent; a parameter sent twice is refused (RFC 6749 §3.2). Errors are
// *Error: invalid_request, or unsupported_grant_type for another grant.
func ParseRequest(contentType string, body []byte) (*Request, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, refuse(ErrInvalidRequest, "The request body must be application/x-www-form-urlencoded.")
	}
	if len(body) > MaxRequestBytes {
		return nil, refuse(ErrInvalidRequest, "The request body is too large.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, refuse(ErrInvalidRequest, "The request body is not a valid form.")
	}
	one := func(name string) (string, *Error) {
		var got []string
		for _, v := range form[name] {
			if v != "" {
				got = append(got, v)
			}
		}
		switch len(got) {
		case 0:
			return "", nil
		case 1:
			return got[0], nil
		}
		return "", refuse(ErrInvalidRequest, "The parameter "+name+" is sent more than once.")
	}
	var e *Error
	get := func(name string) string {
		v, err := one(name)
		if e == nil && err != nil {
			e = err
		}
		return v
	}
	grant := get("grant_type")
	req := &Request{
		ClientID:           get("client_id"),
		SubjectToken:       get("subject_token"),
		SubjectTokenType:   get("subject_token_type"),
		RequestedTokenType: get("requested_token_type"),
		Principal:          get("principal"),
		Audience:           get("audience"),
		Purpose:            get("purpose"),
	}
	scope := get("scope")
	for _, v := range form["resource"] {
		if v != "" {
			req.Resource = append(req.Resource, v)
		}
	}
	secret, actor := get("client_secret"), get("actor_token")
	if e != nil {
		return nil, e
	}
	switch {
	case grant == "":
		return nil, refuse(ErrInvalidRequest, "grant_type is required.")
	case grant != GrantTokenExchange:
		return nil, refuse(ErrUnsupportedGrantType, "The only grant type is "+GrantTokenExchange+".")
	case secret != "":
		return nil, refuse(ErrInvalidRequest, "Send the client credentials with HTTP Basic authentication, not in the body.")
	case actor != "":
		return nil, refuse(ErrInvalidRequest, "actor_token is not supported: the delegate's ID token is the subject_token.")
	case req.SubjectToken == "":
		return nil, refuse(ErrInvalidRequest, "subject_token is required.")
	case req.SubjectTokenType != TokenTypeIDToken:
		return nil, refuse(ErrInvalidRequest, "subject_token_type must be "+TokenTypeIDToken+".")
	case req.RequestedTokenType != "" && req.RequestedTokenType != TokenTypeAccess && req.RequestedTokenType != TokenTypeJWT:
		return nil, refuse(ErrInvalidRequest, "requested_token_type must be "+TokenTypeAccess+" if it is given.")
	case req.Principal == "":
		return nil, refuse(ErrInvalidRequest, "principal (the CPR number of the person the delegate acts for) is required.")
	case len(req.Purpose) > MaxPurpose || !utf8.ValidString(req.Purpose):
		return nil, refuse(ErrInvalidRequest, fmt.Sprintf("purpose must be UTF-8 text of at most %d bytes.", MaxPurpose))
	}
	seen := map[string]bool{}
	for _, s := range strings.Split(scope, " ") { // RFC 6749 §3.3: one space between
		if s != "" && !seen[s] {
			seen[s] = true
			req.Scopes = append(req.Scopes, s)
		}
	}
	switch {
	case len(req.Scopes) == 0:
		return nil, refuse(ErrInvalidScope, "scope is required: the delegation scope the token is for.")
	case len(req.Scopes) > 1:
		// One scope per token, so that the usage log of the principal and
		// the delegate says exactly what a token was asked for and what
		// the answer was.
		return nil, refuse(ErrInvalidScope, "A token is for one delegation scope; ask for one token per scope.")
	}
	return req, nil
}
