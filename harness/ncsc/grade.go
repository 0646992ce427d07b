package ncsc

import (
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/tlsregistry"
)

var (
	versionByID   = index(versionRows, func(r codeRow) uint16 { return r.ID })
	suiteByID     = index(suiteRows, func(r codeRow) uint16 { return r.ID })
	groupByID     = index(groupRows, func(r codeRow) uint16 { return r.ID })
	kexSigByID    = index(kexSigRows, func(r codeRow) uint16 { return r.ID })
	kxByName      = index(kxRows, func(r nameRow) string { return r.Name })
	auByName      = index(auRows, func(r nameRow) string { return r.Name })
	encByName     = index(encRows, func(r nameRow) string { return r.Name })
	macByName     = index(macRows, func(r nameRow) string { return r.Name })
	dhByName      = index(dhRows, func(r nameRow) string { return r.Name })
	curveByName   = index(certCurveRows, func(r nameRow) string { return r.Name })
	keyTypeByName = index(certKeyTypeRows, func(r nameRow) string { return r.Name })
	certSigByName = index(certSigRows, func(r nameRow) string { return r.Name })
	optionByKey   = index(optionRows, func(r optionRow) string { return r.Kind + "/" + r.State })
)

func index[R any, K comparable](rows []R, key func(R) K) map[K]R {
	m := make(map[K]R, len(rows))
	for _, r := range rows {
		m[key(r)] = r
	}
	return m
}

// Grade classifies one item under one edition. An unknown edition grades by
// the default (2025-05); an unknown kind is "not covered".
func Grade(e Edition, it Item) Grading {
	if e != EditionV21 {
		e = Edition2025
	}
	switch it.Kind {
	case KindVersion:
		return gradeCode(e, "version", versionByID, it.ID, VersionName(it.ID))
	case KindCipherSuite:
		return gradeSuite(e, it.ID)
	case KindGroup:
		return gradeGroup(e, it.ID)
	case KindDHGroup:
		return gradeDH(e, it)
	case KindCertKey:
		return gradeCertKey(e, it)
	case KindCertSignature:
		return gradeName(e, "cert.sig", certSigByName, strings.ToLower(it.Name), "signature hash")
	case KindKexSignature:
		return gradeCode(e, "kex.sig", kexSigByID, it.ID, SignatureSchemeName(it.ID))
	case KindCompression, KindSecureRenegotiation, KindClientRenegotiation, KindZeroRTT,
		KindOCSPStapling, KindEMS, KindCipherOrder, KindCertTrust, KindCertName:
		return gradeOption(e, it.Kind, it.State)
	}
	return Grading{Level: NotCovered, Edition: e, Section: "-", Reason: fmt.Sprintf("unknown item kind %q", it.Kind)}
}

func at(e Edition, key string, l Level, reason string) Grading {
	r := refs[e][key]
	return Grading{Level: l, Edition: e, Section: r.Section, Table: r.Table, Reason: reason}
}

func gradeCode(e Edition, key string, rows map[uint16]codeRow, id uint16, name string) Grading {
	r, ok := rows[id]
	if !ok {
		return at(e, key, Insufficient, fmt.Sprintf("%s (0x%04X) is not listed, so Insufficient", name, id))
	}
	return at(e, key, r.level(e), withNote(e, fmt.Sprintf("%s (0x%04X) is listed %s", r.Name, id, r.level(e)), r.Note))
}

func gradeName(e Edition, key string, rows map[string]nameRow, name, what string) Grading {
	r, ok := rows[name]
	if !ok {
		return at(e, key, Insufficient, fmt.Sprintf("%s %q is not listed, so Insufficient", what, name))
	}
	return at(e, key, r.level(e), withNote(e, fmt.Sprintf("%s %s is listed %s", what, r.Name, r.level(e)), r.Note))
}

// withNote adds the parts of a row's note that concern edition e.
func withNote(e Edition, s, note string) string {
	if n := noteFor(e, note); n != "" {
		return s + " (" + n + ")"
	}
	return s
}

