// sandbox-agent runs inside every sandbox pod as its first process: it starts the sandbox's own
// command (or idles), passes its output and exit code through unchanged, and serves exec over
// HTTP (HTTP/1.1 and unencrypted HTTP/2) on the pod's IP, authenticated by a per-sandbox token.
// Since its image is on every node already, the same binary also serves as the egress proxy
// that sandboxes with a host-name allow list reach the outside through.
//
//	sandbox-agent install DEST
//	    copies this binary to DEST (what the pod's init container does, into a shared emptyDir)
//	sandbox-agent run --token-file F [--listen :7431] [--state-dir D] [--ready-file F] [--await-confined [--await-confined-limit 60s]] (--idle | --pooled | -- COMMAND ARGS...)
//	    the container's command: serves the API and runs COMMAND, exiting with its exit code
//	    (128+N when signal N ended it); with --idle it waits for SIGTERM and exits 0; with
//	    --pooled (a warm pool's pod) it runs nothing until a sandbox claims it (POST /v1/claim
//	    with the sandbox's command and environment), then behaves as for that sandbox. It prints
//	    nothing of its own: the container's log is the command's output alone. With
//	    --await-confined (a sandbox whose egress denies all, on a cluster that enforces
//	    NetworkPolicy) it starts nothing and reports nothing ready until the pod's policy holds:
//	    a network plugin may confine a new pod only some time after it starts, and the command
//	    must not run unconfined meanwhile (see confine.go)
//	sandbox-agent egress-proxy --key-file F [--listen :3128] [--deny-cidr CIDR]... [--allow-private-cidr CIDR]... [--dial-timeout 10s] [--max-conns 1024] [--max-conns-per-sandbox 64]
//	    an HTTP forward proxy (CONNECT tunnels and plain http:// requests) that lets each sandbox
//	    reach only the host names its token allows, since a NetworkPolicy can allow CIDRs only:
//	    a sandbox's policy allows just the proxy, and its HTTP_PROXY/HTTPS_PROXY are
//	    http://sandbox:TOKEN@PROXY:3128. The token (format in egresstoken.go) is signed with the
//	    key in F (at least 32 bytes, whitespace around it trimmed) and must carry an expiry. The
//	    proxy resolves names itself and never dials loopback, link-local (cloud metadata),
//	    multicast or a --deny-cidr range (the cluster's pod and service ranges; repeatable, or
//	    comma-separated), nor the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10,
//	    fc00::/7) but for the parts of them --allow-private-cidr names. One sandbox may have
//	    --max-conns-per-sandbox of the --max-conns requests and tunnels open. GET /healthz
//	    sent to it directly answers ok. One line per decision on stderr; on SIGTERM it stops
//	    taking connections and gives open tunnels 5 s to end. The contract is in egressproxy.go
//	sandbox-agent version
//
// Exec output and exit codes are kept in files under the state directory for the agent's
// lifetime, so a caller that lost its connection re-attaches to an exec by its ID.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// defaultListen is where the agent listens in a sandbox pod (the worker's KubernetesRuntimeOptions agrees).
const defaultListen = ":7431"

func main() {
	code, err := dispatch(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox-agent:", err)
		if code == 0 {
			code = 2
		}
	}
	os.Exit(code)
}

func dispatch(args []string) (int, error) {
	if len(args) == 0 {
		return 2, errors.New("usage: sandbox-agent install DEST | run ... | egress-proxy ... | version")
	}
	switch args[0] {
	case "install":
		if len(args) != 2 {
			return 2, errors.New("usage: sandbox-agent install DEST")
		}
		return 0, install(args[1])
	case "run":
		return run(args[1:])
	case "egress-proxy":
		return egressProxyMain(args[1:])
	case "version":
		fmt.Println(version)
		return 0, nil
	default:
		return 2, fmt.Errorf("unknown command %q (install, run, egress-proxy, version)", args[0])
	}
}

