package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testResolver resolves the tests' names to 127.0.0.1 without DNS: everything under .test, and
// example.org with everything under it.
func testResolver(ctx context.Context, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") || host == "example.org" || strings.HasSuffix(host, ".example.org") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

type testProxy struct {
	t    *testing.T
	p    *egressProxy
	srv  *http.Server
	addr string
	logs *lockedBuffer
}

// startProxy serves a proxy on 127.0.0.1 that resolves with testResolver and, unlike the one
// the subcommand builds, may dial loopback, where the tests' destinations listen. configure
// (may be nil) changes it before it serves.
func startProxy(t *testing.T, configure func(*egressProxy)) *testProxy {
	t.Helper()
	logs := &lockedBuffer{}
	p := newEgressProxy([]byte(testEgressKey), egressOptions{dialTimeout: 2 * time.Second, maxConns: 16, maxConnsPerSandbox: 16}, log.New(logs, "", 0))
	p.always = nil
	p.resolve = testResolver
	if configure != nil {
		configure(p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := p.server()
	go srv.Serve(ln)
	t.Cleanup(func() {
		p.shutdown(srv, 10*time.Millisecond)
		srv.Close()
	})
	return &testProxy{t: t, p: p, srv: srv, addr: ln.Addr().String(), logs: logs}
}

// connect sends CONNECT target with the token (none when empty) and reads the answer; after a
// 200 the connection and its reader are the tunnel.
func (tp *testProxy) connect(target, token string) (*http.Response, net.Conn, *bufio.Reader) {
	tp.t.Helper()
	return tp.connectWith(target, token, "")
}

// connectWith is connect that sends early right behind the request, in the same write.
func (tp *testProxy) connectWith(target, token, early string) (*http.Response, net.Conn, *bufio.Reader) {
	tp.t.Helper()
	c, err := net.Dial("tcp", tp.addr)
	if err != nil {
		tp.t.Fatal(err)
	}
	tp.t.Cleanup(func() { c.Close() })
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if token != "" {
		req += "Proxy-Authorization: " + basic(token) + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"+early); err != nil {
		tp.t.Fatal(err)
	}
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		tp.t.Fatal(err)
	}
	return resp, c, br
}

// expect fails unless resp has status and its body contains want.
func expect(t *testing.T, what string, resp *http.Response, status int, want string) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status || !strings.Contains(string(body), want) {
		t.Errorf("%s: %d %q, want %d with %q", what, resp.StatusCode, body, status, want)
	}
}

// echoServer listens on 127.0.0.1 and sends back what it reads; it returns the port.
func echoServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// echoes fails unless a line written into the tunnel comes back.
func echoes(t *testing.T, c net.Conn, br *bufio.Reader, line string) {
	t.Helper()
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := br.ReadString('\n')
	if err != nil || got != line+"\n" {
		t.Fatalf("through the tunnel: %q, %v", got, err)
	}
}

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// ---- tunnels

func TestAValidTokenTunnelsToAnAllowedHost(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	token := grant("allowed.test")
	resp, c, br := tp.connect(hostPort("allowed.test", port), token)
	if resp.StatusCode != http.StatusOK || resp.Status != "200 Connection established" {
		t.Fatalf("CONNECT answered %q", resp.Status)
	}
	echoes(t, c, br, "hello")
	echoes(t, c, br, "again")
	logs := tp.logs.String()
	if !strings.Contains(logs, fmt.Sprintf("allow sandbox=sb-1 host=allowed.test:%d\n", port)) {
		t.Errorf("log: %q", logs)
	}
	if strings.Contains(logs, token) || strings.Contains(logs, strings.Split(token, ".")[1]) {
		t.Errorf("the token is in the log: %q", logs)
	}
}

func TestBytesSentRightBehindTheConnectReachTheDestination(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	// a TLS client sends its ClientHello without waiting for the 200; the proxy has read it
	// ahead with the request
	resp, c, br := tp.connectWith(hostPort("allowed.test", port), grant("allowed.test"), "early\n")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT answered %q", resp.Status)
	}
	if got, err := br.ReadString('\n'); got != "early\n" {
		t.Fatalf("early bytes: %q, %v", got, err)
	}
	echoes(t, c, br, "later")
}

