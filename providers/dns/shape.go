package dns

import (
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// shape is what the provider emits: dns_record signals.
var shape = scanner.Shape{
	Kinds: []string{scanner.KindDNSRecord},
	Attributes: append([]scanner.Attribute{
		scanner.Attr("zone_unicode", scanner.TypeString, "the zone in Unicode, when it is an internationalised name"),
	}, dnssignal.Attributes...),
}
