package main

import (
	"errors"
	"fmt"
	"sync"
)

// claimRequest is what the worker sends when it gives a warm pool pod to a sandbox: the
// sandbox's name, its command (none: the sandbox idles), environment and working directory,
// none of which the pod was created with.
type claimRequest struct {
	Sandbox string            `json:"sandbox"`
	Command []string          `json:"command,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	Workdir string            `json:"workdir,omitempty"`
}

// claimState is what GET and POST /v1/claim answer.
type claimState struct {
	Pooled  bool   `json:"pooled"`
	Sandbox string `json:"sandbox,omitempty"`
	Idle    bool   `json:"idle"`
}

var (
	errNotPooled      = errors.New("this agent was not started as a pool pod's (--pooled)")
	errAlreadyClaimed = errors.New("already claimed")
)

// claims holds a pool pod's one claim. The first sets the sandbox's environment for every
// command and starts its command as the main process; the same claim again (a retried call)
// answers the same; any other is refused: a pod serves one sandbox for its life and never
// returns to its pool. Until claimed, the pod runs nothing and refuses execs.
type claims struct {
	pooled  bool
	execs   *execs
	onMain  func(*execution) // called with the main process before the claim is answered
	claimed chan struct{}    // closed by the first claim

	mu      sync.Mutex
	request *claimRequest
	print   string
}

func newClaims(pooled bool, x *execs, onMain func(*execution)) *claims {
	c := &claims{pooled: pooled, execs: x, onMain: onMain, claimed: make(chan struct{})}
	if !pooled {
		close(c.claimed)
	}
	return c
}

// open is whether commands may run: always, except on a pool pod not yet claimed.
func (c *claims) open() bool {
	select {
	case <-c.claimed:
		return true
	default:
		return false
	}
}

func (c *claims) state() claimState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := claimState{Pooled: c.pooled, Idle: true}
	if c.request != nil {
		s.Sandbox, s.Idle = c.request.Sandbox, len(c.request.Command) == 0
	}
	return s
}

// claim gives the pod to req.Sandbox; created is false when this very claim was made before.
func (c *claims) claim(req claimRequest) (created bool, err error) {
	if !c.pooled {
		return false, errNotPooled
	}
	if req.Sandbox == "" {
		return false, errors.New("sandbox must name the sandbox that claims this pod")
	}
	if len(req.Command) > 0 && req.Command[0] == "" {
		return false, errors.New("command must not start with an empty argument")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	print := fingerprint(execRequest{Argv: append([]string{req.Sandbox, req.Workdir}, req.Command...), Env: req.Env})
	if c.request != nil {
		if c.print != print {
			return false, fmt.Errorf("%w by sandbox %q", errAlreadyClaimed, c.request.Sandbox)
		}
		return false, nil
	}
	c.execs.setEnv(req.Env)
	if len(req.Command) > 0 {
		m, err := c.execs.startMain(req.Command, req.Workdir)
		if err != nil {
			return false, err
		}
		c.onMain(m)
	}
	c.request, c.print = &req, print
	close(c.claimed)
	return true, nil
}
