package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The egress proxy lets a sandbox reach the host names its token allows and nothing else. A
// NetworkPolicy can only allow CIDRs, and the addresses behind a name like pypi.org change and are
// shared with everything else on the same CDN; so a sandbox's policy allows only the proxy, its
// HTTP_PROXY and HTTPS_PROXY point at it with the token as the password, and the proxy decides
// per request, by name. The token's format is in egresstoken.go.
//
// Contract, for each request sent through the proxy (CONNECT host:port, or an absolute
// http:// URL):
//
//	Proxy-Authorization: Basic base64(ANY ":" TOKEN)   missing, or a token that fails (expired
//	                                                    or without an expiry, among others) → 407
//	                                                    with Proxy-Authenticate: Basic realm="sandboxes"
//	a host:port the token's hosts do not allow          → 403, the body names the host
//	a name resolving to a denied address                → 403, the body names the address and
//	                                                      the range: alwaysDenied, a private
//	                                                      range (privateRanges) that no
//	                                                      --allow-private-cidr lets through, or
//	                                                      a --deny-cidr range
//	--max-conns-per-sandbox requests and tunnels open   → 503, the body names the limit; other
//	  for the token's sandbox already                     sandboxes' requests still pass
//	--max-conns requests and tunnels open already       → 503
//	a name that does not resolve, a dial that fails     → 502 (504 when the dial timed out)
//	CONNECT that passes                                 → "HTTP/1.1 200 Connection established",
//	                                                      then bytes both ways until either side ends
//	an http:// request that passes                      → forwarded without hop-by-hop headers
//	                                                      (Proxy-Authorization among them); a
//	                                                      redirect goes back to the client as is
//
// Requests sent to the proxy itself rather than through it: GET /healthz → 200 "ok" (no
// credentials needed, for probes), anything else → 400.
//
// Each decision is one line on stderr, `allow sandbox=NAME host=H:P` or
// `deny sandbox=NAME host=H:P reason=...` (sandbox=- when no valid token named one); a resolution
// or dial that fails after an allow adds `error sandbox=NAME host=H:P err=...`. Tokens are never
// logged.

// alwaysDenied are the ranges the proxy never dials, whatever a token allows: its own host
// (loopback; 0.0.0.0/8 and :: reach it too), link-local (169.254.169.254 is the cloud metadata
// service, which hands out the node's credentials), the metadata services that live elsewhere
// (AWS's IPv6 one, Alibaba's), and multicast and broadcast, which TCP has no use for.
var alwaysDenied = mustPrefixes("127.0.0.0/8", "0.0.0.0/8", "169.254.0.0/16", "100.100.100.200/32",
	"224.0.0.0/4", "255.255.255.255/32", "::1/128", "::/128", "fe80::/10", "fd00:ec2::254/128", "ff00::/8")

// privateRanges are never dialed either, unless --allow-private-cidr carves a range out of them:
// private networks (RFC 1918), carrier-grade NAT's shared space (RFC 6598, which some clouds and
// clusters use for nodes or pods) and IPv6 unique-local addresses. A cluster's nodes, its
// databases and the rest of the inside live there, while an allow list names hosts outside; a
// name that resolves inside is a split-horizon name or an attempt, and the operator says which
// internal ranges (a package mirror's, say) sandboxes may reach.
var privateRanges = mustPrefixes("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7",
	// RFC 8215's local-use NAT64 prefix: a network's own translator, to its own IPv4 addresses
	"64:ff9b:1::/48")

const (
	defaultProxyListen = ":3128"
	// shutdownGrace is how long open tunnels and requests get to end after SIGTERM; well inside
	// a pod's default 30 s termination grace period.
	shutdownGrace = 5 * time.Second
	proxyRealm    = `Basic realm="sandboxes"`
)