// noteFor keeps the "; "-separated parts of a note that concern e: a part
// that starts with "2025" or "v2.1" concerns that edition only (its prefix
// is dropped, the citation names the edition); the table markers ec, pq
// and ff are dropped.
func noteFor(e Edition, note string) string {
	var keep []string
	for _, part := range strings.Split(note, "; ") {
		part = strings.TrimSpace(part)
		for _, other := range []struct {
			prefix string
			ed     Edition
		}{{"2025", Edition2025}, {"v2.1", EditionV21}} {
			if strings.HasPrefix(part, other.prefix) {
				if e != other.ed {
					part = ""
				} else {
					part = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(part, other.prefix), "-05"), ": ")
				}
			}
		}
		switch part {
		case "", "ec", "pq", "ff":
			continue
		}
		keep = append(keep, part)
	}
	return strings.Join(keep, "; ")
}

// gradeSuite uses the edition's suite list where the suite is in it, and the
// worst of its components otherwise (reference §1.3).
func gradeSuite(e Edition, id uint16) Grading {
	if r, ok := suiteByID[id]; ok {
		why := fmt.Sprintf("%s (0x%04X) is listed %s", r.Name, id, r.level(e))
		note := noteFor(e, r.Note)
		if because := componentsAt(e, id, r.level(e)); because != "" && r.level(e) > Sufficient {
			why += " for its " + because
			// A note that only restates the component or the level adds
			// nothing to the reason.
			if strings.Contains(because, note) || strings.HasSuffix(strings.ToLower(note), strings.ToLower(r.level(e).String())) {
				note = ""
			}
		}
		if note != "" {
			why += " (" + note + ")"
		}
		return at(e, "suite", r.level(e), why)
	}
	l, key, why := gradeComponents(e, id)
	return at(e, key, l, why)
}

// componentsAt names the components of a suite graded l ("hash SHA1
// (HMAC-SHA1)"): why a listed suite has its level, in the words a deployer
// changes a cipher string with.
func componentsAt(e Edition, id uint16, l Level) string {
	s, ok := tlsregistry.LookupSuite(id)
	if !ok {
		return ""
	}
	var parts []string
	for _, c := range suiteComponents(s) {
		if componentLevel(e, c) != l {
			continue
		}
		name := c.name
		if r, ok := componentRows(c.key)[c.name]; ok {
			if n := noteFor(e, r.Note); n != "" && !strings.Contains(n, "fn ") {
				name += " (" + n + ")"
			}
		}
		parts = append(parts, c.what+" "+name)
	}
	return strings.Join(parts, ", ")
}

// component is one graded part of a suite.
type component struct {
	key  string // refs key: suite.kx, suite.au, suite.enc, suite.mac
	what string
	name string // row name in kxRows, auRows, encRows or macRows
}

// suiteComponents breaks a registry suite into the four functions the
// guideline grades. TLS 1.3 suites (Kx/Au "any") carry only bulk and hash.
func suiteComponents(s tlsregistry.Suite) []component {
	kx := s.Kx
	switch {
	case s.Export || strings.Contains(kx, "(512)") || strings.Contains(kx, "(1024)"):
		kx = "EXPORT"
	case kx == "ECDH" && s.Au == "None":
		kx = "ECDH anon"
	case kx == "DH" && s.Au == "None":
		kx = "DH anon"
	case kx == "ECDH":
		kx = "ECDHE"
	case kx == "DH":
		kx = "DHE"
	case strings.HasPrefix(kx, "ECDH/"):
		kx = "ECDH static"
	case strings.HasPrefix(kx, "DH/"):
		kx = "DH static"
	}
	var cs []component
	if kx != "any" {
		cs = append(cs, component{"suite.kx", "key exchange", kx})
	}
	if s.Au != "any" {
		cs = append(cs, component{"suite.au", "authentication", s.Au})
	}
	return append(cs, component{"suite.enc", "bulk cipher", s.Cipher()}, component{"suite.mac", "hash", s.Mac})
}

// componentRows is the table a suite component is graded by.
func componentRows(key string) map[string]nameRow {
	switch key {
	case "suite.kx":
		return kxByName
	case "suite.au":
		return auByName
	case "suite.enc":
		return encByName
	default:
		return macByName
	}
}

func componentLevel(e Edition, c component) Level {
	if r, ok := componentRows(c.key)[c.name]; ok {
		return r.level(e)
	}
	return Insufficient // not listed
}

