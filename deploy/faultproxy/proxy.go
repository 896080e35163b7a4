package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Proxy forwards every request to one upstream (the API server) and injects the faults its
// Injector decides. The client's own credentials (its Authorization header) pass through;
// protocol upgrades (exec, attach) and streamed answers (watches, log follow) are relayed as
// they come.
type Proxy struct {
	injector *Injector
	forward  *httputil.ReverseProxy
	logger   *log.Logger
}

func NewProxy(upstream *url.URL, upstreamTLS *tls.Config, injector *Injector, logger *log.Logger) *Proxy {
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSClientConfig:     upstreamTLS,
		ForceAttemptHTTP2:   false, // upgrades need HTTP/1.1 end to end
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			r.Out.Host = upstream.Host
		},
		Transport:     transport,
		FlushInterval: -1, // watch events and log lines go out as they arrive
		ErrorLog:      logger,
	}
	injector.OnTooSoon = func(identity string, gap, retryAfter time.Duration) {
		logger.Printf("retry too soon: %s came back after %v, asked to wait %v", identity,
			gap.Round(time.Millisecond), retryAfter)
	}
	return &Proxy{injector: injector, forward: rp, logger: logger}
}

// streamKind says whether a request opens a long-lived stream, and which.
func streamKind(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case strings.EqualFold(r.Header.Get("Connection"), "upgrade") || r.Header.Get("Upgrade") != "":
		return "upgrade"
	case q.Get("watch") == "true" || q.Get("watch") == "1":
		return "watch"
	case q.Get("follow") == "true":
		return "follow"
	}
	return ""
}

// identity names a request so that its retry can be recognised: method, URI and body digest.
// The body is read here and put back.
func identity(r *http.Request) (string, error) {
	h := sha256.New()
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", err
		}
		r.Body.Close()
		h.Write(body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r.Method + " " + r.URL.RequestURI() + " " + hex.EncodeToString(h.Sum(nil)[:8]), nil
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := identity(r)
	if err != nil {
		http.Error(w, "faultproxy: reading the request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	stream := streamKind(r)
	d := p.injector.Decide(id, stream, time.Now())
	if d.Delay > 0 {
		p.logger.Printf("fault #%d delay %v %s %s", d.Seq, d.Delay.Round(time.Millisecond), r.Method, r.URL.RequestURI())
		select {
		case <-time.After(d.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if d.Kind != Pass {
		p.logger.Printf("fault #%d %s %s %s", d.Seq, d.Kind, r.Method, r.URL.RequestURI())
	}
	switch d.Kind {
	case Reset:
		reset(w)
	case Lost:
		// the API server does the work; the client never hears of it
		p.forward.ServeHTTP(discard{header: http.Header{}}, r)
		reset(w)
	case TooMany:
		status(w, http.StatusTooManyRequests, "TooManyRequests", "faultproxy: too many requests, retry later",
			p.injector.rates.RetryAfter)
		p.injector.Rejected(id, time.Now())
	case ServerError:
		status(w, http.StatusInternalServerError, "InternalError", "faultproxy: injected internal error", 0)
	case Unavailable:
		status(w, http.StatusServiceUnavailable, "ServiceUnavailable", "faultproxy: injected unavailability", 0)
	default:
		p.forward.ServeHTTP(w, r)
	}
}

// reset closes the client's connection with a TCP RST (linger 0), as a crashed peer or a
// middlebox would.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if t, ok := conn.(*tls.Conn); ok {
		raw = t.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

// status answers like the API server does: a v1 Status object.
func status(w http.ResponseWriter, code int, reason, message string, retryAfter time.Duration) {
	details := map[string]any{}
	if retryAfter > 0 {
		seconds := int(retryAfter / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
		details["retryAfterSeconds"] = seconds
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": message, "reason": reason, "details": details, "code": code,
	})
}

// discard takes an answer nobody will read.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// Admin serves the counters (GET /__faults) and switches injection on and off
// (POST /__faults?enabled=false).
func Admin(in *Injector) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/__faults", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			on, err := strconv.ParseBool(r.URL.Query().Get("enabled"))
			if err != nil {
				http.Error(w, "enabled=true|false", http.StatusBadRequest)
				return
			}
			in.SetEnabled(on)
		default:
			http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(in.Snapshot())
	})
	return mux
}

// loopback refuses any address that is not on this machine's loopback.
func loopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address: faults are injected on this machine only", hostport)
	}
	return nil
}
