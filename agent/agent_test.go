package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const testToken = "test-token-0123456789"

// the test binary doubles as the agent for the tests of `run` (a real process, real signals)
func TestMain(m *testing.M) {
	if os.Getenv("SANDBOX_AGENT_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type agent struct {
	t      *testing.T
	url    string
	client *http.Client
	token  string
}

func newAgent(t *testing.T) *agent {
	t.Helper()
	x := newExecs(newProcesses(), t.TempDir(), os.Environ())
	s := newAgentServer([]byte(testToken), x, func() *execution { return nil }, "test")
	srv := httptest.NewServer(s.handler())
	t.Cleanup(srv.Close)
	return &agent{t: t, url: srv.URL, client: srv.Client(), token: testToken}
}

func (a *agent) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, a.url+path, r)
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (a *agent) start(id string, req execRequest) execState {
	a.t.Helper()
	code, body := a.do("PUT", "/v1/execs/"+id, req)
	if code != http.StatusCreated {
		a.t.Fatalf("start %s: %d %s", id, code, body)
	}
	var s execState
	json.Unmarshal(body, &s)
	return s
}

// result follows the exec to its end and splits the frames.
type result struct {
	stdout, stderr string
	exit           exitStatus
	frames         int
}

func (a *agent) follow(id string, offset int64) result {
	a.t.Helper()
	code, body := a.do("GET", fmt.Sprintf("/v1/execs/%s/output?follow=true&offset=%d", id, offset), nil)
	if code != http.StatusOK {
		a.t.Fatalf("output %s: %d %s", id, code, body)
	}
	return parseFrames(a.t, body)
}

func parseFrames(t *testing.T, body []byte) result {
	t.Helper()
	var res result
	var out, errs strings.Builder
	for len(body) > 0 {
		if len(body) < frameHeader {
			t.Fatalf("torn frame header: %d bytes left", len(body))
		}
		kind, n := body[0], binary.BigEndian.Uint32(body[1:frameHeader])
		payload := body[frameHeader : frameHeader+int(n)]
		switch kind {
		case frameStdout:
			out.Write(payload)
		case frameStderr:
			errs.Write(payload)
		case frameExit:
			if err := json.Unmarshal(payload, &res.exit); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("unknown frame kind %d", kind)
		}
		res.frames++
		body = body[frameHeader+int(n):]
	}
	res.stdout, res.stderr = out.String(), errs.String()
	return res
}

func str(s string) *string { return &s }

func TestExecReturnsBothStreamsAndTheExitCode(t *testing.T) {
	a := newAgent(t)
	a.start("e1", execRequest{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}})
	r := a.follow("e1", 0)
	if r.stdout != "out\n" || r.stderr != "err\n" || r.exit.ExitCode != 3 {
		t.Fatalf("got %+v", r)
	}
}

func TestExecAppliesEnvAndWorkdir(t *testing.T) {
	a := newAgent(t)
	dir := t.TempDir()
	a.start("e1", execRequest{Argv: []string{"sh", "-c", "echo $GREETING; pwd"}, Env: map[string]string{"GREETING": "hi"}, Workdir: dir})
	if r := a.follow("e1", 0); r.stdout != "hi\n"+dir+"\n" {
		t.Fatalf("got %q", r.stdout)
	}
}

func TestGivenStdinEndsWithEndOfInput(t *testing.T) {
	a := newAgent(t)
	a.start("cat", execRequest{Argv: []string{"cat"}, Stdin: str("hi\nthere\n")})
	if r := a.follow("cat", 0); r.stdout != "hi\nthere\n" || r.exit.ExitCode != 0 {
		t.Fatalf("got %+v", r)
	}
}

func TestOpenStdinTakesWritesUntilEndOfInput(t *testing.T) {
	a := newAgent(t)
	a.start("cat", execRequest{Argv: []string{"cat"}, StdinOpen: true})
	if code, body := a.do("POST", "/v1/execs/cat/stdin", "one\n"); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if code, body := a.do("POST", "/v1/execs/cat/stdin?eof=true", "two\n"); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if r := a.follow("cat", 0); r.stdout != "one\ntwo\n" {
		t.Fatalf("got %q", r.stdout)
	}
	if code, _ := a.do("POST", "/v1/execs/cat/stdin", "late"); code != http.StatusConflict {
		t.Fatalf("a write after end of input answered %d", code)
	}
}