func TestATunnelEndsForTheClientWhenTheDestinationCloses(t *testing.T) {
	tp := startProxy(t, nil)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.WriteString(c, "bye\n")
			c.Close()
		}
	}()
	resp, _, br := tp.connect(hostPort("allowed.test", ln.Addr().(*net.TCPAddr).Port), grant("allowed.test"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT answered %q", resp.Status)
	}
	rest, err := io.ReadAll(br)
	if string(rest) != "bye\n" || err != nil {
		t.Fatalf("read %q, %v (want the destination's bytes, then end of stream)", rest, err)
	}
}

// ---- credentials

func TestMissingOrInvalidCredentialsAre407WithAChallenge(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	good := grant("allowed.test")
	payload, _, _ := strings.Cut(good, ".")
	_, otherMAC, _ := strings.Cut(grant("allowed.test", "other.test"), ".")
	sign := func(payload map[string]any) string { return signEgressToken(testEgressKey, payload) }
	for _, c := range []struct{ name, header string }{
		{"no credentials", ""},
		{"bearer instead of basic", "Bearer " + good},
		{"credentials not base64", "Basic !!!"},
		{"no user:password", "Basic " + base64.StdEncoding.EncodeToString([]byte(good))},
		{"not PAYLOAD.MAC", basic("nodot")},
		{"signed with another key", basic(signEgressToken(testEgressKey+"x", map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": inAnHour()}))},
		{"MAC of another payload", basic(payload + "." + otherMAC)},
		{"MAC with padding", basic(good + "=")},
		{"expired", basic(sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": time.Now().Unix() - 10}))},
		{"expiring this second", basic(sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": time.Now().Unix()}))},
		{"no expiry", basic(sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}}))},
		{"expiry 0", basic(sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": 0}))},
		{"version 2", basic(sign(map[string]any{"v": 2, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": inAnHour()}))},
		{"no version", basic(sign(map[string]any{"sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": inAnHour()}))},
		{"no sandbox", basic(sign(map[string]any{"v": 1, "hosts": []string{"allowed.test"}, "exp": inAnHour()}))},
		{"a malformed host entry", basic(sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test", "https://pypi.org/simple"}, "exp": inAnHour()}))},
		{"a payload that is not JSON", basic(signEgressToken(testEgressKey, "just a string"))},
	} {
		c, header := c, c.header
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", tp.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			target := hostPort("allowed.test", port)
			req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
			if header != "" {
				req += "Proxy-Authorization: " + header + "\r\n"
			}
			io.WriteString(conn, req+"\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: http.MethodConnect})
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Header.Get("Proxy-Authenticate"); got != `Basic realm="sandboxes"` {
				t.Errorf("Proxy-Authenticate %q", got)
			}
			expect(t, c.name, resp, http.StatusProxyAuthRequired, "sandbox token")
		})
	}
	if logs := tp.logs.String(); strings.Contains(logs, "allow ") || strings.Contains(logs, payload) {
		t.Errorf("log: %q", logs)
	}
}

func TestATokenWithAFutureExpiryIsAccepted(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	for _, exp := range []int64{time.Now().Unix() + 60, 4102444800} {
		token := signEgressToken(testEgressKey, map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"allowed.test"}, "exp": exp})
		resp, c, br := tp.connect(hostPort("allowed.test", port), token)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("exp %d: %q", exp, resp.Status)
		}
		echoes(t, c, br, "hi")
	}
}

func TestAnExpiredTokenIsLoggedWithItsSandboxButARewrittenOneIsNot(t *testing.T) {
	tp := startProxy(t, nil)
	expired := signEgressToken(testEgressKey, map[string]any{"v": 1, "sandbox": "sb-old", "hosts": []string{"allowed.test"}, "exp": 1})
	resp, _, _ := tp.connect("allowed.test:443", expired)
	expect(t, "expired", resp, http.StatusProxyAuthRequired, "")
	forged := signEgressToken("some-other-key-0123456789abcdef-0123", map[string]any{"v": 1, "sandbox": "sb-forged", "hosts": []string{"allowed.test"}, "exp": inAnHour()})
	resp, _, _ = tp.connect("allowed.test:443", forged)
	expect(t, "forged", resp, http.StatusProxyAuthRequired, "")
	logs := tp.logs.String()
	if !strings.Contains(logs, "deny sandbox=sb-old host=allowed.test:443 reason=the token expired at 1970-01-01T00:00:01Z\n") ||
		!strings.Contains(logs, "deny sandbox=- host=allowed.test:443 reason=the token's MAC does not verify\n") || strings.Contains(logs, "sb-forged") {
		t.Errorf("log: %q", logs)
	}
}

// ---- the allow list

func TestAHostNotOnTheListIs403NamingIt(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	resp, _, _ := tp.connect(hostPort("other.test", port), grant("allowed.test"))
	want := hostPort("other.test", port) + " is not on the sandbox's allow list"
	expect(t, "other.test", resp, http.StatusForbidden, want)
	if logs := tp.logs.String(); !strings.Contains(logs, "deny sandbox=sb-1 host="+hostPort("other.test", port)+" reason=not on the allow list\n") {
		t.Errorf("log: %q", logs)
	}
}

func TestAWildcardCoversSubdomainsAtAnyDepthButNotTheDomainItself(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	token := grant("*.example.org")
	for _, host := range []string{"sub.example.org", "a.b.example.org", "SUB.Example.ORG", "sub.example.org."} {
		resp, c, br := tp.connect(hostPort(host, port), token)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %q", host, resp.Status)
		}
		echoes(t, c, br, host)
	}
	for _, host := range []string{"example.org", "evil-example.org", "example.org.evil.test", "sub.example.org.test"} {
		resp, _, _ := tp.connect(hostPort(host, port), token)
		expect(t, host, resp, http.StatusForbidden, "not on the sandbox's allow list")
	}
}

func TestAPortSpecificEntryAllowsOnlyThatPort(t *testing.T) {
	tp := startProxy(t, nil)
	port, other := echoServer(t), echoServer(t)
	token := grant(hostPort("allowed.test", port))
	resp, c, br := tp.connect(hostPort("allowed.test", port), token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%q", resp.Status)
	}
	echoes(t, c, br, "hi")
	resp, _, _ = tp.connect(hostPort("allowed.test", other), token)
	expect(t, "another port", resp, http.StatusForbidden, "not on the sandbox's allow list")
}

// ---- denied addresses

func TestANameResolvingIntoADeniedRangeIs403NamingTheAddress(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) {
		p.denied = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} // as --deny-cidr does
	})
	port := echoServer(t)
	resp, _, _ := tp.connect(hostPort("allowed.test", port), grant("allowed.test"))
	expect(t, "allowed.test", resp, http.StatusForbidden, "allowed.test resolves to 127.0.0.1, in the denied range 127.0.0.0/8")
	// an IP literal on the allow list does not open a denied range either
	resp, _, _ = tp.connect(hostPort("127.0.0.1", port), grant("127.0.0.1"))
	expect(t, "127.0.0.1", resp, http.StatusForbidden, "address 127.0.0.1 is in the denied range 127.0.0.0/8")
	if logs := tp.logs.String(); !strings.Contains(logs, "deny sandbox=sb-1 host="+hostPort("allowed.test", port)+" reason=allowed.test resolves to 127.0.0.1") {
		t.Errorf("log: %q", logs)
	}
}

func TestANameWithOneDeniedAddressAmongOthersIsRefused(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) {
		p.denied = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		p.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::ffff:10.1.2.3")}, nil
		}
	})
	port := echoServer(t)
	resp, _, _ := tp.connect(hostPort("allowed.test", port), grant("allowed.test"))
	expect(t, "mixed", resp, http.StatusForbidden, "10.1.2.3, in the denied range 10.0.0.0/8")
}

func TestTheSubcommandsProxyNeverDialsItsOwnHostOrTheMetadataService(t *testing.T) {
	p := newEgressProxy([]byte(testEgressKey), egressOptions{dialTimeout: time.Second, maxConns: 1, maxConnsPerSandbox: 1}, log.New(io.Discard, "", 0))
	for _, host := range []string{"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::",
		"169.254.169.254", "fe80::1", "fd00:ec2::254", "100.100.100.200", "224.0.0.1", "ff02::1"} {
		var denied *deniedAddrError
		if _, err := p.resolveChecked(context.Background(), host); !errors.As(err, &denied) {
			t.Errorf("%s: %v", host, err)
		}
	}
	// and a name that resolves there
	p.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("fe80::1%eth0")}, nil
	}
	if _, err := p.resolveChecked(context.Background(), "metadata.test"); err == nil || !strings.Contains(err.Error(), "fe80::/10") {
		t.Errorf("fe80::1%%eth0: %v", err)
	}
}

