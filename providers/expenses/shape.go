package expenses

import "github.com/shadowscan/shadowscan/scanner"

// shape is what the provider emits: one record per merchant and person, a subscription when the charges recur.
var shape = scanner.Shape{
	Kinds: []string{scanner.KindSaaSSubscription, scanner.KindExpense},
	Attributes: []scanner.Attribute{
		scanner.Attr("raw_descriptors", scanner.TypeStrings, "the merchant strings as the card issuer wrote them (verbatim, up to 10)"),
		scanner.Attr("raw_descriptors_more", scanner.TypeInt, "how many more merchant strings there were"),
		scanner.Attr("cadence", scanner.TypeString, "monthly, annual, quarterly, weekly or one-off"),
		scanner.Attr("cadence_source", scanner.TypeString, "where the cadence came from when not from the dates"),
		scanner.Attr("charges", scanner.TypeInt, "number of charges"),
		scanner.Attr("refunds", scanner.TypeInt, "number of refunds"),
		scanner.Attr("total", scanner.TypeDouble, "net total of the charges"),
		scanner.Attr("charge_amount", scanner.TypeDouble, "the regular charge", scanner.KindSaaSSubscription),
		scanner.Attr("billing_period", scanner.TypeString, "the regular billing period", scanner.KindSaaSSubscription),
		scanner.Attr("active", scanner.TypeBool, "the subscription is still being charged", scanner.KindSaaSSubscription),
		scanner.Attr("last_charge_refunded", scanner.TypeBool, "the last charge was refunded"),
		scanner.Attr("memo_samples", scanner.TypeStrings, "memos from the rows (verbatim)"),
		scanner.Attr("category", scanner.TypeString, "the expense category from the export"),
		scanner.Attr("mcc", scanner.TypeString, "the merchant category code"),
		scanner.Attr(scanner.AttrSoftwareLikely, scanner.TypeBool, "whether the charge looks like software; false leaves an unresolved record out of the report"),
		scanner.Attr("software_reason", scanner.TypeString, "which rule decided software_likely"),
		scanner.Attr("file", scanner.TypeString, "the export file"),
		scanner.Attr("rows", scanner.TypeStrings, "file:line of each row"),
	},
}
