package steps

import (
	"fmt"
)

// noteTrustAnchors records, for each endpoint whose certificate chain
// verified, which trust anchor decided it and where that anchor came from
// (harness/trust). A decision that rested on a CA the target's own profile
// supplied is marked: the vendor chose the anchor it was judged by.
func (s *tlsState) noteTrustAnchors(w *World) {
	if w.env.Trust == nil {
		return
	}
	for _, es := range s.scans {
		if es.Result == nil {
			continue
		}
		for _, ch := range es.Result.Chains {
			if !ch.Trusted || len(ch.Certs) == 0 {
				continue
			}
			root := ch.Certs[len(ch.Certs)-1]
			if ch.Anchor != nil {
				root = *ch.Anchor
			}
			a := w.env.Trust.TLSDecision(es.Address, root.SHA256, root.Subject)
			if a.Vendor() {
				w.Note(fmt.Sprintf("%s: certificate trust rests on a VENDOR-SUPPLIED private CA %q (profile ca_file %s), not on an operator anchor or the system roots; pin the CA with --trust to decide it yourself",
					es.Address, a.Subject, a.File))
			} else {
				w.Note(fmt.Sprintf("%s: certificate trust rests on %s (%s)", es.Address, orSystem(a.Subject), a.Source))
			}
			break // one decision per endpoint: the full handshake's chain comes first
		}
	}
}

func orSystem(subject string) string {
	if subject == "" {
		return "the system roots"
	}
	return fmt.Sprintf("%q", subject)
}