func TestANameResolvingIntoAPrivateRangeIs403NamingTheRange(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) {
		p.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
		}
	})
	resp, _, _ := tp.connect("inside.test:443", grant("inside.test"))
	expect(t, "inside.test", resp, http.StatusForbidden, "inside.test resolves to 10.1.2.3, in the private range 10.0.0.0/8")
	if logs := tp.logs.String(); !strings.Contains(logs, "deny sandbox=sb-1 host=inside.test:443 reason=inside.test resolves to 10.1.2.3, in the private range 10.0.0.0/8\n") {
		t.Errorf("log: %q", logs)
	}
}

func TestEveryPrivateRangeIsDeniedByDefault(t *testing.T) {
	p := newEgressProxy([]byte(testEgressKey), egressOptions{dialTimeout: time.Second, maxConns: 1, maxConnsPerSandbox: 1}, log.New(io.Discard, "", 0))
	for host, want := range map[string]string{
		"10.255.255.255": "10.0.0.0/8", "172.16.0.1": "172.16.0.0/12", "172.31.255.254": "172.16.0.0/12",
		"192.168.1.1": "192.168.0.0/16", "100.64.0.1": "100.64.0.0/10", "100.127.255.254": "100.64.0.0/10",
		"fd12:3456::1": "fc00::/7", "fc00::1": "fc00::/7", "::ffff:192.168.1.1": "192.168.0.0/16",
	} {
		var denied *deniedAddrError
		if _, err := p.resolveChecked(context.Background(), host); !errors.As(err, &denied) || !denied.private || denied.prefix.String() != want {
			t.Errorf("%s: %v, want the private range %s", host, err, want)
		}
	}
	// their neighbours are public
	for _, host := range []string{"11.0.0.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "fe00::1", "2001:db8::1"} {
		if err := p.checkAddr(netip.MustParseAddr(host)); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
}

// An IPv6 address that a translator hands on to an IPv4 one is judged as that IPv4 address too.
func TestTranslatedAddressesAreCheckedAsTheIPv4TheyReach(t *testing.T) {
	p := newEgressProxy([]byte(testEgressKey), egressOptions{dialTimeout: time.Second, maxConns: 1, maxConnsPerSandbox: 1}, log.New(io.Discard, "", 0))
	for host, want := range map[string]string{
		"64:ff9b::a00:1":     "10.0.0.0/8",     // NAT64 to 10.0.0.1
		"64:ff9b::a9fe:a9fe": "169.254.0.0/16", // NAT64 to the metadata address
		"2002:c0a8:101::1":   "192.168.0.0/16", // 6to4 over 192.168.1.1
		"64:ff9b:1::1":       "64:ff9b:1::/48", // a network's own translator
	} {
		err := p.checkAddr(netip.MustParseAddr(host))
		if err == nil || err.prefix.String() != want {
			t.Errorf("%s: %v, want the range %s", host, err, want)
		}
	}
	for _, host := range []string{"64:ff9b::808:808", "2002:808:808::1"} {
		if err := p.checkAddr(netip.MustParseAddr(host)); err != nil {
			t.Errorf("%s (8.8.8.8 translated): %v", host, err)
		}
	}
}

func TestAllowPrivateCIDRLetsThroughOnlyTheRangeItNames(t *testing.T) {
	o, err := parseEgressProxy([]string{"--key-file", "k", "--allow-private-cidr", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	p := newEgressProxy([]byte(testEgressKey), o, log.New(io.Discard, "", 0))
	p.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr(strings.TrimSuffix(host, ".test"))}, nil
	}
	// both gates let it through: the check after resolving and the dialer's own
	if addrs, err := p.resolveChecked(context.Background(), "10.1.2.3.test"); err != nil || fmt.Sprint(addrs) != "[10.1.2.3]" {
		t.Errorf("10.1.2.3: %v %v", addrs, err)
	}
	if err := p.refuseDenied("tcp4", "10.1.2.3:443", nil); err != nil {
		t.Errorf("the dialer refuses 10.1.2.3: %v", err)
	}
	// the rest of 10.0.0.0/8 stays denied
	if _, err := p.resolveChecked(context.Background(), "10.2.0.1.test"); err == nil || !strings.Contains(err.Error(), "in the private range 10.0.0.0/8") {
		t.Errorf("10.2.0.1: %v", err)
	}
	if err := p.refuseDenied("tcp4", "10.2.0.1:443", nil); err == nil {
		t.Errorf("the dialer dials 10.2.0.1")
	}
}

func TestAllowPrivateCIDRReopensNeitherDenyCIDRNorTheAlwaysDeniedRanges(t *testing.T) {
	o, err := parseEgressProxy([]string{"--key-file", "k", "--allow-private-cidr", "10.0.0.0/8,100.64.0.0/10,fc00::/7", "--deny-cidr", "10.96.0.0/12"})
	if err != nil {
		t.Fatal(err)
	}
	p := newEgressProxy([]byte(testEgressKey), o, log.New(io.Discard, "", 0))
	for host, want := range map[string]string{"10.96.0.1": "the denied range 10.96.0.0/12", "100.100.100.200": "the denied range 100.100.100.200/32",
		"fd00:ec2::254": "the denied range fd00:ec2::254/128"} {
		if err := p.checkAddr(netip.MustParseAddr(host)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", host, err, want)
		}
	}
	if err := p.checkAddr(netip.MustParseAddr("10.1.2.3")); err != nil {
		t.Errorf("10.1.2.3: %v", err)
	}
}

func TestTheProxyResolvesOnceAndDialsTheAddressItChecked(t *testing.T) {
	// a rebinding name: its first answer is harmless, every later one a denied address
	var lookups atomic.Int32
	tp := startProxy(t, func(p *egressProxy) {
		p.denied = []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16")}
		p.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			if lookups.Add(1) == 1 {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		}
	})
	port := echoServer(t)
	resp, c, br := tp.connect(hostPort("rebind.test", port), grant("rebind.test"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%q", resp.Status)
	}
	echoes(t, c, br, "hi")
	if n := lookups.Load(); n != 1 {
		t.Fatalf("%d lookups for one CONNECT", n)
	}
}

func TestTheDialerItselfRefusesADeniedAddress(t *testing.T) {
	p := newEgressProxy([]byte(testEgressKey), egressOptions{deny: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, dialTimeout: time.Second, maxConns: 1, maxConnsPerSandbox: 1},
		log.New(io.Discard, "", 0))
	p.always = nil
	port := echoServer(t)
	var denied *deniedAddrError
	if _, err := p.dial(context.Background(), []netip.Addr{netip.MustParseAddr("127.0.0.1")}, uint16(port)); !errors.As(err, &denied) {
		t.Fatalf("dialled a denied address: %v", err)
	}
}

func TestAnUnresolvableNameIs502AndAnUnansweredDialIsReported(t *testing.T) {
	tp := startProxy(t, nil)
	resp, _, _ := tp.connect("nowhere.invalid:443", grant("nowhere.invalid"))
	expect(t, "nowhere.invalid", resp, http.StatusBadGateway, "cannot resolve nowhere.invalid")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	resp, _, _ = tp.connect(hostPort("allowed.test", closed), grant("allowed.test"))
	expect(t, "a closed port", resp, http.StatusBadGateway, "cannot reach allowed.test")
	if logs := tp.logs.String(); !strings.Contains(logs, "error sandbox=sb-1 host=nowhere.invalid:443 err=cannot resolve") {
		t.Errorf("log: %q", logs)
	}
}

// ---- plain http:// forwarding

// upstream is an HTTP server on 127.0.0.1 that records what reached it.
type upstream struct {
	mu   sync.Mutex
	seen []*http.Request
	port int
}

func startUpstream(t *testing.T) *upstream {
	u := &upstream{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, r)
		u.mu.Unlock()
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "upstream %s", r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	u.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return u
}

func (u *upstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.seen...)
}

// client sends requests through the proxy as a program with HTTP_PROXY set does; redirects are
// not followed, so the test sees what the proxy answered.
func (tp *testProxy) client(token string) *http.Client {
	proxy := &url.URL{Scheme: "http", User: url.UserPassword("sandbox", token), Host: tp.addr}
	return &http.Client{
		Transport:     &http.Transport{Proxy: http.ProxyURL(proxy)},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

func TestPlainHTTPIsForwardedWithoutTheProxyCredentialsOrHopByHopHeaders(t *testing.T) {
	tp := startProxy(t, nil)
	up := startUpstream(t)
	target := "http://" + hostPort("allowed.test", up.port) + "/path?q=1"
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "for the proxy only")
	req.Header.Set("X-Kept", "yes")
	resp, err := tp.client(grant("allowed.test")).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "GET", resp, http.StatusOK, "upstream /path?q=1")
	seen := up.requests()
	if len(seen) != 1 {
		t.Fatalf("%d requests reached the upstream", len(seen))
	}
	got := seen[0]
	if got.Header.Get("Proxy-Authorization") != "" || got.Header.Get("X-Hop") != "" || got.Header.Get("X-Kept") != "yes" {
		t.Errorf("the upstream saw %v", got.Header)
	}
	if got.Host != hostPort("allowed.test", up.port) {
		t.Errorf("the upstream saw Host %q", got.Host)
	}
	if logs := tp.logs.String(); !strings.Contains(logs, "allow sandbox=sb-1 host="+hostPort("allowed.test", up.port)+"\n") {
		t.Errorf("log: %q", logs)
	}
}

func TestARedirectGoesBackToTheClientUnfollowed(t *testing.T) {
	tp := startProxy(t, nil)
	up := startUpstream(t)
	resp, err := tp.client(grant("allowed.test")).Get("http://" + hostPort("allowed.test", up.port) + "/from")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/to" {
		t.Fatalf("%s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	if n := len(up.requests()); n != 1 {
		t.Fatalf("%d requests reached the upstream", n)
	}
}

func TestPlainHTTPNeedsTheTokenAndTheAllowListToo(t *testing.T) {
	tp := startProxy(t, nil)
	up := startUpstream(t)
	resp, err := tp.client(grant("allowed.test")).Get("http://" + hostPort("other.test", up.port) + "/")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "not allowed", resp, http.StatusForbidden, "not on the sandbox's allow list")
	resp, err = (&http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: tp.addr})}}).
		Get("http://" + hostPort("allowed.test", up.port) + "/")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Proxy-Authenticate") != `Basic realm="sandboxes"` {
		t.Errorf("Proxy-Authenticate %q", resp.Header.Get("Proxy-Authenticate"))
	}
	expect(t, "no credentials", resp, http.StatusProxyAuthRequired, "")
	if n := len(up.requests()); n != 0 {
		t.Fatalf("%d requests reached the upstream", n)
	}
}

