package aws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
)

// marketingTags returns organization.marketing.aws_tags as sorted key=value pairs ("key=" for any value).
func marketingTags(m map[string]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		if strings.TrimSpace(k) != "" {
			out = append(out, [2]string{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// matchedTags returns the marketing tags a resource carries, as key=value.
func matchedTags(tags map[string]string, want [][2]string) []string {
	var out []string
	for _, kv := range want {
		v, ok := tags[kv[0]]
		if ok && (kv[1] == "" || strings.EqualFold(v, kv[1])) {
			out = append(out, kv[0]+"="+v)
		}
	}
	return out
}

// collectTagged emits every resource tagged with one of the marketing tags, in every configured region. A
// resource is emitted once, with all the marketing tags it carries. The tags come from the organisation config.
func (s *accountScan) collectTagged(ctx context.Context) error {
	want := marketingTags(s.run.p.d.Org.Marketing.AWSTags)
	if len(want) == 0 {
		return nil // reported once per scan by collectAPI
	}
	// Regions are read side by side; a resource is emitted once even if two regions list it (global resources).
	var mu sync.Mutex
	seen := map[string]bool{}
	errs := make([]error, len(s.run.p.cfg.Regions))
	var wg sync.WaitGroup
	for i, region := range s.run.p.cfg.Regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.collectTaggedRegion(ctx, region, want, &mu, seen)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && stopped(ctx, s.run.em, err) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// collectTaggedRegion reads one region's marketing-tagged resources; seen (under mu) is shared across regions.
func (s *accountScan) collectTaggedRegion(ctx context.Context, region string, want [][2]string, mu *sync.Mutex, seen map[string]bool) error {
	const api = "tag:GetResources"
	var firstErr error
	cl := s.cl.tagging(region)
	n := 0
tags:
	for _, kv := range want {
		f := tagtypes.TagFilter{Key: aws.String(kv[0])}
		if kv[1] != "" {
			f.Values = []string{kv[1]}
		}
		pg := resourcegroupstaggingapi.NewGetResourcesPaginator(cl, &resourcegroupstaggingapi.GetResourcesInput{
			TagFilters: []tagtypes.TagFilter{f},
		})
		pageToks := pageTokens{}
		for page := 1; pg.HasMorePages(); page++ {
			out, err := pg.NextPage(ctx)
			if err != nil {
				e := s.failed(ctx, api, fmt.Errorf("region %s, tag %s=%s, page %d: %w", region, kv[0], kv[1], page, err))
				if stopped(ctx, s.run.em, err) {
					return e
				}
				if firstErr == nil {
					firstErr = e
				}
				if isAccessDenied(err) {
					break tags // the other tags will be denied too
				}
				continue tags
			}
			s.log.Debug().Str("api", api).Str("region", region).Str("tag", kv[0]).Int("page", page).
				Int("resources", len(out.ResourceTagMappingList)).Msg("page")
			for _, m := range out.ResourceTagMappingList {
				arn := aws.ToString(m.ResourceARN)
				mu.Lock()
				dup := arn == "" || seen[arn]
				seen[arn] = true
				mu.Unlock()
				if dup {
					continue
				}
				tr := taggedResource{ARN: arn, Tags: map[string]string{}}
				for _, t := range m.Tags {
					tr.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				matched := matchedTags(tr.Tags, want)
				if len(matched) == 0 {
					matched = []string{kv[0] + "=" + tr.Tags[kv[0]]}
				}
				if err := s.emit(resourceRecord(s.a, tr, matched)); err != nil {
					return err
				}
				n++
			}
			if err := pageToks.repeat(out.PaginationToken, page); err != nil {
				e := s.failed(ctx, api, fmt.Errorf("region %s, tag %s=%s: %w", region, kv[0], kv[1], err))
				if firstErr == nil {
					firstErr = e
				}
				continue tags
			}
		}
	}
	s.log.Debug().Str("region", region).Int("resources", n).Msg("marketing-tagged resources read")
	return firstErr
}
