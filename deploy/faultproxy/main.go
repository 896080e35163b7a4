// faultproxy is an HTTPS reverse proxy to the Kubernetes API server that injects faults into a
// fraction of the requests: connection resets (before forwarding, or after it so that the
// answer is lost), delays, and 429 (with Retry-After), 500 and 503 answers. It exists for the
// end-to-end suite (FaultInjectionClusterTest): every sandbox operation must still end
// correctly or with a clear typed error, with no twin pods and no leaks.
//
//	faultproxy -upstream https://127.0.0.1:6443 -seed 7 -429 0.1 -500 0.05 -503 0.05 \
//	    -reset 0.03 -delay 0.05 -cert-out proxy-ca.crt
//
// It prints one line, `ready {"proxy":"https://...","admin":"http://..."}`, once it listens;
// GET <admin>/__faults returns the counters as JSON. Every address involved must be loopback.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("faultproxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "proxy address (loopback)")
	admin := fs.String("admin", "127.0.0.1:0", "admin address serving /__faults (loopback)")
	upstreamFlag := fs.String("upstream", "https://127.0.0.1:6443", "the API server (loopback)")
	upstreamCA := fs.String("upstream-ca", "", "CA file to verify the upstream; empty: not verified")
	certOut := fs.String("cert-out", "", "where to write the proxy's self-signed certificate (PEM)")
	seed := fs.Uint64("seed", 1, "seed of the fault sequence")
	var r Rates
	fs.Float64Var(&r.Reset, "reset", 0, "probability of a connection reset before forwarding")
	fs.Float64Var(&r.Lost, "lost", 0, "probability of a reset after forwarding (the answer is lost; not for streams)")
	fs.Float64Var(&r.TooMany, "429", 0, "probability of a 429 answer with Retry-After")
	fs.Float64Var(&r.ServerError, "500", 0, "probability of a 500 answer")
	fs.Float64Var(&r.Unavailable, "503", 0, "probability of a 503 answer")
	fs.Float64Var(&r.Delay, "delay", 0, "probability of an added delay (independent of the others)")
	fs.DurationVar(&r.DelayMin, "delay-min", 500*time.Millisecond, "shortest added delay")
	fs.DurationVar(&r.DelayMax, "delay-max", 2*time.Second, "longest added delay")
	fs.DurationVar(&r.RetryAfter, "retry-after", time.Second, "Retry-After of 429 answers (whole seconds)")
	fs.BoolVar(&r.Streams, "streams", true, "also fault the start of watch, log-follow and exec requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	upstream, err := url.Parse(*upstreamFlag)
	if err != nil || upstream.Scheme != "https" {
		return fmt.Errorf("-upstream %q: want https://host:port", *upstreamFlag)
	}
	for _, a := range []string{*listen, *admin, upstream.Host} {
		if err := loopback(a); err != nil {
			return err
		}
	}
	upstreamTLS := &tls.Config{InsecureSkipVerify: true} // loopback only, see above
	if *upstreamCA != "" {
		pemBytes, err := os.ReadFile(*upstreamCA)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return fmt.Errorf("-upstream-ca %s holds no certificate", *upstreamCA)
		}
		upstreamTLS = &tls.Config{RootCAs: pool}
	}
	injector, err := NewInjector(*seed, r)
	if err != nil {
		return err
	}
	cert, certPEM, err := selfSigned()
	if err != nil {
		return err
	}
	if *certOut != "" {
		if err := os.WriteFile(*certOut, certPEM, 0o644); err != nil {
			return err
		}
	}
	logger := log.New(os.Stderr, "faultproxy ", log.LstdFlags|log.Lmicroseconds)

	proxyLn, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	adminLn, err := net.Listen("tcp", *admin)
	if err != nil {
		return err
	}
	proxySrv := &http.Server{
		Handler:   NewProxy(upstream, upstreamTLS, injector, logger),
		ErrorLog:  logger,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		// HTTP/1.1 only: exec and attach are protocol upgrades, which HTTP/2 does not carry
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	adminSrv := &http.Server{Handler: Admin(injector), ErrorLog: logger}
	errs := make(chan error, 2)
	go func() { errs <- proxySrv.ServeTLS(proxyLn, "", "") }()
	go func() { errs <- adminSrv.Serve(adminLn) }()

	ready, _ := json.Marshal(map[string]string{
		"proxy": "https://" + proxyLn.Addr().String(), "admin": "http://" + adminLn.Addr().String()})
	fmt.Printf("ready %s\n", ready)
	logger.Printf("seed %d, rates %+v, upstream %s", *seed, r, upstream)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err = <-errs:
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = proxySrv.Shutdown(ctx)
	_ = adminSrv.Shutdown(ctx)
	final, _ := json.Marshal(injector.Snapshot())
	logger.Printf("counters %s", final)
	if err == http.ErrServerClosed {
		return nil
	}
	return err
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, valid for a day.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "faultproxy"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