func TestOnlyHTTPURLsAreForwarded(t *testing.T) {
	tp := startProxy(t, nil)
	c, err := net.Dial("tcp", tp.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET https://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nProxy-Authorization: %s\r\n\r\n", basic(grant("allowed.test")))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "https://", resp, http.StatusBadRequest, "only http:// URLs are forwarded")
}

// ---- the proxy's own routes and limits

func TestHealthIsServedDirectlyAndAnyOtherDirectRequestIs400(t *testing.T) {
	tp := startProxy(t, nil)
	resp, err := http.Get("http://" + tp.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "healthz", resp, http.StatusOK, "ok")
	for _, r := range []struct{ method, path string }{{"GET", "/"}, {"POST", "/healthz"}, {"GET", "/v1/info"}} {
		req, _ := http.NewRequest(r.method, "http://"+tp.addr+r.path, nil)
		req.Header.Set("Proxy-Authorization", basic(grant("allowed.test")))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, r.method+" "+r.path, resp, http.StatusBadRequest, "send requests through it")
	}
}

func TestMaxConnsBoundsOpenTunnels(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) { p.slots = make(chan struct{}, 1) })
	port := echoServer(t)
	token := grant("allowed.test")
	resp, first, br := tp.connect(hostPort("allowed.test", port), token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first: %q", resp.Status)
	}
	echoes(t, first, br, "hi")
	resp, _, _ = tp.connect(hostPort("allowed.test", port), token)
	expect(t, "second", resp, http.StatusServiceUnavailable, "connection limit")
	if logs := tp.logs.String(); !strings.Contains(logs, "reason=busy (1 connections open)") {
		t.Errorf("log: %q", logs)
	}
	first.Close()
	waitFor(t, func() bool {
		resp, c, _ := tp.connect(hostPort("allowed.test", port), token)
		resp.Body.Close()
		c.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func TestMaxConnsPerSandboxBoundsOneSandboxWhileOthersPass(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) { p.perSandbox = 2 })
	port := echoServer(t)
	target := hostPort("allowed.test", port)
	busy := grantFor("sb-busy", "allowed.test")
	for i := range 2 {
		resp, c, br := tp.connect(target, busy)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("tunnel %d: %q", i, resp.Status)
		}
		echoes(t, c, br, "hi")
	}
	resp, _, _ := tp.connect(target, busy)
	expect(t, "a third tunnel of sb-busy", resp, http.StatusServiceUnavailable, "its limit of 2 connections")
	// a plain http:// request counts as well
	resp, err := tp.client(busy).Get("http://" + target + "/")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "a request of sb-busy", resp, http.StatusServiceUnavailable, "its limit of 2 connections")
	resp, c, br := tp.connect(target, grantFor("sb-other", "allowed.test"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("another sandbox: %q", resp.Status)
	}
	echoes(t, c, br, "hi")
	if logs := tp.logs.String(); !strings.Contains(logs, "deny sandbox=sb-busy host="+target+" reason=sandbox busy (2 connections open)\n") {
		t.Errorf("log: %q", logs)
	}
}

