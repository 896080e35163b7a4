package main

import (
	"errors"
	"fmt"
	"net"
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
// Service within milliseconds, a confined one's packets are dropped and it times out.
const (
	confinedProbeTimeout = 300 * time.Millisecond
	confinedProbePause   = 100 * time.Millisecond
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

// awaitConfined returns once target refuses a connection (or lets it time out), and an error when
// it still accepts them after limit: the pod's policy does not hold, and nothing must start.
func awaitConfined(target string, limit time.Duration, dial func(string, time.Duration) error) error {
	deadline := time.Now().Add(limit)
	for {
		if dial(target, confinedProbeTimeout) != nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("the pod's egress is still open after %s (%s accepts its connections): its deny-all NetworkPolicy is not enforced, so the sandbox's command was not started", limit, target)
		}
		time.Sleep(confinedProbePause)
	}
}
