package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// execRequest is one command to run, as the worker sends it. Stdin is either given whole
// (then closed, so the command sees end of input) or left open for later writes.
type execRequest struct {
	Argv          []string          `json:"argv"`
	Env           map[string]string `json:"env,omitempty"`
	Workdir       string            `json:"workdir,omitempty"`
	Stdin         *string           `json:"stdin,omitempty"`
	StdinOpen     bool              `json:"stdinOpen,omitempty"`
	TimeoutMillis int64             `json:"timeoutMillis,omitempty"`
}

// exitStatus is the payload of an exec's exit frame and part of its state.
type exitStatus struct {
	ExitCode int    `json:"exitCode"`
	TimedOut bool   `json:"timedOut,omitempty"`
	Killed   bool   `json:"killed,omitempty"`
	Error    string `json:"error,omitempty"`
}

// execState is what GET /v1/execs/{id} answers.
type execState struct {
	ID         string      `json:"id"`
	Argv       []string    `json:"argv"`
	Running    bool        `json:"running"`
	Exit       *exitStatus `json:"exit,omitempty"`
	StartedAt  time.Time   `json:"startedAt"`
	EndedAt    *time.Time  `json:"endedAt,omitempty"`
	OutputSize int64       `json:"outputSize"`
}

var execIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

var errConflict = errors.New("conflict")

// execution is one started command. Its output and exit status stay readable after it ended,
// for as long as the agent runs, so a caller that lost its connection (or its whole worker)
// re-attaches with the same ID and reads from the offset it had.
type execution struct {
	id          string
	request     execRequest
	fingerprint string
	log         *frameLog
	startedAt   time.Time
	tee         [2]io.Writer // where stdout and stderr also go (the main process: the agent's own)

	mu       sync.Mutex
	pgid     int
	stdin    *os.File
	endedAt  *time.Time
	timedOut bool
	killed   bool
}

func (e *execution) state() execState {
	e.mu.Lock()
	defer e.mu.Unlock()
	size, _, _ := e.log.state()
	s := execState{ID: e.id, Argv: e.request.Argv, StartedAt: e.startedAt, EndedAt: e.endedAt, OutputSize: size}
	if payload := e.log.exitPayload(); payload != nil {
		var exit exitStatus
		if json.Unmarshal(payload, &exit) == nil {
			s.Exit = &exit
		}
	} else {
		s.Running = true
	}
	return s
}

// kill sends SIGKILL to the command's process group.
func (e *execution) kill(timedOut bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.endedAt != nil || e.pgid == 0 {
		return
	}
	if timedOut {
		e.timedOut = true
	} else {
		e.killed = true
	}
	_ = syscall.Kill(-e.pgid, syscall.SIGKILL)
}

// signal passes sig to the command's first process (as the kubelet would signal a container's).
func (e *execution) signal(sig syscall.Signal) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.endedAt == nil && e.pgid != 0 {
		_ = syscall.Kill(e.pgid, sig)
	}
}

// writeStdin appends to an open stdin; eof closes it.
func (e *execution) writeStdin(r io.Reader, eof bool) error {
	e.mu.Lock()
	stdin := e.stdin
	e.mu.Unlock()
	if stdin == nil {
		return fmt.Errorf("exec %s has no open stdin", e.id)
	}
	if _, err := io.Copy(stdin, r); err != nil {
		return fmt.Errorf("writing stdin of exec %s: %w", e.id, err)
	}
	if eof {
		e.mu.Lock()
		e.stdin = nil
		e.mu.Unlock()
		return stdin.Close()
	}
	return nil
}

// execs holds every exec of this agent by ID.
type execs struct {
	procs   *processes
	dir     string
	baseEnv atomic.Pointer[[]string] // the environment every command starts from
	// drainWait bounds how long output is read after the command exited: a background child
	// that inherited the pipes would otherwise hold the exec open until it ends.
	drainWait time.Duration

	mu      sync.Mutex
	byID    map[string]*execution
	started chan struct{} // closed and replaced whenever an exec starts
}