// egressProxy is the proxy's HTTP handler.
type egressProxy struct {
	key          []byte
	always       []netip.Prefix // alwaysDenied; only tests replace it, to reach their servers on 127.0.0.1
	private      []netip.Prefix // privateRanges
	allowPrivate []netip.Prefix // --allow-private-cidr: parts of private that may be dialed all the same
	denied       []netip.Prefix // --deny-cidr: the cluster's pod and service ranges, say
	dialTimeout  time.Duration
	slots        chan struct{} // one per request or tunnel in progress (--max-conns)
	perSandbox   int           // --max-conns-per-sandbox
	// resolve looks a name up; tests replace it so that names resolve without DNS
	resolve   func(ctx context.Context, host string) ([]netip.Addr, error)
	now       func() time.Time
	log       *log.Logger
	forwarder *httputil.ReverseProxy

	mu        sync.Mutex
	closing   bool                  // shutting down: no new tunnels
	open      map[net.Conn]struct{} // both ends of every open tunnel
	tunnels   sync.WaitGroup
	bySandbox map[string]int // requests and tunnels in progress per sandbox; no entry for none
}

// newEgressProxy builds the proxy from o's limits and ranges; o's listen and keyFile are the
// caller's business.
func newEgressProxy(key []byte, o egressOptions, logger *log.Logger) *egressProxy {
	p := &egressProxy{
		key:          key,
		always:       alwaysDenied,
		private:      privateRanges,
		allowPrivate: o.allowPrivate,
		denied:       o.deny,
		dialTimeout:  o.dialTimeout,
		slots:        make(chan struct{}, o.maxConns),
		perSandbox:   o.maxConnsPerSandbox,
		resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			// as a fully qualified name: never through the pod's search path, where
			// pypi.org.svc.cluster.local would be whoever owns the namespace "pypi"
			return net.DefaultResolver.LookupNetIP(ctx, "ip", strings.TrimSuffix(host, ".")+".")
		},
		now:       time.Now,
		log:       logger,
		open:      map[net.Conn]struct{}{},
		bySandbox: map[string]int{},
	}
	p.forwarder = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// the host of the URL is the one the allow list was checked against: send that, never
			// a Host header the client may have set to something else
			pr.Out.Host = ""
		},
		Transport: &http.Transport{
			Proxy:       nil, // never on to another proxy from the environment
			DialContext: p.dialForward,
			// pass bodies through as they are: the transport would otherwise ask for gzip itself
			// and hand the client a body it did not ask for
			DisableCompression: true,
			MaxIdleConns:       64,
			IdleConnTimeout:    30 * time.Second,
		},
		ErrorHandler: p.forwardFailed,
		ErrorLog:     logger,
	}
	return p
}

// server is the http.Server to serve the proxy with. No write timeout: a tunnel lasts as long
// as its connection does.
func (p *egressProxy) server() *http.Server {
	return &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: p.log}
}

// target is a request's destination once it passed the checks.
type target struct {
	sandbox string
	host    string // normalized name, or an IP literal
	port    uint16
	addrs   []netip.Addr // what host resolved to, none denied; dialled instead of the name
}

func (t *target) String() string { return net.JoinHostPort(t.host, strconv.Itoa(int(t.port))) }

type targetKey struct{}

