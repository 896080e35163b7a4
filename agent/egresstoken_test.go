package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testEgressKey = "egress-test-key-0123456789abcdef-0123"

// signEgressToken signs payload, as JSON, as the worker does (see egresstoken.go).
func signEgressToken(key string, payload any) string {
	j, _ := json.Marshal(payload)
	return signEgressJSON(key, j)
}

// signEgressJSON signs the JSON bytes as they are.
func signEgressJSON(key string, payloadJSON []byte) string {
	body := base64.RawURLEncoding.EncodeToString(payloadJSON)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// grant is a token of sandbox sb-1 for hosts, valid for an hour.
func grant(hosts ...string) string {
	return grantFor("sb-1", hosts...)
}

// grantFor is a token of sandbox for hosts, valid for an hour.
func grantFor(sandbox string, hosts ...string) string {
	return signEgressToken(testEgressKey, map[string]any{"v": 1, "sandbox": sandbox, "hosts": hosts, "exp": inAnHour()})
}

// inAnHour is an "exp" an hour from now.
func inAnHour() int64 { return time.Now().Add(time.Hour).Unix() }

func basic(token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("sandbox:"+token))
}

func TestTheTokenFormatMatchesAFixedVector(t *testing.T) {
	// the same vector serves the worker's tests of the side that signs (javax.crypto.Mac
	// HmacSHA256, Base64.getUrlEncoder().withoutPadding())
	key := []byte("0123456789abcdef0123456789abcdef")
	payload := `{"v":1,"sandbox":"sb-1","hosts":["pypi.org:443","*.example.org"],"exp":4102444800}`
	const token = "eyJ2IjoxLCJzYW5kYm94Ijoic2ItMSIsImhvc3RzIjpbInB5cGkub3JnOjQ0MyIsIiouZXhhbXBsZS5vcmciXSwiZXhwIjo0MTAyNDQ0ODAwfQ" +
		".Jrg4EFZ89UjhoUUoNtf7IoxMyTEvrra9JsiFAe2KJCc"
	if got := signEgressJSON(string(key), []byte(payload)); got != token {
		t.Fatalf("signed %s", got)
	}
	g, err := verifyEgressToken(key, token, time.Now())
	if err != nil || g.sandbox != "sb-1" || !g.allows("pypi.org", 443) || g.allows("pypi.org", 80) || !g.allows("files.example.org", 8080) {
		t.Fatalf("%+v %v", g, err)
	}
	// the MAC is over the payload as sent: another field order and spacing verify as well
	other := signEgressJSON(string(key), []byte(`{ "exp": 4102444800, "hosts": [ "pypi.org:443" ],
		"sandbox": "sb-\u0031", "v": 1, "future": true }`))
	if g, err := verifyEgressToken(key, other, time.Now()); err != nil || g.sandbox != "sb-1" || !g.allows("pypi.org", 443) {
		t.Fatalf("%+v %v", g, err)
	}
}

func TestHostRulesMatchByNameCaseAndPort(t *testing.T) {
	for _, c := range []struct {
		entry, host string
		port        uint16
		want        bool
	}{
		{"api.example.com", "api.example.com", 443, true},
		{"api.example.com", "api.example.com", 8080, true},
		{"API.Example.com.", "api.example.com", 443, true},
		{"api.example.com", "example.com", 443, false},
		{"api.example.com", "x.api.example.com", 443, false},
		{"pypi.org:443", "pypi.org", 443, true},
		{"pypi.org:443", "pypi.org", 80, false},
		{"*.example.org", "a.example.org", 1, true},
		{"*.example.org", "a.b.c.example.org", 1, true},
		{"*.example.org", "example.org", 443, false},
		{"*.example.org", "evil-example.org", 443, false},
		{"*.example.org", "aexample.org", 443, false},
		{"*.example.org:443", "a.example.org", 443, true},
		{"*.example.org:443", "a.example.org", 80, false},
		{"10.1.2.3", "10.1.2.3", 80, true},
		{"10.1.2.3:5432", "10.1.2.3", 5432, true},
		{"10.1.2.3:5432", "10.1.2.3", 5433, false},
		{"10.1.2.3", "10.1.2.4", 80, false},
		{"10.1.2.3", "::ffff:10.1.2.3", 80, true},
		{"::ffff:10.1.2.3", "10.1.2.3", 80, true},
		{"2001:db8::1", "2001:db8::1", 443, true},
		{"[2001:db8::1]:443", "2001:db8::1", 443, true},
		{"[2001:db8::1]:443", "2001:db8::1", 80, false},
		{"[2001:DB8::1]", "2001:db8::1", 80, true},
		// an IP entry is not a name, and a name entry does not match an address
		{"10.1.2.3", "host.test", 80, false},
		{"host.test", "10.1.2.3", 80, false},
		{"*.2.3", "10.1.2.3", 80, false},
	} {
		r, err := parseHostRule(c.entry)
		if err != nil {
			t.Errorf("%q: %v", c.entry, err)
			continue
		}
		if got := r.matches(c.host, c.port); got != c.want {
			t.Errorf("%q matches %s port %d: %v, want %v", c.entry, c.host, c.port, got, c.want)
		}
	}
}

