package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// An egress token is what a sandbox shows the egress proxy: which sandbox it is and which hosts
// it may reach, signed by the worker with a key that the proxy shares and the sandbox never sees.
//
//	TOKEN   = PAYLOAD "." MAC
//	PAYLOAD = base64url-no-padding(PAYLOAD_JSON)            (RFC 4648 §5 alphabet A-Z a-z 0-9 - _, no "=")
//	MAC     = base64url-no-padding(HMAC-SHA256(KEY, ASCII bytes of PAYLOAD))
//	KEY     = the bytes of the proxy's key file with surrounding whitespace trimmed (at least 32)
//	PAYLOAD_JSON = {"v":1,"sandbox":"NAME","hosts":["api.example.com","*.example.org","pypi.org:443"],"exp":UNIX_SECONDS}
//
// The MAC is over the encoded payload exactly as sent, so the JSON's field order, spacing and
// escaping are the signer's choice and never re-serialized. In Java:
//
//	String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
//	Mac mac = Mac.getInstance("HmacSHA256");
//	mac.init(new SecretKeySpec(key, "HmacSHA256"));
//	String token = payload + "." + Base64.getUrlEncoder().withoutPadding()
//	    .encodeToString(mac.doFinal(payload.getBytes(US_ASCII)));
//
// "v" must be 1 (another version, or none, is refused: a later format must not be read as this
// one). "exp" is in seconds since the epoch and required: the token is refused from that second
// on, and one without "exp" (or with 0 or less) is refused outright, since a token that never
// expires would outlive its sandbox in any log or process listing it leaked into. "sandbox"
// names the sandbox in the proxy's log and its connection count (--max-conns-per-sandbox), and
// must not be empty. Fields not listed are ignored. A token whose MAC does not verify is refused before its
// payload is read.
//
// Each entry of "hosts" is one of:
//
//	host         that host name, any port
//	host:port    that host name, that port only
//	*.domain     any name under domain, at any depth (a.domain, a.b.domain), but not domain itself
//	*.domain:port
//	IP, IP:port  an IP literal (IPv6 as [::1]:443, or bare without a port): matches only a request
//	             for that literal address, never a name that resolves to it
//
// Names match case-insensitively, and one trailing dot ("example.org.") is ignored on both sides.
// An entry that is none of these makes the whole token invalid: a worker that signs a typo
// learns of it at the first request instead of finding a host quietly unreachable.
//
// The token is the password of the proxy's Basic credentials: HTTP_PROXY=http://sandbox:TOKEN@…
// needs no percent-encoding, since base64url and "." are all unreserved characters in a URL.

// egressTokenVersion is the only payload version this proxy reads.
const egressTokenVersion = 1

// minEgressKey is the shortest key the proxy accepts: HMAC-SHA256's own block of security.
const minEgressKey = 32

type egressPayload struct {
	V       int      `json:"v"`
	Sandbox string   `json:"sandbox"`
	Hosts   []string `json:"hosts"`
	Exp     int64    `json:"exp"`
}

// egressGrant is what a verified token allows.
type egressGrant struct {
	sandbox string
	rules   []hostRule
}

// verifyEgressToken checks token's MAC with key and reads its payload. A grant comes back with an
// error when the MAC verified but the token is unusable (expired, say): the caller then knows
// which sandbox it was for the log. With a bad MAC the payload is not trusted, so no grant.
func verifyEgressToken(key []byte, token string, now time.Time) (*egressGrant, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || payload == "" || sig == "" {
		return nil, errors.New("the token is not PAYLOAD.MAC")
	}
	given, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, errors.New("the token's MAC is not base64url without padding")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	if !hmac.Equal(given, mac.Sum(nil)) {
		return nil, errors.New("the token's MAC does not verify")
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, errors.New("the token's payload is not base64url without padding")
	}
	var p egressPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("the token's payload is not the expected JSON: %v", err)
	}
	if p.V != egressTokenVersion {
		return nil, fmt.Errorf("the token's version %d is not %d", p.V, egressTokenVersion)
	}
	if p.Sandbox == "" {
		return nil, errors.New("the token names no sandbox")
	}
	g := &egressGrant{sandbox: p.Sandbox}
	for i, h := range p.Hosts {
		r, err := parseHostRule(h)
		if err != nil {
			return g, fmt.Errorf("the token's hosts[%d] %q: %v", i, h, err)
		}
		g.rules = append(g.rules, r)
	}
	if p.Exp <= 0 {
		return g, errors.New("the token has no expiry")
	}
	if now.Unix() >= p.Exp {
		return g, fmt.Errorf("the token expired at %s", time.Unix(p.Exp, 0).UTC().Format(time.RFC3339))
	}
	return g, nil
}

