package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/config"
)

// TestServePlainHTTPOffLoopbackRefused: plain HTTP on an address other than loopback stops
// at start with a line that says why and what to do; --insecure-http lifts it.
func TestServePlainHTTPOffLoopbackRefused(t *testing.T) {
	dir := t.TempDir()
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.10:8740", "[::]:0"} {
		_, errOut, code := runCLI(t, nil, "serve", "--data", filepath.Join(dir, "d"), "--addr", addr)
		if code == 0 || !strings.Contains(errOut, "refusing to serve plain HTTP") || !strings.Contains(errOut, "--insecure-http") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q", addr, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); err == nil {
		t.Error("a refused serve still initialised the data folder")
	}
	if err := checkTransport(mustConfig(t, "--addr", "0.0.0.0:8740"), true); err != nil {
		t.Errorf("--insecure-http did not lift the refusal: %v", err)
	}
	for _, addr := range []string{"127.0.0.1:8740", "localhost:8740", "[::1]:8740", "127.0.0.2:8740"} {
		if err := checkTransport(mustConfig(t, "--addr", addr), false); err != nil {
			t.Errorf("%s refused: %v", addr, err)
		}
	}
	if _, errOut, code := runCLI(t, nil, "serve", "--data", filepath.Join(dir, "d"), "--tls-cert", "x.pem"); code == 0 || !strings.Contains(errOut, "tls_key") {
		t.Errorf("a certificate without its key: exit %d, %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "apikey", "list", "--tls-cert", "x.pem"); code == 0 || !strings.Contains(errOut, "flag provided but not defined") && !strings.Contains(errOut, "tls-cert") {
		t.Errorf("apikey accepted a serve-only flag: exit %d, %q", code, errOut)
	}
}

func mustConfig(t *testing.T, args ...string) *config.Config {
	t.Helper()
	e := &Env{Getenv: func(string) string { return "" }}
	fs := newFlagSet(e, "serve", "serve", "")
	cf := addCommonFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg, err := cf.load(e)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestServeTLS: with a certificate and key, serve answers HTTPS (API and console, with
// HSTS), and plain HTTP on that port gets no answer.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	data := filepath.Join(dir, "data")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() {
		done <- run(ctx, e, []string{"serve", "--data", data, "--addr", addr, "--tls-cert", certFile, "--tls-key", keyFile})
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ready := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := client.Get("https://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if ready = res.StatusCode == 200; ready {
				break
			}
		}
	}
	if !ready {
		t.Fatalf("serve did not answer HTTPS; stderr: %s", errb.String())
	}
	res, err := client.Get("https://" + addr + "/console/login")
	if err != nil || res.StatusCode != 200 || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("console over HTTPS: %v", err)
	}
	res.Body.Close()
	if plain, err := http.Get("http://" + addr + "/healthz"); err == nil {
		if plain.StatusCode == 200 {
			t.Error("plain HTTP answered on the TLS port")
		}
		plain.Body.Close()
	}
	if !strings.Contains(errb.String(), "https://"+addr+"/console/") {
		t.Errorf("the start line does not give the console's https address")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kinko test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
