package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/marketplaceagreement"
	mptypes "github.com/aws/aws-sdk-go-v2/service/marketplaceagreement/types"
)

// collectAgreements emits the account's active AWS Marketplace purchase agreements (the account is the acceptor).
func (s *accountScan) collectAgreements(ctx context.Context) error {
	const api = "aws-marketplace:SearchAgreements"
	pg := marketplaceagreement.NewSearchAgreementsPaginator(s.cl.mpa, &marketplaceagreement.SearchAgreementsInput{
		Catalog: aws.String("AWSMarketplace"),
		Filters: []mptypes.Filter{
			{Name: aws.String("PartyType"), Values: []string{"Acceptor"}},
			{Name: aws.String("AgreementType"), Values: []string{"PurchaseAgreement"}},
			{Name: aws.String("Status"), Values: []string{"ACTIVE"}},
		},
	})
	var firstErr error
	n := 0
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return s.failed(ctx, api, fmt.Errorf("page %d (agreements after it not read): %w", page, err))
		}
		s.log.Debug().Str("api", api).Int("page", page).Int("agreements", len(out.AgreementViewSummaries)).Msg("page")
		for _, sum := range out.AgreementViewSummaries {
			ag := agreementFromSummary(sum)
			d, err := s.cl.mpa.DescribeAgreement(ctx, &marketplaceagreement.DescribeAgreementInput{AgreementId: sum.AgreementId})
			if err != nil {
				if stopped(ctx, s.run.em, err) {
					return err
				}
				if firstErr == nil {
					firstErr = s.failed(ctx, "aws-marketplace:DescribeAgreement", fmt.Errorf("agreement %s: %w", ag.ID, err))
				}
			} else {
				mergeDescribed(&ag, d)
			}
			if err := s.emit(agreementRecord(s.a, ag, !s.run.p.cfg.CostExplorer)); err != nil {
				return err
			}
			n++
		}
		if err := seen.repeat(out.NextToken, page); err != nil {
			return s.failed(ctx, api, err)
		}
	}
	s.log.Debug().Int("agreements", n).Msg("Marketplace agreements read")
	return firstErr
}

func agreementFromSummary(v mptypes.AgreementViewSummary) agreement {
	ag := agreement{ID: aws.ToString(v.AgreementId), Type: aws.ToString(v.AgreementType), Status: string(v.Status),
		AcceptanceTime: aws.ToTime(v.AcceptanceTime), StartTime: aws.ToTime(v.StartTime), EndTime: aws.ToTime(v.EndTime),
		LastUpdateTime: aws.ToTime(v.LastUpdateTime), EndBehavior: string(v.EndTimeBehaviorType)}
	if v.Acceptor != nil {
		ag.AcceptorID = aws.ToString(v.Acceptor.AccountId)
	}
	if v.Proposer != nil {
		ag.ProposerID = aws.ToString(v.Proposer.AccountId)
	}
	if ps := v.ProposalSummary; ps != nil {
		ag.OfferID = aws.ToString(ps.OfferId)
		for _, r := range ps.Resources {
			ag.Products = append(ag.Products, product{ID: aws.ToString(r.Id), Type: aws.ToString(r.Type)})
		}
	}
	return ag
}

// mergeDescribed adds what DescribeAgreement knows beyond the search summary.
func mergeDescribed(ag *agreement, d *marketplaceagreement.DescribeAgreementOutput) {
	if d.EstimatedCharges != nil {
		ag.Value = aws.ToString(d.EstimatedCharges.AgreementValue)
		ag.Currency = aws.ToString(d.EstimatedCharges.CurrencyCode)
	}
	if d.EndTimeBehavior != nil && ag.EndBehavior == "" {
		ag.EndBehavior = string(d.EndTimeBehavior.Type)
	}
	if ag.ProposerID == "" && d.Proposer != nil {
		ag.ProposerID = aws.ToString(d.Proposer.AccountId)
	}
	if len(ag.Products) == 0 && d.ProposalSummary != nil {
		ag.OfferID = aws.ToString(d.ProposalSummary.OfferId)
		for _, r := range d.ProposalSummary.Resources {
			ag.Products = append(ag.Products, product{ID: aws.ToString(r.Id), Type: aws.ToString(r.Type)})
		}
	}
}

// lastFullMonth returns the first day of the month before now's and of now's month (YYYY-MM-DD, end exclusive).
func lastFullMonth(now time.Time) (start, end string) {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -1, 0).Format(time.DateOnly), first.Format(time.DateOnly)
}

// collectMarketplaceSpend emits last month's AWS Marketplace charges per account and product from Cost
// Explorer. Called with the caller's credentials: from the management (payer) account it sees every member.
func (r *run) collectMarketplaceSpend(ctx context.Context) error {
	start, end := lastFullMonth(r.p.now())
	in := &costexplorer.GetCostAndUsageInput{
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Filter: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
			Key: cetypes.DimensionBillingEntity, Values: []string{"AWS Marketplace"}}},
		GroupBy: []cetypes.GroupDefinition{
			{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionLinkedAccount))},
			{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionService))},
		},
	}
	var spend []marketplaceSpend
	names := map[string]string{}
	// GetCostAndUsage has no SDK paginator; NextPageToken is followed by hand, one page per request.
	for page := 1; ; page++ {
		out, err := r.caller.ce.GetCostAndUsage(ctx, in)
		if err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		r.p.log.Debug().Str("api", "ce:GetCostAndUsage").Int("page", page).Int("periods", len(out.ResultsByTime)).Msg("page")
		for _, dv := range out.DimensionValueAttributes {
			if d := dv.Attributes["description"]; d != "" {
				names[aws.ToString(dv.Value)] = d
			}
		}
		for _, res := range out.ResultsByTime {
			ps, pe := start, end
			if res.TimePeriod != nil {
				ps, pe = aws.ToString(res.TimePeriod.Start), aws.ToString(res.TimePeriod.End)
			}
			for _, g := range res.Groups {
				if len(g.Keys) != 2 {
					continue
				}
				m, ok := g.Metrics["UnblendedCost"]
				if !ok {
					continue
				}
				v, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
				if err != nil || v <= 0 {
					continue
				}
				cur := aws.ToString(m.Unit)
				if cur == "" {
					cur = "USD"
				}
				spend = append(spend, marketplaceSpend{AccountID: g.Keys[0], Product: g.Keys[1], Amount: v,
					Currency: cur, Start: ps, End: pe})
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	sort.Slice(spend, func(i, j int) bool {
		if spend[i].AccountID != spend[j].AccountID {
			return spend[i].AccountID < spend[j].AccountID
		}
		return spend[i].Product < spend[j].Product
	})
	for _, sp := range spend {
		a, ok := r.names[sp.AccountID]
		if !ok {
			a = account{ID: sp.AccountID, Name: names[sp.AccountID]}
		}
		if err := r.em.Send(spendRecord(a, sp)); err != nil {
			return err
		}
	}
	r.p.log.Debug().Int("products", len(spend)).Str("month", start).Msg("Marketplace charges read")
	return nil
}
