package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxWait bounds a long-polled output read.
const maxWait = 60 * time.Second

// agentServer serves the agent's HTTP API (HTTP/1.1 and unencrypted HTTP/2 with prior
// knowledge). Every route but /healthz needs `Authorization: Bearer <token>`.
type agentServer struct {
	token   []byte
	execs   *execs
	main    func() *execution // nil result while idle
	version string
	claims  *claims // a pool pod's claim; nil for an agent started for its sandbox

	// whether anyone read the main command's output, and (closed) once a reader got its end
	mainFollowed     atomic.Bool
	mainEnd          chan struct{}
	mainEndDelivered sync.Once
}

func newAgentServer(token []byte, x *execs, main func() *execution, version string) *agentServer {
	return &agentServer{token: token, execs: x, main: main, version: version, mainEnd: make(chan struct{})}
}

// awaitFollowers gives a follower of the main command's output up to grace to read its end
// before the agent exits; without followers it returns at once (a batch item ends at once).
func (s *agentServer) awaitFollowers(grace time.Duration) {
	if !s.mainFollowed.Load() {
		return
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-s.mainEnd:
	case <-t.C:
	}
}

func (s *agentServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /v1/info", s.auth(s.info))
	mux.Handle("GET /v1/execs", s.auth(s.listExecs))
	mux.Handle("PUT /v1/execs/{id}", s.auth(s.startExec))
	mux.Handle("GET /v1/execs/{id}", s.auth(s.withExec(s.execState)))
	mux.Handle("GET /v1/execs/{id}/output", s.auth(s.outputOfExec))
	mux.Handle("POST /v1/execs/{id}/stdin", s.auth(s.withExec(s.stdin)))
	mux.Handle("POST /v1/execs/{id}/kill", s.auth(s.withExec(s.kill)))
	mux.Handle("GET /v1/claim", s.auth(s.claimState))
	mux.Handle("POST /v1/claim", s.auth(s.claim))
	mux.Handle("GET /v1/main", s.auth(s.withMain(s.execState)))
	mux.Handle("GET /v1/main/output", s.auth(s.withMain(s.output)))
	return mux
}

func (s *agentServer) auth(next func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given, ok := bearer(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(given), s.token) != 1 {
			writeError(w, http.StatusUnauthorized, "Unauthorized", "a valid bearer token is required")
			return
		}
		next(w, r)
	})
}

func bearer(header string) (string, bool) {
	const prefix = "Bearer "
	if len(header) <= len(prefix) || header[:len(prefix)] != prefix {
		return "", false
	}
	return header[len(prefix):], true
}

func (s *agentServer) withExec(next func(http.ResponseWriter, *http.Request, *execution)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		e := s.execs.get(r.PathValue("id"))
		if e == nil {
			writeError(w, http.StatusNotFound, "ExecNotFound", "no exec "+strconv.Quote(r.PathValue("id")))
			return
		}
		next(w, r, e)
	}
}

// outputOfExec is output for an exec, or for the main process under the exec ID "main"; a read
// that comes before the exec started waits for it (within the read's wait) instead of failing.
func (s *agentServer) outputOfExec(w http.ResponseWriter, r *http.Request) {
	waitMillis, _ := intParam(r.URL.Query().Get("waitMillis"), 0)
	wait := min(time.Duration(max(waitMillis, 0))*time.Millisecond, maxWait)
	if r.URL.Query().Get("follow") == "true" {
		wait = maxWait
	}
	if r.PathValue("id") == mainID {
		s.withMain(s.output)(w, r)
		return
	}
	e := s.execs.await(r.Context(), r.PathValue("id"), wait)
	if e == nil {
		writeError(w, http.StatusNotFound, "ExecNotFound", "no exec "+strconv.Quote(r.PathValue("id")))
		return
	}
	s.output(w, r, e)
}

func (s *agentServer) withMain(next func(http.ResponseWriter, *http.Request, *execution)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		e := s.main()
		if e == nil {
			writeError(w, http.StatusNotFound, "NoMainProcess", "the sandbox idles: it has no main process")
			return
		}
		next(w, r, e)
	}
}

func (s *agentServer) info(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"version": s.version, "idle": s.main() == nil,
		"pooled": s.claims != nil && s.claims.pooled, "claimed": s.claims == nil || s.claims.open()})
}

func (s *agentServer) claimState(w http.ResponseWriter, r *http.Request) {
	if s.claims == nil {
		writeJSON(w, http.StatusOK, claimState{Idle: s.main() == nil})
		return
	}
	writeJSON(w, http.StatusOK, s.claims.state())
}

