package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rig is an upstream (a stand-in API server) behind a proxy with the given rates.
type rig struct {
	upstream *httptest.Server
	proxy    *httptest.Server
	injector *Injector
	hits     *atomic.Int64
}

func newRig(t *testing.T, rates Rates, upstream http.Handler) rig {
	t.Helper()
	hits := &atomic.Int64{}
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	in, err := NewInjector(7, rates)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(up.URL)
	px := httptest.NewTLSServer(NewProxy(target, &tls.Config{InsecureSkipVerify: true}, in,
		log.New(io.Discard, "", 0)))
	t.Cleanup(px.Close)
	return rig{upstream: up, proxy: px, injector: in, hits: hits}
}

func echoAuthorization() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "auth="+r.Header.Get("Authorization")+" path="+r.URL.RequestURI())
	})
}

func TestForwardsTheRequestWithTheClientsCredentials(t *testing.T) {
	r := newRig(t, Rates{}, echoAuthorization())
	req, _ := http.NewRequest("GET", r.proxy.URL+"/api/v1/namespaces/sandboxes/pods/x?a=b", nil)
	req.Header.Set("Authorization", "Bearer token-1")
	resp, err := r.proxy.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "auth=Bearer token-1 path=/api/v1/namespaces/sandboxes/pods/x?a=b"; string(body) != want {
		t.Fatalf("body %q, want %q", body, want)
	}
	s := r.injector.Snapshot()
	if s.Requests != 1 || s.Forwarded != 1 || len(s.Faults) != 0 {
		t.Fatalf("counters %+v", s)
	}
}

func TestTheSameSeedGivesTheSameFaults(t *testing.T) {
	rates := Rates{Reset: 0.03, Lost: 0.02, TooMany: 0.1, ServerError: 0.05, Unavailable: 0.05,
		Delay: 0.05, DelayMin: 500 * time.Millisecond, DelayMax: 2 * time.Second, RetryAfter: time.Second}
	draw := func(seed uint64) []Decision {
		in, err := NewInjector(seed, rates)
		if err != nil {
			t.Fatal(err)
		}
		var out []Decision
		for i := 0; i < 10000; i++ {
			out = append(out, in.Decide("GET /x", "", time.Unix(0, 0)))
		}
		return out
	}
	a, b, c := draw(11), draw(11), draw(12)
	differs := false
	counts := map[Kind]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %+v vs %+v with the same seed", i, a[i], b[i])
		}
		differs = differs || a[i] != c[i]
		counts[a[i].Kind]++
		if a[i].Delay > 0 {
			counts[Delay]++
			if a[i].Delay < rates.DelayMin || a[i].Delay > rates.DelayMax {
				t.Fatalf("delay %v outside [%v, %v]", a[i].Delay, rates.DelayMin, rates.DelayMax)
			}
		}
	}
	if !differs {
		t.Fatal("another seed gave the same sequence")
	}
	for kind, p := range map[Kind]float64{Reset: 0.03, Lost: 0.02, TooMany: 0.1, ServerError: 0.05,
		Unavailable: 0.05, Delay: 0.05} {
		got := float64(counts[kind]) / 10000
		if got < p*0.7 || got > p*1.3 {
			t.Errorf("%s: %.4f of requests, configured %.2f", kind, got, p)
		}
	}
}

func TestA429CarriesRetryAfterAndIsNotForwarded(t *testing.T) {
	r := newRig(t, Rates{TooMany: 1, RetryAfter: 2 * time.Second}, echoAuthorization())
	resp, err := r.proxy.Client().Get(r.proxy.URL + "/api/v1/pods")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st["kind"] != "Status" || st["reason"] != "TooManyRequests" || st["code"] != float64(429) {
		t.Fatalf("body %v is not a v1 Status", st)
	}
	if r.hits.Load() != 0 {
		t.Fatal("a rejected request reached the upstream")
	}
}

func TestARetrySoonerThanRetryAfterIsCounted(t *testing.T) {
	in, _ := NewInjector(1, Rates{TooMany: 1, RetryAfter: time.Second})
	t0 := time.Unix(1000, 0)
	in.Decide("GET /a", "", t0)
	in.Rejected("GET /a", t0)
	in.Decide("GET /b", "", t0) // another request: not a retry of /a
	in.Rejected("GET /b", t0)
	in.Decide("GET /a", "", t0.Add(300*time.Millisecond))
	in.Rejected("GET /a", t0.Add(300*time.Millisecond))
	in.Decide("GET /b", "", t0.Add(1500*time.Millisecond)) // followed; both retries drew a 429 again
	s := in.Snapshot().RetryAfter
	if s.Followed != 2 || s.TooSoon != 1 || s.MinGapMs != 300 || s.Unfollowed != 2 || s.Seconds != 1 {
		t.Fatalf("retry-after stats %+v", s)
	}
}