func newExecs(procs *processes, dir string, baseEnv []string) *execs {
	x := &execs{procs: procs, dir: dir, drainWait: time.Second,
		byID: map[string]*execution{}, started: make(chan struct{})}
	x.baseEnv.Store(&baseEnv)
	return x
}

// setEnv adds env to the environment of every command started from now on (a claimed pool
// pod's sandbox environment, which the pod was created without).
func (x *execs) setEnv(env map[string]string) {
	merged := mergeEnv(*x.baseEnv.Load(), env)
	x.baseEnv.Store(&merged)
}

func (x *execs) get(id string) *execution {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.byID[id]
}

// await is get, waiting up to wait for the exec to start: a reader may come before the call
// that starts the exec (a client streams an exec whose start is still on its way).
func (x *execs) await(ctx context.Context, id string, wait time.Duration) *execution {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		x.mu.Lock()
		e, started := x.byID[id], x.started
		x.mu.Unlock()
		if e != nil {
			return e
		}
		select {
		case <-started:
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

func (x *execs) list() []execState {
	x.mu.Lock()
	all := make([]*execution, 0, len(x.byID))
	for _, e := range x.byID {
		all = append(all, e)
	}
	x.mu.Unlock()
	states := make([]execState, 0, len(all))
	for _, e := range all {
		states = append(states, e.state())
	}
	sort.Slice(states, func(i, j int) bool { return states[i].StartedAt.Before(states[j].StartedAt) })
	return states
}

func fingerprint(r execRequest) string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// start runs the request under id, or returns the existing exec of that ID when the request is
// the same (created false). A different request under a used ID is errConflict: an ID names one
// command for the agent's lifetime, so a retry can never run a command twice.
func (x *execs) start(id string, req execRequest) (*execution, bool, error) {
	if !execIDPattern.MatchString(id) || id == mainID {
		return nil, false, fmt.Errorf("exec id %q must match %s and must not be %q", id, execIDPattern, mainID)
	}
	if len(req.Argv) == 0 || req.Argv[0] == "" {
		return nil, false, errors.New("argv must not be empty")
	}
	if req.TimeoutMillis < 0 {
		return nil, false, errors.New("timeoutMillis must not be negative")
	}
	fp := fingerprint(req)
	x.mu.Lock()
	defer x.mu.Unlock()
	if e, ok := x.byID[id]; ok {
		if e.fingerprint != fp {
			return e, false, fmt.Errorf("%w: exec %s already runs another command", errConflict, id)
		}
		return e, false, nil
	}
	log, err := newFrameLog(filepath.Join(x.dir, id+".out"))
	if err != nil {
		return nil, false, err
	}
	e := &execution{id: id, request: req, fingerprint: fp, log: log, startedAt: time.Now()}
	x.byID[id] = e
	close(x.started)
	x.started = make(chan struct{})
	x.launch(e)
	return e, true, nil
}

// startMain runs the sandbox's own command. Its output goes to the agent's stdout and stderr
// unchanged (so the container's logs are what they were without the agent) and to an output log
// that followers read like an exec's.
func (x *execs) startMain(argv []string, workdir string) (*execution, error) {
	log, err := newFrameLog(filepath.Join(x.dir, mainID+".out"))
	if err != nil {
		return nil, err
	}
	e := &execution{id: mainID, request: execRequest{Argv: argv, Workdir: workdir}, log: log, startedAt: time.Now(),
		tee: [2]io.Writer{os.Stdout, os.Stderr}}
	x.launch(e)
	return e, nil
}

// mainID names the main process's output log; exec IDs cannot take it (they start with a letter
// or digit and the main one is reserved).
const mainID = "main"

// launch starts the command; a command that cannot start ends at once with 127 (not found) or
// 126 (not executable, bad workdir) and the reason on stderr, as a shell would report it.
func (x *execs) launch(e *execution) {
	req := e.request
	env := mergeEnv(*x.baseEnv.Load(), req.Env)
	stdinR, stdinW, err := stdinFor(req)
	if err != nil {
		x.finish(e, exitStatus{ExitCode: 126, Error: err.Error()})
		return
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		x.finish(e, exitStatus{ExitCode: 126, Error: err.Error()})
		return
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		outR.Close()
		outW.Close()
		x.finish(e, exitStatus{ExitCode: 126, Error: err.Error()})
		return
	}
	pid, done, err := x.procs.start(req.Argv, env, req.Workdir, []*os.File{stdinR, outW, errW})
	stdinR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		if stdinW != nil {
			stdinW.Close()
		}
		code := 126
		if errors.Is(err, errNotFound) || errors.Is(err, os.ErrNotExist) {
			code = 127
		}
		msg := fmt.Sprintf("%s: %v\n", req.Argv[0], err)
		if e.tee[1] != nil {
			_, _ = io.WriteString(e.tee[1], msg)
		}
		_ = e.log.append(frameStderr, []byte(msg))
		x.finish(e, exitStatus{ExitCode: code, Error: err.Error()})
		return
	}
	e.mu.Lock()
	e.pgid = pid
	e.mu.Unlock()
	if req.Stdin != nil {
		go func() {
			_, _ = io.WriteString(stdinW, *req.Stdin)
			stdinW.Close()
		}()
	} else if req.StdinOpen {
		e.mu.Lock()
		e.stdin = stdinW
		e.mu.Unlock()
	}
	var timer *time.Timer
	if req.TimeoutMillis > 0 {
		timer = time.AfterFunc(time.Duration(req.TimeoutMillis)*time.Millisecond, func() { e.kill(true) })
	}
	drained := make(chan struct{}, 2)
	go pump(e.log, frameStdout, outR, e.tee[0], drained)
	go pump(e.log, frameStderr, errR, e.tee[1], drained)
	go func() {
		status := <-done
		if timer != nil {
			timer.Stop()
		}
		waitDrained(drained, 2, x.drainWait, outR, errR)
		e.mu.Lock()
		exit := exitStatus{ExitCode: exitCode(status), TimedOut: e.timedOut, Killed: e.killed}
		stdin := e.stdin
		e.stdin = nil
		e.mu.Unlock()
		if exit.TimedOut {
			exit.ExitCode = 124 // as GNU timeout reports it
		}
		if stdin != nil {
			stdin.Close()
		}
		x.finish(e, exit)
	}()
}

func (x *execs) finish(e *execution, exit exitStatus) {
	payload, _ := json.Marshal(exit)
	now := time.Now()
	e.mu.Lock()
	e.endedAt = &now
	e.mu.Unlock()
	_ = e.log.end(payload)
}

// pump copies one pipe into the log (and to tee, when set) until it closes.
func pump(log *frameLog, kind byte, r *os.File, tee io.Writer, drained chan<- struct{}) {
	buf := make([]byte, maxFramePayload)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if tee != nil {
				_, _ = tee.Write(buf[:n])
			}
			_ = log.append(kind, buf[:n])
		}
		if err != nil {
			break
		}
	}
	drained <- struct{}{}
}

// waitDrained waits for n pumps, closing the pipes after wait so that a pipe held open by a
// lingering background process does not keep the exec from ending.
func waitDrained(drained <-chan struct{}, n int, wait time.Duration, pipes ...*os.File) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for n > 0 {
		select {
		case <-drained:
			n--
		case <-deadline.C:
			for _, p := range pipes {
				_ = p.SetReadDeadline(time.Now())
			}
			for ; n > 0; n-- {
				<-drained
			}
		}
	}
	for _, p := range pipes {
		p.Close()
	}
}

func stdinFor(req execRequest) (r, w *os.File, err error) {
	if req.Stdin == nil && !req.StdinOpen {
		r, err = os.Open(os.DevNull)
		return r, nil, err
	}
	return os.Pipe()
}

// mergeEnv is base with overrides applied (an override replaces a variable of the same name).
func mergeEnv(base []string, overrides map[string]string) []string {
	if len(overrides) == 0 {
		return base
	}
	env := make([]string, 0, len(base)+len(overrides))
	for _, kv := range base {
		name := kv
		if i := strings.IndexByte(kv, '='); i >= 0 {
			name = kv[:i]
		}
		if _, ok := overrides[name]; !ok {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+overrides[k])
	}
	return env
}