// allows says whether one of the grant's rules lets it reach host (as normalizeHost left it)
// on port.
func (g *egressGrant) allows(host string, port uint16) bool {
	for _, r := range g.rules {
		if r.matches(host, port) {
			return true
		}
	}
	return false
}

// hostRule is one parsed entry of a token's hosts.
type hostRule struct {
	name     string     // a normalized name; for a wildcard, the domain under it
	wildcard bool       // "*." + name: names under name, not name itself
	ip       netip.Addr // set for an IP-literal entry (then name is empty)
	port     uint16     // 0: any port
}

func parseHostRule(entry string) (hostRule, error) {
	host, port, err := splitHostRule(entry)
	if err != nil {
		return hostRule{}, err
	}
	r := hostRule{port: port}
	if ip, err := netip.ParseAddr(strings.TrimSuffix(host, ".")); err == nil {
		if ip.Zone() != "" {
			return hostRule{}, errors.New("an IPv6 zone has no meaning outside the proxy's own host")
		}
		r.ip = ip.Unmap()
		return r, nil
	}
	if strings.HasPrefix(entry, "[") {
		return hostRule{}, errors.New("only an IPv6 address goes in brackets")
	}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		r.wildcard, host = true, rest
	}
	r.name = normalizeHost(host)
	if err := checkHostName(r.name); err != nil {
		return hostRule{}, err
	}
	if r.wildcard {
		if _, err := netip.ParseAddr(r.name); err == nil {
			return hostRule{}, errors.New("a wildcard goes over a domain name, not an address")
		}
	}
	return r, nil
}

// splitHostRule takes a rule's port off: "h:443" and "[v6]:443" have one, "h", "[v6]" and a bare
// IPv6 address (more than one colon) have none.
func splitHostRule(entry string) (string, uint16, error) {
	if entry == "" {
		return "", 0, errors.New("empty")
	}
	var host, port string
	switch {
	case strings.HasPrefix(entry, "["):
		end := strings.Index(entry, "]")
		if end < 0 {
			return "", 0, errors.New("no closing ]")
		}
		host, port = entry[1:end], entry[end+1:]
		if port != "" {
			var ok bool
			if port, ok = strings.CutPrefix(port, ":"); !ok {
				return "", 0, errors.New("only :PORT may follow ]")
			}
		} else {
			return host, 0, nil
		}
	case strings.Count(entry, ":") == 1:
		host, port, _ = strings.Cut(entry, ":")
	default:
		return entry, 0, nil
	}
	n, err := parsePort(port)
	if err != nil {
		return "", 0, err
	}
	return host, n, nil
}

// parsePort reads a port from 1 to 65535.
func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return uint16(n), nil
}

// checkHostName accepts what DNS names look like (letters, digits, "-", "_", non-empty labels);
// it catches a URL or a stray "*" in an allow list, which would otherwise never match.
func checkHostName(name string) error {
	if name == "" || len(name) > 253 {
		return errors.New("not a host name")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("not a host name (an empty or over-long label)")
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("not a host name (%q is not allowed in one)", c)
			}
		}
	}
	return nil
}

// normalizeHost lower-cases a name and drops one trailing dot, so "API.Example.org." is
// "api.example.org". IP literals are compared as addresses, not through this.
func normalizeHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// matches says whether the rule lets a request reach host on port. host is an IP literal
// (unmapped, no zone) or a name as normalizeHost left it.
func (r hostRule) matches(host string, port uint16) bool {
	if r.port != 0 && r.port != port {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return r.ip.IsValid() && r.ip == ip.WithZone("").Unmap()
	}
	switch {
	case r.ip.IsValid():
		return false
	case r.wildcard:
		return len(host) > len(r.name)+1 && strings.HasSuffix(host, "."+r.name)
	default:
		return host == r.name
	}
}