func (p *egressProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect && !r.URL.IsAbs() {
		p.direct(w, r)
		return
	}
	t := &target{sandbox: "-"}
	host, port, err := requestTarget(r)
	if err != nil {
		p.deny(w, http.StatusBadRequest, t, r.Host, err.Error(), err.Error())
		return
	}
	t.host, t.port = host, port
	token, err := proxyToken(r.Header.Get("Proxy-Authorization"))
	var g *egressGrant
	if err == nil {
		g, err = verifyEgressToken(p.key, token, p.now())
	}
	if g != nil {
		t.sandbox = g.sandbox
	}
	if err != nil {
		w.Header().Set("Proxy-Authenticate", proxyRealm)
		p.deny(w, http.StatusProxyAuthRequired, t, t.String(), err.Error(), "proxy credentials with a valid sandbox token are required")
		return
	}
	if !g.allows(t.host, t.port) {
		p.deny(w, http.StatusForbidden, t, t.String(), "not on the allow list",
			t.String()+" is not on the sandbox's allow list")
		return
	}
	// the sandbox's own limit first: a sandbox at it must not take one of everyone's slots, even
	// for a moment
	if !p.enter(t.sandbox) {
		p.deny(w, http.StatusServiceUnavailable, t, t.String(), fmt.Sprintf("sandbox busy (%d connections open)", p.perSandbox),
			fmt.Sprintf("the sandbox is at its limit of %d connections open at once through the egress proxy; try again when one ends", p.perSandbox))
		return
	}
	defer p.leave(t.sandbox)
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	default:
		p.deny(w, http.StatusServiceUnavailable, t, t.String(), fmt.Sprintf("busy (%d connections open)", cap(p.slots)),
			"the egress proxy is at its connection limit; try again")
		return
	}
	t.addrs, err = p.resolveChecked(r.Context(), t.host)
	if err != nil {
		p.upstreamFailed(w, t, err)
		return
	}
	p.log.Printf("allow sandbox=%s host=%s", logValue(t.sandbox), logValue(t.String()))
	if r.Method == http.MethodConnect {
		p.tunnel(w, r, t)
		return
	}
	p.forwarder.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, t)))
}

// enter counts one more request or tunnel of sandbox, unless it has perSandbox open already.
func (p *egressProxy) enter(sandbox string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bySandbox[sandbox] >= p.perSandbox {
		return false
	}
	p.bySandbox[sandbox]++
	return true
}

// leave counts one request or tunnel of sandbox less, forgetting a sandbox with none open, so
// the map holds only the sandboxes using the proxy now.
func (p *egressProxy) leave(sandbox string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bySandbox[sandbox] <= 1 {
		delete(p.bySandbox, sandbox)
		return
	}
	p.bySandbox[sandbox]--
}

// deny answers status with message and logs the decision with reason; logHost is what the
// request asked for, as far as it could be read.
func (p *egressProxy) deny(w http.ResponseWriter, status int, t *target, logHost, reason, message string) {
	p.log.Printf("deny sandbox=%s host=%s reason=%s", logValue(t.sandbox), logValue(logHost), oneLine(reason))
	http.Error(w, message, status)
}

// direct answers a request made to the proxy itself instead of through it.
func (p *egressProxy) direct(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
		return
	}
	http.Error(w, "this is the sandboxes egress proxy: send requests through it (CONNECT, or an absolute http:// URL), not to it", http.StatusBadRequest)
}

// requestTarget reads where a proxied request goes: CONNECT's HOST:PORT, or the http:// URL's
// host and port (80 by default). The host comes back normalized (an IP literal as its plain
// address).
func requestTarget(r *http.Request) (string, uint16, error) {
	var host, port string
	if r.Method == http.MethodConnect {
		var err error
		if host, port, err = net.SplitHostPort(r.Host); err != nil {
			return "", 0, fmt.Errorf("CONNECT needs HOST:PORT, got %q", r.Host)
		}
	} else {
		if r.URL.Scheme != "http" {
			return "", 0, fmt.Errorf("only http:// URLs are forwarded (%s:// goes through CONNECT)", r.URL.Scheme)
		}
		host, port = r.URL.Hostname(), r.URL.Port()
		if port == "" {
			port = "80"
		}
	}
	if host == "" {
		return "", 0, errors.New("the request names no host")
	}
	n, err := parsePort(port)
	if err != nil {
		return "", 0, err
	}
	host = normalizeHost(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.WithZone("").Unmap().String()
	}
	return host, n, nil
}

// proxyToken takes the token out of Basic proxy credentials: the password; the user name is
// the client's to choose (HTTP_PROXY=http://sandbox:TOKEN@... sends "sandbox").
func proxyToken(header string) (string, error) {
	if header == "" {
		return "", errors.New("no Proxy-Authorization")
	}
	scheme, creds, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", errors.New("Proxy-Authorization is not Basic credentials")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(creds))
	if err != nil {
		return "", errors.New("Proxy-Authorization's credentials are not base64")
	}
	_, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", errors.New("Proxy-Authorization's credentials are not USER:TOKEN")
	}
	return password, nil
}