func TestTheSameIdAndRequestAttachesInsteadOfRunningAgain(t *testing.T) {
	a := newAgent(t)
	file := filepath.Join(t.TempDir(), "lines")
	req := execRequest{Argv: []string{"sh", "-c", "echo line >> " + file + "; echo done"}}
	a.start("once", req)
	a.follow("once", 0)
	code, body := a.do("PUT", "/v1/execs/once", req)
	if code != http.StatusOK {
		t.Fatalf("second start answered %d %s", code, body)
	}
	if r := a.follow("once", 0); r.stdout != "done\n" {
		t.Fatalf("re-attached output %q", r.stdout)
	}
	if b, _ := os.ReadFile(file); string(b) != "line\n" {
		t.Fatalf("the command ran more than once: %q", b)
	}
}

func TestAnotherRequestUnderAUsedIdIsAConflict(t *testing.T) {
	a := newAgent(t)
	a.start("x", execRequest{Argv: []string{"true"}})
	code, body := a.do("PUT", "/v1/execs/x", execRequest{Argv: []string{"false"}})
	if code != http.StatusConflict || !strings.Contains(string(body), "ExecIdInUse") {
		t.Fatalf("%d %s", code, body)
	}
}

func TestBadRequestsAreRefusedByName(t *testing.T) {
	a := newAgent(t)
	for _, c := range []struct{ id, body, want string }{
		{"ok", `{"argv":[]}`, "argv must not be empty"},
		{"ok", `{"cmd":["true"]}`, `unknown field`},
		{"-bad", `{"argv":["true"]}`, "exec id"},
		{"main", `{"argv":["true"]}`, "must not be"},
	} {
		code, body := a.do("PUT", "/v1/execs/"+c.id, c.body)
		if code != http.StatusBadRequest || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s: %d %s", c.id, c.body, code, body)
		}
	}
}

func TestEveryRouteButHealthNeedsTheToken(t *testing.T) {
	a := newAgent(t)
	a.start("e", execRequest{Argv: []string{"true"}})
	for _, token := range []string{"", "wrong-token-0123456789", testToken + "x"} {
		a.token = token
		for _, p := range []string{"/v1/execs/e", "/v1/execs/e/output", "/v1/execs", "/v1/info"} {
			if code, _ := a.do("GET", p, nil); code != http.StatusUnauthorized {
				t.Errorf("token %q %s answered %d", token, p, code)
			}
		}
		if code, _ := a.do("PUT", "/v1/execs/f", execRequest{Argv: []string{"true"}}); code != http.StatusUnauthorized {
			t.Errorf("token %q: start answered %d", token, code)
		}
	}
	a.token = ""
	if code, _ := a.do("GET", "/healthz", nil); code != 200 {
		t.Errorf("healthz answered %d", code)
	}
}

func TestFollowStreamsOutputWhileTheCommandRuns(t *testing.T) {
	a := newAgent(t)
	a.start("s", execRequest{Argv: []string{"sh", "-c", "echo first; read x; echo second"}, StdinOpen: true})
	req, _ := http.NewRequest("GET", a.url+"/v1/execs/s/output?follow=true", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	frame := make([]byte, frameHeader+len("first\n"))
	if _, err := io.ReadFull(resp.Body, frame); err != nil {
		t.Fatal(err)
	}
	if string(frame[frameHeader:]) != "first\n" {
		t.Fatalf("first frame %q", frame)
	}
	// the command is still blocked on stdin: the line arrived while it ran
	if _, body := a.do("GET", "/v1/execs/s", nil); !strings.Contains(string(body), `"running":true`) {
		t.Fatalf("state %s", body)
	}
	a.do("POST", "/v1/execs/s/stdin?eof=true", "go\n")
	rest, _ := io.ReadAll(resp.Body)
	if r := parseFrames(t, rest); r.stdout != "second\n" || r.exit.ExitCode != 0 {
		t.Fatalf("rest %+v", r)
	}
}

func TestReadsByOffsetResumeWhereTheLastOneEnded(t *testing.T) {
	a := newAgent(t)
	a.start("n", execRequest{Argv: []string{"sh", "-c", "for i in $(seq 1 200); do echo line $i; done"}})
	whole := a.follow("n", 0)
	var got bytes.Buffer
	offset := int64(0)
	for i := 0; i < 1000; i++ {
		code, body := a.do("GET", fmt.Sprintf("/v1/execs/n/output?offset=%d&maxBytes=64&waitMillis=1000", offset), nil)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if len(body) == 0 {
			break
		}
		got.Write(body)
		offset += int64(len(body))
	}
	if r := parseFrames(t, got.Bytes()); r.stdout != whole.stdout || r.frames != whole.frames || r.exit != whole.exit {
		t.Fatalf("pieced together %d frames, whole %d", r.frames, whole.frames)
	}
	if code, _ := a.do("GET", fmt.Sprintf("/v1/execs/n/output?offset=%d", offset+1), nil); code != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("an offset past the end answered %d", code)
	}
}

