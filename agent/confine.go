package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// A NetworkPolicy confines a pod only once the network plugin has programmed it, and some plugins
// do so only after they have seen the pod's address: kube-router on a loaded node let a new pod
// under a deny-all policy connect out for more than a second. A sandbox whose egress denies all
// must not run a moment unconfined, so the agent (started with --await-confined) first checks
// that the Kubernetes API server's Service, which every pod may reach unless a policy says
// otherwise, no longer accepts its connections, and starts the command only then. The worker asks
// for this only where it found at start-up that policies are enforced, so a cluster that ignores
// them is not kept waiting.

// confinedProbeTimeout is how long one connection attempt may take: an unconfined pod reaches the
// Service within milliseconds, a confined one's packets are dropped and it times out. One failed
// attempt is not enough: a busy node may be slow to answer, or the Service may refuse for a moment
// while the API server restarts, and either would let the command start unconfined; so
// confinedFailures attempts in a row must fail.
const (
	confinedProbeTimeout = 300 * time.Millisecond
	confinedProbePause   = 100 * time.Millisecond
	confinedFailures     = 3
)

// serviceAddress is the API server Service's address, which the kubelet gives every pod.
func serviceAddress(getenv func(string) string) (string, error) {
	host, port := getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return "", errors.New("--await-confined needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, which the kubelet sets in every pod")
	}
	return net.JoinHostPort(host, port), nil
}

// dialOnce opens one TCP connection to target and closes it; an error means none was made.
func dialOnce(target string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", target, timeout)
	if err != nil {
		return err
	}
	return conn.Close()
}

// awaitConfined returns nil once confinedFailures connection attempts to target in a row have
// failed, the signal that came first when one comes (the pod is being stopped: nothing is to
// start), and an error when target still accepts connections after limit: the pod's policy does
// not hold, and nothing must start.
func awaitConfined(target string, limit time.Duration, dial func(string, time.Duration) error, signals <-chan os.Signal) (os.Signal, error) {
	deadline := time.Now().Add(limit)
	failures := 0
	for {
		if dial(target, confinedProbeTimeout) != nil {
			failures++
			if failures >= confinedFailures {
				return nil, nil
			}
		} else {
			failures = 0
			if !time.Now().Before(deadline) {
				return nil, fmt.Errorf("the pod's egress is still open after %s (%s accepts its connections): its deny-all NetworkPolicy is not enforced, so the sandbox's command was not started", limit, target)
			}
		}
		select {
		case sig := <-signals:
			return sig, nil
		case <-time.After(confinedProbePause):
		}
	}
}