func TestASandboxGetsItsPlaceBackWhenATunnelEnds(t *testing.T) {
	tp := startProxy(t, func(p *egressProxy) { p.perSandbox = 1 })
	port := echoServer(t)
	target := hostPort("allowed.test", port)
	token := grant("allowed.test")
	resp, first, br := tp.connect(target, token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first: %q", resp.Status)
	}
	echoes(t, first, br, "hi")
	resp, _, _ = tp.connect(target, token)
	expect(t, "second", resp, http.StatusServiceUnavailable, "its limit of 1 connections")
	first.Close()
	waitFor(t, func() bool {
		resp, c, _ := tp.connect(target, token)
		resp.Body.Close()
		c.Close()
		return resp.StatusCode == http.StatusOK
	})
	waitFor(t, func() bool {
		tp.p.mu.Lock()
		defer tp.p.mu.Unlock()
		return len(tp.p.bySandbox) == 0
	})
}

func TestShutdownLetsTunnelsEndWithinTheGraceThenClosesThem(t *testing.T) {
	tp := startProxy(t, nil)
	port := echoServer(t)
	token := grant("allowed.test")
	_, ending, endingReader := tp.connect(hostPort("allowed.test", port), token)
	_, lingering, lingeringReader := tp.connect(hostPort("allowed.test", port), token)
	stopped := make(chan struct{})
	start := time.Now()
	go func() {
		tp.p.shutdown(tp.srv, 500*time.Millisecond)
		close(stopped)
	}()
	// no new connections, while the open tunnels still carry bytes
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", tp.addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	echoes(t, ending, endingReader, "still here")
	echoes(t, lingering, lingeringReader, "me too")
	ending.Close()
	select {
	case <-stopped:
		t.Fatal("shutdown returned with a tunnel open inside its grace")
	case <-time.After(100 * time.Millisecond):
	}
	<-stopped
	if took := time.Since(start); took < 400*time.Millisecond || took > 5*time.Second {
		t.Errorf("shutdown took %s for a grace of 500ms", took)
	}
	lingering.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := lingeringReader.ReadByte(); err != io.EOF {
		t.Fatalf("a tunnel open past the grace: %v", err)
	}
}