func TestALongPollWaitsForOutputAndReturnsEmptyWhenNoneCame(t *testing.T) {
	a := newAgent(t)
	a.start("w", execRequest{Argv: []string{"cat"}, StdinOpen: true})
	started := time.Now()
	code, body := a.do("GET", "/v1/execs/w/output?waitMillis=300", nil)
	if code != 200 || len(body) != 0 || time.Since(started) < 250*time.Millisecond {
		t.Fatalf("%d %q after %v", code, body, time.Since(started))
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		a.do("POST", "/v1/execs/w/stdin", "x")
	}()
	if _, body := a.do("GET", "/v1/execs/w/output?waitMillis=10000", nil); parseFrames(t, body).stdout != "x" {
		t.Fatalf("long poll got %q", body)
	}
	a.do("POST", "/v1/execs/w/kill", nil)
}

func TestAReadBeforeTheExecStartsWaitsForIt(t *testing.T) {
	a := newAgent(t)
	go func() {
		time.Sleep(200 * time.Millisecond)
		a.start("late", execRequest{Argv: []string{"echo", "late"}})
	}()
	code, body := a.do("GET", "/v1/execs/late/output?waitMillis=10000", nil)
	if code != 200 || parseFrames(t, body).frames == 0 {
		t.Fatalf("%d %q", code, body)
	}
	if code, _ := a.do("GET", "/v1/execs/never/output?waitMillis=100", nil); code != http.StatusNotFound {
		t.Fatalf("a read of an exec that never starts answered %d", code)
	}
}

func TestALingeringReadTakesABurstInOnePiece(t *testing.T) {
	a := newAgent(t)
	// the read waits for output; the burst's first piece starts its linger, the second comes in it
	a.start("burst", execRequest{Argv: []string{"sh", "-c", "sleep 0.3; printf 'one '; sleep 0.05; printf two; sleep 5"}})
	_, body := a.do("GET", "/v1/execs/burst/output?waitMillis=10000&lingerMillis=1000", nil)
	if got := parseFrames(t, body).stdout; got != "one two" {
		t.Fatalf("one read got %q", got)
	}
	a.do("POST", "/v1/execs/burst/kill", nil)
}

func TestATimeoutKillsTheWholeProcessGroup(t *testing.T) {
	a := newAgent(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	a.start("t", execRequest{Argv: []string{"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"}, TimeoutMillis: 300})
	r := a.follow("t", 0)
	if r.exit.ExitCode != 124 || !r.exit.TimedOut {
		t.Fatalf("exit %+v", r.exit)
	}
	b, _ := os.ReadFile(pidFile)
	var pid int
	fmt.Sscan(string(b), &pid)
	if pid == 0 {
		t.Fatal("no pid recorded")
	}
	// SIGKILL is sent with the timeout; the child is gone (or a zombie of init) soon after
	waitFor(t, func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || strings.Contains(string(stat), ") Z")
	})
}

func TestKillEndsTheCommand(t *testing.T) {
	a := newAgent(t)
	a.start("k", execRequest{Argv: []string{"sleep", "60"}})
	a.do("POST", "/v1/execs/k/kill", nil)
	if r := a.follow("k", 0); r.exit.ExitCode != 137 || !r.exit.Killed {
		t.Fatalf("exit %+v", r.exit)
	}
}