// gradeComponents grades a suite by its worst component and cites the table
// of that component.
func gradeComponents(e Edition, id uint16) (Level, string, string) {
	s, ok := tlsregistry.LookupSuite(id)
	if !ok {
		return Insufficient, "suite", fmt.Sprintf("cipher suite 0x%04X is not in the IANA registry nor in the list, so Insufficient", id)
	}
	worst, key := Level(0), "suite"
	var parts []string
	for _, c := range suiteComponents(s) {
		l := componentLevel(e, c)
		parts = append(parts, fmt.Sprintf("%s %s: %s", c.what, c.name, l))
		if l > worst {
			worst, key = l, c.key
		}
	}
	if worst == NotCovered {
		worst = Insufficient
	}
	return worst, key, fmt.Sprintf("%s (0x%04X) is not in %s; graded by its worst component (%s)",
		s.DisplayName(), id, refs[e]["suite"].Section, strings.Join(parts, ", "))
}

func gradeGroup(e Edition, id uint16) Grading {
	r, ok := groupByID[id]
	if !ok {
		return at(e, "group.ec", Insufficient, fmt.Sprintf("group %s (0x%04X) is not listed, so Insufficient", GroupName(id), id))
	}
	key := "group.ec"
	switch {
	case strings.HasPrefix(r.Note, "pq"):
		key = "group.pq"
	case strings.HasPrefix(r.Note, "ff"):
		key = "group.ff"
	}
	return at(e, key, r.level(e), withNote(e, fmt.Sprintf("group %s (0x%04X) is listed %s", r.Name, id, r.level(e)), r.Note))
}

func gradeDH(e Edition, it Item) Grading {
	name := strings.ToLower(it.Name)
	if r, ok := dhByName[name]; ok {
		return at(e, "dh", r.level(e), fmt.Sprintf("DHE group %s (RFC 7919, %d bits) is listed %s", r.Name, it.Bits, r.level(e)))
	}
	what := "a self-generated or unnamed group"
	if name != "" {
		what = "well-known group " + it.Name + ", not an RFC 7919 group"
	}
	return at(e, "dh", Insufficient, fmt.Sprintf("DHE uses %s (%d bits); only RFC 7919 ffdhe groups are listed", what, it.Bits))
}

func gradeCertKey(e Edition, it Item) Grading {
	switch t := strings.ToLower(it.Name); t {
	case "rsa", "rsa-pss":
		for _, r := range rsaRows {
			if it.Bits >= r.MinBits {
				l := pick(e, r.E2025, r.V21)
				return at(e, "cert.rsa", l, fmt.Sprintf("RSA key of %d bits: %s (>= %d bits)", it.Bits, l, r.MinBits))
			}
		}
	case "ecdsa", "ec":
		return gradeName(e, "cert.ec", curveByName, it.Curve, "ECDSA key on curve")
	default:
		return gradeName(e, "cert.type", keyTypeByName, t, "certificate key type")
	}
	return at(e, "cert.rsa", Insufficient, fmt.Sprintf("RSA key size %d is not a key size", it.Bits))
}

// partialStates are option states that establish only part of the item:
// the best and the worst state it can be.
var partialStates = map[string][2]string{
	KindClientRenegotiation + "/" + StateAllowed: {StateLimited, StateUnlimited},
}

func gradeOption(e Edition, kind, state string) Grading {
	if bounds, ok := partialStates[kind+"/"+state]; ok {
		best, worst := gradeOption(e, kind, bounds[0]), gradeOption(e, kind, bounds[1])
		if worst.Level == best.Level {
			best.Reason = fmt.Sprintf("%s or %s not tested; %s either way (%s / %s)", bounds[0], bounds[1], best.Level, best.Reason, worst.Reason)
			return best
		}
		best.UpTo = worst.Level
		best.Reason = fmt.Sprintf("%s or %s not tested: %s if %s (%s), %s if %s (%s)", bounds[0], bounds[1],
			best.Level, bounds[0], best.Reason, worst.Level, bounds[1], worst.Reason)
		return best
	}
	r, ok := optionByKey[kind+"/"+state]
	if !ok {
		return at(e, kind, NotCovered, fmt.Sprintf("%s state %q is not a known state", kind, state))
	}
	l := r.level(e)
	if l == NotCovered {
		return at(e, kind, l, fmt.Sprintf("%s: %s; edition %s has no table for it", kind, noteFor(e, r.Note), e))
	}
	return at(e, kind, l, noteFor(e, r.Note))
}

// Names of code points come from the one registry the scanner shares.
var (
	VersionName         = tlsregistry.VersionName
	SuiteName           = tlsregistry.SuiteName
	GroupName           = tlsregistry.GroupName
	SignatureSchemeName = tlsregistry.SignatureSchemeName
)
