// Command burst measures the syslog receiver under a burst: N messages
// from S concurrent TLS senders (mutual TLS, octet counting) on loopback,
// each a DICOM audit message of about 1.6 KB, then prints messages per
// second, the process's peak resident memory and how many were lost. It is
// a measurement, not a test: go run ./harness/syslog/burst [-messages N]
// [-senders S] [-framing non-transparent]. Senders and receiver share the
// process, so the peak memory is an upper bound for the receiver.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/apisec/apisec/harness/syslog"
)

const payload = `<?xml version="1.0" encoding="UTF-8"?><AuditMessage><EventIdentification EventActionCode="R" EventDateTime="2026-11-27T06:00:01.250Z" EventOutcomeIndicator="0"><EventID csd-code="110110" codeSystemName="DCM" originalText="Patient Record"/><EventTypeCode csd-code="read" codeSystemName="http://hl7.org/fhir/restful-interaction" originalText="read"/></EventIdentification><ActiveParticipant UserID="test-user" UserIsRequestor="true" NetworkAccessPointID="192.0.2.7" NetworkAccessPointTypeCode="2"><RoleIDCode csd-code="110153" codeSystemName="DCM" originalText="Source Role ID"/></ActiveParticipant><ActiveParticipant UserID="example-fhir" UserIsRequestor="false"><RoleIDCode csd-code="110152" codeSystemName="DCM" originalText="Destination Role ID"/></ActiveParticipant><AuditSourceIdentification AuditEnterpriseSiteID="URA 12345678" AuditSourceID="example-fhir"><AuditSourceTypeCode csd-code="4" codeSystemName="DCM" originalText="Application Server"/></AuditSourceIdentification><ParticipantObjectIdentification ParticipantObjectID="123" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1"><ParticipantObjectIDTypeCode csd-code="2" codeSystemName="RFC-3881" originalText="Patient Number"/></ParticipantObjectIdentification><ParticipantObjectIdentification ParticipantObjectID="apisec-%08d" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3"><ParticipantObjectIDTypeCode csd-code="XrequestId" codeSystemName="urn:example" originalText="X-Request-ID"/></ParticipantObjectIdentification></AuditMessage>`

func main() {
	messages := flag.Int("messages", 100000, "messages in the burst")
	senders := flag.Int("senders", 8, "concurrent senders")
	framingFlag := flag.String("framing", "octet-counting", "octet-counting or non-transparent")
	flag.Parse()
	if err := run(*messages, *senders, *framingFlag); err != nil {
		fmt.Fprintln(os.Stderr, "burst:", err)
		os.Exit(1)
	}
}

func run(total, senders int, framingName string) error {
	framing, err := syslog.ParseFraming(framingName)
	if err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "burst CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, caKey.Public(), caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv, err := syslog.Issue(ca, caKey, "receiver", []string{"127.0.0.1"}, time.Now())
	if err != nil {
		return err
	}
	r, err := syslog.Listen(syslog.Config{Framing: framing, TLS: &tls.Config{Certificates: []tls.Certificate{srv}, ClientCAs: pool}})
	if err != nil {
		return err
	}
	defer r.Close()

	// Messages are built as they are sent (formatting is cheap), so the
	// peak memory is the receiver's, not a pre-built burst's.
	per := total / senders
	sample, err := syslog.Format(time.Now(), "burst-host", "burst", "IHE+RFC-3881", fmt.Appendf(nil, payload, 0))
	if err != nil {
		return err
	}
	fmt.Printf("burst: %d messages of %d bytes from %d senders, %s framing, GOMAXPROCS %d\n", total, len(sample), senders, framing, runtime.GOMAXPROCS(0))
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cert, err := syslog.Issue(ca, caKey, fmt.Sprintf("sender-%d", s), nil, time.Now())
			if err != nil {
				errs <- err
				return
			}
			snd := &syslog.Sender{Addr: r.Addr(), Framing: framing, TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{cert}}}
			defer snd.Close()
			n := per
			if s == senders-1 {
				n = total - per*(senders-1)
			}
			for i := range n {
				m, err := syslog.Format(time.Now(), "burst-host", "burst", "IHE+RFC-3881", fmt.Appendf(nil, payload, s*per+i))
				if err != nil {
					errs <- err
					return
				}
				if err := snd.Send(context.Background(), m); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	sent := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	waitErr := r.WaitCount(ctx, total)
	elapsed := time.Since(start)
	got := r.Messages(0)
	seen := make(map[string]bool, len(got))
	for _, m := range got {
		seen[m.Msg] = true
	}
	st := r.Stats()
	fmt.Printf("burst: sent in %s; all kept after %s\n", sent.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	fmt.Printf("burst: %.0f messages/s\n", float64(len(got))/elapsed.Seconds())
	fmt.Printf("burst: kept %d, distinct %d, lost %d\n", len(got), len(seen), total-len(seen))
	fmt.Printf("burst: receiver %+v\n", st)
	fmt.Printf("burst: peak RSS %s (VmHWM of this process: the receiver with every message kept, and the senders)\n", peakRSS())
	if waitErr != nil {
		return waitErr
	}
	if len(seen) != total {
		return fmt.Errorf("lost %d messages", total-len(seen))
	}
	return nil
}

func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