func TestMalformedHostEntriesAreRefusedByName(t *testing.T) {
	for _, entry := range []string{"", "*", "*.", "*.*.example.org", "a.*.example.org", "https://pypi.org",
		"pypi.org/simple", "pypi.org:0", "pypi.org:65536", "pypi.org:https", "pypi.org:", "[pypi.org]:443",
		"[2001:db8::1", "[2001:db8::1]443", "fe80::1%eth0", "*.10.1.2.3", "a..b", ".example.org", "exa mple.org"} {
		if _, err := parseHostRule(entry); err == nil {
			t.Errorf("%q was accepted", entry)
		}
	}
}

func TestATokenIsRefusedForTheReasonItFails(t *testing.T) {
	key := []byte(testEgressKey)
	good := grant("allowed.test")
	payload, mac, _ := strings.Cut(good, ".")
	sign := func(p map[string]any) string { return signEgressToken(testEgressKey, p) }
	now := time.Unix(1_700_000_000, 0)
	for _, c := range []struct{ name, token, want string }{
		{"no dot", payload, "not PAYLOAD.MAC"},
		{"no MAC", payload + ".", "not PAYLOAD.MAC"},
		{"MAC not base64url", payload + "." + strings.ReplaceAll(mac, "_", "/") + "/", "not base64url"},
		{"another key", signEgressToken(testEgressKey+"x", map[string]any{"v": 1, "sandbox": "sb-1", "exp": inAnHour()}), "does not verify"},
		{"a payload changed after signing", base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"sandbox":"sb-1","hosts":["*.test"]}`)) + "." + mac, "does not verify"},
		{"version 2", sign(map[string]any{"v": 2, "sandbox": "sb-1", "exp": inAnHour()}), "version 2 is not 1"},
		{"no version", sign(map[string]any{"sandbox": "sb-1", "exp": inAnHour()}), "version 0 is not 1"},
		{"no sandbox", sign(map[string]any{"v": 1, "exp": inAnHour()}), "names no sandbox"},
		{"hosts not a list", sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": "pypi.org", "exp": inAnHour()}), "not the expected JSON"},
		{"a bad entry", sign(map[string]any{"v": 1, "sandbox": "sb-1", "hosts": []string{"ok.test", "pypi.org:https"}, "exp": inAnHour()}), `hosts[1] "pypi.org:https"`},
		{"expired", sign(map[string]any{"v": 1, "sandbox": "sb-1", "exp": now.Unix()}), "expired at 2023-11-14T22:13:20Z"},
		{"no expiry", sign(map[string]any{"v": 1, "sandbox": "sb-1"}), "the token has no expiry"},
		{"expiry 0", sign(map[string]any{"v": 1, "sandbox": "sb-1", "exp": 0}), "the token has no expiry"},
		{"a negative expiry", sign(map[string]any{"v": 1, "sandbox": "sb-1", "exp": -1}), "the token has no expiry"},
	} {
		if _, err := verifyEgressToken(key, c.token, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if g, err := verifyEgressToken(key, sign(map[string]any{"v": 1, "sandbox": "sb-1", "exp": now.Unix() + 1}), now); err != nil || g.sandbox != "sb-1" || g.allows("allowed.test", 443) {
		t.Errorf("a token for no hosts, valid one more second: %+v %v", g, err)
	}
}

// The key file loses its surrounding ASCII whitespace alone, as the worker's Java side trims it:
// the other bytes of a raw binary key are the key's.
func TestReadEgressKeyTrimsASCIIWhitespaceOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	raw := append(append([]byte{0xa0}, bytes.Repeat([]byte("A"), 32)...), 0x1c, '\r', '\n')
	if err := os.WriteFile(path, append([]byte(" \t"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := readEgressKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := raw[:len(raw)-2]; !bytes.Equal(key, want) {
		t.Fatalf("key = %q, want %q", key, want)
	}
}
