package aws

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// collectRoute53 emits the DNS signals of every hosted zone (public and private). A zone that fails is recorded
// and the next one is read; a failed page ends that zone's records there.
func (s *accountScan) collectRoute53(ctx context.Context) error {
	var firstErr error
	pg := route53.NewListHostedZonesPaginator(s.cl.route53, &route53.ListHostedZonesInput{})
	zones := 0
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return s.failed(ctx, "route53:ListHostedZones", fmt.Errorf("page %d (zones after it not read): %w", page, err))
		}
		s.log.Debug().Str("api", "route53:ListHostedZones").Int("page", page).Int("zones", len(out.HostedZones)).Msg("page")
		for _, hz := range out.HostedZones {
			zones++
			z := zoneFromSDK(hz)
			if err := s.collectZone(ctx, z); err != nil {
				if stopped(ctx, s.run.em, err) {
					return err
				}
				if firstErr == nil {
					firstErr = err
				}
			}
		}
		if err := seen.repeat(out.NextMarker, page); err != nil && out.IsTruncated {
			return s.failed(ctx, "route53:ListHostedZones", err)
		}
	}
	s.log.Debug().Int("zones", zones).Msg("Route 53 read")
	return firstErr
}

func zoneFromSDK(hz r53types.HostedZone) hostedZone {
	z := hostedZone{ID: strings.TrimPrefix(aws.ToString(hz.Id), "/hostedzone/"), Name: dnssignal.Norm(aws.ToString(hz.Name))}
	if hz.Config != nil {
		z.Private = hz.Config.PrivateZone
	}
	return z
}

// collectZone reads a zone's record sets and emits their signals. The whole zone goes through
// dnssignal.ZoneRecords at once, so that SPF includes and CNAME chains inside the zone are followed the way the dns
// provider follows them in a zone file. A failed page ends the zone there: what was read is still emitted.
func (s *accountScan) collectZone(ctx context.Context, z hostedZone) error {
	pg := route53.NewListResourceRecordSetsPaginator(s.cl.route53, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(z.ID),
	})
	var sets []recordSet
	var pageErr error
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err == nil && out.IsTruncated {
			// The next page starts at a (name, type, identifier) triple: a triple already followed would loop.
			next := aws.ToString(out.NextRecordName) + "\x00" + string(out.NextRecordType) + "\x00" + aws.ToString(out.NextRecordIdentifier)
			if rerr := seen.repeat(&next, page); rerr != nil {
				for _, rs := range out.ResourceRecordSets {
					sets = append(sets, recordSetFromSDK(rs))
				}
				err = rerr
			}
		}
		if err != nil {
			pageErr = s.failed(ctx, "route53:ListResourceRecordSets",
				fmt.Errorf("zone %s (%s), page %d (record sets after it not read): %w", z.Name, z.ID, page, err))
			if stopped(ctx, s.run.em, err) {
				return pageErr
			}
			break
		}
		s.log.Debug().Str("api", "route53:ListResourceRecordSets").Str("zone", z.Name).Int("page", page).
			Int("record_sets", len(out.ResourceRecordSets)).Msg("page")
		for _, rs := range out.ResourceRecordSets {
			sets = append(sets, recordSetFromSDK(rs))
		}
	}
	recs := zoneRecords(s.a, z, sets)
	if err := s.run.cnames.check(ctx, z, recs); err != nil {
		if stopped(ctx, s.run.em, err) {
			return err
		}
		s.log.Warn().Str("zone", z.Name).Err(err).Msg("Route 53 CNAME targets not all checked; coverage partial")
		s.run.p.d.Diagnostics.Error("dns:CNAME targets", s.a.target(), err)
	}
	s.log.Debug().Str("zone", z.Name).Int("record_sets", len(sets)).Int("records", len(recs)).Msg("zone read")
	if err := s.emit(recs...); err != nil {
		return err
	}
	return pageErr
}

func recordSetFromSDK(rs r53types.ResourceRecordSet) recordSet {
	out := recordSet{Name: aws.ToString(rs.Name), Type: string(rs.Type), TTL: aws.ToInt64(rs.TTL)}
	for _, v := range rs.ResourceRecords {
		out.Values = append(out.Values, aws.ToString(v.Value))
	}
	if rs.AliasTarget != nil {
		out.Alias = aws.ToString(rs.AliasTarget.DNSName)
	}
	return out
}

// zoneRecords turns a Route 53 zone's record sets into dns_record records through the shared DNS signal
// extraction. Alias records point at AWS resources (CloudFront, ELB, S3) and give none. Record sets of a
// weighted, latency or failover group (same name and type) are read as one set.
func zoneRecords(a account, z hostedZone, sets []recordSet) []scanner.Record {
	rrs := make([]dnssignal.RRSet, 0, len(sets))
	for _, rs := range sets {
		if len(rs.Values) == 0 {
			continue // alias records, or an empty set
		}
		typ := strings.ToUpper(rs.Type)
		vals := make([]string, 0, len(rs.Values))
		for _, v := range rs.Values {
			if typ == "TXT" || typ == "SPF" {
				v = joinTXT(v)
			}
			vals = append(vals, v)
		}
		ttl := uint32(0)
		if rs.TTL > 0 && rs.TTL <= int64(^uint32(0)) {
			ttl = uint32(rs.TTL)
		}
		rrs = append(rrs, dnssignal.RRSet{Name: rs.Name, Type: typ, TTL: ttl, Values: vals})
	}
	recs := dnssignal.ZoneRecords(z.Name, rrs)
	prefix := "aws:" + a.ID + ":route53:" + z.ID + ":"
	where := "Route 53 zone " + z.Name
	if z.Private {
		where = "private " + where
	}
	for i := range recs {
		r := &recs[i]
		r.ID = prefix + r.ID
		if r.Attributes == nil {
			r.Attributes = map[string]any{}
		}
		for k, v := range baseAttrs(a) {
			r.Attributes[k] = v
		}
		r.Attributes["hosted_zone_id"] = z.ID
		r.Attributes["private_zone"] = z.Private
		if r.Summary != "" {
			r.Summary += " (" + where + ", " + a.target() + ")"
		}
	}
	return recs
}

// joinTXT turns a TXT value in zone-file presentation, as Route 53 returns it ("part one" "part two", with \"
// and \ddd escapes), into the record's text: its character-strings concatenated (RFC 7208 §3.3). An unquoted
// value is taken as one string.
func joinTXT(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, `"`) {
		return v
	}
	var b strings.Builder
	in := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			in = !in
		case c == '\\' && i+1 < len(v):
			if i+3 < len(v) && isDigit(v[i+1]) && isDigit(v[i+2]) && isDigit(v[i+3]) {
				if n, err := strconv.Atoi(v[i+1 : i+4]); err == nil && n < 256 {
					b.WriteByte(byte(n))
					i += 3
					continue
				}
			}
			i++
			b.WriteByte(v[i])
		case in:
			b.WriteByte(c)
		default:
			// Whitespace between character-strings separates them; anything else outside quotes is kept.
			if c != ' ' && c != '\t' {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