// deniedAddrError is a dial the proxy refused because of where it would have gone.
type deniedAddrError struct {
	host    string
	addr    netip.Addr
	prefix  netip.Prefix
	private bool // prefix is one of the private ranges, denied by default
}

func (e *deniedAddrError) Error() string {
	what := "the denied range"
	if e.private {
		what = "the private range"
	}
	if e.host != "" && e.host != e.addr.String() {
		return fmt.Sprintf("%s resolves to %s, in %s %s", e.host, e.addr, what, e.prefix)
	}
	return fmt.Sprintf("address %s is in %s %s", e.addr, what, e.prefix)
}

// lookupError is a name that did not resolve.
type lookupError struct {
	host string
	err  error
}

func (e *lookupError) Error() string { return fmt.Sprintf("cannot resolve %s: %v", e.host, e.err) }

// resolveChecked resolves host once (an IP literal is its own address) and refuses it when any
// of its addresses is in a denied range: a name that points at both the outside and the inside
// is an attempt, not a misconfiguration. The caller dials these addresses, never the name again,
// so a second answer (DNS rebinding) has no say.
func (p *egressProxy) resolveChecked(ctx context.Context, host string) ([]netip.Addr, error) {
	var found []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		found = []netip.Addr{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, p.dialTimeout)
		defer cancel()
		if found, err = p.resolve(ctx, host); err != nil {
			return nil, &lookupError{host, err}
		}
	}
	addrs := make([]netip.Addr, 0, len(found))
	for _, a := range found {
		if !a.IsValid() {
			continue
		}
		a = a.WithZone("").Unmap()
		if err := p.checkAddr(a); err != nil {
			err.host = host
			return nil, err
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		return nil, &lookupError{host, errors.New("no addresses")}
	}
	return addrs, nil
}

// checkAddr refuses a when a range keeps the proxy from dialing it: alwaysDenied, a --deny-cidr
// range, or a private range that no --allow-private-cidr range around a lets through.
func (p *egressProxy) checkAddr(a netip.Addr) *deniedAddrError {
	// Prefix.Contains never matches an address with a zone or a v4-mapped one against a v4 range
	a = a.WithZone("").Unmap()
	// an IPv6 address that a translator hands to an IPv4 one (NAT64, 6to4) is checked as that
	// IPv4 address too: 64:ff9b::a00:1 reaches 10.0.0.1
	if v4, ok := embeddedIPv4(a); ok {
		if err := p.checkAddr(v4); err != nil {
			return &deniedAddrError{addr: a, prefix: err.prefix, private: err.private}
		}
	}
	for _, ranges := range [][]netip.Prefix{p.always, p.denied} {
		if r, in := rangeHolding(ranges, a); in {
			return &deniedAddrError{addr: a, prefix: r}
		}
	}
	if r, in := rangeHolding(p.private, a); in {
		if _, allowed := rangeHolding(p.allowPrivate, a); !allowed {
			return &deniedAddrError{addr: a, prefix: r, private: true}
		}
	}
	return nil
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// embeddedIPv4 is the IPv4 address that a NAT64 (RFC 6052's well-known prefix) or 6to4 (RFC 3056)
// address stands for.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case !a.Is6():
		return netip.Addr{}, false
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// rangeHolding finds the first of ranges that holds a.
func rangeHolding(ranges []netip.Prefix, a netip.Addr) (netip.Prefix, bool) {
	for _, r := range ranges {
		if r.Contains(a) {
			return r, true
		}
	}
	return netip.Prefix{}, false
}

// refuseDenied is the dialer's last look at the address the socket is about to connect to:
// whatever path led to a dial, it never reaches a denied range.
func (p *egressProxy) refuseDenied(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: not an IP address and port", address)
	}
	if err := p.checkAddr(ap.Addr()); err != nil {
		return err
	}
	return nil
}