// claim gives a pool pod to a sandbox: 201 when this claim took it, 200 when the same claim
// had (a retried call), 409 when another sandbox holds it or the agent is no pool pod's.
func (s *agentServer) claim(w http.ResponseWriter, r *http.Request) {
	var req claimRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidClaim", err.Error())
		return
	}
	if s.claims == nil {
		writeError(w, http.StatusConflict, "NotPooled", errNotPooled.Error())
		return
	}
	created, err := s.claims.claim(req)
	switch {
	case errors.Is(err, errNotPooled):
		writeError(w, http.StatusConflict, "NotPooled", err.Error())
	case errors.Is(err, errAlreadyClaimed):
		writeError(w, http.StatusConflict, "AlreadyClaimed", err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidClaim", err.Error())
	case created:
		writeJSON(w, http.StatusCreated, s.claims.state())
	default:
		writeJSON(w, http.StatusOK, s.claims.state())
	}
}

func (s *agentServer) listExecs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.execs.list())
}

// startExec is idempotent by ID: 201 when it started the command, 200 with the existing exec
// when the same request was started before, 409 when the ID holds another command.
func (s *agentServer) startExec(w http.ResponseWriter, r *http.Request) {
	if s.claims != nil && !s.claims.open() {
		writeError(w, http.StatusConflict, "NotClaimed", "this pool pod runs nothing until a sandbox claims it")
		return
	}
	var req execRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidExecRequest", err.Error())
		return
	}
	e, created, err := s.execs.start(r.PathValue("id"), req)
	switch {
	case errors.Is(err, errConflict):
		writeError(w, http.StatusConflict, "ExecIdInUse", err.Error())
	case err != nil && e == nil:
		writeError(w, http.StatusBadRequest, "InvalidExecRequest", err.Error())
	case created:
		writeJSON(w, http.StatusCreated, e.state())
	default:
		writeJSON(w, http.StatusOK, e.state())
	}
}

func (s *agentServer) execState(w http.ResponseWriter, r *http.Request, e *execution) {
	writeJSON(w, http.StatusOK, e.state())
}

// output sends the exec's frames from ?offset (default 0; -1: from the current end). With ?follow=true the response
// streams until the exec ends (its exit frame is the last thing sent); otherwise it waits up to
// ?waitMillis for new output (then ?lingerMillis more for the rest of its burst) and sends at
// most ?maxBytes (cut at a frame boundary).
// X-Output-Offset says where the body starts; the next read starts where it ended.
func (s *agentServer) output(w http.ResponseWriter, r *http.Request, e *execution) {
	q := r.URL.Query()
	offset, err1 := intParam(q.Get("offset"), 0)
	waitMillis, err2 := intParam(q.Get("waitMillis"), 0)
	maxBytes, err3 := intParam(q.Get("maxBytes"), 1<<20)
	lingerMillis, err4 := intParam(q.Get("lingerMillis"), 0)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidOutputRequest", err.Error())
		return
	}
	if offset == -1 {
		// from the end: what is written from now on (a follower that printed a tail already)
		offset, _, _ = e.log.state()
	}
	if size, _, _ := e.log.state(); offset < 0 || offset > size {
		writeError(w, http.StatusRequestedRangeNotSatisfiable, "OffsetOutOfRange",
			"offset "+strconv.FormatInt(offset, 10)+" is outside the output (0.."+strconv.FormatInt(size, 10)+")")
		return
	}
	opts := readOptions{follow: q.Get("follow") == "true", wait: min(time.Duration(waitMillis)*time.Millisecond, maxWait),
		linger: min(time.Duration(lingerMillis)*time.Millisecond, time.Second), maxBytes: maxBytes}
	w.Header().Set("Content-Type", "application/vnd.sandboxes.frames")
	w.Header().Set("X-Output-Offset", strconv.FormatInt(offset, 10))
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	flush()
	if e.id == mainID {
		s.mainFollowed.Store(true)
	}
	reached, _ := e.log.copyTo(r.Context(), w, flush, offset, opts)
	if size, ended, _ := e.log.state(); e.id == mainID && ended && reached == size {
		s.mainEndDelivered.Do(func() { close(s.mainEnd) })
	}
}

func (s *agentServer) stdin(w http.ResponseWriter, r *http.Request, e *execution) {
	if err := e.writeStdin(r.Body, r.URL.Query().Get("eof") == "true"); err != nil {
		writeError(w, http.StatusConflict, "StdinClosed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, e.state())
}

func (s *agentServer) kill(w http.ResponseWriter, r *http.Request, e *execution) {
	e.kill(false)
	writeJSON(w, http.StatusOK, e.state())
}

func intParam(v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error": TYPE, "message": ...}; the worker maps TYPE to its typed errors.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	writeJSON(w, status, map[string]string{"error": typ, "message": message})
}