func TestAResetClosesTheConnectionBeforeForwarding(t *testing.T) {
	r := newRig(t, Rates{Reset: 1}, echoAuthorization())
	_, err := r.proxy.Client().Get(r.proxy.URL + "/api/v1/pods")
	if err == nil {
		t.Fatal("the request succeeded through a reset")
	}
	if r.hits.Load() != 0 {
		t.Fatal("a reset request reached the upstream")
	}
}

func TestALostAnswerIsForwardedButNeverArrives(t *testing.T) {
	r := newRig(t, Rates{Lost: 1}, echoAuthorization())
	req, _ := http.NewRequest("POST", r.proxy.URL+"/api/v1/namespaces/sandboxes/pods", strings.NewReader("{}"))
	_, err := r.proxy.Client().Do(req)
	if err == nil {
		t.Fatal("the answer arrived")
	}
	if r.hits.Load() != 1 {
		t.Fatalf("upstream saw %d requests, want 1", r.hits.Load())
	}
}

func TestStreamsAreLeftAloneWhenConfigured(t *testing.T) {
	r := newRig(t, Rates{ServerError: 1, Streams: false}, echoAuthorization())
	resp, err := r.proxy.Client().Get(r.proxy.URL + "/api/v1/pods?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("watch got %d", resp.StatusCode)
	}
	resp, _ = r.proxy.Client().Get(r.proxy.URL + "/api/v1/pods")
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("plain request got %d, want the injected 500", resp.StatusCode)
	}
	if s := r.injector.Snapshot(); s.Streams["watch"] != 1 || s.Faults[ServerError] != 1 {
		t.Fatalf("counters %+v", s)
	}
}

func TestAWatchStreamFlowsBeforeItEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := newRig(t, Rates{}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"type":"ADDED"}`+"\n")
		w.(http.Flusher).Flush()
		<-release
	}))
	resp, err := r.proxy.Client().Get(r.proxy.URL + "/api/v1/pods?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(resp.Body).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if !strings.Contains(l, "ADDED") {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first event did not come through while the watch was open")
	}
}

func TestAnUpgradedConnectionIsRelayedBothWays(t *testing.T) {
	r := newRig(t, Rates{}, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "upgrade expected", 400)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		buf.Flush()
		line, _ := buf.ReadString('\n')
		buf.WriteString("echo " + line)
		buf.Flush()
	}))
	conn, err := tls.Dial("tcp", strings.TrimPrefix(r.proxy.URL, "https://"), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET /api/v1/namespaces/s/pods/p/exec?command=ls HTTP/1.1\r\nHost: x\r\n"+
		"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	io.WriteString(conn, "stdin line\n")
	got, err := br.ReadString('\n')
	if err != nil || got != "echo stdin line\n" {
		t.Fatalf("read %q, %v", got, err)
	}
	if s := r.injector.Snapshot(); s.Streams["upgrade"] != 1 {
		t.Fatalf("counters %+v", s)
	}
}

func TestTheAdminPortReportsAndSwitchesFaults(t *testing.T) {
	r := newRig(t, Rates{ServerError: 1}, echoAuthorization())
	admin := httptest.NewServer(Admin(r.injector))
	defer admin.Close()
	resp, _ := http.Post(admin.URL+"/__faults?enabled=false", "", nil)
	resp.Body.Close()
	resp, _ = r.proxy.Client().Get(r.proxy.URL + "/x")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d with faults off", resp.StatusCode)
	}
	resp, err := http.Get(admin.URL + "/__faults")
	if err != nil {
		t.Fatal(err)
	}
	var s Stats
	json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if s.Requests != 1 || s.Forwarded != 1 || s.Faults[ServerError] != 0 {
		t.Fatalf("counters %+v", s)
	}
}

func TestOnlyLoopbackAddressesAreAccepted(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:6443", "[::1]:1", "localhost:80"} {
		if err := loopback(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:6443", "0.0.0.0:1", "example.com:443"} {
		if loopback(bad) == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := run([]string{"-upstream", "https://10.1.2.3:6443"}); err == nil {
		t.Error("started with a remote upstream")
	}
}

func TestRatesThatAreNotProbabilitiesAreRefused(t *testing.T) {
	for _, r := range []Rates{{TooMany: 1.5, RetryAfter: time.Second}, {Reset: 0.6, ServerError: 0.6},
		{Delay: 0.1, DelayMin: time.Second, DelayMax: 0}, {TooMany: 0.1}} {
		if _, err := NewInjector(1, r); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}