// dial connects to the first of addrs that answers, within the dial timeout. As net.Dialer
// does with several addresses, each try gets an even share of the time left (at least 2 s), so
// one address that drops SYNs does not use up the time of the others.
func (p *egressProxy) dial(ctx context.Context, addrs []netip.Addr, port uint16) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, p.dialTimeout)
	defer cancel()
	d := net.Dialer{Control: p.refuseDenied}
	var errs []error
	for i, a := range addrs {
		deadline, _ := ctx.Deadline()
		left := time.Until(deadline)
		share := max(left/time.Duration(len(addrs)-i), min(2*time.Second, left))
		try, cancelTry := context.WithTimeout(ctx, share)
		c, err := d.DialContext(try, "tcp", netip.AddrPortFrom(a, port).String())
		cancelTry()
		if err == nil {
			return c, nil
		}
		var denied *deniedAddrError
		if errors.As(err, &denied) {
			return nil, err
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// dialForward is the forwarding transport's dialer: it dials the addresses ServeHTTP checked
// for this request, and checks afresh only if the transport asks for another host.
func (p *egressProxy) dialForward(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := parsePort(portText)
	if err != nil {
		return nil, err
	}
	host = normalizeHost(host)
	t, _ := ctx.Value(targetKey{}).(*target)
	if t == nil || t.host != host || t.port != port {
		t = &target{host: host, port: port}
		if t.addrs, err = p.resolveChecked(ctx, host); err != nil {
			return nil, err
		}
	}
	return p.dial(ctx, t.addrs, port)
}

// upstreamFailed answers a request whose destination could not be (or must not be) reached.
func (p *egressProxy) upstreamFailed(w http.ResponseWriter, t *target, err error) {
	var denied *deniedAddrError
	var ne net.Error
	switch {
	case errors.As(err, &denied):
		p.deny(w, http.StatusForbidden, t, t.String(), denied.Error(), "egress to "+t.String()+" refused: "+denied.Error())
		return
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		p.log.Printf("error sandbox=%s host=%s err=%s", logValue(t.sandbox), logValue(t.String()), oneLine(err.Error()))
		http.Error(w, "timed out connecting to "+t.String(), http.StatusGatewayTimeout)
	default:
		p.log.Printf("error sandbox=%s host=%s err=%s", logValue(t.sandbox), logValue(t.String()), oneLine(err.Error()))
		http.Error(w, "cannot reach "+t.String()+": "+err.Error(), http.StatusBadGateway)
	}
}

// forwardFailed is the forwarder's error handler.
func (p *egressProxy) forwardFailed(w http.ResponseWriter, r *http.Request, err error) {
	t, _ := r.Context().Value(targetKey{}).(*target)
	if t == nil {
		t = &target{sandbox: "-", host: r.URL.Hostname()}
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away: nobody to answer
	}
	p.upstreamFailed(w, t, err)
}

// tunnel serves a CONNECT that passed: it dials the checked addresses, tells the client the
// tunnel is up and copies bytes both ways until either side ends.
func (p *egressProxy) tunnel(w http.ResponseWriter, r *http.Request, t *target) {
	up, err := p.dial(r.Context(), t.addrs, t.port)
	if err != nil {
		p.upstreamFailed(w, t, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "this connection cannot carry a tunnel", http.StatusInternalServerError)
		return
	}
	down, buffered, err := hj.Hijack()
	if err != nil {
		up.Close()
		p.log.Printf("error sandbox=%s host=%s err=%s", logValue(t.sandbox), logValue(t.String()), oneLine(err.Error()))
		return
	}
	if !p.track(down, up) {
		down.Close()
		up.Close()
		return
	}
	defer p.untrack(down, up)
	// the server's read deadline (ReadHeaderTimeout) would otherwise end a quiet tunnel
	_ = down.SetDeadline(time.Time{})
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		down.Close()
		up.Close()
		return
	}
	// what the client sent right behind its CONNECT (a TLS ClientHello, often) was read ahead
	if n := buffered.Reader.Buffered(); n > 0 {
		early, _ := buffered.Reader.Peek(n)
		if _, err := up.Write(early); err != nil {
			down.Close()
			up.Close()
			return
		}
	}
	splice(down, up)
}

// splice copies both ways until either direction ends, then closes both connections: a tunnel
// left half-open would hold its slot and both sockets for as long as the other side cares to
// wait, and TLS, what tunnels carry, does not half-close.
func splice(a, b net.Conn) {
	done := make(chan struct{}, 2)
	copyOneWay := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go copyOneWay(a, b)
	go copyOneWay(b, a)
	<-done
	a.Close()
	b.Close()
	<-done
}

// track registers an open tunnel's connections, unless the proxy is shutting down.
func (p *egressProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return false
	}
	p.tunnels.Add(1)
	for _, c := range conns {
		p.open[c] = struct{}{}
	}
	return true
}

