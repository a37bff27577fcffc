package dns

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
)

// maxZoneRRs bounds the records read from one zone file ($GENERATE can expand a few lines into many).
const maxZoneRRs = 500_000

// zoneData is the records of one or more zone files, indexed by owner name and type.
type zoneData struct {
	apexes []string                        // zone apexes: SOA owners, or the origin of a file without SOA
	names  map[string]map[uint16][]mdns.RR // owner → type → records
	order  []string                        // owners in the order first seen
	limit  int                             // most records read from one file
}

func newZoneData() *zoneData {
	return &zoneData{names: map[string]map[uint16][]mdns.RR{}, limit: maxZoneRRs}
}

// zoneOrigin guesses a file's origin from its name ("northwind.example.zone", "db.northwind.example"); a $ORIGIN
// directive in the file overrides it. It returns "" when the name does not look like a domain.
func zoneOrigin(path string) string {
	base := strings.ToLower(filepath.Base(path))
	for _, suf := range []string{".zone", ".db", ".txt", ".hosts"} {
		base = strings.TrimSuffix(base, suf)
	}
	base = strings.TrimPrefix(base, "db.")
	if !strings.Contains(base, ".") {
		return ""
	}
	if _, err := toASCII(base); err != nil {
		return ""
	}
	return base
}

// parseZone reads one RFC 1035 master file into z. origin is used for relative names until a $ORIGIN directive;
// $INCLUDE is refused (a zone file must not make the scanner read other files). The records read before an error
// are kept; the error names the file and line.
func (z *zoneData) parseZone(r io.Reader, origin, file string) error {
	if origin != "" {
		origin = mdns.Fqdn(origin)
	}
	zp := mdns.NewZoneParser(r, origin, file)
	zp.SetIncludeAllowed(false)
	sawSOA := false
	n := 0
	var tooMany error
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if n == z.limit {
			tooMany = fmt.Errorf("%s: more than %d records; the first %d are kept", file, z.limit, z.limit)
			break
		}
		n++
		h := rr.Header()
		owner := dnssignal.Norm(h.Name)
		if h.Rrtype == mdns.TypeSOA {
			sawSOA = true
			z.addApex(owner)
		}
		byType := z.names[owner]
		if byType == nil {
			byType = map[uint16][]mdns.RR{}
			z.names[owner] = byType
			z.order = append(z.order, owner)
		}
		byType[h.Rrtype] = append(byType[h.Rrtype], rr)
	}
	if !sawSOA && origin != "" && n > 0 {
		z.addApex(dnssignal.Norm(origin))
	}
	if tooMany != nil {
		return tooMany
	}
	if err := zp.Err(); err != nil {
		return zoneError(file, err, n)
	}
	return nil
}

// maxQuotedToken is the most of a zone file's text that an error message quotes.
const maxQuotedToken = 24

// zoneError rewrites a parse error so that it quotes at most a short, sanitised token, and nothing at all from a
// file where no record could be read (likely not a zone file: a key, a password file named by mistake).
// miekg/dns formats its errors as `<file>: dns: <what>: "<token>" at line: L:C`, with no accessors.
func zoneError(file string, err error, recordsRead int) error {
	msg := err.Error()
	what, token, pos := "cannot parse", "", ""
	if i := strings.LastIndex(msg, " at line: "); i >= 0 {
		pos = msg[i+len(" at line: "):]
		msg = msg[:i]
	}
	if i := strings.Index(msg, "dns: "); i >= 0 {
		msg = msg[i+len("dns: "):]
	}
	if i := strings.Index(msg, `: "`); i >= 0 {
		what = msg[:i]
		if t, uerr := strconv.Unquote(msg[i+2:]); uerr == nil {
			token = t
		}
	} else if msg != "" {
		what = msg
	}
	line := pos
	if l, _, ok := strings.Cut(pos, ":"); ok {
		line = l
	}
	what = safeToken(what, 80)
	if recordsRead == 0 {
		return fmt.Errorf("%s:%s: %s; no record could be read before it, so nothing of the file is quoted (is it a zone file?)", file, line, what)
	}
	if token = safeToken(token, maxQuotedToken); token != "" {
		return fmt.Errorf("%s:%s: %s near %q", file, pos, what, token)
	}
	return fmt.Errorf("%s:%s: %s", file, pos, what)
}

// safeToken keeps printable ASCII only (other characters become "?", control characters are dropped) and cuts
// to max bytes, marking the cut.
func safeToken(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			continue
		}
		if r > 0x7e {
			r = '?'
		}
		if b.Len() >= max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (z *zoneData) addApex(a string) {
	for _, x := range z.apexes {
		if x == a {
			return
		}
	}
	z.apexes = append(z.apexes, a)
	sort.Slice(z.apexes, func(i, j int) bool { return len(z.apexes[i]) > len(z.apexes[j]) }) // longest first
}

// apexOf returns the innermost zone apex holding name, or "".
func (z *zoneData) apexOf(name string) string {
	for _, a := range z.apexes {
		if dnssignal.InZone(name, a) {
			return a
		}
	}
	return ""
}

// rrsets returns the record sets of the zone files in file order, TXT strings joined per record.
func (z *zoneData) rrsets() []dnssignal.RRSet {
	var out []dnssignal.RRSet
	for _, owner := range z.order {
		byType := z.names[owner]
		types := make([]uint16, 0, len(byType))
		for t := range byType {
			types = append(types, t)
		}
		sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
		for _, t := range types {
			switch t {
			case mdns.TypeTXT, mdns.TypeCNAME, mdns.TypeMX, mdns.TypeNS:
				out = append(out, dnslive.RRSet(owner, t, byType[t]))
			}
		}
	}
	return out
}
