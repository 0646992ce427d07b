package tlsscan

import "context"

// clientRenegotiation would count client-initiated renegotiations.
func (s *scanner) clientRenegotiation(ctx context.Context) ClientRenegotiation {
	return ClientRenegotiation{NotTested: "client-initiated renegotiation is not implemented yet"}
}