func (p *egressProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.open, c)
	}
	p.tunnels.Done()
}

// neverDialed says, for the start-up log line, which ranges the proxy does not dial.
func (p *egressProxy) neverDialed() string {
	s := "never dialing " + joinPrefixes(append(append([]netip.Prefix{}, p.always...), p.denied...)) +
		"; nor the private ranges " + joinPrefixes(p.private)
	if len(p.allowPrivate) > 0 {
		s += " but for " + joinPrefixes(p.allowPrivate)
	}
	return s
}

// shutdown stops taking connections and new tunnels, gives the requests and tunnels in progress
// until grace to end, then closes the tunnels still open. Forwarded requests still running
// then end with the process.
func (p *egressProxy) shutdown(srv *http.Server, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	// waits for requests in progress, CONNECTs still dialling among them; not for tunnels, whose
	// connections the server handed over
	_ = srv.Shutdown(ctx)
	ended := make(chan struct{})
	go func() {
		p.tunnels.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-ctx.Done():
		p.mu.Lock()
		for c := range p.open {
			c.Close()
		}
		p.mu.Unlock()
		<-ended
	}
}

// logValue keeps a log line one line with space-separated fields: a value with spaces, quotes
// or control characters in it (a client's host name can hold anything) is quoted.
func logValue(s string) string {
	if s == "" {
		return "-"
	}
	for _, c := range s {
		if c <= ' ' || c == '"' || c >= 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// oneLine keeps a free-text reason on its line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}

func mustPrefixes(cidrs ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c)
	}
	return out
}

// ---- the subcommand

type egressOptions struct {
	listen             string
	keyFile            string
	deny               []netip.Prefix
	allowPrivate       []netip.Prefix
	dialTimeout        time.Duration
	maxConns           int
	maxConnsPerSandbox int
}

func parseEgressProxy(args []string) (egressOptions, error) {
	fs := flag.NewFlagSet("egress-proxy", flag.ContinueOnError)
	var o egressOptions
	fs.StringVar(&o.listen, "listen", defaultProxyListen, "address to serve the proxy on")
	fs.StringVar(&o.keyFile, "key-file", "", "file holding the key that signs sandboxes' tokens (at least 32 bytes)")
	fs.Func("deny-cidr", "a range never to dial, such as the cluster's pod or service range (repeatable; commas separate several)", func(v string) error {
		return parseCIDRList("--deny-cidr", v, func(prefix netip.Prefix) error {
			o.deny = append(o.deny, prefix)
			return nil
		})
	})
	fs.Func("allow-private-cidr", "a part of the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7), "+
		"which are never dialed otherwise, to dial all the same; --deny-cidr still wins (repeatable; commas separate several)", func(v string) error {
		return parseCIDRList("--allow-private-cidr", v, func(prefix netip.Prefix) error {
			if _, inside := privateRangeAround(prefix); !inside {
				return fmt.Errorf("--allow-private-cidr %s is not inside a private range (%s): it can only let through part of what is denied by default",
					prefix, joinPrefixes(privateRanges))
			}
			o.allowPrivate = append(o.allowPrivate, prefix)
			return nil
		})
	})
	fs.DurationVar(&o.dialTimeout, "dial-timeout", 10*time.Second, "how long a name lookup, and then a connection to the destination, may take")
	fs.IntVar(&o.maxConns, "max-conns", 1024, "how many tunnels and forwarded requests may be open at once")
	fs.IntVar(&o.maxConnsPerSandbox, "max-conns-per-sandbox", 64, "how many of them one sandbox (the token's \"sandbox\") may have open at once")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("egress-proxy takes no arguments, got %q", fs.Args())
	case o.keyFile == "":
		return o, errors.New("--key-file is required")
	case o.dialTimeout <= 0:
		return o, fmt.Errorf("--dial-timeout must be positive, got %s", o.dialTimeout)
	case o.maxConns < 1:
		return o, fmt.Errorf("--max-conns must be at least 1, got %d", o.maxConns)
	case o.maxConnsPerSandbox < 1:
		return o, fmt.Errorf("--max-conns-per-sandbox must be at least 1, got %d", o.maxConnsPerSandbox)
	}
	return o, nil
}

