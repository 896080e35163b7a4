package main

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAwaitConfinedReturnsOnlyAfterSeveralFailuresInARow(t *testing.T) {
	// connects, connects, fails, connects (a blip), then fails for good
	answers := []bool{true, true, false, true, false, false, false}
	calls := 0
	dial := func(target string, timeout time.Duration) error {
		if target != "10.96.0.1:443" || timeout != confinedProbeTimeout {
			t.Fatalf("dialled %s with %s", target, timeout)
		}
		connected := answers[calls]
		calls++
		if connected {
			return nil
		}
		return errors.New("i/o timeout")
	}
	sig, err := awaitConfined("10.96.0.1:443", 10*time.Second, dial, nil)
	if err != nil || sig != nil {
		t.Fatal(sig, err)
	}
	if calls != len(answers) {
		t.Fatalf("dialled %d times, want %d: one failure after a success must not count", calls, len(answers))
	}
}

func TestAwaitConfinedFailsWhenThePolicyNeverHolds(t *testing.T) {
	_, err := awaitConfined("10.96.0.1:443", 350*time.Millisecond, func(string, time.Duration) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "still open after 350ms") || !strings.Contains(err.Error(), "was not started") {
		t.Fatalf("err = %v", err)
	}
}

func TestAwaitConfinedStopsAtASignal(t *testing.T) {
	signals := make(chan os.Signal, 1)
	signals <- syscall.SIGTERM
	sig, err := awaitConfined("10.96.0.1:443", time.Minute, func(string, time.Duration) error { return nil }, signals)
	if err != nil || sig != syscall.SIGTERM {
		t.Fatalf("got %v, %v", sig, err)
	}
}

func TestAwaitConfinedAgainstARealListenerAndAClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	open := ln.Addr().String()
	if _, err := awaitConfined(open, 300*time.Millisecond, dialOnce, nil); err == nil {
		t.Fatal("a listening address must count as unconfined")
	}
	ln.Close()
	if _, err := awaitConfined(open, 5*time.Second, dialOnce, nil); err != nil {
		t.Fatalf("a closed port must count as confined: %v", err)
	}
}

func TestServiceAddressNeedsTheKubeletsVariables(t *testing.T) {
	env := map[string]string{"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"}
	got, err := serviceAddress(func(k string) string { return env[k] })
	if err != nil || got != "[fd00::1]:443" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := serviceAddress(func(string) string { return "" }); err == nil {
		t.Fatal("no variables must be an error")
	}
}

func TestRunRefusesAwaitConfinedForAPoolPod(t *testing.T) {
	if _, err := parseRun([]string{"--token-file", "t", "--pooled", "--await-confined"}); err == nil {
		t.Fatal("--pooled with --await-confined must be refused")
	}
	o, err := parseRun([]string{"--token-file", "t", "--await-confined", "--idle"})
	if err != nil || !o.awaitConfined || o.confinedLimit != 60*time.Second {
		t.Fatalf("got %+v, %v", o, err)
	}
}
