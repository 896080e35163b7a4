package main

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// processes starts children and collects their exit statuses. As a container's first process
// the agent also inherits every orphan of the sandbox and must reap them all (or they stay
// zombies), so there it reaps with wait4(-1); elsewhere (tests, a non-init agent) it waits only
// for its own children. Starting holds the lock until the child is registered, and reaping takes
// the lock before it dispatches a status, so a child that exits at once is never lost. One per
// process: two would steal each other's statuses.
type processes struct {
	mu      sync.Mutex
	waiting map[int]chan syscall.WaitStatus
	init    bool
}

var (
	theProcesses     *processes
	theProcessesOnce sync.Once
)

func newProcesses() *processes {
	theProcessesOnce.Do(func() {
		p := &processes{waiting: map[int]chan syscall.WaitStatus{}, init: os.Getpid() == 1}
		sigchld := make(chan os.Signal, 64)
		signal.Notify(sigchld, syscall.SIGCHLD)
		go func() {
			for range sigchld {
				p.reap()
			}
		}()
		theProcesses = p
	})
	return theProcesses
}

// start runs argv as a new process group leader (so a timeout or kill reaches its children) and
// returns its pid and a channel that receives its exit status once.
func (p *processes) start(argv []string, env []string, dir string, files []*os.File) (int, <-chan syscall.WaitStatus, error) {
	path, err := lookPath(argv[0], env)
	if err != nil {
		return 0, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{
		Dir:   dir,
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	if err != nil {
		return 0, nil, err
	}
	done := make(chan syscall.WaitStatus, 1)
	p.waiting[proc.Pid] = done
	pid := proc.Pid
	_ = proc.Release()
	return pid, done, nil
}

func (p *processes) reap() {
	if p.init {
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if pid <= 0 || err != nil {
				return
			}
			p.dispatch(pid, status)
		}
	}
	p.mu.Lock()
	pids := make([]int, 0, len(p.waiting))
	for pid := range p.waiting {
		pids = append(pids, pid)
	}
	p.mu.Unlock()
	for _, pid := range pids {
		var status syscall.WaitStatus
		if got, err := syscall.Wait4(pid, &status, syscall.WNOHANG, nil); got == pid && err == nil {
			p.dispatch(pid, status)
		}
	}
}

func (p *processes) dispatch(pid int, status syscall.WaitStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done, ok := p.waiting[pid]; ok {
		delete(p.waiting, pid)
		done <- status
	}
}

// exitCode is a status as a shell reports it: the code, or 128 + the signal's number.
func exitCode(status syscall.WaitStatus) int {
	if status.Signaled() {
		return 128 + int(status.Signal())
	}
	return status.ExitStatus()
}

var errNotFound = errors.New("executable file not found in PATH")

// lookPath resolves a program name as execvp does, with the PATH of the command's environment
// (not the agent's), so an exec sees the same programs as `kubectl exec` would.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", errNotFound
}