// install copies the running binary to dest atomically, executable by everyone (the sandbox's
// user is not the init container's).
func install(dest string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	in, err := os.Open(self)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".sandbox-agent-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}

type runOptions struct {
	listen         string
	tokenFile      string
	stateDir       string
	readyFile      string
	terminationLog string
	idle           bool
	pooled         bool
	awaitConfined  bool
	confinedLimit  time.Duration
	command        []string
}

func parseRun(args []string) (runOptions, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o runOptions
	fs.StringVar(&o.listen, "listen", defaultListen, "address to serve the API on")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token every request must carry")
	fs.StringVar(&o.stateDir, "state-dir", "", "directory for exec output (default: next to this binary)")
	fs.StringVar(&o.readyFile, "ready-file", "", "file to write the listening address to once serving")
	fs.StringVar(&o.terminationLog, "termination-log", "/dev/termination-log", "where to say why the agent itself failed")
	fs.BoolVar(&o.idle, "idle", false, "run no command: wait for SIGTERM")
	fs.BoolVar(&o.pooled, "pooled", false, "a warm pool's pod: run nothing until a sandbox claims it")
	fs.BoolVar(&o.awaitConfined, "await-confined", false, "start nothing until the API server's Service no longer accepts connections from this pod")
	fs.DurationVar(&o.confinedLimit, "await-confined-limit", 60*time.Second, "how long --await-confined waits before the agent fails")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.command = fs.Args()
	switch {
	case o.tokenFile == "":
		return o, errors.New("--token-file is required")
	case o.idle && o.pooled:
		return o, errors.New("--idle and --pooled exclude each other")
	case (o.idle || o.pooled) && len(o.command) > 0:
		return o, errors.New("--idle and --pooled take no command (a pool pod gets its command with its claim)")
	case !o.idle && !o.pooled && len(o.command) == 0:
		return o, errors.New("a command after -- (or --idle, or --pooled) is required")
	case o.awaitConfined && o.pooled:
		return o, errors.New("--await-confined does not apply to a pool's pod (its policy comes with its claim)")
	case o.confinedLimit <= 0:
		return o, errors.New("--await-confined-limit must be positive")
	}
	if o.stateDir == "" {
		self, err := os.Executable()
		if err != nil {
			return o, err
		}
		o.stateDir = filepath.Join(filepath.Dir(self), "state")
	}
	return o, nil
}

func readToken(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the token: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < 16 {
		return nil, fmt.Errorf("the token in %s is shorter than 16 characters", path)
	}
	return []byte(token), nil
}

// forwarded are the signals passed on to the main process; SIGCHLD is the reaper's.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

// exitAgentLost is the exit code of an agent that failed on its own (not its command); its
// termination message, which the worker reads from the pod, starts with agentLostPrefix.
const (
	exitAgentLost   = 70
	agentLostPrefix = "sandbox-agent: "
)

func run(args []string) (code int, err error) {
	o, err := parseRun(args)
	if err != nil {
		return 2, err
	}
	// from here on a failure is the agent's, not the command's: say so where the kubelet reads a
	// container's termination message, so the sandbox ends with reason AgentLost
	lost := func(err error) (int, error) {
		_ = os.WriteFile(o.terminationLog, []byte(agentLostPrefix+err.Error()), 0o644)
		return exitAgentLost, err
	}
	defer func() {
		if r := recover(); r != nil {
			code, err = lost(fmt.Errorf("panic: %v", r))
		}
	}()
	token, err := readToken(o.tokenFile)
	if err != nil {
		return lost(err)
	}
	if err := os.MkdirAll(o.stateDir, 0o700); err != nil {
		return lost(err)
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, forwarded...)

	procs := newProcesses()
	execs := newExecs(procs, o.stateDir, os.Environ())
	var main atomic.Pointer[execution]
	server := newAgentServer(token, execs, main.Load, version)
	mainStarted := make(chan *execution, 1)
	if o.pooled {
		server.claims = newClaims(true, execs, func(m *execution) {
			main.Store(m)
			mainStarted <- m
		})
	}
	srv := &http.Server{
		Handler:           server.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		Protocols:         new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	if o.awaitConfined {
		target, err := serviceAddress(os.Getenv)
		if err != nil {
			return lost(err)
		}
		sig, err := awaitConfined(target, o.confinedLimit, dialOnce, signals)
		if err != nil {
			return lost(err)
		}
		if sig != nil {
			// stopped before the command started: as the command would have ended
			return 128 + int(sig.(syscall.Signal)), nil
		}
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return lost(err)
	}
	if !o.idle && !o.pooled {
		// the main command is registered before the first request is served: a reader of its
		// output must never be told the sandbox idles
		m, err := execs.startMain(o.command, "")
		if err != nil {
			return lost(err)
		}
		main.Store(m)
	}
	go func() { _ = srv.Serve(ln) }()
	if o.readyFile != "" {
		if err := os.WriteFile(o.readyFile, []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
			return lost(err)
		}
	}

	m := main.Load()
	if m == nil {
		// idle, or a pool pod until a claim starts its sandbox's command; nothing is printed:
		// the container's log stays the sandbox's own
		select {
		case <-signals:
			shutdown(srv)
			return 0, nil
		case m = <-mainStarted:
		}
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		m.log.awaitEnd()
	}()
	for {
		select {
		case sig := <-signals:
			m.signal(sig.(syscall.Signal))
		case <-ended:
			// a follower of the command's output reads its last lines before the agent goes
			server.awaitFollowers(2 * time.Second)
			shutdown(srv)
			return m.state().Exit.ExitCode, nil
		}
	}
}

// shutdown lets followers of the main output read its end before the process exits.
func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
