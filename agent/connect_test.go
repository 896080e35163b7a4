package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestConnectSaysConnectedAndExitsZeroWhenSomethingListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// the real subcommand, flags after the address as the worker's probe writes them
	cmd := exec.Command(os.Args[0], "connect", ln.Addr().String(), "--timeout", "2s")
	cmd.Env = append(cmd.Environ(), "SANDBOX_AGENT_TEST_MAIN=1")
	out, err := cmd.Output()
	if err != nil || string(out) != "connected "+ln.Addr().String()+"\n" {
		t.Fatalf("%v: %q", err, out)
	}
}

func TestConnectSaysRefusedAndExitsOneForAClosedPort(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "connect", addr)
	cmd.Env = append(cmd.Environ(), "SANDBOX_AGENT_TEST_MAIN=1")
	out, _ := cmd.Output()
	if cmd.ProcessState.ExitCode() != 1 || !strings.HasPrefix(string(out), "refused "+addr+": ") {
		t.Fatalf("exit %d: %q", cmd.ProcessState.ExitCode(), out)
	}
}

func TestConnectSaysTimedOutWhenNothingAnswers(t *testing.T) {
	// a network that drops the SYN, as a deny-all NetworkPolicy usually does
	silent := func(ctx context.Context, network, address string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	var out strings.Builder
	start := time.Now()
	if code := probe(&out, silent, "10.0.0.1:443", 50*time.Millisecond); code != 1 || out.String() != "timed out 10.0.0.1:443 after 50ms\n" {
		t.Fatalf("exit %d: %q", code, out.String())
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("waited %s for a 50ms timeout", waited)
	}
}

func TestConnectToAnUnroutableAddressFailsWithinItsTimeout(t *testing.T) {
	// TEST-NET-1 is never routed: the dial times out, or fails at once where there is no route
	var out strings.Builder
	var d net.Dialer
	start := time.Now()
	code := probe(&out, d.DialContext, "192.0.2.1:9", 200*time.Millisecond)
	if code != 1 || !(strings.HasPrefix(out.String(), "timed out 192.0.2.1:9") || strings.HasPrefix(out.String(), "refused 192.0.2.1:9")) {
		t.Fatalf("exit %d: %q", code, out.String())
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("waited %s for a 200ms timeout", waited)
	}
}

func TestConnectRefusesBadArgumentsWithExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"example.org"},
		{"example.org:http"},
		{"example.org:0"},
		{":443"},
		{"a:1", "b:2"},
		{"a:1", "--timeout", "0s"},
		{"a:1", "--timeout", "soon"},
	} {
		if code, err := connect(args); code != 2 || err == nil {
			t.Errorf("%q: exit %d, %v", args, code, err)
		}
	}
}