// ---- the subcommand

func TestEgressProxyRefusesAShortKeyAndBadFlags(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("  only-31-bytes-of-key-0123456789 \n"), 0o600)
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte(testEgressKey+"\n"), 0o600)
	if code, err := egressProxyMain([]string{"--key-file", short}); code != 1 || err == nil || !strings.Contains(err.Error(), "31 bytes; at least 32") {
		t.Errorf("short key: %d %v", code, err)
	}
	if code, err := egressProxyMain([]string{"--key-file", filepath.Join(dir, "missing")}); code != 1 || err == nil || !strings.Contains(err.Error(), "reading the key") {
		t.Errorf("missing key: %d %v", code, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--key-file is required"},
		{[]string{"--key-file", good, "--deny-cidr", "10.0.0.0"}, "not a CIDR"},
		{[]string{"--key-file", good, "--max-conns", "0"}, "--max-conns"},
		{[]string{"--key-file", good, "--max-conns-per-sandbox", "0"}, "--max-conns-per-sandbox must be at least 1"},
		{[]string{"--key-file", good, "--allow-private-cidr", "10.1.0.0"}, "not a CIDR"},
		{[]string{"--key-file", good, "--allow-private-cidr", "8.8.8.0/24"}, "8.8.8.0/24 is not inside a private range"},
		{[]string{"--key-file", good, "--allow-private-cidr", "10.0.0.0/7"}, "10.0.0.0/7 is not inside a private range"},
		{[]string{"--key-file", good, "--allow-private-cidr", "10.1.0.0/16,127.0.0.0/8"}, "127.0.0.0/8 is not inside a private range"},
		{[]string{"--key-file", good, "--dial-timeout", "0s"}, "--dial-timeout"},
		{[]string{"--key-file", good, "extra"}, "takes no arguments"},
	} {
		if code, err := egressProxyMain(c.args); code != 2 || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %d %v", c.args, code, err)
		}
	}
	o, err := parseEgressProxy([]string{"--key-file", good, "--deny-cidr", "10.0.0.0/8, fd00::/8,,", "--deny-cidr", "::ffff:192.168.1.1/112", "--deny-cidr", ""})
	if err != nil || fmt.Sprint(o.deny) != "[10.0.0.0/8 fd00::/8 192.168.0.0/16]" || o.listen != ":3128" || o.maxConns != 1024 ||
		o.maxConnsPerSandbox != 64 || o.dialTimeout != 10*time.Second || len(o.allowPrivate) != 0 {
		t.Errorf("%+v %v", o, err)
	}
	o, err = parseEgressProxy([]string{"--key-file", good, "--allow-private-cidr", "10.1.0.0/16, fd00::/8,", "--allow-private-cidr", "::ffff:192.168.1.1/120",
		"--allow-private-cidr", "", "--max-conns-per-sandbox", "8"})
	if err != nil || fmt.Sprint(o.allowPrivate) != "[10.1.0.0/16 fd00::/8 192.168.1.0/24]" || o.maxConnsPerSandbox != 8 {
		t.Errorf("%+v %v", o, err)
	}
}