func TestAMissingProgramEndsWith127AndSaysWhy(t *testing.T) {
	a := newAgent(t)
	a.start("m", execRequest{Argv: []string{"no-such-program"}})
	r := a.follow("m", 0)
	if r.exit.ExitCode != 127 || !strings.Contains(r.stderr, "no-such-program") {
		t.Fatalf("%+v", r)
	}
}

func TestABackgroundChildHoldingThePipesDoesNotHoldTheExec(t *testing.T) {
	a := newAgent(t)
	started := time.Now()
	a.start("bg", execRequest{Argv: []string{"sh", "-c", "sleep 30 & echo started"}})
	r := a.follow("bg", 0)
	if r.stdout != "started\n" || r.exit.ExitCode != 0 || time.Since(started) > 10*time.Second {
		t.Fatalf("%+v after %v", r, time.Since(started))
	}
}

func TestLargeOutputArrivesWhole(t *testing.T) {
	a := newAgent(t)
	const mib = 20
	a.start("big", execRequest{Argv: []string{"sh", "-c", fmt.Sprintf("head -c %d /dev/zero | tr '\\0' x", mib<<20)}})
	req, _ := http.NewRequest("GET", a.url+"/v1/execs/big/output?follow=true", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// read frame by frame, as the worker does, never holding the whole output
	var total int64
	sum := sha256.New()
	var exit exitStatus
	for {
		var h [frameHeader]byte
		if _, err := io.ReadFull(resp.Body, h[:]); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n := int64(binary.BigEndian.Uint32(h[1:]))
		if h[0] == frameExit {
			json.NewDecoder(io.LimitReader(resp.Body, n)).Decode(&exit)
			continue
		}
		if n > maxFramePayload {
			t.Fatalf("frame of %d bytes", n)
		}
		total += n
		io.CopyN(sum, resp.Body, n)
	}
	want := sha256.Sum256(bytes.Repeat([]byte("x"), mib<<20))
	if total != mib<<20 || !bytes.Equal(sum.Sum(nil), want[:]) || exit.ExitCode != 0 {
		t.Fatalf("got %d bytes, exit %+v", total, exit)
	}
}

func TestUnencryptedHTTP2WithPriorKnowledgeIsServed(t *testing.T) {
	x := newExecs(newProcesses(), t.TempDir(), os.Environ())
	srv := &http.Server{Handler: newAgentServer([]byte(testToken), x, func() *execution { return nil }, "test").handler(),
		Protocols: new(http.Protocols)}
	srv.Protocols.SetUnencryptedHTTP2(true)
	srv.Protocols.SetHTTP1(true)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	req, _ := http.NewRequest("PUT", "http://"+ln.Addr().String()+"/v1/execs/h2", strings.NewReader(`{"argv":["true"]}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusCreated {
		t.Fatalf("%s %d", resp.Proto, resp.StatusCode)
	}
}

// ---- the agent as a container's command: a real process

// lockedBuffer is written by the process's copier while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func agentProcess(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte(testToken+"\n"), 0o600)
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(os.Args[0], append([]string{"run", "--token-file", token, "--listen", "127.0.0.1:0", "--state-dir", t.TempDir(), "--ready-file", ready}, args...)...)
	cmd.Env = append(os.Environ(), "SANDBOX_AGENT_TEST_MAIN=1")
	var out, errs lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// serving means its signal handlers are in place (they are installed first)
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
	readyFiles[cmd] = ready
	return cmd, &out, &errs
}

// readyFiles are the ready files of the agent processes the tests started.
var readyFiles = map[*exec.Cmd]string{}

// readyAddress is where the agent process cmd listens.
func readyAddress(t *testing.T, cmd *exec.Cmd) string {
	b, err := os.ReadFile(readyFiles[cmd])
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestRunPassesTheCommandsOutputAndExitCodeThrough(t *testing.T) {
	cmd, out, errs := agentProcess(t, "--", "sh", "-c", "echo out; echo err >&2; exit 7")
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 7 || out.String() != "out\n" || errs.String() != "err\n" {
		t.Fatalf("%v: stdout %q stderr %q", err, out, errs)
	}
}

func TestTheMainCommandsOutputIsReadLikeAnExecsFromTheStartOrTheEnd(t *testing.T) {
	cmd, _, _ := agentProcess(t, "--", "sh", "-c", "echo first; sleep 10; echo second")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	a := &agent{t: t, url: "http://" + readyAddress(t, cmd), client: http.DefaultClient, token: testToken}
	if _, body := a.do("GET", "/v1/execs/main/output?waitMillis=5000", nil); parseFrames(t, body).stdout != "first\n" {
		t.Fatalf("from the start: %q", body)
	}
	code, body := a.do("GET", "/v1/execs/main/output?offset=-1&waitMillis=0", nil)
	if code != 200 || len(body) != 0 {
		t.Fatalf("from the end: %d %q", code, body)
	}
}

func TestAFollowerOfTheMainCommandReadsItsEndBeforeTheAgentExits(t *testing.T) {
	cmd, _, _ := agentProcess(t, "--", "sh", "-c", "sleep 0.3; for i in 1 2 3 4 5; do echo $i; done; exit 4")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	a := &agent{t: t, url: "http://" + readyAddress(t, cmd), client: http.DefaultClient, token: testToken}
	var got bytes.Buffer
	offset := 0
	for i := 0; i < 100; i++ {
		code, body := a.do("GET", fmt.Sprintf("/v1/execs/main/output?offset=%d&waitMillis=5000&lingerMillis=1", offset), nil)
		if code != 200 {
			t.Fatalf("read %d answered %d %s", i, code, body)
		}
		got.Write(body)
		offset += len(body)
		if r := parseFrames(t, got.Bytes()); r.exit.ExitCode == 4 {
			if r.stdout != "1\n2\n3\n4\n5\n" {
				t.Fatalf("followed %q", r.stdout)
			}
			return
		}
	}
	t.Fatal("the exit frame never came")
}

func TestRunForwardsSigtermToTheCommand(t *testing.T) {
	cmd, out, _ := agentProcess(t, "--", "sh", "-c", "trap 'echo bye; exit 9' TERM; echo ready; while :; do sleep 0.1; done")
	waitFor(t, func() bool { return strings.Contains(out.String(), "ready") })
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 9 || !strings.Contains(out.String(), "bye") {
		t.Fatalf("exit %d, stdout %q", cmd.ProcessState.ExitCode(), out)
	}
}

func TestIdleRunStopsCleanlyOnSigterm(t *testing.T) {
	cmd, out, errs := agentProcess(t, "--idle")
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 0 || out.String() != "" || errs.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", cmd.ProcessState.ExitCode(), out, errs)
	}
}

func TestAMainCommandThatCannotStartSaysWhyOnStderrAndEndsWith127(t *testing.T) {
	cmd, _, errs := agentProcess(t, "--", "no-such-program")
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 127 || !strings.Contains(errs.String(), "no-such-program") {
		t.Fatalf("exit %d, stderr %q", cmd.ProcessState.ExitCode(), errs)
	}
}

func TestAnAgentThatCannotServeEndsWithItsOwnReason(t *testing.T) {
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte(testToken), 0o600)
	log := filepath.Join(t.TempDir(), "termination-log")
	code, err := run([]string{"--token-file", token, "--listen", busy.Addr().String(),
		"--state-dir", t.TempDir(), "--termination-log", log, "--", "true"})
	message, _ := os.ReadFile(log)
	if code != exitAgentLost || err == nil || !strings.HasPrefix(string(message), agentLostPrefix) {
		t.Fatalf("exit %d, %v, termination message %q", code, err, message)
	}
}

func TestRunRefusesAShortTokenAndAMissingCommand(t *testing.T) {
	short := filepath.Join(t.TempDir(), "token")
	os.WriteFile(short, []byte("short"), 0o600)
	log := filepath.Join(t.TempDir(), "termination-log")
	if _, err := run([]string{"--token-file", short, "--termination-log", log, "--", "true"}); err == nil || !strings.Contains(err.Error(), "shorter than 16") {
		t.Errorf("short token: %v", err)
	}
	if _, err := run([]string{"--token-file", short}); err == nil || !strings.Contains(err.Error(), "command") {
		t.Errorf("no command: %v", err)
	}
	if _, err := run([]string{"--", "true"}); err == nil || !strings.Contains(err.Error(), "--token-file") {
		t.Errorf("no token: %v", err)
	}
}

func TestInstallCopiesAnExecutableAgent(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "sandbox-agent")
	if err := install(dest); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dest)
	if err != nil || info.Mode().Perm() != 0o755 || info.Size() == 0 {
		t.Fatalf("%v %v", info, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ---- a warm pool's pod: nothing runs until a sandbox claims it

func TestAPoolPodRunsNothingUntilClaimedThenRunsTheSandboxsCommandWithItsEnvironment(t *testing.T) {
	cmd, out, errs := agentProcess(t, "--pooled")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	a := &agent{t: t, url: "http://" + readyAddress(t, cmd), client: http.DefaultClient, token: testToken}
	if code, body := a.do("PUT", "/v1/execs/early", execRequest{Argv: []string{"true"}}); code != http.StatusConflict || !strings.Contains(string(body), "NotClaimed") {
		t.Fatalf("exec before the claim: %d %s", code, body)
	}
	if code, body := a.do("GET", "/v1/main", nil); code != http.StatusNotFound {
		t.Fatalf("main before the claim: %d %s", code, body)
	}
	claim := claimRequest{Sandbox: "s1", Command: []string{"sh", "-c", "echo $GREETING in $(pwd); sleep 0.5; exit 5"},
		Env: map[string]string{"GREETING": "hi"}, Workdir: "/"}
	if code, body := a.do("POST", "/v1/claim", claim); code != http.StatusCreated || !strings.Contains(string(body), `"sandbox":"s1"`) {
		t.Fatalf("claim: %d %s", code, body)
	}
	if code, body := a.do("POST", "/v1/claim", claim); code != http.StatusOK {
		t.Fatalf("the same claim again (a retry): %d %s", code, body)
	}
	other := claimRequest{Sandbox: "s2", Command: claim.Command, Env: claim.Env}
	if code, body := a.do("POST", "/v1/claim", other); code != http.StatusConflict || !strings.Contains(string(body), "AlreadyClaimed") {
		t.Fatalf("another sandbox's claim: %d %s", code, body)
	}
	a.start("after", execRequest{Argv: []string{"sh", "-c", "echo $GREETING"}})
	if r := a.follow("after", 0); r.stdout != "hi\n" {
		t.Fatalf("an exec after the claim sees the sandbox's environment: %+v", r)
	}
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 5 || out.String() != "hi in /\n" || errs.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", cmd.ProcessState.ExitCode(), out, errs)
	}
}

func TestAPoolPodClaimedByAnIdleSandboxServesExecsAndStopsOnSigterm(t *testing.T) {
	cmd, out, _ := agentProcess(t, "--pooled")
	a := &agent{t: t, url: "http://" + readyAddress(t, cmd), client: http.DefaultClient, token: testToken}
	if code, body := a.do("POST", "/v1/claim", claimRequest{Sandbox: "idle-1", Env: map[string]string{"X": "1"}}); code != http.StatusCreated || !strings.Contains(string(body), `"idle":true`) {
		t.Fatalf("claim: %d %s", code, body)
	}
	a.start("e", execRequest{Argv: []string{"sh", "-c", "echo x=$X"}})
	if r := a.follow("e", 0); r.stdout != "x=1\n" {
		t.Fatalf("exec: %+v", r)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 0 || out.String() != "" {
		t.Fatalf("exit %d, stdout %q", cmd.ProcessState.ExitCode(), out)
	}
}

func TestAClaimIsRefusedByAnAgentStartedForItsSandboxAndWhenMalformed(t *testing.T) {
	a := newAgent(t)
	if code, body := a.do("POST", "/v1/claim", claimRequest{Sandbox: "s"}); code != http.StatusConflict || !strings.Contains(string(body), "NotPooled") {
		t.Fatalf("not pooled: %d %s", code, body)
	}
	c := newClaims(true, newExecs(newProcesses(), t.TempDir(), nil), func(*execution) {})
	if _, err := c.claim(claimRequest{}); err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Fatalf("no sandbox: %v", err)
	}
	if _, err := c.claim(claimRequest{Sandbox: "s", Command: []string{""}}); err == nil {
		t.Fatal("an empty program was accepted")
	}
	if c.open() {
		t.Fatal("a refused claim opened the pod")
	}
	for _, args := range [][]string{{"--token-file", "t", "--pooled", "--", "true"}, {"--token-file", "t", "--pooled", "--idle"}} {
		if _, err := parseRun(args); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
}