// parseCIDRList reads one value of a repeatable CIDR flag, a comma-separated list, and hands
// each range to add.
func parseCIDRList(flagName, value string, add func(netip.Prefix) error) error {
	for _, part := range strings.Split(value, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue // an empty list from a chart's template
		}
		prefix, err := parseCIDR(part)
		if err != nil {
			return fmt.Errorf("%s %q is not a CIDR (such as 10.0.0.0/8 or fd00::/8)", flagName, part)
		}
		if err := add(prefix); err != nil {
			return err
		}
	}
	return nil
}

// parseCIDR reads a range in its canonical form, a v4-mapped IPv6 range as the IPv4 range it is
// (the proxy compares addresses unmapped).
func parseCIDR(s string) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := prefix.Addr(); a.Is4In6() && prefix.Bits() >= 96 {
		prefix = netip.PrefixFrom(a.Unmap(), prefix.Bits()-96)
	}
	return prefix.Masked(), nil
}

// privateRangeAround finds the private range that holds all of r.
func privateRangeAround(r netip.Prefix) (netip.Prefix, bool) {
	for _, p := range privateRanges {
		if p.Bits() <= r.Bits() && p.Contains(r.Addr()) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func joinPrefixes(ranges []netip.Prefix) string {
	s := make([]string, len(ranges))
	for i, r := range ranges {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}

// asciiSpace is what readEgressKey trims, as the worker's Java side does: ASCII whitespace alone,
// so that a raw binary key keeps every other byte on both sides.
const asciiSpace = " \t\n\v\f\r"

// readEgressKey reads the signing key: the file's bytes with surrounding ASCII whitespace
// trimmed (a trailing newline from `echo` or a Secret's editor is not part of it).
func readEgressKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the key: %w", err)
	}
	key := bytes.Trim(b, asciiSpace)
	if len(key) < minEgressKey {
		return nil, fmt.Errorf("the key in %s is %d bytes; at least %d are required", path, len(key), minEgressKey)
	}
	return key, nil
}

// egressProxyMain is `sandbox-agent egress-proxy`: it serves until SIGTERM or SIGINT, then
// shuts down gracefully and exits 0. Bad flags exit 2, any other failure to start 1.
func egressProxyMain(args []string) (int, error) {
	o, err := parseEgressProxy(args)
	if err != nil {
		return 2, err
	}
	key, err := readEgressKey(o.keyFile)
	if err != nil {
		return 1, err
	}
	logger := log.New(os.Stderr, "", 0)
	p := newEgressProxy(key, o, logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return 1, err
	}
	srv := p.server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Printf("listening on %s; %s", ln.Addr(), p.neverDialed())
	select {
	case err := <-served:
		return 1, err
	case <-ctx.Done():
	}
	logger.Printf("stopping: open tunnels and requests get %s to end", shutdownGrace)
	p.shutdown(srv, shutdownGrace)
	return 0, nil
}
