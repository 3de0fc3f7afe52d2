package central

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// readJSON reads and strictly decodes a JSON body into v; on failure it has
// answered and returns false. empty allows an empty body (v stays zero).
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any, empty bool) bool {
	if !s.jsonContent(w, r) {
		return false
	}
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err == nil && !(empty && len(body) == 0) {
		err = DecodeJSON(body, v)
	}
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

func (s *Server) handleCreateEnrollToken(w http.ResponseWriter, r *http.Request) {
	var req bk.EnrollTokenRequest
	if !s.readJSON(w, r, &req, true) {
		return
	}
	if req.TTLSeconds < 0 || req.TTLSeconds > int64(maxEnrollTTL/time.Second) {
		s.fail(w, r, bk.Errorf(bk.EInvalid, "ttl_seconds must be between 60 and %d", int64(maxEnrollTTL/time.Second)))
		return
	}
	tok, exp, err := s.CreateEnrollToken(r.Context(), time.Duration(req.TTLSeconds)*time.Second)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, bk.EnrollTokenResponse{Token: tok, ExpiresAt: exp})
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var req bk.RevocationRequest
	if !s.readJSON(w, r, &req, false) {
		return
	}
	rev, err := s.Revoke(r.Context(), req.Serial)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rev)
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req bk.EnrollRequest
	if !s.readJSON(w, r, &req, false) {
		return
	}
	resp, err := s.Enroll(r.Context(), &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte) {
	select {
	case s.pushSlots <- struct{}{}:
		defer func() { <-s.pushSlots }()
	default:
		s.metrics.pushBusy.Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.PushRetryAfter/time.Second)))
		writeError(w, http.StatusServiceUnavailable, bk.EUnavailable, "The central service is busy. The kiosk sends its actions again shortly; nothing is lost.")
		return
	}
	req, err := DecodePush(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp, err := s.Push(r.Context(), k.ID, req)
	var fe *ForkError
	if errors.As(err, &fe) {
		writeError(w, http.StatusConflict, ECodeFork, "A sequence number was sent again with different content. Nothing of this batch was kept; an operator must check this kiosk.")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleCatalogue(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Catalogue)
}

func (s *Server) handleNonce(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte) {
	if len(body) > 0 {
		var empty struct{}
		if err := DecodeJSON(body, &empty); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	n, err := s.NewNonce(r.Context(), k.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) handleCitizenState(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte) {
	var auth bk.CitizenAuth
	if err := DecodeJSON(body, &auth); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.CitizenState(r.Context(), k.ID, &auth)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) handleCitizenUsage(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte) {
	var req bk.UsageRequest
	if err := DecodeJSON(body, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.CitizenUsage(r.Context(), k.ID, &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) handleConsentRequest(w http.ResponseWriter, r *http.Request, authorityID string) {
	var req bk.ConsentRequest
	if !s.readJSON(w, r, &req, false) {
		return
	}
	c, err := s.RequestConsent(r.Context(), authorityID, &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) handleListConsents(w http.ResponseWriter, r *http.Request, authorityID string) {
	var cpr bk.CPR
	q := r.URL.Query()
	if v := q.Get("cpr"); v != "" {
		var err error
		if cpr, err = bk.ParseCPR(v, s.now()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	after, limit, err := parseConsentPage(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.AuthorityConsentPage(r.Context(), authorityID, cpr, after, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleGetConsent(w http.ResponseWriter, r *http.Request, authorityID string) {
	c, err := s.AuthorityConsent(r.Context(), authorityID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) handleConsentCheck(w http.ResponseWriter, r *http.Request, authorityID string) {
	var q bk.ConsentCheck
	if !s.readJSON(w, r, &q, false) {
		return
	}
	res, err := s.CheckConsent(r.Context(), authorityID, &q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Error("health check: store unavailable", "err", err)
		writeError(w, http.StatusServiceUnavailable, bk.EUnavailable, "The store cannot be reached.")
		return
	}
	writeJSON(w, http.StatusOK, bk.Health{Status: "ok"})
}

func (s *Server) handleDeadNotices(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(w, r, bk.Errorf(bk.EInvalid, "limit must be a number"))
			return
		}
		limit = n
	}
	list, err := s.DeadNotices(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": list})
}

func (s *Server) handleRetryNotice(w http.ResponseWriter, r *http.Request) {
	n, err := s.RetryNotice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}
