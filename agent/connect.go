package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

// dialFunc opens a connection; the probe takes one so that a test can stand in for a network
// that never answers.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// connect is `sandbox-agent connect HOST:PORT [--timeout 5s]`: 0 when a TCP connection opened,
// 1 when it did not (the answer a probe asks for, not a failure of the agent's), 2 for bad
// arguments. The outcome goes to stdout, so the caller reads it from the pod's log.
func connect(args []string) (int, error) {
	fs := flag.NewFlagSet("connect", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the connection")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return 2, err
	}
	if len(positional) != 1 {
		return 2, errors.New("usage: sandbox-agent connect HOST:PORT [--timeout 5s]")
	}
	if *timeout <= 0 {
		return 2, fmt.Errorf("--timeout must be positive, got %s", *timeout)
	}
	if err := checkHostPort(positional[0]); err != nil {
		return 2, err
	}
	var d net.Dialer
	return probe(os.Stdout, d.DialContext, positional[0], *timeout), nil
}

// probe tries one TCP connection to address and says how it went on out: 0 connected, 1 not.
func probe(out io.Writer, dial dialFunc, address string, timeout time.Duration) int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := dial(ctx, "tcp", address)
	if err == nil {
		c.Close()
		fmt.Fprintf(out, "connected %s\n", address)
		return 0
	}
	// a dropped SYN (what most NetworkPolicy implementations do) shows as a timeout, a rejected
	// one as a refusal: the caller may want to tell them apart, so the words differ
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		fmt.Fprintf(out, "timed out %s after %s\n", address, timeout)
	} else {
		fmt.Fprintf(out, "refused %s: %v\n", address, err)
	}
	return 1
}

// checkHostPort refuses an address that no dial could use, so that a typo in the probe's
// arguments is a usage error (2) instead of a "refused" that reads like a network answer.
func checkHostPort(address string) error {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT: %w", address, err)
	}
	if host == "" {
		return fmt.Errorf("%q has no host", address)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%q: the port must be a number from 1 to 65535", address)
	}
	return nil
}

// parseInterspersed parses fs's flags wherever they stand among the positional arguments (the
// flag package stops at the first positional one), so `connect HOST:PORT --timeout 1s` works as
// documented. It returns the positional arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