func TestEgressProxyServesUntilSigtermThenStops(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte(testEgressKey), 0o600)
	cmd := exec.Command(os.Args[0], "egress-proxy", "--key-file", key, "--listen", "127.0.0.1:0", "--deny-cidr", "10.96.0.0/12",
		"--allow-private-cidr", "10.1.0.0/16")
	cmd.Env = append(os.Environ(), "SANDBOX_AGENT_TEST_MAIN=1")
	var errs lockedBuffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var addr string
	waitFor(t, func() bool {
		line, _, found := strings.Cut(errs.String(), "\n")
		if rest, ok := strings.CutPrefix(line, "listening on "); ok && found {
			addr, _, _ = strings.Cut(rest, ";")
			return true
		}
		return false
	})
	if !strings.Contains(errs.String(), "; never dialing 127.0.0.0/8,") ||
		!strings.Contains(errs.String(), ",10.96.0.0/12; nor the private ranges 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7,64:ff9b:1::/48 but for 10.1.0.0/16\n") {
		t.Errorf("stderr %q", errs.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "healthz", resp, http.StatusOK, "ok")
	// the subcommand's proxy keeps loopback denied, tests or not
	port := echoServer(t)
	tp := &testProxy{t: t, addr: addr}
	resp, _, _ = tp.connect(hostPort("127.0.0.1", port), grant("127.0.0.1"))
	expect(t, "loopback", resp, http.StatusForbidden, "in the denied range 127.0.0.0/8")
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(errs.String(), "stopping") {
			t.Fatalf("%v, stderr %q", err, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGTERM")
	}
}
